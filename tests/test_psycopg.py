"""psycopg 3 against the gateway, with PostgreSQL 15 (the `pg` fixture) as the oracle.

Where a behaviour exists in PostgreSQL, the same statement runs on both servers and the
results (values, type OIDs, command tags, SQLSTATEs) are compared. DuckDB-only behaviour
(DuckDB types, `range()` for long queries) is checked against the documented mapping.
"""

from __future__ import annotations

import datetime as dt
import math
import socket
import struct
import threading
import time
import uuid
from decimal import Decimal

import pytest

psycopg = pytest.importorskip("psycopg")
from psycopg import errors as E  # noqa: E402
from psycopg import pq  # noqa: E402
from psycopg.types.json import Json, Jsonb  # noqa: E402

# A DuckDB query that runs for minutes unless interrupted.
LONG_QUERY = "SELECT count(*) FROM range(1000000000000) t(i) WHERE i % 7 = 3"


# --------------------------------------------------------------------------- helpers


def uniq(prefix: str = "t") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def lit(s: str | None) -> str:
    return "NULL" if s is None else "'" + s.replace("'", "''") + "'"


@pytest.fixture
def gw(gateway):
    with psycopg.connect(gateway.dsn, autocommit=True, connect_timeout=10) as conn:
        yield conn


@pytest.fixture
def pgc(pg):
    with psycopg.connect(pg.dsn, autocommit=True, connect_timeout=10) as conn:
        yield conn


def norm(v):
    """A value in a form where equality means 'the same value, same Python type, same offset'."""
    if isinstance(v, float):
        return ("float", "NaN" if math.isnan(v) else v)
    if isinstance(v, Decimal):
        return ("Decimal", "NaN" if v.is_nan() else v)
    if isinstance(v, (dt.datetime, dt.time)):
        return (type(v).__name__, v, v.utcoffset())
    if isinstance(v, list):
        return [norm(x) for x in v]
    if isinstance(v, (bytes, bytearray, memoryview)):
        return ("bytes", bytes(v))
    return (type(v).__name__, v)


def run_both(pgc, gw, sql, params=None, binary=False):
    """Run on both; return ((oids, rows) from pg, (oids, rows) from the gateway)."""
    out = []
    for conn in (pgc, gw):
        with conn.cursor(binary=binary) as cur:
            cur.execute(sql, params)
            oids = [d.type_code for d in cur.description]
            out.append((oids, [tuple(norm(v) for v in row) for row in cur.fetchall()]))
    return out


# --------------------------------------------------------------------------- connection


def test_parameter_status_on_connect(pg, gateway):
    keys = ["integer_datetimes", "client_encoding", "server_encoding", "DateStyle", "IntervalStyle",
            "TimeZone", "standard_conforming_strings", "application_name"]
    with psycopg.connect(pg.dsn, application_name="df-test") as p, \
            psycopg.connect(gateway.dsn, application_name="df-test") as g:
        expected = {k: p.info.parameter_status(k) for k in keys}
        got = {k: g.info.parameter_status(k) for k in keys}
        sv = g.info.parameter_status("server_version")
        assert sv is not None and sv.startswith("15.")
        assert g.info.server_version // 10000 == 15
    assert got["integer_datetimes"] == "on"
    assert got["client_encoding"] == "UTF8"
    assert got["DateStyle"].startswith("ISO")
    assert got == expected


def test_backend_pid_and_cancel_key(gw):
    # psycopg's cancel needs the BackendKeyData; pid is reported from it.
    assert gw.info.backend_pid != 0


# --------------------------------------------------------------------------- types

