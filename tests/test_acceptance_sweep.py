"""What an acceptance suite of real clients would check, with PostgreSQL 15 as the oracle.

Client-visible behaviour the differential corpus (SQL text, rows, OIDs, SQLSTATEs) does not
compare: the wording and fields of constraint-violation errors as psycopg (`diag`), asyncpg
(exception attributes) and node-postgres (`err.constraint`, `err.table`…) expose them, on the
simple, extended and executemany (pipelined INSERT run) paths.
"""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest

from tests.clients import run_node

psycopg = pytest.importorskip("psycopg")


def uniq(prefix: str = "t") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def _schema(p: str) -> list[str]:
    return [
        f"CREATE TABLE {p}_u (id int PRIMARY KEY, email text UNIQUE, n int CHECK (n > 0), lo int, hi int,"
        f" a int, b int, UNIQUE (a, b), CHECK (hi > lo), name text NOT NULL DEFAULT 'x')",
        f"CREATE TABLE {p}_o (id int PRIMARY KEY, uid int REFERENCES {p}_u(id))",
        f"CREATE UNIQUE INDEX {p}_u_name_idx ON {p}_u (name)",
        f"INSERT INTO {p}_u (id, email, n, lo, hi, a, b, name) VALUES (1, 'x@y', 1, 1, 2, 1, 1, 'one')",
        f"INSERT INTO {p}_o VALUES (1, 1)",
    ]


def _violations(p: str) -> list[str]:
    return [
        f"INSERT INTO {p}_u (id, name) VALUES (1, 'dup-pk')",
        f"INSERT INTO {p}_u (id, email, name) VALUES (2, 'x@y', 'dup-email')",
        f"INSERT INTO {p}_u (id, a, b, name) VALUES (3, 1, 1, 'dup-ab')",
        f"INSERT INTO {p}_u (id, name) VALUES (4, 'one')",
        f"INSERT INTO {p}_u (id, n, name) VALUES (5, 0, 'n0')",
        f"INSERT INTO {p}_u (id, lo, hi, name) VALUES (6, 5, 1, 'lohi')",
        f"INSERT INTO {p}_u (id, name) VALUES (7, NULL)",
        f"INSERT INTO {p}_o VALUES (2, 99)",
        f"DELETE FROM {p}_u WHERE id = 1",
    ]


def _fields(diag, p: str) -> dict:
    """The error as a client shows it; the table prefix made neutral for comparison."""
    def n(v):
        return v.replace(p, "P") if isinstance(v, str) else v
    return {"sqlstate": diag.sqlstate, "message": n(diag.message_primary),
            "detail": n(diag.message_detail) if diag.message_detail and "Failing row" not in diag.message_detail else None,
            "schema": diag.schema_name, "table": n(diag.table_name), "column": diag.column_name,
            "constraint": n(diag.constraint_name)}


def _psycopg_errors(dsn: str, p: str, prepare: bool) -> list[dict]:
    out = []
    with psycopg.connect(dsn, autocommit=True) as c:
        for sql in _schema(p):
            c.execute(sql)
        for sql in _violations(p):
            with pytest.raises(psycopg.errors.IntegrityError) as ei:
                c.execute(sql, prepare=prepare)
            out.append(_fields(ei.value.diag, p))
        c.execute(f"DROP TABLE {p}_o")
        c.execute(f"DROP TABLE {p}_u")
    return out


@pytest.mark.parametrize("prepare", [False, True], ids=["simple", "extended"])
def test_constraint_violations_psycopg(gateway, pg, prepare):
    p = uniq("acc")
    expected = _psycopg_errors(pg.dsn, p, prepare)
    got = _psycopg_errors(gateway.dsn, p, prepare)
    for sql, e, g in zip(_violations("P"), expected, got):
        assert g == e, sql


