"""protocol.types and protocol.rows against PostgreSQL 15 itself.

Every expected text or binary form below comes from a live PostgreSQL (the `pg` fixture):
`value::text` for the text form and the type's send function (`float8send(x)`,
`array_send(x)`, …) for the binary form. The same values are built in DuckDB, exported as
Arrow the way the gateway reads results, and run through the encoder.
"""

from __future__ import annotations

import datetime as dt
import math
import struct
from decimal import Decimal

import duckdb
import pyarrow as pa
import pytest
from hypothesis import given, settings, strategies as st

psycopg = pytest.importorskip("psycopg")

from gateway.protocol import types as T  # noqa: E402
from gateway.protocol.rows import DataRowEncoder, pg_binary_column, pg_text_column  # noqa: E402
from gateway.protocol.types import (  # noqa: E402
    ParamError, decode_param, duckdb_type_for_oid, format_binary_value, format_text_value, pg_type_of,
)


# --------------------------------------------------------------------------- helpers

@pytest.fixture(scope="module")
def pgc(pg):
    with psycopg.connect(pg.dsn, autocommit=True) as conn:
        yield conn


def lit(s: str | None) -> str:
    return "NULL" if s is None else "'" + s.replace("'", "''") + "'"


def pg_forms(conn, exprs: list[str], tz: str = "UTC") -> list[tuple[bytes | None, bytes | None]]:
    """(text form, send form) of each SQL expression, from PostgreSQL."""
    with conn.cursor() as cur:
        cur.execute(f"SET TimeZone = {lit(tz)}")
        cur.execute(f"SELECT pg_typeof({exprs[0]})::regtype::oid")
        oid = cur.fetchone()[0]
        cur.execute("SELECT typsend::regproc::text FROM pg_type WHERE oid = %s", [oid])
        send = cur.fetchone()[0]
        rows = " UNION ALL ".join(f"SELECT {i} AS i, {e} AS x" for i, e in enumerate(exprs))
        # format() applies the output function (bool::text would be 'true', not boolout's t)
        cur.execute(f"SELECT CASE WHEN x IS NOT NULL THEN format('%s', x) END, {send}(x) FROM ({rows}) v ORDER BY i")
        return [(None if t is None else t.encode(), None if b is None else bytes(b)) for t, b in cur.fetchall()]


def duck_column(exprs: list[str], tz: str = "UTC", lossless: bool = False):
    """The Arrow column and DuckDB type DuckDB produces for the expressions."""
    con = duckdb.connect()
    con.execute(f"SET TimeZone = {lit(tz)}")
    if lossless:
        con.execute("SET arrow_lossless_conversion = true")
    rows = " UNION ALL ".join(f"SELECT {i} AS i, {e} AS x" for i, e in enumerate(exprs))
    cur = con.execute(f"SELECT x FROM ({rows}) v ORDER BY i")
    dtype = cur.description[0][1]
    table = cur.to_arrow_reader(1024).read_all()
    return table.column(0), dtype


def check_same(pgc, pg_exprs, duck_exprs, tz="UTC", lossless=False, pg_oid=None):
    expected = pg_forms(pgc, pg_exprs, tz)
    col, dtype = duck_column(duck_exprs, tz, lossless)
    if pg_oid is not None:
        assert pg_type_of(dtype).oid == pg_oid
    got_text = pg_text_column(col, dtype).to_pylist()
    got_bin = pg_binary_column(col, dtype).to_pylist()
    for src, (et, eb), gt, gb in zip(pg_exprs, expected, got_text, got_bin):
        assert gt == et, f"text of {src}: {gt!r} != PostgreSQL {et!r}"
        assert gb == eb, f"binary of {src}: {gb!r} != PostgreSQL {eb!r}"
    # the per-value formatter agrees with the vectorised path
    t = col.type
    if pa.types.is_integer(t) or pa.types.is_string(t) or pa.types.is_boolean(t) or t == pa.float64():
        for v, (et, _) in zip(col.to_pylist(), expected):
            assert (None if v is None else format_text_value(pg_type_of(dtype).oid, v).encode()) == et


def casts(pg_type: str, duck_type: str, values: list[str | None]):
    return [f"CAST({lit(v)} AS {pg_type})" for v in values], [f"CAST({lit(v)} AS {duck_type})" for v in values]


FLOAT8 = ["0", "-0", "1", "-1", "0.1", "1.5", "100", "123456.789", "1e15", "1e16", "999999999999999.9",
          "123456789012345.6", "1234567890123456.7", "1e10", "12345678901.5", "9999999999", "1e14", "1e-4",
          "0.0001", "9.999e-5", "1.5e-5", "0.00001", "1e-7", "2.5e-7", "1e-9", "1e-10", "1.23e-11",
          "5e-324", "2.2250738585072014e-308", "1.7976931348623157e308", "1e22", "1e21", "1e100",
          "-1.5e-300", "3.141592653589793", "2.718281828459045", "0.30000000000000004", "NaN",
          "Infinity", "-Infinity", "4503599627370496.5", "9007199254740993", None]
FLOAT4 = ["0", "-0", "1", "0.1", "1.5", "100000", "999999", "1e6", "1234567", "123456.7", "1e-4", "1e-5",
          "1.5e-5", "3.4028235e38", "1.4e-45", "1.17549435e-38", "16777216", "1e10", "33554436",
          "NaN", "Infinity", "-Infinity", "-2.5e-7", None]

