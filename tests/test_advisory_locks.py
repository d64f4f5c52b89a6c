"""Advisory locks (gateway/advisory_locks.py) against PostgreSQL 15.

Each scenario drives several real connections through the same sequence on PostgreSQL and on
the gateway and records what each statement answered (rows, SQLSTATEs, WARNINGs); the two
transcripts must be equal. A statement that waits runs on a thread; the test goes on once
pg_locks shows it waiting (polled with a deadline, no sleeps), and the wait ends by the other
session unlocking, a cancel, or a timeout.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time

import asyncpg
import psycopg
import pytest

from tests import pgwire

DEADLINE_S = 20.0


def _key() -> int:
    return random.randrange(1 << 20, 1 << 40)


class Conn:
    """A psycopg connection that records what its statements answer, notices included."""

    def __init__(self, dsn: str, log: list, name: str):
        self.c = psycopg.connect(dsn, autocommit=True)
        self.name = name
        self.log = log
        self.c.add_notice_handler(
            lambda d: self.log.append((self.name, "notice", d.severity, d.sqlstate, d.message_primary)))
        self.pid = self.c.execute("SELECT pg_backend_pid()").fetchone()[0]

    def q(self, sql: str, params=None, into: list | None = None):
        log = self.log if into is None else into
        try:
            cur = self.c.execute(sql, params)
            rows = cur.fetchall() if cur.description else None
            types = [d.type_code for d in cur.description] if cur.description else None
            log.append((self.name, sql, rows, types))
            return rows
        except psycopg.Error as e:
            log.append((self.name, sql, "error", e.sqlstate, e.diag.message_primary))
            return None

    def close(self):
        self.c.close()


def _waiting(observer: Conn, pid: int) -> None:
    """Until pg_locks shows `pid` waiting for an advisory lock."""
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        n = observer.c.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = %s "
                               "AND NOT granted", [pid]).fetchone()[0]
        if n:
            return
    raise AssertionError(f"session {pid} never showed as waiting in pg_locks")


class _Background:
    """A statement running on a thread; its answer goes into the transcript at join(), so
    the transcript's order does not depend on thread timing."""

    def __init__(self, conn: Conn, sql: str, params=None):
        self.conn = conn
        self.out: list = []
        self.t = threading.Thread(target=conn.q, args=(sql, params, self.out), daemon=True)
        self.t.start()

    def join(self) -> None:
        self.t.join(DEADLINE_S)
        assert not self.t.is_alive(), "the waiting statement never ended"
        self.conn.log.extend(self.out)


def _background(conn: Conn, sql: str, params=None) -> _Background:
    return _Background(conn, sql, params)


def _both(pg, gateway, scenario, n: int = 2):
    """Run `scenario(conns, k)` on PostgreSQL and on the gateway; return both transcripts."""
    k = _key()
    out = []
    for server in (pg, gateway):
        log: list = []
        conns = [Conn(server.dsn, log, chr(ord("A") + i)) for i in range(n)]
        try:
            scenario(conns, k)
        finally:
            for c in conns:
                c.close()
        out.append(log)
    return out


def _same(pg, gateway, scenario, n: int = 2):
    want, got = _both(pg, gateway, scenario, n)
    assert got == want


def test_exclusion_reentrancy_and_unlock_warnings(pg, gateway):
    def scenario(c, k):
        a, b = c
        a.q("SELECT pg_advisory_lock(%s)", [k])
        a.q("SELECT pg_advisory_lock(%s)", [k])  # re-entrant: needs two unlocks
        b.q("SELECT pg_try_advisory_lock(%s)", [k])
        a.q("SELECT pg_advisory_unlock(%s)", [k])
        b.q("SELECT pg_try_advisory_lock(%s)", [k])
        a.q("SELECT pg_advisory_unlock(%s)", [k])
        b.q("SELECT pg_try_advisory_lock(%s)", [k])
        a.q("SELECT pg_advisory_unlock(%s)", [k])  # false + WARNING: B holds it
        a.q("SELECT pg_try_advisory_lock(%s)", [k])
        b.q("SELECT pg_advisory_unlock_shared(%s)", [k])  # held exclusive, not shared
        b.q("SELECT pg_advisory_unlock_all()")
        a.q("SELECT pg_try_advisory_lock(%s)", [k])
        a.q("SELECT pg_advisory_unlock(%s), pg_advisory_unlock(%s)", [k, k])
    _same(pg, gateway, scenario)


