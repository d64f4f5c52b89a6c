"""Temporary tables and what a transaction sees, against PostgreSQL 15 as the oracle.

DuckDB keeps temporary tables per connection, and the gateway runs autocommit statements on
shared connections (reader pool, writer). A session that creates a temporary object therefore
runs everything after it on its own connection; these tests run the same multi-session scripts
on PostgreSQL and on the gateway and compare every step's rows, command tag and SQLSTATE.
Also: a READ COMMITTED transaction sees other sessions' commits statement by statement (its
reads go to the shared readers until it writes), REPEATABLE READ keeps one snapshot.
"""

from __future__ import annotations

import asyncio
import uuid

import psycopg
import pytest

asyncpg = pytest.importorskip("asyncpg")


def uniq(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def run_script(dsn: str, sessions: dict[str, bool], steps: list) -> list:
    """Steps are (session, sql[, params]) or (session, "commit"|"rollback"|"close") or
    (session, "copy", sql, rows). Sessions: name → autocommit. Returns per step the rows (or
    None), the status message, or the SQLSTATE of the error."""
    conns = {name: psycopg.connect(dsn, autocommit=auto) for name, auto in sessions.items()}
    out = []
    try:
        for step in steps:
            name, what = step[0], step[1]
            conn = conns[name]
            try:
                if what in ("commit", "rollback"):
                    getattr(conn, what)()
                    out.append(what)
                elif what == "close":
                    conn.close()
                    conns[name] = psycopg.connect(dsn, autocommit=sessions[name])
                    out.append("reconnected")
                elif what == "copy":
                    with conn.cursor() as cur:
                        with cur.copy(step[2]) as cp:
                            for row in step[3]:
                                cp.write_row(row)
                        out.append(cur.statusmessage)
                elif what == "executemany":
                    with conn.cursor() as cur:
                        cur.executemany(step[2], step[3])
                        out.append(cur.statusmessage)
                else:
                    with conn.cursor() as cur:
                        cur.execute(what, step[2] if len(step) > 2 else None)
                        rows = cur.fetchall() if cur.description is not None else None
                        out.append((cur.statusmessage, rows))
            except psycopg.Error as e:
                out.append(("error", e.sqlstate))
                if not conn.autocommit and conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                    conn.rollback()
    finally:
        for c in conns.values():
            c.close()
    return out


def both(pg, gateway, sessions, steps):
    want = run_script(pg.dsn, sessions, steps)
    got = run_script(gateway.dsn, sessions, steps)
    for i, (w, g) in enumerate(zip(want, got)):
        assert g == w, f"step {i} {steps[i][:3]}: PostgreSQL {w!r}, gateway {g!r}"
    return got


def test_temp_table_is_per_session_and_autocommit_works(pg, gateway):
    t = uniq("tmp")
    got = both(pg, gateway, {"a": True, "b": True}, [
        ("a", f"CREATE TEMP TABLE {t} (id int PRIMARY KEY, v text)"),
        ("a", f"INSERT INTO {t} VALUES (1, 'one'), (2, 'two')"),
        ("a", f"SELECT * FROM {t} ORDER BY id"),
        ("a", f"UPDATE {t} SET v = upper(v) WHERE id = %s", (2,)),
        ("a", f"SELECT * FROM {t} WHERE id = %s", (2,)),
        ("a", f"INSERT INTO {t} VALUES (1, 'dup')"),
        ("a", f"DELETE FROM {t} WHERE id = 1 RETURNING v"),
        ("b", f"SELECT * FROM {t}"),  # another session cannot see it
        ("b", f"CREATE TEMP TABLE {t} (x text)"),  # and may have its own of that name
        ("b", f"INSERT INTO {t} VALUES ('b only')"),
        ("b", f"SELECT * FROM {t}"),
        ("a", f"SELECT * FROM {t} ORDER BY id"),
        ("a", "close"),
        ("a", f"SELECT * FROM {t}"),  # gone with the session
        ("b", f"SELECT count(*) FROM {t}"),
    ])
    assert got[7] == ("error", "42P01") and got[13] == ("error", "42P01")


def test_temp_table_shadows_permanent_table(pg, gateway):
    t = uniq("shadow")
    both(pg, gateway, {"a": True, "b": True}, [
        ("a", f"CREATE TABLE {t} (a int)"),
        ("a", f"INSERT INTO {t} VALUES (1)"),
        ("a", f"CREATE TEMP TABLE {t} (a int)"),
        ("a", f"INSERT INTO {t} VALUES (2)"),
        ("a", f"SELECT * FROM {t}"),
        ("b", f"SELECT * FROM {t}"),
        ("a", f"DROP TABLE {t}"),  # the temporary one
        ("a", f"SELECT * FROM {t}"),
        ("a", f"DROP TABLE {t}"),
    ])


def test_select_into(pg, gateway):
    t, tt = uniq("into"), uniq("intotmp")
    both(pg, gateway, {"a": True, "b": True}, [
        ("a", f"SELECT g AS n, g * 2 AS twice INTO {t} FROM generate_series(1, 3) g"),
        ("b", f"SELECT * FROM {t} ORDER BY n"),
        ("a", f"SELECT n INTO TEMP {tt} FROM {t} WHERE n > 1"),
        ("a", f"SELECT * FROM {tt} ORDER BY n"),
        ("b", f"SELECT * FROM {tt}"),
        ("a", f"DROP TABLE {t}"),
    ])


def test_etl_staging_on_commit_drop_with_copy(pg, gateway):
    t, stage = uniq("target"), uniq("stage")
    rows = [(i, f"name {i}", None if i % 3 else "x") for i in range(1, 51)]
    both(pg, gateway, {"a": False, "b": True}, [
        ("b", f"CREATE TABLE {t} (id int PRIMARY KEY, name text, tag text)"),
        ("a", f"CREATE TEMP TABLE {stage} (id int, name text, tag text) ON COMMIT DROP"),
        ("a", "copy", f"COPY {stage} FROM STDIN", rows),
        ("a", f"SELECT count(*), count(tag) FROM {stage}"),
        ("a", f"INSERT INTO {t} SELECT * FROM {stage} WHERE id <= 40"),
        ("b", f"SELECT count(*) FROM {t}"),  # not committed yet
        ("a", "commit"),
        ("a", f"SELECT * FROM {stage}"),  # dropped at commit
        ("a", "rollback"),
        ("b", f"SELECT count(*), min(id), max(id) FROM {t}"),
        ("b", f"DROP TABLE {t}"),
    ])


def test_on_commit_delete_rows_and_preserve_rows(pg, gateway):
    t, p = uniq("ocd"), uniq("ocp")
    both(pg, gateway, {"a": False, "c": True}, [
        ("a", f"CREATE TEMP TABLE {t} (a int) ON COMMIT DELETE ROWS"),
        ("a", f"CREATE TEMP TABLE {p} (a int) ON COMMIT PRESERVE ROWS"),
        ("a", f"INSERT INTO {t} VALUES (1), (2)"),
        ("a", f"INSERT INTO {p} VALUES (1), (2)"),
        ("a", f"SELECT count(*) FROM {t}"),
        ("a", "commit"),
        ("a", f"SELECT count(*) FROM {t}"),
        ("a", f"SELECT count(*) FROM {p}"),
        ("a", "commit"),
        # autocommit: every statement commits, so the rows go at once
        ("c", f"CREATE TEMP TABLE {t} (a int) ON COMMIT DELETE ROWS"),
        ("c", f"INSERT INTO {t} VALUES (1)"),
        ("c", f"SELECT count(*) FROM {t}"),
        # ON COMMIT DROP in autocommit: created and dropped by the same statement's commit
        ("c", f"CREATE TEMP TABLE {p} (a int) ON COMMIT DROP"),
        ("c", f"SELECT count(*) FROM {p}"),
    ])


def test_rolled_back_temp_table_is_gone(pg, gateway):
    t = uniq("rb")
    both(pg, gateway, {"a": False}, [
        ("a", f"CREATE TEMP TABLE {t} (a int)"),
        ("a", f"INSERT INTO {t} VALUES (1)"),
        ("a", "rollback"),
        ("a", f"SELECT * FROM {t}"),
    ])


def test_executemany_and_prepared_statements_on_temp_table(pg, gateway):
    t = uniq("em")
    both(pg, gateway, {"a": True}, [
        ("a", f"CREATE TEMP TABLE {t} (id int PRIMARY KEY, v float8)"),
        ("a", "executemany", f"INSERT INTO {t} VALUES (%s, %s)", [(i, i / 4) for i in range(500)]),
        ("a", f"SELECT count(*), sum(v) FROM {t}"),
        ("a", "executemany", f"INSERT INTO {t} VALUES (%s, %s)", [(1000, 1.0), (1, 2.0)]),
        ("a", f"SELECT count(*) FROM {t}"),
        ("a", f"SELECT v FROM {t} WHERE id = %s", (7,)),
    ])


def test_discard_temp_and_discard_all(pg, gateway):
    t, v = uniq("disc"), uniq("discv")
    both(pg, gateway, {"a": True}, [
        ("a", f"CREATE TEMP TABLE {t} (a int)"),
        ("a", f"CREATE TEMP VIEW {v} AS SELECT 1 AS one"),
        ("a", f"SELECT * FROM {v}"),
        ("a", "DISCARD TEMP"),
        ("a", f"SELECT * FROM {t}"),
        ("a", f"SELECT * FROM {v}"),
        ("a", f"CREATE TEMP TABLE {t} (a int)"),
        ("a", "DISCARD ALL"),
        ("a", f"SELECT * FROM {t}"),
    ])


def test_read_committed_transaction_sees_each_commit(pg, gateway):
    t = uniq("rc")
    got = both(pg, gateway, {"a": False, "b": True, "r": False}, [
        ("b", f"CREATE TABLE {t} (id int PRIMARY KEY)"),
        ("b", f"INSERT INTO {t} VALUES (1)"),
        ("a", f"SELECT count(*) FROM {t}"),  # a's transaction begins
        ("r", "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"),
        ("r", f"SELECT count(*) FROM {t}"),
        ("b", f"INSERT INTO {t} VALUES (2)"),
        ("a", f"SELECT count(*) FROM {t}"),  # READ COMMITTED: sees 2
        ("r", f"SELECT count(*) FROM {t}"),  # REPEATABLE READ: still 1
        ("a", f"INSERT INTO {t} VALUES (10)"),
        ("a", f"SELECT count(*) FROM {t}"),  # its own write
        ("b", f"SELECT count(*) FROM {t}"),  # not a's uncommitted one
        ("a", "commit"),
        ("r", "commit"),
        ("b", f"SELECT array_agg(id ORDER BY id) FROM {t}"),
        ("b", f"DROP TABLE {t}"),
    ])
    assert got[6] == ("SELECT 1", [(2,)]) and got[7] == ("SELECT 1", [(1,)])


def test_asyncpg_temp_table(pg, gateway):
    t = uniq("apg")

    async def script(dsn: str):
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(f"CREATE TEMP TABLE {t} (id int PRIMARY KEY, name text, amount float8)")
            await conn.copy_records_to_table(t, records=[(i, f"n{i}", i * 1.5) for i in range(100)])
            await conn.executemany(f"INSERT INTO {t} VALUES ($1, $2, $3)", [(200, "x", 1.0), (201, None, None)])
            one = await conn.fetchrow(f"SELECT * FROM {t} WHERE id = $1", 7)
            stmt = await conn.prepare(f"SELECT name FROM {t} WHERE id > $1 ORDER BY id LIMIT 2")
            total = await conn.fetchval(f"SELECT count(*) FROM {t}")
            async with conn.transaction():
                await conn.execute(f"DELETE FROM {t} WHERE id < 50")
            return tuple(one), [tuple(r) for r in await stmt.fetch(150)], total, \
                await conn.fetchval(f"SELECT count(*) FROM {t}")
        finally:
            await conn.close()

    assert asyncio.run(script(gateway.url)) == asyncio.run(script(pg.url))


def test_transaction_sees_its_own_ddl_for_parameter_types(pg, gateway):
    """asyncpg asks the server for parameter types (Describe): a table created earlier in the
    same transaction must type them, though no other session can see it yet."""
    t = uniq("txddl")

    async def script(dsn: str):
        conn = await asyncpg.connect(dsn)
        try:
            async with conn.transaction():
                await conn.execute(f"CREATE TABLE {t} (id int PRIMARY KEY, d date, amount float8)")
                await conn.executemany(f"INSERT INTO {t} VALUES ($1, $2, $3)",
                                       [(1, __import__("datetime").date(2024, 1, 2), 1.5), (2, None, None)])
                rows = await conn.fetch(f"SELECT id, d FROM {t} WHERE id >= $1 ORDER BY id", 1)
            await conn.execute(f"DROP TABLE {t}")
            return [tuple(r) for r in rows]
        finally:
            await conn.close()

    assert asyncio.run(script(gateway.url)) == asyncio.run(script(pg.url))


def test_psql_describes_a_temp_table(pg, gateway):
    from tests.test_psql import psql
    t = uniq("psqltmp")
    script = f"CREATE TEMP TABLE {t} (id int PRIMARY KEY, name text, d date DEFAULT current_date);\nSELECT count(*) FROM {t};\n\\d {t}\n"
    got = []
    for server in (pg, gateway):
        r = psql(server.dsn, "-f", "-", stdin=script)
        assert r.returncode == 0, r.stderr
        # the title names the schema: pg_temp_3 in PostgreSQL, whatever the gateway calls it
        got.append([ln for ln in r.stdout.splitlines() if not ln.strip().startswith("Table ")])
    assert got[1] == got[0]


def test_locking_read_keeps_its_snapshot_for_the_writes_after_it(gateway):
    """SELECT … FOR UPDATE in a transaction, then another client changes the row: PostgreSQL
    would make that client wait; the gateway (DuckDB has no row locks) lets it commit and fails
    the transaction's own write with 40001, never silently losing the other client's update.
    (A plain read in a READ COMMITTED transaction takes no snapshot the writes are checked
    against, as in PostgreSQL.)"""
    t = uniq("lock")
    with psycopg.connect(gateway.dsn, autocommit=True) as b, psycopg.connect(gateway.dsn) as a:
        b.execute(f"CREATE TABLE {t} (id int PRIMARY KEY, v int)")
        b.execute(f"INSERT INTO {t} VALUES (1, 0)")
        assert a.execute(f"SELECT v FROM {t} WHERE id = 1 FOR UPDATE").fetchone() == (0,)
        b.execute(f"UPDATE {t} SET v = v + 1 WHERE id = 1")
        with pytest.raises(psycopg.Error) as err:
            a.execute(f"UPDATE {t} SET v = v + 10 WHERE id = 1")
            a.commit()
        assert err.value.sqlstate == "40001"
        a.rollback()
        assert b.execute(f"SELECT v FROM {t}").fetchone() == (1,)
        b.execute(f"DROP TABLE {t}")