SCALAR_CASES = [
    ("bool", "bool", "BOOLEAN", ["true", "false", None]),
    ("int2", "int2", "SMALLINT", ["0", "1", "-1", "32767", "-32768", None]),
    ("int2-tinyint", "int2", "TINYINT", ["-128", "127", "0"]),
    ("int2-utinyint", "int2", "UTINYINT", ["255", "0"]),
    ("int4", "int4", "INTEGER", ["0", "-2147483648", "2147483647", "42", "-7", None]),
    ("int4-usmallint", "int4", "USMALLINT", ["65535", "0"]),
    ("int8", "int8", "BIGINT", ["-9223372036854775808", "9223372036854775807", "0", "123456789012", None]),
    ("oid-uinteger", "oid", "UINTEGER", ["4294967295", "1"]),
    ("numeric-ubigint", "numeric", "UBIGINT", ["18446744073709551615", "0", "10000", "9999", "100000000"]),
    ("numeric-hugeint", "numeric", "HUGEINT",
     ["-170141183460469231731687303715884105728", "170141183460469231731687303715884105727", "0", "-1",
      "100000000", "-9223372036854775808", "9223372036854775808", None]),
    ("float8", "float8", "DOUBLE", FLOAT8),
    # every value with <= 6 decimals and |x| < 2**32: the batch takes the integer + fraction path
    ("float8-six-decimals", "float8", "DOUBLE",
     ["0", "0.5", "-0.5", "-0.05", "0.0001", "-0.0001", "0.000123", "4294967295.999999", "-4294967295.5",
      "1234.000001", "100", "-100", "99999999.999999", "100000000.25", "123456.789", "0.1", "17", None]),
    ("int4-small", "int4", "INTEGER", ["0", "-1", "1", "99999999", "-99999999", "7", "-10", "10000", None]),
    ("int8-small", "int8", "BIGINT", ["0", "-99999999", "99999999", "12345678", "-5", None]),
    ("float4", "float4", "FLOAT", FLOAT4),
    ("numeric(12,2)", "numeric(12,2)", "DECIMAL(12,2)",
     ["0", "1.5", "-1.5", "-0.05", "0.01", "9999999999.99", "-9999999999.99", "100", "-100", "12.34", None]),
    ("numeric(4,1)", "numeric(4,1)", "DECIMAL(4,1)", ["0", "-0.1", "999.9", "10"]),
    ("numeric(18,6)", "numeric(18,6)", "DECIMAL(18,6)", ["0.000001", "-999999999999.999999", "1", "-0.5"]),
    ("numeric(18,9)", "numeric(18,9)", "DECIMAL(18,9)", ["0.000000001", "-123456789.123456789", "1"]),
    ("numeric(18,0)", "numeric(18,0)", "DECIMAL(18,0)", ["0", "-999999999999999999", "10000", "12345"]),
    ("numeric(38,9)", "numeric(38,9)", "DECIMAL(38,9)",
     ["0", "1.5", "-12345678901234567890123456789.012345678", "0.000000001", None]),
    # DECIMAL(38,10) is the storage of `numeric` without precision: the value's own digits
    ("numeric-unconstrained", "numeric", "DECIMAL(38,10)",
     ["0", "1.5", "-1234567890123456789012345678.0123456789", "0.0000000001", "100", "-0.05",
      "123456789012.5", "-98765432109876543210", "10", None]),
    ("numeric(20,3)", "numeric(20,3)", "DECIMAL(20,3)", ["99999999999999999.999", "-1.001", "0"]),
    ("text", "text", "VARCHAR", ["hello", "", "a b", "ünïcödé ✓", "with\nnewline", 'quo"te', "NULL", None]),
    ("json", "json", "JSON", ['{"a": 1}', "[1,2]", '"x"', "null", '{"k":[true,false,null]}']),
    ("uuid", "uuid", "UUID", ["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "00000000-0000-0000-0000-000000000000",
                              "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF", None]),
    ("date", "date", "DATE", ["2024-01-05", "0001-01-01", "9999-12-31", "1970-01-01", "2000-01-01",
                              "1999-12-31", "2000-02-29", "10000-01-01", "infinity", "-infinity", None]),
    ("timestamp", "timestamp", "TIMESTAMP",
     ["2024-01-05 10:00:00", "2024-01-05 10:00:00.12", "2024-01-05 10:00:00.000001", "1999-12-31 23:59:59.999999",
      "0001-01-01 00:00:00", "1969-07-20 20:17:40.5", "2000-01-01 00:00:00", "1900-03-01 00:00:00.1",
      "infinity", "-infinity", None]),
    ("timestamp_s", "timestamp", "TIMESTAMP_S", ["2024-01-05 10:00:00", "1960-01-01 00:00:01"]),
    ("timestamp_ms", "timestamp", "TIMESTAMP_MS", ["2024-01-05 10:00:00.123", "1960-01-01 00:00:00.5"]),
    ("timestamp_ns", "timestamp", "TIMESTAMP_NS", ["2024-01-05 10:00:00.123456", "1960-01-01 00:00:00.000001"]),
    ("time", "time", "TIME", ["10:00:00", "10:00:00.5", "00:00:00", "23:59:59.999999", "24:00:00",
                              "12:34:56.000123", None]),
    ("interval", "interval", "INTERVAL",
     ["1 year 2 months 3 days 04:05:06.5", "-1 days", "0 seconds", "1 day -1 second", "-14 months 3 days -1 hour",
      "1 month", "100 years", "-00:00:00.000001", "123:00:00", "1 mon -1 day", "27 hours", "-1 year", "13 months",
      "1 day", "2 days 1 microsecond", None]),
]


@pytest.mark.parametrize("case", SCALAR_CASES, ids=[c[0] for c in SCALAR_CASES])
def test_scalar_forms_match_postgres(pgc, case):
    _, pg_type, duck_type, values = case
    pg_exprs, duck_exprs = casts(pg_type, duck_type, values)
    check_same(pgc, pg_exprs, duck_exprs, pg_oid=T.TYPES_BY_NAME[pg_type.split("(")[0]].oid)


def test_bytea_forms_match_postgres(pgc):
    hexes = ["", "00", "0a0b", "ff00ff", "5c22", "00" * 20, "deadbeef" * 40]
    check_same(pgc, [f"decode({lit(h)}, 'hex')" for h in hexes] + ["NULL::bytea"],
               [f"from_hex({lit(h)})" for h in hexes] + ["NULL::BLOB"], pg_oid=17)


@pytest.mark.parametrize("tz", ["UTC", "America/New_York", "Asia/Kolkata", "America/St_Johns",
                                "Asia/Kathmandu", "Australia/Lord_Howe", "Europe/Amsterdam"])
def test_timestamptz_forms_match_postgres(pgc, tz):
    values = ["2024-01-05 10:00:00+00", "2024-07-05 10:00:00.5+00", "1900-01-01 00:00:00+00",
              "1850-06-01 12:00:00.25+00", "2000-01-01 00:00:00+00", "1970-01-01 00:00:00.000001+00",
              "2024-03-31 01:30:00+00", "2038-01-19 03:14:08+00", "infinity", "-infinity", None]
    pg_exprs, duck_exprs = casts("timestamptz", "TIMESTAMPTZ", values)
    check_same(pgc, pg_exprs, duck_exprs, tz=tz, pg_oid=1184)


def test_timetz_forms_match_postgres(pgc):
    values = ["10:00:00+02", "10:00:00.5-05:30", "00:00:00+00", "23:59:59.999999+14", "12:00:00-12",
              "08:15:00+05:45", None]
    # the offset only survives DuckDB's lossless Arrow export
    pg_exprs, duck_exprs = casts("timetz", "TIMETZ", values)
    check_same(pgc, pg_exprs, duck_exprs, lossless=True, pg_oid=1266)
    # the plain export drops it: only UTC values come out right
    utc = ["10:00:00+00", "00:00:00.25+00"]
    pg_exprs, duck_exprs = casts("timetz", "TIMETZ", utc)
    check_same(pgc, pg_exprs, duck_exprs, lossless=False)


def test_lossless_export_types_match_postgres(pgc):
    pg_exprs, duck_exprs = casts("uuid", "UUID", ["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", None])
    check_same(pgc, pg_exprs, duck_exprs, lossless=True)
    pg_exprs, duck_exprs = casts("numeric", "HUGEINT", ["-170141183460469231731687303715884105728", "12", None])
    check_same(pgc, pg_exprs, duck_exprs, lossless=True)
    # HUGEINTs that all fit in int64 take the vectorised path, the others per value
    pg_exprs, duck_exprs = casts("numeric", "HUGEINT", ["-9223372036854775808", "0", "100000000", None])
    check_same(pgc, pg_exprs, duck_exprs, lossless=True)
    pg_exprs, duck_exprs = casts("numeric", "UHUGEINT", ["9223372036854775807", "10000", None])
    check_same(pgc, pg_exprs, duck_exprs, lossless=True)
    pg_exprs, duck_exprs = casts("numeric", "UHUGEINT", ["340282366920938463463374607431768211455", "1"])
    check_same(pgc, pg_exprs, duck_exprs, lossless=True)
    pg_exprs, duck_exprs = casts("json", "JSON", ['{"a": [1, 2]}', None])
    check_same(pgc, pg_exprs, duck_exprs, lossless=True)


