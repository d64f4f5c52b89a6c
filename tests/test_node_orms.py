"""Node.js ORMs and drivers beyond node-postgres's basics, PostgreSQL 15 as the oracle.

Each library runs one script from tests/node/ (Sequelize, TypeORM and Knex on top of `pg`;
postgres.js with its own protocol code: pipelining, Describe-driven parsing, its array-type
query at connect, COPY streams) against PostgreSQL and against the gateway. The scripts print
one JSON line per step; the two outputs must be the same, line for line, apart from the few
differences named here (each one a documented limitation, asserted rather than hidden).
"""

from __future__ import annotations

import json
import uuid

import pytest

from tests.clients import NODE_DIR, run_node

ENV = {"TZ": "UTC"}


def _script(name: str) -> str:
    module = {"postgresjs": "postgres", "sequelize": "sequelize", "typeorm": "typeorm",
              "knex": "knex"}[name]
    if not (NODE_DIR / "node_modules" / module).exists():
        pytest.skip(f"npm `{module}` missing: run `npm install` in tests/node (.ci/run does)")
    return (NODE_DIR / f"{name}.js").read_text()


def _steps(proc) -> list:
    return [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("[")]


def _both(pg, gateway, name: str, *args: str) -> tuple[list, list]:
    script = _script(name)
    prefix = f"{name[:4]}{uuid.uuid4().hex[:6]}"
    exp = _steps(run_node(script, pg.url, prefix, *args, env=ENV))
    got = _steps(run_node(script, gateway.url, prefix, *args, env=ENV))
    return exp, got


def _without_failing_row(steps: list) -> list:
    """PostgreSQL's 23502 detail 'Failing row contains (…)' lists the whole row, defaults
    included; the gateway does not know it outside COPY and leaves the detail out."""
    for step in steps:
        v = step[1]
        if isinstance(v, dict) and v.get("code") == "23502" and str(v.get("detail", "")).startswith("Failing row"):
            del v["detail"]
    return steps


def _assert_same(exp: list, got: list) -> None:
    assert [s[0] for s in got] == [s[0] for s in exp], "the steps differ (one side stopped early?)"
    for e, g in zip(exp, got):
        assert g == e, f"step {e[0]!r} differs"


def test_postgresjs_like_postgres(pg, gateway):
    exp, got = _both(pg, gateway, "postgresjs")
    assert ["end", "ok"] in exp and len(exp) > 30
    _assert_same(_without_failing_row(exp), got)


# ------------------------------------------------------------- gaps the Node clients found

def _diag(url: str, table: str) -> list:
    import psycopg

    out = []
    with psycopg.connect(url, autocommit=True) as c:
        c.execute(f"CREATE TABLE {table} (id int, name text)")
        for prepare in (False, True):  # Describe of a portal, and of a named statement
            for q in (f"SELECT nope FROM {table} WHERE id = %s", f"SELECT nmae FROM {table} WHERE id = %s",
                      f"SELECT * FROM {table}_nope WHERE id = %s"):
                try:
                    c.execute(q, (1,), prepare=prepare)
                    out.append("no error")
                except psycopg.Error as e:
                    d = e.diag
                    out.append([e.sqlstate, d.message_primary, d.message_detail, d.message_hint,
                                d.statement_position])
        c.execute(f"DROP TABLE {table}")
    return out


def test_describe_errors_carry_position_and_hint(pg, gateway):
    """An error met while describing a statement with parameters (postgres.js and psycopg
    Describe before Execute) has PostgreSQL's position and hint, as at Execute."""
    t = f"descerr_{uuid.uuid4().hex[:8]}"
    exp = _diag(pg.url, t)
    assert exp[1][3] == f'Perhaps you meant to reference the column "{t}.name".' and exp[0][4] == "8"
    assert _diag(gateway.url, t) == exp


def _gateway_db_url(gateway) -> str:
    """The gateway's URL with its own database name: Sequelize filters its foreign-key
    introspection on table_catalog = the database it connected to, and the gateway's
    current_database() is its DuckDB file's name, whatever name the client asks for."""
    import psycopg

    with psycopg.connect(gateway.url) as c:
        name = c.execute("SELECT current_database()").fetchone()[0]
    return gateway.url.rsplit("/", 1)[0] + "/" + name


def test_sequelize_like_postgres(pg, gateway):
    script = _script("sequelize")
    prefix = f"sq{uuid.uuid4().hex[:6]}"
    exp = _steps(run_node(script, pg.url, prefix, env=ENV))
    got = _steps(run_node(script, _gateway_db_url(gateway), prefix, env=ENV))
    assert ["end", "ok"] in exp and ["foreign-keys", [["authorId", "P_authors", "id"]]] in exp
    _assert_same(exp, got)


