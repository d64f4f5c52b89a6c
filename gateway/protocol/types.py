"""PostgreSQL types: OIDs, the DuckDB → PostgreSQL mapping, and per-value codecs.

Sans-IO. One table of types; the per-value text/binary codecs here serve bind parameters
(`decode_param`), small results (`format_text_value`, `format_binary_value`) and the rare
per-value fallbacks of the vectorised row encoder in `rows.py`. The text forms are
PostgreSQL 15's with DateStyle ISO, IntervalStyle postgres and extra_float_digits = 1.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import re
import struct
import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

import numpy as np
import pyarrow as pa

__all__ = [
    "PgType", "TYPES_BY_OID", "TYPES_BY_NAME", "ARRAY_OID", "ELEMENT_OID", "ParamError",
    "pg_type_of", "duckdb_type_for_oid", "decode_param", "format_text_value", "format_binary_value",
]


@dataclass(frozen=True, slots=True)
class PgType:
    oid: int
    name: str
    typlen: int  # bytes, -1 varlena, -2 C string
    typmod: int = -1


# (oid, typname, typlen, array oid) as in PostgreSQL 15's pg_type
_BASE = [
    (16, "bool", 1, 1000), (17, "bytea", -1, 1001), (18, "char", 1, 1002), (19, "name", 64, 1003),
    (20, "int8", 8, 1016), (21, "int2", 2, 1005), (22, "int2vector", -1, 1006), (23, "int4", 4, 1007),
    (24, "regproc", 4, 1008), (25, "text", -1, 1009), (26, "oid", 4, 1028), (27, "tid", 6, 1010),
    (28, "xid", 4, 1011), (29, "cid", 4, 1012), (30, "oidvector", -1, 1013), (114, "json", -1, 199),
    (142, "xml", -1, 143), (194, "pg_node_tree", -1, 0), (700, "float4", 4, 1021),
    (701, "float8", 8, 1022), (705, "unknown", -2, 0), (790, "money", 8, 791),
    (829, "macaddr", 6, 1040), (869, "inet", -1, 1041), (650, "cidr", -1, 651),
    (1033, "aclitem", 12, 1034), (1042, "bpchar", -1, 1014), (1043, "varchar", -1, 1015),
    (1082, "date", 4, 1182), (1083, "time", 8, 1183), (1114, "timestamp", 8, 1115),
    (1184, "timestamptz", 8, 1185), (1186, "interval", 16, 1187), (1266, "timetz", 12, 1270),
    (1560, "bit", -1, 1561), (1562, "varbit", -1, 1563), (1700, "numeric", -1, 1231),
    (1790, "refcursor", -1, 2201), (2202, "regprocedure", 4, 2207), (2203, "regoper", 4, 2208),
    (2204, "regoperator", 4, 2209), (2205, "regclass", 4, 2210), (2206, "regtype", 4, 2211),
    (2249, "record", -1, 2287), (2275, "cstring", -2, 1263), (2276, "any", 4, 0),
    (2277, "anyarray", -1, 0), (2278, "void", 4, 0), (2279, "trigger", 4, 0),
    (2283, "anyelement", 4, 0), (2950, "uuid", 16, 2951), (3220, "pg_lsn", 8, 3221),
    (3614, "tsvector", -1, 3643), (3802, "jsonb", -1, 3807), (4089, "regnamespace", 4, 4090),
    (4096, "regrole", 4, 4097), (5069, "xid8", 8, 271),
]

TYPES_BY_OID: dict[int, PgType] = {}
TYPES_BY_NAME: dict[str, PgType] = {}
ARRAY_OID: dict[int, int] = {}    # element oid → array oid
ELEMENT_OID: dict[int, int] = {}  # array oid → element oid
for _oid, _name, _len, _arr in _BASE:
    TYPES_BY_OID[_oid] = TYPES_BY_NAME[_name] = PgType(_oid, _name, _len)
    if _arr:
        TYPES_BY_OID[_arr] = TYPES_BY_NAME["_" + _name] = PgType(_arr, "_" + _name, -1)
        ARRAY_OID[_oid] = _arr
        ELEMENT_OID[_arr] = _oid
# int2vector and oidvector are arrays of int2 / oid in their text and binary forms
ELEMENT_OID[22] = 21
ELEMENT_OID[30] = 26

T = TYPES_BY_NAME
_TEXT, _JSON, _NUMERIC = T["text"], T["json"], T["numeric"]


class ParamError(Exception):
    """A bind parameter PostgreSQL would reject, with its SQLSTATE and PostgreSQL's wording."""

    def __init__(self, sqlstate: str, message: str, detail: str | None = None):
        super().__init__(message)
        self.sqlstate = sqlstate
        self.message = message
        self.detail = detail


# --------------------------------------------------------------------------- DuckDB → PG

_SCALARS = {
    "BOOLEAN": "bool", "TINYINT": "int2", "SMALLINT": "int2", "UTINYINT": "int2",
    "INTEGER": "int4", "USMALLINT": "int4", "BIGINT": "int8", "UINTEGER": "oid",
    "HUGEINT": "numeric", "UBIGINT": "numeric", "UHUGEINT": "numeric", "VARINT": "numeric",
    "BIGNUM": "numeric", "FLOAT": "float4", "DOUBLE": "float8", "VARCHAR": "text",
    "BLOB": "bytea", "DATE": "date", "TIME": "time", "TIME_NS": "time",
    "TIME WITH TIME ZONE": "timetz", "TIMESTAMP": "timestamp", "TIMESTAMP_S": "timestamp",
    "TIMESTAMP_MS": "timestamp", "TIMESTAMP_NS": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz", "INTERVAL": "interval", "UUID": "uuid",
    "JSON": "json", "BIT": "text", "NULL": "text", '"NULL"': "text",
    # no DuckDB types: what protocol/rows.py encodes varchar(n)/char(n)/jsonb results as
    "PG_VARCHAR": "varchar", "PG_BPCHAR": "bpchar", "PG_JSONB": "jsonb", "PG_VOID": "void",
}
# PostgreSQL's one-byte "char" (pg_type.typtype, pg_class.relkind…) has no DuckDB type; the
# compat catalog (sql/pg_catalog.py) declares this ENUM for those columns, and a column of it
# is reported as "char" (OID 18): asyncpg decodes "char" as bytes, and picks codecs by typtype.
PG_CHAR_LABELS = ("",) + tuple(chr(c) for c in range(32, 127) if chr(c) not in "'\\")
PG_CHAR_ENUM = "ENUM(" + ", ".join(f"'{c}'" for c in PG_CHAR_LABELS) + ")"
_LIST_SUFFIX = re.compile(r"\[\d*\]$")
_DECIMAL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)$")

# How a PostgreSQL `numeric` without precision (unconstrained: any scale) is stored: DuckDB's
# DECIMAL holds at most 38 digits at one fixed scale. 10 decimals leave 28 integer digits, and
# the product of two such columns (scale 20) still holds values below 10**18; a value with more
# decimals is refused (22003), never rounded (sql/rewrite.py, engine/writer.py). Values of this
# exact type are printed without the storage's trailing zeros (1.5, not 1.5000000000) and
# described as `numeric` (typmod -1).
UNCONSTRAINED_NUMERIC_SCALE = 10
UNCONSTRAINED_NUMERIC = f"DECIMAL(38,{UNCONSTRAINED_NUMERIC_SCALE})"
_VARCHAR_N = re.compile(r"VARCHAR\(\d+\)$")


def _split_list(s: str) -> str | None:
    """'INTEGER[]' → 'INTEGER'; None when the type is not a list at its top level."""
    m = _LIST_SUFFIX.search(s)
    if m is None:
        return None
    inner = s[: m.start()]
    depth = 0
    for ch in inner:  # the suffix must not close a bracket opened inside the element type
        depth += ch in "([" and 1 or ch in ")]" and -1 or 0
    return inner if depth == 0 else None