# (type name, cast, literal values) — all rendered as `'<value>'::<cast>`.
TYPES = [
    ("bool", "bool", ["true", "false"]),
    ("int2", "int2", ["-32768", "32767", "0"]),
    ("int4", "int4", ["-2147483648", "2147483647", "42"]),
    ("int8", "int8", ["-9223372036854775808", "9223372036854775807"]),
    ("float4", "float4", ["1.5", "-0.1", "3.4028235e38", "NaN", "-Infinity"]),
    ("float8", "float8", ["0.1", "-1e-300", "1.7976931348623157e308", "NaN", "Infinity"]),
    ("numeric", "numeric", ["0", "-12345.678", "42"]),
    ("numeric_scale", "numeric", ["-12345.678900", "0.00000000000000000001", "1.5"]),
    ("numeric_big", "numeric", ["123456789012345678901234567890.123", "-99999999999999999999"]),
    ("numeric_nan", "numeric", ["NaN"]),
    ("numeric_typmod", "numeric(10,2)", ["3.14159", "-12345678.9"]),
    ("text", "text", ["", "héllo wörld ☃", "tab\there", "quote'\"\\"]),
    ("varchar", "varchar(10)", ["abc", ""]),
    ("bpchar", "char(4)", ["ab", "abcd"]),
    ("name", "name", ["pg_class", "Mixed Case"]),
    ("bytea", "bytea", ["\\x", "\\x00ff7f80"]),
    ("date", "date", ["2024-02-29", "0001-01-01", "9999-12-31", "2000-01-01"]),
    ("time", "time", ["00:00:00", "13:45:56.123456", "23:59:59.999999"]),
    ("timetz", "timetz", ["13:45:56+02", "00:00:01-05:30", "12:00:00.5+00"]),
    ("timestamp", "timestamp", ["2024-02-29 13:45:56.5", "1970-01-01 00:00:00",
                                "2000-01-01 00:00:00.000001", "1900-03-04 05:06:07"]),
    ("timestamptz", "timestamptz", ["2024-02-29 13:45:56.5+00", "1999-12-31 23:59:59-08",
                                    "2000-01-01 00:00:00+05:30"]),
    ("interval", "interval", ["1 day 02:00:00", "-00:00:01", "3 days", "12:34:56.789",
                              "1 year 2 mons 3 days 04:05:06.5"]),
    ("uuid", "uuid", ["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "00000000-0000-0000-0000-000000000000"]),
    ("json", "json", ['{"a": [1, 2.5, null], "b": "x"}', "[]", '"s"', "3"]),
    ("jsonb", "jsonb", ['{"a": [1, 2.5, null], "b": "x"}', "[]", '"s"', "3"]),
    ("oid", "oid", ["0", "4294967295", "12345"]),
]
TYPE_IDS = [t[0] for t in TYPES]
FORMATS = [pytest.param(False, id="text"), pytest.param(True, id="binary")]


def scalar_select(cast: str, values: list[str]) -> str:
    cols = [f"{lit(v)}::{cast} AS c{i}" for i, v in enumerate(values)]
    cols.append(f"NULL::{cast} AS cnull")
    return "SELECT " + ", ".join(cols)


def array_select(cast: str, values: list[str]) -> str:
    elems = ", ".join(f"{lit(v)}::{cast}" for v in values)
    return (f"SELECT ARRAY[{elems}] AS a, ARRAY[{lit(values[0])}::{cast}, NULL] AS anull, "
            f"ARRAY[]::{cast}[] AS aempty, NULL::{cast}[] AS nullarr")


@pytest.mark.parametrize("binary", FORMATS)
@pytest.mark.parametrize("name,cast,values", TYPES, ids=TYPE_IDS)
def test_type_result(pgc, gw, name, cast, values, binary):
    exp, got = run_both(pgc, gw, scalar_select(cast, values), binary=binary)
    assert got[0] == exp[0], "type OIDs differ"
    assert got[1] == exp[1]


@pytest.mark.parametrize("binary", FORMATS)
@pytest.mark.parametrize("name,cast,values", TYPES, ids=TYPE_IDS)
def test_array_result(pgc, gw, name, cast, values, binary):
    exp, got = run_both(pgc, gw, array_select(cast, values), binary=binary)
    assert got[0] == exp[0], "type OIDs differ"
    assert got[1] == exp[1]


def _wrap(name: str, v):
    """psycopg needs json values wrapped (a dict/list alone is not a json parameter)."""
    if v is None:
        return None
    if name == "json":
        return Json(v)
    if name == "jsonb":
        return Jsonb(v)
    return v


@pytest.mark.parametrize("binary", FORMATS)
@pytest.mark.parametrize("name,cast,values", TYPES, ids=TYPE_IDS)
def test_param_roundtrip(pgc, gw, name, cast, values, binary):
    """Values psycopg loaded from PostgreSQL go back as parameters (text or binary) and return."""
    with pgc.cursor() as cur:
        cur.execute(scalar_select(cast, values))
        py_values = list(cur.fetchone())
        cur.execute(array_select(cast, values))
        py_arrays = list(cur.fetchone())
    ph = "%b" if binary else "%t"
    for v in py_values:
        sql = f"SELECT {ph}::{cast} AS v"
        exp, got = run_both(pgc, gw, sql, [_wrap(name, v)], binary=binary)
        assert got == exp, f"parameter {v!r}"
    for arr in py_arrays[:2]:
        v = [_wrap(name, x) for x in arr]
        sql = f"SELECT {ph}::{cast}[] AS v"
        exp, got = run_both(pgc, gw, sql, [v], binary=binary)
        assert got == exp, f"parameter {v!r}"


@pytest.mark.parametrize("binary", FORMATS)
def test_numeric_with_more_than_18_decimals(pgc, gw, binary):
    """numeric(38,20): 10**20 is past int64, where the vectorised text encoder works; such
    values go out per value (this used to drop the connection)."""
    sql = ("SELECT v::numeric(38,20) AS v, ARRAY[v::numeric(38,20)] AS a FROM (VALUES ('1.5'), "
           "('-0.00000000000000000001'), ('123456789012345678.12345678901234567890'), (NULL), ('0')) AS t(v)")
    exp, got = run_both(pgc, gw, sql, binary=binary)
    assert got == exp


def test_result_column_metadata(pgc, gw):
    # RowDescription: OID, typlen, typmod (precision/scale/length), as PostgreSQL reports them.
    sql = ("SELECT 1::int2 AS a, 1::int8 AS b, 1.5::numeric(10,2) AS c, 'x'::varchar(7) AS d, "
           "'x'::char(3) AS e, now()::timestamptz(3) AS f, 1.0::float8 AS g, 'x'::text AS h, "
           "'1 day'::interval AS i, true AS j, ARRAY[1]::int4[] AS k")
    res = []
    for conn in (pgc, gw):
        cur = conn.execute(sql)
        res.append([(d.name, d.type_code, d.internal_size, d.display_size, d.precision, d.scale)
                    for d in cur.description])
    assert res[1] == res[0]


# DuckDB-only types: sent as the nearest PostgreSQL type (DESIGN.md / gateway.protocol.types).
DUCK_TYPES = [
    ("hugeint_max", "170141183460469231731687303715884105727::HUGEINT", 1700,
     Decimal("170141183460469231731687303715884105727")),
    ("hugeint_min", "(-170141183460469231731687303715884105727 - 1)::HUGEINT", 1700,
     Decimal("-170141183460469231731687303715884105728")),
    ("utinyint", "255::UTINYINT", 21, 255),
    ("usmallint", "65535::USMALLINT", 23, 65535),
    ("uinteger", "4294967295::UINTEGER", 26, 4294967295),  # oid: the catalog's OID columns are UINTEGER
    ("ubigint", "18446744073709551615::UBIGINT", 1700, Decimal("18446744073709551615")),
    ("uhugeint", "340282366920938463463374607431768211455::UHUGEINT", 1700,
     Decimal("340282366920938463463374607431768211455")),
    ("struct", "{'a': 1, 'b': 'x', 'c': NULL}", 114, {"a": 1, "b": "x", "c": None}),
    ("nested_struct", "{'a': {'b': [1, 2]}, 'd': 2.5::DOUBLE}", 114, {"a": {"b": [1, 2]}, "d": 2.5}),
    ("map", "MAP {'k': 1, 'j': 2}", 114, {"k": 1, "j": 2}),
    ("list_of_struct", "[{'x': 1}, {'x': 2}]", 114, [{"x": 1}, {"x": 2}]),
    ("enum", "'b'::ENUM('a', 'b')", 25, "b"),
    ("union_int", "union_value(n := 2)::UNION(n INTEGER, s VARCHAR)", 114, 2),
    ("union_str", "union_value(s := 'hi')::UNION(n INTEGER, s VARCHAR)", 114, "hi"),
]


@pytest.mark.parametrize("binary", FORMATS)
@pytest.mark.parametrize("name,expr,oid,value", DUCK_TYPES, ids=[d[0] for d in DUCK_TYPES])
def test_duckdb_only_type(gw, name, expr, oid, value, binary):
    with gw.cursor(binary=binary) as cur:
        cur.execute(f"SELECT {expr} AS v")
        assert cur.description[0].type_code == oid
        assert cur.fetchone()[0] == value


def test_duckdb_types_in_table_columns(gw):
    t = uniq()
    gw.execute(f"CREATE TABLE {t} (h HUGEINT, u UBIGINT, s STRUCT(a INTEGER, b VARCHAR), "
               f"m MAP(VARCHAR, INTEGER), e ENUM('lo', 'hi'), l INTEGER[])")
    gw.execute(f"INSERT INTO {t} VALUES (12345678901234567890123, 18446744073709551615, "
               f"{{'a': 1, 'b': 'x'}}, MAP {{'k': 7}}, 'hi', [1, 2, NULL])")
    for binary in (False, True):
        cur = gw.cursor(binary=binary)
        cur.execute(f"SELECT h, u, s, m, e, l FROM {t}")
        assert [d.type_code for d in cur.description] == [1700, 1700, 114, 114, 25, 1007]
        assert cur.fetchone() == (Decimal("12345678901234567890123"), Decimal("18446744073709551615"),
                                  {"a": 1, "b": "x"}, {"k": 7}, "hi", [1, 2, None])
    gw.execute(f"DROP TABLE {t}")


# --------------------------------------------------------------------------- command tags


def test_command_tags(pgc, gw):
    t = uniq()
    stmts = [
        f"CREATE TABLE {t} (id int PRIMARY KEY, v text)",
        f"INSERT INTO {t} VALUES (1, 'a'), (2, 'b'), (3, 'c')",
        f"INSERT INTO {t} SELECT 10 + g, 'x' FROM generate_series(1, 4) AS s(g)",
        f"INSERT INTO {t} VALUES (20, 'r') RETURNING id",
        f"SELECT * FROM {t}",
        f"SELECT * FROM {t} WHERE false",
        f"UPDATE {t} SET v = 'u' WHERE id > 10",
        f"UPDATE {t} SET v = 'none' WHERE id < 0",
        f"DELETE FROM {t} WHERE id IN (1, 2)",
        f"CREATE TABLE {t}_2 AS SELECT * FROM {t}",
        f"CREATE VIEW {t}_v AS SELECT id FROM {t}",
        f"DROP VIEW {t}_v",
        f"DROP TABLE {t}_2",
        "BEGIN",
        f"DELETE FROM {t}",
        "ROLLBACK",
        "BEGIN",
        "COMMIT",
        "START TRANSACTION",
        "COMMIT",
        "SET TimeZone = 'UTC'",
        "SHOW TimeZone",
        "RESET TimeZone",
        f"ALTER TABLE {t} ADD COLUMN w int",
        f"CREATE INDEX {t}_idx ON {t} (v)",
        f"DROP INDEX {t}_idx",
        f"TRUNCATE {t}",
        f"DROP TABLE {t}",
    ]
    exp, got = [], []
    for conn, out in ((pgc, exp), (gw, got)):
        for s in stmts:
            cur = conn.execute(s)
            out.append((s, cur.statusmessage, cur.rowcount))
    assert got == exp


def test_multiple_statements_in_one_simple_query(pgc, gw):
    t = uniq()
    sql = (f"CREATE TABLE {t} (a int); INSERT INTO {t} VALUES (1), (2); SELECT a FROM {t} ORDER BY a; "
           f"UPDATE {t} SET a = a * 10; SELECT sum(a) AS s FROM {t}; DROP TABLE {t}")
    res = []
    for conn in (pgc, gw):
        cur = conn.cursor()
        cur.execute(sql)  # no parameters: one simple Query message
        out = []
        while True:
            rows = cur.fetchall() if cur.pgresult.status == pq.ExecStatus.TUPLES_OK else None
            out.append((cur.statusmessage, rows))
            if not cur.nextset():
                break
        res.append(out)
    assert res[1] == res[0]
    assert len(res[1]) == 6


def test_multi_statement_error_stops_the_rest(pgc, gw):
    t = uniq()
    for conn in (pgc, gw):
        conn.execute(f"CREATE TABLE {t} (a int)")
    codes = []
    for conn in (pgc, gw):
        with pytest.raises(E.DivisionByZero):
            conn.execute(f"INSERT INTO {t} VALUES (1); SELECT 1/0; INSERT INTO {t} VALUES (2)")
        # The simple Query is one implicit transaction: the first INSERT is rolled back too.
        codes.append(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0])
        conn.execute(f"DROP TABLE {t}")
    assert codes[1] == codes[0] == 0


@pytest.mark.parametrize("sql", ["", "   ", ";", "-- only a comment", "/* block */", " ; ; "])
def test_empty_query(pgc, gw, sql):
    res = []
    for conn in (pgc, gw):
        r = conn.pgconn.exec_(sql.encode())
        res.append(r.status)
        assert conn.execute("SELECT 1").fetchone() == (1,)
    assert res[1] == res[0] == pq.ExecStatus.EMPTY_QUERY


def test_comments_around_statements(pgc, gw):
    sql = "-- leading\nSELECT /* inline */ 1 AS a -- trailing\n, 2 AS b /* end */"
    exp, got = run_both(pgc, gw, sql)
    assert got == exp


# --------------------------------------------------------------------------- settings


def test_show_set_reset_timezone(pgc, gw):
    ts = "SELECT '2024-07-01 12:00:00+00'::timestamptz AS t, '2024-07-01 12:00:00+00'::timestamptz::text AS s"
    res = []
    for conn in (pgc, gw):
        out = [conn.execute("SHOW TimeZone").fetchone()]
        conn.execute("SET TimeZone = 'Asia/Tokyo'")
        out.append(conn.info.parameter_status("TimeZone"))  # ParameterStatus after SET
        out.append(conn.execute("SHOW TimeZone").fetchone())
        row = conn.execute(ts).fetchone()
        out.append((row[0].utcoffset(), row[1]))
        conn.execute("SET TIME ZONE 'America/New_York'")
        row = conn.cursor(binary=True).execute(ts).fetchone()
        out.append((row[0].utcoffset(), row[1], conn.info.parameter_status("TimeZone")))
        conn.execute("RESET TimeZone")
        out.append(conn.execute("SHOW TimeZone").fetchone())
        out.append(conn.info.parameter_status("TimeZone"))
        out.append(conn.execute(ts).fetchone()[1])
        res.append(out)
    assert res[1] == res[0]
    assert res[1][3] == (dt.timedelta(hours=9), "2024-07-01 21:00:00+09")


def test_set_local_and_session_settings(pgc, gw):
    res = []
    for conn in (pgc, gw):
        out = []
        conn.execute("SET statement_timeout = '100ms'")
        out.append(conn.execute("SHOW statement_timeout").fetchone())
        conn.execute("RESET statement_timeout")
        out.append(conn.execute("SHOW statement_timeout").fetchone())
        out.append(conn.execute("SELECT current_setting('TimeZone')").fetchone())
        conn.execute("SET application_name = 'renamed'")
        out.append(conn.info.parameter_status("application_name"))
        with conn.transaction():
            conn.execute("SET LOCAL TimeZone = 'Europe/Paris'")
            out.append(conn.execute("SHOW TimeZone").fetchone())
        out.append(conn.execute("SHOW TimeZone").fetchone())
        res.append(out)
    assert res[1] == res[0]


# --------------------------------------------------------------------------- executemany, cursors


def test_executemany(pgc, gw):
    t = uniq()
    rows = [(i, f"v{i}", i * 1.5 if i % 3 else None) for i in range(200)]
    res = []
    for conn in (pgc, gw):
        conn.execute(f"CREATE TABLE {t} (id int PRIMARY KEY, v text, f float8)")
        cur = conn.cursor()
        cur.executemany(f"INSERT INTO {t} (id, v, f) VALUES (%s, %s, %s)", rows)
        rc = cur.rowcount
        cur.executemany(f"UPDATE {t} SET v = %s WHERE id = %s", [("u", 1), ("u", 2), ("u", 999)])
        rc2 = cur.rowcount
        cur.executemany(f"INSERT INTO {t} (id, v) VALUES (%s, %s) RETURNING id * 2", [(1000, "a"), (1001, "b")],
                        returning=True)
        ret = []
        while True:
            ret.append(cur.fetchall())
            if not cur.nextset():
                break
        data = conn.execute(f"SELECT id, v, f FROM {t} ORDER BY id").fetchall()
        conn.execute(f"DROP TABLE {t}")
        res.append((rc, rc2, ret, data))
    assert res[1] == res[0]
    assert res[1][0] == 200 and res[1][1] == 2


def test_executemany_error_reports_and_session_recovers(pgc, gw):
    t = uniq()
    res = []
    for conn in (pgc, gw):
        conn.execute(f"CREATE TABLE {t} (id int PRIMARY KEY)")
        with pytest.raises(E.UniqueViolation):
            conn.cursor().executemany(f"INSERT INTO {t} VALUES (%s)", [(1,), (2,), (1,), (3,)])
        res.append(conn.execute(f"SELECT array_agg(id ORDER BY id) FROM {t}").fetchone())
        conn.execute(f"DROP TABLE {t}")
    assert res[1] == res[0]


EM_TYPES = "(id int8, a int2, b int4, c float4, d float8, e date, f timestamp, g timestamptz, " \
           "h text, i bool, j numeric(10,2), k uuid, l bytea)"


def _em_row(i: int) -> tuple:
    def null(v):  # every column gets some NULLs, at different rows
        return None if i % 11 == len(str(v)) % 11 else v
    return (i, null(i % 300 - 150), null(i * 1000), null(i / 8), null(i / 3 - 7), null(dt.date(1990, 1, 1) + dt.timedelta(days=i * 37)),
            null(dt.datetime(2001, 2, 3, 4, 5, 6, 789) + dt.timedelta(minutes=i * 97)),
            null(dt.datetime(2020, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=i % 5))) + dt.timedelta(seconds=i * 7919)),
            null(f"héllo {i}, \"q\" \\ '"), null(i % 3 == 0), null(Decimal(i) / 4), null(uuid.UUID(int=i * 7777)),
            null(bytes([i % 256, 0, 255])))


