"""asyncpg against the gateway, with PostgreSQL 15 (the `pg` fixture) as the oracle.

asyncpg speaks only the extended protocol, binary format for every type it knows, and
introspects unknown types through pg_catalog; `cursor()` uses Execute with a row limit.
Each test runs the same coroutine against both servers and compares what comes back.
"""

from __future__ import annotations

import asyncio
import json
import datetime as dt
import math
import uuid
from decimal import Decimal

import pytest

asyncpg = pytest.importorskip("asyncpg")


def uniq(prefix: str = "t") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def norm(v):
    if isinstance(v, float):
        return ("float", "NaN" if math.isnan(v) else v)
    if isinstance(v, Decimal):
        return ("Decimal", "NaN" if v.is_nan() else v)
    if isinstance(v, (dt.datetime, dt.time)):
        return (type(v).__name__, v, v.utcoffset())
    if isinstance(v, (list, tuple)):
        return [norm(x) for x in v]
    if isinstance(v, asyncpg.Record):
        return [norm(x) for x in v.values()]
    return (type(v).__name__, v)


async def _connect(url: str):
    return await asyncpg.connect(url, timeout=15)


def on_both(pg, gateway, fn):
    """Run ``async fn(conn)`` on a fresh connection to each server; return (pg result, gw result)."""

    async def one(url):
        conn = await _connect(url)
        try:
            return await asyncio.wait_for(fn(conn), 60)
        finally:
            await conn.close()

    return asyncio.run(one(pg.url)), asyncio.run(one(gateway.url))


def on_gateway(gateway, fn):
    async def one():
        conn = await _connect(gateway.url)
        try:
            return await asyncio.wait_for(fn(conn), 60)
        finally:
            await conn.close()

    return asyncio.run(one())


# --------------------------------------------------------------------------- basics


def test_connect_and_server_version(gateway):
    async def fn(conn):
        return conn.get_server_version(), await conn.fetchval("SELECT 1")

    version, one = on_gateway(gateway, fn)
    assert version.major == 15
    assert one == 1


def test_fetch_with_parameters(pg, gateway):
    async def fn(conn):
        rows = await conn.fetch(
            "SELECT $1::int4 + 1 AS a, $2::text || '!' AS b, $3::numeric * 2 AS c, $4::bool AS d, "
            "$5::int8 AS e", 41, "x", Decimal("1.25"), None, 2**40)
        row = await conn.fetchrow("SELECT i, i * $1::int AS m FROM generate_series(1, 3) AS g(i) WHERE i = $2",
                                  10, 2)
        val = await conn.fetchval("SELECT $1::text", "héllo")
        return [dict(r) for r in rows], dict(row), val

    exp, got = on_both(pg, gateway, fn)
    assert got == exp
    assert got[0] == [{"a": 42, "b": "x!", "c": Decimal("2.50"), "d": None, "e": 2**40}]


def test_parameter_types_from_expressions_the_schema_cannot_see(pg, gateway):
    """Parameters compared with columns of functions, subqueries and joins take those columns'
    types (PostgreSQL infers them; asyncpg encodes by them, in binary)."""
    queries = [
        "SELECT x FROM (SELECT 1.5::float8 AS x) AS s WHERE x < $1",
        "SELECT i FROM generate_series(1::int8, 5::int8) AS g(i) WHERE i >= $1 AND i * 2 < $2",
        "SELECT a.v FROM (VALUES (1::int2, 'a'::text)) AS a(v, w) JOIN (SELECT 'a'::text AS w) AS b "
        "ON a.w = b.w WHERE a.v = $1",
        "WITH t AS (SELECT DATE '2024-01-02' AS d) SELECT d FROM t WHERE d > $1",
    ]

    async def fn(conn):
        out = []
        for q in queries:
            stmt = await conn.prepare(q)
            out.append([t.name for t in stmt.get_parameters()])
        out.append(await conn.fetch(queries[1], 2, 9))
        return out

    exp, got = on_both(pg, gateway, fn)
    assert exp[:4] == [["float8"], ["int8", "int8"], ["int2"], ["date"]]
    assert got == exp