def _executemany_error(dsn: str, p: str) -> dict:
    with psycopg.connect(dsn, autocommit=True) as c:
        for sql in _schema(p):
            c.execute(sql)
        with pytest.raises(psycopg.errors.UniqueViolation) as ei:
            c.cursor().executemany(f"INSERT INTO {p}_u (id, email, name) VALUES (%s, %s, %s)",
                                   [(10, "a@b", "ten"), (11, "x@y", "eleven")])
        c.execute(f"DROP TABLE {p}_o")
        c.execute(f"DROP TABLE {p}_u")
    return _fields(ei.value.diag, p)


def test_constraint_violation_executemany(gateway, pg):
    p = uniq("acc")
    assert _executemany_error(gateway.dsn, p) == _executemany_error(pg.dsn, p)


async def _asyncpg_errors(url: str, p: str) -> list[tuple]:
    asyncpg = pytest.importorskip("asyncpg")
    c = await asyncpg.connect(url)
    try:
        for sql in _schema(p):
            await c.execute(sql)
        out = []
        for sql in _violations(p):
            try:
                await c.fetch(sql)
            except asyncpg.PostgresError as e:
                out.append((e.sqlstate, e.message.replace(p, "P"), (e.constraint_name or "").replace(p, "P"),
                            (e.table_name or "").replace(p, "P"), e.column_name))
            else:
                out.append(None)
        await c.execute(f"DROP TABLE {p}_o")
        await c.execute(f"DROP TABLE {p}_u")
        return out
    finally:
        await c.close()


def test_constraint_violations_asyncpg(gateway, pg):
    p = uniq("acc")
    expected = asyncio.run(_asyncpg_errors(pg.url, p))
    got = asyncio.run(_asyncpg_errors(gateway.url, p))
    assert got == expected


NODE_ERRORS = r"""
const { Client } = require('pg');
(async () => {
  const c = new Client({ connectionString: process.argv[1] });
  await c.connect();
  const p = process.argv[2];
  await c.query(`CREATE TABLE ${p}_u (id int PRIMARY KEY, email text UNIQUE)`);
  await c.query(`CREATE TABLE ${p}_o (id int, uid int REFERENCES ${p}_u(id))`);
  await c.query(`INSERT INTO ${p}_u VALUES (1, 'a')`);
  const out = [];
  for (const [sql, params] of [[`INSERT INTO ${p}_u VALUES ($1, $2)`, [2, 'a']],
                               [`INSERT INTO ${p}_o VALUES ($1, $2)`, [1, 7]]]) {
    try { await c.query(sql, params); out.push(null); }
    catch (e) { out.push({code: e.code, message: e.message, detail: e.detail, table: e.table,
                          constraint: e.constraint, schema: e.schema}); }
  }
  await c.query(`DROP TABLE ${p}_o`);
  await c.query(`DROP TABLE ${p}_u`);
  console.log(JSON.stringify(out));
  await c.end();
})().catch(e => { console.error(e); process.exit(1); });
"""


def test_constraint_violations_node_pg(gateway, pg):
    p = uniq("acc")
    expected = json.loads(run_node(NODE_ERRORS, pg.url, p).stdout)
    got = json.loads(run_node(NODE_ERRORS, gateway.url, p).stdout)
    assert got == expected


# Errors whose SQLSTATE the differential corpus already compares; here their message too,
# since applications log and sometimes match it.
ERROR_MESSAGES = [
    "SELECT 2147483647 + 1",
    "SELECT (-32768)::int2 - 1::int2",
    "SELECT 9223372036854775807::int8 * 2",
    "SELECT 3000000000::int",
    "SELECT '99999999999'::int",
    "SELECT '1.5'::int",
    "SELECT 'abc'::uuid",
    "SELECT '2024-02-30'::date",
    "SELECT 'not a date'::date",
    "SELECT current_setting('no_such_setting')",
    "SET timezone = 'Bogus/Zone'",
]


def _messages(dsn: str) -> list[tuple]:
    out = []
    with psycopg.connect(dsn, autocommit=True) as c:
        for sql in ERROR_MESSAGES:
            with pytest.raises(psycopg.Error) as ei:
                c.execute(sql)
            out.append((sql, ei.value.diag.sqlstate, ei.value.diag.message_primary))
    return out


