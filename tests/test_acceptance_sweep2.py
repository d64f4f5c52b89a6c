"""Acceptance sweep, round 2: what real clients do that round 1 (test_acceptance_sweep.py) did not
check, each compared with PostgreSQL 15 through the same client.

- Data-modifying CTEs (`WITH ins AS (INSERT … RETURNING id) SELECT … FROM ins`) with bound
  parameters through psycopg, asyncpg (prepared: Describe before Execute), pgjdbc and
  node-postgres; inside a transaction and rolled back with it; an error in the outer SELECT
  undoes the DML.
- A key repeated inside one transaction (an ORM flush, asyncpg executemany, a multi-row VALUES):
  DuckDB reports only the key's values; clients see PostgreSQL's message, detail and constraint.
- `CHECK (length(col) < n)` in models (SQLAlchemy create_all, then reflection).
- pgjdbc's `SELECT * FROM upper(?) AS result` (a scalar function in FROM).
- regexp_match / regexp_matches / substring(from pattern) values as drivers parse them.
"""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest

from tests.clients import run_java, run_node

psycopg = pytest.importorskip("psycopg")


def uniq(prefix: str = "t") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


# ----------------------------------------------------------------- data-modifying CTEs


def _writable_cte_psycopg(dsn: str, t: str) -> list:
    out = []
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute(f"CREATE TABLE {t} (id serial PRIMARY KEY, name text UNIQUE, n int)")
        for prepare in (False, True):  # simple-query-like and named prepared statement
            cur = c.cursor()
            cur.execute(f"WITH ins AS (INSERT INTO {t} (name, n) VALUES (%s, %s) RETURNING id, name, n) "
                        f"SELECT id, name, n * %s AS n3 FROM ins", [f"a{prepare}", 2, 3], prepare=prepare)
            out.append((cur.fetchall(), [(d.name, d.type_code) for d in cur.description], cur.statusmessage))
        with c.transaction():
            out.append(c.execute(f"WITH u AS (UPDATE {t} SET n = n + %s RETURNING id, n) SELECT sum(n) FROM u",
                                 [100]).fetchall())
            out.append(c.execute(f"SELECT sum(n) FROM {t}").fetchall())  # reads its own write
        with pytest.raises(psycopg.errors.DivisionByZero):
            c.execute(f"WITH ins AS (INSERT INTO {t} (name) VALUES ('gone') RETURNING id) SELECT id / 0 FROM ins")
        try:
            with c.transaction():
                c.execute(f"WITH ins AS (INSERT INTO {t} (name) VALUES ('rolled back') RETURNING id) SELECT id FROM ins")
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
        with pytest.raises(psycopg.errors.UniqueViolation) as ei:
            c.execute(f"WITH ins AS (INSERT INTO {t} (name) VALUES (%s) RETURNING id) SELECT id FROM ins", ["aFalse"])
        d = ei.value.diag
        out.append((d.message_primary.replace(t, "T"), d.message_detail, (d.constraint_name or "").replace(t, "T")))
        out.append(c.execute(f"WITH moved AS (DELETE FROM {t} WHERE n > 100 RETURNING id, name) "
                             f"SELECT count(*) FROM moved").fetchall())
        out.append(c.execute(f"SELECT name FROM {t} ORDER BY id").fetchall())
        c.execute(f"DROP TABLE {t}")
    return out


def test_writable_cte_psycopg(gateway, pg):
    t = uniq("wc")
    expected = _writable_cte_psycopg(pg.dsn, t)
    assert expected[0][0] == [(1, "aFalse", 6)]  # the oracle answered what the test is about
    assert _writable_cte_psycopg(gateway.dsn, t) == expected


async def _writable_cte_asyncpg(url: str, t: str) -> list:
    asyncpg = pytest.importorskip("asyncpg")
    c = await asyncpg.connect(url)
    try:
        await c.execute(f"CREATE TABLE {t} (id serial PRIMARY KEY, v text)")
        st = await c.prepare(f"WITH ins AS (INSERT INTO {t} (v) VALUES ($1) RETURNING id, v) "
                             f"SELECT id, v || '!' AS w FROM ins")
        out: list = [[(a.name, a.type.name) for a in st.get_attributes()]]
        out.append([dict(await st.fetchrow("x")), dict(await st.fetchrow("y"))])
        async with c.transaction():
            out.append(await c.fetchval(f"WITH d AS (DELETE FROM {t} WHERE v = $1 RETURNING id) "
                                        f"SELECT count(*) FROM d", "x"))
        out.append([tuple(r) for r in await c.fetch(f"SELECT id, v FROM {t} ORDER BY id")])
        await c.execute(f"DROP TABLE {t}")
        return out
    finally:
        await c.close()