@pytest.mark.parametrize("autocommit", [True, False])
def test_executemany_many_rows_every_type(pg, gateway, autocommit):
    """Batches past the columnar threshold decode each parameter column at once: the stored
    values must be exactly PostgreSQL's, NULLs included, binary and text parameters alike."""
    t = uniq()
    rows = [_em_row(i) for i in range(300)]
    res = []
    for dsn in (pg.dsn, gateway.dsn):
        with psycopg.connect(dsn, autocommit=autocommit) as conn:
            conn.execute(f"CREATE TABLE {t} {EM_TYPES}")
            conn.commit()
            cur = conn.cursor()
            cur.executemany(f"INSERT INTO {t} VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", rows)
            cur.executemany(f"INSERT INTO {t} (id, h, a) VALUES (%t, %t, %t)", [(1000 + i, f"t{i}", i) for i in range(100)])
            conn.commit()
            data = conn.execute(f"SELECT * FROM {t} ORDER BY id").fetchall()
            conn.execute(f"DROP TABLE {t}")
            conn.commit()
            res.append([tuple(norm(v) for v in r) for r in data])
    assert len(res[0]) == 400
    assert res[1] == res[0]


@pytest.mark.parametrize("autocommit", [True, False])
def test_executemany_bad_value_mid_batch_keeps_nothing(pg, gateway, autocommit):
    """A value PostgreSQL refuses in row 150 of 200: the same error, and none of the batch is
    kept (the batch is one implicit transaction, or aborts the explicit one)."""
    t = uniq()
    rows = [(i, str(i)) for i in range(200)]
    rows[150] = (150, "not a number")
    res = []
    for dsn in (pg.dsn, gateway.dsn):
        with psycopg.connect(dsn, autocommit=autocommit) as conn:
            conn.execute(f"CREATE TABLE {t} (id int8, v int4)")
            conn.commit()
            with pytest.raises(psycopg.Error) as ei:
                conn.cursor().executemany(f"INSERT INTO {t} VALUES (%s, %s::int4)", rows)
            conn.rollback()
            n = conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            conn.execute(f"DROP TABLE {t}")
            conn.commit()
            res.append((ei.value.sqlstate, n))
    assert res[0] == ("22P02", 0)
    assert res[1] == res[0]


