"""Catalog introspection by real clients, PostgreSQL 15 as the oracle.

psycopg's TypeInfo, SQLAlchemy's Inspector and the catalog queries psql-like tools send run
on both servers against the same table; the answers must agree (sql/pg_catalog.py and the
pg_catalog rewrites of sql/rewrite.py).
"""

from __future__ import annotations

import uuid

import pytest

psycopg = pytest.importorskip("psycopg")
sa = pytest.importorskip("sqlalchemy")

from psycopg.types import TypeInfo  # noqa: E402


def uniq(prefix: str = "c") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def connect(server):
    return psycopg.connect(f"postgresql://postgres@{server.host}:{server.port}/postgres", autocommit=True,
                           connect_timeout=10)


def on_both(pg, gateway, fn):
    out = []
    for server in (pg, gateway):
        with connect(server) as conn:
            out.append(fn(conn))
    return out


# varchar(n)/char(n)/jsonb: DuckDB keeps neither, the gateway's declared-type record does.
DDL = """
CREATE TABLE {parent} (id integer PRIMARY KEY, code text UNIQUE);
CREATE TABLE {name} (
    id bigint PRIMARY KEY,
    label text NOT NULL,
    amount numeric(12,2) DEFAULT 1.5,
    flag boolean,
    born date,
    seen timestamp with time zone,
    ratio double precision,
    tags integer[],
    note varchar(20),
    kind char(3),
    doc jsonb,
    parent_id integer REFERENCES {parent} (id)
);
CREATE INDEX {name}_label_idx ON {name} (label);
COMMENT ON TABLE {name} IS 'a table';
COMMENT ON COLUMN {name}.label IS 'the label';
"""


@pytest.fixture
def tables(pg, gateway):
    name, parent = uniq("cat"), uniq("par")
    for server in (pg, gateway):
        with connect(server) as conn:
            for stmt in DDL.format(name=name, parent=parent).split(";"):
                if stmt.strip():
                    conn.execute(stmt)
    yield name, parent
    for server in (pg, gateway):
        with connect(server) as conn:
            conn.execute(f"DROP TABLE IF EXISTS {name}")
            conn.execute(f"DROP TABLE IF EXISTS {parent}")


@pytest.mark.parametrize("typename", ["int4", "int8", "text", "numeric", "timestamptz", "_int4", "varchar",
                                      "bpchar", "uuid", "jsonb", "bool", "bytea", "interval", "hstore"])
def test_psycopg_typeinfo(pg, gateway, typename):
    def fn(conn):
        info = TypeInfo.fetch(conn, typename)
        return None if info is None else (info.name, info.oid, info.array_oid, info.regtype, info.delimiter)

    exp, got = on_both(pg, gateway, fn)
    assert got == exp


def test_reg_casts_and_functions(pg, gateway, tables):
    name, _ = tables

    def fn(conn):
        return conn.execute(
            "SELECT %s::regclass::oid = (SELECT c.oid FROM pg_catalog.pg_class c WHERE c.relname = %s), "
            "%s::regclass::text, 'int4'::regtype::oid, 23::regtype::text, 'pg_catalog.pg_class'::regclass::oid, "
            "'public'::regnamespace::oid, to_regclass('no_such_table'), to_regtype('no_such_type'), "
            "format_type(1043, 14), format_type(1700, 786438), format_type(1184, NULL), format_type(1007, -1), "
            "current_schema(), current_schemas(true), pg_table_is_visible(%s::regclass), "
            "pg_catalog.pg_get_userbyid(10) IS NOT NULL, pg_encoding_to_char(6)",
            (name, name, name, name)).fetchone()

    exp, got = on_both(pg, gateway, fn)
    assert got == exp