def test_bignum_matches_postgres_numeric(pgc):
    values = ["0", "-1", "255", "256", "12345678901234567890123456789012345678901234567890",
              "-99999999999999999999999999999999999999999"]
    check_same(pgc, [f"CAST({lit(v)} AS numeric)" for v in values], [f"CAST({lit(v)} AS BIGNUM)" for v in values],
               pg_oid=1700)


def test_enum_is_text(pgc):
    check_same(pgc, ["'b'::text", "'a'::text", "NULL::text", "'b'::text"],
               ["'b'::ENUM('a', 'b')", "'a'::ENUM('a', 'b')", "NULL::ENUM('a', 'b')", "'b'::ENUM('a', 'b')"],
               pg_oid=25)


ARRAY_CASES = [
    ("int4[]", ["ARRAY[1,2,NULL]::int4[]", "ARRAY[]::int4[]", "ARRAY[-2147483648]::int4[]", "NULL::int4[]"],
     ["ARRAY[1,2,NULL]::INTEGER[]", "[]::INTEGER[]", "ARRAY[-2147483648]::INTEGER[]", "NULL::INTEGER[]"]),
    ("int8[]", ["ARRAY[1,NULL,9223372036854775807]::int8[]"], ["ARRAY[1,NULL,9223372036854775807]::BIGINT[]"]),
    ("int2[]", ["ARRAY[1,-1]::int2[]"], ["ARRAY[1,-1]::SMALLINT[]"]),
    ("text[]", ["ARRAY['a b','x\"y',NULL,'','NULL','null','{}','back\\slash',' lead','ok','a,b','tab\tx']::text[]",
                "ARRAY[]::text[]"],
     ["ARRAY['a b','x\"y',NULL,'','NULL','null','{}','back\\slash',' lead','ok','a,b','tab\tx']::VARCHAR[]",
      "[]::VARCHAR[]"]),
    ("float8[]", ["ARRAY[1.5,'NaN','-Infinity',1e20,'-0',1e-5]::float8[]"],
     ["ARRAY[1.5,'NaN','-Infinity',1e20,'-0',1e-5]::DOUBLE[]"]),
    ("float4[]", ["ARRAY[1.5,1e6]::float4[]"], ["ARRAY[1.5,1e6]::FLOAT[]"]),
    ("numeric[]", ["ARRAY[1.50,-0.05,NULL]::numeric(10,2)[]"], ["ARRAY[1.50,-0.05,NULL]::DECIMAL(10,2)[]"]),
    ("bool[]", ["ARRAY[true,false,NULL]::bool[]"], ["ARRAY[true,false,NULL]::BOOLEAN[]"]),
    ("date[]", ["ARRAY['2024-01-05','infinity',NULL]::date[]"], ["ARRAY['2024-01-05','infinity',NULL]::DATE[]"]),
    ("timestamp[]", ["ARRAY['2024-01-05 10:00:00.5',NULL]::timestamp[]"],
     ["ARRAY['2024-01-05 10:00:00.5',NULL]::TIMESTAMP[]"]),
    ("timestamptz[]", ["ARRAY['2024-01-05 10:00:00.5+00']::timestamptz[]"],
     ["ARRAY['2024-01-05 10:00:00.5+00']::TIMESTAMPTZ[]"]),
    ("uuid[]", ["ARRAY['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',NULL]::uuid[]"],
     ["ARRAY['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',NULL]::UUID[]"]),
    ("bytea[]", ["ARRAY[decode('0a0b','hex'),decode('','hex')]::bytea[]"],
     ["ARRAY[from_hex('0a0b'),from_hex('')]::BLOB[]"]),
    ("interval[]", ["ARRAY['1 day 02:00:00','-1 mons']::interval[]"], ["ARRAY['1 day 02:00:00','-1 mons']::INTERVAL[]"]),
    ("time[]", ["ARRAY['10:00:00.5']::time[]"], ["ARRAY['10:00:00.5']::TIME[]"]),
    ("json[]", ["ARRAY['{\"a\": 1}','[]']::json[]"], ["ARRAY['{\"a\": 1}','[]']::JSON[]"]),
]


@pytest.mark.parametrize("case", ARRAY_CASES, ids=[c[0] for c in ARRAY_CASES])
def test_array_forms_match_postgres(pgc, case):
    name, pg_exprs, duck_exprs = case
    check_same(pgc, pg_exprs, duck_exprs, pg_oid=T.TYPES_BY_NAME["_" + name[:-2]].oid)


def test_fixed_size_array_matches_postgres(pgc):
    check_same(pgc, ["ARRAY[1,2,3]::int4[]", "ARRAY[4,NULL,6]::int4[]"],
               ["ARRAY[1,2,3]::INTEGER[3]", "ARRAY[4,NULL,6]::INTEGER[3]"], pg_oid=1007)


def test_nested_values_are_postgres_json(pgc):
    with pgc.cursor() as cur:
        cur.execute("SET TimeZone = 'UTC'")
        cur.execute("SELECT row_to_json(t)::text FROM (SELECT 1 AS a, 'x\"y' AS b, 1.5::float8 AS c, "
                    "ARRAY[1,2] AS d, NULL::int AS e, '2024-01-05'::date AS f, "
                    "'2024-01-05 10:00:00.5'::timestamp AS g, '2024-01-05 10:00:00+00'::timestamptz AS h, "
                    "'1 day 02:00:00'::interval AS i, true AS j, decode('0a0b', 'hex') AS k, "
                    "12.50::numeric(6,2) AS l) t")
        struct_json = cur.fetchone()[0]
        cur.execute("SELECT ARRAY[ARRAY[1,2],ARRAY[3,4]]::text")  # a 2-D int4[], not json
        nested_text = cur.fetchone()[0]
    con = duckdb.connect()
    cur = con.execute("SELECT {'a': 1, 'b': 'x\"y', 'c': 1.5::DOUBLE, 'd': [1, 2], 'e': NULL::INTEGER, "
                      "'f': DATE '2024-01-05', 'g': TIMESTAMP '2024-01-05 10:00:00.5', "
                      "'h': TIMESTAMPTZ '2024-01-05 10:00:00+00', 'i': INTERVAL '1 day 2 hours', 'j': true, "
                      "'k': from_hex('0a0b'), 'l': 12.50::DECIMAL(6,2)} AS s, [[1, 2], [3, 4]] AS n")
    types = [d[1] for d in cur.description]
    batch = cur.to_arrow_reader(10).read_next_batch()
    assert pg_type_of(types[0]).oid == 114 and pg_type_of(types[1]).oid == 1007
    assert pg_text_column(batch.column(0), types[0]).to_pylist() == [struct_json.encode()]
    assert pg_text_column(batch.column(1), types[1]).to_pylist() == [nested_text.encode()]
    assert pg_binary_column(batch.column(0), types[0]).to_pylist() == [struct_json.encode()]


# --------------------------------------------------------------------------- DataRow framing