def _rows(url: str, statements: list[str]) -> list:
    import psycopg

    out = []
    with psycopg.connect(url, autocommit=True) as c:
        for sql in statements:
            try:
                cur = c.execute(sql)
                out.append([sql, cur.statusmessage, [d.type_code for d in cur.description or []],
                            cur.fetchall() if cur.description else None])
            except psycopg.Error as e:
                out.append([sql, e.sqlstate])
    return out


def test_orm_statements_like_postgres(pg, gateway):
    """The statements behind the gaps Sequelize found, each as PostgreSQL answers it: SET TIME
    ZONE INTERVAL, timestamps with a space before the offset (as literals and as untyped
    parameters), "public"."t", array_agg of a name column (name[]: node-postgres leaves it a
    string, Sequelize's showIndex parses it), information_schema.constraint_column_usage,
    pg_statio_all_tables, an upsert that assigns its conflict key on a referenced row."""
    p = f"ormst_{uuid.uuid4().hex[:6]}"
    statements = [
        "SET TIME ZONE INTERVAL '+02:00' HOUR TO MINUTE",
        "SELECT '2024-01-01 12:00:00+00'::timestamptz::text",
        "SET TIME ZONE INTERVAL '-05:00' HOUR TO MINUTE",
        "SELECT '2024-01-01 12:00:00+00'::timestamptz::text",
        "SET TIME ZONE INTERVAL '+00:00' HOUR TO MINUTE",
        "SELECT '2024-01-01 12:00:00+00'::timestamptz::text",
        f"CREATE TABLE {p}_a (id serial PRIMARY KEY, code text UNIQUE, n int CHECK (n > 0), at timestamptz, ts timestamp)",
        f"CREATE TABLE {p}_b (id serial PRIMARY KEY, aid int REFERENCES {p}_a (id), x int, y int, UNIQUE (x, y))",
        f"""ALTER TABLE "public"."{p}_a" ADD COLUMN "isbn" VARCHAR(20)""",
        f"""INSERT INTO "public"."{p}_a" (code, n, at, ts) VALUES ('c1', 1, '2024-01-02 03:04:05.678 +00:00',
            '2024-01-02 03:04:05 -05:00'), ('c2', 2, '2024-01-02 03:04 +02', '2024-01-02T03:04:05 +0200')""",
        f"SELECT id, at::text, ts::text FROM {p}_a ORDER BY id",
        f"SELECT '2024-06-01 10:00:00.5 -03:30'::timestamptz::text, '13:45 +02'::timetz::text",
        f"CREATE TABLE {p}_u (id int PRIMARY KEY, n int, note text)",
        f"CREATE TABLE {p}_r (id int PRIMARY KEY, uid int REFERENCES {p}_u (id))",
        f"INSERT INTO {p}_u VALUES (1, 1, 'a'), (2, 2, 'b')",
        f"INSERT INTO {p}_r VALUES (1, 1)",
        f"""INSERT INTO "{p}_u" ("id", "n", "note") VALUES (1, 5, 'c'), (3, 3, 'd') ON CONFLICT ("id")
            DO UPDATE SET "id" = EXCLUDED."id", "n" = EXCLUDED."n" """,
        f"SELECT * FROM {p}_u ORDER BY id",
        f"DROP TABLE {p}_r",
        f"DROP TABLE {p}_u",
        f"SELECT i.relname, array_agg(a.attname ORDER BY a.attnum) AS cols FROM pg_class t, pg_class i, pg_index ix, "
        f"pg_attribute a WHERE t.oid = ix.indrelid AND i.oid = ix.indexrelid AND a.attrelid = t.oid "
        f"AND a.attnum > 0 AND t.relname = '{p}_b' GROUP BY i.relname ORDER BY i.relname",
        f"SELECT table_name::text, column_name::text, constraint_name::text FROM information_schema.constraint_column_usage "
        f"WHERE table_name LIKE '{p}%' ORDER BY 1, 2, 3",
        f"SELECT relname::text FROM pg_statio_all_tables WHERE relname LIKE '{p}%' ORDER BY 1",
        # TypeORM's: a "public"."…" enum type, `text array`, three-part regclass, quoted regtype,
        # = ANY (array) in an outer join's condition, a foreign key named by ALTER TABLE
        f"CREATE TYPE \"public\".\"{p}_lvl\" AS ENUM ('lo', 'hi')",
        f"""CREATE TABLE "{p}_t" ("id" SERIAL NOT NULL, "lvl" "public"."{p}_lvl" NOT NULL DEFAULT 'lo',
            "tags" text array, "n" integer array NOT NULL DEFAULT '{{}}', "aid" integer,
            CONSTRAINT "PK_{p}" PRIMARY KEY ("id"))""",
        f"""ALTER TABLE "{p}_t" ADD COLUMN "more" varchar(5) array""",
        f"""ALTER TABLE "{p}_t" ADD CONSTRAINT "FK_{p}" FOREIGN KEY ("aid") REFERENCES "{p}_a"("id")
            ON DELETE NO ACTION ON UPDATE NO ACTION""",
        f"INSERT INTO {p}_t (tags, more) VALUES (ARRAY['x', 'y'], '{{ab}}') RETURNING id, lvl::text, tags, n, more",
        f"SELECT column_name::text, data_type::text, udt_name::text FROM information_schema.columns "
        f"WHERE table_name = '{p}_t' ORDER BY ordinal_position",
        f"SELECT (current_database() || '.public.{p}_t')::regclass::text, "
        f"""'"pg_catalog"."bool"'::regtype::text, '"public"."{p}_lvl"'::regtype::text, '"pg_catalog"."_int4"'::regtype::text""",
        f"""SELECT c.conname::text, c.contype::text, a.attname::text FROM pg_constraint c
            JOIN pg_class t ON t.oid = c.conrelid
            LEFT JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
            WHERE t.relname = '{p}_t' ORDER BY 1, 3""",
        # Knex's: a boolean's DEFAULT '1', RENAME without COLUMN
        f"CREATE TABLE {p}_k (id int, flag boolean DEFAULT '1', off boolean DEFAULT 'f', email text, "
        f"u uuid DEFAULT gen_random_uuid())",
        f'ALTER TABLE "{p}_k" RENAME "email" TO "mail"',
        f"SELECT column_name::text, column_default::text FROM information_schema.columns "
        f"WHERE table_name = '{p}_k' ORDER BY ordinal_position",
        f"DROP TABLE {p}_k",
        # ALTER TABLE … DROP CONSTRAINT (Sequelize's sync({alter}) on a model with a foreign key)
        f"CREATE TABLE {p}_dp (id int PRIMARY KEY, code text UNIQUE)",
        f"CREATE TABLE {p}_dc (id int PRIMARY KEY, pid int REFERENCES {p}_dp (id), a int, b int, UNIQUE (a, b))",
        f"INSERT INTO {p}_dp VALUES (1, 'x')",
        f"INSERT INTO {p}_dc VALUES (1, 1, 1, 1)",
        f"ALTER TABLE {p}_dc DROP CONSTRAINT {p}_dc_pid_fkey",
        f"INSERT INTO {p}_dc VALUES (2, 99, 2, 2)",
        f'ALTER TABLE "{p}_dc" DROP CONSTRAINT "{p}_dc_a_b_key"',
        f"INSERT INTO {p}_dc VALUES (3, 99, 2, 2)",
        f"ALTER TABLE {p}_dp DROP CONSTRAINT {p}_dp_code_key",
        f"INSERT INTO {p}_dp VALUES (2, 'x')",
        f"ALTER TABLE {p}_dp DROP CONSTRAINT IF EXISTS {p}_nope",
        f"ALTER TABLE {p}_dp DROP CONSTRAINT {p}_nope",
        f"SELECT conname::text FROM pg_constraint WHERE conrelid IN ('{p}_dp'::regclass, '{p}_dc'::regclass) ORDER BY 1",
        f"SELECT * FROM {p}_dc ORDER BY id",
        f"DROP TABLE {p}_dc",
        f"DROP TABLE {p}_dp",
        f"DROP TABLE {p}_t",
        f"DROP TYPE {p}_lvl",
        f"DROP TABLE {p}_b",
        f"DROP TABLE {p}_a",
    ]
    exp = _rows(pg.url, statements)
    assert [r for r in exp if len(r) != 4] == [[f"ALTER TABLE {p}_dp DROP CONSTRAINT {p}_nope", "42704"]]
    got = _rows(gateway.url, statements)
    for e, g in zip(exp, got):
        assert g == e


