"""varchar(n), char(n), jsonb and timestamp(p): the PostgreSQL types DuckDB does not keep.

PostgreSQL 15 is the oracle: the same tables and statements run on both servers, and the
clients' view of the result columns (psycopg's cursor.description, asyncpg's attribute types
and decoded values, psql's \\d) must be the same. Also: lengths enforced with PostgreSQL's
22001 on every write path (INSERT, executemany's Arrow append, COPY), and the declared-type
record follows the DDL's transaction (gateway/engine/column_types.py).
"""

from __future__ import annotations

import asyncio
import uuid

import psycopg
import pytest
import sqlglot

from gateway.sql.result_types import plan_of, resolve
from tests.test_psql import PSQL, psql

asyncpg = pytest.importorskip("asyncpg")


def uniq(prefix: str = "ct") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def create_sql(t: str) -> str:
    return (f"CREATE TABLE {t} (id int PRIMARY KEY, v varchar(5), c char(3), cv character varying, "
            f"b bpchar, j jsonb, ts timestamp(3), tz timestamptz(0), va varchar(4)[], n int)")


INSERT = ("INSERT INTO {t} VALUES (1, 'ab', 'x', 'free', 'bp', '{{\"b\": 1, \"a\": [1, 2]}}', "
          "'2024-01-02 03:04:05.123', '2024-01-02 03:04:05+00', ARRAY['ab', 'cd'], 7), "
          "(2, NULL, 'xyz', NULL, NULL, NULL, NULL, NULL, NULL, NULL)")

QUERIES = [
    "SELECT * FROM {t} ORDER BY id",
    "SELECT id, v, c, j -> 'a' AS ja, j ->> 'b' AS jb, ts, tz, va FROM {t} ORDER BY id",
    "SELECT x.v, x.c, x.j FROM {t} x ORDER BY x.id",
    "SELECT v::char(4) AS c4, c::varchar(2) AS v2, 'abcdef'::varchar(3) AS lit, ARRAY['x'::char(2)] AS arr, "
    "'{{\"z\": 1, \"a\": 2}}'::jsonb AS jl, jsonb_build_object('k', id) AS jo FROM {t} ORDER BY id",
]


@pytest.fixture(scope="module")
def table(pg, gateway):
    t = uniq()
    for server in (pg, gateway):
        with psycopg.connect(server.dsn, autocommit=True) as c:
            c.execute(create_sql(t))
            c.execute(INSERT.format(t=t))
    yield t
    for server in (pg, gateway):
        with psycopg.connect(server.dsn, autocommit=True) as c:
            c.execute(f"DROP TABLE IF EXISTS {t}")


def _describe(dsn: str, sql: str, binary: bool, prepare: bool):
    with psycopg.connect(dsn, autocommit=True) as c:
        cur = c.cursor(binary=binary)
        cur.execute(sql, prepare=prepare)
        desc = [(d.name, d.type_code, d.internal_size, d.display_size, d.precision, d.scale)
                for d in cur.description]
        return desc, cur.fetchall()


@pytest.mark.parametrize("binary,prepare", [(False, False), (False, True), (True, True)],
                         ids=["simple", "extended-text", "extended-binary"])
@pytest.mark.parametrize("query", range(len(QUERIES)))
def test_psycopg_description_and_values(pg, gateway, table, query, binary, prepare):
    sql = QUERIES[query].format(t=table)
    exp = _describe(pg.dsn, sql, binary, prepare)
    got = _describe(gateway.dsn, sql, binary, prepare)
    assert got[0] == exp[0]
    assert got[1] == exp[1]


def test_returning_and_cursor(pg, gateway, table):
    def run(dsn):
        with psycopg.connect(dsn) as c:
            cur = c.execute(f"UPDATE {table} SET n = n WHERE id = 1 RETURNING v, c, j, va")
            out = [[(d.type_code, d.display_size) for d in cur.description], cur.fetchall()]
            cur.execute(f"DECLARE k CURSOR FOR SELECT c, j FROM {table} ORDER BY id")
            cur.execute("FETCH 2 FROM k")
            out += [[(d.type_code, d.display_size) for d in cur.description], cur.fetchall()]
            c.rollback()
            return out

    assert run(gateway.dsn) == run(pg.dsn)


