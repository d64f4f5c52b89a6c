"""The asyncio listener: accept connections, run sessions, cancel requests, graceful shutdown.

The only module that owns sockets.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import secrets
import signal
import sys
from typing import Callable

from sqlglot import exp

from .config import Settings
from .engine.database import Database
from .engine.readers import ReaderPool
from .engine.writer import Writer
from .protocol import messages as m
from .session import Session
from .sql.classify import Statement

log = logging.getLogger("dataforge.server")


class SchemaCache:
    """Column types of the live database, for parameter type inference; reloaded after DDL."""

    def __init__(self, db: Database):
        self.db = db
        self.version = -1
        self.tables: dict[str, list[tuple[str, str]]] = {}
        self._cursor = None
        self._lock = asyncio.Lock()

    def _load(self) -> dict[str, list[tuple[str, str]]]:
        if self._cursor is None:
            self._cursor = self.db.cursor("schema")
        rows = self._cursor.con.execute(
            "SELECT table_name, column_name, data_type FROM duckdb_columns() "
            "WHERE NOT internal ORDER BY table_name, column_index"
        ).fetchall()
        tables: dict[str, list[tuple[str, str]]] = {}
        for t, c, ty in rows:
            tables.setdefault(t.lower(), []).append((c, ty))
        return tables

    async def lookup(self, st: Statement) -> Callable[[str | None, str], str | None]:
        if self.version != self.db.schema_version:
            async with self._lock:
                if self.version != self.db.schema_version:
                    v = self.db.schema_version
                    self.tables = await self.db.run(self._load)
                    self.version = v
        tables = self.tables
        aliases: dict[str, str] = {}
        names: list[str] = []
        if st.tree is not None:
            for t in st.tree.find_all(exp.Table):
                aliases[(t.alias_or_name or t.name).lower()] = t.name.lower()
                aliases[t.name.lower()] = t.name.lower()
                names.append(t.name.lower())

        def column_type(table: str | None, column: str) -> str | None:
            cands = [aliases.get(table.lower(), table.lower())] if table else names
            for tn in cands:
                cols = tables.get(tn)
                if not cols:
                    continue
                if column.startswith("#"):
                    k = int(column[1:])
                    if k < len(cols):
                        return cols[k][1]
                    continue
                for c, ty in cols:
                    if c.lower() == column.lower():
                        return ty
            return None

        return column_type


class Server:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.db = Database(settings)
        self.readers = ReaderPool(self.db, settings.reader_count(), settings.reader_queue)
        self.writer = Writer(self.db, settings.group_commit_max)
        self.schema = SchemaCache(self.db)
        self.catalog = None  # catalog.check.Validator once the schema files are loaded (serve())
        self.sessions: dict[int, Session] = {}
        self.channels: dict[str, set[Session]] = {}
        self._next_pid = os.getpid() * 1000 % 2_000_000_000 or 1
        self._server: asyncio.AbstractServer | None = None
        self._tasks: set[asyncio.Task] = set()

    def connection_count(self) -> int:
        return len(self.sessions)

    async def start(self) -> None:
        self.writer.start()
        self._server = await asyncio.start_server(
            self._on_connect, self.settings.host, self.settings.port, limit=1 << 20, reuse_address=True
        )

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
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            await session.run()
        except Exception:
            log.exception("session %s failed", pid)
        finally:
            self.sessions.pop(pid, None)
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


async def serve(settings: Settings, ready: Callable[[Server], None] | None = None) -> int:
    try:
        server = Server(settings)
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