def test_catalog_rows_for_a_table(pg, gateway, tables):
    name, parent = tables

    def fn(conn):
        q = dict(
            cls="SELECT c.relname, c.relkind, n.nspname, c.relnatts, c.relhasindex, c.relpersistence "
                "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relname IN (%(n)s, %(p)s) ORDER BY c.relname",
            att="SELECT a.attname, a.attnum, a.atttypid, a.attnotnull, a.atthasdef, "
                "format_type(a.atttypid, a.atttypmod), pg_get_expr(d.adbin, d.adrelid), "
                "col_description(a.attrelid, a.attnum) "
                "FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
                "WHERE a.attrelid = %(n)s::regclass AND a.attnum > 0 ORDER BY a.attnum",
            con="SELECT conname, contype, conkey, confkey, confrelid = %(p)s::regclass::oid, "
                "pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %(n)s::regclass ORDER BY conname",
            idx="SELECT ic.relname, i.indisunique, i.indisprimary, i.indkey::text "
                "FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid "
                "WHERE i.indrelid = %(n)s::regclass ORDER BY ic.relname",
            desc="SELECT obj_description(%(n)s::regclass, 'pg_class')",
            types="SELECT t.typname, t.typlen, t.typtype, t.typcategory, t.typelem, t.typarray, t.typdelim "
                  "FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace ns ON ns.oid = t.typnamespace "
                  "WHERE ns.nspname = 'pg_catalog' AND t.typname IN ('int4', '_int4', 'text', 'numeric', "
                  "'timestamptz', 'bool', 'name') ORDER BY t.oid",
        )
        out = {}
        for k, sql in q.items():
            rows = conn.execute(sql, {"n": name, "p": parent}).fetchall()
            if k == "con":  # PostgreSQL 15's pg_get_constraintdef qualifies nothing, spaces differ
                rows = [r[:5] + (" ".join(r[5].replace("(", " (").split()),) for r in rows]
            if k == "idx":
                # int2vector's text is '1 2'; the gateway's indkey is an int2 list ('[1, 2]')
                rows = [r[:3] + (r[3].strip("{}[]").replace(",", " "),) for r in rows]
            out[k] = [tuple(r) for r in rows]
        return out

    exp, got = on_both(pg, gateway, fn)
    for k in exp:
        assert got[k] == exp[k], k


def test_sqlalchemy_inspector(pg, gateway, tables):
    name, parent = tables
    res = []
    for server in (pg, gateway):
        eng = sa.create_engine(f"postgresql+psycopg://postgres@{server.host}:{server.port}/postgres")
        try:
            insp = sa.inspect(eng)
            cols = [(c["name"], type(c["type"]).__name__, c["nullable"], c["default"], c.get("comment"))
                    for c in insp.get_columns(name)]
            res.append(dict(
                has=(insp.has_table(name), insp.has_table("no_such_table")),
                names=sorted(n for n in insp.get_table_names() if n in (name, parent)),
                cols=cols,
                pk=insp.get_pk_constraint(name),
                fks=insp.get_foreign_keys(name),
                idx=insp.get_indexes(name),
                uq=insp.get_unique_constraints(parent),
                comment=insp.get_table_comment(name),
                schema=insp.default_schema_name,
            ))
        finally:
            eng.dispose()
    exp, got = res
    for k in exp:
        assert got[k] == exp[k], k


def _asyncpg_on_both(pg, gateway, fn):
    asyncpg = pytest.importorskip("asyncpg")
    import asyncio

    async def one(server):
        conn = await asyncpg.connect(f"postgresql://postgres@{server.host}:{server.port}/postgres", timeout=15)
        try:
            return await fn(conn)
        finally:
            await conn.close()

    return asyncio.run(one(pg)), asyncio.run(one(gateway))


def test_asyncpg_catalog_query(pg, gateway, tables):
    name, _ = tables

    async def fn(conn):
        return ([tuple(r) for r in await conn.fetch(
                    "SELECT t.oid, t.typname, t.typelem, t.typarray FROM pg_catalog.pg_type AS t "
                    "INNER JOIN pg_catalog.pg_namespace ns ON ns.oid = t.typnamespace "
                    "WHERE t.typname = $1 AND ns.nspname = $2", "_int8", "pg_catalog")],
                await conn.fetchval("SELECT count(*) FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0",
                                    name))

    exp, got = _asyncpg_on_both(pg, gateway, fn)
    assert got == exp