def test_asyncpg_types_and_values(pg, gateway, table):
    async def fn(url):
        conn = await asyncpg.connect(url, timeout=15)
        try:
            stmt = await conn.prepare(f"SELECT v, c, cv, b, j, ts, tz, va FROM {table} ORDER BY id")
            types = [(a.name, a.type.name) for a in stmt.get_attributes()]
            return types, [list(r.values()) for r in await stmt.fetch()]
        finally:
            await conn.close()

    exp, got = asyncio.run(fn(pg.url)), asyncio.run(fn(gateway.url))
    assert got == exp


@pytest.mark.skipif(not __import__("os").path.exists(PSQL), reason="psql is not installed")
@pytest.mark.parametrize("command", [r"\d {t}", r"\d+ {t}"])
def test_psql_describe_table(pg, gateway, table, command):
    exp = psql(pg.dsn, "-c", command.format(t=table))
    got = psql(gateway.dsn, "-c", command.format(t=table))
    assert exp.returncode == 0 and got.returncode == 0, got.stderr
    # the length CHECKs the gateway adds for varchar(n)/char(n) are not shown
    assert got.stdout == exp.stdout


TOO_LONG = [
    "INSERT INTO {t} (id, v) VALUES (10, 'abcdef')",
    "INSERT INTO {t} (id, c) VALUES (10, 'abcd')",
    "UPDATE {t} SET v = v || 'long' WHERE id = 1",
]


@pytest.mark.parametrize("sql", TOO_LONG)
def test_too_long_is_22001(pg, gateway, table, sql):
    def run(dsn):
        with psycopg.connect(dsn, autocommit=True) as c:
            with pytest.raises(psycopg.Error) as ei:
                c.execute(sql.format(t=table))
            rows = c.execute(f"SELECT id, v, c FROM {table} ORDER BY id").fetchall()
            return ei.value.sqlstate, ei.value.diag.message_primary, rows

    assert run(gateway.dsn) == run(pg.dsn)


def test_trailing_blanks_past_n_are_trimmed(pg, gateway):
    t = uniq()

    def run(dsn):
        with psycopg.connect(dsn, autocommit=True) as c:
            c.execute(f"CREATE TABLE {t} (id int, v varchar(3), c char(2))")
            try:
                c.execute(f"INSERT INTO {t} VALUES (1, 'ab   ', 'x   ')")
                return c.execute(f"SELECT v, c FROM {t}").fetchall()
            finally:
                c.execute(f"DROP TABLE {t}")

    assert run(gateway.dsn) == run(pg.dsn)


@pytest.mark.parametrize("rows", [2, 300], ids=["values", "arrow-append"])
def test_executemany_too_long_changes_nothing(pg, gateway, rows):
    t = uniq()
    data = [(i, "abc") for i in range(rows - 1)] + [(rows, "abcd")]

    def run(dsn):
        with psycopg.connect(dsn, autocommit=True) as c:
            c.execute(f"CREATE TABLE {t} (id int, v varchar(3))")
            try:
                with pytest.raises(psycopg.Error) as ei:
                    with c.cursor() as cur:
                        cur.executemany(f"INSERT INTO {t} VALUES (%s, %s)", data)
                n = c.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                return ei.value.sqlstate, ei.value.diag.message_primary, n
            finally:
                c.execute(f"DROP TABLE {t}")

    exp = run(pg.dsn)
    got = run(gateway.dsn)
    # psycopg's executemany in autocommit runs one statement per row on PostgreSQL: the rows
    # before the bad one stay there; only the error is compared
    assert got[:2] == exp[:2] == ("22001", "value too long for type character varying(3)")


def test_copy_too_long_fails_whole_copy(pg, gateway):
    t = uniq()

    def run(dsn):
        with psycopg.connect(dsn, autocommit=True) as c:
            c.execute(f"CREATE TABLE {t} (id int, c char(2))")
            try:
                with pytest.raises(psycopg.Error) as ei:
                    with c.cursor().copy(f"COPY {t} FROM STDIN") as cp:
                        cp.write("1\tab\n2\tabc\n")
                n = c.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                return ei.value.sqlstate, ei.value.diag.message_primary, n
            finally:
                c.execute(f"DROP TABLE {t}")

    assert run(gateway.dsn) == run(pg.dsn)