def test_shared_and_exclusive_modes(pg, gateway):
    def scenario(c, k):
        a, b, x = c
        a.q("SELECT pg_advisory_lock_shared(%s)", [k])
        b.q("SELECT pg_try_advisory_lock_shared(%s)", [k])
        x.q("SELECT pg_try_advisory_lock(%s)", [k])
        a.q("SELECT pg_try_advisory_lock(%s)", [k])  # B shares it
        a.q("SELECT pg_advisory_unlock_shared(%s)", [k])
        x.q("SELECT pg_try_advisory_lock(%s)", [k])
        b.q("SELECT pg_advisory_unlock_shared(%s)", [k])
        x.q("SELECT pg_try_advisory_lock(%s)", [k])
        a.q("SELECT pg_try_advisory_lock_shared(%s)", [k])
        x.q("SELECT pg_try_advisory_lock_shared(%s)", [k])  # its own exclusive lock does not conflict
        x.q("SELECT pg_advisory_unlock(%s), pg_advisory_unlock_shared(%s)", [k, k])
    _same(pg, gateway, scenario, 3)


def test_key_spaces_and_pg_locks(pg, gateway):
    """One bigint key and two int4 keys are different locks; pg_locks shows them as
    PostgreSQL does (classid/objid halves of the bigint, objsubid 1 or 2)."""
    def scenario(c, k):
        a, b = c
        hi, lo = k >> 32, k & 0xFFFF
        a.q("SELECT pg_advisory_lock(%s)", [k])
        a.q("SELECT pg_advisory_lock_shared(%s, %s)", [hi, lo])
        a.q("SELECT pg_advisory_lock(%s::bigint)", [-(k)])
        b.q("SELECT pg_try_advisory_lock(%s, %s)", [hi, lo])
        b.q("SELECT pg_try_advisory_lock_shared(%s, %s)", [hi, lo])
        b.q("SELECT pg_try_advisory_lock(%s)", [(hi << 32) | lo])  # not the (hi, lo) lock
        b.q("SELECT locktype, classid, objid, objsubid, mode, granted, pid = %s AS mine, fastpath "
            "FROM pg_locks WHERE locktype = 'advisory' AND pid IN (%s, %s) "
            "ORDER BY objsubid, classid, objid, mode, mine", [a.pid, a.pid, b.pid])
        b.q("SELECT count(*) FROM pg_catalog.pg_locks WHERE locktype = 'advisory' AND pid = %s", [b.pid])
    _same(pg, gateway, scenario)


def test_transaction_locks(pg, gateway):
    def scenario(c, k):
        a, b = c
        a.q("BEGIN")
        a.q("SELECT pg_advisory_xact_lock(%s)", [k])
        a.q("SELECT pg_advisory_xact_lock_shared(%s)", [k + 1])
        a.q("SELECT pg_try_advisory_xact_lock(%s)", [k + 2])
        a.q("SELECT pg_advisory_lock(%s)", [k + 3])  # session-level: outlives the transaction
        a.q("SELECT pg_advisory_unlock(%s)", [k])  # an xact lock is not unlocked: false + WARNING
        b.q("SELECT pg_try_advisory_lock(%s), pg_try_advisory_lock_shared(%s), pg_try_advisory_lock(%s),"
            " pg_try_advisory_lock(%s)", [k, k + 1, k + 2, k + 3])
        a.q("COMMIT")
        b.q("SELECT pg_try_advisory_lock(%s), pg_try_advisory_lock(%s), pg_try_advisory_lock(%s)", [k, k + 1, k + 2])
        b.q("SELECT pg_try_advisory_lock(%s)", [k + 3])
        b.q("SELECT pg_advisory_unlock_all()")
        # ROLLBACK and a failed transaction release them too; session locks stay
        a.q("BEGIN")
        a.q("SELECT pg_try_advisory_xact_lock(%s), pg_try_advisory_lock(%s)", [k, k + 4])
        a.q("SELECT 1/0")
        b.q("SELECT pg_try_advisory_lock(%s)", [k])
        a.q("ROLLBACK")
        b.q("SELECT pg_try_advisory_lock(%s), pg_try_advisory_lock(%s)", [k, k + 4])
        # autocommit: an xact lock lasts as long as its statement
        b.q("SELECT pg_advisory_unlock_all()")
        a.q("SELECT pg_advisory_unlock_all()")
        a.q("SELECT pg_advisory_xact_lock(%s)", [k])
        b.q("SELECT pg_try_advisory_xact_lock(%s)", [k])
        b.q("SELECT pg_try_advisory_lock(%s)", [k])
        b.q("SELECT pg_advisory_unlock_all()")
    _same(pg, gateway, scenario)