def test_error_messages(gateway, pg):
    assert _messages(gateway.dsn) == _messages(pg.dsn)


def _column_errors(dsn: str, p: str) -> list[tuple]:
    statements = [
        f"SELECT nme FROM {p}_u", f"SELECT u.nme FROM {p}_u u", f"SELECT {p}_u.nme FROM {p}_u",
        f"SELECT zzzzzz FROM {p}_u", f"SELECT emial FROM {p}_u", f"SELECT * FROM {p}_u WHERE nme = 1",
        f"SELECT idd FROM {p}_u u JOIN {p}_o ON {p}_o.id = u.id", f"SELECT nme FROM {p}_u u JOIN {p}_o ON {p}_o.id = u.id",
        f"UPDATE {p}_u SET nme = 1", f"INSERT INTO {p}_u (nme) VALUES (1)", f"SELECT x.id FROM {p}_u",
    ]
    out = []
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute(f"CREATE TABLE {p}_u (id int, name text, email text)")
        c.execute(f"CREATE TABLE {p}_o (id int, uid int)")
        for sql in statements:
            with pytest.raises(psycopg.Error) as ei:
                c.execute(sql)
            d = ei.value.diag
            out.append(tuple((x or "").replace(p, "P") for x in (
                sql, d.sqlstate, d.message_primary, d.message_detail, d.message_hint)))
        c.execute(f"DROP TABLE {p}_u")
        c.execute(f"DROP TABLE {p}_o")
    return out


def test_unknown_column_hints(gateway, pg):
    """PostgreSQL's 'Perhaps you meant…' hint (or none), never DuckDB's candidate list."""
    p = uniq("acc")
    assert _column_errors(gateway.dsn, p) == _column_errors(pg.dsn, p)


def test_translation_bug_is_an_error_not_a_dropped_connection(monkeypatch):
    """A transform that raises something other than PgError gives the statement XX000 (the
    session then answers ErrorResponse) instead of escaping classify and closing the socket."""
    from gateway.sql import classify, rewrite

    def broken(tree):
        raise AttributeError("'str' object has no attribute 'name'")

    monkeypatch.setattr(rewrite, "to_duckdb", broken)
    (st,) = classify.parse_query("SELECT 1 AS sweep_broken_translation")
    assert st.error is not None and st.error.sqlstate == "XX000"
    assert "AttributeError" in st.error.message


async def _unnest_bulk_insert(url: str, t: str) -> list:
    asyncpg = pytest.importorskip("asyncpg")
    c = await asyncpg.connect(url)
    try:
        await c.execute(f"CREATE TABLE {t} (id int PRIMARY KEY, name text, score float8)")
        # the bulk-insert idiom: one statement, one array parameter per column
        status = await c.execute(f"INSERT INTO {t} (id, name, score) SELECT * FROM unnest($1::int[], $2::text[], $3::float8[])",
                                 [1, 2, 3], ["a", None, "c"], [1.5, 2.5, None])
        rows = await c.fetch(f"SELECT id, name, score FROM {t} ORDER BY id")
        await c.execute(f"DROP TABLE {t}")
        return [status, [tuple(r) for r in rows]]
    finally:
        await c.close()


def test_unnest_bulk_insert_asyncpg(gateway, pg):
    t = uniq("acc")
    assert asyncio.run(_unnest_bulk_insert(gateway.url, t)) == asyncio.run(_unnest_bulk_insert(pg.url, t))


