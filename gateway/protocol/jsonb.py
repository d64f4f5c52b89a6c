"""jsonb's text form, as PostgreSQL writes it (jsonb_out).

DuckDB has one JSON type that keeps the text as written; PostgreSQL's jsonb stores a parsed
value and prints it normalised: object keys sorted by (byte length, bytes), a duplicate key
keeps its last value, `", "` and `": "` separators, numbers as numeric prints them (the input's
scale kept: 1.50 stays 1.50, 1e3 is 1000), strings re-escaped (only `"`, `\\` and control
characters; non-ASCII stays UTF-8).

`parse_jsonb` / `dump_jsonb` are the value model the jsonb SQL functions (sql/jsonb_functions.py)
share: dict / list / str / JsonbNumber / True / False / None.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc


class JsonbError(ValueError):
    """Input PostgreSQL's json parser rejects; sqlstate says which class of error."""

    def __init__(self, message: str, sqlstate: str = "22P02", detail: str | None = None):
        super().__init__(message)
        self.sqlstate = sqlstate
        self.detail = detail


class JsonbNumber(str):
    """A jsonb number: its numeric text as PostgreSQL prints it (a str, so it sorts and hashes
    as text; compare values with `.value`)."""

    __slots__ = ()

    @property
    def value(self) -> Decimal:
        return Decimal(self)


def numeric_text(token: str) -> JsonbNumber:
    """A JSON number token as PostgreSQL's numeric prints it: the scale is the digits after the
    point less the exponent (never below 0), zero has no sign."""
    if "e" not in token and "E" not in token and not token.startswith("-0"):
        return JsonbNumber(token)  # already numeric's form
    d = Decimal(token)
    if d.is_zero():
        d = abs(d)
    text = format(d, "f")
    return JsonbNumber(text)


def _reject_constant(name: str):
    raise JsonbError("invalid input syntax for type json", detail=f'Token "{name}" is invalid.')


def _check_string(s: str) -> str:
    if "\x00" in s:
        raise JsonbError("unsupported Unicode escape sequence", "22P05",
                         detail="\\u0000 cannot be converted to text.")
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        raise JsonbError("invalid input syntax for type json", "22P02",
                         detail="Unicode low surrogate must follow a high surrogate.") from None
    return s


def _pairs(pairs: list[tuple[str, object]]) -> dict:
    out = {}
    for k, v in pairs:
        _check_string(k)
        if type(v) is str:
            _check_string(v)
        out[k] = v  # a repeated key keeps its last value, as jsonb does
    return out


_DECODER = json.JSONDecoder(parse_float=numeric_text, parse_int=numeric_text,
                            parse_constant=_reject_constant, object_pairs_hook=_pairs)


def parse_jsonb(text: str):
    """The jsonb value of a JSON text; JsonbError (22P02) where PostgreSQL's parser fails."""
    try:
        v = _DECODER.decode(text)
    except JsonbError:
        raise
    except (json.JSONDecodeError, RecursionError) as e:
        raise JsonbError("invalid input syntax for type json",
                         detail=getattr(e, "msg", "The input string ended unexpectedly.")) from None
    if type(v) is str:
        _check_string(v)
    elif type(v) is list:
        for x in v:
            if type(x) is str:
                _check_string(x)
    return v


def key_order(k: str) -> tuple[int, bytes]:
    b = k.encode("utf-8")
    return (len(b), b)


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f]')


def _escape_char(m: re.Match) -> str:
    c = m.group()
    return _ESCAPES.get(c) or f"\\u{ord(c):04x}"


def quote_string(s: str) -> str:
    """A JSON string literal as PostgreSQL's escape_json writes it."""
    return '"' + _NEEDS_ESCAPE.sub(_escape_char, s) + '"'


def dump_jsonb(v) -> str:
    """jsonb_out: the text of a parsed jsonb value."""
    out: list[str] = []
    _dump(v, out)
    return "".join(out)


def _dump(v, out: list[str]) -> None:
    t = type(v)
    if t is dict:
        if not v:
            out.append("{}")
            return
        out.append("{")
        first = True
        for k in sorted(v, key=key_order):
            if not first:
                out.append(", ")
            first = False
            out.append(quote_string(k))
            out.append(": ")
            _dump(v[k], out)
        out.append("}")
    elif t is list:
        if not v:
            out.append("[]")
            return
        out.append("[")
        for i, x in enumerate(v):
            if i:
                out.append(", ")
            _dump(x, out)
        out.append("]")
    elif t is JsonbNumber:
        out.append(v)
    elif t is str:
        out.append(quote_string(v))
    elif v is True:
        out.append("true")
    elif v is False:
        out.append("false")
    elif v is None:
        out.append("null")
    elif t is int or t is Decimal:
        out.append(numeric_text(str(v)))
    elif t is float:
        out.append(numeric_text(repr(v)))
    else:  # pragma: no cover - the parser makes no other kinds
        raise TypeError(f"not a jsonb value: {v!r}")