@lru_cache(maxsize=4096)
def _pg_type_of_str(s: str) -> PgType:
    s = s.strip()
    elem = _split_list(s)
    if elem == "USMALLINT":
        return T["int2vector"]  # the compat catalog's pg_index.indkey/indoption (sql/pg_catalog.py)
    if elem is not None:
        inner = _split_list(elem)
        while inner is not None:  # INTEGER[][]: PostgreSQL's int4[] has any number of dimensions
            elem, inner = inner, _split_list(inner)
        et = _scalar_of(elem)
        if et is None or et.oid == 114 and not elem.startswith("JSON"):
            return _JSON  # list of struct/map/union/list
        arr = ARRAY_OID.get(et.oid)
        if arr is None:
            return _JSON
        return PgType(arr, "_" + et.name, -1, et.typmod)
    return _scalar_of(s) or _TEXT


def _scalar_of(s: str) -> PgType | None:
    """The PG type of a non-list DuckDB type; None for a list."""
    if _split_list(s) is not None:
        return None
    name = _SCALARS.get(s)
    if name is not None:
        return T[name]
    m = _DECIMAL.match(s)
    if m:
        p, sc = int(m.group(1)), int(m.group(2))
        if p == 38 and sc == UNCONSTRAINED_NUMERIC_SCALE:
            return T["numeric"]
        return PgType(1700, "numeric", -1, ((p << 16) | sc) + 4)
    if s == "DECIMAL":
        return PgType(1700, "numeric", -1, ((18 << 16) | 3) + 4)
    if s.startswith(("STRUCT(", "MAP(", "UNION(")):
        return _JSON
    if s == PG_CHAR_ENUM:
        return T["char"]
    if s.startswith("ENUM(") or _VARCHAR_N.match(s):
        return _TEXT
    if s.startswith("TIMESTAMP WITH TIME ZONE") or s == "TIMESTAMPTZ":
        return T["timestamptz"]
    return _TEXT


def unconstrained_value(v: Decimal) -> Decimal:
    """A value of the unconstrained numeric storage with its own scale: 1.5000000000 → 1.5,
    100.0000000000 → 100 (never an exponent)."""
    v = v.normalize(_WIDE)
    return v.quantize(1, context=_WIDE) if v.as_tuple().exponent > 0 else v


_WIDE = Context(prec=80)  # the default context (28 digits) would round a 38-digit value


def pg_type_of(duck_type: Any) -> PgType:
    """The PostgreSQL type a DuckDB result column is reported and encoded as."""
    return _pg_type_of_str(str(duck_type))


_DUCK_FOR_OID = {
    16: "BOOLEAN", 17: "BLOB", 18: "VARCHAR", 19: "VARCHAR", 20: "BIGINT", 21: "SMALLINT",
    23: "INTEGER", 25: "VARCHAR", 26: "BIGINT", 28: "BIGINT", 29: "BIGINT", 114: "JSON",
    700: "FLOAT", 701: "DOUBLE", 1042: "VARCHAR", 1043: "VARCHAR", 1082: "DATE", 1083: "TIME",
    1114: "TIMESTAMP", 1184: "TIMESTAMPTZ", 1186: "INTERVAL", 1266: "TIMETZ", 2950: "UUID",
    3802: "JSON", 5069: "UBIGINT", 1790: "VARCHAR",
}


def duckdb_type_for_oid(oid: int) -> str | None:
    """The DuckDB type to CAST a parameter of this PG type to; None: leave it untyped.

    numeric gives None: a bare DECIMAL is DECIMAL(18,3) in DuckDB and would round the value;
    the decoded `Decimal` carries its own precision.
    """
    t = _DUCK_FOR_OID.get(oid)
    if t is not None:
        return t
    elem = ELEMENT_OID.get(oid)
    if elem is not None and oid not in (22, 30):
        et = _DUCK_FOR_OID.get(elem)
        return et + "[]" if et else None
    return None


# --------------------------------------------------------------------------- text output

_PG_EPOCH_DAYS = 10957                 # 2000-01-01 - 1970-01-01
_PG_EPOCH_US = _PG_EPOCH_DAYS * 86400 * 1_000_000
_EPOCH_DATE = _dt.date(1970, 1, 1)
_EPOCH_DT = _dt.datetime(1970, 1, 1)
_EPOCH_TZ = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)


def _float_text(x: float, single: bool) -> str:
    """float8out / float4out with extra_float_digits = 1: shortest exact digits."""
    if x != x:
        return "NaN"
    if x in (math.inf, -math.inf):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "-0" if math.copysign(1.0, x) < 0 else "0"
    if single:
        import numpy as np
        r = str(np.float32(x))
    else:
        r = repr(x)
    sign, digits, exp = Decimal(r).as_tuple()
    ds = "".join(map(str, digits)).rstrip("0") or "0"
    exp += len(digits) - len(ds)
    point = len(ds) + exp  # decimal exponent + 1
    e = point - 1
    out = "-" if sign else ""
    if -4 <= e < (6 if single else 15):
        if point <= 0:
            return out + "0." + "0" * -point + ds
        if point >= len(ds):
            return out + ds + "0" * (point - len(ds))
        return out + ds[:point] + "." + ds[point:]
    mant = ds[0] + ("." + ds[1:] if len(ds) > 1 else "")
    return f"{out}{mant}e{'-' if e < 0 else '+'}{abs(e):02d}"


def float8_text(x: float) -> str:
    return _float_text(float(x), False)


def float4_text(x: float) -> str:
    return _float_text(float(x), True)


def _civil(days: int) -> tuple[int, int, int]:
    """Days since 1970-01-01 → proleptic Gregorian (astronomical year, month, day), any range."""
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (m <= 2), m, d


def _days_from_civil(y: int, m: int, d: int) -> int:
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _ymd_text(days: int) -> tuple[str, bool]:
    y, m, d = _civil(days)
    bc = y <= 0
    return f"{(1 - y) if bc else y:04d}-{m:02d}-{d:02d}", bc


def _frac_text(us: int) -> str:
    return ("." + f"{us:06d}".rstrip("0")) if us else ""


def _hms_text(us: int) -> str:
    s, f = divmod(us, 1_000_000)
    h, s = divmod(s, 3600)
    mi, s = divmod(s, 60)
    return f"{h:02d}:{mi:02d}:{s:02d}{_frac_text(f)}"


_DATE_INF = 2147483647  # DuckDB's and PostgreSQL's date infinity
_TS_INF = 9223372036854775807


def date_text(days: int) -> str:
    """Days since 1970-01-01 → date_out."""
    if days >= _DATE_INF:
        return "infinity"
    if days <= -_DATE_INF:
        return "-infinity"
    s, bc = _ymd_text(days)
    return s + " BC" if bc else s


def _duck_date_text(days: int) -> str:
    """A date Python's datetime cannot hold, spelled the way DuckDB parses it."""
    s, bc = _ymd_text(days)
    return s + " (BC)" if bc else s


def timestamp_text(us: int) -> str:
    """Microseconds since 1970-01-01 (naive) → timestamp_out."""
    if us >= _TS_INF:
        return "infinity"
    if us <= -_TS_INF:
        return "-infinity"
    days, tod = divmod(us, 86_400_000_000)
    s, bc = _ymd_text(days)
    return f"{s} {_hms_text(tod)}{' BC' if bc else ''}"


def offset_text(seconds: int) -> str:
    """UTC offset in seconds east → '+00', '+05:30', '-04:56:02'."""
    sign = "-" if seconds < 0 else "+"
    h, rem = divmod(abs(seconds), 3600)
    m, s = divmod(rem, 60)
    out = f"{sign}{h:02d}"
    if m or s:
        out += f":{m:02d}"
    if s:
        out += f":{s:02d}"
    return out


@lru_cache(maxsize=64)
def _zone(name: str | None):
    if not name or name.upper() in ("UTC", "ETC/UTC", "Z", "GMT", "ETC/GMT", "UCT", "ZULU"):
        return _dt.timezone.utc
    from zoneinfo import ZoneInfo
    m = re.fullmatch(r"([+-])(\d{1,2}):?(\d{2})?", name)
    if m:
        off = int(m.group(2)) * 3600 + int(m.group(3) or 0) * 60
        return _dt.timezone(_dt.timedelta(seconds=-off if m.group(1) == "-" else off))
    return ZoneInfo(name)


def utc_offset_at(us: int, tz: str | None) -> int:
    """Seconds east of UTC in zone `tz` at UTC instant `us` (µs since 1970)."""
    zone = _zone(tz)
    if zone is _dt.timezone.utc:
        return 0
    # zoneinfo works within years 1..9999; beyond, use the offset at the nearest edge
    clamped = min(max(us, -62135596800_000000 + 86_400_000_000), 253402214400_000000 - 86_400_000_000)
    t = _EPOCH_TZ + _dt.timedelta(microseconds=clamped)
    return int(t.astimezone(zone).utcoffset().total_seconds())