def test_typeorm_like_postgres(pg, gateway):
    exp, got = _both(pg, gateway, "typeorm")
    assert ["end", "ok"] in exp and ["schema-diff", []] in exp
    # A second synchronize compares column defaults by their text: PostgreSQL keeps `now()` as
    # written, the gateway shows DuckDB's CURRENT_TIMESTAMP (sqlglot reads both alike), so
    # TypeORM would re-set the default of its CreateDateColumn; that statement is harmless.
    diff = next(s for s in got if s[0] == "schema-diff")
    assert all(q.endswith('ALTER COLUMN "created" SET DEFAULT now()') for q in diff[1]), diff
    diff[1] = []
    _assert_same(exp, got)


def test_knex_like_postgres(pg, gateway):
    exp, got = _both(pg, gateway, "knex")
    assert ["end", "ok"] in exp and any(s[0] == "rollback" for s in exp)
    _assert_same(exp, got)


# pg-cursor and pg-query-stream (node-postgres' portals: Execute with a row limit, then more)
CURSORS = r"""
const { Client } = require('pg');
const Cursor = require('pg-cursor');
const QueryStream = require('pg-query-stream');
const out = (step, v) => console.log(JSON.stringify([step, v]));
(async () => {
  const c = new Client({ connectionString: process.argv[1] });
  await c.connect();
  const cur = c.query(new Cursor('SELECT i, i * $1::int AS twice FROM generate_series(1, 7) AS g(i) ORDER BY i', [2]));
  const batches = [];
  for (let rows = await cur.read(3); rows.length; rows = await cur.read(3)) batches.push(rows.map(r => r.twice));
  await cur.close();
  out('cursor', batches);
  const names = [];
  const stream = c.query(new QueryStream('SELECT n::text AS s FROM generate_series(1, $1::int) AS g(n)', [2500], { batchSize: 100 }));
  for await (const row of stream) names.push(row.s);
  out('stream', [names.length, names[0], names[2499]]);
  const again = await c.query('SELECT 1 AS one');  // the connection is usable after both
  out('after', again.rows);
  await c.end();
})().catch(e => { console.error(e); process.exit(1); });
"""