def _typmods(dsn: str, t: str):
    with psycopg.connect(dsn, autocommit=True) as c:
        return c.execute(
            "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
            f"WHERE attrelid = '{t}'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum").fetchall()


def test_alter_table_keeps_declared_types(pg, gateway):
    t = uniq()
    steps = [f"CREATE TABLE {t} (id int, a varchar(5))",
             f"ALTER TABLE {t} ADD COLUMN b char(2)",
             f"ALTER TABLE {t} ADD COLUMN j jsonb",
             f"ALTER TABLE {t} RENAME COLUMN a TO a2",
             f"ALTER TABLE {t} ALTER COLUMN b TYPE text",
             f"ALTER TABLE {t} DROP COLUMN j",
             f"ALTER TABLE {t} RENAME TO {t}_r"]

    def run(dsn):
        out = []
        with psycopg.connect(dsn, autocommit=True) as c:
            for i, s in enumerate(steps):
                c.execute(s)
                out.append(_typmods(dsn, f"{t}_r" if i == len(steps) - 1 else t))
            c.execute(f"DROP TABLE {t}_r")
        return out

    assert run(gateway.dsn) == run(pg.dsn)


def test_alter_type_of_length_checked_column(pg, gateway):
    """A varchar(n)/char(n) column's length is a CHECK here, and DuckDB cannot change the type
    of a column with a CHECK: the table is rebuilt (engine/rebuild.py) and the new length is
    checked from then on, as PostgreSQL does."""
    t = uniq()
    out = []
    for server in (pg, gateway):
        with psycopg.connect(server.dsn, autocommit=True) as c:
            c.execute(f"CREATE TABLE {t} (v varchar(5))")
            c.execute(f"INSERT INTO {t} VALUES ('abcde')")
            try:
                c.execute(f"ALTER TABLE {t} ALTER COLUMN v TYPE varchar(9)")
                c.execute(f"INSERT INTO {t} VALUES ('abcdefghi')")
                with pytest.raises(psycopg.errors.StringDataRightTruncation):
                    c.execute(f"INSERT INTO {t} VALUES ('abcdefghij')")
                c.execute(f"ALTER TABLE {t} ALTER COLUMN v TYPE text")
                c.execute(f"INSERT INTO {t} VALUES ('abcdefghijkl')")
                out.append((_typmods(server.dsn, t), c.execute(f"SELECT v FROM {t} ORDER BY v").fetchall()))
            finally:
                c.execute(f"DROP TABLE {t}")
    assert out[1] == out[0]


def test_rolled_back_create_leaves_no_record(gateway):
    t = uniq()
    with psycopg.connect(gateway.dsn) as c:
        c.execute(f"CREATE TABLE {t} (v varchar(9))")
        c.rollback()
        c.execute(f"CREATE TABLE {t} (v text)")
        c.commit()
        assert _typmods(gateway.dsn, t) == [("v", "text")]
        rec = c.execute("SELECT count(*) FROM _dataforge.column_types WHERE table_name = %s", [t]).fetchone()[0]
        assert rec == 0
        c.execute(f"DROP TABLE {t}")
        c.commit()


def test_dropped_table_record_is_removed(gateway):
    t = uniq()
    with psycopg.connect(gateway.dsn, autocommit=True) as c:
        c.execute(f"CREATE TABLE {t} (v varchar(9), j jsonb)")
        count = "SELECT count(*) FROM _dataforge.column_types WHERE table_name = %s"
        assert c.execute(count, [t]).fetchone()[0] == 2
        c.execute(f"DROP TABLE {t}")
        assert c.execute(count, [t]).fetchone()[0] == 0
        c.execute(f"CREATE TABLE {t} (v text, j json)")
        cur = c.execute(f"SELECT v, j FROM {t}")
        assert [d.type_code for d in cur.description] == [25, 114]
        c.execute(f"DROP TABLE {t}")


# --------------------------------------------------------------------------- the plan (unit)

def _resolve(sql: str, names: list[str], declared: dict | None = None):
    return resolve(plan_of(sqlglot.parse_one(sql, read="postgres")), names, declared or {})