def parse_data_rows(buf: bytes) -> list[list[bytes | None]]:
    rows = []
    pos = 0
    while pos < len(buf):
        assert buf[pos:pos + 1] == b"D"
        (length,) = struct.unpack_from(">i", buf, pos + 1)
        end = pos + 1 + length
        (ncols,) = struct.unpack_from(">h", buf, pos + 5)
        p = pos + 7
        row = []
        for _ in range(ncols):
            (n,) = struct.unpack_from(">i", buf, p)
            p += 4
            if n == -1:
                row.append(None)
            else:
                row.append(buf[p:p + n])
                p += n
        assert p == end, "column lengths must add up to the message length"
        rows.append(row)
        pos = end
    return rows


FRAMING_SQL = """
SELECT i::INTEGER AS a, CASE WHEN i % 3 = 0 THEN NULL ELSE i * 1000003 END::BIGINT AS b,
       CASE WHEN i % 5 = 0 THEN NULL ELSE i / 7.0 END::DOUBLE AS c,
       CASE WHEN i % 4 = 0 THEN NULL ELSE repeat('x', i % 30) END AS d,
       DATE '2020-01-01' + i::INTEGER AS e, TIMESTAMP '2020-01-01' + to_microseconds(i * 1000037) AS f,
       CASE WHEN i % 2 = 0 THEN NULL ELSE i % 3 = 0 END AS g, (i / 100 - 3)::DECIMAL(12,2) AS h,
       CASE WHEN i % 6 = 0 THEN NULL ELSE [i, NULL] END AS l, NULL::INTEGER AS z
FROM range(1000) t(i)
"""


@pytest.mark.parametrize("formats", [[0] * 10, [1] * 10, [0, 1] * 5, [1, 0] * 5])
def test_data_rows_framing_nulls_and_lengths(formats):
    cur = duckdb.connect().execute(FRAMING_SQL)
    types = [d[1] for d in cur.description]
    table = cur.to_arrow_reader(300).read_all()
    enc = DataRowEncoder(types, formats)
    expected_cols = []
    for i, (t, f) in enumerate(zip(types, formats)):
        col = table.column(i)
        expected_cols.append((pg_binary_column if f else pg_text_column)(col, t).to_pylist())
    got = []
    for batch in table.to_batches():
        got += parse_data_rows(bytes(memoryview(enc.encode(batch))))
        # a sliced batch (what a portal's row limit produces) encodes the same rows
        if batch.num_rows > 10:
            sliced = parse_data_rows(bytes(memoryview(enc.encode(batch.slice(3, 5)))))
            assert sliced == got[-batch.num_rows + 3: -batch.num_rows + 8]
    assert len(got) == 1000
    assert [list(r) for r in zip(*expected_cols)] == got
    assert all(r[9] is None for r in got)
    assert got[0][3] is None and got[1][3] == b"x" and got[2][1] is not None


def test_all_fixed_width_binary_rows():
    cur = duckdb.connect().execute("SELECT i::INTEGER, i::BIGINT, i::DOUBLE, i % 2 = 0 FROM range(50) t(i)")
    types = [d[1] for d in cur.description]
    batch = cur.to_arrow_reader(100).read_next_batch()
    rows = parse_data_rows(bytes(memoryview(DataRowEncoder(types, [1] * 4).encode(batch))))
    assert rows[7] == [struct.pack(">i", 7), struct.pack(">q", 7), struct.pack(">d", 7.0), b"\x00"]
    assert len(rows) == 50


def test_text_rows_match_postgres(pgc):
    """A whole DataRow stream, decoded back, equals PostgreSQL's text of the same values."""
    dec = "CAST(CAST(i - 300 AS {t}) || '.' || lpad(CAST(i % 100 AS {t}), 2, '0') AS {n})"
    pg_exprs = ["i::int4", "(i * 1000003)::int8", "i::float8 / 7", "'str_' || i", "DATE '2020-01-01' + i",
                "TIMESTAMP '2020-01-01' + i * INTERVAL '1000037 microseconds'", "i % 3 = 0",
                dec.format(t="text", n="numeric(12,2)")]
    duck_exprs = ["i::INTEGER", "(i * 1000003)::BIGINT", "i::DOUBLE / 7", "'str_' || i", "DATE '2020-01-01' + i::INTEGER",
                  "TIMESTAMP '2020-01-01' + to_microseconds(i * 1000037)", "i % 3 = 0",
                  dec.format(t="VARCHAR", n="DECIMAL(12,2)")]
    with pgc.cursor() as c:
        cols = ", ".join(f"format('%s', {e})" for e in pg_exprs)
        c.execute(f"SELECT {cols} FROM generate_series(0, 499) i ORDER BY i")
        expected = [[v.encode() for v in r] for r in c.fetchall()]
    cur = duckdb.connect().execute(f"SELECT {', '.join(duck_exprs)} FROM range(500) t(i) ORDER BY i")
    types = [d[1] for d in cur.description]
    rows = []
    enc = DataRowEncoder(types, [0] * 8)
    for batch in cur.to_arrow_reader(128):
        rows += parse_data_rows(bytes(memoryview(enc.encode(batch))))
    assert rows == expected


# --------------------------------------------------------------------------- types

def test_pg_type_of_mapping():
    cases = {
        "BOOLEAN": 16, "TINYINT": 21, "SMALLINT": 21, "UTINYINT": 21, "INTEGER": 23, "USMALLINT": 23,
        "BIGINT": 20, "UINTEGER": 26, "HUGEINT": 1700, "UBIGINT": 1700, "UHUGEINT": 1700, "BIGNUM": 1700,
        "FLOAT": 700, "DOUBLE": 701, "VARCHAR": 25, "BLOB": 17, "DATE": 1082, "TIME": 1083,
        "TIME WITH TIME ZONE": 1266, "TIMESTAMP": 1114, "TIMESTAMP_S": 1114, "TIMESTAMP_MS": 1114,
        "TIMESTAMP_NS": 1114, "TIMESTAMP WITH TIME ZONE": 1184, "INTERVAL": 1186, "UUID": 2950, "JSON": 114,
        "INTEGER[]": 1007, "VARCHAR[]": 1009, "BOOLEAN[]": 1000, "BIGINT[]": 1016, "DOUBLE[]": 1022,
        "DECIMAL(10,2)[]": 1231, "DATE[]": 1182, "TIMESTAMP[]": 1115, "TIMESTAMP WITH TIME ZONE[]": 1185,
        "UUID[]": 2951, "JSON[]": 199, "SMALLINT[]": 1005, "FLOAT[]": 1021, "BLOB[]": 1001, "INTERVAL[]": 1187,
        "TIME[]": 1183, "INTEGER[3]": 1007, "STRUCT(a INTEGER)": 114, "MAP(VARCHAR, INTEGER)": 114,
        "STRUCT(a INTEGER)[]": 114, "INTEGER[][]": 1007, "VARCHAR[][][]": 1009, "UNION(num INTEGER, s VARCHAR)": 114,
        "ENUM('a', 'b')": 25, "BIT": 25, "SOMETHING_NEW": 25, "ENUM('a', 'b')[]": 1009,
    }
    for s, oid in cases.items():
        assert pg_type_of(s).oid == oid, s
    assert pg_type_of("DECIMAL(10,2)") == T.PgType(1700, "numeric", -1, ((10 << 16) | 2) + 4)
    assert pg_type_of(duckdb.sqltype("INTEGER[]")).oid == 1007