def test_simple_query_and_pipeline_hold_xact_locks_until_their_end(pg, gateway):
    """Several statements in one Query are one transaction: an xact lock taken by the first is
    still held by the second."""
    def scenario(c, k):
        a, b = c
        a.q(f"SELECT pg_advisory_xact_lock({k}); SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
            f"AND objid = {k & 0xFFFFFFFF} AND pid = pg_backend_pid()")
        b.q(f"SELECT pg_try_advisory_lock({k})")
        b.q("SELECT pg_advisory_unlock_all()")
    _same(pg, gateway, scenario)


def test_expressions_and_parameters_as_keys(pg, gateway):
    def scenario(c, k):
        a, b = c
        a.q("SELECT n, pg_try_advisory_lock(%s + n) FROM generate_series(1, 3) AS n ORDER BY n", [k])
        a.q("SELECT pg_advisory_lock(abs(%s::bigint) + length('abc'))", [-k])
        a.q("SELECT pg_advisory_lock(hashtext(%s)), pg_try_advisory_lock(hashtext(%s), 7)", [str(k), str(k)])
        b.q("SELECT pg_try_advisory_lock(hashtext(%s)), pg_try_advisory_lock(hashtext(%s), 7)", [str(k), str(k)])
        b.q("SELECT classid, objid, objsubid FROM pg_locks WHERE locktype = 'advisory' AND pid = %s "
            "AND objsubid = 2 AND objid = 7", [a.pid])
        b.q("SELECT pg_try_advisory_lock(%s + 3), pg_try_advisory_lock(%s + 4)", [k, k])
        b.q("SELECT pg_advisory_lock(NULL), pg_try_advisory_lock(NULL::bigint), pg_advisory_unlock(NULL::int, 1)")
        a.q("SELECT pg_advisory_unlock_all()")
        b.q("SELECT pg_try_advisory_lock(%s + 3)", [k])
        b.q("SELECT pg_advisory_unlock_all()")
    _same(pg, gateway, scenario)


def test_blocked_lock_waits_until_unlocked_and_others_go_on(pg, gateway):
    def scenario(c, k):
        a, b, x = c
        a.q("SELECT pg_advisory_lock(%s)", [k])
        t = _background(b, "SELECT pg_advisory_lock(%s)", [k])
        _waiting(x, b.pid)
        x.q("SELECT 41 + 1")  # a third session is not held up by the wait
        x.q("SELECT pg_try_advisory_lock(%s)", [k])
        a.q("SELECT pg_advisory_unlock(%s)", [k])
        t.join()
        a.q("SELECT pg_try_advisory_lock(%s)", [k])  # B has it now
        b.q("SELECT pg_advisory_unlock(%s)", [k])
    _same(pg, gateway, scenario, 3)


def test_shared_waiter_queues_behind_exclusive_waiter(pg, gateway):
    """Waiters are served in order: a shared request behind a waiting exclusive one waits (a
    try fails) although the holder only holds the lock shared."""
    def scenario(c, k):
        a, b, x = c
        a.q("SELECT pg_advisory_lock_shared(%s)", [k])
        t = _background(b, "SELECT pg_advisory_lock(%s)", [k])
        _waiting(x, b.pid)
        x.q("SELECT pg_try_advisory_lock_shared(%s)", [k])
        a.q("SELECT pg_advisory_unlock_shared(%s)", [k])
        t.join()
        x.q("SELECT pg_try_advisory_lock_shared(%s)", [k])
        b.q("SELECT pg_advisory_unlock(%s)", [k])
    _same(pg, gateway, scenario, 3)