def test_writable_cte_asyncpg(gateway, pg):
    t = uniq("wca")
    expected = asyncio.run(_writable_cte_asyncpg(pg.url, t))
    assert asyncio.run(_writable_cte_asyncpg(gateway.url, t)) == expected


NODE_WRITABLE_CTE = r"""
const { Client } = require('pg');
(async () => {
  const c = new Client({ connectionString: process.argv[1] });
  await c.connect();
  const t = process.argv[2];
  await c.query(`CREATE TABLE ${t} (id serial PRIMARY KEY, v text, n numeric(6,2))`);
  const out = [];
  for (const v of ['a', 'b']) {
    const r = await c.query({name: 'ins', text: `WITH ins AS (INSERT INTO ${t} (v, n) VALUES ($1, $2) RETURNING *) SELECT id, v, n FROM ins`, values: [v, '1.5']});
    out.push({rows: r.rows, fields: r.fields.map(f => [f.name, f.dataTypeID]), command: r.command, rowCount: r.rowCount});
  }
  const m = await c.query("SELECT regexp_match('order-42-7', '(\\d+)-(\\d+)') AS m, substring('abc123' from '[0-9]+') AS s");
  out.push(m.rows);
  await c.query(`DROP TABLE ${t}`);
  console.log(JSON.stringify(out));
  await c.end();
})().catch(e => { console.error(e); process.exit(1); });
"""


def test_writable_cte_and_regexp_node_pg(gateway, pg):
    t = uniq("wcn")
    expected = json.loads(run_node(NODE_WRITABLE_CTE, pg.url, t).stdout)
    assert expected[2] == [{"m": ["42", "7"], "s": "123"}]
    assert json.loads(run_node(NODE_WRITABLE_CTE, gateway.url, t).stdout) == expected


JDBC_CALLS = r"""
import java.sql.*;
public class SweepTwoJdbc {
  public static void main(String[] a) throws Exception {
    Connection c = DriverManager.getConnection(a[0], "postgres", "");
    String t = a[1];
    Statement s = c.createStatement();
    s.execute("CREATE TABLE " + t + " (id serial PRIMARY KEY, v text)");
    PreparedStatement ps = c.prepareStatement("WITH ins AS (INSERT INTO " + t + " (v) VALUES (?) RETURNING id, v) SELECT id, upper(v) AS u FROM ins");
    for (String v : new String[]{"x", "y"}) {
      ps.setString(1, v);
      ResultSet rs = ps.executeQuery();
      ResultSetMetaData md = rs.getMetaData();
      // (the id column's type name is left out: PostgreSQL traces it through the CTE to the
      // serial column, pgjdbc then says "serial"; the gateway reports no origin for CTE columns)
      while (rs.next()) System.out.println(md.getColumnName(1) + ":" + md.getColumnType(1) + "=" + rs.getInt(1) + " " + md.getColumnName(2) + ":" + md.getColumnTypeName(2) + "=" + rs.getString(2));
    }
    PreparedStatement f = c.prepareStatement("SELECT * FROM upper(?) AS result");
    f.setString(1, "abc");
    ResultSet r = f.executeQuery();
    r.next();
    System.out.println(r.getMetaData().getColumnName(1) + "=" + r.getString(1));
    // {? = call f(?)}: pgjdbc sends select * from f($1,$2) as result, $1 a void OUT placeholder
    CallableStatement cs = c.prepareCall("{? = call upper(?)}");
    cs.registerOutParameter(1, Types.VARCHAR);
    cs.setString(2, "call me");
    cs.execute();
    System.out.println("call=" + cs.getString(1));
    CallableStatement cs2 = c.prepareCall("{? = call length(?)}");
    cs2.registerOutParameter(1, Types.INTEGER);
    cs2.setString(2, "four");
    cs2.execute();
    System.out.println("call=" + cs2.getInt(1));
    s.execute("DROP TABLE " + t);
  }
}
"""