def test_asyncpg_char_columns(pg, gateway):
    async def fn(conn):
        return await conn.fetchval("SELECT typtype FROM pg_catalog.pg_type WHERE typname = 'int4'")

    exp, got = _asyncpg_on_both(pg, gateway, fn)
    assert got == exp == b"b"


def test_asyncpg_array_enum_and_custom_codecs(pg, gateway):
    """asyncpg introspects every type it has no codec for (arrays, enums) with its own catalog
    query, and set_type_codec looks a type up by name: the values must come out as on
    PostgreSQL. (An enum column is reported as text on the wire: DuckDB's result types name
    the labels, not the type; asyncpg decodes both to str.)"""
    import json

    t, ty = uniq("apg"), uniq("mood")

    async def fn(conn):
        await conn.execute(f"CREATE TYPE {ty} AS ENUM ('sad', 'ok', 'happy')")
        await conn.execute(f"CREATE TABLE {t} (id int, ints integer[], texts text[], m {ty}, doc json)")
        try:
            await conn.set_type_codec("json", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
            await conn.executemany(f"INSERT INTO {t} VALUES ($1, $2, $3, $4, $5)",
                                   [(1, [1, None, 3], ["a,b", 'c"d', None], "ok", {"k": [1, 2.5]}),
                                    (2, [], [], "happy", None)])
            rows = [tuple(r) for r in await conn.fetch(f"SELECT * FROM {t} ORDER BY id")]
            enum_row = await conn.fetchrow(
                "SELECT t.typname, t.typtype, array_agg(e.enumlabel ORDER BY e.enumsortorder) AS labels "
                "FROM pg_catalog.pg_type t JOIN pg_catalog.pg_enum e ON e.enumtypid = t.oid "
                "WHERE t.typname = $1 GROUP BY t.typname, t.typtype", ty)
            by_name = await conn.fetchval("SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
                                          "WHERE a.attrelid = $1::regclass AND a.attname = 'm'", t)
            arrays = await conn.fetchrow("SELECT ARRAY[1, 2]::int8[] AS a, ARRAY['x', NULL]::varchar[] AS b, "
                                         "$1::int4[] AS c", [7, 8])
            return rows, tuple(enum_row), by_name, tuple(arrays)
        finally:
            await conn.execute(f"DROP TABLE {t}")
            await conn.execute(f"DROP TYPE {ty}")

    exp, got = _asyncpg_on_both(pg, gateway, fn)
    assert exp[1] == (ty, b"e", ["sad", "ok", "happy"])
    assert got == exp


def test_asyncpg_pool_reset_query(pg, gateway):
    """asyncpg's Pool runs `SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL;`
    when a connection goes back: it must succeed and undo the session's SETs."""
    asyncpg = pytest.importorskip("asyncpg")
    import asyncio

    async def one(server):
        pool = await asyncpg.create_pool(f"postgresql://postgres@{server.host}:{server.port}/postgres",
                                         min_size=1, max_size=1, timeout=15)
        try:
            async with pool.acquire() as conn:
                await conn.execute("SET TimeZone = 'Asia/Tokyo'")
                await conn.execute("SET statement_timeout = '5s'")
                await conn.execute("LISTEN some_channel")
                before = await conn.fetchval("SELECT current_setting('TimeZone')")
                pid = await conn.fetchval("SELECT pg_backend_pid()")
            async with pool.acquire() as conn:  # the same connection, after the reset query
                after = (await conn.fetchval("SELECT current_setting('TimeZone')"),
                         await conn.fetchval("SELECT current_setting('statement_timeout')"),
                         await conn.fetchval("SELECT pg_backend_pid()") == pid)
                direct = await conn.execute("SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL;")
            return before, after, direct
        finally:
            await pool.close()

    exp, got = asyncio.run(one(pg)), asyncio.run(one(gateway))
    assert exp[0] == "Asia/Tokyo" and exp[1][2] is True
    assert got == exp


CATALOG_SHAPE_QUERIES = [
    "SELECT * FROM pg_catalog.pg_get_keywords() WHERE word = 'select'",
    "SELECT pg_get_serial_sequence('{t}', 'id'), pg_get_serial_sequence('{t}', 'label')",
    "SELECT has_table_privilege('{t}', 'SELECT'), has_schema_privilege('public', 'USAGE'), "
    "has_database_privilege(current_database(), 'CONNECT'), pg_total_relation_size('{t}') >= 0",
    "SELECT pg_encoding_to_char(6), current_schemas(false), pg_is_in_recovery(), txid_current() > 0",
    "SELECT nspname, oid FROM pg_namespace WHERE nspname IN ('pg_catalog', 'public') ORDER BY oid",
    "SELECT n_live_tup >= 0, relname FROM pg_stat_user_tables WHERE relname = '{t}'",  # PG counts lazily
    "SELECT count(*) FROM pg_locks WHERE false",
    "SELECT datname = current_database(), datallowconn FROM pg_database WHERE NOT datistemplate",
    "SELECT rolname, rolsuper FROM pg_roles WHERE rolname = 'postgres'",
    "SELECT name, setting FROM pg_settings WHERE name IN ('max_index_keys', 'server_encoding') ORDER BY name",
    "SELECT amname FROM pg_am WHERE oid = 403",
    "SELECT collname FROM pg_collation WHERE oid = 100",
    "SELECT spcname FROM pg_tablespace ORDER BY oid",
    "SELECT extname FROM pg_extension",
    "SELECT count(*) FROM pg_inherits", "SELECT count(*) >= 0 FROM pg_depend WHERE refobjid = '{t}'::regclass",  # empty on the gateway
    "SELECT count(*) FROM pg_rewrite WHERE ev_class = '{t}'::regclass", "SELECT count(*) FROM pg_trigger WHERE false",
    "SELECT count(*) FROM pg_matviews", "SELECT viewname FROM pg_views WHERE viewname = '{t}_v'",
    "SELECT count(*) FROM pg_range WHERE false", "SELECT pg_get_viewdef('{t}_v'::regclass) IS NOT NULL",
    "SELECT table_name, table_type FROM information_schema.tables WHERE table_name LIKE '{t}%' ORDER BY 1",
    "SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns "
    "WHERE table_name = '{t}' ORDER BY ordinal_position",
    "SELECT schema_name FROM information_schema.schemata WHERE schema_name = 'public'",
    "SELECT table_name FROM information_schema.views WHERE table_name = '{t}_v'",
    "SELECT count(*) FROM information_schema.routines WHERE routine_name = 'no_such_routine'",
]


# name/varchar and their arrays are text on the gateway (DuckDB has one string type)
TEXTUAL = {19: 25, 1043: 25, 1003: 1009, 1015: 1009}


def test_catalog_relations_and_functions_like_postgres(pg, gateway):
    """The relations and functions of issue 4's list: PostgreSQL's column names, type OIDs (name
    and varchar count as text, see tests/test_replay.py) and, for these queries, rows."""
    t = uniq("shape")
    ddl = (f"CREATE SEQUENCE {t}_seq; CREATE TABLE {t} (id integer DEFAULT nextval('{t}_seq') PRIMARY KEY, "
           f"label text NOT NULL); CREATE VIEW {t}_v AS SELECT id FROM {t}; INSERT INTO {t} (label) VALUES ('a')")
    out = []
    for server in (pg, gateway):
        with connect(server) as conn:
            for stmt in ddl.split(";"):
                conn.execute(stmt)
            if server is pg:
                # DuckDB keeps no sequence ownership: the gateway takes a column's nextval()
                # default as it (a serial column); on PostgreSQL that needs OWNED BY
                conn.execute(f"ALTER SEQUENCE {t}_seq OWNED BY {t}.id")
            res = []
            for q in CATALOG_SHAPE_QUERIES:
                cur = conn.execute(q.format(t=t))
                res.append(([(d.name, TEXTUAL.get(d.type_code, d.type_code)) for d in cur.description],
                            cur.fetchall()))
            conn.execute(f"DROP VIEW {t}_v; DROP TABLE {t}; DROP SEQUENCE IF EXISTS {t}_seq")
            out.append(res)
    for q, e, g in zip(CATALOG_SHAPE_QUERIES, *out):
        assert g == e, q