def test_type_table_matches_postgres(pgc):
    with pgc.cursor() as cur:
        cur.execute("SELECT oid::int, typname::text, typlen::int, typarray::int FROM pg_type WHERE oid = ANY(%s)",
                    [list(T.TYPES_BY_OID)])
        rows = cur.fetchall()
    assert len(rows) == len(T.TYPES_BY_OID)
    for oid, name, typlen, typarray in rows:
        t = T.TYPES_BY_OID[oid]
        assert (t.name, t.typlen) == (name, typlen)
        assert T.TYPES_BY_NAME[name] is t
        if typarray and oid in T.ARRAY_OID:
            assert T.ARRAY_OID[oid] == typarray


def test_duckdb_type_for_oid():
    assert duckdb_type_for_oid(23) == "INTEGER"
    assert duckdb_type_for_oid(1009) == "VARCHAR[]"
    assert duckdb_type_for_oid(3802) == "JSON"
    assert duckdb_type_for_oid(26) == "BIGINT"
    assert duckdb_type_for_oid(1700) is None
    assert duckdb_type_for_oid(0) is None and duckdb_type_for_oid(705) is None
    con = duckdb.connect()
    for oid in (16, 17, 20, 21, 23, 25, 114, 700, 701, 1082, 1083, 1114, 1184, 1186, 1266, 2950, 1007, 1009):
        con.execute(f"SELECT CAST(NULL AS {duckdb_type_for_oid(oid)})")


# --------------------------------------------------------------------------- parameters