def timestamptz_text(us: int, tz: str | None = None) -> str:
    """UTC microseconds since 1970 → timestamptz_out in zone `tz` (None: UTC)."""
    if us >= _TS_INF:
        return "infinity"
    if us <= -_TS_INF:
        return "-infinity"
    off = utc_offset_at(us, tz)
    local = us + off * 1_000_000
    days, tod = divmod(local, 86_400_000_000)
    s, bc = _ymd_text(days)
    return f"{s} {_hms_text(tod)}{offset_text(off)}{' BC' if bc else ''}"


def time_text(us: int) -> str:
    return _hms_text(us)


def timetz_text(us: int, offset_seconds: int) -> str:
    return _hms_text(us) + offset_text(offset_seconds)


def interval_text(months: int, days: int, us: int) -> str:
    """interval_out, IntervalStyle postgres."""
    years = abs(months) // 12 * (1 if months >= 0 else -1)
    mons = months - years * 12
    parts: list[str] = []
    is_before = False
    for value, unit in ((years, "year"), (mons, "mon"), (days, "day")):
        if value == 0:
            continue
        parts.append(f"{'+' if is_before and value > 0 else ''}{value} {unit}{'' if value == 1 else 's'}")
        is_before = value < 0
    if not parts or us != 0:
        minus = us < 0
        a = abs(us)
        sec, f = divmod(a, 1_000_000)
        h, sec = divmod(sec, 3600)
        mi, sec = divmod(sec, 60)
        parts.append(f"{'-' if minus else ('+' if is_before else '')}{h:02d}:{mi:02d}:{sec:02d}{_frac_text(f)}")
    return " ".join(parts)


def bytea_text(b: bytes) -> str:
    return "\\x" + bytes(b).hex()


_ARRAY_QUOTE = re.compile(r'[{}",\\\s]|^$|^[Nn][Uu][Ll][Ll]$', re.ASCII)


def array_elem_text(s: str) -> str:
    """An element's text form as array_out writes it: quoted when it has to be."""
    if _ARRAY_QUOTE.search(s) or "\v" in s:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return s


def array_text(elem_oid: int, values: list) -> str:
    out = []
    for v in values:
        if v is None:
            out.append("NULL")
        elif isinstance(v, (list, tuple)):
            out.append(array_text(elem_oid, list(v)))
        else:
            out.append(array_elem_text(format_text_value(elem_oid, v)))
    return "{" + ",".join(out) + "}"


def bit_text(b: bytes) -> str:
    """DuckDB's BIT storage (padding-count byte, then bits, padding first) → '0101'."""
    b = bytes(b)
    if not b:
        return ""
    bits = "".join(f"{x:08b}" for x in b[1:])
    return bits[b[0]:]


def bignum_value(b: bytes) -> int:
    """DuckDB's BIGNUM storage (3-byte header, big-endian magnitude; negatives inverted)."""
    b = bytes(b)
    negative = not (b[0] & 0x80)
    body = b[3:]
    if negative:
        body = bytes(x ^ 0xFF for x in body)
    v = int.from_bytes(body, "big")
    return -v if negative else v


def json_text(v: Any) -> str:
    """A nested DuckDB value (struct, map, union, nested list) as compact JSON."""
    return "".join(_json_parts(v))


def _json_parts(v: Any):
    if v is None:
        yield "null"
    elif v is True:
        yield "true"
    elif v is False:
        yield "false"
    elif isinstance(v, int):
        yield str(v)
    elif isinstance(v, float):
        yield float8_text(v) if math.isfinite(v) else "null"
    elif isinstance(v, Decimal):
        yield str(v) if v.is_finite() else "null"
    elif isinstance(v, str):
        yield json.dumps(v, ensure_ascii=False)
    elif _is_month_day_nano(v):
        yield json.dumps(_interval_of_mdn(v))
    elif isinstance(v, dict):
        yield "{"
        for i, (k, x) in enumerate(v.items()):
            if i:
                yield ","
            yield json.dumps(str(k), ensure_ascii=False)
            yield ":"
            yield from _json_parts(x)
        yield "}"
    elif isinstance(v, list) and v and all(isinstance(x, tuple) and len(x) == 2 for x in v):
        # an Arrow map value: [(key, value), ...]
        yield from _json_parts({(k if isinstance(k, str) else json_text(k)): x for k, x in v})
    elif isinstance(v, (list, tuple)):
        yield "["
        for i, x in enumerate(v):
            if i:
                yield ","
            yield from _json_parts(x)
        yield "]"
    elif isinstance(v, _dt.datetime):
        # to_json's ISO 8601 form: 'T' separator, offset as +HH:MM
        t = _datetime_text(v).replace(" ", "T", 1)
        if v.tzinfo is not None:
            off = int(v.utcoffset().total_seconds())
            t = t[: len(t) - len(offset_text(off))] + _json_offset(off)
        yield json.dumps(t)
    else:
        yield json.dumps(_scalar_text(v), ensure_ascii=False)


def _json_offset(seconds: int) -> str:
    sign = "-" if seconds < 0 else "+"
    h, rem = divmod(abs(seconds), 3600)
    m, s = divmod(rem, 60)
    return f"{sign}{h:02d}:{m:02d}" + (f":{s:02d}" if s else "")


def _is_month_day_nano(v: Any) -> bool:
    # pyarrow gives intervals as MonthDayNano named tuples
    return isinstance(v, tuple) and hasattr(v, "months") and hasattr(v, "nanoseconds")


