"""The asyncio listener: accept connections, run sessions, cancel requests, graceful shutdown.

The only module that owns sockets.
"""

from __future__ import annotations

import asyncio
import errno
import gc
import logging
import os
import secrets
import signal
import ssl
import sys
import threading
from datetime import datetime, timezone
from typing import Callable


from . import advisory_locks, auth, metrics
from .config import Settings
from .errors import PgError
from .engine.database import Database
from .engine.readers import ReaderPool
from .engine.schema import SchemaCache
from .engine.writer import Writer
from .protocol import messages as m
from .session import Session

log = logging.getLogger("dataforge.server")


class Server:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.authenticator = auth.Authenticator(settings)  # ConfigError: refuse to start
        self.ssl_context = _ssl_context(settings)
        self.db = Database(settings)
        self.readers = ReaderPool(self.db, settings.reader_count(), settings.reader_queue,
                                  max_extra=settings.max_connections)
        self.writer = Writer(self.db, settings.group_commit_max)
        self.schema = SchemaCache(self.db)
        self.catalog = None  # catalog.check.Validator once the schema files are loaded (serve())
        self.sessions: dict[int, Session] = {}
        self.admitted: set[int] = set()  # pids of sessions holding a connection slot (admit())
        self.channels: dict[str, set[Session]] = {}
        self._next_pid = os.getpid() * 1000 % 2_000_000_000 or 1
        self._server: asyncio.AbstractServer | None = None
        self._tasks: set[asyncio.Task] = set()
        self._http: asyncio.AbstractServer | None = None
        self._health_cursor = None
        self._health_lock = threading.Lock()
        self.loop: asyncio.AbstractEventLoop | None = None
        metrics.gauge_from(metrics.WRITER_QUEUE, lambda: len(self.writer._queue))
        metrics.gauge_from(metrics.READERS_WAITING, lambda: self.readers.waiting)
        metrics.gauge_from(metrics.READERS_STALLED, lambda: self.readers.stalled)
        install_activity(self)
        self.advisory = advisory_locks.AdvisoryLocks()  # pg_advisory_lock() and friends, all sessions
        advisory_locks.install(self.db.con, self.advisory)

    def connection_count(self) -> int:
        return len(self.sessions)

    def admit(self, pid: int) -> bool:
        """A session past its startup packet takes one of max_connections slots, in the order
        they arrive (as PostgreSQL's postmaster counts backends): a burst of connections gets
        max_connections in and refuses the rest, not all of them."""
        if len(self.admitted) >= self.settings.max_connections:
            return False
        self.admitted.add(pid)
        return True

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.writer.start()
        self._server = await asyncio.start_server(
            self._on_connect, self.settings.host, self.settings.port, limit=1 << 20, reuse_address=True
        )
        if self.settings.metrics_port:
            self._http = await metrics.start_http(self, self.settings.metrics_host, self.settings.metrics_port)

    def health_cursor(self):
        with self._health_lock:
            if self._health_cursor is None:
                self._health_cursor = self.db.cursor("health")
            return self._health_cursor

    async def start_tls(self, session: Session) -> None:
        """Answer an SSLRequest: 'S' and the TLS handshake when a certificate is configured."""
        if self.ssl_context is None:
            session.writer.write(b"N")
            await session.writer.drain()
            return
        if session.decoder.pending():
            # bytes sent before the handshake would be read as if they came over TLS
            raise m.ProtocolError("received unencrypted data after SSL request")
        session.writer.write(b"S")
        try:
            await session.writer.start_tls(self.ssl_context,
                                           ssl_handshake_timeout=self.settings.authentication_timeout_s)
        except (ssl.SSLError, OSError, asyncio.TimeoutError) as e:
            log.info("session %s: TLS handshake failed: %s", session.pid, e)
            raise ConnectionResetError() from None
        session.ssl = True

    def signal_backend(self, pid: int, terminate: bool) -> bool:
        """pg_cancel_backend / pg_terminate_backend (admins only: auth.check_role). Runs on a
        DuckDB worker thread: the work is handed to the event loop."""
        if pid not in self.sessions or self.loop is None:
            return False
        self.loop.call_soon_threadsafe(self._signal, pid, terminate)
        return True

    def _signal(self, pid: int, terminate: bool) -> None:
        s = self.sessions.get(pid)
        if s is None:
            return
        s.cancel()
        if terminate:
            try:
                s.writer.write(m.error_response(PgError(
                    "57P01", "terminating connection due to administrator command", severity="FATAL").fields()))
                s.writer.close()
            except Exception:  # noqa: BLE001 - already gone
                pass

    def port(self) -> int:
        assert self._server is not None
        return self._server.sockets[0].getsockname()[1]

    async def _on_connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._next_pid += 1
        pid = self._next_pid
        key = secrets.randbits(31)
        sock = writer.get_extra_info("socket")
        if sock is not None:
            try:
                import socket

                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
        session = Session(self, reader, writer, pid, key)
        self.sessions[pid] = session
        metrics.CONNECTIONS_ACCEPTED.inc()
        metrics.CONNECTIONS.inc()
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            await session.run()
        except Exception:
            log.exception("session %s failed", pid)
        finally:
            metrics.CONNECTIONS.dec()
            self.sessions.pop(pid, None)
            self.admitted.discard(pid)
            if task is not None:
                self._tasks.discard(task)

    def cancel(self, pid: int, key: int) -> None:
        s = self.sessions.get(pid)
        if s is not None and s.key == key:
            s.cancel()

    # ---- LISTEN / NOTIFY between sessions of this gateway

    def listen(self, session: Session, channel: str) -> None:
        self.channels.setdefault(channel, set()).add(session)
        session.listening.add(channel)

    def unlisten(self, session: Session, channel: str) -> None:
        self.channels.get(channel, set()).discard(session)
        session.listening.discard(channel)

    def unlisten_all(self, session: Session) -> None:
        for ch in list(session.listening):
            self.unlisten(session, ch)

    def notify(self, pid: int, channel: str, payload: str) -> None:
        msg = m.notification_response(pid, channel, payload)
        for s in list(self.channels.get(channel, ())):
            s.notify(msg)

    async def shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        if self._http is not None:
            self._http.close()
        grace = self.settings.shutdown_grace_s
        busy = [t for t in self._tasks]
        # idle sessions can go now; running statements get the grace period
        for s in list(self.sessions.values()):
            if s.idle:
                try:
                    s.writer.close()
                except Exception:
                    pass
        if busy:
            done, pending = await asyncio.wait(busy, timeout=grace)
            for s in list(self.sessions.values()):
                s.cancel()
                try:
                    s.writer.close()
                except Exception:
                    pass
            if pending:
                done, still = await asyncio.wait(pending, timeout=5)
                for t in still:
                    t.cancel()
        # let the writer finish what it acknowledged nothing of yet
        await self.writer.drained()
        self.writer.close()
        self.readers.close()
        self.db.close()