def test_writable_cte_and_function_in_from_pgjdbc(gateway, pg):
    """Also pgjdbc's CallableStatement, whose void OUT placeholder PostgreSQL drops from the call."""
    def jdbc(server):
        return f"jdbc:postgresql://{server.host}:{server.port}/postgres"
    t = uniq("wcj")
    expected = run_java(JDBC_CALLS, jdbc(pg), t).stdout
    assert "result=ABC" in expected and "call=CALL ME" in expected and "call=4" in expected
    assert run_java(JDBC_CALLS, jdbc(gateway), t).stdout == expected


# ----------------------------------------------------------------- duplicates inside a transaction


def _duplicate_in_transaction(dsn: str, t: str) -> list:
    out = []
    with psycopg.connect(dsn) as c:  # not autocommit: a transaction, as ORMs flush
        c.execute(f"CREATE TABLE {t} (id int PRIMARY KEY, email text, a int, b int, UNIQUE (a, b))")
        c.commit()
        for rows in ([(1, "x", 1, 1), (1, "y", 2, 2)], [(1, "x", 1, 1), (2, "y", 1, 1)]):
            with pytest.raises(psycopg.errors.UniqueViolation) as ei:
                c.cursor().executemany(f"INSERT INTO {t} VALUES (%s, %s, %s, %s)", rows)
            d = ei.value.diag
            out.append((d.message_primary.replace(t, "T"), d.message_detail, (d.constraint_name or "").replace(t, "T"),
                        d.table_name.replace(t, "T") if d.table_name else None, d.schema_name))
            c.rollback()
        with pytest.raises(psycopg.errors.UniqueViolation) as ei:
            c.execute(f"INSERT INTO {t} VALUES (5, 'q', 5, 5), (5, 'r', 6, 6)")
        out.append((ei.value.diag.message_primary.replace(t, "T"), ei.value.diag.message_detail))
        c.rollback()
        c.execute(f"DROP TABLE {t}")
        c.commit()
    return out


def test_duplicate_key_inside_transaction_psycopg(gateway, pg):
    t = uniq("dup")
    expected = _duplicate_in_transaction(pg.dsn, t)
    assert expected[0][2] == "T_pkey" and expected[1][2] == "T_a_b_key"
    assert _duplicate_in_transaction(gateway.dsn, t) == expected


async def _executemany_duplicate(url: str, t: str) -> tuple:
    asyncpg = pytest.importorskip("asyncpg")
    c = await asyncpg.connect(url)
    try:
        await c.execute(f"CREATE TABLE {t} (id int PRIMARY KEY)")
        with pytest.raises(asyncpg.UniqueViolationError) as ei:
            await c.executemany(f"INSERT INTO {t} VALUES ($1)", [(1,), (2,), (1,)])
        e = ei.value
        rows = await c.fetch(f"SELECT id FROM {t}")
        await c.execute(f"DROP TABLE {t}")
        return (e.sqlstate, e.message.replace(t, "T"), e.detail, (e.constraint_name or "").replace(t, "T"),
                (e.table_name or "").replace(t, "T"), len(rows))
    finally:
        await c.close()


def test_executemany_duplicate_asyncpg(gateway, pg):
    t = uniq("dupa")
    expected = asyncio.run(_executemany_duplicate(pg.url, t))
    assert expected[3] == "T_pkey"
    assert asyncio.run(_executemany_duplicate(gateway.url, t)) == expected


# ----------------------------------------------------------------- SQLAlchemy models with CHECK (length)


def _sqlalchemy_checks(url: str, t: str) -> list:
    sa = pytest.importorskip("sqlalchemy")
    from sqlalchemy.orm import DeclarativeBase, Session

    class Base(DeclarativeBase):
        pass

    class Item(Base):
        __tablename__ = t
        id = sa.Column(sa.Integer, primary_key=True)
        code = sa.Column(sa.String(20), unique=True)
        note = sa.Column(sa.Text)
        __table_args__ = (sa.CheckConstraint("length(note) < 10", name=f"{t}_note_len"),)

    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    out = []
    try:
        Base.metadata.create_all(engine)
        with Session(engine) as s:
            s.add_all([Item(id=1, code="a", note="short"), Item(id=2, code="b", note=None)])
            s.commit()
            s.add(Item(id=3, code="c", note="far too long a note"))
            with pytest.raises(sa.exc.IntegrityError) as ei:
                s.commit()
            out.append(ei.value.orig.sqlstate)
            s.rollback()
            s.add_all([Item(id=4, code="d"), Item(id=5, code="d")])
            with pytest.raises(sa.exc.IntegrityError) as ei:
                s.commit()
            d = ei.value.orig.diag
            out.append((d.sqlstate, d.message_primary.replace(t, "T"), d.message_detail,
                        (d.constraint_name or "").replace(t, "T")))
            s.rollback()
            out.append(sorted((i.id, i.note) for i in s.scalars(sa.select(Item))))
        insp = sa.inspect(engine)
        out.append([c["sqltext"] for c in insp.get_check_constraints(t)])
    finally:
        Base.metadata.drop_all(engine)
        engine.dispose()
    return out