def _interval_of_mdn(v: Any) -> str:
    return interval_text(v.months, v.days, v.nanoseconds // 1000)


def _scalar_text(v: Any) -> str:
    if _is_month_day_nano(v):
        return _interval_of_mdn(v)
    if isinstance(v, (bytes, bytearray, memoryview)):
        return bytea_text(v)
    if isinstance(v, _dt.datetime):
        return _datetime_text(v)
    if isinstance(v, _dt.date):
        return date_text((v - _EPOCH_DATE).days)
    if isinstance(v, _dt.time):
        return _time_value_text(v)
    if isinstance(v, _dt.timedelta):
        return interval_text(0, v.days, v.seconds * 1_000_000 + v.microseconds)
    return str(v)


def _datetime_text(v: _dt.datetime) -> str:
    if v.tzinfo is None:
        return timestamp_text((v - _EPOCH_DT) // _dt.timedelta(microseconds=1))
    off = int(v.utcoffset().total_seconds())
    local = (v.replace(tzinfo=None) - _EPOCH_DT) // _dt.timedelta(microseconds=1)
    days, tod = divmod(local, 86_400_000_000)
    s, bc = _ymd_text(days)
    return f"{s} {_hms_text(tod)}{offset_text(off)}"


def _time_value_text(v: _dt.time) -> str:
    us = ((v.hour * 60 + v.minute) * 60 + v.second) * 1_000_000 + v.microsecond
    if v.tzinfo is not None:
        off = v.utcoffset()
        return timetz_text(us, int(off.total_seconds()) if off is not None else 0)
    return _hms_text(us)


def format_text_value(pg_oid: int, value: Any) -> str | None:
    """One Python value → its PostgreSQL text form for a column of type `pg_oid`."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "t" if value else "f"
    if pg_oid in (114, 3802) and not isinstance(value, str):
        return json_text(value)
    if pg_oid == 701:
        return float8_text(value)
    if pg_oid == 700:
        return float4_text(value)
    if pg_oid == 1186 and isinstance(value, str):
        return value
    if _is_month_day_nano(value):
        return _interval_of_mdn(value)
    if pg_oid in ELEMENT_OID and isinstance(value, (list, tuple)):
        return array_text(ELEMENT_OID[pg_oid], list(value))
    if isinstance(value, float):
        return float8_text(value)
    if isinstance(value, Decimal):
        if value.is_nan():
            return "NaN"
        if value.is_infinite():
            return "Infinity" if value > 0 else "-Infinity"
        return f"{value:f}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple, dict)):
        return json_text(value)
    return _scalar_text(value)


# --------------------------------------------------------------------------- binary output

def numeric_send(value: Decimal | int) -> bytes:
    """numeric_send: ndigits, weight, sign, dscale, base-10000 digits."""
    if isinstance(value, int):
        value = Decimal(value)
    if value.is_nan():
        return struct.pack(">hhHh", 0, 0, 0xC000, 0)
    if value.is_infinite():
        # PostgreSQL sends infinities with dscale 32 (what its header bits read back as)
        return struct.pack(">hhHh", 0, 0, 0xD000 if value > 0 else 0xF000, 32)
    sign, digits, exp = value.as_tuple()
    dscale = max(-exp, 0)
    s = "".join(map(str, digits))
    if exp > 0:
        s += "0" * exp
        exp = 0
    frac = -exp
    s += "0" * ((-frac) % 4)
    frac += (-frac) % 4
    int_len = len(s) - frac
    lead = (-int_len) % 4
    s = "0" * lead + s
    weight = (int_len + lead) // 4 - 1
    groups = [int(s[i:i + 4]) for i in range(0, len(s), 4)]
    while groups and groups[0] == 0:
        groups.pop(0)
        weight -= 1
    while groups and groups[-1] == 0:
        groups.pop()
    if not groups:
        weight = 0
        sign = 0
    return struct.pack(f">hhHh{len(groups)}H", len(groups), weight, 0x4000 if sign else 0, dscale, *groups)


def format_binary_value(pg_oid: int, value: Any) -> bytes | None:
    """One Python value → PostgreSQL's binary send form for type `pg_oid`."""
    if value is None:
        return None
    if pg_oid == 16:
        return b"\x01" if value else b"\x00"
    if pg_oid == 21:
        return struct.pack(">h", value)
    if pg_oid in (23,):
        return struct.pack(">i", value)
    if pg_oid in (26, 28, 29, 24, 2202, 2203, 2204, 2205, 2206, 4089, 4096):
        return struct.pack(">I", value & 0xFFFFFFFF)
    if pg_oid in (20, 5069):
        return struct.pack(">q", value)
    if pg_oid == 700:
        return struct.pack(">f", value)
    if pg_oid == 701:
        return struct.pack(">d", value)
    if pg_oid == 1700:
        return numeric_send(value if isinstance(value, (int, Decimal)) else Decimal(str(value)))
    if pg_oid == 17:
        return bytes(value)
    if pg_oid == 2950:
        return (value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))).bytes
    if pg_oid == 1082 and isinstance(value, _dt.date):
        return struct.pack(">i", (value - _EPOCH_DATE).days - _PG_EPOCH_DAYS)
    if pg_oid in (1114, 1184) and isinstance(value, _dt.datetime):
        if value.tzinfo is not None:
            us = (value - _EPOCH_TZ) // _dt.timedelta(microseconds=1)
        else:
            us = (value - _EPOCH_DT) // _dt.timedelta(microseconds=1)
        return struct.pack(">q", us - _PG_EPOCH_US)
    if pg_oid in (1083, 1266) and isinstance(value, _dt.time):
        us = ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond
        if pg_oid == 1083:
            return struct.pack(">q", us)
        off = value.utcoffset()
        return struct.pack(">qi", us, -int(off.total_seconds()) if off is not None else 0)
    if pg_oid == 1186 and isinstance(value, _dt.timedelta):
        return struct.pack(">qii", value.seconds * 1_000_000 + value.microseconds, value.days, 0)
    if pg_oid == 3802:
        return b"\x01" + format_text_value(114, value).encode()
    if pg_oid in ELEMENT_OID and isinstance(value, (list, tuple)):
        return array_send(ELEMENT_OID[pg_oid], list(value))
    return format_text_value(pg_oid, value).encode()


def array_send(elem_oid: int, values: list) -> bytes:
    dims: list[int] = []
    v: Any = values
    while isinstance(v, (list, tuple)):
        dims.append(len(v))
        if not v:
            break
        v = v[0]
    if not values:
        return struct.pack(">iii", 0, 0, elem_oid)
    flat: list = []

    def walk(x, depth):
        if depth == len(dims):
            flat.append(x)
        else:
            for y in x:
                walk(y, depth + 1)
    walk(values, 0)
    body = []
    for x in flat:
        if x is None:
            body.append(b"\xff\xff\xff\xff")
        else:
            b = format_binary_value(elem_oid, x)
            body.append(struct.pack(">i", len(b)) + b)
    head = struct.pack(">iii", len(dims), int(any(x is None for x in flat)), elem_oid)
    head += b"".join(struct.pack(">ii", d, 1) for d in dims)
    return head + b"".join(body)


# --------------------------------------------------------------------------- parameters

_TYPE_WORDS = {
    16: "boolean", 20: "bigint", 21: "smallint", 23: "integer", 26: "oid", 28: "xid", 700: "real",
    701: "double precision", 1700: "numeric", 1082: "date", 1083: "time",
    1266: "time with time zone", 1114: "timestamp",
    1184: "timestamp with time zone", 1186: "interval", 2950: "uuid", 114: "json", 3802: "json",
    17: "bytea",
}


def _syntax(oid: int, s: str) -> ParamError:
    code = "22007" if oid in (1082, 1083, 1266, 1114, 1184, 1186) else "22P02"
    return ParamError(code, f'invalid input syntax for type {_TYPE_WORDS.get(oid, "text")}: "{s}"')


def _range(oid: int, s: str) -> ParamError:
    return ParamError("22003", f'value "{s}" is out of range for type {_TYPE_WORDS[oid]}')


def _utf8(data: bytes) -> str:
    try:
        s = data.decode("utf-8")
    except UnicodeDecodeError as e:
        bad = data[e.start:]
        lead = bad[0]
        n = 2 if lead & 0xE0 == 0xC0 else 3 if lead & 0xF0 == 0xE0 else 4 if lead & 0xF8 == 0xF0 else 1
        shown = " ".join(f"0x{b:02x}" for b in bad[:n])
        raise ParamError("22021", f'invalid byte sequence for encoding "UTF8": {shown}') from None
    if "\x00" in s:
        raise ParamError("22021", 'invalid byte sequence for encoding "UTF8": 0x00')
    return s


_WS = " \t\n\r\v\f"
_INT_RE = re.compile(r"[ \t\n\r\v\f]*[+-]?[0-9]+[ \t\n\r\v\f]*")
_INT_RANGE = {21: (-(1 << 15), (1 << 15) - 1), 23: (-(1 << 31), (1 << 31) - 1),
              20: (-(1 << 63), (1 << 63) - 1)}
_FLOAT_RE = re.compile(
    r"[ \t\n\r\v\f]*(?:[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
    r"|[+-]?(?:nan|inf|infinity))[ \t\n\r\v\f]*", re.I)
_NUMERIC_RE = re.compile(
    r"[ \t\n\r\v\f]*(?:[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
    r"|nan|[+-]?inf|[+-]?infinity)[ \t\n\r\v\f]*", re.I)
_BOOL_WORDS = [("true", True, 1), ("false", False, 1), ("yes", True, 1), ("no", False, 1),
               ("on", True, 2), ("off", False, 2), ("1", True, 1), ("0", False, 1)]


def _parse_bool(s: str) -> bool:
    w = s.strip(_WS).lower()
    if w:
        for word, val, minlen in _BOOL_WORDS:
            if len(w) >= minlen and word.startswith(w) and (len(w) == len(word) or word not in ("1", "0")):
                return val
    raise _syntax(16, s)


def _parse_int(oid: int, s: str) -> int:
    if not _INT_RE.fullmatch(s):
        raise _syntax(oid, s)
    v = int(s.strip(_WS))
    lo, hi = _INT_RANGE[oid]
    if not lo <= v <= hi:
        raise _range(oid, s)
    return v


def _parse_oid(oid: int, s: str) -> int:
    if not _INT_RE.fullmatch(s):
        raise _syntax(oid, s)
    v = int(s.strip(_WS))
    if not -(1 << 31) <= v <= 0xFFFFFFFF:
        raise _range(oid, s)
    return v & 0xFFFFFFFF