def test_plan_casts_and_functions():
    assert _resolve("SELECT 'a'::varchar(3), 'b'::char, x::bpchar, y::jsonb[], z::timestamp(0), 1",
                    ["a", "b", "c", "d", "e", "f"]) == [(1043, 7), (1042, 5), (1042, -1), (3807, -1), (1114, 0), None]
    assert _resolve("SELECT jsonb_agg(x), '{}'::jsonb -> 'a', '{}'::jsonb ->> 'a' FROM t", ["a", "b", "c"]) == [
        (3802, -1), (3802, -1), None]
    assert _resolve("SELECT 1 AS a, 'x'::text", ["a", "text"]) is None


def test_plan_table_columns():
    declared = {("main", "t"): {"v": (1043, 9), "j": (3802, -1)}, ("s", "u"): {"v": (1042, 6)}}
    assert _resolve("SELECT *, 1 FROM t", ["id", "v", "j", "x"], declared) == [None, (1043, 9), (3802, -1), None]
    assert _resolve("SELECT t.v, u.v, j -> 'k' FROM t JOIN s.u ON true", ["v", "v", "k"], declared) == [
        (1043, 9), (1042, 6), (3802, -1)]
    # an unqualified name two sources know is left to DuckDB; a CTE shadows a table
    assert _resolve("SELECT v FROM t, s.u", ["v"], declared) is None
    assert _resolve("WITH t AS (SELECT 'x' AS v) SELECT v FROM t", ["v"], declared) is None
    assert _resolve("SELECT value FROM jsonb_array_elements('[1]')", ["value"]) == [(3802, -1)]
    assert _resolve("INSERT INTO t (v) VALUES ('a') RETURNING v, id", ["v", "id"], declared) == [(1043, 9), None]


def test_types_inside_the_transaction_that_created_the_table(pg, gateway):
    t = uniq()

    def run(dsn):
        with psycopg.connect(dsn) as c:
            c.execute(f"CREATE TABLE {t} (v varchar(4), c char(3), j jsonb)")
            c.execute(f"INSERT INTO {t} VALUES ('ab', 'x', '{{\"b\": 1, \"a\": 2}}')")
            cur = c.execute(f"SELECT v, c, j FROM {t}")
            out = [(d.type_code, d.display_size) for d in cur.description], cur.fetchall()
            c.rollback()
            return out

    assert run(gateway.dsn) == run(pg.dsn)


@pytest.mark.parametrize("binary", [False, True], ids=["text", "binary"])
def test_many_rows_vectorised(pg, gateway, binary):
    """Past the few-rows path: the batch encoders pad char(n) and canonicalise jsonb too."""
    t = uniq()

    def run(dsn):
        with psycopg.connect(dsn, autocommit=True) as c:
            c.execute(f"CREATE TABLE {t} (id int, c char(3), v varchar(4), j jsonb, a char(2)[])")
            try:
                c.execute(f"INSERT INTO {t} SELECT i, CASE WHEN i % 7 = 0 THEN NULL ELSE (i % 100)::text END, "
                          f"(i % 1000)::text, CASE WHEN i % 5 = 0 THEN NULL "
                          f"ELSE ('{{\"k\": ' || i || ', \"a\": [' || i || ']}}')::jsonb END, "
                          f"ARRAY[(i % 10)::text, NULL] FROM generate_series(1, 3000) g(i)")
                cur = c.cursor(binary=binary)
                cur.execute(f"SELECT c, v, j, a FROM {t} ORDER BY id")
                return [d.type_code for d in cur.description], cur.fetchall()
            finally:
                c.execute(f"DROP TABLE {t}")

    assert run(gateway.dsn) == run(pg.dsn)


def test_asyncpg_parameter_types_from_casts(pg, gateway):
    sql = "SELECT $1::varchar(3) AS v, $2::char(4) AS c, $3::jsonb AS j, $4::varchar(2)[] AS va"

    async def fn(url):
        conn = await asyncpg.connect(url, timeout=15)
        try:
            stmt = await conn.prepare(sql)
            params = [t.name for t in stmt.get_parameters()]
            row = await stmt.fetchrow("abcdef", "x", '{"b": 1, "a": [2]}', ["xyz", None])
            return params, list(row.values())
        finally:
            await conn.close()

    assert asyncio.run(fn(gateway.url)) == asyncio.run(fn(pg.url))