@pytest.mark.parametrize("bad", [None, "duplicate", "value", "duplicate_late"])
def test_executemany_in_transaction_large_batches(pg, gateway, bad):
    """Thousands of rows in a transaction: the gateway appends them while the client is still
    sending. Every row lands exactly once; a bad row (a duplicate key, caught by DuckDB, or a
    value the type refuses) gives PostgreSQL's error, none of the transaction's rows survive
    the rollback, and the session goes on."""
    t = uniq()
    rows = [(i, i % 1000, f"row {i}") for i in range(4000)]
    if bad == "duplicate":
        rows[1000] = (17, 0, "dup")
    elif bad == "duplicate_late":
        rows[3990] = (3000, 0, "dup")
    elif bad == "value":
        rows[1500] = (1500, "many", "x")
    res = []
    for dsn in (pg.dsn, gateway.dsn):
        with psycopg.connect(dsn) as conn:
            conn.execute(f"CREATE TABLE {t} (id int8 PRIMARY KEY, a int4, s text)")
            conn.commit()
            cur = conn.cursor()
            cur.executemany(f"INSERT INTO {t} VALUES (%s, %s, %s)", rows[:1000])  # a committed batch first
            conn.commit()
            state = None
            try:
                cur.executemany(f"INSERT INTO {t} VALUES (%s, %s, %s)", [(i + 10_000, a, s) for i, a, s in rows])
                conn.commit()
            except psycopg.Error as e:
                state = e.sqlstate
                conn.rollback()
            data = conn.execute(f"SELECT count(*), sum(id), sum(a), min(s), max(s) FROM {t}").fetchone()
            conn.execute(f"DROP TABLE {t}")
            conn.commit()
            res.append((state, data))
    if bad is None:
        assert res[0][1][0] == 5000
    else:
        assert res[0][0] is not None and res[0][1][0] == 1000
    assert res[1] == res[0]


def test_user_keywords_are_the_session_user(pgc, gw, gateway):
    sql = "SELECT current_user, session_user, user, current_role, current_user = session_user AS same"
    res = []
    for conn in (pgc, gw):
        cur = conn.execute(sql)
        res.append(([d.name for d in cur.description], cur.fetchall()))
    assert res[1] == res[0]
    with psycopg.connect(gateway.dsn.replace("user=postgres", "user=alice"), autocommit=True) as alice:
        assert alice.execute(sql).fetchone() == ("alice", "alice", "alice", "alice", True)


@pytest.mark.parametrize("sql", [
    "SELECT lower(1, 'a', 2.5)",
    "SELECT no_such_fn_x('x', NULL, true, 3000000000, 1::bigint, 'a'::text, -7)",
])
def test_undefined_function_names_argument_types(pgc, gw, sql):
    """42883 names the argument types PostgreSQL resolved (integer, unknown, numeric…) and
    gives PostgreSQL's hint, not DuckDB's candidate list."""
    res = []
    for conn in (pgc, gw):
        with pytest.raises(psycopg.Error) as ei:
            conn.execute(sql)
        d = ei.value.diag
        res.append((ei.value.sqlstate, d.message_primary, d.message_hint, d.message_detail))
    assert res[1] == res[0]


def test_backend_pid_is_the_sessions(gw):
    """pg_backend_pid() is the pid BackendKeyData gave this session, and pg_stat_activity
    lists the session under it (clients join the two, e.g. to cancel their own queries)."""
    pid = gw.info.backend_pid
    assert gw.execute("SELECT pg_backend_pid()").fetchone() == (pid,)
    with psycopg.connect(gw.info.dsn, autocommit=True) as other:
        assert other.execute("SELECT pg_backend_pid()").fetchone() == (other.info.backend_pid,)
        assert other.info.backend_pid != pid
    assert gw.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = pg_backend_pid()").fetchone() == (1,)


def test_sql_prepare_execute_deallocate(pgc, gw):
    """SQL-level PREPARE/EXECUTE/DEALLOCATE: results, command tags and error codes as in
    PostgreSQL (the extended protocol runs each, so EXECUTE is also Described)."""
    t = uniq()
    script = [
        "PREPARE p1(int, text) AS SELECT $1 + 1 AS n, $2 || '!' AS s",
        "EXECUTE p1(41, 'it''s')",
        "EXECUTE p1(NULL, 'x')",
        "EXECUTE p1(1)",
        "EXECUTE p1('x', 'y')",
        "PREPARE p1 AS SELECT 1",
        "PREPARE p2 AS SELECT i FROM generate_series(1, $1) AS g(i)",
        "EXECUTE p2(3)",
        "PREPARE p3(date, numeric(10,2)) AS SELECT $1 + 1 AS d, $2 * 2 AS x",
        "EXECUTE p3('2020-02-28', 1.25)",
        f"CREATE TABLE {t} (a int)",
        f"PREPARE p4(int) AS INSERT INTO {t} VALUES ($1)",
        "EXECUTE p4(5)",
        "EXECUTE p4(6)",
        f"SELECT a FROM {t} ORDER BY a",
        "DEALLOCATE p2",
        "EXECUTE p2(1)",
        "DEALLOCATE PREPARE p3",
        "DEALLOCATE ALL",
        "EXECUTE p1(1, 'a')",
        f"DROP TABLE {t}",
    ]
    res = []
    for conn in (pgc, gw):
        out = []
        for sql in script:
            try:
                cur = conn.execute(sql)
                rows = cur.fetchall() if cur.description else None
                out.append((sql, rows, cur.statusmessage))
            except psycopg.Error as e:
                out.append((sql, "error", e.sqlstate))
        res.append(out)
    assert res[1] == res[0]


@pytest.mark.parametrize("itersize", [1, 7, 1000])
def test_server_side_named_cursor(pg, gateway, itersize):
    res = []
    for dsn in (pg.dsn, gateway.dsn):
        with psycopg.connect(dsn) as conn:  # not autocommit: the cursor lives in the transaction
            with conn.cursor(name="ssc") as cur:
                cur.itersize = itersize
                cur.execute("SELECT i::int4 AS i, i::text AS s FROM generate_series(1, 50) AS g(i)")
                first = cur.fetchone()
                some = cur.fetchmany(5)
                rest = list(cur)
                desc = [(d.name, d.type_code) for d in cur.description]
            conn.commit()
        res.append((first, some, rest, desc))
    assert res[1] == res[0]
    assert len(res[1][2]) == 44