def _parse_float(oid: int, s: str) -> float:
    if not _FLOAT_RE.fullmatch(s):
        raise _syntax(oid, s)
    t = s.strip(_WS)
    v = float(t)
    special = t.lstrip("+-").lower() in ("nan", "inf", "infinity")
    if not special:
        if math.isinf(v) or (v == 0 and re.search(r"[1-9]", t.split("e")[0].split("E")[0])):
            raise ParamError("22003", f'"{t}" is out of range for type {_TYPE_WORDS[oid]}')
        if oid == 700:
            f32 = struct.unpack(">f", struct.pack(">f", v))[0] if abs(v) < 3.5e38 else math.inf
            if math.isinf(f32) or (f32 == 0 and v != 0):
                raise ParamError("22003", f'"{t}" is out of range for type real')
    return v


def _parse_numeric(s: str) -> Decimal:
    if not _NUMERIC_RE.fullmatch(s):
        raise _syntax(1700, s)
    t = s.strip(_WS)
    low = t.lower().lstrip("+")
    if low == "nan":
        return Decimal("NaN")
    if low in ("inf", "infinity"):
        return Decimal("Infinity")
    if low in ("-inf", "-infinity"):
        return Decimal("-Infinity")
    d = Decimal(t)
    sign, digits, exp = d.as_tuple()
    if exp > 0:  # '1e3' is 1000 with scale 0
        d = Decimal((sign, digits + (0,) * exp, 0))
    return d


_UUID_HEX = re.compile(r"[0-9a-fA-F]")


def _parse_uuid(s: str) -> uuid.UUID:
    t = s
    if t.startswith("{"):
        if not t.endswith("}"):
            raise _syntax(2950, s)
        t = t[1:-1]
    hexd = []
    i = 0
    while i < len(t):
        ch = t[i]
        if ch == "-" and hexd and len(hexd) % 4 == 0 and len(hexd) < 32 and i + 1 < len(t) and t[i + 1] != "-":
            i += 1
            continue
        if not _UUID_HEX.fullmatch(ch) or len(hexd) >= 32:
            raise _syntax(2950, s)
        hexd.append(ch)
        i += 1
    if len(hexd) != 32:
        raise _syntax(2950, s)
    return uuid.UUID("".join(hexd))


def _parse_bytea(s: str) -> bytes:
    if s.startswith("\\x"):
        out = bytearray()
        i, n = 2, len(s)
        while i < n:
            c = s[i]
            if c in _WS:
                i += 1
                continue
            if c not in "0123456789abcdefABCDEF":
                raise ParamError("22023", f'invalid hexadecimal digit: "{c}"')
            if i + 1 >= n:
                raise ParamError("22023", "invalid hexadecimal data: odd number of digits")
            d = s[i + 1]
            if d not in "0123456789abcdefABCDEF":
                raise ParamError("22023", f'invalid hexadecimal digit: "{d}"')
            out.append(int(s[i:i + 2], 16))
            i += 2
        return bytes(out)
    raw = s.encode("utf-8")
    out = bytearray()
    i, n = 0, len(raw)
    while i < n:
        c = raw[i]
        if c != 0x5C:
            out.append(c)
            i += 1
        elif i + 1 < n and raw[i + 1] == 0x5C:
            out.append(0x5C)
            i += 2
        elif (i + 3 < n + 0 and 0x30 <= raw[i + 1] <= 0x33 and 0x30 <= raw[i + 2] <= 0x37
              and 0x30 <= raw[i + 3] <= 0x37):
            out.append(int(raw[i + 1:i + 4], 8))
            i += 4
        else:
            raise ParamError("22P02", "invalid input syntax for type bytea")
    return bytes(out)


def _parse_json(oid: int, s: str) -> str:
    def bad_constant(c):
        raise ValueError(c)
    try:
        json.loads(s, parse_constant=bad_constant)
    except ValueError:
        raise ParamError("22P02", f"invalid input syntax for type {_TYPE_WORDS[oid]}") from None
    return s


# --- dates and times

_DATE_PART = r"(?P<y>\d{1,7})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})"
_TIME_PART = r"(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.(?P<f>\d*))?)?"
_TZ_PART = r"(?P<tz>[zZ]|UTC|GMT|[+-]\d{1,2}(?::?\d{2}(?::?\d{2})?)?)"
_TS_RE = re.compile(rf"{_DATE_PART}(?:(?:[Tt]|\s+){_TIME_PART})?\s*{_TZ_PART}?(?:\s*(?P<era>BC|AD))?", re.I)
_TIME_RE = re.compile(rf"{_TIME_PART}\s*{_TZ_PART}?", re.I)
_NAMED_ZONE = re.compile(r"(.*\d)\s+([A-Za-z][A-Za-z0-9_/+-]*)")


def _zone_or_none(name: str):
    try:
        return _zone(name)
    except Exception:  # unknown zone names (zoneinfo raises several kinds)
        return None


_SPECIAL_TS = {"infinity": "infinity", "+infinity": "infinity", "-infinity": "-infinity"}


class _TzRange(ValueError):
    pass


def _tz_seconds(tz: str) -> int:
    if tz.upper() in ("Z", "UTC", "GMT"):
        return 0
    sign = -1 if tz[0] == "-" else 1
    digits = tz[1:].replace(":", "")
    if len(digits) <= 2:
        h, m, sec = int(digits), 0, 0
    elif len(digits) <= 4:
        h, m, sec = int(digits[:-2]), int(digits[-2:]), 0
    else:
        h, m, sec = int(digits[:-4]), int(digits[-4:-2]), int(digits[-2:])
    if h > 15 or m > 59 or sec > 59:
        raise _TzRange()
    return sign * (h * 3600 + m * 60 + sec)


def _time_us(m: re.Match) -> int:
    h, mi = int(m.group("h")), int(m.group("mi"))
    sec = int(m.group("s") or 0)
    f = m.group("f") or ""
    frac = int(Decimal("0." + f).quantize(Decimal("0.000001"), ROUND_HALF_EVEN) * 1_000_000) if f else 0
    if mi > 59 or sec > 60 or h > 24 or (h == 24 and (mi or sec or frac)):
        raise ValueError("field")
    return ((h * 60 + mi) * 60 + sec) * 1_000_000 + frac