def test_cancel_statement_timeout_and_lock_timeout_end_a_wait(pg, gateway):
    def scenario(c, k):
        a, b, x = c
        a.q("SELECT pg_advisory_lock(%s)", [k])
        t = _background(b, "SELECT pg_advisory_lock(%s)", [k])
        _waiting(x, b.pid)
        b.c.cancel()
        t.join()
        b.q("SET statement_timeout = '300ms'")
        b.q("SELECT pg_advisory_xact_lock(%s)", [k])
        b.q("RESET statement_timeout")
        b.q("SET lock_timeout = '200ms'")
        b.q("SELECT pg_advisory_lock_shared(%s)", [k])
        b.q("BEGIN")
        b.q("SELECT pg_advisory_xact_lock(%s)", [k])
        b.q("ROLLBACK")
        b.q("RESET lock_timeout")
        # nothing of the ended waits is left: no lock of B's, no waiter
        x.q("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = %s", [b.pid])
        a.q("SELECT pg_advisory_unlock(%s)", [k])
        b.q("SELECT pg_try_advisory_lock(%s)", [k])
    _same(pg, gateway, scenario, 3)


@pytest.mark.parametrize("target", ["pg", "gateway"])
def test_deadlock_is_detected(request, target):
    """A waits for B's lock, then B for A's: one of them fails with 40P01 `deadlock detected`
    after deadlock_timeout (1 s; which one depends on when each started waiting, on PostgreSQL
    as here), and once it lets its own lock go the other gets the lock it waited for."""
    server = request.getfixturevalue(target)
    k = _key()
    log: list = []
    a, b, x = (Conn(server.dsn, log, n) for n in "ABX")
    try:
        a.q("SELECT pg_advisory_lock(%s)", [k])
        b.q("SELECT pg_advisory_lock(%s)", [k + 1])
        ta = _background(a, "SELECT pg_advisory_lock(%s)", [k + 1])
        _waiting(x, a.pid)
        tb = _background(b, "SELECT pg_advisory_lock(%s)", [k])
        deadline = time.monotonic() + DEADLINE_S
        while ta.t.is_alive() and tb.t.is_alive():
            assert time.monotonic() < deadline, "no deadlock was detected"
            ta.t.join(0.05)
        loser, winner = (ta, tb) if not ta.t.is_alive() else (tb, ta)
        loser.join()
        assert loser.out[0][2:4] == ("error", "40P01"), loser.out
        loser.conn.q("SELECT pg_advisory_unlock_all()")
        winner.join()
        assert winner.out[0][2] == [("",)], winner.out
    finally:
        for c in (a, b, x):
            c.close()


@pytest.mark.parametrize("how", ["terminate", "killed"])
def test_session_end_releases_its_locks(pg, gateway, how):
    """A session's locks go when it ends, by Terminate or by its client dying (the socket
    closed, nothing sent). PostgreSQL releases them when its backend exits, a moment after:
    the other session polls with a deadline on both servers."""
    for server in (pg, gateway):
        k = _key()
        raw = pgwire.connect_ready(server.host, server.port)
        # held twice: both holds go with the session
        assert not pgwire.errors(raw.simple(f"SELECT pg_advisory_lock({k}), pg_advisory_lock({k})"))
        other = psycopg.connect(server.dsn, autocommit=True)
        try:
            assert other.execute("SELECT pg_try_advisory_lock(%s)", [k]).fetchone()[0] is False
            if how == "terminate":
                raw.send(pgwire.terminate())
            raw.sock.close()
            deadline = time.monotonic() + DEADLINE_S
            while not other.execute("SELECT pg_try_advisory_lock(%s)", [k]).fetchone()[0]:
                assert time.monotonic() < deadline, f"{server}: the ended session's lock was never released"
            assert other.execute("SELECT pg_advisory_unlock(%s), pg_advisory_unlock(%s)", [k, k]).fetchone() == (
                True, False)  # re-entrant counts of the dead session are gone with it: one hold, ours
        finally:
            other.close()