def pretty_jsonb(v) -> str:
    """jsonb_pretty: four-space indentation, one element per line."""
    out: list[str] = []
    _pretty(v, out, 0)
    return "".join(out)


def _pretty(v, out: list[str], level: int) -> None:
    t = type(v)
    if t is dict or t is list:
        items = sorted(v.items(), key=lambda kv: key_order(kv[0])) if t is dict else list(v)
        out.append("{" if t is dict else "[")
        pad = "    " * (level + 1)
        for i, item in enumerate(items):
            out.append(",\n" if i else "\n")
            out.append(pad)
            if t is dict:
                out.append(quote_string(item[0]))
                out.append(": ")
                item = item[1]
            _pretty(item, out, level + 1)
        out.append("\n" + "    " * level + ("}" if t is dict else "]"))
    else:
        _dump(v, out)


# The output path: json's C decoder and encoder do the work. Objects are rebuilt in jsonb's key
# order while parsing; numbers become strings marked by a leading NUL (which no jsonb string can
# hold: \u0000 is refused) that the encoder writes as "\u0000…" and a substitution unquotes.
_SLOW_INPUT = re.compile(r"\\u(0000|[dD][89abAB])", re.I)  # \u0000 or surrogate escapes: checked path
_MARKED_NUMBER = re.compile(r'"\\u0000([^"]*)"')


def _marked_float(token: str) -> str:
    return "\x00" + numeric_text(token)


def _sorted_object(pairs: list) -> dict:
    d = dict(pairs)  # a repeated key keeps its last value
    if len(d) < 2:
        return d
    return dict(sorted(d.items(), key=lambda kv: (len(kv[0].encode()), kv[0])))


_MARKING_DECODER = json.JSONDecoder(parse_float=_marked_float, parse_int="\x00".__add__,
                                    parse_constant=_reject_constant, object_pairs_hook=_sorted_object)
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "), check_circular=False)


def canonical_jsonb_text(s: str) -> str:
    """PostgreSQL's jsonb output text of the JSON text s (JsonbError if s is not JSON)."""
    if _SLOW_INPUT.search(s):
        return dump_jsonb(parse_jsonb(s))
    try:
        v = _MARKING_DECODER.decode(s)
    except JsonbError:
        raise
    except (json.JSONDecodeError, RecursionError):
        return dump_jsonb(parse_jsonb(s))  # raises with PostgreSQL's message
    if type(v) is str:
        if v[:1] == "\x00":  # a number
            return "0" if v == "\x00-0" else v[1:]
        return _ENCODER.encode(v)
    return _MARKED_NUMBER.sub(_unmark, _ENCODER.encode(v))


def _unmark(m: re.Match) -> str:
    t = m.group(1)
    return "0" if t == "-0" else t


# Texts that are surely already canonical: a plain number in numeric's form, a keyword, or a
# string with no escapes (its text is its output).
_CANONICAL_SCALAR = (r'(-?[1-9][0-9]*(\.[0-9]+)?|-?0\.[0-9]*[1-9][0-9]*|0(\.[0-9]+)?'  # not -0
                     r'|true|false|null|"[^"\\\x00-\x1f]*")')


def canonical_jsonb_array(arr: pa.Array) -> pa.Array:
    """canonical_jsonb_text over a string column (nulls stay null; values that are plainly
    canonical already, such as simple scalars, are not parsed)."""
    if isinstance(arr, pa.ChunkedArray):
        return pa.chunked_array([canonical_jsonb_array(c) for c in arr.chunks], type=pa.string())
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        arr = arr.cast(pa.string())
    if len(arr) == 0 or arr.null_count == len(arr):
        return arr.cast(pa.string())
    done = pc.match_substring_regex(arr, "^" + _CANONICAL_SCALAR + "$")
    if pc.all(pc.or_kleene(done, pc.is_null(arr))).as_py():
        return arr.cast(pa.string())
    values = arr.to_pylist()
    flags = done.to_pylist()
    out = [v if (v is None or f) else canonical_jsonb_text(v) for v, f in zip(values, flags)]
    return pa.array(out, type=pa.string())