def test_parameter_types_from_probes_follow_ddl(pg, gateway):
    """A parameter typed by binding a probe over a subquery follows a table recreated with
    another column type (the probe's cached answer belongs to the old schema)."""
    async def fn(conn):
        out = []
        await conn.execute("DROP TABLE IF EXISTS probe_ddl_t")
        for typ in ("int4", "text", "float8"):
            await conn.execute(f"DROP TABLE IF EXISTS probe_ddl_t; CREATE TABLE probe_ddl_t (a {typ})")
            stmt = await conn.prepare("SELECT x FROM (SELECT a AS x FROM probe_ddl_t) AS s WHERE x = $1")
            out.append([t.name for t in stmt.get_parameters()])
        await conn.execute("DROP TABLE probe_ddl_t")
        return out

    exp, got = on_both(pg, gateway, fn)
    assert exp == [["int4"], ["text"], ["float8"]]
    assert got == exp


def test_inferred_parameter_types_are_reused_only_while_they_hold(pg, gateway):
    """Each unnamed Parse of the same text reuses the inferred parameter types, until DDL
    changes the table, and never across a session's temporary table of the same name."""
    t = uniq("param_reuse")
    q = f"INSERT INTO {t} (a) VALUES ($1)"

    async def fn(url):
        conn, other = await _connect(url), await _connect(url)
        try:
            out = []
            await conn.execute(f"CREATE TABLE {t} (a int4)")
            for _ in range(2):
                out.append([x.name for x in (await conn.prepare(q)).get_parameters()])
            await conn.execute(f"DROP TABLE {t}; CREATE TABLE {t} (a text)")
            out.append([x.name for x in (await conn.prepare(q)).get_parameters()])
            await other.execute(f"CREATE TEMP TABLE {t} (a float8)")
            out.append([x.name for x in (await other.prepare(q)).get_parameters()])
            out.append([x.name for x in (await conn.prepare(q)).get_parameters()])
            await conn.execute(f"DROP TABLE {t}")
            return out
        finally:
            await conn.close()
            await other.close()

    exp, got = asyncio.run(fn(pg.url)), asyncio.run(fn(gateway.url))
    assert exp == [["int4"], ["int4"], ["text"], ["float8"], ["text"]]
    assert got == exp


def test_parameter_used_twice_and_untyped(pg, gateway):
    async def fn(conn):
        return (await conn.fetchval("SELECT $1::int + $1::int", 21),
                await conn.fetchval("SELECT $1 || 'x'", "a"),
                await conn.fetchval("SELECT $1::date + 1", dt.date(2024, 2, 28)))

    exp, got = on_both(pg, gateway, fn)
    assert got == exp


def test_prepared_statements(pg, gateway):
    async def fn(conn):
        stmt = await conn.prepare("SELECT $1::int8 * 2 AS doubled, $2::text AS label")
        params = [(t.name, t.kind) for t in stmt.get_parameters()]
        attrs = [(a.name, a.type.name, a.type.oid) for a in stmt.get_attributes()]
        results = [tuple(await stmt.fetchrow(i, f"n{i}")) for i in range(20)]
        again = await stmt.fetchval(21, "z")
        # a second prepared statement while the first is alive
        stmt2 = await conn.prepare("SELECT count(*) FROM generate_series(1, $1::int)")
        counts = [await stmt2.fetchval(n) for n in (0, 1, 100)]
        third = await stmt.fetch(1, "a")
        return params, attrs, results, again, counts, [tuple(r) for r in third]

    exp, got = on_both(pg, gateway, fn)
    assert got == exp
    assert got[3] == 42


def test_prepared_statement_cache_reuse(pg, gateway):
    # asyncpg caches prepared statements by text: the same query many times reuses one.
    async def fn(conn):
        return [await conn.fetchval("SELECT $1::int + 1", i) for i in range(50)]

    exp, got = on_both(pg, gateway, fn)
    assert got == exp == list(range(1, 51))


# --------------------------------------------------------------------------- types