TEXT_PARAM_CASES = [
    ("int4", 23, [" 12 ", "-2147483648", "+7", "0"], ["abc", "1.5", "", "2147483648", "1_000", "12a"]),
    ("int2", 21, ["32767", " -1"], ["32768", "x"]),
    ("int8", 20, ["9223372036854775807", "-42"], ["9223372036854775808", "4e3"]),
    ("float8", 701, ["1.5", "NaN", "Infinity", "-inf", " 1e-5 ", "1e308", ".5", "5.", "-0"],
     ["abc", "1e400", "1_0", "1e-400", ""]),
    ("float4", 700, ["1.5", "3.4e38", "nan", "-Infinity"], ["1e39", "x"]),
    ("numeric", 1700, ["1.50", "-0.05", "NaN", "1e3", " 12 ", "Infinity", "-inf", ".5", "1.5e-3",
                       "123456789012345678901234567890.123456789"], ["1_0", "abc", "", "1e", "--1"]),
    ("bool", 16, ["t", "true", "TRUE", " yes ", "on", "1", "f", "off", "n", "0", "tr", "of"],
     ["o", "maybe", "2", "", "tx"]),
    ("date", 1082, ["2024-01-05", "2000-02-29", " 1999-12-31 ", "epoch", "2024-1-5", "0044-03-15 BC",
                    "2024-01-05 10:00:00"], ["2024-02-30", "2024-13-01", "abc"]),
    ("timestamp", 1114, ["2024-01-05 10:00:00", "2024-01-05T10:00:00.123456", "2024-01-05 10:00:00+02",
                         "2024-01-05", "2024-01-05 10:00:00.1234567", "epoch", "2024-01-05 23:59:59.9999999"],
     ["2024-01-05 25:00:00", "nope"]),
    ("timestamptz", 1184, ["2024-01-05 10:00:00+02", "2024-01-05 10:00:00-05:30", "2024-01-05 10:00:00Z",
                           "2024-01-05T10:00:00.5+0530", "2024-01-05 10:00:00 UTC",
                           "2024-01-05 10:00:00 America/New_York", "2024-07-05 10:00:00.25 Europe/Paris",
                           "2024-01-05T10:00:00.000+02:00"],
     ["2024-01-05 10:00:00+99", "2024-01-05 10:00:00 Mars/Olympus"]),
    ("time", 1083, ["10:00:00", "10:00", "23:59:59.999999", "00:00:00.5"], ["25:00:00", "10:60:00", "x"]),
    ("timetz", 1266, ["10:00:00+02", "10:00:00.5-05:30", "10:00:00"], ["10:00:00+99"]),
    ("uuid", 2950, ["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "A0EEBC999C0B4EF8BB6D6BB9BD380A11",
                    "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}", "a0eebc999c0b4ef8-bb6d-6bb9bd380a11"],
     ["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1", "g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "a0eebc99--9c0b-4ef8-bb6d-6bb9bd380a11"]),
    ("bytea", 17, ["\\x0a0b", "\\x", "abc", "a\\\\b", "\\001x", "\\x0A 0B"], ["\\x0g", "\\x0", "\\9"]),
    ("json", 114, ['{"a": 1}', "[1, 2]", "null"], ["{", "{'a': 1}", "NaN"]),
    ("int4[]", 1007, ["{1,2,NULL}", "{}", " { 1 , 2 } ", "{{1,2},{3,4}}", '{"3"}'], ["{1,2", "1,2", "{a}", "{{1},2}"]),
    ("text[]", 1009, ['{a,"b c",NULL,"",\\"x}', '{"NULL",null}', "{ a b , c }"], ['{"a}', "{a,}"]),
    ("interval", 1186, ["1 year 2 mons 3 days 04:05:06.5", "-1 days", "00:00:00", "1 day -00:00:01",
                        "-1 years -2 mons +3 days -01:00:00", "@ 1 day ago", "P1Y2M3DT4H5M6S", "1.5 days",
                        "2 weeks", "90 minutes", "1 mon 1.5 days", "1 day 0:00:00.000005", "-1 day 23:59:59"],
     ["1 fortnight", "abc"]),
]


def _pg_input(pgc, pg_type: str, s: str):
    """(text of the value, None) or (None, (sqlstate, message)) from PostgreSQL's input function."""
    with pgc.cursor() as cur:
        try:
            cur.execute(f"SELECT format('%%s', CAST(%s::text AS {pg_type}))", [s])
            return cur.fetchone()[0], None
        except psycopg.Error as e:
            return None, (e.sqlstate, e.diag.message_primary)


@pytest.mark.parametrize("case", TEXT_PARAM_CASES, ids=[c[0] for c in TEXT_PARAM_CASES])
def test_decode_text_param_matches_postgres(pgc, case):
    pg_type, oid, good, bad = case
    with pgc.cursor() as cur:
        cur.execute("SET TimeZone = 'UTC'")
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for s in good:
        text, err = _pg_input(pgc, pg_type, s)
        assert err is None, (s, err)
        v = decode_param(oid, 0, s.encode())
        if oid == 1186:
            # intervals come back as text DuckDB casts from: compare DuckDB's reading of it
            assert _interval_of(con, v) == text, s
        elif isinstance(v, str) and oid not in (25, 114, 1009):
            # values Python can't hold (BC dates) come back in DuckDB's own spelling
            got = con.execute(f"SELECT CAST(CAST(? AS {duckdb_type_for_oid(oid)}) AS VARCHAR)", [v]).fetchone()[0]
            assert got.replace(" (BC)", " BC") == text, s
        elif oid == 1184:
            assert format_text_value(oid, v.astimezone(dt.timezone.utc)) == text, s
        else:
            assert format_text_value(oid, v) == text, (s, v)
    for s in bad:
        text, err = _pg_input(pgc, pg_type, s)
        assert err is not None, s
        with pytest.raises(ParamError) as exc:
            decode_param(oid, 0, s.encode())
        assert (exc.value.sqlstate, exc.value.message) == err, s


def _interval_of(con, text: str) -> str:
    """DuckDB's own months/days/µs of an interval, rendered in PostgreSQL's text form."""
    arr = con.execute("SELECT CAST(? AS INTERVAL) AS i", [text]).to_arrow_table().column(0)
    v = arr.chunks[0][0].value
    return T.interval_text(v.months, v.days, v.nanoseconds // 1000)


BINARY_PARAM_EXPRS = [
    ("int2", 21, ["1", "-32768"]), ("int4", 23, ["-7", "2147483647"]), ("int8", 20, ["9223372036854775807"]),
    ("float4", 700, ["1.5", "NaN", "-Infinity", "3.4028235e38"]),
    ("float8", 701, ["0.1", "-0", "1e308", "5e-324", "NaN"]),
    ("numeric", 1700, ["0", "1.50", "-0.05", "NaN", "Infinity", "-Infinity", "123456789012345678901234567890.0001",
                       "1e20", "0.000000000001", "-99999.9999"]),
    ("bool", 16, ["true", "false"]), ("text", 25, ["héllo", ""]), ("varchar", 1043, ["x y"]),
    ("bytea", 17, ["\\x000aff"]), ("uuid", 2950, ["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"]),
    ("date", 1082, ["2024-01-05", "0001-01-01", "infinity", "-infinity", "2000-01-01", "1999-12-31"]),
    ("timestamp", 1114, ["2024-01-05 10:00:00.5", "infinity", "1970-01-01 00:00:00", "1999-12-31 23:59:59.999999"]),
    ("timestamptz", 1184, ["2024-01-05 10:00:00.5+02", "infinity", "-infinity"]),
    ("time", 1083, ["10:00:00.25", "00:00:00"]), ("timetz", 1266, ["10:00:00+02", "10:00:00.5-05:30"]),
    ("interval", 1186, ["1 year 2 mons 3 days 04:05:06.5", "-1 days -00:00:01", "00:00:00"]),
    ("json", 114, ['{"a": 1}']), ("jsonb", 3802, ['{"a": 1}']), ("oid", 26, ["4294967295", "0"]),
    ("int4[]", 1007, ["{1,2,NULL}", "{}", "{{1,2},{3,4}}"]), ("text[]", 1009, ['{a,"b c",NULL}']),
    ("numeric[]", 1231, ["{1.5,NULL,-2}"]), ("float8[]", 1022, ["{1.5,NaN}"]),
    ("date[]", 1182, ["{2024-01-05}"]), ("bool[]", 1000, ["{t,f}"]),
]


@pytest.mark.parametrize("case", BINARY_PARAM_EXPRS, ids=[c[0] for c in BINARY_PARAM_EXPRS])
def test_decode_binary_param_from_postgres_send(pgc, case):
    pg_type, oid, values = case
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    with pgc.cursor() as cur:
        cur.execute("SET TimeZone = 'UTC'")
        cur.execute("SELECT typsend::regproc::text FROM pg_type WHERE oid = %s", [oid])
        send = cur.fetchone()[0]
        for s in values:
            cur.execute(f"SELECT format('%%s', CAST(%s::text AS {pg_type})), {send}(CAST(%s::text AS {pg_type}))",
                        [s, s])
            text, raw = cur.fetchone()
            v = decode_param(oid, 1, bytes(raw))
            if oid == 1186:
                assert _interval_of(con, v) == text
                continue
            if oid == 3802:
                cur.execute("SELECT %s::jsonb::text", [v])
                assert cur.fetchone()[0] == text
                continue
            assert format_text_value(oid, v) == text, (s, v)
            if oid not in (1082, 1114, 1184) or not isinstance(v, str):
                assert format_binary_value(oid, v) == bytes(raw), s


def test_binary_param_errors():
    with pytest.raises(ParamError) as e:
        decode_param(23, 1, b"\x00\x01")
    assert e.value.sqlstate == "08P01" and e.value.message == "insufficient data left in message"
    with pytest.raises(ParamError) as e:
        decode_param(23, 1, b"\x00\x00\x00\x01\x00", index=2)
    assert e.value.sqlstate == "22P03" and e.value.message == "incorrect binary data format in bind parameter 2"
    with pytest.raises(ParamError) as e:
        decode_param(1700, 1, struct.pack(">hhHh", 0, 0, 0x1234, 0))
    assert e.value.message == 'invalid sign in external "numeric" value'
    with pytest.raises(ParamError) as e:
        decode_param(1007, 1, struct.pack(">iiI", 1, 0, 25) + struct.pack(">ii", 0, 1))
    assert e.value.sqlstate == "42804"
    with pytest.raises(ParamError) as e:
        decode_param(25, 0, b"\xff\xfe")
    assert e.value.sqlstate == "22021" and e.value.message == 'invalid byte sequence for encoding "UTF8": 0xff'
    assert decode_param(23, 1, None) is None and decode_param(23, 0, None) is None


def test_decoded_params_bind_in_duckdb():
    con = duckdb.connect()
    vals = [decode_param(1184, 0, b"2024-01-05 10:00:00+02"), decode_param(1700, 0, b"1.50"),
            decode_param(1186, 1, struct.pack(">qii", -1_500_000, 3, -14)), decode_param(2950, 0, b"A0EEBC999C0B4EF8BB6D6BB9BD380A11"),
            decode_param(1007, 0, b"{1,NULL}"), decode_param(17, 0, b"\\x0a0b"), decode_param(1266, 0, b"10:00:00+02")]
    row = con.execute("SELECT CAST(CAST(? AS TIMESTAMPTZ) AS VARCHAR), CAST(? AS DECIMAL(10,2)), "
                      "CAST(CAST(? AS INTERVAL) AS VARCHAR), CAST(? AS UUID)::VARCHAR, CAST(? AS INTEGER[]), "
                      "CAST(? AS BLOB), CAST(CAST(? AS TIMETZ) AS VARCHAR)", vals).fetchone()
    assert row[0] == "2024-01-05 08:00:00+00"
    assert row[1] == Decimal("1.50")
    assert row[2] == "-1 year -2 months 3 days -00:00:01.5"
    assert row[3] == "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"
    assert row[4] == [1, None] and row[5] == b"\n\x0b" and row[6] == "10:00:00+02"


# --------------------------------------------------------------------------- properties

finite_decimals = st.decimals(allow_nan=False, allow_infinity=False, places=None,
                              min_value=Decimal("-1e30"), max_value=Decimal("1e30"))


@settings(max_examples=300, deadline=None)
@given(finite_decimals)
def test_numeric_binary_round_trip(d):
    raw = format_binary_value(1700, d)
    back = decode_param(1700, 1, raw)
    assert back == d
    # the scale survives (numeric keeps trailing zeros), except that PostgreSQL has no
    # negative scale: 1E+2 comes back as 100
    assert back.as_tuple().exponent == min(d.as_tuple().exponent, 0)
    assert decode_param(1700, 0, format_text_value(1700, d).encode()) == d


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True))
def test_float8_round_trips(x):
    text = T.float8_text(x)
    back = decode_param(701, 0, text.encode())
    assert (math.isnan(back) and math.isnan(x)) or (back == x and math.copysign(1, back) == math.copysign(1, x))
    assert len(text.replace("-", "").replace(".", "").split("e")[0].lstrip("0")) <= 17
    b = decode_param(701, 1, format_binary_value(701, x))
    assert (math.isnan(b) and math.isnan(x)) or b == x


@settings(max_examples=200, deadline=None)
@given(st.floats(width=32, allow_nan=False))
def test_float4_text_round_trips(x):
    text = T.float4_text(x)
    assert struct.unpack(">f", struct.pack(">f", float(text)))[0] == x


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=50))
def test_vectorised_float_text_matches_scalar(xs):
    arr = pa.array(xs, pa.float64())
    assert pg_text_column(arr, "DOUBLE").to_pylist() == [T.float8_text(x).encode() for x in xs]
    arr32 = pa.array(xs, pa.float32())
    assert pg_text_column(arr32, "FLOAT").to_pylist() == [T.float4_text(x).encode() for x in arr32.to_pylist()]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(-(2 ** 32) * 10 ** 6, 2 ** 32 * 10 ** 6)), min_size=1, max_size=50),
       st.integers(0, 6))
