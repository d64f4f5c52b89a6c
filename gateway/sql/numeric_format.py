"""to_char(number, template) as PostgreSQL formats it, for the templates reports use.

Supported template patterns: 9 and 0 (digit positions; 0 keeps leading zeros), . and D (decimal
point), , and G (group separator), and the FM prefix (fill mode: no padding blanks, no trailing
fraction zeros in 9 positions). Anything else (S, MI, PL, EEEE, V, RN, TH, literal text…) is
refused by the rewrite (sql/rewrite.py to_char_template) with 0A000, never answered differently.

It runs as a per-value Python UDF (`pg_to_char_num`, installed by sql/dialect_functions.py):
report queries format few values, and exactness matters more than speed here.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import duckdb

_SUPPORTED = re.compile(r"^(FM)?[90,G]*([.D][90]*)?$", re.I)


def supported(template: str) -> bool:
    """Whether `template` uses only the patterns this module implements (and has a digit)."""
    return bool(_SUPPORTED.match(template)) and bool(re.search(r"[90]", template))


def to_char_number(value: str | None, template: str) -> str | None:
    """`value` (a number's text) formatted by `template` as PostgreSQL's to_char does."""
    if value is None:
        return None
    fm = template[:2].upper() == "FM"
    body = template[2:] if fm else template
    point = next((i for i, c in enumerate(body) if c in ".Dd"), None)
    int_t = body if point is None else body[:point]
    frac_t = "" if point is None else body[point + 1:]
    nint = sum(c in "90" for c in int_t)
    nfrac = len(frac_t)
    try:
        num = Decimal(value)
    except InvalidOperation:
        return value  # NaN / Infinity of a float: PostgreSQL fills with '#'; not reached by reports
    if not num.is_finite():
        return "#" * len(body) if fm else " " + "#" * len(body)
    negative = num < 0
    rounded = abs(num).quantize(Decimal(1).scaleb(-nfrac), rounding=ROUND_HALF_UP)
    whole, _, frac = f"{rounded:f}".partition(".")
    frac = frac.ljust(nfrac, "0")[:nfrac]
    first_zero = next((k for k, c in enumerate(c for c in int_t if c in "90") if c == "0"), nint)
    if whole == "0" and (nfrac > 0 or first_zero < nint):
        whole = ""  # 0.5 with '9.99' is '.50': the zero comes only from a 0 position
    if whole == "" and nfrac == 0 and first_zero >= nint:
        whole = "0"  # to_char(0, '999') is '0'
    if len(whole) > nint:  # does not fit: every digit position is '#'
        out, seen = [], False
        for c in body:
            if c in "90":
                out.append("#")
                seen = True
            elif c in ".Dd":
                out.append(".")
            else:
                out.append("," if seen else ("" if fm else " "))
        text = "".join(out)
        return ("-" if negative else ("" if fm else " ")) + text
    chars = []
    pos = 0  # digit position within the integer part
    started = False
    for c in int_t:
        if c in "90":
            k = pos - (nint - len(whole))
            if k >= 0:
                chars.append(whole[k])
                started = True
            elif pos >= first_zero:
                chars.append("0")
                started = True
            else:
                chars.append(" ")
            pos += 1
        else:  # , or G: printed once a digit is
            chars.append("," if started else " ")
    if point is not None and (nfrac or fm):  # '999D' shows no point; 'FM999.' does
        chars.append(".")
        chars.extend(frac)
    text = "".join(chars)
    if fm:
        if nfrac:
            keep = len(frac_t.rstrip("9"))  # trailing zeros in 9 positions go, 0 positions stay
            digits = frac
            while len(digits) > keep and digits.endswith("0"):
                digits = digits[:-1]
            text = text[: len(text) - nfrac] + digits
        text = text.lstrip(" ")
        if text == "." or text == "":
            text = "0" + text  # to_char(0, 'FM99.99') is '0.'
        return ("-" + text) if negative else text
    k = len(text) - len(text.lstrip(" "))
    text = " " + text
    if negative:
        text = text[:k] + "-" + text[k + 1:]
    return text


def install(con: duckdb.DuckDBPyConnection) -> None:
    con.create_function("pg_to_char_num", to_char_number, [duckdb.sqltype("VARCHAR")] * 2,
                        duckdb.sqltype("VARCHAR"), null_handling="special", side_effects=False)