TYPES = [
    ("bool", ["true", "false"]),
    ("int2", ["-32768", "32767"]),
    ("int4", ["-2147483648", "2147483647"]),
    ("int8", ["-9223372036854775808", "9223372036854775807"]),
    ("float4", ["1.5", "-0.1", "NaN", "-Infinity"]),
    ("float8", ["0.1", "1.7976931348623157e308", "NaN", "Infinity"]),
    ("numeric", ["0", "-12345.678900", "0.00000000000000000001", "123456789012345678901234567890.123", "NaN"]),
    ("text", ["", "héllo ☃", "quote'\"\\"]),
    ("varchar(10)", ["abc"]),
    ("char(4)", ["ab"]),
    ("name", ["pg_class"]),
    ("bytea", ["\\x", "\\x00ff7f80"]),
    ("date", ["2024-02-29", "0001-01-01", "9999-12-31"]),
    ("time", ["00:00:00", "13:45:56.123456"]),
    ("timetz", ["13:45:56+02", "00:00:01-05:30"]),
    ("timestamp", ["2024-02-29 13:45:56.5", "1970-01-01 00:00:00", "1900-03-04 05:06:07"]),
    ("timestamptz", ["2024-02-29 13:45:56.5+00", "1999-12-31 23:59:59-08"]),
    ("interval", ["1 day 02:00:00", "-00:00:01", "1 year 2 mons 3 days 04:05:06.5"]),
    ("uuid", ["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"]),
    ("json", ['{"a": [1, 2.5, null]}', "[]"]),
    ("jsonb", ['{"a": [1, 2.5, null]}', "[]"]),
    ("oid", ["0", "4294967295"]),
]


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


@pytest.mark.parametrize("cast,values", TYPES, ids=[t[0] for t in TYPES])
def test_binary_types_roundtrip(pg, gateway, cast, values):
    cols = ", ".join(f"{_lit(v)}::{cast} AS c{i}" for i, v in enumerate(values))
    arr = ", ".join(f"{_lit(v)}::{cast}" for v in values)

    async def fn(conn):
        row = await conn.fetchrow(f"SELECT {cols}, NULL::{cast} AS cn, ARRAY[{arr}, NULL] AS arr")
        stmt = await conn.prepare(f"SELECT {cols}, NULL::{cast} AS cn, ARRAY[{arr}, NULL] AS arr")
        oids = [a.type.oid for a in stmt.get_attributes()]
        values_out = list(row.values())
        # every value goes back as a binary parameter and comes back unchanged
        back = [await conn.fetchval(f"SELECT $1::{cast}", v) for v in values_out[:-1]]
        back_arr = await conn.fetchval(f"SELECT $1::{cast}[]", values_out[-1])
        return oids, norm(values_out), norm(back), norm(back_arr)

    exp, got = on_both(pg, gateway, fn)
    assert got[0] == exp[0], "type OIDs differ"
    assert got[1] == exp[1]
    assert got[2] == exp[2]
    assert got[3] == exp[3]


def test_duckdb_only_types(gateway):
    async def fn(conn):
        row = await conn.fetchrow(
            "SELECT 170141183460469231731687303715884105727::HUGEINT AS h, 18446744073709551615::UBIGINT AS u, "
            "255::UTINYINT AS ut, {'a': 1, 'b': 'x'} AS s, MAP {'k': 1} AS m, 'b'::ENUM('a', 'b') AS e")
        stmt = await conn.prepare("SELECT 1::HUGEINT AS h, {'a': 1} AS s, 'b'::ENUM('a', 'b') AS e")
        return dict(row), [a.type.name for a in stmt.get_attributes()]

    row, types = on_gateway(gateway, fn)
    assert row["h"] == Decimal("170141183460469231731687303715884105727")
    assert row["u"] == Decimal("18446744073709551615")
    assert row["ut"] == 255
    assert json.loads(row["s"]) == {"a": 1, "b": "x"}  # asyncpg returns json as text
    assert json.loads(row["m"]) == {"k": 1}
    assert row["e"] == "b"
    assert types == ["numeric", "json", "text"]


# --------------------------------------------------------------------------- transactions