def _temp_table_session(dsn: str, t: str) -> list:
    out = []
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute(f"CREATE TEMP TABLE {t} (id int PRIMARY KEY, v text)")
        c.execute(f"INSERT INTO {t} VALUES (%s, %s)", (1, "a"))  # extended protocol
        c.execute(f"INSERT INTO {t} VALUES (5, 'e'); INSERT INTO {t} VALUES (6, 'f')")  # one simple Query
        c.cursor().executemany(f"INSERT INTO {t} VALUES (%s, %s)", [(2, "b"), (3, "c")])
        with c.cursor().copy(f"COPY {t} FROM STDIN") as cp:
            cp.write_row((4, "d"))
        out.append(c.execute(f"SELECT id, v FROM {t} WHERE id > %s ORDER BY id", [0]).fetchall())
        out.append(c.execute(f"UPDATE {t} SET v = v || '!' WHERE id = 1 RETURNING v").fetchall())
        with pytest.raises(psycopg.errors.UniqueViolation):
            c.execute(f"INSERT INTO {t} VALUES (1, 'dup')")
        with c.transaction():
            c.execute(f"DELETE FROM {t} WHERE id = 4")
        out.append(c.execute(f"SELECT count(*) FROM {t}").fetchone())
        out.append(str(c.info.transaction_status))
        with psycopg.connect(dsn, autocommit=True) as other:  # another session does not see it
            with pytest.raises(psycopg.errors.UndefinedTable):
                other.execute(f"SELECT * FROM {t}")
        c.execute("DISCARD ALL")
        with pytest.raises(psycopg.errors.UndefinedTable):
            c.execute(f"SELECT * FROM {t}")
    return out


def test_temporary_tables(gateway, pg):
    """A session's temp table is visible to all its statements (autocommit reads, writes,
    executemany, COPY, transactions), to no other session, and DISCARD ALL drops it."""
    t = uniq("tmp")
    assert _temp_table_session(gateway.dsn, t) == _temp_table_session(pg.dsn, t)


PSQL_SCRIPT = r"""
CREATE TABLE {t} (id serial PRIMARY KEY, name text, created date DEFAULT '2024-01-01', u uuid DEFAULT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', v varchar(10) DEFAULT 'x');
INSERT INTO {t} (name) VALUES ('a');
\set myvar 'hello'
SELECT :"myvar" IS NULL;
\d {t}
DROP TABLE {t};
"""


def test_psql_script_defaults_and_errors(gateway, pg, tmp_path):
    """psql -f: column defaults as \\d shows them ('2024-01-01'::date) and the error for an
    identifier without FROM, as PostgreSQL words them."""
    import shutil
    import subprocess
    if not shutil.which("psql"):
        pytest.skip("psql missing")
    t = uniq("ps")
    script = tmp_path / "s.sql"
    script.write_text(PSQL_SCRIPT.format(t=t))
    outs = []
    for server in (pg, gateway):
        p = subprocess.run(["psql", server.dsn, "-X", "-f", str(script)], capture_output=True, text=True, timeout=60)
        outs.append([line for line in (p.stdout + p.stderr).splitlines() if "^" not in line and "LINE 1" not in line])
    assert outs[1] == outs[0]


def _serialization_failure(dsn: str, t: str) -> tuple:
    with psycopg.connect(dsn, autocommit=True) as a, psycopg.connect(dsn, autocommit=True) as b:
        a.execute(f"CREATE TABLE {t} (id int PRIMARY KEY, v int)")
        a.execute(f"INSERT INTO {t} VALUES (1, 0)")
        a.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        a.execute(f"SELECT v FROM {t} WHERE id = 1").fetchone()
        b.execute(f"UPDATE {t} SET v = 1 WHERE id = 1")
        with pytest.raises(psycopg.errors.SerializationFailure) as ei:
            a.execute(f"UPDATE {t} SET v = 2 WHERE id = 1")
        a.execute("ROLLBACK")
        a.execute(f"DROP TABLE {t}")
    return ei.value.diag.sqlstate, ei.value.diag.message_primary


def test_serialization_failure_message(gateway, pg):
    """Apps retry on 40001 and log its message: PostgreSQL's words, not DuckDB's 'Conflict on update!'."""
    t = uniq("ser")
    assert _serialization_failure(gateway.dsn, t) == _serialization_failure(pg.dsn, t)