def test_server_side_cursor_scroll_and_withhold(pg, gateway):
    res = []
    for dsn in (pg.dsn, gateway.dsn):
        with psycopg.connect(dsn, autocommit=True) as conn:
            with conn.cursor(name="held", withhold=True, scrollable=True) as cur:
                cur.execute("SELECT i::int4 AS i FROM generate_series(1, 20) AS g(i)")
                a = cur.fetchmany(3)
                cur.scroll(5)
                b = cur.fetchone()
                cur.scroll(0, mode="absolute")
                c = cur.fetchone()
        res.append((a, b, c))
    assert res[1] == res[0]
    assert res[1] == ([(1,), (2,), (3,)], (9,), (1,))


SCROLL_STEPS = (
    "FETCH 3 FROM s", "FETCH PRIOR FROM s", "FETCH BACKWARD 5 FROM s", "FETCH NEXT FROM s",
    "FETCH LAST FROM s", "FETCH NEXT FROM s", "FETCH PRIOR FROM s", "FETCH ABSOLUTE 4 FROM s",
    "FETCH ABSOLUTE -2 FROM s", "FETCH RELATIVE -3 FROM s", "FETCH RELATIVE 0 FROM s", "FETCH FORWARD 0 FROM s",
    "FETCH RELATIVE 100 FROM s", "FETCH BACKWARD 2 FROM s", "FETCH BACKWARD ALL FROM s", "FETCH FIRST FROM s",
    "MOVE FORWARD 4 IN s", "FETCH FROM s", "MOVE ABSOLUTE 0 IN s", "FETCH FORWARD ALL FROM s",
    "MOVE BACKWARD 3 IN s", "FETCH -2 FROM s", "FETCH FORWARD -1 FROM s", "MOVE LAST IN s",
    "MOVE RELATIVE 1 IN s", "FETCH ALL FROM s", "FETCH ABSOLUTE 0 FROM s", "MOVE ABSOLUTE 99 IN s",
    "FETCH BACKWARD 0 FROM s", "FETCH ABSOLUTE 12 FROM s",
)


@pytest.mark.parametrize("query", [
    "SELECT i::int4 AS i, 'r' || i AS r, i * 1.5 AS f FROM generate_series(1, 12) AS g(i) ORDER BY i DESC",
    "SELECT i::int4 AS i FROM generate_series(1, 0) AS g(i)",
    "SELECT 1 AS a, 2 AS a, 'x' || 3",
])
def test_sql_scroll_cursor(pgc, gw, query):
    """A SCROLL cursor moved every way FETCH and MOVE allow: the same rows, order and tags."""
    res = []
    for conn in (pgc, gw):
        out = []
        with conn.transaction():
            cur = conn.cursor()
            cur.execute(f"DECLARE s SCROLL CURSOR FOR {query}")
            for step in SCROLL_STEPS:
                cur.execute(step)
                out.append((step, cur.statusmessage, cur.fetchall() if cur.description else None))
            cur.execute("CLOSE s")
        res.append(out)
    assert res[1] == res[0]


def test_sql_declare_fetch_close(pgc, gw):
    res = []
    for conn in (pgc, gw):
        out = []
        with conn.transaction():
            cur = conn.cursor()
            cur.execute("DECLARE c1 CURSOR FOR SELECT i::int4 AS i, 'r' || i AS r FROM generate_series(1, 10) AS g(i)")
            out.append(cur.statusmessage)
            for stmt in ("FETCH 3 FROM c1", "FETCH NEXT FROM c1", "FETCH FORWARD 2 FROM c1",
                         "MOVE 1 IN c1", "FETCH ALL FROM c1", "FETCH 5 FROM c1"):
                cur.execute(stmt)
                rows = cur.fetchall() if cur.description else None
                out.append((stmt, cur.statusmessage, rows))
            cur.execute("CLOSE c1")
            out.append(cur.statusmessage)
        res.append(out)
    assert res[1] == res[0]


def test_sql_declare_fetch_close_no_savepoint(pgc, gw):
    # Same as above without psycopg's nested transaction (no SAVEPOINT needed).
    res = []
    for conn in (pgc, gw):
        out = []
        conn.execute("BEGIN")
        conn.execute("DECLARE c2 CURSOR FOR SELECT i::int4 AS i FROM generate_series(1, 5) AS g(i)")
        cur = conn.execute("FETCH 2 FROM c2")
        out.append((cur.statusmessage, cur.fetchall(), [d.type_code for d in cur.description]))
        cur = conn.execute("FETCH ALL FROM c2")
        out.append((cur.statusmessage, cur.fetchall()))
        cur = conn.execute("CLOSE c2")
        out.append(cur.statusmessage)
        with pytest.raises(E.InvalidCursorName) as ei:
            conn.execute("FETCH 1 FROM c2")
        out.append(ei.value.sqlstate)
        conn.execute("ROLLBACK")
        res.append(out)
    assert res[1] == res[0]


def test_declare_outside_transaction_is_an_error(pgc, gw):
    codes = []
    for conn in (pgc, gw):
        with pytest.raises(psycopg.Error) as ei:
            conn.execute("DECLARE c3 CURSOR FOR SELECT 1")
        codes.append(ei.value.sqlstate)
        assert conn.execute("SELECT 1").fetchone() == (1,)
    assert codes[1] == codes[0] == "25P01"