def test_waiting_client_that_hangs_up_leaves_no_waiter(gateway):
    k = _key()
    holder = psycopg.connect(gateway.dsn, autocommit=True)
    raw = pgwire.connect_ready(gateway.host, gateway.port)
    try:
        holder.execute("SELECT pg_advisory_lock(%s)", [k])
        raw.send(pgwire.query(f"SELECT pg_advisory_lock({k})"))
        deadline = time.monotonic() + DEADLINE_S
        while not holder.execute("SELECT count(*) FROM pg_locks WHERE pid = %s AND NOT granted",
                                 [raw.pid]).fetchone()[0]:
            assert time.monotonic() < deadline
        raw.sock.close()
        while holder.execute("SELECT count(*) FROM pg_locks WHERE pid = %s", [raw.pid]).fetchone()[0]:
            assert time.monotonic() < deadline, "the waiter of a closed connection stayed"
        holder.execute("SELECT pg_advisory_unlock(%s)", [k])
        assert holder.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s",
                              [k & 0xFFFFFFFF]).fetchone()[0] == 0
    finally:
        holder.close()


def test_void_results_describe_like_postgresql(pg, gateway):
    def scenario(c, k):
        a, _ = c
        a.q("SELECT pg_advisory_lock(%s) AS l, pg_try_advisory_lock(%s) AS t, pg_advisory_unlock_all() AS u", [k, k])
    _same(pg, gateway, scenario)


def test_a_waiting_lock_in_an_autocommit_write_is_refused(gateway):
    with psycopg.connect(gateway.dsn, autocommit=True) as c:
        c.execute("CREATE TABLE adv_w (n bigint)")
        with pytest.raises(psycopg.errors.FeatureNotSupported):
            c.execute("INSERT INTO adv_w SELECT 1 FROM (SELECT pg_advisory_lock(1)) s")
        # a try-lock never waits: fine anywhere
        c.execute("INSERT INTO adv_w SELECT 1 WHERE pg_try_advisory_lock(%s)", [_key()])
        assert c.execute("SELECT count(*) FROM adv_w").fetchone()[0] == 1
        c.execute("SELECT pg_advisory_unlock_all()")


@pytest.mark.parametrize("target", ["pg", "gateway"])
def test_many_contending_sessions_keep_mutual_exclusion(request, target):
    """16 asyncpg sessions (more than the engine has worker threads) increment one counter
    under pg_advisory_lock($1) with a read-then-write: no update is lost, and the waits hold
    no shared reader or engine worker (the holder's own statements still run)."""
    server = request.getfixturevalue(target)
    k = _key()
    table = f"adv_counter_{k}"
    sessions, rounds = 16, 4

    async def main():
        setup = await asyncpg.connect(server.url)
        await setup.execute(f"CREATE TABLE {table} (n bigint)")
        await setup.execute(f"INSERT INTO {table} VALUES (0)")

        async def worker():
            conn = await asyncpg.connect(server.url)
            try:
                for _ in range(rounds):
                    await conn.execute("SELECT pg_advisory_lock($1)", k)
                    n = await conn.fetchval(f"SELECT n FROM {table}")
                    await conn.execute(f"UPDATE {table} SET n = $1", n + 1)
                    assert await conn.fetchval("SELECT pg_advisory_unlock($1)", k) is True
            finally:
                await conn.close()

        await asyncio.wait_for(asyncio.gather(*(worker() for _ in range(sessions))), 120)
        try:
            return await setup.fetchval(f"SELECT n FROM {table}")
        finally:
            await setup.execute(f"DROP TABLE {table}")
            await setup.close()

    assert asyncio.run(main()) == sessions * rounds


def test_pg_sleep_sleeps_and_is_ended_like_a_lock_wait(pg, gateway):
    """pg_sleep() waits through the same mechanism (DuckDB's own returns at once): it takes its
    time, returns void, and cancel and statement_timeout end it with 57014."""
    def scenario(c, k):
        a, x = c
        started = time.monotonic()
        a.q("SELECT pg_sleep(%s), 1 AS one", [0.3])
        assert time.monotonic() - started >= 0.3
        a.q("SELECT pg_sleep(NULL)")
        t = _background(a, "SELECT pg_sleep(60)")
        deadline = time.monotonic() + DEADLINE_S
        while not x.c.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s AND state = 'active' "
                              "AND query LIKE 'SELECT pg_sleep(60)%%'", [a.pid]).fetchone()[0]:
            assert time.monotonic() < deadline
        a.c.cancel()
        t.join()
        a.q("SET statement_timeout = '200ms'")
        a.q("SELECT pg_sleep(60)")
        a.q("RESET statement_timeout")
    _same(pg, gateway, scenario)