def _column_origins(dsn: str, t: str) -> list:
    out = []
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute(f"CREATE TABLE {t} (id serial PRIMARY KEY, name text NOT NULL, x int)")
        for sql, prepare in [(f"SELECT * FROM {t}", False), (f"SELECT * FROM {t}", True),
                             (f"SELECT name, x + 1, id AS ident FROM {t} o WHERE id > 0", False),
                             (f"SELECT o.x FROM {t} o WHERE o.id = 1", True),
                             # RETURNING describes the target table's columns too (pgjdbc's
                             # getGeneratedKeys metadata: serial, NOT NULL, table name)
                             (f"INSERT INTO {t} (name, x) VALUES ('a', 1) RETURNING id, x * 2, name", False),
                             (f"INSERT INTO {t} AS o (name) VALUES ('b') RETURNING o.*", True),
                             (f"UPDATE {t} SET x = 3 WHERE id = 1 RETURNING *", False),
                             (f"DELETE FROM {t} WHERE id = 2 RETURNING name, id", True)]:
            r = c.execute(sql, prepare=prepare).pgresult
            out.append([(r.ftable(i) != 0, r.ftablecol(i)) for i in range(r.nfields)])
        out.append(c.execute(f"SELECT relname FROM pg_class WHERE oid = {r.ftable(0)}").fetchall() == [(t,)])
        c.execute(f"DROP TABLE {t}")
    return out


def test_row_description_column_origins(gateway, pg):
    """RowDescription names the table and column a selected column comes from (the OID is
    pg_class's): drivers build ResultSetMetaData from it."""
    t = uniq("org")
    assert _column_origins(gateway.dsn, t) == _column_origins(pg.dsn, t)


JDBC_METADATA = r"""
import java.sql.*;
public class SweepMeta {
  public static void main(String[] a) throws Exception {
    try (Connection c = DriverManager.getConnection(a[0])) {
      Statement s = c.createStatement();
      s.execute("CREATE TABLE " + a[1] + " (id serial PRIMARY KEY, name text NOT NULL, amount numeric(10,2), d date)");
      for (String sql : new String[]{"SELECT * FROM " + a[1], "SELECT id, name, amount * 2 AS twice FROM " + a[1]}) {
        ResultSetMetaData md = s.executeQuery(sql).getMetaData();
        for (int i = 1; i <= md.getColumnCount(); i++)
          System.out.println(md.getColumnName(i) + " " + md.getColumnTypeName(i) + " null=" + md.isNullable(i)
              + " auto=" + md.isAutoIncrement(i) + " table=" + md.getTableName(i).replace(a[1], "T")
              + " prec=" + md.getPrecision(i) + " scale=" + md.getScale(i));
      }
      s.execute("DROP TABLE " + a[1]);
    }
  }
}
"""


def test_jdbc_result_set_metadata(gateway, pg):
    """pgjdbc's ResultSetMetaData: serial type name, nullability, auto-increment, table name."""
    from tests.clients import run_java

    def jdbc(server):
        return "jdbc:postgresql://%s:%d/postgres?user=postgres" % (server.host, server.port)
    t = uniq("jm")
    assert run_java(JDBC_METADATA, jdbc(gateway), t).stdout == run_java(JDBC_METADATA, jdbc(pg), t).stdout


def _pg_notify(dsn: str, channel: str) -> list:
    with psycopg.connect(dsn, autocommit=True) as listener, psycopg.connect(dsn, autocommit=True) as sender:
        listener.execute(f"LISTEN {channel}")
        row = sender.execute(f"SELECT pg_notify('{channel}', 'hello'), 1 AS one").fetchone()
        got = [(n.channel, n.payload) for n in listener.notifies(timeout=10, stop_after=1)]
        with pytest.raises(psycopg.Error) as ei:
            sender.execute("SELECT pg_notify('', 'x')")
    return [row[1], got, ei.value.diag.sqlstate]


def test_pg_notify_function(gateway, pg):
    """pg_notify('channel', 'payload') delivers like NOTIFY (apps and ORMs call the function)."""
    ch = uniq("ch")
    assert _pg_notify(gateway.dsn, ch) == _pg_notify(pg.dsn, ch)


