"""executemany's fast path (session._insert_run): rows scanned a column at a time
(messages.take_bind_block), decoded while the client is still sending (_DecodedRows) and
answered a block at a time. PostgreSQL 15 (the `pg` fixture) is the oracle for every case:
the stored rows, the SQLSTATE of a failing row, what survives the rollback, and the exact
messages a raw pipeline gets back.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import struct
import time

import pytest

from tests import pgwire as w
from tests.pgwire import connect_ready, errors, types

psycopg = pytest.importorskip("psycopg")

_counter = itertools.count()


def uniq(prefix: str = "em") -> str:
    return f"{prefix}_{os.getpid()}_{next(_counter)}_{time.monotonic_ns() % 1_000_000}"


# the benchmark's row (benchmarks/scenarios.py): psycopg sends the ints and the float and the
# date in binary, the text in text format; ids past 32,767 change the first parameter's type
# from int2 to int4 mid-batch (psycopg then prepares the statement again)
DDL = "(id BIGINT PRIMARY KEY, a INTEGER NOT NULL, b DOUBLE PRECISION, c TEXT, d DATE)"
INSERT = "INSERT INTO {t} (id, a, b, c, d) VALUES (%s, %s, %s, %s, %s)"


def _row(i: int):
    base = dt.date(2020, 1, 1)
    return (i, i % 1000, None if i % 97 == 0 else i / 7, None if i % 89 == 0 else f"item {i} ünï",
            None if i % 83 == 0 else base + dt.timedelta(days=i % 3650))


def _both(pg, gateway, fn):
    out = []
    for dsn in (pg.dsn, gateway.dsn):
        with psycopg.connect(dsn) as conn:
            out.append(fn(conn))
    return out


def test_batches_in_transactions_store_what_postgres_stores(pg, gateway):
    """1,000-row batches, a commit after each (the benchmark's loop), ids crossing the int2
    boundary inside a batch: every value stored as PostgreSQL stores it."""
    t = uniq()

    def go(conn):
        conn.execute(f"CREATE TABLE {t} {DDL}")
        conn.commit()
        cur = conn.cursor()
        for start in range(32_000, 35_000, 1000):
            cur.executemany(INSERT.format(t=t), [_row(i) for i in range(start, start + 1000)])
            conn.commit()
        data = conn.execute(f"SELECT * FROM {t} ORDER BY id").fetchall()
        conn.execute(f"DROP TABLE {t}")
        conn.commit()
        return data
    ref, got = _both(pg, gateway, go)
    assert len(ref) == 3000
    assert got == ref


@pytest.mark.parametrize("bad", ["value", "duplicate", "not_null", "duplicate_of_committed"])
@pytest.mark.parametrize("autocommit", [False, True])
def test_bad_row_517_of_1000(pg, gateway, bad, autocommit):
    """Row 517 of a 1,000-row batch fails: the same SQLSTATE as PostgreSQL, none of the
    batch's rows are kept (it is one transaction, implicit or explicit), the rows committed
    before it stay, and the session goes on."""
    t = uniq()
    rows = [_row(i) for i in range(1000, 2000)]
    if bad == "value":
        rows[517] = (1517, "five", 1.0, "x", None)  # text for an int4: 22P02
    elif bad == "duplicate":
        rows[517] = (1003, 1, 1.0, "dup", None)  # the batch's own row 3: 23505
    elif bad == "not_null":
        rows[517] = (1517, None, 1.0, "x", None)  # 23502
    else:
        rows[517] = (5, 1, 1.0, "dup", None)  # a committed row: 23505

    def go(conn):
        conn.autocommit = autocommit
        conn.execute(f"CREATE TABLE {t} {DDL}")
        if not autocommit:
            conn.commit()
        cur = conn.cursor()
        cur.executemany(INSERT.format(t=t), [_row(i) for i in range(10)])
        if not autocommit:
            conn.commit()
        with pytest.raises(psycopg.Error) as ei:
            cur.executemany(INSERT.format(t=t), rows)
        if not autocommit:
            conn.rollback()
        left = conn.execute(f"SELECT count(*), min(id), max(id) FROM {t}").fetchone()
        cur.executemany(INSERT.format(t=t), [_row(i) for i in range(3000, 3300)])  # and it goes on
        after = conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        conn.execute(f"DROP TABLE {t}")
        if not autocommit:
            conn.commit()
        return ei.value.sqlstate, left, after
    ref, got = _both(pg, gateway, go)
    assert ref[1] == (10, 0, 9) and ref[2] == 310
    assert got == ref


def test_returning_rows_match_postgres(pg, gateway):
    """executemany(returning=True) is not the append path: each row's RETURNING comes back."""
    t = uniq()

    def go(conn):
        conn.execute(f"CREATE TABLE {t} {DDL}")
        cur = conn.cursor()
        cur.executemany(INSERT.format(t=t) + " RETURNING id, c", [_row(i) for i in range(300)], returning=True)
        got = []
        while True:
            got.extend(cur.fetchall())
            if not cur.nextset():
                break
        conn.rollback()
        return got
    ref, got = _both(pg, gateway, go)
    assert len(ref) == 300
    assert got == ref


def _bind_rows(n: int, bad: int | None) -> list[bytes]:
    msgs = []
    for i in range(n):
        v = b"\x00\x01" if i == bad else struct.pack(">i", i)  # a 2-byte int4: 08P01
        msgs.append(w.bind("", "ins", [struct.pack(">q", i), v, f"r{i}".encode()], param_formats=[1, 1, 0])
                    + w.describe("P", "") + w.execute(""))
    return msgs


@pytest.mark.parametrize("in_txn", [False, True])
@pytest.mark.parametrize("bad", [None, 517])
def test_raw_pipeline_in_pieces_matches_postgres(pg, gateway, in_txn, bad):
    """1,000 executemany rows sent in five pieces (so the gateway scans and decodes them as
    they arrive), one Sync: the same messages back as PostgreSQL, message for message (with
    a malformed value in row 517: 517 answered rows, the error, nothing after it until
    ReadyForQuery), and the same rows kept."""
    results = []
    for srv in (pg, gateway):
        t = uniq()
        c = connect_ready(srv.host, srv.port)
        try:
            assert not errors(c.simple(f"CREATE TABLE {t} (id int8 PRIMARY KEY, v int4, s text)"))
            if in_txn:
                assert not errors(c.simple("BEGIN"))
            rows = _bind_rows(1000, bad)
            c.send(w.parse("ins", f"INSERT INTO {t} VALUES ($1, $2, $3)", [w.OID_INT8, w.OID_INT4, 0]))
            for k in range(0, 1000, 200):
                c.send(*rows[k:k + 200])
            c.send(w.sync())
            msgs = c.read_until("Z")
            errs = [e["C"] for e in errors(msgs)]
            if in_txn:
                c.simple("COMMIT" if bad is None else "ROLLBACK")
            n = c.scalar(f"SELECT count(*) FROM {t}")
            assert not errors(c.simple(f"DROP TABLE {t}"))
            results.append((types(msgs), msgs[-1].value, errs, n))
        finally:
            c.close()
    ref, got = results
    if bad is None:
        assert ref[0] == "1" + "2nC" * 1000 + "Z" and ref[3] == "1000"
    else:
        assert ref[0] == "1" + "2nC" * bad + "EZ" and ref[2] == ["08P01"] and ref[3] == "0"
    assert got == ref


def test_autocommit_batch_whose_types_change_is_committed_at_sync(pg, gateway):
    """A first row of NULLs makes psycopg prepare the statement again for the next rows, so
    one executemany pipeline holds two statements and one Sync: in autocommit mode that is
    one implicit transaction, committed at the Sync — another session sees every row at
    once, and a later failing batch does not take them back. (It used to stay open.)"""
    t = uniq()

    def go(conn):
        conn.autocommit = True
        conn.execute(f"CREATE TABLE {t} {DDL}")
        cur = conn.cursor()
        cur.executemany(INSERT.format(t=t), [(0, 0, None, None, None)] + [_row(i) for i in range(1, 300)])
        with psycopg.connect(conn.info.dsn, autocommit=True) as other:
            seen = other.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        status = conn.info.transaction_status
        with pytest.raises(psycopg.Error) as ei:
            cur.executemany(INSERT.format(t=t), [(0, 0, None, None, None)] + [_row(i) for i in range(1000, 1300)] + [_row(5)])
        left = conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        conn.execute(f"DROP TABLE {t}")
        return seen, status, ei.value.sqlstate, left
    ref, got = _both(pg, gateway, go)
    assert ref == (300, psycopg.pq.TransactionStatus.IDLE, "23505", 300)
    assert got == ref


@pytest.mark.parametrize("in_txn", [False, True])
def test_rows_then_flush_are_answered_before_any_sync(pg, gateway, in_txn):
    """Rows arriving a few at a time (the gateway waits for more before scanning them) and
    then a Flush instead of a Sync: the answers of every row come back at the Flush, as from
    PostgreSQL, without waiting for a Sync; the Sync after them ends the unit as usual."""
    results = []
    for srv in (pg, gateway):
        t = uniq()
        c = connect_ready(srv.host, srv.port)
        try:
            assert not errors(c.simple(f"CREATE TABLE {t} (id int8 PRIMARY KEY, v int4, s text)"))
            if in_txn:
                assert not errors(c.simple("BEGIN"))
            rows = _bind_rows(40, None)
            c.send(w.parse("ins", f"INSERT INTO {t} VALUES ($1, $2, $3)", [w.OID_INT8, w.OID_INT4, 0]))
            for k in range(0, 40, 3):
                c.send(*rows[k:k + 3])
            c.send(w.flush())
            flushed = c.read_n(1 + 3 * 40, timeout=10)  # ParseComplete, then per row 2 n C
            c.send(w.sync())
            synced = c.read_until("Z")
            if in_txn:
                c.simple("COMMIT")
            n = c.scalar(f"SELECT count(*) FROM {t}")
            assert not errors(c.simple(f"DROP TABLE {t}"))
            results.append((types(flushed), types(synced), n))
        finally:
            c.close()
    ref, got = results
    assert ref == ("1" + "2nC" * 40, "Z", "40")
    assert got == ref