def _parse_datetime(oid: int, s: str):
    t = s.strip(_WS)
    low = t.lower()
    if low in _SPECIAL_TS and oid in (1082, 1114, 1184):
        return _SPECIAL_TS[low]
    if low == "epoch" and oid in (1082, 1114, 1184):
        return {1082: _dt.date(1970, 1, 1), 1114: _dt.datetime(1970, 1, 1),
                1184: _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)}[oid]
    if oid in (1083, 1266):
        m = _TIME_RE.fullmatch(t)
        if m is None:
            # a full timestamp is accepted too: its date is ignored
            m2 = _TS_RE.fullmatch(t)
            if m2 is None or m2.group("h") is None:
                raise _syntax(oid, s)
            m = m2
        try:
            us = _time_us(m)
            off = _tz_seconds(m.group("tz")) if m.group("tz") else None
        except _TzRange:
            raise ParamError("22009", f'time zone displacement out of range: "{s}"') from None
        except ValueError:
            raise ParamError("22008", f'date/time field value out of range: "{s}"') from None
        if us == 86_400_000_000:
            us -= 1  # Python's time cannot hold 24:00:00; the nearest is one microsecond short
        tm = _dt.time(us // 3_600_000_000, us // 60_000_000 % 60, us // 1_000_000 % 60, us % 1_000_000)
        if oid == 1266:
            return tm.replace(tzinfo=_dt.timezone(_dt.timedelta(seconds=off or 0)))
        return tm
    m = _TS_RE.fullmatch(t)
    if m is None:
        zoned = _NAMED_ZONE.fullmatch(t) if oid == 1184 else None
        if zoned is not None and _zone_or_none(zoned.group(2)) is not None:
            # '2024-01-05 10:00:00 America/New_York': local time in that zone
            local = _parse_datetime(1114, zoned.group(1))
            if isinstance(local, _dt.datetime):
                aware = local.replace(tzinfo=_zone_or_none(zoned.group(2)))
                return aware.astimezone(_dt.timezone.utc)
        if zoned is not None and "/" in zoned.group(2):
            raise ParamError("22023", f'time zone "{zoned.group(2).lower()}" not recognized')
        raise _syntax(oid, s)
    try:
        y, mo, d = int(m.group("y")), int(m.group("mo")), int(m.group("d"))
        if not (1 <= mo <= 12 and 1 <= d <= 31) or y == 0:
            raise ValueError("field")
        bc = (m.group("era") or "").upper() == "BC"
        ay = 1 - y if bc else y
        days = _days_from_civil(ay, mo, d)
        if _civil(days) != (ay, mo, d):
            raise ValueError("field")
        us = _time_us(m) if m.group("h") is not None else 0
        off = _tz_seconds(m.group("tz")) if m.group("tz") else None
    except _TzRange:
        raise ParamError("22009", f'time zone displacement out of range: "{s}"') from None
    except ValueError:
        raise ParamError("22008", f'date/time field value out of range: "{s}"') from None
    if oid == 1082:
        if not 1 <= ay <= 9999:
            return _duck_date_text(days)
        return _EPOCH_DATE + _dt.timedelta(days=days)
    total = days * 86_400_000_000 + us
    if oid == 1184 and off is not None:
        total -= off * 1_000_000
    try:
        if oid == 1184 and off is not None:
            return _EPOCH_TZ + _dt.timedelta(microseconds=total)
        return _EPOCH_DT + _dt.timedelta(microseconds=total)
    except OverflowError:
        raise ParamError("22008", f'timestamp out of range: "{s}"') from None


# --- intervals: parsed to months/days/µs, handed to DuckDB as '<m> months <d> days <us> microseconds'

_IV_UNITS = {
    "microsecond": ("us", 1), "microseconds": ("us", 1), "us": ("us", 1), "usec": ("us", 1),
    "usecs": ("us", 1), "millisecond": ("us", 1000), "milliseconds": ("us", 1000), "ms": ("us", 1000),
    "msec": ("us", 1000), "msecs": ("us", 1000), "second": ("us", 10**6), "seconds": ("us", 10**6),
    "s": ("us", 10**6), "sec": ("us", 10**6), "secs": ("us", 10**6), "minute": ("us", 6 * 10**7),
    "minutes": ("us", 6 * 10**7), "m": ("us", 6 * 10**7), "min": ("us", 6 * 10**7),
    "mins": ("us", 6 * 10**7), "hour": ("us", 36 * 10**8), "hours": ("us", 36 * 10**8),
    "h": ("us", 36 * 10**8), "hr": ("us", 36 * 10**8), "hrs": ("us", 36 * 10**8),
    "day": ("d", 1), "days": ("d", 1), "d": ("d", 1), "week": ("d", 7), "weeks": ("d", 7),
    "w": ("d", 7), "month": ("mo", 1), "months": ("mo", 1), "mon": ("mo", 1), "mons": ("mo", 1),
    "year": ("mo", 12), "years": ("mo", 12), "y": ("mo", 12), "yr": ("mo", 12), "yrs": ("mo", 12),
    "decade": ("mo", 120), "decades": ("mo", 120), "century": ("mo", 1200),
    "centuries": ("mo", 1200), "millennium": ("mo", 12000), "millennia": ("mo", 12000),
}
_IV_TOKEN = re.compile(
    r"\s*(?:(?P<time>[+-]?\d+:\d{1,2}(?::\d{1,2}(?:\.\d*)?)?)"
    r"|(?P<num>[+-]?(?:\d+\.?\d*|\.\d+))\s*(?P<unit>[a-zA-Z]+)?"
    r"|(?P<ago>ago)\b)", re.I)
_ISO_IV = re.compile(
    r"P(?:(?P<Y>[+-]?\d+(?:\.\d+)?)Y)?(?:(?P<M>[+-]?\d+(?:\.\d+)?)M)?(?:(?P<W>[+-]?\d+(?:\.\d+)?)W)?"
    r"(?:(?P<D>[+-]?\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>[+-]?\d+(?:\.\d+)?)H)?(?:(?P<m>[+-]?\d+(?:\.\d+)?)M)?"
    r"(?:(?P<s>[+-]?\d+(?:\.\d+)?)S)?)?", re.I)


def _iv_add(acc: list, kind: str, mult: int, amount: Decimal) -> None:
    if kind == "mo":
        months = amount * mult
        whole = int(months)
        acc[0] += whole
        acc[1] += Decimal(months - whole) * 30  # fractional months spill into days
    elif kind == "d":
        acc[1] += amount * mult
    else:
        acc[2] += amount * mult


def _parse_interval(s: str) -> str:
    t = s.strip(_WS)
    acc = [0, Decimal(0), Decimal(0)]  # months, days, µs
    m = _ISO_IV.fullmatch(t) if t[:1] in "pP" else None
    if m is not None and len(t) > 1:
        for g, kind, mult in (("Y", "mo", 12), ("M", "mo", 1), ("W", "d", 7), ("D", "d", 1),
                              ("h", "us", 36 * 10**8), ("m", "us", 6 * 10**7), ("s", "us", 10**6)):
            if m.group(g):
                _iv_add(acc, kind, mult, Decimal(m.group(g)))
    else:
        body = t[1:] if t.startswith("@") else t
        pos, ago, seen = 0, False, False
        while pos < len(body):
            tm = _IV_TOKEN.match(body, pos)
            if tm is None or tm.end() == pos:
                if body[pos:].strip(_WS) == "":
                    break
                raise _syntax(1186, s)
            pos = tm.end()
            if ago:
                raise _syntax(1186, s)
            if tm.group("ago"):
                ago = True
                continue
            seen = True
            if tm.group("time"):
                tx = tm.group("time")
                neg = tx.startswith("-")
                parts = tx.lstrip("+-").split(":")
                us = int(parts[0]) * 36 * 10**8 + int(parts[1]) * 6 * 10**7
                if len(parts) > 2:
                    us += Decimal(parts[2]) * 10**6
                acc[2] += -us if neg else us
                continue
            unit = (tm.group("unit") or "second").lower()
            if unit not in _IV_UNITS:
                raise _syntax(1186, s)
            kind, mult = _IV_UNITS[unit]
            _iv_add(acc, kind, mult, Decimal(tm.group("num")))
        if not seen:
            raise _syntax(1186, s)
        if ago:
            acc = [-acc[0], -acc[1], -acc[2]]
    days = int(acc[1])
    us = acc[2] + (acc[1] - days) * 86_400_000_000
    us = int(us.quantize(Decimal(1), ROUND_HALF_EVEN))
    if not (-(1 << 31) <= acc[0] < (1 << 31) and -(1 << 31) <= days < (1 << 31) and -(1 << 63) <= us < (1 << 63)):
        raise ParamError("22008", f'interval field value out of range: "{s}"')
    return f"{acc[0]} months {days} days {us} microseconds"


# --- arrays

def _parse_array(s: str, elem_oid: int) -> list:
    t = s.strip(_WS)
    if t.startswith("["):  # explicit dimensions '[1:3]={...}': bounds are not kept
        eq = t.find("=")
        if eq < 0 or not re.fullmatch(r"(\[[+-]?\d+(:[+-]?\d+)?\])+\s*", t[:eq]):
            raise _malformed(s)
        t = t[eq + 1:].strip(_WS)
    if not t.startswith("{"):
        raise _malformed(s)
    pos = 0
    n = len(t)

    def parse_level() -> list:
        nonlocal pos
        assert t[pos] == "{"
        pos += 1
        items: list = []
        expect_item = True
        while True:
            while pos < n and t[pos] in _WS:
                pos += 1
            if pos >= n:
                raise _malformed(s)
            c = t[pos]
            if c == "}":
                if items and expect_item:
                    raise _malformed(s)
                pos += 1
                return items
            if not expect_item:
                if c != ",":
                    raise _malformed(s)
                pos += 1
                expect_item = True
                continue
            if c == "{":
                items.append(parse_level())
            elif c == '"':
                pos += 1
                buf = []
                while True:
                    if pos >= n:
                        raise _malformed(s)
                    c = t[pos]
                    if c == "\\":
                        if pos + 1 >= n:
                            raise _malformed(s)
                        buf.append(t[pos + 1])
                        pos += 2
                    elif c == '"':
                        pos += 1
                        break
                    else:
                        buf.append(c)
                        pos += 1
                items.append(("q", "".join(buf)))
            else:
                buf = []
                while pos < n and t[pos] not in ',{}"':
                    if t[pos] == "\\":
                        if pos + 1 >= n:
                            raise _malformed(s)
                        buf.append(t[pos + 1])
                        pos += 2
                    else:
                        buf.append(t[pos])
                        pos += 1
                if pos < n and t[pos] in '{"':
                    raise _malformed(s)
                raw = "".join(buf).rstrip(_WS)
                if raw == "":
                    raise _malformed(s)
                items.append(None if raw.upper() == "NULL" else ("u", raw))
            expect_item = False

    result = parse_level()
    if t[pos:].strip(_WS):
        raise _malformed(s)
    _check_rectangular(result, s)

    def conv(x):
        if isinstance(x, list):
            return [conv(y) for y in x]
        if x is None:
            return None
        return _decode_text(elem_oid, x[1])
    return conv(result)


def _check_rectangular(v: list, s: str) -> None:
    subs = [x for x in v if isinstance(x, list)]
    if subs and len(subs) != len(v):
        raise _malformed(s)
    if subs:
        if len({len(x) for x in subs}) != 1:
            raise _malformed(s)
        for x in subs:
            _check_rectangular(x, s)


def _malformed(s: str) -> ParamError:
    return ParamError("22P02", f'malformed array literal: "{s}"')


def _decode_text(oid: int, s: str) -> Any:
    if oid in (0, 705, 25, 1043, 1042, 19, 18, 2275, 1790, 2249, 2278):
        return s
    if oid == 16:
        return _parse_bool(s)
    if oid in _INT_RANGE:
        return _parse_int(oid, s)
    if oid in (26, 28, 29):
        return _parse_oid(oid, s)
    if oid in (700, 701):
        return _parse_float(oid, s)
    if oid == 1700:
        return _parse_numeric(s)
    if oid in (1082, 1083, 1266, 1114, 1184):
        return _parse_datetime(oid, s)
    if oid == 1186:
        return _parse_interval(s)
    if oid == 2950:
        return _parse_uuid(s)
    if oid == 17:
        return _parse_bytea(s)
    if oid in (114, 3802):
        return _parse_json(oid, s)
    elem = ELEMENT_OID.get(oid)
    if elem is not None:
        if oid in (22, 30):  # int2vector / oidvector: space separated
            return [_decode_text(elem, x) for x in s.split()]
        return _parse_array(s, elem)
    return s


# --- binary

def _short(n: int, need: int) -> None:
    if n < need:
        raise ParamError("08P01", "insufficient data left in message")


def _decode_binary(oid: int, b: bytes) -> Any:
    n = len(b)
    fixed = {16: 1, 21: 2, 23: 4, 20: 8, 700: 4, 701: 8, 26: 4, 28: 4, 29: 4, 1082: 4, 1083: 8,
             1114: 8, 1184: 8, 1266: 12, 1186: 16, 2950: 16, 5069: 8, 18: 1,
             24: 4, 2202: 4, 2203: 4, 2204: 4, 2205: 4, 2206: 4, 4089: 4, 4096: 4}.get(oid)
    if fixed is not None:
        _short(n, fixed)
        if n > fixed:
            raise ParamError("22P03", "incorrect binary data format in bind parameter")
    if oid == 16:
        return b[0] != 0
    if oid == 21:
        return struct.unpack(">h", b)[0]
    if oid == 23:
        return struct.unpack(">i", b)[0]
    if oid == 20:
        return struct.unpack(">q", b)[0]
    if oid == 5069:
        return struct.unpack(">Q", b)[0]
    if oid in (26, 28, 29, 24, 2202, 2203, 2204, 2205, 2206, 4089, 4096):
        return struct.unpack(">I", b)[0]
    if oid == 700:
        return struct.unpack(">f", b)[0]
    if oid == 701:
        return struct.unpack(">d", b)[0]
    if oid == 18:
        return chr(b[0]) if b[0] else ""
    if oid == 1700:
        return numeric_recv(b)
    if oid == 1082:
        d = struct.unpack(">i", b)[0]
        if d == 0x7FFFFFFF:
            return "infinity"
        if d == -0x80000000:
            return "-infinity"
        days = d + _PG_EPOCH_DAYS
        y = _civil(days)[0]
        if not 1 <= y <= 9999:
            return _duck_date_text(days)
        return _EPOCH_DATE + _dt.timedelta(days=days)
    if oid in (1114, 1184):
        us = struct.unpack(">q", b)[0]
        if us == 0x7FFFFFFFFFFFFFFF:
            return "infinity"
        if us == -0x8000000000000000:
            return "-infinity"
        try:
            if oid == 1184:
                return _EPOCH_TZ + _dt.timedelta(microseconds=us + _PG_EPOCH_US)
            return _EPOCH_DT + _dt.timedelta(microseconds=us + _PG_EPOCH_US)
        except OverflowError:
            raise ParamError("22008", "timestamp out of range") from None
    if oid in (1083, 1266):
        us = struct.unpack(">q", b[:8])[0]
        if not 0 <= us <= 86_400_000_000:
            raise ParamError("22008", "time out of range")
        us = min(us, 86_400_000_000 - 1)
        tm = _dt.time(us // 3_600_000_000, us // 60_000_000 % 60, us // 1_000_000 % 60, us % 1_000_000)
        if oid == 1266:
            zone = struct.unpack(">i", b[8:])[0]
            if not -57599 <= zone <= 57599:
                raise ParamError("22P03", "invalid time zone in external \"time with time zone\" value")
            return tm.replace(tzinfo=_dt.timezone(_dt.timedelta(seconds=-zone)))
        return tm
    if oid == 1186:
        us, days, months = struct.unpack(">qii", b)
        return f"{months} months {days} days {us} microseconds"
    if oid == 2950:
        return uuid.UUID(bytes=bytes(b))
    if oid == 17:
        return bytes(b)
    if oid == 3802:
        _short(n, 1)
        if b[0] != 1:
            raise ParamError("22P03", f"unsupported jsonb version number {b[0]}")
        return _parse_json(3802, _utf8(bytes(b[1:])))
    if oid == 114:
        return _parse_json(114, _utf8(bytes(b)))
    elem = ELEMENT_OID.get(oid)
    if elem is not None:
        return array_recv(b, elem)
    return _utf8(bytes(b))


def numeric_recv(b: bytes) -> Decimal:
    _short(len(b), 8)
    ndigits, weight, sign, dscale = struct.unpack(">hhHh", b[:8])
    if ndigits < 0:
        raise ParamError("22P03", 'invalid length in external "numeric" value')
    _short(len(b), 8 + 2 * ndigits)
    if len(b) > 8 + 2 * ndigits:
        raise ParamError("22P03", "incorrect binary data format in bind parameter")
    if sign == 0xC000:
        return Decimal("NaN")
    if sign == 0xD000:
        return Decimal("Infinity")
    if sign == 0xF000:
        return Decimal("-Infinity")
    if sign not in (0, 0x4000):
        raise ParamError("22P03", 'invalid sign in external "numeric" value')
    if dscale < 0 or dscale > 0x3FFF:
        raise ParamError("22P03", 'invalid scale in external "numeric" value')
    digits = struct.unpack(f">{ndigits}H", b[8:8 + 2 * ndigits])
    if any(d >= 10000 for d in digits):
        raise ParamError("22P03", 'invalid digit in external "numeric" value')
    ds = "".join(f"{d:04d}" for d in digits).lstrip("0")
    exp = 4 * (weight - ndigits + 1)  # the exponent of the last digit group
    if exp < -dscale:  # digits below dscale are truncated, as numeric_recv does
        cut = -dscale - exp
        ds = ds[:-cut] if cut < len(ds) else ""
    elif exp > -dscale:
        ds += "0" * (exp + dscale)
    v = Decimal((1 if sign == 0x4000 and ds.strip("0") else 0, tuple(map(int, ds or "0")), -dscale))
    return v


def array_recv(b: bytes, elem_oid: int) -> list:
    _short(len(b), 12)
    ndim, flags, eoid = struct.unpack(">iiI", b[:12])
    if ndim < 0:
        raise ParamError("22P03", f"invalid number of dimensions: {ndim}")
    if ndim > 6:
        raise ParamError("54000", f"number of array dimensions ({ndim}) exceeds the maximum allowed (6)")
    if flags not in (0, 1):
        raise ParamError("22P03", "invalid array flags")
    if elem_oid and eoid != elem_oid:
        en = TYPES_BY_OID.get(eoid)
        xn = TYPES_BY_OID.get(elem_oid)
        raise ParamError("42804", f"binary data has array element type {eoid} ({en.name if en else '???'}) "
                                  f"instead of expected {elem_oid} ({xn.name if xn else '???'})")
    pos = 12
    dims = []
    for _ in range(ndim):
        _short(len(b) - pos, 8)
        d, _lb = struct.unpack(">ii", b[pos:pos + 8])
        if d < 0:
            raise ParamError("22P03", "invalid array dimensions")
        dims.append(d)
        pos += 8
    if ndim == 0:
        return []
    total = math.prod(dims)
    flat = []
    for _ in range(total):
        _short(len(b) - pos, 4)
        ln = struct.unpack(">i", b[pos:pos + 4])[0]
        pos += 4
        if ln == -1:
            flat.append(None)
            continue
        if ln < 0:
            raise ParamError("22P03", "insufficient data left in message")
        _short(len(b) - pos, ln)
        flat.append(_decode_binary(eoid, b[pos:pos + ln]))
        pos += ln
    if pos != len(b):
        raise ParamError("22P03", "incorrect binary data format in bind parameter")

    def build(level: int, start: int) -> tuple[list, int]:
        if level == len(dims) - 1:
            return flat[start:start + dims[level]], start + dims[level]
        out = []
        for _ in range(dims[level]):
            sub, start = build(level + 1, start)
            out.append(sub)
        return out, start
    return build(0, 0)[0]


def decode_param(oid: int, fmt: int, data: bytes | bytearray | memoryview | None, index: int | None = None) -> Any:
    """A Bind parameter → a Python value for DuckDB (and for rendering as a SQL literal).

    `index` (1-based) only improves PostgreSQL's "... in bind parameter N" wording.
    Values Python cannot hold (dates outside years 1–9999, infinities) come back as the text
    DuckDB casts from; intervals always come back as '<m> months <d> days <us> microseconds'.
    """
    if data is None:
        return None
    try:
        if fmt == 0:
            return _decode_text(oid, _utf8(bytes(data)))
        if fmt != 1:
            raise ParamError("08P01", f"unsupported format code: {fmt}")
        return _decode_binary(oid, bytes(data))
    except ParamError as e:
        if index is not None and e.message.endswith("in bind parameter"):
            e.message = f"{e.message} {index}"
            e.args = (e.message,)
        raise
    except (InvalidOperation, OverflowError, ValueError):
        if fmt == 1:
            raise ParamError("22P03", "incorrect binary data format in bind parameter"
                             + (f" {index}" if index is not None else "")) from None
        raise _syntax(oid, bytes(data).decode("utf-8", "replace")) from None


# ---------------------------------------------------------------- Bind parameters, a column at a time

# binary fixed-width parameters decoded as one NumPy view: (big-endian dtype, Arrow type)
_COLUMN_BINARY = {
    21: (">i2", None), 23: (">i4", None), 20: (">i8", None),
    700: (">f4", None), 701: (">f8", None),
    1082: (">i4", "date"), 1114: (">i8", "ts"), 1184: (">i8", "tstz"),
}
# text-format parameters of these types reach DuckDB as strings (decode_param returns them as is)
_COLUMN_TEXT = frozenset((0, 705, 25, 1043, 1042, 19, 2275))


def decode_param_column(oid: int, fmt: int, raws: list) -> pa.Array:
    """Many Bind parameters of one type and format (one per executemany row) → an Arrow array,
    without a Python object per value where the wire form allows. Values DuckDB takes as
    they are; it casts to the target column on INSERT exactly as it casts decode_param's
    values. Raises ParamError for a value decode_param would refuse."""
    n = len(raws)
    if fmt == 1 and oid in _COLUMN_BINARY:
        dtype, kind = _COLUMN_BINARY[oid]
        width = np.dtype(dtype).itemsize
        zero = bytes(width)
        mask = None
        if None in raws:
            mask = np.fromiter((r is None for r in raws), dtype=bool, count=n)
            raws = [zero if r is None else r for r in raws]
        data = b"".join(raws)
        if len(data) != width * n or any(len(r) != width for r in raws):
            raise ParamError("22P03", "incorrect binary data format in bind parameter")
        return _binary_fixed_column(oid, fmt, raws, data, mask)
    if fmt == 0 and oid in _COLUMN_TEXT:
        arr = pa.array(raws, type=pa.binary())
        try:
            return arr.cast(pa.string())
        except pa.ArrowInvalid:
            for r in raws:
                if r is not None:
                    _utf8(bytes(r))  # raises the PostgreSQL error for the first bad value
            raise
    return _column_by_value(oid, fmt, raws)


def decode_param_array(oid: int, fmt: int, raws: pa.Array) -> pa.Array:
    """decode_param_column for parameters already in an Arrow binary array (a BindBlock's
    column): fixed-width binary and text values go to their Arrow type without a Python
    object per value; anything else, and any value to refuse, takes decode_param_column."""
    if fmt == 1 and oid in _COLUMN_BINARY and raws.null_count == 0 and raws.offset == 0:
        width = np.dtype(_COLUMN_BINARY[oid][0]).itemsize
        _, offsets, data = raws.buffers()
        offs = np.frombuffer(offsets, dtype=np.int64 if pa.types.is_large_binary(raws.type) else np.int32,
                             count=len(raws) + 1)
        if (np.diff(offs) == width).all():
            return _binary_fixed_column(oid, fmt, None, memoryview(data)[offs[0]:offs[-1]], None, raws)
    elif fmt == 0 and oid in _COLUMN_TEXT:
        try:
            return raws.cast(pa.large_string())
        except pa.ArrowInvalid:
            pass  # decode_param_column names the bad value
    return decode_param_column(oid, fmt, raws.to_pylist())


def _binary_fixed_column(oid: int, fmt: int, raws: list | None, data, mask, array: pa.Array | None = None) -> pa.Array:
    """Fixed-width binary values, all `data` in row order (a NULL as zero bytes, `mask` True),
    → their Arrow array; the rare values DuckDB cannot hold as such (infinities) go value by
    value from `raws` (or from `array`, the same values as an Arrow array)."""
    dtype, kind = _COLUMN_BINARY[oid]
    vals = np.frombuffer(data, dtype=dtype).astype(np.dtype(dtype).newbyteorder("="))

    def by_value() -> pa.Array:
        values = raws if raws is not None else array.to_pylist()
        return _column_by_value(oid, fmt, values if mask is None else _restore_nulls(values, mask))
    if kind == "date":
        if ((vals == 0x7FFFFFFF) | (vals == -0x80000000)).any():
            return by_value()
        return pa.array(vals.astype(np.int64) + _PG_EPOCH_DAYS, mask=mask).cast(pa.int32()).cast(pa.date32())
    if kind in ("ts", "tstz"):
        if (vals > _TS_INF - _PG_EPOCH_US).any() or (vals == -_TS_INF - 1).any():
            return by_value()  # infinities, and instants past DuckDB's range: decode_param's text forms
        arr = pa.array(vals + _PG_EPOCH_US, mask=mask)
        return arr.cast(pa.timestamp("us", tz="UTC" if kind == "tstz" else None))
    return pa.array(vals, mask=mask)


def _restore_nulls(raws: list, mask) -> list:
    return [None if m else r for r, m in zip(raws, mask)]


def _column_by_value(oid: int, fmt: int, raws: list) -> pa.Array:
    return arrow_column([decode_param(oid, fmt, r) for r in raws])


def arrow_column(vals: list) -> pa.Array:
    """Decoded parameter values → an Arrow array DuckDB can cast from; what Arrow cannot type
    (mixed values, out-of-range integers) goes as PostgreSQL text."""
    try:
        arr = pa.array(vals)
        if pa.types.is_timestamp(arr.type) and len({v.tzinfo is None for v in vals if v is not None}) > 1:
            # naive and aware values: Arrow would give all one zone (the naive ones belong in
            # the session's time zone, which DuckDB applies when it casts their text)
            raise TypeError("mixed naive and aware timestamps")
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        arr = pa.array([None if v is None else (("true" if v else "false") if isinstance(v, bool) else str(v))
                        for v in vals], type=pa.string())
    if pa.types.is_null(arr.type):
        arr = arr.cast(pa.string())
    return arr