def test_pg_cursor_and_query_stream_like_postgres(pg, gateway):
    if not (NODE_DIR / "node_modules" / "pg-cursor").exists():
        pytest.skip("npm `pg-cursor` missing: run `npm install` in tests/node (.ci/run does)")
    exp = _steps(run_node(CURSORS, pg.url, env=ENV))
    assert exp[0] == ["cursor", [[2, 4, 6], [8, 10, 12], [14]]]
    assert _steps(run_node(CURSORS, gateway.url, env=ENV)) == exp


SAVEPOINT_AFTER_WRITE = r"""
const postgres = require('postgres');
const out = (step, v) => console.log(JSON.stringify([step, v]));
(async () => {
  const sql = postgres(process.argv[1], { max: 1, onnotice: () => {} });
  const t = process.argv[2];
  await sql`CREATE TABLE ${sql(t)} (n int)`;
  try {
    await sql.begin(async sql => {
      await sql`INSERT INTO ${sql(t)} VALUES (1)`;
      await sql.savepoint(async sql => {
        await sql`INSERT INTO ${sql(t)} VALUES (2)`;
        throw new Error('undo 2');
      }).catch(e => out('savepoint', e.code || e.message));
      await sql`INSERT INTO ${sql(t)} VALUES (3)`;
    });
    out('begin', 'committed');
  } catch (e) { out('begin', [e.code, e.message]); }
  out('rows', (await sql`SELECT n FROM ${sql(t)} ORDER BY n`).map(r => r.n));
  await sql`DROP TABLE ${sql(t)}`;
  await sql.end();
})().catch(e => { console.error(e); process.exit(1); });
"""


def test_postgresjs_savepoint_rollback_after_write_is_refused(pg, gateway):
    """ROLLBACK TO SAVEPOINT after a write: PostgreSQL undoes the write; the gateway cannot
    (DuckDB has no savepoints) and refuses with 0A000, after which the transaction is
    aborted and nothing of it is kept: never a half-undone transaction."""
    _script("postgresjs")
    t = f"spw_{uuid.uuid4().hex[:8]}"
    exp = _steps(run_node(SAVEPOINT_AFTER_WRITE, pg.url, t, env=ENV))
    assert exp == [["savepoint", "undo 2"], ["begin", "committed"], ["rows", [1, 3]]]
    got = _steps(run_node(SAVEPOINT_AFTER_WRITE, gateway.url, t, env=ENV))
    assert got[0] == ["savepoint", "0A000"]
    assert got[1][0] == "begin" and got[1][1][0] == "25P02"
    assert got[2] == ["rows", []]