def test_stream_large_result(gw):
    n = 200_000
    cur = gw.cursor()
    count = 0
    total = 0
    for (i,) in cur.stream(f"SELECT i FROM generate_series(1, {n}) AS g(i)"):
        count += 1
        total += i
    assert (count, total) == (n, n * (n + 1) // 2)


# --------------------------------------------------------------------------- pipeline


def test_pipeline_mode(pgc, gw):
    t = uniq()
    res = []
    for conn in (pgc, gw):
        conn.execute(f"CREATE TABLE {t} (id int PRIMARY KEY, v text)")
        with conn.pipeline():
            cur = conn.cursor()
            cur.execute(f"INSERT INTO {t} VALUES (%s, %s)", (1, "a"))
            cur.execute(f"INSERT INTO {t} VALUES (%s, %s)", (2, "b"))
            c2 = conn.cursor()
            c2.execute(f"SELECT v FROM {t} WHERE id = %s", (2,))
            c3 = conn.cursor()
            c3.execute("SELECT %s::int + %s::int AS s", (40, 2))
        out = [c2.fetchall(), c3.fetchall(), c2.statusmessage]
        # an error inside a pipeline aborts the rest of it; the connection recovers afterwards
        with pytest.raises(E.UniqueViolation):
            with conn.pipeline():
                conn.execute(f"INSERT INTO {t} VALUES (%s, %s)", (3, "c"))
                conn.execute(f"INSERT INTO {t} VALUES (%s, %s)", (1, "dup"))
                conn.execute(f"INSERT INTO {t} VALUES (%s, %s)", (4, "d"))
        out.append(conn.execute(f"SELECT id, v FROM {t} ORDER BY id").fetchall())
        conn.execute(f"DROP TABLE {t}")
        res.append(out)
    assert res[1] == res[0]


def test_pipeline_in_transaction(pg, gateway):
    t = uniq()
    res = []
    for dsn in (pg.dsn, gateway.dsn):
        with psycopg.connect(dsn) as conn:
            conn.execute(f"CREATE TABLE {t} (id int)")
            conn.commit()
            with conn.pipeline():
                cur = conn.cursor()
                cur.executemany(f"INSERT INTO {t} VALUES (%s)", [(i,) for i in range(50)])
                sel = conn.execute(f"SELECT count(*), sum(id) FROM {t}")
            out = [sel.fetchone(), conn.info.transaction_status]
            conn.rollback()
            out.append(conn.execute(f"SELECT count(*) FROM {t}").fetchone())
            conn.commit()
            conn.execute(f"DROP TABLE {t}")
            conn.commit()
        res.append(out)
    assert res[1] == res[0]
    assert res[1][0] == (50, 1225)


# --------------------------------------------------------------------------- transactions


def test_transaction_commit_and_visibility(gateway):
    t = uniq()
    with psycopg.connect(gateway.dsn, autocommit=True) as a, psycopg.connect(gateway.dsn, autocommit=True) as b:
        a.execute(f"CREATE TABLE {t} (id int)")
        a.execute("BEGIN")
        assert a.info.transaction_status == pq.TransactionStatus.INTRANS
        a.execute(f"INSERT INTO {t} VALUES (1), (2)")
        # reads see own writes inside the transaction
        assert a.execute(f"SELECT count(*) FROM {t}").fetchone() == (2,)
        # others do not see them before COMMIT
        assert b.execute(f"SELECT count(*) FROM {t}").fetchone() == (0,)
        cur = a.execute("COMMIT")
        assert cur.statusmessage == "COMMIT"
        assert a.info.transaction_status == pq.TransactionStatus.IDLE
        assert b.execute(f"SELECT count(*) FROM {t}").fetchone() == (2,)
        a.execute(f"DROP TABLE {t}")


def test_transaction_rollback(gateway):
    t = uniq()
    with psycopg.connect(gateway.dsn) as conn:  # psycopg's implicit BEGIN
        conn.execute(f"CREATE TABLE {t} (id int)")
        conn.commit()
        conn.execute(f"INSERT INTO {t} VALUES (1)")
        conn.execute(f"UPDATE {t} SET id = 5")
        assert conn.execute(f"SELECT id FROM {t}").fetchall() == [(5,)]
        conn.rollback()
        assert conn.execute(f"SELECT count(*) FROM {t}").fetchone() == (0,)
        conn.commit()
        with conn.transaction():  # outermost: BEGIN ... COMMIT (no savepoint)
            conn.execute(f"INSERT INTO {t} VALUES (7)")
        assert conn.execute(f"SELECT id FROM {t}").fetchall() == [(7,)]
        conn.execute(f"DROP TABLE {t}")
        conn.commit()


def test_failed_transaction_25P02_until_rollback(pgc, gw):
    t = uniq()
    res = []
    for conn in (pgc, gw):
        out = []
        conn.execute(f"CREATE TABLE {t} (id int)")
        conn.execute("BEGIN")
        conn.execute(f"INSERT INTO {t} VALUES (1)")
        with pytest.raises(E.DivisionByZero):
            conn.execute("SELECT 1/0")
        out.append(conn.info.transaction_status)
        for stmt in ("SELECT 1", f"INSERT INTO {t} VALUES (2)", "SHOW TimeZone"):
            with pytest.raises(E.InFailedSqlTransaction) as ei:
                conn.execute(stmt)
            out.append(ei.value.sqlstate)
        with pytest.raises(E.InFailedSqlTransaction):
            conn.execute("SELECT %s::int", [1])  # extended protocol too
        cur = conn.execute("ROLLBACK")
        out.append(cur.statusmessage)
        out.append(conn.info.transaction_status)
        out.append(conn.execute(f"SELECT count(*) FROM {t}").fetchone())
        conn.execute(f"DROP TABLE {t}")
        res.append(out)
    assert res[1] == res[0]
    assert res[1][1:4] == ["25P02"] * 3


def test_commit_of_failed_transaction_reports_rollback(pgc, gw):
    t = uniq()
    res = []
    for conn in (pgc, gw):
        conn.execute(f"CREATE TABLE {t} (id int)")
        conn.execute("BEGIN")
        conn.execute(f"INSERT INTO {t} VALUES (1)")
        with pytest.raises(E.UndefinedTable):
            conn.execute("SELECT * FROM no_such_table_commit")
        cur = conn.execute("COMMIT")
        res.append((cur.statusmessage, conn.info.transaction_status,
                    conn.execute(f"SELECT count(*) FROM {t}").fetchone()))
        conn.execute(f"DROP TABLE {t}")
    assert res[1] == res[0]
    assert res[1][0] == "ROLLBACK"


def test_transaction_status_and_warnings(pgc, gw):
    res = []
    for conn in (pgc, gw):
        notices = []
        conn.add_notice_handler(lambda d: notices.append((d.severity, d.sqlstate)))
        out = [conn.execute("COMMIT").statusmessage]  # no transaction in progress: WARNING 25P01
        out.append(conn.execute("BEGIN").statusmessage)
        out.append(conn.execute("BEGIN").statusmessage)  # already in progress: WARNING 25001
        out.append(conn.execute("ROLLBACK").statusmessage)
        out.append(notices)
        res.append(out)
    assert res[1] == res[0]


def test_savepoint_emulated_or_refused_with_0A000(gateway):
    # DESIGN: savepoints are emulated or refused with 0A000 — never silently ignored.
    t = uniq()
    with psycopg.connect(gateway.dsn, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {t} (id int)")
        conn.execute("BEGIN")
        conn.execute(f"INSERT INTO {t} VALUES (1)")
        try:
            conn.execute("SAVEPOINT s1")
        except psycopg.Error as e:
            assert e.sqlstate == "0A000", e
            conn.execute("ROLLBACK")
            assert conn.execute(f"SELECT count(*) FROM {t}").fetchone() == (0,)
        else:
            conn.execute(f"INSERT INTO {t} VALUES (2)")
            try:
                conn.execute("ROLLBACK TO SAVEPOINT s1")
            except psycopg.Error as e:
                # refusing to undo the writes is allowed, with 0A000 — and nothing half-done commits
                assert e.sqlstate == "0A000", e
                conn.execute("ROLLBACK")
                assert conn.execute(f"SELECT count(*) FROM {t}").fetchone() == (0,)
            else:
                conn.execute("COMMIT")
                assert conn.execute(f"SELECT id FROM {t} ORDER BY id").fetchall() == [(1,)]
        conn.execute(f"DROP TABLE {t}")


# --------------------------------------------------------------------------- errors

ERRORS = [
    ("42P01", None, "SELECT * FROM no_such_table_xyz"),
    ("42703", None, "SELECT no_such_col FROM (SELECT 1 AS a) AS s"),
    ("42601", None, "SELEC 1"),
    ("42601", None, "SELECT (1"),
    ("42883", None, "SELECT no_such_function_xyz(1)"),
    ("42883", None, "SELECT 'a'::text - 1"),
    ("23505", "CREATE TABLE {t} (id int PRIMARY KEY); INSERT INTO {t} VALUES (1)",
     "INSERT INTO {t} VALUES (1)"),
    ("23505", "CREATE TABLE {t} (id int, u text UNIQUE); INSERT INTO {t} VALUES (1, 'a')",
     "INSERT INTO {t} VALUES (3, 'a')"),
    ("23502", "CREATE TABLE {t} (id int NOT NULL)", "INSERT INTO {t} VALUES (NULL)"),
    ("22P02", None, "SELECT 'abc'::int"),
    ("22P02", None, "SELECT 'not-a-uuid'::uuid"),
    ("22012", None, "SELECT 1 / 0"),
    ("22012", None, "SELECT 1.0 / 0"),
    ("22003", None, "SELECT 2147483647::int4 + 1"),
    ("22008", None, "SELECT '2024-02-30'::date"),
    ("0A000", None, "SELECT * FROM otherdb.public.sometable"),
]


@pytest.mark.parametrize("binary_params", [False, True], ids=["simple", "prepared"])
@pytest.mark.parametrize("code,setup,sql", ERRORS, ids=[f"{e[0]}-{i}" for i, e in enumerate(ERRORS)])
def test_error_sqlstate(pgc, gw, code, setup, sql, binary_params):
    t = uniq()
    res = []
    for conn in (pgc, gw):
        if setup:
            conn.execute(setup.format(t=t))
        with pytest.raises(psycopg.Error) as ei:
            if binary_params:
                # extended protocol: a named prepared statement (Parse/Bind/Describe/Execute)
                conn.execute(sql.format(t=t), prepare=True)
            else:
                conn.execute(sql.format(t=t))
        err = ei.value
        res.append(err.sqlstate)
        assert err.diag.message_primary
        assert err.diag.severity_nonlocalized == "ERROR"
        # the session is still usable
        assert conn.execute("SELECT 42").fetchone() == (42,)
        if setup:
            conn.execute(f"DROP TABLE {t}")
    assert res[0] == code, "the oracle disagrees with the expected SQLSTATE"
    assert res[1] == res[0]


def test_error_fields_match_postgres(pgc, gw):
    res = []
    for conn in (pgc, gw):
        with pytest.raises(E.UndefinedTable) as ei:
            conn.execute("SELECT a FROM no_such_table_fields")
        d = ei.value.diag
        res.append((d.sqlstate, d.severity, d.message_primary, d.statement_position))
    assert res[1] == res[0]


def test_serialization_failure_40001(pg, gateway):
    """Two snapshot transactions updating the same row: the second writer gets 40001."""
    t = uniq()
    res = []
    for dsn in (pg.dsn, gateway.dsn):
        with psycopg.connect(dsn, autocommit=True) as a, psycopg.connect(dsn, autocommit=True) as b:
            a.execute(f"CREATE TABLE {t} (id int PRIMARY KEY, v int)")
            a.execute(f"INSERT INTO {t} VALUES (1, 0)")
            a.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
            assert a.execute(f"SELECT v FROM {t} WHERE id = 1").fetchone() == (0,)
            b.execute(f"UPDATE {t} SET v = 1 WHERE id = 1")  # commits after a's snapshot
            with pytest.raises(psycopg.Error) as ei:
                a.execute(f"UPDATE {t} SET v = 2 WHERE id = 1")
            a.execute("ROLLBACK")
            res.append((ei.value.sqlstate, b.execute(f"SELECT v FROM {t}").fetchone()))
            a.execute(f"DROP TABLE {t}")
    assert res[0] == ("40001", (1,))
    assert res[1] == res[0]


# --------------------------------------------------------------------------- cancel, timeout


def _run_in_thread(conn, sql):
    box: dict = {}

    def target():
        try:
            box["result"] = conn.execute(sql).fetchall()
        except BaseException as e:  # noqa: BLE001 - handed to the test
            box["error"] = e

    th = threading.Thread(target=target, daemon=True)
    th.start()
    return th, box


@pytest.mark.timeout(120)
def test_cancel_long_query(gateway):
    with psycopg.connect(gateway.dsn, autocommit=True) as conn:
        th, box = _run_in_thread(conn, LONG_QUERY)
        deadline = time.monotonic() + 60
        # A cancel that arrives before the query runs is ignored (as in PostgreSQL): repeat
        # until the query ends, bounded by a deadline.
        while th.is_alive() and time.monotonic() < deadline:
            conn.cancel_safe(timeout=10)
            th.join(0.2)
        assert not th.is_alive(), "the query was not cancelled within 60 s"
        err = box.get("error")
        assert isinstance(err, E.QueryCanceled), box
        assert err.sqlstate == "57014"
        assert "canceling statement due to user request" in str(err)
        assert conn.info.transaction_status == pq.TransactionStatus.IDLE
        assert conn.execute("SELECT 1 + 1").fetchone() == (2,)
        # a stray cancel while idle does nothing to the next statement
        conn.cancel_safe(timeout=10)
        assert conn.execute("SELECT 3").fetchone() == (3,)


@pytest.mark.timeout(120)
def test_cancel_inside_transaction_fails_the_transaction(gateway):
    with psycopg.connect(gateway.dsn, autocommit=True) as conn:
        conn.execute("BEGIN")
        th, box = _run_in_thread(conn, LONG_QUERY)
        deadline = time.monotonic() + 60
        while th.is_alive() and time.monotonic() < deadline:
            conn.cancel_safe(timeout=10)
            th.join(0.2)
        assert isinstance(box.get("error"), E.QueryCanceled), box
        assert conn.info.transaction_status == pq.TransactionStatus.INERROR
        with pytest.raises(E.InFailedSqlTransaction):
            conn.execute("SELECT 1")
        conn.execute("ROLLBACK")
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_cancel_other_sessions_unaffected(gateway):
    with psycopg.connect(gateway.dsn, autocommit=True) as a, psycopg.connect(gateway.dsn, autocommit=True) as b:
        th, box = _run_in_thread(a, LONG_QUERY)
        try:
            # b works while a's query runs (the event loop is not blocked)
            assert b.execute("SELECT 5").fetchone() == (5,)
        finally:
            deadline = time.monotonic() + 60
            while th.is_alive() and time.monotonic() < deadline:
                a.cancel_safe(timeout=10)
                th.join(0.2)
        assert isinstance(box.get("error"), E.QueryCanceled), box
        assert b.execute("SELECT 6").fetchone() == (6,)


@pytest.mark.timeout(120)
def test_statement_timeout(gateway, pgc):
    with psycopg.connect(gateway.dsn, autocommit=True) as conn:
        conn.execute("SET statement_timeout = '100ms'")
        t0 = time.monotonic()
        with pytest.raises(E.QueryCanceled) as ei:
            conn.execute(LONG_QUERY)
        elapsed = time.monotonic() - t0
        assert ei.value.sqlstate == "57014"
        with pytest.raises(E.QueryCanceled) as pe:
            pgc.execute("SET statement_timeout = '100ms'")
            pgc.execute("SELECT pg_sleep(5)")
        pgc.execute("RESET statement_timeout")
        assert ei.value.diag.message_primary == pe.value.diag.message_primary
        assert elapsed < 10
        # quick statements still run under the timeout
        assert conn.execute("SELECT 1").fetchone() == (1,)
        conn.execute("RESET statement_timeout")
        assert conn.execute("SHOW statement_timeout").fetchone() == ("0",)


@pytest.mark.timeout(120)
def test_statement_timeout_extended_protocol(gateway):
    with psycopg.connect(gateway.dsn, autocommit=True) as conn:
        conn.execute("SET statement_timeout = 100")  # an integer is milliseconds
        with pytest.raises(E.QueryCanceled):
            conn.execute(LONG_QUERY.replace("% 7 = 3", "%% %s = 3"), [7])
        assert conn.execute("SELECT %s::int", [9]).fetchone() == (9,)


# --------------------------------------------------------------------------- durability, disconnects


def test_acknowledged_writes_survive_kill(gateway_factory):
    g = gateway_factory()
    t = uniq()
    with psycopg.connect(g.dsn, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {t} (id int PRIMARY KEY, v text)")
        conn.execute(f"INSERT INTO {t} VALUES (1, 'autocommit')")
        conn.cursor().executemany(f"INSERT INTO {t} VALUES (%s, %s)", [(i, "many") for i in range(10, 20)])
        with conn.transaction():
            conn.execute(f"INSERT INTO {t} VALUES (2, 'tx')")
            conn.execute(f"UPDATE {t} SET v = 'updated' WHERE id = 1")
        conn.execute(f"DELETE FROM {t} WHERE id = 19")
        # an open, uncommitted transaction at crash time must not survive
        other = psycopg.connect(g.dsn, autocommit=True)
        other.execute("BEGIN")
        other.execute(f"INSERT INTO {t} VALUES (3, 'uncommitted')")
    g.kill()
    other.close()
    g2 = gateway_factory(database=g.database)
    with psycopg.connect(g2.dsn, autocommit=True) as conn:
        rows = conn.execute(f"SELECT id, v FROM {t} ORDER BY id").fetchall()
    assert rows == [(1, "updated"), (2, "tx")] + [(i, "many") for i in range(10, 19)]


def _raw_startup(host: str, port: int) -> socket.socket:
    """A bare protocol-3 connection (trust auth) that reaches ReadyForQuery."""
    s = socket.create_connection((host, port), timeout=30)
    body = struct.pack("!i", 196608) + b"user\0postgres\0database\0postgres\0\0"
    s.sendall(struct.pack("!i", len(body) + 4) + body)
    buf = b""
    while True:
        chunk = s.recv(65536)
        assert chunk, "server closed the connection during startup"
        buf += chunk
        # walk complete messages looking for ReadyForQuery
        pos = 0
        while len(buf) - pos >= 5:
            typ = buf[pos:pos + 1]
            (ln,) = struct.unpack("!i", buf[pos + 1:pos + 5])
            if len(buf) - pos - 1 < ln:
                break
            assert typ != b"E", buf[pos:pos + 1 + ln]
            if typ == b"Z":
                return s
            pos += 1 + ln
        buf = buf[pos:]


def _raw_query(s: socket.socket, sql: str) -> None:
    body = sql.encode() + b"\0"
    s.sendall(b"Q" + struct.pack("!i", len(body) + 4) + body)


@pytest.mark.timeout(120)
def test_client_disconnect_mid_query_does_not_break_server(gateway_factory):
    # enough readers that the two orphaned reads cannot starve the rest (that is the next test)
    g = gateway_factory("--readers", "8")
    # 1. a client vanishes while its long query runs
    s1 = _raw_startup(g.host, g.port)
    _raw_query(s1, LONG_QUERY)
    # 2. a client vanishes while a large result streams to it (nobody reads the socket)
    s2 = _raw_startup(g.host, g.port)
    _raw_query(s2, "SELECT i, repeat('x', 100) AS pad FROM range(50000000) t(i)")
    # 3. a client vanishes in the middle of a write transaction
    t = uniq()
    with psycopg.connect(g.dsn, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {t} (id int)")
    s3 = _raw_startup(g.host, g.port)
    _raw_query(s3, f"BEGIN; INSERT INTO {t} VALUES (1);")
    # make sure s3's statements ran before vanishing: wait for its ReadyForQuery('T')
    buf = b""
    while b"Z\x00\x00\x00\x05T" not in buf:
        chunk = s3.recv(65536)
        assert chunk
        buf += chunk
    for s in (s1, s2, s3):
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST
        s.close()
    # others keep working: reads, autocommit writes (the writer lease was released), new sessions
    with psycopg.connect(g.dsn, autocommit=True, connect_timeout=10) as conn:
        conn.execute("SET statement_timeout = '20s'")
        assert conn.execute("SELECT 1").fetchone() == (1,)
        conn.execute(f"INSERT INTO {t} VALUES (2)")
        assert conn.execute(f"SELECT id FROM {t}").fetchall() == [(2,)]
        with conn.transaction():
            conn.execute(f"INSERT INTO {t} VALUES (3)")
        assert conn.execute(f"SELECT count(*) FROM {t}").fetchone() == (2,)
    assert g.proc.poll() is None, "the gateway process died"
    # the orphaned statements were stopped: a graceful shutdown does not wait for them
    assert g.stop(timeout=15) == 0


@pytest.mark.timeout(120)
def test_disconnect_interrupts_orphaned_query(gateway_factory):
    # With one reader, a query left running by a vanished client would starve every other read.
    g = gateway_factory("--readers", "1")
    s1 = _raw_startup(g.host, g.port)
    _raw_query(s1, LONG_QUERY)
    with psycopg.connect(g.dsn, autocommit=True) as conn:
        th, box = _run_in_thread(conn, "SELECT 1 + 1")
        th.join(0.5)
        s1.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s1.close()
        th.join(30)
        assert not th.is_alive(), "a read still waits 30 s after the client of the long query vanished"
        assert box == {"result": [(2,)]}


def test_abandoned_transaction_releases_writer(gateway):
    t = uniq()
    with psycopg.connect(gateway.dsn, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {t} (id int)")
    a = psycopg.connect(gateway.dsn)
    a.execute(f"INSERT INTO {t} VALUES (1)")  # implicit BEGIN, takes the writer lease
    a.close()  # Terminate without COMMIT
    with psycopg.connect(gateway.dsn, autocommit=True) as conn:
        conn.execute("SET statement_timeout = '20s'")
        conn.execute(f"INSERT INTO {t} VALUES (2)")
        assert conn.execute(f"SELECT id FROM {t}").fetchall() == [(2,)]
        conn.execute(f"DROP TABLE {t}")


def test_executemany_in_read_only_transaction_is_refused(pgc, gw):
    """The executemany fast path must not skip the read-only check."""
    t = uniq()
    res = []
    for conn in (pgc, gw):
        conn.execute(f"CREATE TABLE {t} (id int8)")
        conn.execute("BEGIN READ ONLY")
        with pytest.raises(psycopg.Error) as ei:
            conn.cursor().executemany(f"INSERT INTO {t} VALUES (%s)", [(i,) for i in range(300)])
        conn.execute("ROLLBACK")
        n = conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        conn.execute(f"DROP TABLE {t}")
        res.append((ei.value.sqlstate, n))
    assert res[0] == ("25006", 0)
    assert res[1] == res[0]


def test_concurrent_autocommit_inserts_with_duplicates(gateway):
    """Eight clients insert concurrently, so the writer groups their INSERTs into shared
    commits; every tenth insert repeats a key. Exactly those fail with 23505, every other one
    is acknowledged, and the table holds exactly the acknowledged rows."""
    t = uniq()
    with psycopg.connect(gateway.dsn, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {t} (id int8 PRIMARY KEY, client int4, note text)")
    acked: list[list[int]] = [[] for _ in range(8)]
    dups: list[int] = [0] * 8
    errors: list[str] = []

    def client(ci: int) -> None:
        try:
            with psycopg.connect(gateway.dsn, autocommit=True) as conn:
                for i in range(150):
                    key = ci * 1000 + (i - 1 if i % 10 == 9 else i)
                    try:
                        conn.execute(f"INSERT INTO {t} VALUES (%s, %s, %s)", (key, ci, f"c{ci} i{i}"))
                        acked[ci].append(key)
                    except E.UniqueViolation:
                        dups[ci] += 1
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(repr(e))

    threads = [threading.Thread(target=client, args=(ci,)) for ci in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    assert not errors
    assert dups == [15] * 8
    with psycopg.connect(gateway.dsn, autocommit=True) as conn:
        stored = sorted(r[0] for r in conn.execute(f"SELECT id FROM {t}"))
        conn.execute(f"DROP TABLE {t}")
    assert stored == sorted(k for keys in acked for k in keys)
    assert len(stored) == 8 * 135


def test_concurrent_sessions_isolated_settings(gateway):
    with psycopg.connect(gateway.dsn, autocommit=True) as a, psycopg.connect(gateway.dsn, autocommit=True) as b:
        a.execute("SET TimeZone = 'Asia/Kolkata'")
        assert b.execute("SHOW TimeZone").fetchone() == ("UTC",)
        q = "SELECT '2024-01-01 00:00:00+00'::timestamptz::text"
        assert a.execute(q).fetchone() == ("2024-01-01 05:30:00+05:30",)
        assert b.execute(q).fetchone() == ("2024-01-01 00:00:00+00",)
