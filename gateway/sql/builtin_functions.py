"""PostgreSQL built-in functions DuckDB lacks or answers differently (the third function sweep,
tests/differential/33_sweep3_functions.sql): macros and a few Python UDFs in the compatibility
catalog, called by the `builtin_functions` transform of sql/rewrite.py.

The UDFs are the ones SQL cannot express: the wall clock (clock_timestamp() moves within a
statement), SHA-2 digests other than sha256, and bytea's escape format.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone

import duckdb

from .pg_catalog import COMPAT_DB

_MACROS = """
-- substr/substring(s, start [, count]): PostgreSQL counts positions before the first as
-- characters that are not there (substr('hello', -1, 3) = 'h'); DuckDB counts from the end
CREATE OR REPLACE MACRO {m}.pg_substr(s, a) AS substring(s, CAST(greatest(a, 1) AS BIGINT)),
    (s, a, n) AS CASE WHEN n < 0 THEN error('negative substring length not allowed')
        ELSE substring(s, CAST(greatest(a, 1) AS BIGINT), CAST(greatest(a + n - greatest(a, 1), 0) AS BIGINT)) END;
-- split_part: an empty delimiter makes the whole string field 1 (and -1); field 0 is an error
CREATE OR REPLACE MACRO {m}.pg_split_part(s, d, n) AS CASE
    WHEN n = 0 THEN error('field position must not be zero')
    WHEN d = '' THEN CASE WHEN n IN (1, -1) THEN s ELSE '' END
    ELSE split_part(s, d, n) END;
-- string_to_array: NULL delimiter = one element per character, '' = the whole string, an
-- empty string = no elements; the third argument's matches become NULL
CREATE OR REPLACE MACRO {m}.pg_string_split(s, d) AS CASE
    WHEN s IS NULL THEN NULL
    WHEN s = '' THEN CAST([] AS VARCHAR[])
    WHEN d IS NULL THEN string_split(s, '')
    WHEN d = '' THEN [s]
    ELSE string_split(s, d) END;
CREATE OR REPLACE MACRO {m}.pg_string_to_array(s, d) AS {m}.pg_string_split(s, d),
    (s, d, n) AS list_transform({m}.pg_string_split(s, d), x -> CASE WHEN x = n THEN NULL ELSE x END);
-- to_hex(int4) is the two's complement in 32 bits
CREATE OR REPLACE MACRO {m}.pg_to_hex(x INTEGER) AS lower(hex(CAST(x AS BIGINT) & 4294967295)),
    (x SMALLINT) AS lower(hex(CAST(x AS BIGINT) & 4294967295)),
    (x) AS lower(hex(x));
CREATE OR REPLACE MACRO {m}.pg_chr(n) AS CASE
    WHEN n < 0 THEN error('character number must be positive')
    WHEN n = 0 THEN error('null character not permitted')
    WHEN n > 1114111 THEN error('requested character too large for encoding: ' || n)
    ELSE chr(CAST(n AS INTEGER)) END;
CREATE OR REPLACE MACRO {m}.pg_isfinite(x DATE) AS isfinite(x),
    (x TIMESTAMP) AS isfinite(x),
    (x TIMESTAMPTZ) AS isfinite(x),
    (x INTERVAL) AS true,
    (x) AS isfinite(x);