def _ssl_context(settings: Settings) -> ssl.SSLContext | None:
    if settings.ssl == "off":
        return None
    if not (settings.ssl_cert_file and settings.ssl_key_file):
        if settings.ssl == "require":
            raise auth.ConfigError("ssl = require needs ssl_cert_file and ssl_key_file (dataforge cert makes a pair)")
        return None
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        ctx.load_cert_chain(settings.ssl_cert_file, settings.ssl_key_file)
    except (OSError, ssl.SSLError) as e:
        raise auth.ConfigError(f"cannot load TLS certificate {settings.ssl_cert_file} / key "
                               f"{settings.ssl_key_file}: {e}") from None
    return ctx


_ACTIVITY_TYPE = (
    "STRUCT(pid INTEGER, usename VARCHAR, application_name VARCHAR, client_addr VARCHAR, client_port INTEGER, "
    "backend_start TIMESTAMPTZ, xact_start TIMESTAMPTZ, query_start TIMESTAMPTZ, state_change TIMESTAMPTZ, "
    "state VARCHAR, query VARCHAR)[]"
)


def install_activity(server: "Server") -> None:
    """pg_stat_activity from the live sessions, and pg_cancel_backend / pg_terminate_backend."""

    def ts(t: float | None):
        return datetime.fromtimestamp(t, timezone.utc) if t else None

    def sessions() -> list[dict]:
        rows = []
        for s in list(server.sessions.values()):
            if s.state == "starting":
                continue
            addr = s.client_addr if isinstance(s.client_addr, tuple) else (None, None)
            state = "active" if not s.idle else {"I": "idle", "T": "idle in transaction"}.get(
                s.txn, "idle in transaction (aborted)")
            rows.append({
                "pid": s.pid, "usename": s.user, "application_name": s.params.get("application_name", ""),
                "client_addr": addr[0], "client_port": addr[1], "backend_start": ts(s.backend_start),
                "xact_start": None, "query_start": ts(getattr(s, "query_start", None)),
                "state_change": ts(getattr(s, "query_start", None) or s.backend_start), "state": state,
                "query": s.query_text,
            })
        return rows

    con = server.db.con
    con.create_function("dataforge_sessions", sessions, [], _ACTIVITY_TYPE, side_effects=True)
    con.create_function("pg_cancel_backend", lambda pid: server.signal_backend(pid, False), ["INTEGER"],
                        "BOOLEAN", side_effects=True)
    con.create_function("pg_terminate_backend", lambda pid: server.signal_backend(pid, True), ["INTEGER"],
                        "BOOLEAN", side_effects=True)
    from .sql.pg_catalog import COMPAT_DB

    con.execute(f"""
        CREATE OR REPLACE VIEW {COMPAT_DB}.main.pg_stat_activity AS
        SELECT 16384::UINTEGER AS datid, current_database() AS datname, s.pid, NULL::INTEGER AS leader_pid,
            10::UINTEGER AS usesysid, s.usename, s.application_name, s.client_addr, NULL::VARCHAR AS client_hostname,
            s.client_port, s.backend_start, s.xact_start, s.query_start, s.state_change,
            NULL::VARCHAR AS wait_event_type, NULL::VARCHAR AS wait_event, s.state, NULL::VARCHAR AS backend_xid,
            NULL::VARCHAR AS backend_xmin, NULL::BIGINT AS query_id, s.query, 'client backend' AS backend_type
        FROM (SELECT unnest(dataforge_sessions(), recursive := true)) s""")