def test_sqlalchemy_check_length_and_flush_duplicate(gateway, pg):
    t = uniq("sac")
    expected = _sqlalchemy_checks(pg.url, t)
    assert expected[0] == "23514"
    assert _sqlalchemy_checks(gateway.url, t) == expected


# ----------------------------------------------------------------- enum parameters


async def _enum_params(url: str, t: str) -> list:
    asyncpg = pytest.importorskip("asyncpg")
    c = await asyncpg.connect(url)
    try:
        await c.execute(f"CREATE TYPE {t}_mood AS ENUM ('sad', 'ok', 'happy')")
        await c.execute(f"CREATE TABLE {t} (id int PRIMARY KEY, m {t}_mood, ms {t}_mood[])")
        await c.execute(f"INSERT INTO {t} VALUES ($1, $2, $3)", 1, "ok", ["sad", "happy"])
        out = [await c.fetchval(f"SELECT $1::{t}_mood[]", ["ok", "sad"]),
               await c.fetchval(f"SELECT $1::{t}_mood", "happy")]
        row = await c.fetchrow(f"SELECT m, ms, m::text AS mt, 'ok'::{t}_mood FROM {t} WHERE ms @> $1::{t}_mood[]",
                               ["happy"])
        out.append([(k.replace(t, "T"), v) for k, v in row.items()])
        await c.execute(f"DROP TABLE {t}")
        await c.execute(f"DROP TYPE {t}_mood")
        return out
    finally:
        await c.close()


def test_enum_parameters_asyncpg(gateway, pg):
    """An enum array parameter (asyncpg encodes by the described type: it was text, so a list
    failed client-side) and a cast's column name (the type's name, was 'userdefined')."""
    t = uniq("en")
    expected = asyncio.run(_enum_params(pg.url, t))
    assert expected[0] == ["ok", "sad"]
    assert asyncio.run(_enum_params(gateway.url, t)) == expected


# ----------------------------------------------------------------- server-side cursors with parameters


def _named_cursors(dsn: str) -> list:
    out = []
    with psycopg.connect(dsn) as c:
        with c.cursor(name="sw2_plain") as cur:  # DECLARE … CURSOR FOR … $1, bound at Bind
            cur.itersize = 7
            cur.execute("SELECT g, g * 2 AS d FROM generate_series(1, 25) g WHERE g > %s ORDER BY g", [3])
            out.append(cur.fetchmany(3))
            out.append(len(cur.fetchall()))
        with c.cursor(name="sw2_scroll", scrollable=True, withhold=True) as cur:
            cur.execute("SELECT g, %s::text AS t FROM generate_series(1, 10) g WHERE g <= %s ORDER BY g", ["x", 8])
            cur.scroll(5)
            out.append(cur.fetchone())
            cur.scroll(-3)
            out.append(cur.fetchone())
            out.append([d.name for d in cur.description])
        c.commit()
    return out


def test_named_cursor_with_parameters_psycopg(gateway, pg):
    """psycopg's server-side cursors (and SQLAlchemy's stream_results on psycopg) send DECLARE
    with bound parameters: they failed ('Values were not provided…')."""
    expected = _named_cursors(pg.dsn)
    assert expected[0] == [(4, 8), (5, 10), (6, 12)]
    assert _named_cursors(gateway.dsn) == expected


def _stream_results(url: str) -> list:
    sa = pytest.importorskip("sqlalchemy")
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=4).execute(
                sa.text("SELECT g FROM generate_series(1, 10) g WHERE g % :m = 0 ORDER BY g"), {"m": 2})
            return [r[0] for r in result]
    finally:
        engine.dispose()


def test_sqlalchemy_stream_results_with_parameters(gateway, pg):
    expected = _stream_results(pg.url)
    assert expected == [2, 4, 6, 8, 10]
    assert _stream_results(gateway.url) == expected


# ----------------------------------------------------------------- named constraints