def test_vectorised_few_decimal_floats_match_scalar(units, decimals):
    """Batches of doubles with <= 6 decimals (the integer + fraction path, and its fallback
    for the values it may not take: |x| < 1e-4 or >= 2**32) print as float8out does."""
    xs = [None if u is None else u / 10 ** decimals for u in units]
    assert pg_text_column(pa.array(xs, pa.float64()), "DOUBLE").to_pylist() == [
        None if x is None else T.float8_text(x).encode() for x in xs]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(-(10 ** 8), 10 ** 8)), min_size=1, max_size=50),
       st.sampled_from([("INTEGER", pa.int32()), ("BIGINT", pa.int64()), ("UINTEGER", pa.uint32())]))
def test_vectorised_integer_text_matches_str(values, typ):
    duck, arrow = typ
    if pa.types.is_unsigned_integer(arrow):
        values = [None if v is None else abs(v) for v in values]
    assert pg_text_column(pa.array(values, arrow), duck).to_pylist() == [
        None if v is None else str(v).encode() for v in values]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(-(10 ** 18) + 1, 10 ** 18 - 1)), min_size=1, max_size=40),
       st.integers(0, 18))
def test_vectorised_numeric_matches_scalar(units, scale):
    ds = [None if u is None else Decimal(u).scaleb(-scale) for u in units]
    arr = pa.array(ds, pa.decimal128(18, scale))
    duck = f"DECIMAL(18,{scale})"
    assert pg_binary_column(arr, duck).to_pylist() == [None if d is None else T.numeric_send(d) for d in ds]
    assert pg_text_column(arr, duck).to_pylist() == [None if d is None else format_text_value(1700, d).encode()
                                                     for d in ds]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(-(2 ** 63) + 1, 2 ** 63 - 1)), min_size=1, max_size=40))
def test_vectorised_timestamps_match_scalar(us_values):
    arr = pa.array(us_values, pa.timestamp("us"))
    assert pg_text_column(arr, "TIMESTAMP").to_pylist() == [
        None if v is None else T.timestamp_text(v).encode() for v in us_values]
    tz = pa.array(us_values, pa.timestamp("us", "America/New_York"))
    assert pg_text_column(tz, "TIMESTAMP WITH TIME ZONE").to_pylist() == [
        None if v is None else T.timestamptz_text(v, "America/New_York").encode() for v in us_values]


EDGE_TYPES = ["INTEGER", "BIGINT", "DOUBLE", "FLOAT", "VARCHAR", "DATE", "TIMESTAMP", "TIMESTAMPTZ", "BOOLEAN",
              "DECIMAL(12,2)", "DECIMAL(38,10)", "HUGEINT", "UBIGINT", "BLOB", "TIME", "TIMETZ", "INTERVAL", "UUID",
              "JSON", "INTEGER[]", "VARCHAR[]", "DOUBLE[]", "STRUCT(a INTEGER)", "MAP(VARCHAR, INTEGER)", "BIT",
              "TIMESTAMP_NS", "INTEGER[3]", "BIGNUM", "INTEGER[][]"]


@pytest.mark.parametrize("fmt", [0, 1])
def test_empty_and_all_null_columns(fmt):
    cur = duckdb.connect().execute("SELECT " + ", ".join(f"NULL::{t} AS c{i}" for i, t in enumerate(EDGE_TYPES)))
    types = [d[1] for d in cur.description]
    batch = cur.to_arrow_reader(10).read_next_batch()
    column = pg_binary_column if fmt else pg_text_column
    enc = DataRowEncoder(types, [fmt] * len(types))
    assert parse_data_rows(bytes(memoryview(enc.encode(batch)))) == [[None] * len(types)]
    assert bytes(memoryview(enc.encode(batch.slice(0, 0)))) == b""
    for i, t in enumerate(types):
        assert column(batch.column(i), t).to_pylist() == [None], t
        assert column(batch.column(i).slice(0, 0), t).to_pylist() == [], t


SLICE_SQL = """
SELECT i::INTEGER AS a, (i * 1.37)::DOUBLE AS b, 'v' || i AS c, DATE '2020-01-01' + i::INTEGER AS d,
       TIMESTAMPTZ '2020-01-01 00:00:00+00' + to_microseconds(i * 123457) AS e, (i / 3)::DECIMAL(12,2) AS f,
       CASE WHEN i % 2 = 0 THEN NULL ELSE [i, i + 1] END AS g, ['x', 'y y'][1 + i % 2:] AS h,
       (['a', 'b'][1 + i % 2])::ENUM('a', 'b') AS k, from_hex(lpad(i::VARCHAR, 4, '0')) AS l,
       TIME '10:00:00' + to_microseconds(i * 1000) AS m, to_days(i) + to_microseconds(i) AS n,
       {'p': i} AS o
FROM range(20) t(i)
"""


@pytest.mark.parametrize("tz", ["UTC", "Asia/Kolkata"])
def test_sliced_and_chunked_columns_encode_like_whole(tz):
    con = duckdb.connect()
    con.execute(f"SET TimeZone = '{tz}'")
    cur = con.execute(SLICE_SQL)
    types = [d[1] for d in cur.description]
    table = cur.to_arrow_reader(7).read_all()  # several chunks
    assert table.column(0).num_chunks > 1
    for i, t in enumerate(types):
        col = table.column(i)
        for column in (pg_text_column, pg_binary_column):
            whole = column(col, t).to_pylist()
            assert len(whole) == 20 and whole[5] is not None
            flat = col.combine_chunks()
            assert column(flat.slice(3, 9), t).to_pylist() == whole[3:12], (t, column.__name__)
            assert column(flat.slice(19), t).to_pylist() == whole[19:], (t, column.__name__)


SETTINGS_SQL = """
SELECT i::INTEGER AS a, 'v' || i AS b, from_hex('0a0b') AS c, [i, NULL] AS d, ['s t', NULL] AS e,
       uuid 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' AS f, '{"k": 1}'::JSON AS g, i::HUGEINT * 1000 AS h,
       (['a', 'b'][1 + i % 2])::ENUM('a', 'b') AS k, TIMETZ '10:00:00+00' AS m, {'p': [i]} AS o,
       [{'q': i}] AS p, 12345678901234567890::BIGNUM AS q
FROM range(5) t(i)
"""