def test_transactions(pg, gateway):
    t = uniq()

    async def fn(conn):
        await conn.execute(f"CREATE TABLE {t} (id int PRIMARY KEY, v text)")
        async with conn.transaction():
            await conn.execute(f"INSERT INTO {t} VALUES (1, 'a')")
            inside = await conn.fetchval(f"SELECT count(*) FROM {t}")  # own writes
        status_commit = conn.is_in_transaction()
        try:
            async with conn.transaction():
                await conn.execute(f"INSERT INTO {t} VALUES (2, 'b')")
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
        tr = conn.transaction()
        await tr.start()
        await conn.execute(f"UPDATE {t} SET v = 'z'")
        in_tx = conn.is_in_transaction()
        await tr.rollback()
        rows = [tuple(r) for r in await conn.fetch(f"SELECT id, v FROM {t} ORDER BY id")]
        await conn.execute(f"DROP TABLE {t}")
        return inside, status_commit, in_tx, rows

    exp, got = on_both(pg, gateway, fn)
    assert got == exp
    assert got == (1, False, True, [(1, "a")])


def test_transaction_error_and_25P02(pg, gateway):
    t = uniq()

    async def fn(conn):
        await conn.execute(f"CREATE TABLE {t} (id int PRIMARY KEY)")
        codes = []
        tr = conn.transaction()
        await tr.start()
        await conn.execute(f"INSERT INTO {t} VALUES (1)")
        for sql in (f"INSERT INTO {t} VALUES (1)", "SELECT 1", f"SELECT count(*) FROM {t}"):
            try:
                await conn.execute(sql)
            except asyncpg.PostgresError as e:
                codes.append(e.sqlstate)
        await tr.rollback()
        count = await conn.fetchval(f"SELECT count(*) FROM {t}")
        await conn.execute(f"DROP TABLE {t}")
        return codes, count

    exp, got = on_both(pg, gateway, fn)
    assert got == exp
    assert got == (["23505", "25P02", "25P02"], 0)


def test_transaction_isolation_levels(pg, gateway):
    async def fn(conn):
        out = []
        for iso in ("read_committed", "repeatable_read", "serializable"):
            async with conn.transaction(isolation=iso):
                out.append(await conn.fetchval("SELECT 1"))
        async with conn.transaction(readonly=True):
            out.append(await conn.fetchval("SELECT 2"))
        return out

    exp, got = on_both(pg, gateway, fn)
    assert got == exp == [1, 1, 1, 2]


# --------------------------------------------------------------------------- executemany, cursors


def test_executemany(pg, gateway):
    t = uniq()
    rows = [(i, f"v{i}", None if i % 5 == 0 else i / 4, dt.date(2024, 1, 1) + dt.timedelta(days=i))
            for i in range(300)]

    async def fn(conn):
        await conn.execute(f"CREATE TABLE {t} (id int PRIMARY KEY, v text, f float8, d date)")
        await conn.executemany(f"INSERT INTO {t} VALUES ($1, $2, $3, $4)", rows)
        await conn.executemany(f"UPDATE {t} SET v = $2 WHERE id = $1", [(1, "x"), (2, "y")])
        data = [tuple(r) for r in await conn.fetch(f"SELECT * FROM {t} ORDER BY id")]
        err = None
        try:
            await conn.executemany(f"INSERT INTO {t} (id) VALUES ($1)", [(1000,), (1,), (1001,)])
        except asyncpg.PostgresError as e:
            err = e.sqlstate
        # executemany is atomic in asyncpg (one implicit transaction): 1000 is not there
        after = await conn.fetchval(f"SELECT count(*) FROM {t}")
        await conn.execute(f"DROP TABLE {t}")
        return data, err, after

    exp, got = on_both(pg, gateway, fn)
    assert got[1] == exp[1] == "23505"
    assert got[2] == exp[2]
    assert got[0] == exp[0]
    assert len(got[0]) == 300


