"""Limits and load: max_connections, message size, statement_timeout default, a slow reader
that must not stall anyone else, 200 idle connections beside 8 busy ones."""

from __future__ import annotations

import struct
import threading
import time
import urllib.request
from pathlib import Path

import psycopg
import pytest

from tests import pgwire as w
from tests.servers import free_port
from tests.test_fuzz import rss_bytes


def _cfg(base: Path, text: str) -> str:
    base.mkdir(parents=True, exist_ok=True)
    p = base / f"limits-{abs(hash(text))}.toml"
    p.write_text("[gateway]\n" + text + "\n")
    return str(p)


def test_max_connections_53300(gateway_factory) -> None:
    gw = gateway_factory("--config", _cfg(gateway_factory.base, "max_connections = 3"))
    conns = [psycopg.connect(gw.dsn) for _ in range(3)]
    try:
        with pytest.raises(psycopg.OperationalError, match="sorry, too many clients already"):
            psycopg.connect(gw.dsn)
        with w.PgWire.connect(gw.host, gw.port) as c:
            c.send(w.startup_message({"user": "postgres", "database": "postgres"}))
            errs = w.errors(c.expect_closed())
            assert [(e["C"], e["S"]) for e in errs] == [("53300", "FATAL")]
        conns.pop().close()
        with psycopg.connect(gw.dsn) as c:  # a freed slot is usable again
            assert c.execute("SELECT 1").fetchone() == (1,)
    finally:
        for c in conns:
            c.close()


def test_max_connections_admits_a_burst_in_arrival_order(gateway_factory) -> None:
    """Twelve connections open at once against max_connections = 5: five get in, seven are
    refused (before, every connection the server had accepted counted, so all twelve were)."""
    gw = gateway_factory("--config", _cfg(gateway_factory.base, "max_connections = 5"))
    socks = [w.PgWire.connect(gw.host, gw.port) for _ in range(12)]
    try:
        for c in socks:  # the server answering 'N' proves it has accepted this connection
            c.send(w.ssl_request())
            assert c.read_byte() == b"N"
        for c in socks:
            c.send(w.startup_message({"user": "postgres", "database": "postgres"}))
        admitted, refused = 0, []
        for c in socks:
            first = c.read()
            if first.type == "E":
                refused += [(e["C"], e["S"]) for e in w.errors([first])]
            else:
                assert first.type == "R"
                c.read_until("Z")
                admitted += 1
        assert admitted == 5
        assert refused == [("53300", "FATAL")] * 7
    finally:
        for c in socks:
            c.close()
    with psycopg.connect(gw.dsn) as c:  # the slots are free again
        assert c.execute("SELECT 1").fetchone() == (1,)


def test_huge_message_length_refused_without_allocating(gateway_factory) -> None:
    gw = gateway_factory("--config", _cfg(gateway_factory.base, "max_message_size = 1048576"))
    rss0 = rss_bytes(gw.proc.pid)
    with w.connect_ready(gw.host, gw.port) as c:
        c.send(b"Q" + struct.pack("!I", 0x7FFFFFF0))  # announces ~2 GiB, sends 5 bytes
        errs = w.errors(c.expect_closed())
        assert [e["C"] for e in errs] == ["54000"], errs
    with w.connect_ready(gw.host, gw.port) as c:
        c.send(w.query("SELECT '" + "x" * (2 << 20) + "'"))  # a real 2 MiB Query over the 1 MiB limit
        errs = w.errors(c.expect_closed())
        assert [e["C"] for e in errs] == ["54000"], errs
    assert rss_bytes(gw.proc.pid) - rss0 < 64 << 20
    with psycopg.connect(gw.dsn) as c:
        assert c.execute("SELECT 1").fetchone() == (1,)


def test_statement_timeout_default_from_config(gateway_factory) -> None:
    gw = gateway_factory("--config", _cfg(gateway_factory.base, "statement_timeout_ms = 300"))
    with psycopg.connect(gw.dsn, autocommit=True) as c:
        assert c.execute("SHOW statement_timeout").fetchone() == ("300ms",)
        with pytest.raises(psycopg.errors.QueryCanceled, match="statement timeout"):
            c.execute("SELECT count(*) FROM range(10000000000) a(i)")
        assert c.execute("SELECT 1").fetchone() == (1,)


