"""Read-only transactions for the writes the differential corpus cannot express
(tests/differential/34_read_only.sql has the rest): COPY FROM STDIN and executemany batches
(the gateway's INSERT batcher), under default_transaction_read_only and in BEGIN READ ONLY,
compared with PostgreSQL."""

from __future__ import annotations

import random

import psycopg
import pytest


def _transcript(dsn: str, table: str) -> list:
    out: list = []

    def step(conn, what, fn):
        try:
            fn()
            out.append((what, "ok"))
        except psycopg.Error as e:
            out.append((what, e.sqlstate, e.diag.message_primary))
            if conn.info.transaction_status == psycopg.pq.TransactionStatus.INERROR:
                conn.rollback()

    def copy_in(conn):
        with conn.cursor().copy(f"COPY {table} (n) FROM STDIN") as cp:
            cp.write_row((1,))

    def batch(conn):
        conn.cursor().executemany(f"INSERT INTO {table} (n) VALUES (%s)", [(i,) for i in range(5)])

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {table} (n int)")
        conn.execute("SET default_transaction_read_only = on")
        step(conn, "copy autocommit", lambda: copy_in(conn))
        step(conn, "executemany autocommit", lambda: batch(conn))
        conn.execute("SET default_transaction_read_only = off")
        step(conn, "copy read-write", lambda: copy_in(conn))
        step(conn, "executemany read-write", lambda: batch(conn))
        for what, fn in (("copy", copy_in), ("executemany", batch)):
            conn.execute("BEGIN READ ONLY")
            step(conn, f"{what} in BEGIN READ ONLY", lambda: fn(conn))
            conn.execute("ROLLBACK")
        out.append(("rows", conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]))
        conn.execute(f"DROP TABLE {table}")
    return out


def test_copy_and_batched_inserts_respect_read_only(pg, gateway):
    table = f"ro_copy_{random.randrange(1 << 30)}"
    want = _transcript(pg.dsn, table)
    assert ("copy autocommit", "25006", "cannot execute COPY FROM in a read-only transaction") in want
    assert _transcript(gateway.dsn, table) == want


@pytest.mark.parametrize("target", ["pg", "gateway"])
def test_options_at_connect_make_sessions_read_only(request, target):
    """default_transaction_read_only in the startup packet (libpq options), as pgbouncer
    setups and read replicas' clients send it."""
    server = request.getfixturevalue(target)
    with psycopg.connect(server.dsn, autocommit=True, options="-c default_transaction_read_only=on") as conn:
        assert conn.execute("SHOW transaction_read_only").fetchone()[0] == "on"
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            conn.execute("CREATE TABLE ro_never (n int)")