def _named_constraints(dsn: str, t: str) -> list:
    out = []
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute(f"CREATE TABLE {t}_p (id int CONSTRAINT {t}_pk PRIMARY KEY, code text CONSTRAINT uq_{t}_code UNIQUE,"
                  f" a int, b int, CONSTRAINT uq_{t}_ab UNIQUE (a, b), CONSTRAINT ck_{t}_a CHECK (a >= 0), CHECK (b >= 0))")
        c.execute(f"CREATE TABLE {t}_c (id int PRIMARY KEY, pid int, "
                  f"CONSTRAINT fk_{t}_parent FOREIGN KEY (pid) REFERENCES {t}_p (id))")
        c.execute(f"INSERT INTO {t}_p VALUES (1, 'x', 1, 1)")
        for sql in [f"INSERT INTO {t}_p VALUES (1, 'y', 2, 2)", f"INSERT INTO {t}_p VALUES (2, 'x', 2, 2)",
                    f"INSERT INTO {t}_p VALUES (3, 'z', 1, 1)", f"INSERT INTO {t}_c VALUES (1, 9)",
                    f"INSERT INTO {t}_p VALUES (5, 'q', 5, 5), (6, 'q', 6, 6)",
                    f"INSERT INTO {t}_p VALUES (7, 'r', -1, 7)", f"INSERT INTO {t}_p VALUES (8, 's', 8, -1)"]:
            with pytest.raises(psycopg.errors.IntegrityError) as ei:
                c.execute(sql)
            d = ei.value.diag
            out.append((d.sqlstate, d.message_primary.replace(t, "T"), (d.constraint_name or "").replace(t, "T"),
                        (d.message_detail or "").replace(t, "T") if d.sqlstate != "23514" else None))
        for q in (f"SELECT conname, contype FROM pg_constraint WHERE conrelid IN ('{t}_p'::regclass, '{t}_c'::regclass) "
                  f"ORDER BY 1",
                  f"SELECT constraint_name, constraint_type FROM information_schema.table_constraints "
                  f"WHERE table_name LIKE '{t}%' AND constraint_type <> 'CHECK' ORDER BY 1",
                  f"SELECT indexname FROM pg_indexes WHERE tablename LIKE '{t}%' ORDER BY 1"):
            out.append([tuple(str(v).replace(t, "T") for v in r) for r in c.execute(q).fetchall()])
        c.execute(f"CREATE TABLE {t}_r (id int, CONSTRAINT uq_{t}_r UNIQUE (id))")
        c.execute(f"ALTER TABLE {t}_r RENAME TO {t}_k")  # the name follows the table
        out.append(c.execute(f"SELECT conname FROM pg_constraint WHERE conrelid = '{t}_k'::regclass")
                   .fetchall()[0][0].replace(t, "T"))
        c.execute(f"DROP TABLE {t}_k")
        c.execute(f"DROP TABLE {t}_c")
        c.execute(f"DROP TABLE {t}_p")
    return out


def test_named_constraints(gateway, pg):
    """CONSTRAINT names given in CREATE TABLE (Alembic's and Django's naming conventions) are
    what pg_constraint and violation errors report."""
    t = uniq("nc")
    expected = _named_constraints(pg.dsn, t)
    assert expected[1][2] == "uq_T_code"
    assert _named_constraints(gateway.dsn, t) == expected


def _alembic_diff(url: str, t: str) -> list:
    sa = pytest.importorskip("sqlalchemy")
    pytest.importorskip("alembic")
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    md = sa.MetaData()
    sa.Table(f"{t}_p", md, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("code", sa.String(10), nullable=False), sa.Column("a", sa.Integer), sa.Column("b", sa.Integer),
             sa.UniqueConstraint("code", name=f"uq_{t}_code"), sa.UniqueConstraint("a", "b"),
             sa.CheckConstraint("a >= 0", name=f"ck_{t}_a"), sa.Index(f"ix_{t}_a", "a"))
    sa.Table(f"{t}_c", md, sa.Column("id", sa.BigInteger, primary_key=True),
             sa.Column("pid", sa.Integer, sa.ForeignKey(f"{t}_p.id", name=f"fk_{t}_p"), nullable=False))
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        md.create_all(engine)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), md)
        # only differences in the model's tables (the server may hold others)
        return [d for d in diff if t in repr(d)]
    finally:
        md.drop_all(engine)
        engine.dispose()


def test_alembic_autogenerate_named_constraints(gateway, pg):
    t = uniq("al")
    assert _alembic_diff(pg.url, t) == []
    assert _alembic_diff(gateway.url, t) == []