def test_slow_reader_does_not_stall_others(gateway_factory) -> None:
    gw = gateway_factory("--readers", "2")
    pid = gw.proc.pid
    slow = w.connect_ready(gw.host, gw.port)
    try:
        # a big result, then the client stops reading: the server's socket buffers fill
        slow.sock.setsockopt(__import__("socket").SOL_SOCKET, __import__("socket").SO_RCVBUF, 4096)
        slow.send(w.query("SELECT i, repeat('x', 200) FROM range(20000000) t(i)"))
        first = slow.read(30)
        assert first.type == "T"
        rss_stalled = rss_bytes(pid)
        # others keep working, many times over, while it sits there
        started = time.monotonic()
        with psycopg.connect(gw.dsn, autocommit=True) as c:
            for i in range(50):
                assert c.execute("SELECT %s::int + 1", (i,)).fetchone() == (i + 1,)
            c.execute("CREATE TABLE IF NOT EXISTS slow_t (a int)")
            c.execute("INSERT INTO slow_t VALUES (1)")
            assert c.execute("SELECT count(*) FROM range(1000000) t(i)").fetchone() == (1000000,)
        assert time.monotonic() - started < 30
        # the stalled stream holds a bounded buffer, not its result
        assert rss_bytes(pid) - rss_stalled < 128 << 20
    finally:
        slow.close()
    with psycopg.connect(gw.dsn) as c:
        assert c.execute("SELECT 1").fetchone() == (1,)


def test_200_idle_and_8_active(gateway_factory) -> None:
    gw = gateway_factory("--config", _cfg(gateway_factory.base, "max_connections = 300"))
    idle = [w.connect_ready(gw.host, gw.port) for _ in range(200)]
    errors: list[BaseException] = []
    done = [0]

    def active(k: int) -> None:
        try:
            with psycopg.connect(gw.dsn, autocommit=True) as c:
                c.execute(f"CREATE TABLE IF NOT EXISTS busy_{k} (a int)")
                for i in range(40):
                    c.execute(f"INSERT INTO busy_{k} VALUES (%s)", (i,))
                    assert c.execute(f"SELECT count(*) FROM busy_{k}").fetchone() == (i + 1,)
                done[0] += 1
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    try:
        threads = [threading.Thread(target=active, args=(k,)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(180)
        assert not errors, errors[:3]
        assert done[0] == 8
        # every idle connection is still alive and answers
        for k, c in enumerate(idle[::10]):
            assert c.scalar(f"SELECT {k}") == str(k)
        with psycopg.connect(gw.dsn) as c:
            n = c.execute("SELECT count(*) FROM pg_stat_activity").fetchone()[0]
            assert n >= 201
    finally:
        for c in idle:
            c.close()


def test_more_slow_readers_than_reader_cursors(gateway_factory) -> None:
    # 2 reader cursors, 4 clients that stop reading mid-result: the others still get answers
    metrics_port = free_port()
    gw = gateway_factory("--readers", "2", "--metrics-port", str(metrics_port))
    slow = []
    try:
        for _ in range(4):
            c = w.connect_ready(gw.host, gw.port)
            c.sock.setsockopt(__import__("socket").SOL_SOCKET, __import__("socket").SO_RCVBUF, 4096)
            c.send(w.query("SELECT i, repeat('y', 200) FROM range(20000000) t(i)"))
            assert c.read(30).type == "T"
            slow.append(c)
        started = time.monotonic()
        with psycopg.connect(gw.dsn, autocommit=True) as c:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:  # the four streams fill their socket buffers, then stall
                text = urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10).read()
                if b"dataforge_readers_stalled 4.0" in text:
                    break
            assert b"dataforge_readers_stalled 4.0" in text
            for i in range(20):
                assert c.execute("SELECT count(*) FROM range(%s) t(i)", (1000 + i,)).fetchone() == (1000 + i,)
        assert time.monotonic() - started < 30
    finally:
        for c in slow:
            c.close()
    # once they are gone the pool is back to its size, and serves as before
    with psycopg.connect(gw.dsn) as c:
        assert c.execute("SELECT 1").fetchone() == (1,)