async def serve(settings: Settings, ready: Callable[[Server], None] | None = None) -> int:
    try:
        server = Server(settings)
    except auth.ConfigError as e:
        print(f"dataforge: {e}", file=sys.stderr)
        return 2
    except Exception as e:
        print(f"dataforge: cannot open database {settings.database}: {e}", file=sys.stderr)
        return 1
    try:
        await server.start()
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            print(f"dataforge: port {settings.port} on {settings.host} is already in use "
                  f"(choose another with --port)", file=sys.stderr)
        else:
            print(f"dataforge: cannot listen on {settings.host}:{settings.port}: {e.strerror}", file=sys.stderr)
        server.db.close()
        return 1
    try:  # the schema catalog, before any connection is served (nothing awaits in between)
        from catalog import start_catalog

        server.catalog = start_catalog(settings, server.db)
    except Exception as e:
        print(f"dataforge: {e}", file=sys.stderr)
        await server.shutdown()
        return 1
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # pragma: no cover
            pass
    for w in server.authenticator.warnings:
        print(f"dataforge: {w}", file=sys.stderr, flush=True)
    if server._http is not None:
        print(f"dataforge: metrics on http://{settings.metrics_host}:{server._http.sockets[0].getsockname()[1]}"
              f"/metrics", file=sys.stderr, flush=True)
    # the start-up heap (sqlglot, the catalog, DuckDB and Arrow bindings) lives as long as the
    # process: out of the collector's sight, a full collection no longer walks it (~50 ms
    # pauses mid-statement, ~10% of executemany's CPU)
    gc.freeze()
    print(f"dataforge: listening on {settings.host}:{server.port()} (database {settings.database})",
          file=sys.stderr, flush=True)
    if ready is not None:
        ready(server)
    await stop.wait()
    print("dataforge: shutting down", file=sys.stderr, flush=True)
    await server.shutdown()
    return 0


def run_server(settings: Settings) -> int:
    return asyncio.run(serve(settings))
