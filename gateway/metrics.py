"""Counters and histograms (Prometheus), and the small HTTP listener serving /metrics and /healthz.

Other modules increment these directly (`metrics.COPY_ROWS.labels("in").inc(n)`); the
registry is the gateway's own, so tests and embedders see only gateway metrics (plus the
process collector: memory, CPU, open files).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import TYPE_CHECKING, Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, ProcessCollector, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

if TYPE_CHECKING:
    from .server import Server
    from .session import Session
    from .sql.classify import Statement

log = logging.getLogger("dataforge.statements")

REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)

CONNECTIONS = Gauge("dataforge_connections", "Open client connections.", registry=REGISTRY)
CONNECTIONS_ACCEPTED = Counter("dataforge_connections_accepted", "Client connections accepted.", registry=REGISTRY)
CONNECTIONS_REFUSED = Counter("dataforge_connections_refused",
                              "Connections refused at startup, by reason.", ["reason"], registry=REGISTRY)
AUTH_FAILURES = Counter("dataforge_auth_failures", "Failed authentications.", registry=REGISTRY)
STATEMENTS = Counter("dataforge_statements", "Statements run, by route (read/write/session) and outcome.",
                     ["route", "outcome"], registry=REGISTRY)
LATENCY = Histogram("dataforge_statement_duration_seconds", "Statement duration, by route.", ["route"],
                    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
                    registry=REGISTRY)
ROWS_SENT = Counter("dataforge_rows_sent", "Result rows sent to clients.", registry=REGISTRY)
BYTES_SENT = Counter("dataforge_bytes_sent", "Bytes sent to clients.", registry=REGISTRY)
COPY_ROWS = Counter("dataforge_copy_rows", "Rows moved by COPY, by direction (in/out).", ["direction"],
                    registry=REGISTRY)
WRITER_QUEUE = Gauge("dataforge_writer_queue_depth", "Autocommit writes waiting for the serialized writer.",
                     registry=REGISTRY)
READERS_WAITING = Gauge("dataforge_reader_queue_depth", "Reads waiting for a reader cursor.", registry=REGISTRY)
READERS_STALLED = Gauge("dataforge_readers_stalled", "Reader cursors held by clients that stopped reading.",
                        registry=REGISTRY)
GROUP_COMMIT = Histogram("dataforge_group_commit_batch_size", "Writes committed together in one group commit.",
                         buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096), registry=REGISTRY)


_children: dict[tuple[str, bool], tuple] = {}  # labelled series per (route, ok): labels() costs a lock


def statement_done(session: "Session", st: "Statement", started: float, sqlstate: str, rows: int,
                   count: int = 1) -> None:
    """`count` statements (one, or the Executes of an executemany run, all finished together)
    finished: count them, time them, and log their lines when asked to."""
    elapsed = time.perf_counter() - started
    route = st.route
    ok = sqlstate == "00000"
    series = _children.get((route, ok))
    if series is None:
        series = _children[(route, ok)] = (STATEMENTS.labels(route, "ok" if ok else "error"), LATENCY.labels(route))
    series[0].inc(count)
    if count == 1:
        series[1].observe(elapsed)
    else:
        _observe_many(series[1], elapsed, count)
    settings = session.server.settings
    ms = elapsed * 1000
    slow = 0 <= settings.log_min_duration_ms <= ms
    for _ in range(count if settings.log_statements or slow else 0):
        log.info("%s session=%s user=%s route=%s duration_ms=%.2f rows=%d sqlstate=%s sql=%s",
                 "slow_statement" if slow else "statement", session.pid, json.dumps(session.user), route, ms,
                 rows, sqlstate, json.dumps(st.text[:1000]))


def _observe_many(hist, amount: float, count: int) -> None:
    """hist.observe(amount) `count` times, as two additions (an executemany run has
    thousands of equal observations); prometheus_client has no public call for it."""
    try:
        bounds, buckets, total = hist._upper_bounds, hist._buckets, hist._sum
    except AttributeError:
        for _ in range(count):
            hist.observe(amount)
        return
    total.inc(amount * count)
    for i, bound in enumerate(bounds):
        if amount <= bound:
            buckets[i].inc(count)
            break


# ------------------------------------------------------------------ the HTTP listener


async def start_http(server: "Server", host: str, port: int) -> asyncio.AbstractServer:
    """/metrics (Prometheus text format) and /healthz (200 while the engine answers)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            line = head.split(b"\r\n", 1)[0].decode("latin-1").split()
            path = line[1].split("?", 1)[0] if len(line) >= 2 else ""
            if len(line) < 2 or line[0] not in ("GET", "HEAD"):
                status, ctype, body = "405 Method Not Allowed", "text/plain", b"method not allowed\n"
            elif path == "/metrics":
                status, ctype, body = "200 OK", CONTENT_TYPE_LATEST, generate_latest(REGISTRY)
            elif path == "/healthz":
                ok, detail = await _health(server)
                status = "200 OK" if ok else "503 Service Unavailable"
                ctype, body = "application/json", json.dumps(detail).encode() + b"\n"
            else:
                status, ctype, body = "404 Not Found", "text/plain", b"not found\n"
            writer.write(f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
                         f"Connection: close\r\n\r\n".encode() + (body if line[0] != "HEAD" else b""))
            await writer.drain()
        except (asyncio.TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            pass
        finally:
            writer.close()

    return await asyncio.start_server(handle, host, port, limit=16384, reuse_address=True)


async def _health(server: "Server") -> tuple[bool, dict]:
    detail: dict = {"connections": server.connection_count()}
    try:
        await asyncio.wait_for(server.db.run(_ping, server), 5)
    except Exception as e:  # noqa: BLE001 - any failure means unhealthy
        detail.update(status="unhealthy", error=str(e) or type(e).__name__)
        return False, detail
    detail["status"] = "ok"
    return True, detail


def _ping(server: "Server") -> None:
    cur = server.health_cursor()
    cur.con.execute("SELECT 1").fetchall()


def gauge_from(gauge: Gauge, fn: Callable[[], float]) -> None:
    gauge.set_function(fn)