-- (s1, e1) OVERLAPS (s2, e2): each pair ordered first; an interval end is start + interval
-- (NULL ends as PostgreSQL's timestamp_overlaps treats them)
CREATE OR REPLACE MACRO {m}.pg_overlaps_ordered(s1, e1, s2, e2) AS CASE
    WHEN s1 > s2 THEN CASE WHEN e2 IS NULL THEN NULL WHEN s1 < e2 THEN true WHEN e1 IS NULL THEN NULL ELSE false END
    WHEN s1 < s2 THEN CASE WHEN e1 IS NULL THEN NULL WHEN s2 < e1 THEN true WHEN e2 IS NULL THEN NULL ELSE false END
    WHEN s1 = s2 THEN CASE WHEN e1 IS NULL OR e2 IS NULL THEN NULL ELSE true END END;
CREATE OR REPLACE MACRO {m}.pg_overlaps_points(s1, e1, s2, e2) AS {m}.pg_overlaps_ordered(
    CASE WHEN e1 < s1 THEN e1 ELSE s1 END, CASE WHEN e1 < s1 THEN s1 ELSE e1 END,
    CASE WHEN e2 < s2 THEN e2 ELSE s2 END, CASE WHEN e2 < s2 THEN s2 ELSE e2 END);
CREATE OR REPLACE MACRO {m}.pg_overlaps(s1, e1 INTERVAL, s2, e2 INTERVAL) AS {m}.pg_overlaps_points(s1, s1 + e1, s2, s2 + e2),
    (s1, e1 INTERVAL, s2, e2) AS {m}.pg_overlaps_points(s1, s1 + e1, s2, e2),
    (s1, e1, s2, e2 INTERVAL) AS {m}.pg_overlaps_points(s1, e1, s2, s2 + e2),
    (s1, e1, s2, e2) AS {m}.pg_overlaps_points(s1, e1, s2, e2);
CREATE OR REPLACE MACRO {m}.pg_convert_from(b, enc) AS CASE
    WHEN upper(replace(enc, '-', '')) IN ('UTF8', 'UNICODE', 'SQLASCII') THEN decode(b)
    ELSE error('conversion from encoding "' || enc || '" is not supported (only UTF8 is)') END;
CREATE OR REPLACE MACRO {m}.pg_convert_to(s, enc) AS CASE
    WHEN upper(replace(enc, '-', '')) IN ('UTF8', 'UNICODE', 'SQLASCII') THEN encode(s)
    ELSE error('conversion to encoding "' || enc || '" is not supported (only UTF8 is)') END;
CREATE OR REPLACE MACRO {m}.pg_get_byte(b, n) AS CASE
    WHEN n < 0 OR n >= octet_length(b) THEN error('index ' || n || ' out of valid range, 0..' || (octet_length(b) - 1))
    ELSE CAST(('0x' || substring(hex(b), CAST(2 * n + 1 AS BIGINT), 2)) AS INTEGER) END;
CREATE OR REPLACE MACRO {m}.pg_array_positions(a, v) AS
    CAST(list_filter(range(1, len(a) + 1), i -> a[i] IS NOT DISTINCT FROM v) AS INTEGER[]);
CREATE OR REPLACE MACRO {m}.pg_array_fill(v, dims) AS CASE
    WHEN len(dims) <> 1 THEN error('array_fill() of more than one dimension is not supported')
    ELSE list_transform(range(dims[1]), i -> v) END,
    (v, dims, lower_bounds) AS error('array_fill() with lower bounds is not supported (arrays start at 1 here)');
CREATE OR REPLACE MACRO {m}.pg_trim_array(a, n) AS CASE
    WHEN n < 0 OR n > len(a) THEN error('number of elements to trim must be between 0 and ' || len(a))
    ELSE a[1:len(a) - n] END;
CREATE OR REPLACE MACRO {m}.pg_sha2(x VARCHAR, n) AS pg_df_sha2(encode(x), n),
    (x BLOB, n) AS pg_df_sha2(x, n),
    (x, n) AS pg_df_sha2(CAST(x AS BLOB), n);
-- format()'s %s/%I/%L of a value: its text form (a boolean is t/f); an array's PostgreSQL text
-- form is not built here, so refused rather than written as DuckDB writes lists
CREATE OR REPLACE MACRO {m}.pg_format_text(x BOOLEAN) AS CASE WHEN x THEN 't' WHEN NOT x THEN 'f' END,
    (x) AS CASE WHEN typeof(x) LIKE '%[]' THEN error('format() of an array argument is not supported')
                ELSE CAST(x AS VARCHAR) END;
-- pg_size_pretty(bigint) as PostgreSQL computes it: halves rounded away from zero, a unit
-- up from 10240 of the one below (BIGINT divisions, truncating as C's: no overflow)
CREATE OR REPLACE MACRO {m}.pg_half_rounded(x) AS CAST(trunc((x + CASE WHEN x < 0 THEN -1 ELSE 1 END) / 2) AS BIGINT);
CREATE OR REPLACE MACRO {m}.pg_size_pretty(b) AS (
    CASE WHEN abs(CAST(b AS BIGINT)) < 10240 THEN CAST(b AS BIGINT) || ' bytes'
         WHEN abs(CAST(b AS BIGINT) // 512) < 20479 THEN {m}.pg_half_rounded(CAST(b AS BIGINT) // 512) || ' kB'
         WHEN abs(CAST(b AS BIGINT) // 524288) < 20479 THEN {m}.pg_half_rounded(CAST(b AS BIGINT) // 524288) || ' MB'
         WHEN abs(CAST(b AS BIGINT) // 536870912) < 20479 THEN {m}.pg_half_rounded(CAST(b AS BIGINT) // 536870912) || ' GB'
         WHEN abs(CAST(b AS BIGINT) // 549755813888) < 20479 THEN {m}.pg_half_rounded(CAST(b AS BIGINT) // 549755813888) || ' TB'
         ELSE {m}.pg_half_rounded(CAST(b AS BIGINT) // 562949953421312) || ' PB' END);
-- encode/decode (sql/rewrite.py missing_functions): escape through the UDFs below
CREATE OR REPLACE MACRO {m}.pg_encode(b, f) AS (
    CASE lower(f) WHEN 'hex' THEN lower(hex(b)) WHEN 'base64' THEN to_base64(b) WHEN 'escape' THEN pg_df_encode_escape(b)
         ELSE error('unrecognized encoding: "' || f || '"') END);
CREATE OR REPLACE MACRO {m}.pg_decode(s, f) AS (
    CASE lower(f) WHEN 'hex' THEN unhex(s) WHEN 'base64' THEN from_base64(s) WHEN 'escape' THEN pg_df_decode_escape(s)
         ELSE error('unrecognized encoding: "' || f || '"') END);
CREATE OR REPLACE MACRO {m}.pg_timeofday() AS strftime(pg_df_clock_timestamp(), '%a %b %d %H:%M:%S.%f %Y %Z');
"""


_M = 0xFFFFFFFF
# (shift, rotation) steps of lookup3's mix() and final(), as PostgreSQL's hashfn.c applies them
_MIX = (4, 6, 8, 16, 19, 4)
_FINAL = (14, 11, 25, 16, 4, 14, 24)


def _rot(x: int, k: int) -> int:
    return ((x << k) | (x >> (32 - k))) & _M


def _mix(a: int, b: int, c: int) -> tuple[int, int, int]:
    """a -= c; a ^= rot(c, 4); c += b; then the same on (b, c, a), (c, a, b), … six times."""
    v = [a, b, c]
    for step, k in enumerate(_MIX):
        x, y, z = step % 3, (step + 2) % 3, (step + 1) % 3  # x -= y; x ^= rot(y, k); y += z
        v[x] = (v[x] - v[y]) & _M
        v[x] ^= _rot(v[y], k)
        v[y] = (v[y] + v[z]) & _M
    return v[0], v[1], v[2]


def _final(a: int, b: int, c: int) -> tuple[int, int, int]:
    """c ^= b; c -= rot(b, 14); then a from c, b from a, c from b … seven times."""
    v = [a, b, c]
    for step, k in enumerate(_FINAL):
        x, y = (2 + step) % 3, (1 + step) % 3  # x ^= y; x -= rot(y, k)
        v[x] ^= v[y]
        v[x] = (v[x] - _rot(v[y], k)) & _M
    return v[0], v[1], v[2]


def hash_bytes(k: bytes) -> int:
    """PostgreSQL's hash_bytes (hashfn.c: Bob Jenkins' lookup3 as PostgreSQL reads the bytes,
    little-endian), as the signed int4 hashtext() returns."""
    a = b = c = (0x9E3779B9 + len(k) + 3923095) & _M
    i = 0
    while len(k) - i >= 12:
        a = (a + int.from_bytes(k[i:i + 4], "little")) & _M
        b = (b + int.from_bytes(k[i + 4:i + 8], "little")) & _M
        c = (c + int.from_bytes(k[i + 8:i + 12], "little")) & _M
        a, b, c = _mix(a, b, c)
        i += 12
    rest = k[i:]
    # the last 11 bytes: a takes bytes 0-3, b 4-7, c 8-10 from its second byte up (its lowest
    # byte was the length's in the original lookup2)
    a = (a + int.from_bytes(rest[0:4], "little")) & _M
    b = (b + int.from_bytes(rest[4:8], "little")) & _M
    c = (c + (int.from_bytes(rest[8:11], "little") << 8)) & _M
    c = _final(a, b, c)[2]
    return c - (1 << 32) if c >= (1 << 31) else c


def _hashtext(text: str | None) -> int | None:
    return None if text is None else hash_bytes(text.encode())


def _sha2(data: bytes | None, bits: int | None) -> bytes | None:
    if data is None or bits is None:
        return None
    return hashlib.new(f"sha{bits}", data).digest()


def _encode_escape(data: bytes | None) -> str | None:
    """bytea's escape format: NUL and bytes from 0x80 as \\ooo, a backslash doubled."""
    if data is None:
        return None
    out = []
    for b in data:
        if b == 0x5C:
            out.append("\\\\")
        elif b == 0 or b >= 0x80:
            out.append(f"\\{b:03o}")
        else:
            out.append(chr(b))
    return "".join(out)


def _decode_escape(text: str | None) -> bytes | None:
    if text is None:
        return None
    out = bytearray()
    raw = text.encode()
    i = 0
    while i < len(raw):
        c = raw[i]
        if c != 0x5C:
            out.append(c)
            i += 1
        elif raw[i + 1:i + 2] == b"\\":
            out.append(0x5C)
            i += 2
        elif len(raw) >= i + 4 and all(0x30 <= d <= 0x37 for d in raw[i + 1:i + 4]):
            out.append(int(raw[i + 1:i + 4], 8) & 0xFF)
            i += 4
        else:
            from .jsonb_functions import JsonbUdfError

            raise JsonbUdfError('22P02: invalid input syntax for type bytea')
    return bytes(out)


def install(con: duckdb.DuckDBPyConnection) -> None:
    con.create_function("pg_df_clock_timestamp", lambda: datetime.now(timezone.utc), [], "TIMESTAMPTZ",
                        side_effects=True)
    # no side effects: DuckDB folds it once per statement, which is what statement_timestamp() is
    con.create_function("pg_df_statement_timestamp", lambda: datetime.now(timezone.utc), [], "TIMESTAMPTZ",
                        side_effects=False)
    con.create_function("pg_df_hashtext", _hashtext, ["VARCHAR"], "INTEGER", null_handling="special")
    con.create_function("pg_df_sha2", _sha2, ["BLOB", "INTEGER"], "BLOB", null_handling="special")
    con.create_function("pg_df_encode_escape", _encode_escape, ["BLOB"], "VARCHAR", null_handling="special")
    con.create_function("pg_df_decode_escape", _decode_escape, ["VARCHAR"], "BLOB", null_handling="special")
    con.execute(_MACROS.format(m=f"{COMPAT_DB}.main"))