@pytest.mark.parametrize("prefetch", [1, 7, 100])
def test_cursor_prefetch_row_limit(pg, gateway, prefetch):
    async def fn(conn):
        async with conn.transaction():
            rows = [r[0] async for r in conn.cursor(
                "SELECT i FROM generate_series(1, $1::int) AS g(i)", 50, prefetch=prefetch)]
        return rows

    exp, got = on_both(pg, gateway, fn)
    assert got == exp == list(range(1, 51))


def test_cursor_fetch_forward(pg, gateway):
    async def fn(conn):
        async with conn.transaction():
            cur = await conn.cursor("SELECT i, i * i AS sq FROM generate_series(1, 30) AS g(i)")
            a = [tuple(r) for r in await cur.fetch(5)]
            moved = await cur.forward(10)
            b = tuple(await cur.fetchrow())
            c = [tuple(r) for r in await cur.fetch(100)]
            d = await cur.fetchrow()
        return a, moved, b, c, d

    exp, got = on_both(pg, gateway, fn)
    assert got == exp
    assert got[2] == (16, 256) and len(got[3]) == 14 and got[4] is None


def test_two_cursors_interleaved(pg, gateway):
    # Two suspended portals in one transaction, fetched alternately.
    async def fn(conn):
        async with conn.transaction():
            c1 = await conn.cursor("SELECT i FROM generate_series(1, 10) AS g(i)")
            c2 = await conn.cursor("SELECT 'x' || i FROM generate_series(1, 10) AS g(i)")
            out = []
            for _ in range(3):
                out.append([r[0] for r in await c1.fetch(2)])
                out.append([r[0] for r in await c2.fetch(3)])
        return out

    exp, got = on_both(pg, gateway, fn)
    assert got == exp


def test_large_fetch(gateway):
    async def fn(conn):
        return await conn.fetchval("SELECT count(*) FROM (SELECT i FROM generate_series(1, 300000) AS g(i)) s"), \
            len(await conn.fetch("SELECT i, 'row ' || i AS s FROM generate_series(1, 100000) AS g(i)"))

    assert on_gateway(gateway, fn) == (300000, 100000)


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize("sql,code", [
    ("SELECT * FROM no_such_table_apg", "42P01"),
    ("SELECT nope FROM (SELECT 1 AS a) s", "42703"),
    ("SELEC 1", "42601"),
    ("SELECT no_such_fn_apg(1)", "42883"),
    ("SELECT 'x'::int", "22P02"),
    ("SELECT 1 / 0", "22012"),
])
def test_errors(pg, gateway, sql, code):
    async def fn(conn):
        try:
            await conn.fetch(sql)
        except asyncpg.PostgresError as e:
            err = (e.sqlstate, type(e).__name__)
        else:
            err = None
        return err, await conn.fetchval("SELECT 7")

    exp, got = on_both(pg, gateway, fn)
    assert exp[0][0] == code
    assert got == exp


def test_error_with_parameters(pg, gateway):
    async def fn(conn):
        try:
            await conn.fetchval("SELECT 10 / $1::int", 0)
        except asyncpg.PostgresError as e:
            return e.sqlstate
        return None

    exp, got = on_both(pg, gateway, fn)
    assert got == exp == "22012"


def test_cancel_via_timeout(gateway):
    # asyncpg cancels (CancelRequest) a query whose timeout expires; the connection survives.
    async def fn(conn):
        try:
            await conn.fetchval("SELECT count(*) FROM range(1000000000000) t(i) WHERE i % 7 = 3", timeout=0.5)
        except asyncio.TimeoutError:
            timed_out = True
        else:
            timed_out = False
        return timed_out, await conn.fetchval("SELECT 11")

    assert on_gateway(gateway, fn) == (True, 11)


def test_statement_timeout(gateway):
    async def fn(conn):
        await conn.execute("SET statement_timeout = '100ms'")
        try:
            await conn.fetchval("SELECT count(*) FROM range(1000000000000) t(i) WHERE i % 7 = 3")
        except asyncpg.QueryCanceledError as e:
            code = e.sqlstate
        else:
            code = None
        return code, await conn.fetchval("SELECT 12")

    assert on_gateway(gateway, fn) == ("57014", 12)