def test_duckdb_eager_foreign_key_check_is_a_clear_0A000(gateway, pg):
    """Updating a unique column of a referenced parent row (UPDATE, or ON CONFLICT DO UPDATE)
    succeeds in PostgreSQL; DuckDB's eager foreign-key check refuses it. The gateway answers
    0A000 saying so, not a 23503 claiming the row is still referenced."""
    p = uniq("fk")
    statements = [f"UPDATE {p}_u SET email = 'other@x' WHERE id = 1",
                  f"INSERT INTO {p}_u VALUES (2, 'new@x') ON CONFLICT (email) DO UPDATE SET email = 'b@x'"]
    results = {}
    for name, server in (("pg", pg), ("gw", gateway)):
        out = []
        with psycopg.connect(server.dsn, autocommit=True) as c:
            for sql in statements:  # each on fresh tables
                c.execute(f"CREATE TABLE {p}_u (id int PRIMARY KEY, email text UNIQUE)")
                c.execute(f"CREATE TABLE {p}_o (id int, uid int REFERENCES {p}_u(id))")
                c.execute(f"INSERT INTO {p}_u VALUES (1, 'new@x')")
                c.execute(f"INSERT INTO {p}_o VALUES (1, 1)")
                try:
                    c.execute(sql)
                    out.append("ok")
                except psycopg.Error as e:
                    out.append((e.diag.sqlstate, e.diag.message_primary.replace(p, "P")))
                c.execute(f"DROP TABLE {p}_o")
                c.execute(f"DROP TABLE {p}_u")
        results[name] = out
    assert results["pg"] == ["ok", "ok"]
    assert results["gw"] == [("0A000", 'UPDATE of a unique or primary key column of "P_u" while table "P_o" '
                                        'references it is not supported')] * 2


def test_to_char_numeric_templates_match_postgres(pg):
    """sql/numeric_format.py against PostgreSQL's own to_char over a grid of values and templates."""
    from itertools import product

    from gateway.sql.numeric_format import supported, to_char_number

    values = ["0", "0.5", "-0.5", "1234.5", "-1234.5", "12", "-12.456", "999.995", "1234567.891", "0.004", "100"]
    templates = ["9999.99", "FM9999.99", "9.99", "0.99", "999", "FM999", "9,999,999.99", "FM9,999,999.00",
                 "000", "0000.00", "FM0000.00", "99.9", "FM99.99", "9G999D99", "FM9G999", "FM90.0", "999D", "9.0"]
    assert all(supported(t) for t in templates)
    with psycopg.connect(pg.dsn, autocommit=True) as c:
        for v, t in product(values, templates):
            assert to_char_number(v, t) == c.execute("SELECT to_char(%s::numeric, %s)", [v, t]).fetchone()[0], (v, t)


def _notify_in_transactions(dsn: str, ch: str) -> list:
    with psycopg.connect(dsn, autocommit=True) as listener, psycopg.connect(dsn, autocommit=True) as sender:
        listener.execute(f"LISTEN {ch}")
        sender.execute("BEGIN")
        sender.execute(f"NOTIFY {ch}, 'rolled back'")
        sender.execute("ROLLBACK")
        sender.execute("BEGIN")
        sender.execute(f"NOTIFY {ch}, 'committed'")
        sender.execute(f"SELECT pg_notify('{ch}', 'committed')")  # the same again: sent once
        sender.execute(f"NOTIFY {ch}, 'second'")
        sender.execute("COMMIT")
        sender.execute(f"NOTIFY {ch}, 'last'")
        got = []
        for n in listener.notifies(timeout=10):
            got.append(n.payload)
            if n.payload == "last":
                break
    return got


def test_notify_waits_for_commit(gateway, pg):
    """NOTIFY inside a transaction is delivered at COMMIT, never after ROLLBACK, once per payload."""
    ch = uniq("ch")
    assert _notify_in_transactions(gateway.dsn, ch) == _notify_in_transactions(pg.dsn, ch) == [
        "committed", "second", "last"]


