"""The four things we measure: PostgreSQL, the gateway and buenavista over the wire (psycopg),
and DuckDB in-process (the same process as the client, no wire at all).

Also: buenavista's launcher, the RSS sampler and a call-with-timeout helper.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import psycopg

PG, GW, DUCK, BV = "PostgreSQL", "gateway", "DuckDB", "buenavista"
ALL_TARGETS = (PG, GW, DUCK, BV)


class NotApplicable(Exception):
    """The target cannot run this case (reported as n/a with the message)."""


class Timeout(Exception):
    pass


@dataclass
class Target:
    name: str
    kind: str  # "wire" or "inprocess"
    dsn: str = ""
    pid: int | None = None  # the server process whose RSS we sample (gateway, buenavista)
    duck: duckdb.DuckDBPyConnection | None = None
    proc: object = None  # server handle (GatewayServer, PgServer, Popen)
    log_path: Path | None = None
    broken: str | None = None  # set when the target stopped answering: later cases skip it
    notes: list[str] = field(default_factory=list)

    @property
    def wire(self) -> bool:
        return self.kind == "wire"

    def connect(self, autocommit: bool = True, **kw) -> psycopg.Connection:
        return psycopg.connect(self.dsn, autocommit=autocommit, connect_timeout=15, **kw)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        assert self.duck is not None
        return self.duck.cursor()

    def alive(self) -> str | None:
        """None when the server process is running, else why not."""
        p = self.proc
        popen = getattr(p, "proc", p)
        if isinstance(popen, subprocess.Popen) and popen.poll() is not None:
            return f"{self.name} process exited with code {popen.returncode}"
        return None

    def log_tail(self, n: int = 2000) -> str:
        if self.log_path and self.log_path.exists():
            return self.log_path.read_text(errors="replace")[-n:]
        return ""


def wire_dsn(host: str, port: int) -> str:
    # sslmode=disable: no SSLRequest round trip (none of the servers here has TLS configured)
    return f"host={host} port={port} user=postgres dbname=postgres sslmode=disable"


# --------------------------------------------------------------------------- buenavista


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


BV_LAUNCH = r"""
import sys, duckdb
from buenavista.examples.duckdb_postgres import create
db = duckdb.connect(sys.argv[1])
server = create(db, ("127.0.0.1", int(sys.argv[2])))
print("buenavista listening on %s:%d" % server.server_address, flush=True)
try:
    server.serve_forever()
finally:
    server.shutdown()
    db.close()
"""


def start_buenavista(database: Path, log_path: Path, timeout: float = 30) -> tuple[subprocess.Popen, int]:
    """buenavista 0.5.0's DuckDB-over-Postgres server (its examples.duckdb_postgres.create(),
    a socketserver.ThreadingTCPServer: one thread per connection) on a free port."""
    last = ""
    for _ in range(3):
        port = _free_port()
        log = open(log_path, "ab")
        proc = subprocess.Popen([sys.executable, "-c", BV_LAUNCH, str(database), str(port)],
                                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                break
            if f"listening on 127.0.0.1:{port}" in log_path.read_text(errors="replace"):
                return proc, port
            time.sleep(0.05)
        last = log_path.read_text(errors="replace")[-3000:]
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    raise RuntimeError(f"buenavista did not start:\n{last}")


# --------------------------------------------------------------------------- RSS


def rss_kb(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class RssSampler:
    """Samples VmRSS of one process in a thread; ``growth_mb`` = peak − value at start."""

    def __init__(self, pid: int | None, interval: float = 0.02):
        self.pid = pid
        self.interval = interval
        self.start_kb: int | None = None
        self.peak_kb: int | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> "RssSampler":
        if self.pid is None:
            return self
        self.start_kb = self.peak_kb = rss_kb(self.pid)
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            v = rss_kb(self.pid)
            if v is not None and (self.peak_kb is None or v > self.peak_kb):
                self.peak_kb = v

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(1)
        v = rss_kb(self.pid) if self.pid else None
        if v is not None and (self.peak_kb is None or v > self.peak_kb):
            self.peak_kb = v

    @property
    def growth_mb(self) -> float | None:
        if self.start_kb is None or self.peak_kb is None:
            return None
        return (self.peak_kb - self.start_kb) / 1024

    @property
    def peak_mb(self) -> float | None:
        return None if self.peak_kb is None else self.peak_kb / 1024


# --------------------------------------------------------------------------- timeouts


def call_with_timeout(fn, timeout: float):
    """Run ``fn()`` in a daemon thread; raise Timeout if it has not returned in ``timeout`` s.

    A hung call is abandoned (its thread keeps its connection); the runner then checks whether
    the target still answers before giving it more work.
    """
    box: dict = {}

    def runner():
        try:
            box["value"] = fn()
        except BaseException as e:  # noqa: BLE001 - handed to the caller
            box["error"] = e

    t = threading.Thread(target=runner, name="bench-call", daemon=True)
    t.start()
    t.join(timeout)
    if t.is_alive():
        raise Timeout(f"no result within {timeout:.0f}s (abandoned)")
    if "error" in box:
        raise box["error"]
    return box["value"]


def health_check(target: Target) -> str | None:
    """None if the target answers SELECT 1 within 15 s, else why not."""
    dead = target.alive()
    if dead:
        return dead
    if not target.wire:
        return None

    def ping():
        with target.connect() as conn:
            conn.execute("SELECT 1").fetchall()

    try:
        call_with_timeout(ping, 15)
    except Exception as e:  # noqa: BLE001
        return f"does not answer SELECT 1: {short_error(e)}"
    return None


def short_error(e: BaseException, limit: int = 200) -> str:
    msg = str(e).strip().splitlines()
    text = msg[0] if msg else ""
    sqlstate = getattr(e, "sqlstate", None)
    out = f"{type(e).__name__}" + (f" [{sqlstate}]" if sqlstate else "") + (f": {text}" if text else "")
    return out if len(out) <= limit else out[: limit - 1] + "…"