@pytest.mark.parametrize("setting", ["produce_arrow_string_view", "arrow_large_buffer_size",
                                     "arrow_output_list_view", "arrow_lossless_conversion"])
def test_duckdb_arrow_export_settings_do_not_change_output(setting):
    def encode(extra: str | None):
        con = duckdb.connect()
        if extra:
            con.execute(f"SET {extra} = true")
        cur = con.execute(SETTINGS_SQL)
        types = [d[1] for d in cur.description]
        table = cur.to_arrow_reader(100).read_all()
        return [[column(table.column(i), t).to_pylist() for column in (pg_text_column, pg_binary_column)]
                for i, t in enumerate(types)]
    assert encode(setting) == encode(None)


# ---------------------------------------------------------------------------------------------
# The per-value path for small batches (point queries) must give the vectorised path's bytes.

from hypothesis import given, settings as hsettings, strategies as st  # noqa: E402

_SMALL_COLUMNS = [
    ("BOOLEAN", pa.bool_(), st.booleans()),
    ("SMALLINT", pa.int16(), st.integers(-2**15, 2**15 - 1)),
    ("INTEGER", pa.int32(), st.integers(-2**31, 2**31 - 1)),
    ("BIGINT", pa.int64(), st.integers(-2**63, 2**63 - 1)),
    ("DOUBLE", pa.float64(), st.floats(allow_nan=True, allow_infinity=True)),
    ("FLOAT", pa.float32(), st.floats(width=32, allow_nan=True, allow_infinity=True)),
    ("VARCHAR", pa.string(), st.text(max_size=20)),
    ("DECIMAL(12,2)", pa.decimal128(12, 2),
     st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)),
    ("DATE", pa.date32(), st.dates()),
    ("TIMESTAMP", pa.timestamp("us"), st.datetimes()),
    ("BLOB", pa.binary(), st.binary(max_size=20)),
]


@hsettings(max_examples=300, deadline=None)
@given(data=st.data())
def test_small_batch_path_matches_vectorised(data):
    from gateway.protocol.rows import _SMALL_ROWS, DataRowEncoder

    n = data.draw(st.integers(1, _SMALL_ROWS))
    picked = data.draw(st.lists(st.sampled_from(_SMALL_COLUMNS), min_size=1, max_size=4))
    arrays = []
    for _, atype, strat in picked:
        vals = data.draw(st.lists(st.none() | strat, min_size=n, max_size=n))
        arrays.append(pa.array(vals, type=atype))
    batch = pa.RecordBatch.from_arrays(arrays, names=[f"c{i}" for i in range(len(arrays))])
    fmt = data.draw(st.sampled_from([0, 1]))
    enc = DataRowEncoder([d for d, _, _ in picked], [fmt] * len(picked))
    small = enc.encode(batch)
    assert enc._small_ok, "these Arrow types are meant to take the per-value path"
    assert bytes(small) == bytes(enc._encode(batch))


def test_small_batch_path_takes_duckdb_lossless_booleans():
    """DuckDB's lossless Arrow export sends BOOLEAN as arrow.bool8: the per-value path takes it
    and gives the vectorised path's bytes."""
    import duckdb

    from gateway.protocol.rows import DataRowEncoder

    con = duckdb.connect()
    con.execute("SET arrow_lossless_conversion = true")
    con.execute("SELECT * FROM (VALUES (true, 1), (false, 2), (NULL, 3)) v(b, i)")
    types = [d[1] for d in con.description]
    batch = con.to_arrow_reader(100).read_next_batch()
    for fmt in (0, 1):
        enc = DataRowEncoder(types, [fmt, fmt])
        small = enc.encode(batch)
        assert enc._small_ok
        assert bytes(small) == bytes(enc._encode(batch))


# --------------------------------------------------------------------------- Bind columns at once

_COL_FORMS = {21: ">h", 23: ">i", 20: ">q", 700: ">f", 701: ">d", 1082: ">i", 1114: ">q", 1184: ">q"}
_EDGE = {  # the wire's special values: infinities, and the ends of each range
    ">h": [-2**15, 2**15 - 1], ">i": [-2**31, 2**31 - 1, 0, -10957], ">q": [-2**63, 2**63 - 1, 0],
}


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return struct.pack(">d", a) == struct.pack(">d", b)
    return a == b and type(a) is type(b)


@settings(max_examples=300, deadline=None)
@given(oid=st.sampled_from(sorted(_COL_FORMS)), data=st.data())
def test_decode_param_column_matches_decode_param(oid, data):
    """The columnar Bind decoder gives what decode_param gives value by value (as DuckDB would
    receive it), for random, extreme and NULL values."""
    form = _COL_FORMS[oid]
    width = struct.calcsize(form)
    if form in (">f", ">d"):
        val = st.floats(allow_nan=True, width=32 if form == ">f" else 64)
    elif oid == 1082:
        val = st.one_of(st.integers(-800_000, 2_900_000), st.sampled_from(_EDGE[form]))
    elif oid in (1114, 1184):
        val = st.one_of(st.integers(-63_000_000_000_000_000, 250_000_000_000_000_000), st.sampled_from(_EDGE[form]))
    else:
        val = st.one_of(st.integers(-2**(8 * width - 1), 2**(8 * width - 1) - 1), st.sampled_from(_EDGE[form]))
    vals = data.draw(st.lists(st.one_of(st.none(), val), min_size=1, max_size=40))
    raws = [None if v is None else struct.pack(form, v) for v in vals]
    col = T.decode_param_column(oid, 1, raws)
    want = [T.decode_param(oid, 1, r) for r in raws]
    assert len(col) == len(want)
    if oid in (1082, 1114, 1184):
        # compare what DuckDB makes of each, as text (Python's datetime cannot hold them all)
        duck = {1082: "DATE", 1114: "TIMESTAMP", 1184: "TIMESTAMPTZ"}[oid]
        con = duckdb.connect()
        con.execute("SET TimeZone = 'UTC'")
        con.register("col_tbl", pa.table({"c": col}))
        got = [r[0] for r in con.execute(f"SELECT c::{duck}::VARCHAR FROM col_tbl").fetchall()]
        exp = [None if w is None else con.execute(f"SELECT ?::{duck}::VARCHAR", [w]).fetchone()[0] for w in want]
        assert got == exp
    else:
        for g, w in zip(col.to_pylist(), want):
            assert _same(g, w), (g, w)


def test_decode_param_column_text_and_errors():
    assert T.decode_param_column(0, 0, [b"a", None, "é".encode()]).to_pylist() == ["a", None, "é"]
    with pytest.raises(T.ParamError) as e:
        T.decode_param_column(0, 0, [b"ok", b"\xff"])
    assert e.value.sqlstate == "22021"
    with pytest.raises(T.ParamError) as e:
        T.decode_param_column(20, 1, [struct.pack(">q", 1), b"\x00\x01"])
    assert e.value.sqlstate in ("08P01", "22P03")
    with pytest.raises(T.ParamError):
        T.decode_param_column(23, 0, [b"12", b"x"])  # text ints go value by value, with PG's error