def test_sqlalchemy_column_reflection_is_fast_and_same(gateway, pg):
    """SQLAlchemy's get_columns (Alembic autogenerate, inspect()) asks for identity options in a
    correlated subquery DuckDB evaluated for every column: ~100 s per table under load. The
    rewrite folds it (no_identity_columns); the reflected columns stay PostgreSQL's."""
    import time

    sa = pytest.importorskip("sqlalchemy")
    t = uniq("refl")
    out = {}
    for name, server in (("pg", pg), ("gw", gateway)):
        eng = sa.create_engine(server.url.replace("postgresql://", "postgresql+psycopg://"))
        try:
            with eng.begin() as c:
                c.execute(sa.text(f"CREATE TABLE {t} (id serial PRIMARY KEY, name varchar(10) NOT NULL, "
                                  f"x numeric(5,2) DEFAULT 1, at timestamptz)"))
            started = time.monotonic()
            cols = sa.inspect(eng).get_columns(t)
            elapsed = time.monotonic() - started
            with eng.begin() as c:
                c.execute(sa.text(f"DROP TABLE {t}"))
        finally:
            eng.dispose()
        out[name] = ([(c["name"], str(c["type"]), c["nullable"], c["default"]) for c in cols], elapsed)
    assert out["gw"][0] == out["pg"][0]
    assert out["gw"][1] < 30, f"get_columns took {out['gw'][1]:.1f} s"


def _enum_params(dsn: str, url: str, t: str) -> list:
    """Parameters compared with an enum column, as psycopg (untyped text) and asyncpg (typed by
    the server's ParameterDescription) send them."""
    import asyncpg

    out = []
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute(f"CREATE TYPE {t}_mood AS ENUM ('sad', 'ok', 'happy')")
        c.execute(f"CREATE TABLE {t} (id int, m {t}_mood)")
        c.execute(f"INSERT INTO {t} VALUES (1, 'ok'), (2, 'happy'), (3, 'sad')")
        for sql, args in [(f"SELECT id FROM {t} WHERE m > %s ORDER BY id", ["sad"]),
                          (f"SELECT id FROM {t} WHERE m BETWEEN %s AND %s ORDER BY id", ["sad", "ok"]),
                          (f"SELECT id FROM {t} WHERE %s >= m ORDER BY id", ["ok"])]:
            out.append(c.execute(sql, args).fetchall())
            out.append(c.execute(sql, args, prepare=True).fetchall())

    async def run():
        conn = await asyncpg.connect(url)
        try:
            return [[tuple(r) for r in await conn.fetch(f"SELECT id FROM {t} WHERE m < $1 ORDER BY id", "happy")]]
        finally:
            await conn.close()
    out += asyncio.run(run())
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute(f"DROP TABLE {t}")
        c.execute(f"DROP TYPE {t}_mood")
    return out


def test_enum_compared_with_parameters(gateway, pg):
    """`m > $1` on an enum column follows the label order (DuckDB alone compares the text)."""
    t = uniq("enp")
    assert _enum_params(gateway.dsn, gateway.url, t) == _enum_params(pg.dsn, pg.url, t)


@pytest.mark.parametrize("sql, message", [
    ("CREATE TYPE {t} AS (a int, b text)", "composite types are not supported"),
    ("CREATE TYPE {t} AS RANGE (subtype = int4)", "range types are not supported"),
])
def test_unsupported_type_kinds(gateway, sql, message):
    """CREATE TYPE … AS (composite) / AS RANGE: a clear 0A000, not a syntax error (42601)."""
    with psycopg.connect(gateway.dsn, autocommit=True) as c:
        with pytest.raises(psycopg.errors.FeatureNotSupported) as ei:
            c.execute(sql.format(t=uniq("ty")))
        assert ei.value.diag.message_primary == message and ei.value.diag.message_hint
        assert c.execute("SELECT 1").fetchone() == (1,)
