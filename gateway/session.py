"""One client connection: startup, simple and extended query, portals, transactions.

The session reads frontend messages from the decoder, routes each statement (reader pool,
serialized writer, or its pinned transaction cursor) and writes backend messages. After an
error in the extended protocol every message is skipped until Sync, as PostgreSQL does.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import itertools
import logging
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from . import advisory_locks, auth, errors, metrics
from .engine.schema import bind_type, lookup_in, table_columns
from .engine import rebuild
from .engine.database import Cursor
from .engine.results import Outcome, ResultStream, execute, execute_staged, materialize
from .engine.writer import CopyIn, InsertRows, WriteJob, append_rows, append_table
from .errors import PgError, from_duckdb
from .protocol import copy as pgcopy
from .protocol import messages as m
from .protocol.rows import apply_pg_types, pg_type_preparation
from .protocol.types import ParamError, decode_param, decode_param_array, decode_param_column, pg_type_of
from .engine.column_types import load as load_column_types, overrides as column_overrides
from .sql.result_types import apply_origins, describe_fields
from .sql import params as sqlparams
from .sql.classify import READ, SESSION, WRITE, InsertShape, Statement, parse_query, table_of, typed_insert
from .sql import enum_order, group_by, literal_values, pg_catalog, search_path
from .sql.pg_catalog import SERVER_VERSION, STATIC_SETTINGS

if TYPE_CHECKING:
    from .server import Server

log = logging.getLogger("dataforge.session")

TEXT = 25

# settings PostgreSQL reports to the client with ParameterStatus (GUC_REPORT)
REPORTED = {
    "application_name": "application_name",
    "client_encoding": "client_encoding",
    "datestyle": "DateStyle",
    "default_transaction_read_only": "default_transaction_read_only",
    "in_hot_standby": "in_hot_standby",
    "integer_datetimes": "integer_datetimes",
    "intervalstyle": "IntervalStyle",
    "is_superuser": "is_superuser",
    "server_encoding": "server_encoding",
    "server_version": "server_version",
    "session_authorization": "session_authorization",
    "standard_conforming_strings": "standard_conforming_strings",
    "timezone": "TimeZone",
}

DEFAULTS = {
    **STATIC_SETTINGS,
    "server_version": SERVER_VERSION,
    "datestyle": "ISO, MDY",
    "intervalstyle": "postgres",
    "timezone": "UTC",
    "in_hot_standby": "off",
    "lock_timeout": "0",
    "idle_in_transaction_session_timeout": "0",
    "transaction_read_only": "off",
    "bytea_output": "hex",
}

_READ_ONLY_SETTINGS = {
    "server_version", "server_version_num", "server_encoding", "integer_datetimes", "lc_collate", "lc_ctype",
    "max_identifier_length", "block_size", "is_superuser", "in_hot_standby", "max_connections",
}

_ENCODINGS = {"utf8", "utf-8", "unicode"}


def _ms(value: str) -> int:
    """A PostgreSQL time setting ('5s', '100ms', '1min', '250') in milliseconds."""
    v = value.strip().lower()
    mm = re.fullmatch(r"(-?\d+(?:\.\d+)?)\s*(ms|s|min|h|d|us)?", v)
    if not mm:
        raise PgError("22023", f'invalid value for parameter: "{value}"',
                      hint='Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".')
    n = float(mm.group(1))
    unit = mm.group(2) or "ms"
    return int(n * {"us": 0.001, "ms": 1, "s": 1000, "min": 60000, "h": 3600000, "d": 86400000}[unit])


@dataclass(slots=True)
class Prepared:
    name: str
    stmt: Statement | None  # None: empty query
    declared: list[int]
    oids: list[int] | None = None  # parameter types, declared or inferred
    fields: list[m.Field] | None = None  # result columns (formats filled per portal)
    schema_version: int = -1


@dataclass(slots=True)
class Portal:
    name: str
    prepared: Prepared
    values: list[Any]
    result_formats: list[int]
    stream: ResultStream | None = None
    fields: list[m.Field] | None = None
    done: bool = False
    tag: str | None = None
    rows_sent: int = 0


@dataclass(slots=True)
class SqlCursor:
    """A SQL-level cursor (DECLARE … CURSOR): its own DuckDB connection and open result."""

    name: str
    stream: ResultStream
    cursor: Cursor
    fields: list[m.Field]
    hold: bool
    binary: bool
    # SCROLL: the rows kept in a DuckDB temp table on the cursor's own connection (spilled to
    # the temp directory when large), read by position; pos 0 is before the first row,
    # total + 1 after the last, as in PostgreSQL
    scroll_table: str | None = None
    total: int = 0
    pos: int = 0


class ClientGone(Exception):
    pass


_WATCH_AFTER = 0.05  # seconds before a running statement starts watching for a hang-up
_WATCH_BUFFER = 16 * 1024 * 1024  # stop reading ahead past this much pipelined input
# isolation levels whose statements each take a fresh snapshot (PostgreSQL's READ COMMITTED)
_FRESH_SNAPSHOT = ("read committed", "read uncommitted")
_STALL_AFTER = 0.05  # seconds a result flush may wait before its reader counts as stalled


class Session:
    def __init__(self, server: "Server", reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 pid: int, key: int):
        self.server = server
        self.db = server.db
        self.reader = reader
        self.writer = writer
        self.pid = pid
        self.key = key
        self.decoder = m.FrontendDecoder(server.settings.max_message_size)
        self.out = bytearray()
        self.params: dict[str, str] = dict(DEFAULTS)
        self.params["statement_timeout"] = str(server.settings.statement_timeout_ms)
        self.params["idle_in_transaction_session_timeout"] = str(server.settings.idle_in_transaction_timeout_ms)
        self.params["lock_timeout"] = str(server.settings.lock_timeout_ms)
        self.params["idle_session_timeout"] = str(server.settings.idle_session_timeout_ms)
        self.user = "postgres"
        self.database = "postgres"
        self.txn = "I"  # I idle, T in transaction, E failed transaction
        self.pinned: Cursor | None = None
        self.pinned_begun = False
        self.lease = False
        self.txn_wrote_ddl = False
        # (schema, table) this transaction deleted or updated rows of (see _refresh_referencing)
        self.txn_changed: set[tuple[str, str]] = set()
        # temporary tables live on the DuckDB connection that made them: once the session has
        # one, every statement runs on its own connection (see run_statement)
        self.temp_objects = False
        self.on_commit: dict[str, str] = {}  # temp table → "drop" | "delete" at transaction end
        self.own_tables: tuple[int, dict] | None = None  # (schema version, its view of the tables)
        self.prepared: dict[str, Prepared] = {}
        self.portals: dict[str, Portal] = {}
        self.sql_cursors: dict[str, SqlCursor] = {}
        self.utility_values: tuple = ((), ())  # the Bind values of the utility statement running
        self.skip_until_sync = False
        self.active: Cursor | None = None  # cursor running this session's statement (for cancel)
        self.cancel_reason: str | None = None
        self.closed = False
        self.notifications: list[bytes] = []
        self.listening: set[str] = set()
        self.idle = False
        self.state = "starting"
        self.query_text = ""
        self.backend_start = time.time()
        self.client_addr = writer.get_extra_info("peername")
        self.pushback = None  # a message read ahead by the INSERT batcher, processed next
        self.implicit = False  # in an implicit transaction block (pipeline / multi-statement Query)
        self.pending_notifies: list[tuple[str, str]] = []  # NOTIFYs of the open transaction
        self.savepoints: list[tuple[str, int]] = []
        self.txn_settings: dict[str, str] = {}  # values before this transaction's SETs
        self.local_settings: dict[str, str] = {}  # values before this transaction's SET LOCALs
        self.txn_writes = 0
        self.ssl = False  # the connection was upgraded to TLS
        self.query_start: float | None = None  # pg_stat_activity
        self.stmt_rows = 0  # rows of the current statement, for its log line and metrics
        self.auth_roles: tuple[str, ...] = ()  # the user's role from the users file (auth.py)
        self.lock_waits = False  # the statement may wait on an advisory lock (advisory_locks.py)
        self.txn_queried = False  # a query ran in this transaction (SET TRANSACTION READ WRITE)

    # ------------------------------------------------------------------ I/O

    def send(self, data: bytes) -> None:
        self.out += data

    async def flush(self) -> None:
        if self.out:
            data = bytes(self.out)
            self.out.clear()
            self.writer.write(data)
            metrics.BYTES_SENT.inc(len(data))
        await self.writer.drain()

    async def _read_more(self) -> None:
        data = await self.reader.read(262144)
        if not data:
            raise ClientGone()
        self.decoder.feed(data)

    async def next_message(self):
        if self.pushback is not None:
            msg, self.pushback = self.pushback, None
            return msg
        while True:
            msg = self.decoder.next()
            if msg is not None:
                return msg
            if self.out:
                await self.flush()
            await self._wait_input()

    async def _wait_input(self) -> None:
        timeout = None
        if self.txn != "I":
            t = int(self.params.get("idle_in_transaction_session_timeout", "0") or 0)
            if t > 0:
                timeout = t / 1000
        elif int(self.params.get("idle_session_timeout", "0") or 0) > 0:
            timeout = int(self.params["idle_session_timeout"]) / 1000
        self.idle = True
        try:
            self._deliver_notifications()
            if timeout is None:
                await self._read_more()
            else:
                try:
                    await asyncio.wait_for(self._read_more(), timeout)
                except asyncio.TimeoutError:
                    idle = self.txn == "I"  # idle_session_timeout, else idle-in-transaction
                    self.send(m.error_response(PgError(
                        "57P05" if idle else "25P03",
                        "terminating connection due to idle-session timeout" if idle else
                        "terminating connection due to idle-in-transaction timeout", severity="FATAL"
                    ).fields()))
                    await self.flush()
                    raise ClientGone() from None
        finally:
            self.idle = False

    def _deliver_notifications(self) -> None:
        if self.notifications and self.txn == "I":
            for n in self.notifications:
                self.send(n)
            self.notifications.clear()
            self.writer.write(bytes(self.out))
            self.out.clear()

    def notify(self, payload: bytes) -> None:
        self.notifications.append(payload)
        if self.idle and self.txn == "I":
            self._deliver_notifications()

    # ------------------------------------------------------------------ startup

    async def startup(self) -> bool:
        """Returns False when the connection ends during startup (SSL probe, cancel…)."""
        while True:
            while True:
                msg = self.decoder.next()
                if msg is not None:
                    break
                await self._read_more()
            if isinstance(msg, m.SSLRequest) and not self.ssl:
                await self.server.start_tls(self)  # 'S' and the TLS handshake, or 'N'
                continue
            if isinstance(msg, (m.SSLRequest, m.GSSENCRequest)):
                self.writer.write(b"N")
                await self.writer.drain()
                continue
            if isinstance(msg, m.CancelRequest):
                self.server.cancel(msg.pid, msg.key)
                return False
            break
        assert isinstance(msg, m.Startup)
        params = msg.params
        minor = msg.version & 0xFFFF
        unsupported = [k for k in params if k.startswith("_pq_.")]
        if minor > 0 or unsupported:
            self.send(m.negotiate_protocol_version(m.PROTOCOL_3_0, unsupported))
        self.user = params.get("user", "postgres")
        self.database = params.get("database", self.user)
        if not self.server.admit(self.pid):
            self.send(m.error_response(PgError("53300", "sorry, too many clients already", severity="FATAL").fields()))
            await self.flush()
            return False
        try:
            for k, v in params.items():
                if k in ("user", "database", "replication") or k.startswith("_pq_."):
                    continue
                if k == "options":
                    for opt_k, opt_v in re.findall(r"(?:-c\s*|--)([\w.]+)=(\S+)", v):
                        self._set(opt_k.replace("-", "_"), opt_v, report=False)
                    continue
                self._set(k, v, report=False)
        except PgError as e:
            e.severity = "FATAL"
            self.send(m.error_response(e.fields()))
            await self.flush()
            return False
        try:
            if self.server.settings.ssl == "require" and not self.ssl:
                raise PgError("28000", "SSL connection is required (the gateway has ssl = require)",
                              hint="Connect with sslmode=require (or verify-full).", severity="FATAL")
            self.auth_roles = await auth.authenticate(self)
        except PgError as e:
            e.severity = "FATAL"
            self.send(m.error_response(e.fields()))
            await self.flush()
            return False
        self.params["session_authorization"] = self.user
        self.send(m.AUTH_OK)
        for key, name in REPORTED.items():
            self.send(m.parameter_status(name, self.params.get(key, "")))
        self.send(m.backend_key_data(self.pid, self.key))
        self.send(m.ready_for_query("I"))
        await self.flush()
        self.decoder.allowed = m.SESSION_TYPES
        self.state = "idle"
        return True

    async def _startup_in_time(self) -> bool:
        """Startup and authentication within authentication_timeout_s: a client that stalls
        there holds a connection slot for no one."""
        try:
            return await asyncio.wait_for(self.startup(), self.server.settings.authentication_timeout_s)
        except asyncio.TimeoutError:
            self.out.clear()
            self.writer.write(m.error_response(PgError(
                "08006", "canceling authentication due to timeout", severity="FATAL").fields()))
            return False

    # ------------------------------------------------------------------ main loop

    async def run(self) -> None:
        try:
            if not await self._startup_in_time():
                return
            while True:
                try:
                    msg = await self.next_message()
                except m.ProtocolError as e:
                    if not e.recoverable:
                        raise
                    # intact framing, bad contents: an ERROR, and the session goes on
                    if self.skip_until_sync and e.msg_type != 0x53:
                        continue
                    self._error(PgError(e.sqlstate, str(e)))
                    if e.msg_type == 0x51:
                        self.send(m.ready_for_query(self.txn))
                    else:
                        self.skip_until_sync = True
                    continue
                if isinstance(msg, m.Terminate):
                    return
                if self.skip_until_sync and not isinstance(msg, m.Sync):
                    continue
                if isinstance(msg, m.Query):
                    await self.simple_query(msg.sql)
                elif isinstance(msg, m.Parse):
                    await self._guard(self.on_parse(msg))
                elif isinstance(msg, m.Bind):
                    if self._batchable(msg):
                        await self._insert_run(msg)
                    else:
                        await self._guard(self.on_bind(msg))
                elif isinstance(msg, m.Describe):
                    await self._guard(self.on_describe(msg))
                elif isinstance(msg, m.Execute):
                    await self._guard(self.on_execute(msg))
                elif isinstance(msg, m.Close):
                    self.on_close(msg)
                elif isinstance(msg, m.Sync):
                    await self.on_sync()
                elif isinstance(msg, m.Flush):
                    await self.flush()
                elif isinstance(msg, (m.CopyData, m.CopyDone, m.CopyFail)):
                    continue  # stray COPY messages outside COPY mode are ignored, like PostgreSQL
                elif isinstance(msg, m.FunctionCall):
                    self._function_call(msg)
                elif isinstance(msg, (m.Startup, m.SSLRequest, m.GSSENCRequest, m.CancelRequest)):
                    raise m.ProtocolError("unexpected startup message")
                else:
                    raise m.ProtocolError(f"unsupported frontend message {type(msg).__name__}")
        except (ClientGone, ConnectionError, asyncio.IncompleteReadError):
            pass
        except m.ProtocolError as e:
            try:
                self.send(m.error_response(PgError(e.sqlstate, str(e), severity="FATAL").fields()))
                await self.flush()
                await self._linger()
            except Exception:
                pass
        finally:
            await self.cleanup()

    async def _linger(self, limit: int = 16 << 20, seconds: float = 2.0) -> None:
        """After a FATAL error, stop sending and read (and drop) what the client is still
        sending, briefly: closing with unread bytes resets the connection, and the reset can
        destroy the error message before the client has read it."""
        if self.writer.can_write_eof():
            self.writer.write_eof()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while limit > 0:
            left = deadline - loop.time()
            if left <= 0:
                return
            try:
                data = await asyncio.wait_for(self.reader.read(262144), left)
            except (asyncio.TimeoutError, ConnectionError, OSError):
                return
            if not data:
                return
            limit -= len(data)

    async def _guard(self, coro) -> None:
        try:
            await coro
        except PgError as e:
            self._error(e)
            self.skip_until_sync = True

    def _function_call(self, msg: m.FunctionCall) -> None:
        """The fast-path function call (libpq's PQfn: large objects). Answered with an error
        and ReadyForQuery, as PostgreSQL answers a call it refuses."""
        oid = int.from_bytes(msg.data[:4], "big") if len(msg.data) >= 4 else 0
        if self.txn == "E":
            err = _aborted()
        elif oid - pg_catalog.LARGE_OBJECT_PROC_BASE in range(len(pg_catalog.LARGE_OBJECT_PROCS)):
            name = pg_catalog.LARGE_OBJECT_PROCS[oid - pg_catalog.LARGE_OBJECT_PROC_BASE]
            err = PgError("0A000", f"large objects are not supported ({name})",
                          hint="Store the data in a bytea column.")
        else:
            err = PgError("42883", f"function with OID {oid} does not exist")
        self._error(err)
        self.send(m.ready_for_query(self.txn))

    def _error(self, e: PgError) -> None:
        self.send(m.error_response(e.fields()))
        if self.txn == "T":
            self.txn = "E"
            self.server.advisory.release(self.pid, ("xact",))  # PostgreSQL's abort frees them at once

    async def cleanup(self) -> None:
        self.closed = True
        for p in list(self.portals.values()):
            self._close_portal(p)
        self.portals.clear()
        for c in list(self.sql_cursors.values()):
            self._close_sql_cursor(c)
        if self.pinned is not None:
            if self.pinned_begun:
                try:
                    await self.db.run(self.pinned.con.execute, "ROLLBACK")
                except Exception:
                    pass
            self.pinned.close()
            self.pinned = None
        self._release_lease()
        self.server.advisory.forget(self.pid)  # its advisory locks, also when the client was killed
        self.server.unlisten_all(self)
        try:
            self.writer.close()
        except Exception:
            pass

    # ------------------------------------------------------------------ search_path

    async def _parse_query(self, sql: str) -> list[Statement]:
        """parse_query, with the session's search_path applied where it finds relations outside
        public (sql/search_path.py; the default path costs a cached lookup), and GROUP BY a
        primary key made explicit for DuckDB (_grouped_by_primary_key)."""
        path = await self._search_path()
        if path is None:
            stmts = parse_query(sql)
        else:
            schemas, relations, existing, temp = path
            stmts = parse_query(sql, lambda tree: search_path.qualify(tree, schemas, relations, existing, set(temp)),
                                key=(schemas, self.db.schema_version, temp))
        out = []
        for st in stmts:
            st = await self._grouped_by_primary_key(st)
            st = await self._insert_with_column_list(st)
            st = await self._on_conflict_on_constraint(st)
            out.append(await self._enum_comparisons(st))
        return out

    async def _search_path(self) -> tuple | None:
        """(schemas, relations, existing schemas, temporary relations) when the session's
        search_path can find a relation outside main; None for the default path."""
        schemas = _path_schemas(self.params.get("search_path", ""), self.user)
        if schemas == ("main",):
            return None
        names = await self.server.schema.names()
        if search_path.is_default(schemas, names.schemas):
            return None
        temp = await self._temp_relation_names() if self.temp_objects else frozenset()
        return schemas, names.relations, names.schemas, temp

    async def _temp_relation_names(self) -> frozenset[str]:
        """The session's temporary tables and views (they come first, as pg_temp does)."""
        cursor = self.pinned
        if cursor is None:
            return frozenset()
        rows = await self._run(cursor, lambda: cursor.con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE temporary "
            "UNION ALL SELECT view_name FROM duckdb_views() WHERE temporary").fetchall())
        return frozenset(n for (name,) in rows for n in (name, name.lower()))

    async def _copy_target_in_path(self, spec: pgcopy.CopySpec) -> None:
        """COPY t (unqualified): the schema the session's search_path finds t in."""
        if spec.table is None or spec.schema is not None:
            return
        path = await self._search_path()
        if path is not None:
            schemas, relations, _, temp = path
            spec.schema = search_path.schema_of(spec.table, schemas, relations, temp)

    # ------------------------------------------------------------------ simple query

    async def simple_query(self, sql: str) -> None:
        self.query_text = sql
        self.state = "active"
        try:
            stmts = await self._literal_insert(sql) or await self._parse_query(sql)
        except PgError as e:
            self._error(e)
            self.send(m.ready_for_query(self.txn))
            self.state = "idle"
            return
        if not stmts:
            self.send(m.EMPTY_QUERY)
        if len(stmts) > 1 and self.txn == "I" and not any(
                s.is_transaction_control or s.kind in ("savepoint", "release", "rollback_to") for s in stmts):
            self._begin_implicit()  # several statements in one Query are one transaction
        for st in stmts:
            try:
                await self.run_statement(st, [], [], [], None, simple=True)
            except PgError as e:
                self._error(e)
                break
        await self._finish_implicit()
        self._end_implicit()
        self.send(m.ready_for_query(self.txn))
        self.state = "idle"

    async def _finish_implicit(self) -> None:
        """End the implicit transaction of a pipeline or multi-statement Query: commit it,
        or roll it back after an error."""
        if not self.implicit:
            return
        self.implicit = False
        try:
            await self._end_transaction(commit=self.txn == "T")
        except PgError as e:
            self._error(e)
            self.txn = "I"

    def _end_implicit(self) -> None:
        if self.txn == "I":
            self.server.advisory.release(self.pid, ("xact",))  # an autocommit statement's xact locks
            for name in list(self.portals):
                self._close_portal(self.portals.pop(name))

    # ------------------------------------------------------------------ extended query

    async def on_parse(self, msg: m.Parse) -> None:
        if msg.name and msg.name in self.prepared:
            raise PgError("42P05", f'prepared statement "{msg.name}" already exists')
        stmts = await self._parse_query(msg.sql)
        if sqlparams.VOID_OID in msg.param_oids and len(stmts) == 1:  # pgjdbc's {? = call f(?)}
            text = sqlparams.without_void_arguments(stmts[0].text, stmts[0].tokens, msg.param_oids)
            stmts = await self._parse_query(text) if text is not None else stmts
        if len(stmts) > 1:
            raise PgError("42601", "cannot insert multiple commands into a prepared statement")
        st = stmts[0] if stmts else None
        if st is not None and st.refused is not None:
            raise st.refused  # before Describe could hand it to DuckDB
        if st is not None and st.error is not None and st.route != SESSION:
            raise st.error
        if st is not None:
            await self._catalog_check(st)
        prep = Prepared(msg.name, st, list(msg.param_oids))
        if st is not None and len(prep.declared) > st.nparams:
            st_n = len(prep.declared)
        else:
            st_n = st.nparams if st is not None else 0
        prep.declared += [0] * (st_n - len(prep.declared))
        self.prepared[msg.name] = prep
        self.send(m.PARSE_COMPLETE)

    async def _param_oids(self, prep: Prepared) -> list[int]:
        if prep.oids is None:
            st = prep.stmt
            if st is None or not st.nparams:
                prep.oids = list(prep.declared)
            elif all(prep.declared):
                prep.oids = list(prep.declared)
            elif self._shared_schema() and (hit := st.describe_cache.get(
                    ("params", tuple(prep.declared), self.db.schema_version))) is not None:
                prep.oids = list(hit)  # inferred before for this text (each unnamed Parse asks again)
            else:
                key = ("params", tuple(prep.declared), self.db.schema_version)
                shared = self._shared_schema()
                if shared:
                    lookup = await self.server.schema.lookup(st)
                    probe = self.server.schema.probe
                else:  # its temporary tables, its transaction's DDL: as its own connection sees them
                    cursor = await (self._pinned() if self.txn != "I" else self._own_cursor())
                    lookup = lookup_in(await self._own_tables(cursor), st)

                    async def probe(sql: str) -> str | None:
                        return await self._run(cursor, bind_type, cursor.con, sql)
                oids = sqlparams.infer_param_oids(st, prep.declared, lookup, unknown=0)
                for i, sql in sqlparams.probe_queries(st, oids).items():
                    t = await probe(sql)
                    if t is not None:
                        oids[i] = sqlparams.oid_for_duck(t)
                prep.oids = [o or 25 for o in oids]
                if shared:
                    if len(st.describe_cache) > 16:
                        st.describe_cache.clear()
                    st.describe_cache[key] = tuple(prep.oids)
        return prep.oids

    async def on_bind(self, msg: m.Bind) -> None:
        prep = self.prepared.get(msg.statement)
        if prep is None:
            raise PgError("26000", f'prepared statement "{msg.statement}" does not exist')
        if msg.portal and msg.portal in self.portals:
            raise PgError("42P03", f'cursor "{msg.portal}" already exists')
        if self.txn == "E" and (prep.stmt is None or prep.stmt.kind not in ("rollback", "commit", "rollback_to")):
            raise _aborted()
        if prep.declared:
            await self._param_oids(prep)
        values = self._bind_values(prep, msg)
        old = self.portals.pop(msg.portal, None)
        if old is not None:
            self._close_portal(old)
        self.portals[msg.portal] = Portal(msg.portal, prep, values, msg.result_formats)
        self.send(m.BIND_COMPLETE)

    # ---- runs of INSERTs (executemany, pipelines) become one Arrow append

    MAX_RUN_ROWS = 100_000

    def _batchable(self, msg: m.Bind) -> bool:
        if self.txn == "E" or self.skip_until_sync or self.temp_objects:
            return False
        if self._read_only():
            return False  # the ordinary path refuses it with 25006
        prep = self.prepared.get(msg.statement)
        return prep is not None and prep.stmt is not None and prep.stmt.insert is not None \
            and prep.stmt.error is None and auth.may_write(self)

    async def _insert_run(self, first: m.Bind) -> None:
        """Bind/[Describe]/Execute/[Sync] … for one prepared INSERT, already sent by the client
        (psycopg executemany, pipelines): each Sync-delimited unit becomes one writer job, all
        submitted together so the writer appends them as one Arrow batch in one group commit;
        a unit that fails alone reports its error alone, exactly as PostgreSQL would."""
        prep = self.prepared[first.statement]
        st = prep.stmt
        started = time.perf_counter()
        await self._param_oids(prep)
        # inside a transaction the rows will be appended on its cursor: take the writer lease
        # and begin the DuckDB transaction now, while the client is still sending them
        # (only when the lease is free: a wait for it stays where the append needs it)
        ready = None
        if self.txn == "T" and not self.pinned_begun and (self.lease or not self.server.writer.lease.locked()):
            ready = asyncio.ensure_future(self._ready_to_append())
        run: list = []  # (message, unit index for Executes / PgError for a Bind)
        units: list[list[m.Bind]] = [[]]  # per Sync-delimited unit, the Binds it executes
        bound: dict[str, m.Bind] = {}
        rows = 0
        nparams = len(prep.declared)
        per_execute = len(st.insert.rows)
        dec = self.decoder
        msg = first
        described = ran_unnamed = False  # the last Bind's portal was Described / Executed
        shape = shape_described = None  # the row shape take_bind_executes matches
        tz = self.params["timezone"]
        # inside a transaction, rows already received are appended while the client is still
        # sending the rest (psycopg sends a batch row by row): unit index → its append
        eager: dict[int, asyncio.Future] = {}

        # decoding ahead: the unit, its first undecoded item, and that item's rows and after
        ahead: list = [0, 0, units[-1]]

        def added(n: int) -> None:
            if ahead[2] is not units[-1]:
                ahead[:] = [0, 0, units[-1]]
            ahead[1] += n

        def go_eager() -> None:
            # while waiting for the client: decode the rows received so far, so that after
            # Sync only the last few are left to decode
            unit = units[-1]
            if ahead[2] is unit and ahead[1] >= self.DECODE_AHEAD_ROWS and len(unit) > ahead[0]:
                k = ahead[0]
                try:
                    cols = self._decode_items(prep, unit[k:])
                except ParamError:
                    ahead[1] = -1 << 60  # a bad value: the unit is decoded Bind by Bind after Sync
                else:
                    unit[k:] = [_DecodedRows(unit[k:], cols)]
                    ahead[:2] = [k + 1, 0]
            if self.txn == "T" and _nrows(units[-1]) >= self.EAGER_ROWS:
                prev = eager[max(eager)] if eager else None
                eager[len(units) - 1] = asyncio.ensure_future(
                    self._eager_append(prev, prep, units[-1], tz, ready if prev is None else None))
                units.append([])
        try:
            while True:
                if msg is None:
                    pass  # an Execute or Describe of the unnamed portal, handled from its bytes below
                elif isinstance(msg, m.Bind):
                    if msg.statement != first.statement:
                        self.pushback = msg
                        break
                    err = _bind_shape_error(prep, msg, nparams)
                    if err is not None:
                        run.append((msg, err))
                        break
                    bound[msg.portal] = msg
                    run.append((msg, None))
                    described = False
                    shape = None
                elif isinstance(msg, m.Describe) and msg.kind == "P" and msg.name in bound:
                    run.append((msg, None))
                elif isinstance(msg, m.Execute) and msg.portal in bound:
                    units[-1].append(bound[msg.portal])
                    added(1)
                    rows += per_execute
                    run.append((msg, len(units) - 1))
                elif isinstance(msg, m.Sync):
                    run.append((msg, None))
                    units.append([])
                    bound.clear()
                elif isinstance(msg, m.Parse) and msg.name == first.statement and msg.sql == st.text \
                        and msg.name == "" and not any(msg.param_oids):
                    run.append((msg, None))  # pipelines re-Parse the unnamed statement each time
                else:
                    self.pushback = msg
                    break
                synced = isinstance(msg, m.Sync)
                if synced and (rows >= self.MAX_RUN_ROWS or self.implicit):
                    break  # (an implicit transaction ends at this Sync: the units after it are not in it)
                if msg is None and ran_unnamed and bound.get("") is not None and not bound[""].portal:
                    # the rows that follow: scanned from the buffer without a message object for
                    # their Describe and Execute, appended to the run as if decoded one by one
                    if shape is None or described != shape_described:
                        shape, shape_described = m.bind_row_shape(bound[""], described), described
                    while True:
                        if dec.bind_rows_pending(shape, self.DECODE_AHEAD_ROWS, self.TAKE_ROWS_BYTES):
                            await self._read_more()  # more rows coming: take them together
                            continue
                        block, binds, partial = dec.take_bind_block(shape, self.MAX_RUN_ROWS)
                        k = len(units) - 1
                        if block is not None:
                            units[k].append(block)
                            added(len(block))
                            rows += per_execute * len(block)
                            bound[""] = block.last()
                            run.append((_RowBlock(k, block, described), None))
                        if binds:
                            units[k].extend(binds)
                            added(len(binds))
                            rows += per_execute * len(binds)
                            bound[""] = binds[-1]
                            run.append((_RowBlock(k, binds, described), None))
                        go_eager()
                        if partial:
                            await self._read_more()  # the next row has begun arriving
                        elif block is None and not binds:
                            break  # another message follows the rows
                ran_unnamed = False
                raw = dec.next_raw()
                while raw is None and not synced:
                    go_eager()
                    await self._read_more()  # mid-pipeline: the client owes us at least a Sync
                    raw = dec.next_raw()
                if raw is None:
                    break
                t, body = raw
                # per row psycopg sends Bind, Describe portal, Execute: the last two as fixed bytes
                if t == 0x45 and body == _EXECUTE_UNNAMED and "" in bound:
                    units[-1].append(bound[""])
                    added(1)
                    rows += per_execute
                    run.append((_EXECUTE_UNNAMED_MSG, len(units) - 1))
                    ran_unnamed = True
                    msg = None
                elif t == 0x44 and body == _DESCRIBE_UNNAMED and "" in bound:
                    run.append((_DESCRIBE_UNNAMED_MSG, None))
                    described = True
                    msg = None
                else:
                    msg = m.decode_body(t, body)
        except BaseException:
            if eager or ready is not None:  # the cursor must be free before the session rolls back or goes on
                await asyncio.wait(list(eager.values()) + ([ready] if ready is not None else []))
            raise
        if ready is not None:
            await ready  # its error, if any, comes again from the append that needs the lease
        # decode each unit's parameter values; a value that fails fails its whole unit at its
        # Bind (PostgreSQL aborts the unit's implicit transaction: none of its rows are kept)
        bad: dict[int, PgError] = {}  # id(Bind) → its error
        bad_units: set[int] = set()
        appended: dict[int, Outcome | PgError] = {}  # the eager units' outcomes
        for k, fut in eager.items():
            res = await fut
            units[k] = []
            if isinstance(res, _UnitBindError):
                bad[id(res.bind)] = res.error
                bad_units.add(k)
            else:
                appended[k] = res
        for k, unit in enumerate(units):
            if unit:
                try:
                    units[k] = self._unit_rows(prep, unit)
                except _UnitBindError as e:
                    bad[id(e.bind)] = e.error
                    bad_units.add(k)
                    units[k] = []
        if bad:
            run = _expand_blocks(run)
            failing = False
            for i, (msg, info) in enumerate(run):
                if isinstance(msg, m.Sync):
                    failing = False
                elif failing and isinstance(msg, m.Execute):
                    run[i] = (msg, None)  # skipped after the unit's error: never executed
                elif isinstance(msg, m.Bind) and id(msg) in bad:
                    run[i] = (msg, bad[id(msg)])
                    failing = True
        # submit every unit's rows at once: the writer merges them into one append
        outcome: list = [None] * len(units)
        if self.txn == "T":
            # inside a transaction: append each unit on the transaction's cursor, in order
            failed = False
            for k, unit in enumerate(units):
                if k in appended:
                    outcome[k] = appended[k]
                    failed = failed or isinstance(outcome[k], PgError)
                    continue
                if k in bad_units:
                    failed = True  # the transaction is aborted from that Bind on
                    continue
                if not unit:
                    continue
                if failed:
                    outcome[k] = _aborted()
                    continue
                try:
                    outcome[k] = await self._append_in_txn(st.insert, unit, tz)
                except PgError as e:
                    outcome[k] = e
                    failed = True
        else:
            jobs = []
            for k, unit in enumerate(units):
                if not unit:
                    jobs.append(None)
                    continue
                if k == len(units) - 1 and self.pushback is not None:
                    # the client goes on without a Sync: these rows open an implicit transaction
                    # that the statements after them join, committed (or not) at Sync
                    self._begin_implicit()
                    jobs.append(self._append_in_txn(st.insert, unit, tz))
                else:
                    jobs.append(self.server.writer.submit(_insert_job(st, unit, tz)))
            pending = [j for j in jobs if j is not None]
            if len(pending) == 1:
                try:
                    results = [await pending[0]]
                except PgError as e:
                    results = [e]
            else:
                results = await asyncio.gather(*pending, return_exceptions=True)
            it = iter(results)
            outcome = [next(it) if j is not None else None for j in jobs]
        nrows = len(st.insert.rows)
        done_tag = m.command_complete(f"INSERT 0 {nrows}")
        done = 0  # Executes answered INSERT 0 n, counted in the metrics at once
        out = self.out
        if not bad and any(isinstance(o, BaseException) for o in outcome):
            run = _expand_blocks(run)  # an error: answered message by message below
        for msg, info in run:
            cls = type(msg)
            if cls is _RowBlock:  # a unit's rows that all succeeded: one answer, repeated
                if not self.skip_until_sync:
                    out += (m.BIND_COMPLETE + (m.NO_DATA if msg.described else b"") + done_tag) * len(msg.rows)
                    done += len(msg.rows)
                continue
            if cls is m.Sync:
                self.skip_until_sync = False
                if self.implicit:  # begun by a statement before this run, in the same pipeline
                    await self._finish_implicit()
                    self._end_implicit()
                out += m.ready_for_query(self.txn)
                continue
            if self.skip_until_sync:
                continue
            if cls is m.Bind:
                if info is not None:
                    self._error(info)
                    self.skip_until_sync = True
                    continue
                out += m.BIND_COMPLETE
            elif cls is m.Execute:
                if info is None:
                    continue
                res = outcome[info]
                if isinstance(res, BaseException):
                    err = res if isinstance(res, PgError) else from_duckdb(res)
                    if err.sqlstate in errors.CONSTRAINT_STATES:
                        await self._name_constraint(err, st)
                    self._error(err)
                    self.skip_until_sync = True
                    metrics.statement_done(self, st, started, err.sqlstate, 0)
                else:
                    out += done_tag
                    done += 1
            elif cls is m.Describe:
                out += m.NO_DATA
            elif cls is m.Parse:
                out += m.PARSE_COMPLETE
        if done:
            metrics.statement_done(self, st, started, "00000", nrows, count=done)
        if run and isinstance(run[-1][0], m.Sync):
            self.state = "idle"
            await self.flush()

    # in a transaction, a run's rows are appended this many at a time as they arrive (each
    # append costs DuckDB a fixed ~2 ms, so smaller chunks would slow executemany's 1,000-row
    # batches down; bigger runs overlap appending with receiving, and hold fewer rows)
    EAGER_ROWS = 2048

    async def _eager_append(self, prev: asyncio.Future | None, prep: Prepared, unit: list[m.Bind],
                            tz: str, ready: asyncio.Future | None = None) -> "Outcome | PgError | _UnitBindError":
        """Append one chunk of a run inside the session's transaction while the main loop
        goes on reading the client: after the previous chunk (nothing if that one failed: the
        transaction is then aborted), on the pinned cursor, holding the writer lease. Returns
        the outcome instead of raising: the run reports it at the chunk's first Execute. Not
        through _run: that would read the socket, which the main loop is reading."""
        if ready is not None:
            await ready  # the run's own lease + BEGIN: two BEGINs on one cursor would fail
        if prev is not None and not isinstance(await prev, Outcome):
            return _aborted()
        try:
            rows = self._unit_rows(prep, unit)
        except _UnitBindError as e:
            return e
        ins = prep.stmt.insert
        try:
            await self._take_lease()
            cursor = await self._pinned()
            self.txn_writes += 1
            self.active = cursor  # a CancelRequest interrupts it
            try:
                await asyncio.get_running_loop().run_in_executor(
                    self.db.executor, _append_on, cursor, ins, rows, tz)
            finally:
                self.active = None
        except PgError as e:
            return e
        except duckdb.Error as e:
            return from_duckdb(e)
        return Outcome(rowcount=len(rows))

    async def _ready_to_append(self) -> None:
        try:
            await self._take_lease()
            await self._pinned()
        except PgError:
            pass  # the append that needs them raises it again, at the right message

    async def _append_in_txn(self, ins: InsertShape, rows: list | pa.Table, tz: str) -> Outcome:
        await self._take_lease()
        cursor = await self._pinned()
        self.txn_writes += 1
        await self._run(cursor, _append_on, cursor, ins, rows, tz)
        return Outcome(rowcount=len(rows))

    # a unit this many rows or more goes to DuckDB as Arrow columns decoded a column at a time
    COLUMNAR_ROWS = 64

    # rows decoded ahead while the client is still sending (go_eager), this many at a time;
    # also the rows (or bytes of rows) left in the buffer before they are taken from it
    DECODE_AHEAD_ROWS = 256
    TAKE_ROWS_BYTES = 1 << 20

    def _decode_items(self, prep: Prepared, items: list) -> list[pa.Array]:
        """Binds and BindBlocks of one parameter format list → per parameter, its decoded
        Arrow column (raises ParamError for a value PostgreSQL would refuse)."""
        fmts = items[0].param_formats
        if len(prep.stmt.insert.rows) != 1 or any(b.param_formats != fmts for b in items):
            raise ParamError("22P03", "mixed parameter formats")  # not worth a column at a time
        oids = prep.oids if prep.oids is not None else prep.declared
        cols = []
        for i, raws in enumerate(_column_pieces(items, len(prep.declared))):
            f = fmts[0] if len(fmts) == 1 else (fmts[i] if fmts else 0)
            cols.append(decode_param_array(oids[i] if (f == 1 or prep.declared[i]) else 0, f,
                                           raws[0] if len(raws) == 1 else pa.concat_arrays(raws)))
        return cols

    def _unit_rows(self, prep: Prepared, binds: list) -> list | pa.Table:
        """One unit's Executes → the rows to append (a row list, or an Arrow table for many
        rows of a one-row VALUES). `binds` holds Binds, BindBlocks (many rows' parameters
        as Arrow columns) and _DecodedRows (rows decoded ahead). Raises _UnitBindError
        naming the first Bind whose values PostgreSQL would refuse."""
        shape = prep.stmt.insert
        if any(type(b) is not m.Bind for b in binds):
            if _nrows(binds) >= self.COLUMNAR_ROWS:
                try:
                    parts: list[list[pa.Array]] = []
                    raw: list = []
                    for b in binds + [None]:
                        if type(b) is _DecodedRows or b is None:
                            if raw:
                                parts.append(self._decode_items(prep, raw))
                                raw = []
                            if b is not None:
                                parts.append(b.columns)
                        else:
                            raw.append(b)
                    cols = [p[0] if len(p) == 1 else pa.concat_arrays(p) for p in zip(*parts)]
                except (ParamError, pa.ArrowInvalid):
                    pass  # find the failing Bind value by value below
                else:
                    return pa.table([cols[i] for i in shape.rows[0]], names=[f"c{j}" for j in range(shape.ncols)])
            binds = _flat_binds(binds)
        fmts = binds[0].param_formats
        if len(binds) >= self.COLUMNAR_ROWS and len(shape.rows) == 1 \
                and all(b.param_formats == fmts for b in binds):
            oids = prep.oids if prep.oids is not None else prep.declared
            cols = []
            try:
                for i in range(len(prep.declared)):
                    f = fmts[0] if len(fmts) == 1 else (fmts[i] if fmts else 0)
                    cols.append(decode_param_column(oids[i] if (f == 1 or prep.declared[i]) else 0, f,
                                                    [b.params[i] for b in binds]))
            except ParamError:
                pass  # find the failing Bind value by value below
            else:
                return pa.table([cols[i] for i in shape.rows[0]],
                                names=[f"c{j}" for j in range(shape.ncols)])
        out: list = []
        for b in binds:
            try:
                out.extend(shape.bind(self._bind_values(prep, b)))
            except PgError as e:
                raise _UnitBindError(b, e) from None
        return out

    def _notify(self, channel: str, payload: str) -> None:
        """NOTIFY / pg_notify(): delivered at once outside a transaction block; inside one, at
        COMMIT (dropped at ROLLBACK), once per distinct (channel, payload), as PostgreSQL does."""
        if self.txn == "I":
            self.server.notify(self.pid, channel, payload)
        elif (channel, payload) not in self.pending_notifies:
            self.pending_notifies.append((channel, payload))

    def _begin_implicit(self) -> None:
        if self.txn == "I":
            self._read_only()  # the block starts as default_transaction_read_only says
            self.txn = "T"
            self.implicit = True

    def _bind_values(self, prep: Prepared, msg: m.Bind) -> list:
        err = _bind_shape_error(prep, msg, len(prep.declared))
        if err is not None:
            raise err
        fmts = msg.param_formats
        oids = prep.oids if prep.oids is not None else prep.declared
        values = []
        for i, raw in enumerate(msg.params):
            f = fmts[0] if len(fmts) == 1 else (fmts[i] if fmts else 0)
            try:
                # an untyped text array ('{1,NULL,3}', node-postgres) is parsed as the inferred array type
                typed = f == 1 or prep.declared[i] or _is_array_oid(oids[i]) or oids[i] in _UNTYPED_PARSED
                values.append(decode_param(oids[i] if typed else 0, f, raw))
            except ParamError as e:
                raise PgError(e.sqlstate, str(e)) from None
        return values

    async def on_describe(self, msg: m.Describe) -> None:
        if msg.kind == "S":
            prep = self.prepared.get(msg.name)
            if prep is None:
                raise PgError("26000", f'prepared statement "{msg.name}" does not exist')
            try:
                oids = await self._param_oids(prep)
                fields = await self._describe(prep, None)
            except PgError as e:
                if prep.stmt is not None:
                    await self._explain_error(e, prep.stmt)
                raise
            self.send(m.parameter_description(oids))
            if fields is None:
                self.send(m.NO_DATA)
            else:
                self.send(m.row_description(fields))
        else:
            portal = self.portals.get(msg.name)
            if portal is None:
                # a SQL cursor (DECLARE) is a portal too: drivers Describe it by name
                cur = self.sql_cursors.get(msg.name)
                if cur is None:
                    raise PgError("34000", f'portal "{msg.name}" does not exist')
                self.send(m.row_description(cur.fields))
                return
            try:
                fields = await self._portal_fields(portal)
            except PgError as e:
                if portal.prepared.stmt is not None:
                    await self._explain_error(e, portal.prepared.stmt)
                raise
            if fields is None:
                self.send(m.NO_DATA)
            else:
                self.send(m.row_description(fields))

    async def _column_overrides(self, plan, names, types) -> list | None:
        """The varchar(n)/char(n)/jsonb… types of a result (engine/column_types.py): on the loop
        when the declared types are loaded (dict lookups), else on a worker thread."""
        if not plan.has_refs or self.db.declared_types.version == self.db.schema_version:
            return column_overrides(self.db, plan, names, types)
        return await self.db.run(column_overrides, self.db, plan, names, types)

    async def _portal_fields(self, portal: Portal) -> list[m.Field] | None:
        if portal.fields is None:
            base = await self._describe(portal.prepared, portal)
            if base is None:
                return None
            portal.fields = _with_formats(base, portal.result_formats)
        return portal.fields

    async def _describe(self, prep: Prepared, portal: Portal | None) -> list[m.Field] | None:
        st = prep.stmt
        if st is None:
            return None
        if st.route == SESSION:
            if st.kind == "show":
                name = self._show_name(st)
                if name == "all":
                    return [m.Field("name", TEXT), m.Field("setting", TEXT), m.Field("description", TEXT)]
                return [m.Field(name, TEXT)]
            if st.kind == "fetch":
                cur = self.sql_cursors.get(self._fetch_target(st)[1])
                return list(cur.fields) if cur else None
            if st.kind == "execute" and len(st.tokens) > 1:
                inner = self.prepared.get(_ident(st.tokens[1]))
                return await self._describe(inner, None) if inner is not None else None
            return None
        if not st.returns_rows:
            return None
        if prep.fields is not None and prep.schema_version == self.db.schema_version:
            return prep.fields
        oids = await self._param_oids(prep)
        key = (tuple(oids), self.db.schema_version, self.params["timezone"])
        shared = self._shared_schema()
        hit = st.describe_cache.get(key) if shared else None
        if hit is not None:
            prep.fields = hit
            prep.schema_version = self.db.schema_version
            return hit
        sql = sqlparams.probe_sql(st, oids)
        if st.kind != "select":
            sql = _returning_probe(st) or sql
        cursor, release = await self._cursor_for_read()
        try:
            names, types = await self._run(cursor, _describe_sql, cursor, sql, self.params["timezone"])
        finally:
            release()
        prep.fields = st.pg_fields([_field(n, t) for n, t in zip(names, types)])
        if st.origin is not None:
            apply_origins(prep.fields, st.origin, await self.server.schema.table_origins())
        if st.result_plan is not None:
            describe_fields(prep.fields, await self._column_overrides(st.result_plan, names, types))
        prep.schema_version = self.db.schema_version
        if shared:
            if len(st.describe_cache) > 16:
                st.describe_cache.clear()
            st.describe_cache[key] = prep.fields
        return prep.fields

    async def on_execute(self, msg: m.Execute) -> None:
        portal = self.portals.get(msg.portal)
        if portal is None:
            raise PgError("34000", f'portal "{msg.portal}" does not exist')
        st = portal.prepared.stmt
        if st is None:
            self.send(m.EMPTY_QUERY)
            return
        self.query_text = st.text
        self.state = "active"
        if portal.done:
            # a completed portal executed again returns nothing more
            self.send(m.command_complete(portal.tag or st.tag))
            return
        if portal.stream is not None:
            await self._send_rows(portal, msg.max_rows)
            return
        if self.txn == "I" and st.route == WRITE and self.pushback is None:
            # Sync right after: an autocommit write (group commit). Anything else: the writes up
            # to Sync are one implicit transaction. The client owes us the next message either
            # way (PostgreSQL sends nothing before Sync or Flush), so wait for it to decide.
            nxt = self.decoder.peek_type()
            while nxt is None:
                await self._read_more()
                nxt = self.decoder.peek_type()
            if nxt not in (0x53, 0x48):  # more than Sync/Flush follows
                self._begin_implicit()
        await self.run_statement(st, portal.values, portal.prepared.oids or [], portal.result_formats, portal,
                                 max_rows=msg.max_rows)

    def on_close(self, msg: m.Close) -> None:
        if msg.kind == "S":
            self.prepared.pop(msg.name, None)
        else:
            p = self.portals.pop(msg.name, None)
            if p is not None:
                self._close_portal(p)
        self.send(m.CLOSE_COMPLETE)

    async def on_sync(self) -> None:
        self.skip_until_sync = False
        await self._finish_implicit()
        self._end_implicit()
        self.send(m.ready_for_query(self.txn))
        self.state = "idle"
        await self.flush()

    def _close_portal(self, p: Portal) -> None:
        if p.stream is not None:
            p.stream.close()
            p.stream = None

    # ------------------------------------------------------------------ statements

    async def run_statement(self, st: Statement, values: Sequence[Any], oids: Sequence[int],
                            formats: Sequence[int], portal: Portal | None, simple: bool = False,
                            max_rows: int = 0) -> None:
        if st.refused is not None and self.txn != "E":
            raise st.refused  # sql/guard.py, before a syntax error DuckDB might not have
        if st.error is not None and st.route != SESSION:
            if st.error.position is None and st.error.sqlstate in ("22P02", "22007", "22008"):
                st.error.position = _locate(st.error, st)  # a literal the rewrite refused ('abc'::int)
            raise st.error
        if self.txn == "E" and not (st.kind in ("rollback", "commit", "rollback_to")):
            raise _aborted()
        if st.temp:
            self.temp_objects = True
        if self.temp_objects and self.txn == "I" and (st.route != SESSION or st.kind == "copy"):
            # on the session's own connection, an autocommit statement is a one-statement
            # transaction there (ended by the Query's end or Sync, like any implicit one)
            self._begin_implicit()
        if simple:  # extended query: checked once, at Parse
            await self._catalog_check(st)
        started = time.perf_counter()
        self.query_start = time.time()
        self.query_text = st.text
        self.stmt_rows = 0
        sqlstate = "XX000"
        try:
            if st.refused is not None:
                raise st.refused  # sql/guard.py: host access or engine changes
            for code, text, severity in st.notices:
                self._notice(code, text, severity)
            auth.check_role(self, st)
            if st.uses_settings and st.tree is not None and ("advisory" in st.text.lower() or "sleep" in st.text.lower()):
                self._advisory_statement(st)
            self.txn_queried = self.txn_queried or (self.txn != "I" and st.route != SESSION)
            self._read_only()  # outside a block: this statement's transaction_read_only is the default
            if st.route == SESSION:
                self.utility_values = (values, oids)  # DECLARE … CURSOR FOR … $1 (psycopg's named cursors)
                await self.utility(st, portal, simple, formats)
            elif st.route == READ:
                if "val(" in st.text and self._read_only() and st.tree is not None:  # cheap tests first
                    for fn in st.tree.find_all(exp.Anonymous):
                        if fn.name.lower() in ("nextval", "setval"):
                            raise PgError("25006", f"cannot execute {fn.name.lower()}() in a read-only transaction")
                if st.tree is not None and "pg_notify" in st.text:  # cheap test first: rare
                    for channel, payload in pg_catalog.pg_notify_calls(st.tree):
                        self._notify(channel, payload)
                if st.tree is not None and "set_config" in st.text:  # cheap test first: rare
                    for name, value, local in pg_catalog.set_config_calls(st.tree):
                        self._set_config(name, value, local)
                await self._read(st, values, oids, formats, portal, simple, max_rows)
            else:
                await self._write(st, values, oids, formats, portal, simple)
            sqlstate = "00000"
        except PgError as e:
            sqlstate = e.sqlstate
            await self._explain_error(e, st)
            raise
        except (ClientGone, ConnectionError, m.ProtocolError):
            raise
        except duckdb.Error as e:  # a DuckDB call outside _run: mapped as _run maps them
            err = from_duckdb(e)
            sqlstate = err.sqlstate
            raise err from None
        except Exception as e:  # a bug costs the statement an XX000, never the connection
            sqlstate = "XX000"
            log.exception("internal error in session %s running %r", self.pid, st.text[:200])
            raise PgError("XX000", f"internal error: {type(e).__name__}: {e}") from e
        finally:
            if self.lock_waits or st.uses_settings:
                self.lock_waits = False
                for text in self.server.advisory.take_warnings(self.pid):
                    self._notice("01000", text)
            metrics.statement_done(self, st, started, sqlstate, self.stmt_rows)

    async def _explain_error(self, e: PgError, st: Statement) -> None:
        """PostgreSQL's fields for an error of st: position, function signature, constraint
        name, column hint. For Execute and for Describe (whose probe meets a missing column
        first when a driver describes before it binds, as postgres.js and pgjdbc do)."""
        if e.position is None:
            e.position = _locate(e, st)
        if e.sqlstate == "42883":
            _function_signature(e, st)
        if e.sqlstate in errors.CONSTRAINT_STATES:
            await self._name_constraint(e, st)
        if e.sqlstate == "42703":
            errors.column_hint(e, st.tree, await self.server.schema.table_origins())
    def _advisory_statement(self, st: Statement) -> None:
        """A statement calling advisory lock functions: a wait of its own may start (cancel
        flags of an earlier statement are cleared), and one that may wait runs apart
        (advisory_locks.py)."""
        waits = st.describe_cache.get("advisory-waits")
        if waits is None:
            waits = st.describe_cache["advisory-waits"] = advisory_locks.may_wait(st.tree)
        self.server.advisory.statement_starts(self.pid)
        if waits and st.route == WRITE and self.txn == "I":
            raise PgError("0A000", "a function that waits (pg_advisory_lock, pg_sleep) cannot be called in an "
                          "autocommit data-modifying statement (it would hold up the gateway's serialized writer)",
                          hint="Take the lock in its own SELECT first, or inside BEGIN … COMMIT.")
        self.lock_waits = waits

    async def _catalog_check(self, st: Statement) -> None:
        """Schema catalog validation (catalog/check.py): unknown tables/columns, access, strict mode."""
        for name, dotted in st.catalogs:
            if name != self.database:  # "db"."schema"."table" of another database (classify._without_catalogs)
                raise PgError("0A000", f'cross-database references are not implemented: "{dotted}"')
        validator = self.server.catalog
        if validator is not None and (st.route != SESSION or st.kind == "copy"):
            try:
                await validator.check(st, self.user, getattr(self, "auth_roles", ()), self.txn != "I")
            except PgError as e:
                e.position = _locate(e, st)
                raise

    async def _name_constraint(self, e: PgError, st: Statement) -> None:
        """Name the constraint a write violated as PostgreSQL does (errors.py), reading the
        table's constraints on a reader: DuckDB's message names only the key."""
        target = errors.violation_target(st.tree)
        if target is None and st.staged is not None:  # a data-modifying CTE: its DML, if not the outer
            target = errors.violation_target(st.staged.tree)
        if target is None or e.table is not None:
            return
        try:
            cur = await self._acquire_reader()
        except PgError:
            return
        try:
            rows = await self.db.run(_fetch_all, cur, errors.CONSTRAINTS_SQL, list(target[:2]))
        except duckdb.Error:
            return
        finally:
            self.server.readers.release(cur)
        errors.name_constraint_violation(e, target[0], target[1], rows, target[2])

    async def _cursor_for_read(self, may_share: bool = True):
        """The cursor a read runs on. A transaction reads on its own pinned cursor once it has
        begun a DuckDB transaction there (a write, DDL, a cursor), at REPEATABLE READ or
        SERIALIZABLE, for a portal read in parts or a locking read (`may_share` False), or when
        the session has temporary tables. Until then a READ COMMITTED transaction takes a fresh
        snapshot per statement, as PostgreSQL's does, from the shared readers: a read-only
        transaction costs DuckDB no cursor, BEGIN or COMMIT."""
        if self.txn != "I" and (self.pinned_begun or self.temp_objects or not may_share
                                or self.params.get("transaction_isolation") not in _FRESH_SNAPSHOT):
            return await self._pinned(), _noop
        if self.temp_objects or self.lock_waits:  # a lock wait must not hold a shared reader
            return await self._own_cursor(), _noop
        cur = await self._acquire_reader()
        return cur, lambda: self.server.readers.release(cur)

    def _shared_schema(self) -> bool:
        """Whether what this session's statements see of the schema is everybody's (so results
        may be cached across sessions): no temporary tables, no DDL of its open transaction."""
        return not self.temp_objects and not self.txn_wrote_ddl

    async def _own_tables(self, cursor: Cursor) -> dict:
        """The tables' column types as the session's own connection sees them, read again
        after any DDL (every DDL moves the schema version)."""
        version = self.db.schema_version
        if self.own_tables is None or self.own_tables[0] != version:
            self.own_tables = (version, await self._run(cursor, table_columns, cursor.con))
        return self.own_tables[1]

    async def _acquire_reader(self) -> Cursor:
        return await self.server.readers.acquire()

    async def _own_cursor(self) -> Cursor:
        if self.pinned is None:
            self.pinned = await self.db.run(self.db.cursor, f"session-{self.pid}")  # ~0.4 ms: off the loop
        return self.pinned

    async def _pinned(self) -> Cursor:
        await self._own_cursor()
        if not self.pinned_begun:
            await self.db.run(self.pinned.con.execute, "BEGIN TRANSACTION")
            self.pinned_begun = True
        # a portal still streaming on the pinned cursor must not lose its rows: read them now
        for p in self.portals.values():
            if p.stream is not None and p.stream.cursor is self.pinned and not p.stream.done:
                await self.db.run(_buffer_stream, p.stream)
        return self.pinned

    async def _run(self, cursor: Cursor | None, fn, *args):
        """Run a DuckDB call on a worker thread under statement_timeout, cancel and disconnect.

        A call still running after a moment also watches the client's socket: a client that
        hangs up has its statement interrupted instead of leaving it to run for nobody."""
        timeout_ms = int(self.params.get("statement_timeout", "0") or 0)
        deadline = time.monotonic() + timeout_ms / 1000 if timeout_ms > 0 else None
        self.active = cursor
        self.cancel_reason = None
        loop = asyncio.get_running_loop()
        fut = loop.run_in_executor(advisory_locks.EXECUTOR if self.lock_waits else self.db.executor, fn, *args)
        watch: asyncio.Future | None = None
        gone = False
        try:
            await _first_wait(loop, fut, _WATCH_AFTER)
            done = {fut} if fut.done() else set()
            while not done:
                if watch is None and not gone and self.decoder.pending() < _WATCH_BUFFER:
                    watch = asyncio.ensure_future(self.reader.read(262144))
                wait_for = {fut} | ({watch} if watch is not None else set())
                timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
                done, _ = await asyncio.wait(wait_for, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
                if fut in done:
                    break
                if watch is not None and watch in done:
                    try:
                        data = watch.result()
                    except (ConnectionError, OSError):
                        data = b""
                    watch = None
                    if data:
                        self.decoder.feed(data)  # pipelined messages: kept for later
                    else:
                        gone = True
                        if cursor is not None:
                            self._interrupt(cursor)
                    done = set()
                    continue
                if deadline is not None and time.monotonic() >= deadline and cursor is not None:
                    self.cancel_reason = "canceling statement due to statement timeout"
                    self._interrupt(cursor)
                    deadline = None
                done = set()
            if gone:
                try:
                    await fut
                except Exception:
                    pass
                raise ClientGone()
            return fut.result()
        except duckdb.Error as e:
            err = from_duckdb(e)
            if err.sqlstate == "57014" and self.cancel_reason:
                err.message = self.cancel_reason
            raise err from None
        except asyncio.CancelledError:
            if cursor is not None:
                self._interrupt(cursor)
            if not fut.done():
                await asyncio.wait({fut})  # the worker must let go of the cursor first
            if not fut.cancelled():
                fut.exception()  # retrieved: the interrupt it likely ended with is expected
            raise
        finally:
            if watch is not None:
                await _stop_watch(watch, self.decoder)
            self.active = None

    def cancel(self) -> None:
        cur = self.active
        if cur is not None:
            self.cancel_reason = "canceling statement due to user request"
            self._interrupt(cur)

    def _interrupt(self, cursor: Cursor) -> None:
        """Stop the statement running on `cursor`: DuckDB's interrupt, and a wait for an
        advisory lock, which DuckDB cannot interrupt."""
        cursor.interrupt()
        if self.lock_waits:
            self.server.advisory.interrupt(self.pid, self.cancel_reason)

    async def _grouped_by_primary_key(self, st: Statement) -> Statement:
        """A SELECT grouped by a table's primary key that selects the row's other columns
        (PostgreSQL's functional dependency; Django's annotate()): the statement with those
        columns grouped too (sql/group_by.py), which DuckDB accepts; once per text and schema
        version."""
        if st.route != READ or st.tree is None or not st.words or st.words[0] not in ("SELECT", "WITH"):
            return st
        async def fix() -> Statement:
            if st.tree.find(exp.Group) is None:
                return st
            return _reparsed(group_by.with_dependent_columns(
                st.tree, (await self.server.schema.names()).primary_keys)) or st
        return await self._fixed_once(st, "group-by-pk", True, fix)

    async def _enum_comparisons(self, st: Statement) -> Statement:
        """`mood > 'sad'` compares in the enum's label order (sql/enum_order.py); once per text
        and schema version, and only while some table has an enum column."""
        if st.tree is None or st.route not in (READ, WRITE):
            return st
        enum_columns = (await self.server.schema.names()).enum_columns
        if not enum_columns:
            return st
        async def fix() -> Statement:
            if st.tree.find(*enum_order.ORDERING) is None:
                return st
            return _reparsed(enum_order.with_enum_casts(st.tree, enum_columns)) or st
        return await self._fixed_once(st, "enum-order", True, fix)

    async def _on_conflict_on_constraint(self, st: Statement) -> Statement:
        """INSERT … ON CONFLICT ON CONSTRAINT name (SQLAlchemy's on_conflict_do_update(constraint=…),
        PostgREST, Hasura): DuckDB knows only a column list; the constraint's columns are put in
        its place, once per text and schema version."""
        conflict = st.tree.args.get("conflict") if st.kind == "insert" and st.tree is not None else None
        if conflict is None or conflict.args.get("constraint") is None or st.store_target is None \
                or self.txn == "E":
            return st
        async def fix() -> Statement:
            name = conflict.args["constraint"].name
            cursor, release = await self._cursor_for_read()
            try:
                cols = await self._run(cursor, _unique_constraint_columns, cursor, *st.store_target, name)
            finally:
                release()
            if not cols:
                raise PgError("42704", f'constraint "{name}" for table "{st.store_target[1]}" does not exist')
            tree = st.tree.copy()
            tree.args["conflict"].set("constraint", None)
            tree.args["conflict"].set("conflict_keys", [exp.Ordered(this=exp.column(c, quoted=True)) for c in cols])
            return _reparsed(tree) or st
        return await self._fixed_once(st, "on-constraint", self._shared_schema(), fix)

    async def _insert_with_column_list(self, st: Statement) -> Statement:
        """INSERT INTO t VALUES (…) giving fewer values than t has columns: PostgreSQL fills
        the rest with their defaults, DuckDB refuses (Binder Error). The statement again with
        the first columns named; once per text and schema version."""
        if st.positional is None or st.store_target is None or self.txn == "E":
            return st  # (in a failed transaction the statement is refused anyway: 25P02)
        shared = self._shared_schema()  # a transaction's own DDL and temporary tables are its alone

        async def fix() -> Statement:
            columns = await self._table_columns(st.store_target, shared)
            if st.positional >= len(columns):
                return st
            tree = st.tree.copy()
            tree.set("this", exp.Schema(this=tree.this, expressions=[
                exp.to_identifier(name, quoted=True) for name, _ in columns[:st.positional]]))
            return _reparsed(tree) or st
        return await self._fixed_once(st, "column-list", shared, fix)

    async def _fixed_once(self, st: Statement, what: str, shared: bool, fix) -> Statement:
        """The statement as the coroutine function `fix` changes it for the catalog, kept per
        statement text and schema version; each time when not `shared` (the session's own
        transaction DDL or temporary tables could change the answer)."""
        key = (what, self.db.schema_version)
        fixed = st.describe_cache.get(key) if shared else None
        if fixed is None:
            fixed = await fix()
            if shared:
                st.describe_cache[key] = fixed
        return fixed

    async def _read(self, st, values, oids, formats, portal, simple, max_rows) -> None:
        sql, params = sqlparams.bind_sql(st, values, oids)
        # a locking read (FOR UPDATE/SHARE) pins: its snapshot is the one the writes that follow
        # are checked against (a concurrent change to those rows then fails with 40001)
        locking = st.tree is not None and bool(st.tree.args.get("locks"))
        cursor, release = await self._cursor_for_read((simple or portal is None or max_rows <= 0) and not locking)
        fmts = formats
        try:
            # one thread hop: execute, and read + encode the first rows
            stream, first = await self._run(cursor, _execute_stream, self.db, cursor, sql, params,
                                            self.params["timezone"], self.server.settings.batch_rows,
                                            fmts, max_rows, release,
                                            {**self.params, "dataforge.backend_pid": str(self.pid)}
                                            if st.uses_settings else None, st.result_plan, self.txn_wrote_ddl)
        except BaseException:
            release()
            raise
        await self._start_rows(st, stream, portal, simple, max_rows, first)

    async def _start_rows(self, st: Statement, stream: ResultStream, portal: Portal | None, simple: bool,
                          max_rows: int, first: tuple[bytes, int] | None = None) -> None:
        if simple or portal is None:
            fields = st.pg_fields([_field(n, t, f) for n, t, f in zip(stream.names, stream.types, stream.formats)])
            fields = describe_fields(fields, stream.pg_types)
            if st.origin is not None:
                apply_origins(fields, st.origin, await self.server.schema.table_origins())
            self.send(m.row_description(fields))
            p = Portal("", Prepared("", st, []), [], [], stream=stream)
            await self._send_rows(p, 0, first)
            return
        portal.stream = stream
        await self._send_rows(portal, max_rows, first)

    async def _send_rows(self, portal: Portal, max_rows: int, first: tuple[bytes, int] | None = None) -> None:
        stream = portal.stream
        assert stream is not None
        st = portal.prepared.stmt
        sent = 0
        ahead: asyncio.Task | None = None  # the next batch, read and encoded while this one is sent
        try:
            while True:
                want = max_rows - sent if max_rows > 0 else 0
                if first is not None:
                    data, n = first
                    first = None
                elif ahead is not None:
                    data, n = await ahead
                    ahead = None
                else:
                    data, n = await self._run(stream.cursor, stream.read_chunk, want)
                if max_rows <= 0 and not stream.done:
                    ahead = asyncio.ensure_future(self._run(stream.cursor, stream.read_chunk, 0))
                if n:
                    self.send(data) if len(data) < 65536 else self._write_direct(data)
                    sent += n
                if len(self.out) > 262144 or self.writer.transport.get_write_buffer_size() > 1 << 20:
                    await self._drain_rows(stream)
                if ahead is None and (stream.done or (max_rows > 0 and sent >= max_rows)):
                    break
        except BaseException:
            if ahead is not None:
                ahead.cancel()
                await asyncio.wait({ahead})
            stream.close()
            portal.stream = None
            raise
        portal.rows_sent += sent
        self.stmt_rows += sent
        metrics.ROWS_SENT.inc(sent)
        if stream.done:
            # PostgreSQL counts the rows of the Execute that completed the portal
            tag = _rows_tag(st, sent)
            stream.close()
            portal.stream = None
            portal.done = True
            portal.tag = tag
            self.send(m.command_complete(tag))
        else:
            self.send(m.PORTAL_SUSPENDED)

    async def _drain_rows(self, stream: ResultStream) -> None:
        """Flush rows with backpressure. A client too slow to take them marks its reader cursor
        as stalled, so other sessions' reads are not queued behind it (engine/readers.py)."""
        task = asyncio.ensure_future(self.flush())
        done, _ = await asyncio.wait({task}, timeout=_STALL_AFTER)
        if done:
            return task.result()
        pool = self.server.readers
        mine = pool.owns(stream.cursor)
        if mine:
            pool.stall(True)
        try:
            await task
        finally:
            if mine:
                pool.stall(False)

    def _write_direct(self, data) -> None:
        if self.out:
            metrics.BYTES_SENT.inc(len(self.out))
            self.writer.write(bytes(self.out))
            self.out.clear()
        metrics.BYTES_SENT.inc(len(data))
        self.writer.write(memoryview(data))

    async def _write(self, st, values, oids, formats, portal, simple) -> None:
        tz = self.params["timezone"]
        if self._read_only() and not await self._writes_temp_only(st):
            raise PgError("25006", f"cannot execute {st.tag} in a read-only transaction")
        if st.ddl and isinstance(st.tree, (exp.Drop, exp.Create)) and st.tree.args.get("exists"):
            await self._skipping_notices(st.tree)
        if self.txn == "I":
            if st.literal_target is not None or await self._stores_unconstrained_numeric(st):
                st = await self._typed_insert(st)
            job = self._write_job(st, values, oids, tz)
            outcome = await self.server.writer.submit(job)
            if st.ddl:
                self.db.schema_version += 1
        else:
            await self._take_lease()
            cursor = await self._pinned()
            if type(st.insert) is literal_values.LiteralRows:  # psycopg2's execute_values rows
                outcome = await self._append_in_txn(st.insert, st.insert.bind([]), tz)
                await self._finish_write(st, outcome, formats, portal, simple)
                return
            if st.literal_target is not None or await self._stores_unconstrained_numeric(st):
                st = await self._typed_insert(st)
            self.txn_writes += 1
            changes = _changed_table(st)
            if changes is not None and self.txn_changed:
                await self._refresh_referencing(cursor, changes)
            sql, params = sqlparams.bind_sql(st, values, oids)
            if st.staged is not None:  # a data-modifying CTE (classify._staged_statement)
                outcome = await self._run(cursor, execute_staged, cursor, _staged_job(st, values, oids), sql, params,
                                          tz, 65536, st.returns_rows, self._settings_for(st))
            else:
                outcome = await self._run(cursor, _execute_materialized, cursor, sql, params, tz, st.returns_rows,
                                          self._settings_for(st))
            if changes is not None:
                self.txn_changed.add(changes)
            if st.ddl:
                self.txn_wrote_ddl = True
                self.db.schema_version += 1
            if st.on_commit is not None:
                self.on_commit[st.on_commit[1]] = st.on_commit[0]
        await self._finish_write(st, outcome, formats, portal, simple)

    async def _refresh_referencing(self, cursor: Cursor, target: tuple[str, str]) -> None:
        """Before a DELETE/UPDATE of `target` in a transaction: the tables referencing it whose
        rows this transaction deleted or changed are created again (engine/rebuild.refresh),
        or DuckDB would find those rows still in their foreign-key index."""
        referencing = (await self.server.schema.names()).referencing.get(target, set())
        for child in sorted(referencing & self.txn_changed):
            await self._run(cursor, rebuild.refresh, cursor.con, *child)
            self.txn_changed.discard(child)
            self.txn_wrote_ddl = True  # the table is new (its OID too): caches reload at COMMIT
            self.db.schema_version += 1
    def _read_only(self) -> bool:
        """transaction_read_only of the statement about to run. Outside a transaction block
        each statement is a transaction of its own, as default_transaction_read_only says."""
        if self.txn == "I":
            self.params["transaction_read_only"] = self.params.get("default_transaction_read_only") or "off"
        return self.params.get("transaction_read_only") == "on"

    async def _writes_temp_only(self, st: Statement) -> bool:
        """INSERT/UPDATE/DELETE of a temporary table, which PostgreSQL allows in a read-only
        transaction (creating one it does not)."""
        if not self.temp_objects or st.kind not in ("insert", "update", "delete"):
            return False
        target = errors.violation_target(st.tree)
        return target is not None and target[1] in await self._temp_relation_names()
    async def _literal_insert(self, sql: str) -> list[Statement] | None:
        """An INSERT of literal rows (psycopg2's execute_values and executemany,
        sql/literal_values.py) as its one-row template with the rows decoded a column at a
        time, as executemany's are;
        None: the statement takes the ordinary path (which also reports any bad value)."""
        if self.temp_objects:
            return None
        lv = literal_values.scan(sql)
        if lv is None:
            return None
        stmts = await self._parse_query(lv.template)
        st = stmts[0] if len(stmts) == 1 else None
        if st is None or st.insert is None or st.error is not None or st.nparams != len(lv.columns) \
                or len(st.insert.rows) != 1 or st.store_target is None:
            return None
        if self.txn == "E":
            return stmts  # 25P02 at once (run_statement), not after parsing every row
        # the target's column types, as _typed_insert reads them (its own cursor after DDL in
        # the transaction: dbt creates a seed's table and inserts its rows in one)
        columns = await self._table_columns(st.store_target, self._shared_schema())
        types = {c.lower(): t for c, t in columns}
        names = [c.lower() for c in st.insert.columns] if st.insert.columns is not None else list(types)
        if len(names) < st.nparams or any(n not in types for n in names):
            return None  # the ordinary path says what is wrong
        oids = [literal_values.column_oid(types[names[k]]) for k in range(st.nparams)]
        colnames = list(st.insert.columns) if st.insert.columns is not None else [c for c, _ in columns]
        if (err := lv.mismatch(oids, colnames)) is not None:
            raise err  # what PostgreSQL says; DuckDB would cast the value
        if not lv.fits(oids):
            return None
        try:
            cols = [decode_param_column(oid, 0, raws) for oid, raws in zip(oids, lv.columns)]
        except (ParamError, pa.ArrowInvalid):
            return None
        ins = st.insert
        table = pa.table([cols[i] for i in ins.rows[0]], names=[f"c{j}" for j in range(ins.ncols)])
        shape = literal_values.LiteralRows(ins.key, ins.ncols, ins.rows, ins.table, ins.columns, decoded=table)
        return [dataclasses.replace(st, insert=shape, describe_cache={})]

    async def _table_columns(self, target: tuple[str, str], shared: bool) -> list[tuple[str, str]]:
        """A table's (column, DuckDB type) in order; from the cache of the schema version when
        `shared` (else this session's own view: its transaction's DDL, its temporary tables)."""
        key = (self.db.schema_version, *target)
        columns = _TABLE_COLUMNS.get(key) if shared else None
        if columns is None:
            cursor, release = await self._cursor_for_read()  # after DDL in a transaction: its own cursor
            try:
                columns = await self._run(cursor, _column_types, cursor, *target)
            finally:
                release()
            if shared:
                if len(_TABLE_COLUMNS) > 1024:
                    _TABLE_COLUMNS.clear()
                _TABLE_COLUMNS[key] = columns
        return columns

    async def _typed_insert(self, st: Statement) -> Statement:
        """INSERT … VALUES / UPDATE … SET with quoted literals, typed by the target's columns (see
        classify.typed_insert); looked up once per statement text and schema version."""
        version = self.db.schema_version
        shared = self.txn == "I"  # inside a transaction its own DDL may not be committed yet
        if shared and st.typed is not None and st.typed[0] == version:
            return st.typed[1]
        columns = await self._table_columns(st.literal_target or st.store_target, shared)
        typed = typed_insert(st, columns)
        if shared:
            st.typed = (version, typed)
        if typed.error is not None:
            raise typed.error
        return typed

    async def _stores_unconstrained_numeric(self, st: Statement) -> bool:
        """Whether an INSERT/UPDATE (not the INSERT … VALUES ($n) fast path, which
        engine/writer.py checks) writes a table with a `numeric` column without precision,
        whose values must be checked (sql/numeric_storage.py); from the declared types
        (engine/column_types.py). A transaction's own DDL is not in them yet: then yes."""
        if st.store_target is None or st.insert is not None:
            return False
        if self.txn_wrote_ddl:
            return True
        declared = self.db.declared_types
        types = declared.types
        if declared.version != self.db.schema_version:
            types = await asyncio.to_thread(declared.current)
        s, t = st.store_target
        cols = types.get((s.lower(), t.lower()))
        return bool(cols) and (1700, -1) in cols.values()

    def _write_job(self, st: Statement, values, oids, tz: str) -> WriteJob:
        if st.insert is not None:
            rows = st.insert.bind(values)
            return _insert_job(st, rows, tz)
        sql, params = sqlparams.bind_sql(st, values, oids)
        return WriteJob(sql=sql, params=params, returns_rows=st.returns_rows, timezone=tz,
                        settings=self._settings_for(st),
                        staged=_staged_job(st, values, oids) if st.staged is not None else None)

    def _settings_for(self, st: Statement) -> dict[str, str] | None:
        """The session's settings for current_setting() in a write, as reads pass them."""
        return {**self.params, "dataforge.backend_pid": str(self.pid)} if st.uses_settings else None

    async def _finish_write(self, st, outcome: Outcome, formats, portal, simple) -> None:
        if st.returns_rows and outcome.table is not None:
            pg_types = None
            if st.result_plan is not None:
                pg_types = await self._column_overrides(st.result_plan, outcome.names, outcome.types)
            stream = ResultStream(self.db, outcome, _expand_formats(formats, len(outcome.types or [])),
                                  pg_types=pg_types)
            stream.names = outcome.names
            fake = Statement(st.text, st.kind, st.route, st.tag, returns_rows=True)
            fake.typmod_free = st.typmod_free  # RETURNING c * 2: numeric without typmod, as PostgreSQL
            fake.origin = st.origin  # the target table's columns (pgjdbc's getGeneratedKeys metadata)
            await self._start_rows(fake, stream, portal, simple, 0)
            return
        tag = _rows_tag(st, outcome.rowcount)
        self.stmt_rows = outcome.rowcount or 0
        if portal is not None:
            portal.done = True
            portal.tag = tag
        self.send(m.command_complete(tag))

    async def _take_lease(self) -> None:
        if self.lease:
            return
        timeout_ms = int(self.params.get("lock_timeout", "0") or 0)
        try:
            if timeout_ms > 0:
                await asyncio.wait_for(self.server.writer.lease.acquire(), timeout_ms / 1000)
            else:
                await self.server.writer.lease.acquire()
        except asyncio.TimeoutError:
            raise PgError("55P03", "canceling statement due to lock timeout",
                          detail="Another transaction holds the gateway's writer lease.") from None
        self.lease = True

    def _release_lease(self) -> None:
        if self.lease:
            self.lease = False
            self.server.writer.lease.release()

    # ------------------------------------------------------------------ utility statements

    async def utility(self, st: Statement, portal: Portal | None, simple: bool, formats) -> None:
        kind = st.kind
        tag = st.tag
        if kind == "begin":
            if self.implicit:
                self.implicit = False  # BEGIN inside an implicit block turns it explicit
                self._apply_txn_options(st)
            elif self.txn != "I":
                self._notice("25001", "there is already a transaction in progress")
            else:
                self.txn = "T"
                self._apply_txn_options(st)
        elif kind == "commit":
            failed = self.txn == "E"
            await self._end_transaction(commit=self.txn == "T")
            tag = "ROLLBACK" if failed else "COMMIT"
        elif kind == "rollback":
            await self._end_transaction(commit=False)
        elif kind in ("savepoint", "release", "rollback_to"):
            if self.txn == "I":
                what = {"release": "RELEASE SAVEPOINT", "rollback_to": "ROLLBACK TO SAVEPOINT"}.get(kind, "SAVEPOINT")
                raise PgError("25P01", f"{what} can only be used in transaction blocks")
            await self._savepoint(kind, st)
        elif kind == "set":
            self._set_statement(st)
        elif kind == "show":
            name = self._show_name(st)
            rows = self._show_rows(name)
            if name == "all":
                fields = [m.Field("name", TEXT), m.Field("setting", TEXT), m.Field("description", TEXT)]
            else:
                fields = [m.Field(name, TEXT)]
            self._send_small_result(fields, rows, portal, simple, formats, "SHOW")
            return
        elif kind == "reset":
            self._reset_statement(st)
        elif kind == "discard":
            await self._discard(st)
            tag = "DISCARD " + (st.words[1] if len(st.words) > 1 else "ALL")
        elif kind == "declare":
            await self._declare(st)
        elif kind == "fetch":
            await self._fetch(st, portal, simple, formats)
            return
        elif kind == "close":
            target = st.tokens[1].text if len(st.tokens) > 1 else ""
            if target.upper() == "ALL" and st.tokens[1].token_type.name != "IDENTIFIER":
                for c in list(self.sql_cursors.values()):
                    self._close_sql_cursor(c)
            else:
                c = self.sql_cursors.get(target if st.tokens[1].token_type.name == "IDENTIFIER" else target.lower())
                if c is None:
                    raise PgError("34000", f'cursor "{target}" does not exist')
                self._close_sql_cursor(c)
        elif kind == "listen":
            self.server.listen(self, _ident(st.tokens[1]) if len(st.tokens) > 1 else "")
        elif kind == "unlisten":
            ch = st.tokens[1].text if len(st.tokens) > 1 else "*"
            if ch == "*":
                self.server.unlisten_all(self)
            else:
                self.server.unlisten(self, _ident(st.tokens[1]))
        elif kind == "notify":
            if len(st.tokens) < 2:
                raise PgError("42601", "syntax error at end of input")
            channel = _ident(st.tokens[1])
            payload = st.tokens[3].text if len(st.tokens) > 3 else ""
            self._notify(channel, payload)
        elif kind == "prepare":
            await self._sql_prepare(st)
        elif kind == "execute":
            await self._sql_execute(st, portal, simple, formats)
            return
        elif kind == "deallocate":
            words = [t.text for t in st.tokens[1:]]
            if words and words[0].upper() == "PREPARE":
                words = words[1:]
            if not words or words[0].upper() == "ALL":
                self.prepared = {k: v for k, v in self.prepared.items() if k == ""}
                tag = "DEALLOCATE ALL"
            elif self.prepared.pop(words[0], None) is None:
                raise PgError("26000", f'prepared statement "{words[0]}" does not exist')
        elif kind in ("vacuum", "analyze", "checkpoint", "lock"):
            if kind == "lock" and self.txn == "I":
                raise PgError("25P01", "LOCK TABLE can only be used in transaction blocks")
            if kind == "checkpoint":
                await self.server.writer.submit(WriteJob(sql="CHECKPOINT"))
        elif kind == "copy":
            tag = await self._copy(st)
        elif kind == "noop":
            pass  # ALTER … OWNER TO / OWNED BY: nothing to change here (sql/alter_commands.py)
        else:
            raise PgError("0A000", f"{st.words[0] if st.words else 'statement'} is not supported")
        if portal is not None:
            portal.done = True
            portal.tag = tag
        self.send(m.command_complete(tag))

    async def _savepoint(self, kind: str, st: Statement) -> None:
        """Savepoints, emulated: DuckDB has none. SAVEPOINT and RELEASE only keep the stack;
        ROLLBACK TO works when nothing was written since the savepoint (the common case:
        drivers wrap introspection and retries in savepoints) and the DuckDB transaction is
        still usable, and otherwise refuses with 0A000 rather than leave wrong data."""
        words = [t.text for t in st.tokens]
        name = _ident(st.tokens[-1]) if len(words) > 1 else ""
        if kind == "savepoint":
            self.savepoints.append((name, self.txn_writes))
            return
        idx = next((i for i in range(len(self.savepoints) - 1, -1, -1) if self.savepoints[i][0] == name), None)
        if idx is None:
            raise PgError("3B001", f'savepoint "{name}" does not exist')
        if kind == "release":
            del self.savepoints[idx:]
            return
        writes_at = self.savepoints[idx][1]
        del self.savepoints[idx + 1:]
        if self.txn_writes != writes_at:
            self.txn = "E"
            raise PgError("0A000", "ROLLBACK TO SAVEPOINT cannot undo writes made after the savepoint",
                          hint="DuckDB has no savepoints; roll back the whole transaction.")
        if self.txn == "E" and self.pinned is not None and self.pinned_begun:
            try:
                await self._run(self.pinned, self.pinned.con.execute, "SELECT 1")
            except PgError:
                if self.txn_writes:
                    raise PgError("0A000", "the transaction cannot be restored to the savepoint",
                                  hint="DuckDB aborted the transaction; roll back the whole transaction.") from None
                # nothing written yet: a fresh DuckDB transaction is the savepoint's state
                await self.db.run(_quiet_rollback, self.pinned)
                self.pinned_begun = False
        self.txn = "T"

    def _send_small_result(self, fields, rows, portal, simple, formats, tag) -> None:
        fmts = _expand_formats(formats, len(fields))
        fields = [m.Field(f.name, f.type_oid, f.typlen, f.typmod, fmt) for f, fmt in zip(fields, fmts)]
        if simple or portal is None:
            self.send(m.row_description(fields))
        for r in rows:
            self.send(m.data_row([None if v is None else str(v).encode() for v in r]))
        t = f"{tag} {len(rows)}" if tag not in ("SHOW",) else "SHOW"
        if portal is not None:
            portal.done = True
            portal.tag = t
        self.send(m.command_complete(t))

    async def _skipping_notices(self, tree: exp.Drop | exp.Create) -> None:
        """DROP … IF EXISTS of a missing object, CREATE … IF NOT EXISTS of an existing one:
        PostgreSQL's NOTICE that it skips (DuckDB skips silently). Told from the committed
        catalog, so not for a session whose own transaction or temporary objects could differ."""
        kind = str(tree.args.get("kind") or "").lower()
        if self.temp_objects or self.txn_wrote_ddl or kind not in ("table", "view", "schema", "sequence", "index",
                                                                   "type"):
            return
        objects = (await self.server.schema.names()).objects
        drop = isinstance(tree, exp.Drop)
        targets = (tree.args.get("tables") or [tree.this]) if drop else [tree.this]
        for t in targets:
            if isinstance(t, exp.Schema):
                t = t.this
            if isinstance(t, exp.Index):
                t = t.this
            name = t.name if isinstance(t, (exp.Table, exp.Identifier)) else None
            if kind == "schema" and isinstance(t, exp.Table) and not name:
                name = t.db  # sqlglot reads a schema's name as a table's qualifier
            if not name:
                continue
            if kind == "schema":
                schema = "main" if name.lower() == "public" else name.lower()
                found = any(s == schema for s, _ in objects["schema"])
                what = "schema"
            else:
                schema = (t.db if isinstance(t, exp.Table) else "") or "main"
                schema = "main" if schema.lower() == "public" else schema.lower()
                kinds = [kind] if drop else ["table", "view", "sequence", "index"]
                if kind == "type":
                    kinds = ["type"]
                found = any((schema, name.lower()) in objects[k] for k in kinds)
                what = kind if drop or kind in ("schema", "type") else "relation"
            if drop and not found:
                self._notice("00000", f'{what} "{name}" does not exist, skipping', severity="NOTICE")
            elif not drop and found:
                code = {"schema": "42P06", "type": "42710"}.get(kind, "42P07")
                self._notice(code, f'{what} "{name}" already exists, skipping', severity="NOTICE")

    def _notice(self, sqlstate: str, message: str, severity: str = "WARNING") -> None:
        self.send(m.notice_response({"severity": severity, "severity_nonlocalized": severity,
                                     "sqlstate": sqlstate, "message": message}))

    def _apply_isolation(self, words: list[str]) -> None:
        """BEGIN / SET TRANSACTION … ISOLATION LEVEL x: what SHOW transaction_isolation says for
        this transaction (DuckDB's snapshot isolation serves every level)."""
        for i in range(len(words) - 2):
            if words[i] == "ISOLATION" and words[i + 1] == "LEVEL":
                level = " ".join(words[i + 2:i + 4]).lower()
                for name in ("serializable", "repeatable read", "read committed", "read uncommitted"):
                    if level.startswith(name):
                        self.params["transaction_isolation"] = name
                return

    def _apply_txn_options(self, st: Statement) -> None:
        words = [t.text.upper() for t in st.tokens]
        self.params["transaction_isolation"] = self.params.get("default_transaction_isolation") or "read committed"
        self._apply_isolation(words)
        self.params["transaction_read_only"] = self.params.get("default_transaction_read_only") or "off"
        if any(a == "READ" and b == "ONLY" for a, b in zip(words, words[1:])):
            self.params["transaction_read_only"] = "on"
        if any(a == "READ" and b == "WRITE" for a, b in zip(words, words[1:])):
            self.params["transaction_read_only"] = "off"

    async def _end_transaction(self, commit: bool) -> str:
        tag = "COMMIT" if commit else "ROLLBACK"
        if self.txn == "I":
            self._notice("25P01", "there is no transaction in progress")
            return tag
        for c in [c for c in self.sql_cursors.values() if not c.hold]:
            self._close_sql_cursor(c)
        for name in list(self.portals):
            self._close_portal(self.portals.pop(name))
        err = None
        if self.on_commit:
            actions = self.on_commit
            self.on_commit = {k: v for k, v in actions.items() if v != "drop"}
            if commit and self.pinned is not None and self.pinned_begun:
                try:
                    await self._run(self.pinned, _on_commit_actions, self.pinned, actions)
                except PgError as e:
                    err, commit = e, False
        if self.pinned is not None and self.pinned_begun:
            try:
                await self._run(self.pinned, self.pinned.con.execute, "COMMIT" if commit else "ROLLBACK")
            except PgError as e:
                err = e
                try:
                    await self.db.run(self.pinned.con.execute, "ROLLBACK")
                except Exception:
                    pass
            self.pinned_begun = False
        self._release_lease()
        self.server.advisory.release(self.pid, ("xact",))
        notifies, self.pending_notifies = self.pending_notifies, []
        if commit and err is None:
            for channel, payload in notifies:
                self.server.notify(self.pid, channel, payload)
        if self.txn_wrote_ddl:
            self.db.schema_version += 1
            self.txn_wrote_ddl = False
        self.txn = "I"
        self.implicit = False
        restore = self.local_settings if commit else self.txn_settings
        for k, v in restore.items():
            if self.params.get(k) != v:
                self.params[k] = v
                if k in REPORTED:
                    self.send(m.parameter_status(REPORTED[k], v))
        self.txn_settings.clear()
        self.local_settings.clear()
        self.savepoints.clear()
        self.txn_writes = 0
        self.txn_changed.clear()
        self.txn_queried = False
        self.params["transaction_read_only"] = self.params.get("default_transaction_read_only") or "off"
        self.params["transaction_isolation"] = self.params.get("default_transaction_isolation") or "read committed"
        if err is not None:
            if err.sqlstate == "25000" or "conflict" in err.message.lower():
                err.sqlstate = "40001"
            raise err
        return tag

    # ---- SET / SHOW / RESET

    def _set(self, name: str, value: str, report: bool = True) -> None:
        key = name.lower()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"" and key != "search_path":
            value = value[1:-1]  # asyncpg sends client_encoding='utf-8' quoted
        if key in _READ_ONLY_SETTINGS:
            raise PgError("55P02", f'parameter "{name}" cannot be changed')
        if key == "client_encoding":
            if value.lower().replace("-", "") not in {"utf8", "unicode"}:
                raise PgError("0A000", f'client_encoding "{value}" is not supported',
                              hint="The gateway speaks UTF8 only.")
            value = "UTF8"
        elif key == "datestyle":
            if not value.upper().startswith("ISO") and value.upper() not in ("ISO", "ISO, MDY", "ISO,MDY"):
                if "ISO" not in value.upper():
                    raise PgError("0A000", f'DateStyle "{value}" is not supported', hint="Use DateStyle ISO.")
            value = "ISO, MDY" if "DMY" not in value.upper() else "ISO, DMY"
        elif key == "timezone":
            value = _normalize_tz(value)
        elif key in ("statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout", "idle_session_timeout"):
            value = str(_ms(value))
        elif key in ("default_transaction_read_only", "transaction_read_only"):
            value = _on_off(key, value)
        elif key == "intervalstyle" and value.lower() != "postgres":
            raise PgError("0A000", f'IntervalStyle "{value}" is not supported', hint="Use IntervalStyle postgres.")
        elif key in ("transaction_isolation", "default_transaction_isolation", "client_min_messages",
                     "log_statement", "synchronous_commit", "xmloption", "session_replication_role"):
            value = value.lower()  # enum settings: PostgreSQL shows them as declared, lower case
        elif key == "bytea_output" and value.lower() != "hex":
            raise PgError("0A000", f'bytea_output "{value}" is not supported', hint="Use bytea_output hex.")
        elif key == "extra_float_digits" and re.fullmatch(r"-?\d+", value.strip()) and int(value) < 1:
            # floats are always sent shortest-exact, which is what 1 (the default), 2 and 3 mean
            raise PgError("0A000", f"extra_float_digits {value} is not supported",
                          hint="Floats are sent shortest-exact, as with extra_float_digits 1 to 3.")
        self.params[key] = value
        if report and key in REPORTED:
            self.send(m.parameter_status(REPORTED[key], value))

    def _set_config(self, name: str, value: str, local: bool) -> None:
        """set_config(name, value, is_local) in a query: the setting changes as SET (or SET
        LOCAL) would; a local one outside a transaction block ends with the statement."""
        key = name.lower()
        if key not in self.params and "." not in key and key not in _KNOWN_SETTINGS:
            raise PgError("42704", f'unrecognized configuration parameter "{name}"')
        if local and self.txn == "I":
            return
        before = self.params.get(key)
        self._set(name, value)
        if self.txn != "I" and before is not None and self.params.get(key) != before:
            self.txn_settings.setdefault(key, before)
            if local:
                self.local_settings.setdefault(key, before)

    def _set_statement(self, st: Statement) -> None:
        toks = st.tokens[1:]
        words = [t.text.upper() for t in toks]
        local = bool(words) and words[0] == "LOCAL"
        if words and words[0] in ("SESSION", "LOCAL"):
            if len(words) > 1 and words[1] == "CHARACTERISTICS":
                self._session_characteristics(words)
                return
            toks, words = toks[1:], words[1:]
        if local and self.txn == "I":
            self._notice("25P01", "SET LOCAL can only be used in transaction blocks")
            return
        before = dict(self.params)
        try:
            self._set_statement_value(toks, words)
        finally:
            if self.txn != "I":
                # inside a transaction a SET is undone by ROLLBACK, a SET LOCAL also by COMMIT
                for k, v in before.items():
                    if self.params.get(k) != v:
                        self.txn_settings.setdefault(k, v)
                        if local:
                            self.local_settings.setdefault(k, v)

    def _session_characteristics(self, words: list[str]) -> None:
        """SET SESSION CHARACTERISTICS AS TRANSACTION …: the defaults of later transactions."""
        pairs = list(zip(words, words[1:]))
        if ("READ", "ONLY") in pairs:
            self._set("default_transaction_read_only", "on")
        elif ("READ", "WRITE") in pairs:
            self._set("default_transaction_read_only", "off")
        for i in range(len(words) - 2):
            if words[i] == "ISOLATION" and words[i + 1] == "LEVEL":
                level = " ".join(words[i + 2:i + 4]).lower()
                for name in ("serializable", "repeatable read", "read committed", "read uncommitted"):
                    if level.startswith(name):
                        self._set("default_transaction_isolation", name)

    def _set_statement_value(self, toks, words) -> None:
        if not toks:
            raise PgError("42601", "syntax error at end of input")
        if words[:2] == ["TIME", "ZONE"]:
            name, rest = "timezone", toks[2:]
        elif words[0] == "TRANSACTION":
            if self.txn == "I":
                self._notice("25P01", "SET TRANSACTION can only be used in transaction blocks")
            pairs = list(zip(words, words[1:]))
            if ("READ", "ONLY") in pairs:
                self.params["transaction_read_only"] = "on"
            elif ("READ", "WRITE") in pairs and self.params.get("transaction_read_only") == "on":
                if self.txn_queried:
                    raise PgError("25001", "transaction read-write mode must be set before any query")
                self.params["transaction_read_only"] = "off"
            self._apply_isolation(words)
            return
        elif words[0] in ("NAMES",):
            name, rest = "client_encoding", toks[1:]
        elif words[0] == "CONSTRAINTS":
            # DuckDB checks every constraint at once and none is DEFERRABLE here, so both
            # IMMEDIATE and DEFERRED leave checking as it is (Django sends them)
            if self.txn == "I":
                self._notice("25P01", "SET CONSTRAINTS can only be used in transaction blocks")
            return
        elif words[0] in ("SESSION_AUTHORIZATION", "ROLE", "AUTHORIZATION"):
            return  # SET [SESSION] AUTHORIZATION / ROLE: the session keeps its login role
        else:
            name = toks[0].text
            rest = toks[1:]
            # dotted custom names: a.b
            while len(rest) >= 2 and rest[0].text == ".":
                name += "." + rest[1].text
                rest = rest[2:]
            if rest and rest[0].text.upper() in ("TO", "="):
                rest = rest[1:]
        if not rest:
            raise PgError("42601", "syntax error at end of input")
        if len(rest) == 1 and rest[0].text.upper() in ("DEFAULT", "LOCAL") and rest[0].token_type.name != "STRING":
            self._reset(name)
            return
        if name == "timezone" and len(rest) > 1 and rest[0].text.upper() == "INTERVAL":
            self._set(name, _interval_zone(rest[1].text))  # Sequelize: INTERVAL '+00:00' HOUR TO MINUTE
            return
        value = ", ".join(_token_value(t) for t in rest if t.text != ",")
        if rest[0].text == "-" and len(rest) > 1:
            value = "-" + _token_value(rest[1])
        key = name.lower()
        if key not in self.params and "." not in key and key not in _KNOWN_SETTINGS:
            raise PgError("42704", f'unrecognized configuration parameter "{name}"')
        if key == "search_path":  # a 'quoted' or "quoted" element is one name, case kept; shown as SHOW prints it
            value = search_path.display([t.text if t.token_type.name in ("STRING", "IDENTIFIER") else t.text.lower()
                                         for t in rest if t.text != ","])
        self._set(name, value)

    def _reset(self, name: str) -> None:
        key = name.lower()
        default = DEFAULTS.get(key)
        if key == "statement_timeout":
            default = str(self.server.settings.statement_timeout_ms)
        if default is None and key not in self.params:
            raise PgError("42704", f'unrecognized configuration parameter "{name}"')
        self.params[key] = default or ""
        if key in REPORTED:
            self.send(m.parameter_status(REPORTED[key], self.params[key]))

    def _reset_statement(self, st: Statement) -> None:
        if len(st.tokens) < 2:
            raise PgError("42601", "syntax error at end of input")
        name = st.tokens[1].text
        if name.upper() == "ALL":
            for k in list(self.params):
                if k in DEFAULTS and k not in _READ_ONLY_SETTINGS and self.params[k] != DEFAULTS[k] and k not in (
                    "application_name", "client_encoding", "session_authorization"):
                    self._reset(k)
            return
        if name.upper() == "TIME" and len(st.tokens) > 2:
            name = "timezone"
        if name.upper() in ("SESSION", "ROLE"):
            return  # RESET SESSION AUTHORIZATION / RESET ROLE: the login role, which it keeps
        self._reset(name)

    def _show_name(self, st: Statement) -> str:
        words = [t.text for t in st.tokens[1:]]
        if not words:
            raise PgError("42601", "syntax error at end of input")
        if [w.upper() for w in words[:2]] == ["TIME", "ZONE"]:
            return "TimeZone"
        if [w.upper() for w in words[:3]] == ["TRANSACTION", "ISOLATION", "LEVEL"]:
            return "transaction_isolation"
        if words[0].upper() == "ALL":
            return "all"
        name = "".join(words)
        if name.lower() in self.params:  # the column is named as PostgreSQL spells the setting
            return REPORTED.get(name.lower(), name.lower())
        return name

    def _show_rows(self, name: str) -> list[tuple]:
        if name == "all":
            return [(REPORTED.get(k, k), v, "") for k, v in sorted(self.params.items())]
        key = name.lower()
        if key not in self.params:
            raise PgError("42704", f'unrecognized configuration parameter "{name}"')
        v = self.params[key]
        if key in ("statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout"):
            v = _fmt_ms(int(v or 0))
        elif key == "transaction_isolation" and self.txn == "I":
            v = self.params.get("default_transaction_isolation") or v  # the next transaction's level
        return [(v,)]

    async def _discard(self, st: Statement) -> None:
        what = st.words[1] if len(st.words) > 1 else "ALL"
        if what == "ALL":
            if self.txn != "I":
                raise PgError("25001", "DISCARD ALL cannot run inside a transaction block")
            for name in list(self.portals):
                self._close_portal(self.portals.pop(name))
            for c in list(self.sql_cursors.values()):
                self._close_sql_cursor(c)
            self.prepared.clear()
            self.server.unlisten_all(self)
            for k in list(self.params):
                if k in DEFAULTS and self.params[k] != DEFAULTS[k] and k not in _READ_ONLY_SETTINGS and k not in (
                        "session_authorization", "client_encoding"):
                    self._reset(k)
            await self._discard_temp()
        elif what == "TEMP" or what == "TEMPORARY":
            await self._discard_temp()
        elif what == "PLANS" or what == "SEQUENCES":
            pass

    async def _discard_temp(self) -> None:
        """DISCARD TEMP: drop the session's temporary tables, views and sequences."""
        if self.temp_objects and self.pinned is not None:
            cursor = await self._pinned() if self.txn != "I" else self.pinned
            await self._run(cursor, _drop_temp_objects, cursor)
        self.on_commit.clear()
        self.temp_objects = self.txn != "I"  # a transaction's temp DDL still needs its connection

    # ---- COPY FROM STDIN / TO STDOUT

    async def _copy(self, st: Statement) -> str:
        spec = pgcopy.parse_copy(st)
        await self._copy_target_in_path(spec)
        try:
            if spec.direction == "from":
                n = await self._copy_in(spec)
            else:
                n = await self._copy_out(spec)
        except pgcopy.CopyError as e:
            if e.context_line is not None and e.context is None:
                e.context = f"COPY {spec.table}, line {e.context_line}"
            raise
        except (PgError, ClientGone, ConnectionError, asyncio.CancelledError):
            raise
        except Exception as e:  # a bug must not cost the client its connection
            log.exception("COPY failed")
            raise PgError("XX000", f"COPY failed: {e}") from None
        return f"COPY {n}"

    async def _copy_columns(self, spec: pgcopy.CopySpec, cursor: Cursor) -> tuple[list, list]:
        """The target table's columns (all, and those the COPY lists), typed by DuckDB."""
        schema = "main" if spec.schema in (None, "public") else spec.schema
        rows = await self._run(cursor, _copy_table_columns, cursor, schema, spec.table)
        if not rows:
            raise PgError("42P01", f'relation "{spec.table}" does not exist')
        cols = [pgcopy.CopyColumn(r[0], r[1], r[2], r[3]) for r in rows]
        if spec.columns is None:
            return cols, cols
        by_name = {c.name: c for c in cols}
        listed = []
        for name in spec.columns:
            c = by_name.get(name)
            if c is None:
                raise PgError("42703", f'column "{name}" of relation "{spec.table}" does not exist')
            if c in listed:
                raise PgError("42701", f'column "{name}" specified more than once')
            listed.append(c)
        return cols, listed

    async def _copy_in(self, spec: pgcopy.CopySpec) -> int:
        if self._read_only():
            raise PgError("25006", "cannot execute COPY FROM in a read-only transaction")
        in_txn = self.txn != "I"
        if in_txn:
            await self._take_lease()
            cursor = await self._pinned()
            self.txn_writes += 1
        else:
            await self._take_lease()  # the serialized writer is ours until the COPY ends
            cursor = self.server.writer.cursor
        try:
            cols, listed = await self._copy_columns(spec, cursor)
            names = {c.name for c in listed}
            for opt, what in ((spec.force_not_null, "FORCE_NOT_NULL"), (spec.force_null, "FORCE_NULL")):
                for name in opt:
                    if name not in names:
                        raise PgError("42P10", f'{what} column "{name}" not referenced by COPY')
            decoder = pgcopy.decoder_for(spec, listed)
            job = CopyIn(cursor, spec.target_sql, spec.table, listed, cols, decoder, own_txn=not in_txn,
                         timezone=self.params["timezone"], default_marker=spec.default,
                         lookup=self.db.con.cursor)
            fmt = 1 if spec.fmt == "binary" else 0
            self.send(m.copy_in_response(fmt, len(listed)))
            await self.flush()
            return await self._copy_in_stream(job, cursor)
        finally:
            if not in_txn:
                self._release_lease()

    async def _copy_in_stream(self, job: CopyIn, cursor: Cursor) -> int:
        loop = asyncio.get_running_loop()
        room = asyncio.Semaphore(2)  # chunks waiting to be parsed: memory stays bounded

        def consumed() -> None:
            loop.call_soon_threadsafe(room.release)

        parse = loop.run_in_executor(self.db.executor, job.parse_loop, consumed)
        insert = loop.run_in_executor(self.db.executor, job.insert_loop)
        self.active = cursor
        buf = bytearray()
        ended = False
        try:
            while not insert.done():
                self.decoder.take_copy_data(buf)
                if len(buf) >= pgcopy.CHUNK_BYTES:
                    await room.acquire()
                    job.put(buf)
                    buf = bytearray()
                    continue
                msg = self.decoder.next()
                if msg is None:
                    data = await self.reader.read(1 << 20)
                    if not data:
                        raise ClientGone()
                    self.decoder.feed(data)
                    continue
                if isinstance(msg, m.CopyData):
                    buf += msg.data
                elif isinstance(msg, m.CopyDone):
                    ended = True
                    break
                elif isinstance(msg, m.CopyFail):
                    raise PgError("57014", f"COPY from stdin failed: {msg.message}")
                elif isinstance(msg, (m.Flush, m.Sync)):
                    continue  # ignored during copy-in, as PostgreSQL does
                elif isinstance(msg, m.Terminate):
                    raise ClientGone()
                else:
                    raise PgError("08P01", f"unexpected message type 0x{_msg_type(msg):02X} during COPY from stdin")
            if ended:
                if buf:
                    await room.acquire()
                    job.put(buf)
                job.finish()
            else:
                job.abort()
            await parse
            return await insert
        except BaseException:
            job.failed = True
            job.abort()
            cursor.interrupt()
            await asyncio.wait({parse, insert})
            if insert.done() and not insert.cancelled():
                insert.exception()  # retrieved: the error we raise is the one that counts
            raise
        finally:
            self.active = None

    async def _copy_out(self, spec: pgcopy.CopySpec) -> int:
        if spec.query is not None:
            inner = await self._parse_query(spec.query)
            if len(inner) != 1:
                raise PgError("42601", "syntax error in COPY query")
            q = inner[0]
            if q.error is not None:
                raise q.error
            if q.route != READ:
                raise PgError("0A000", "COPY (query) TO supports SELECT, VALUES and TABLE queries")
            sql = q.duck_sql
            plan = q.result_plan
        else:
            cols = "*" if spec.columns is None else ", ".join(pgcopy._quote_ident(c) for c in spec.columns)
            sql = f"SELECT {cols} FROM {spec.target_sql}"
            table = pgcopy._quote_ident(spec.table or "")
            if spec.schema:
                table = f"{pgcopy._quote_ident(spec.schema)}.{table}"
            plan = parse_query(f"SELECT {cols} FROM {table}")[0].result_plan
        cursor, release = await self._cursor_for_read()
        try:
            outcome = await self._run(cursor, execute, cursor, sql, None, self.params["timezone"],
                                      max(self.server.settings.batch_rows, pgcopy.COPY_OUT_BATCH_ROWS), True)
            prep = None  # char(n) padded, jsonb canonical, as the columns' declared types print them
            versioned: list[int] = []  # binary jsonb columns: version byte 1, then the text
            if plan is not None:
                pg_types = await self._column_overrides(plan, outcome.names, outcome.types)
                prep = pg_type_preparation([str(t) for t in outcome.types or []], pg_types) if pg_types else None
                if prep and spec.fmt == "binary":
                    prep = {i: p for i, p in prep.items() if not (p[0] == 3802 and p[2])}  # jsonb[]: as stored
                    versioned = [i for i, p in prep.items() if p[0] == 3802]
            enc = pgcopy.CopyOutEncoder(spec, outcome.types or [], outcome.names or [])
            fmt = 1 if spec.fmt == "binary" else 0
            self.send(m.copy_out_response(fmt, len(outcome.types or [])))
            self.send(enc.start())
            reader = outcome.reader
            n = 0
            # a producer reads and encodes batch after batch on a worker thread (one call each),
            # up to two encoded batches ahead, while this loop writes and waits for the socket
            ready: asyncio.Queue = asyncio.Queue(maxsize=2)

            async def produce() -> None:
                try:
                    while True:
                        item = await self._run(cursor, _copy_out_next, reader, enc, prep, versioned)
                        self.active = cursor  # a cancel while this waits stops the next read
                        await ready.put(item)
                        if item is None:
                            return
                except Exception as e:  # the COPY's error, raised by the writing loop
                    await ready.put(e)
                finally:
                    self.active = None  # the cursor goes back to the pool after the COPY

            producer = asyncio.ensure_future(produce())
            try:
                while True:
                    item = await ready.get()
                    if isinstance(item, Exception):
                        raise item
                    if item is None:
                        break
                    data, k = item
                    n += k
                    if self.writer.transport.is_closing():
                        raise ClientGone()  # writes would vanish: stop reading the result
                    self._write_direct(data)
                    if self.writer.transport.get_write_buffer_size() > 1 << 20:
                        await self.writer.drain()
            finally:
                if not producer.done():
                    producer.cancel()
                await asyncio.wait({producer})
                if reader is not None:
                    reader.close()
            self.send(enc.end())
            self.send(m.COPY_DONE)
            return n
        finally:
            release()

    # ---- DECLARE / FETCH / CLOSE

    async def _declare(self, st: Statement) -> None:
        toks = st.tokens
        name = _ident(toks[1])
        words = [t.text.upper() for t in toks]
        try:
            for_i = words.index("FOR", 2)
        except ValueError:
            raise PgError("42601", "syntax error in DECLARE: expected FOR") from None
        opts = words[2:for_i]
        hold = "WITH" in opts and "HOLD" in opts and "WITHOUT" not in opts
        binary = "BINARY" in opts
        scroll = "SCROLL" in opts and "NO" not in opts
        if self.txn == "I" and not hold:
            raise PgError("25P01", "DECLARE CURSOR can only be used in transaction blocks")
        if name in self.sql_cursors:
            raise PgError("42P03", f'cursor "{name}" already exists')
        query = st.text[toks[for_i + 1].start - toks[0].start:]
        inner = await self._parse_query(query)
        if len(inner) != 1 or inner[0].route != READ:
            raise PgError("42601", "DECLARE CURSOR must be followed by a SELECT or VALUES")
        q = inner[0]
        if q.error:
            raise q.error
        await self._catalog_check(q)
        values, oids = self.utility_values
        if q.nparams and len(values) < q.nparams:
            raise PgError("08P01", f"bind message supplies {len(values)} parameters, but the cursor's "
                          f"query requires {q.nparams}")
        query_sql, query_params = sqlparams.bind_sql(q, values, oids) if q.nparams else (q.duck_sql, None)
        cursor = await self.db.run(self.db.cursor, f"sqlcursor-{self.pid}-{name}")
        table, total, names = None, 0, None
        try:
            if scroll:
                table = f"__dataforge_scroll_{self.pid}_{next(_SCROLL_IDS)}"
                total, names = await self._run(cursor, _materialize_scroll, cursor, table, query_sql,
                                               self.params["timezone"], query_params)
                sql, query_params = f'SELECT * FROM temp."{table}" LIMIT 0', None
            else:
                sql = query_sql
            outcome = await self._run(cursor, execute, cursor, sql, query_params, self.params["timezone"],
                                      self.server.settings.batch_rows, True)
        except BaseException:
            cursor.close()
            raise
        fmt = 1 if binary else 0
        pg_types = None
        if q.result_plan is not None:
            pg_types = await self._column_overrides(q.result_plan, names or outcome.names, outcome.types)
        stream = ResultStream(self.db, outcome, [fmt] * len(outcome.types or []), cursor=cursor,
                              on_close=cursor.close, pg_types=pg_types)
        fields = [_field(n, t, fmt) for n, t in zip(names or outcome.names or [], outcome.types or [])]
        fields = describe_fields(q.pg_fields(fields), pg_types)
        self.sql_cursors[name] = SqlCursor(name, stream, cursor, fields, hold, binary, table, total)

    def _fetched(self, portal: Portal | None, is_move: bool, n: int) -> None:
        """FETCH/MOVE's CommandComplete (and the portal it ran in, done)."""
        tag = f"{'MOVE' if is_move else 'FETCH'} {n}"
        if portal is not None:
            portal.done = True
            portal.tag = tag
        self.send(m.command_complete(tag))

    def _fetch_target(self, st: Statement) -> tuple[int, str]:
        toks = st.tokens[1:]
        words = [t.text.upper() for t in toks]
        count = 1
        i = 0
        if words[:1] == ["-"] or words[:2] == ["FORWARD", "-"]:  # MOVE -1 (psycopg2's scroll(-1))
            raise PgError("55000", "cursor can only scan forward",
                          hint="Declare it with SCROLL option to enable backward scan.")
        if words and words[0] in ("FORWARD", "NEXT", "ALL", "FIRST", "PRIOR", "LAST", "ABSOLUTE", "RELATIVE",
                                  "BACKWARD"):
            if words[0] in ("PRIOR", "LAST", "BACKWARD", "ABSOLUTE", "RELATIVE"):
                raise PgError("55000", "cursor can only scan forward",
                              hint="Declare it with SCROLL option to enable backward scan.")
            if words[0] == "ALL":
                count = -1
            i = 1
            if words[0] == "FORWARD" and len(words) > 1:
                if words[1] == "ALL":
                    count, i = -1, 2
                elif toks[1].text.isdigit():
                    count, i = int(toks[1].text), 2
        elif words and toks[0].text.isdigit():
            count, i = int(toks[0].text), 1
        if i < len(words) and words[i] in ("FROM", "IN"):
            i += 1
        if i >= len(toks):
            raise PgError("42601", "syntax error at end of input")
        return count, _ident(toks[i])

    async def _fetch(self, st: Statement, portal: Portal | None, simple: bool, formats) -> None:
        is_move = st.words[0] == "MOVE"
        try:
            direction, amount, name = _fetch_direction(st.tokens[1:])
        except PgError:
            name = None  # the forward-only reading below reports it
        scroller = self.sql_cursors.get(name) if name is not None else None
        if scroller is not None and scroller.scroll_table is not None:
            await self._fetch_scroll(scroller, direction, amount, is_move, portal, simple)
            return
        count, name = self._fetch_target(st)
        cur = self.sql_cursors.get(name)
        if cur is not None:
            fields, stream = cur.fields, cur.stream
        else:
            # protocol portals share the cursors' namespace (asyncpg's cursor.forward MOVEs one)
            target = self.portals.get(name) if name else None
            if target is None:
                raise PgError("34000", f'cursor "{name}" does not exist')
            if target.stream is None and not target.done:
                raise PgError("0A000", f'MOVE and FETCH on portal "{name}" before it is executed are not supported',
                              hint="Execute the portal (with a row limit) first.")
            fields, stream = await self._portal_fields(target), target.stream
        if (simple or portal is None) and not is_move:
            self.send(m.row_description(fields))
        n = 0 if stream is None else await self._pull(stream, count, send=not is_move)
        if cur is None:
            target.rows_sent += n
            if stream is not None and stream.done:
                stream.close()
                target.stream = None
                target.done = True
                target.tag = _rows_tag(target.prepared.stmt, 0)
        self._fetched(portal, is_move, n)

    async def _sql_prepare(self, st: Statement) -> None:
        """PREPARE name [(type, …)] AS statement: a prepared statement like Parse's, in the
        same namespace (PostgreSQL shares it between SQL and the protocol)."""
        toks = st.tokens
        if len(toks) < 4:
            raise PgError("42601", "syntax error at end of input")
        name = _ident(toks[1])
        i = 2
        declared: list[int] = []
        if toks[i].token_type.name == "L_PAREN":
            groups, i = _paren_groups(toks, i)
            declared = [sqlparams.type_oid(st.text[g[0].start:g[-1].end + 1]) for g in groups]
        if i >= len(toks) or toks[i].text.upper() != "AS":
            raise PgError("42601", f'syntax error at or near "{toks[i].text if i < len(toks) else ""}"')
        body = st.text[toks[i].end + 1:].strip()
        stmts = await self._parse_query(body)
        if len(stmts) != 1:
            raise PgError("42601", "syntax error at end of input" if not stmts
                          else "cannot insert multiple commands into a prepared statement")
        inner = stmts[0]
        if inner.refused is not None:
            raise inner.refused
        if inner.error is not None and inner.route != SESSION:
            raise inner.error
        if name in self.prepared:
            raise PgError("42P05", f'prepared statement "{name}" already exists')
        declared += [0] * (inner.nparams - len(declared))
        self.prepared[name] = Prepared(name, inner, declared)

    async def _sql_execute(self, st: Statement, portal: Portal | None, simple: bool, formats) -> None:
        """EXECUTE name [(value, …)]: binds constant values as a text-format Bind would."""
        toks = st.tokens
        if len(toks) < 2:
            raise PgError("42601", "syntax error at end of input")
        name = _ident(toks[1])
        prep = self.prepared.get(name)
        if prep is None:
            raise PgError("26000", f'prepared statement "{name}" does not exist')
        groups = _paren_groups(toks, 2)[0] if len(toks) > 2 and toks[2].token_type.name == "L_PAREN" else []
        if len(groups) != len(prep.declared):
            raise PgError("42601", f'wrong number of parameters for prepared statement "{name}"',
                          detail=f"Expected {len(prep.declared)} parameters but got {len(groups)}.")
        oids = await self._param_oids(prep)
        values = []
        for k, g in enumerate(groups):
            text = _constant_text(g)
            if text is _NOT_CONSTANT:
                raise PgError("0A000", "EXECUTE parameters must be constants here",
                              hint="Pass literal values, or use the extended protocol's Bind.")
            oid = oids[k]
            if oid == 25 and not prep.declared[k] and [t.token_type.name for t in g] == ["NUMBER"]:
                oid = 1700 if "." in text or "e" in text.lower() else 20  # a number keeps its type
                oids = oids[:k] + [oid] + oids[k + 1:]
            try:
                values.append(None if text is None else decode_param(oid, 0, text.encode(), k + 1))
            except ParamError as e:
                raise PgError(e.sqlstate, str(e)) from None
        if prep.stmt is None:
            self.send(m.EMPTY_QUERY)
            return
        try:
            if not simple:  # run_statement validates simple queries; this one came through Parse
                await self._catalog_check(prep.stmt)
            await self.run_statement(prep.stmt, values, oids, formats, portal, simple=simple)
        except PgError as e:
            e.position = None  # a place in the prepared text, not in this EXECUTE
            raise

    async def _pull(self, stream: ResultStream, count: int, send: bool) -> int:
        """Read `count` rows (all for -1) of an open result, sending them or (MOVE) not."""
        n = 0
        if count != 0:
            want = count if count > 0 else 0
            while True:
                data, k = await self._run(stream.cursor, stream.read_chunk, (want - n) if want else 0)
                if k and send:
                    self.send(data)
                n += k
                if len(self.out) > 262144:
                    await self.flush()
                if stream.done or (want and n >= want):
                    break
        return n

    async def _fetch_scroll(self, cur: SqlCursor, direction: str, amount: int | None, is_move: bool,
                            portal: Portal | None, simple: bool) -> None:
        """FETCH/MOVE on a SCROLL cursor: PostgreSQL's position arithmetic over the rows kept
        in the cursor's temp table; the rows read back by position (rowid), in fetch order."""
        lo, hi, backward, pos = _scroll_step(cur.pos, cur.total, direction, amount)
        cur.pos = pos
        n = 0 if lo is None else hi - lo + 1
        if (simple or portal is None) and not is_move:
            self.send(m.row_description(cur.fields))
        if n and not is_move:
            sql = (f'SELECT * FROM temp."{cur.scroll_table}" WHERE rowid BETWEEN {lo - 1} AND {hi - 1} '
                   f'ORDER BY rowid{" DESC" if backward else ""}')
            outcome = await self._run(cur.cursor, execute, cur.cursor, sql, None, self.params["timezone"],
                                      self.server.settings.batch_rows, True)
            stream = ResultStream(self.db, outcome, [f.format for f in cur.fields], cursor=cur.cursor,
                                  pg_types=cur.stream.pg_types)
            try:
                await self._pull(stream, -1, send=True)
            finally:
                stream.close()
        self._fetched(portal, is_move, n)

    def _close_sql_cursor(self, c: SqlCursor) -> None:
        self.sql_cursors.pop(c.name, None)
        c.stream.close()


# ---------------------------------------------------------------------- helpers

_SCROLL_IDS = itertools.count(1)


def _materialize_scroll(cursor: Cursor, table: str, sql: str, tz: str, params=None) -> tuple[int, list[str]]:
    """Worker thread: a SCROLL cursor's rows into a temp table (in the query's order: DuckDB
    preserves insertion order); returns how many, and the query's own column names (the
    table's are made unique)."""
    cursor.prepare(tz)
    if params:  # DECLARE … FOR … $1 with values not written into the text
        names = [d[0] for d in cursor.con.execute(f"SELECT * FROM ({sql}) LIMIT 0", params).description]
    else:
        names = list(cursor.con.sql(sql).columns)  # bound, not run
    cursor.con.execute(f'CREATE TEMP TABLE "{table}" AS {sql}', params)
    return int(cursor.con.execute(f'SELECT count(*) FROM temp."{table}"').fetchone()[0]), names


def _fetch_direction(toks: list) -> tuple[str, int | None, str]:
    """FETCH/MOVE's direction: (kind, count, cursor name); kind is one of forward, backward,
    absolute, relative; count None is ALL."""
    words = [t.text.upper() for t in toks]
    i = 0
    kind, amount = "forward", 1

    def number(j: int) -> int | None:
        if j < len(toks):
            t = toks[j].text
            if t == "-" and j + 1 < len(toks) and toks[j + 1].text.isdigit():
                return -int(toks[j + 1].text)
            if t.lstrip("+").isdigit():
                return int(t.lstrip("+"))
        return None

    def width(j: int) -> int:
        return 2 if j < len(toks) and toks[j].text == "-" else 1

    w = words[0] if words else ""
    if w == "NEXT":
        i = 1
    elif w == "PRIOR":
        kind, i = "backward", 1
    elif w == "FIRST":
        kind, amount, i = "absolute", 1, 1
    elif w == "LAST":
        kind, amount, i = "absolute", -1, 1
    elif w in ("ABSOLUTE", "RELATIVE"):
        kind = w.lower()
        amount = number(1)
        if amount is None:
            raise PgError("42601", f'syntax error at or near "{toks[1].text if len(toks) > 1 else ""}"')
        i = 1 + width(1)
    elif w == "ALL":
        amount, i = None, 1
    elif w in ("FORWARD", "BACKWARD"):
        kind = w.lower()
        i = 1
        if len(words) > 1 and words[1] == "ALL":
            amount, i = None, 2
        elif number(1) is not None:
            amount, i = number(1), 1 + width(1)
    elif number(0) is not None:
        amount, i = number(0), width(0)
    if amount is not None and amount < 0 and kind in ("forward", "backward"):
        kind, amount = ("backward" if kind == "forward" else "forward"), -amount
    if i < len(words) and words[i] in ("FROM", "IN"):
        i += 1
    if i >= len(toks):
        raise PgError("42601", "syntax error at end of input")
    return kind, amount, _ident(toks[i])


def _scroll_step(pos: int, total: int, kind: str, amount: int | None) -> tuple:
    """PostgreSQL's FETCH arithmetic on a cursor at `pos` (0 before the first row, total + 1
    after the last): (first row, last row, backward, new position); rows are 1-based and
    (None, None) when none is returned."""
    if kind in ("absolute", "relative"):
        target = (amount if amount >= 0 else total + 1 + amount) if kind == "absolute" else pos + amount
        if target <= 0:
            return None, None, False, 0
        if target > total:
            return None, None, False, total + 1
        return target, target, False, target
    if amount == 0:  # FORWARD 0 / BACKWARD 0: the current row again
        return (pos, pos, False, pos) if 1 <= pos <= total else (None, None, False, pos)
    if kind == "forward":
        first = pos + 1
        last = total if amount is None else min(total, pos + amount)
        new = total + 1 if amount is None or pos + amount > total else pos + amount
        return (first, last, False, new) if first <= last else (None, None, False, new)
    last = pos - 1  # backward: the rows before pos, nearest first
    first = 1 if amount is None else max(1, pos - amount)
    new = 0 if amount is None or pos - amount < 1 else pos - amount
    last = min(last, total)
    return (first, last, True, new) if first <= last else (None, None, True, new)


_KNOWN_SETTINGS = {
    "search_path", "extra_float_digits", "application_name", "client_min_messages", "datestyle", "timezone",
    "statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout", "intervalstyle",
    "client_encoding", "standard_conforming_strings", "default_transaction_isolation",
    "transaction_isolation", "default_transaction_read_only", "transaction_read_only", "bytea_output",
    "jit", "work_mem", "maintenance_work_mem", "synchronous_commit", "row_security", "lc_messages",
    "lc_monetary", "lc_numeric", "lc_time", "geqo", "enable_seqscan", "random_page_cost",
    "idle_session_timeout", "default_with_oids", "escape_string_warning", "xmloption", "timezone_abbreviations",
    "check_function_bodies", "session_replication_role", "plan_cache_mode", "max_parallel_workers_per_gather",
    "temp_buffers", "cursor_tuple_fraction", "track_io_timing", "log_statement", "log_min_duration_statement",
    "default_table_access_method", "search_path", "gin_fuzzy_search_limit",
    "default_tablespace", "temp_tablespaces", "default_toast_compression", "synchronize_seqscans",
}


_NEAR = re.compile(r'^syntax error at or near "(.*)"$')
_NAMED = re.compile(r'^(?:relation|column|function|type) "?([^"( ]+)"?')
_BAD_INPUT = re.compile(r'^(?:invalid input syntax for type [^:]+|date/time field value out of range): "(.*)"$')


_NO_FUNCTION = re.compile(r"^function (?P<n>[^ (]+)(?:\((?P<args>.*)\))? does not exist$")
_PG_ARG_TYPES = {  # DuckDB's type names in its error → PostgreSQL's format_type names
    "INTEGER_LITERAL": "integer", "STRING_LITERAL": "unknown", '"NULL"': "unknown", "NULL": "unknown",
    "INTEGER": "integer", "BIGINT": "bigint", "SMALLINT": "smallint", "HUGEINT": "numeric",
    "VARCHAR": "text", "DOUBLE": "double precision", "FLOAT": "real", "BOOLEAN": "boolean",
    "DATE": "date", "TIME": "time without time zone", "TIMESTAMP": "timestamp without time zone",
    "TIMESTAMP WITH TIME ZONE": "timestamp with time zone", "INTERVAL": "interval", "UUID": "uuid",
    "BLOB": "bytea", "JSON": "json",
}
_CAST_PG_NAMES = {  # sqlglot's type names → PostgreSQL's format_type names
    "INT": "integer", "BIGINT": "bigint", "SMALLINT": "smallint", "TEXT": "text", "VARCHAR": "character varying",
    "DECIMAL": "numeric", "DOUBLE": "double precision", "FLOAT": "real", "BOOLEAN": "boolean", "DATE": "date",
    "TIMESTAMP": "timestamp without time zone", "TIMESTAMPTZ": "timestamp with time zone", "JSON": "json",
    "JSONB": "jsonb", "UUID": "uuid", "VARBINARY": "bytea", "INTERVAL": "interval", "TIME": "time without time zone",
}


def _duck_arg_type(t: str) -> str | None:
    return _PG_ARG_TYPES.get(t) or ("numeric" if t.startswith("DECIMAL") else None)


def _fetch_all(cur: Cursor, sql: str, params: list) -> list[tuple]:
    return cur.con.execute(sql, params).fetchall()


def _function_signature(e: PgError, st: Statement) -> None:
    """42883 as PostgreSQL words it: `function f(integer, unknown) does not exist` and its hint,
    the argument types read from the call's literals (or DuckDB's message), instead of DuckDB's
    candidate list or a guess at a similar name. Left as it is when a type cannot be told."""
    mm = _NO_FUNCTION.match(e.message)
    if mm is None:
        return
    name = mm.group("n")
    duck_args = re.split(r",\s*(?![^()]*\))", mm.group("args")) if mm.group("args") else None
    call = None
    if st.tree is not None:
        for node in st.tree.find_all(exp.Anonymous):
            if node.name.lower() == name.lower():
                call = node
                break
    if call is not None and (duck_args is None or len(duck_args) == len(call.expressions)):
        types = [_literal_pg_type(a) or (_duck_arg_type(duck_args[k].strip()) if duck_args else None)
                 for k, a in enumerate(call.expressions)]
    elif duck_args is not None:
        types = [_duck_arg_type(a.strip()) for a in duck_args]
    else:
        return
    if any(t is None for t in types):
        return
    e.message = f"function {name}({', '.join(types)}) does not exist"
    e.detail = None
    e.hint = "No function matches the given name and argument types. You might need to add explicit type casts."


def _literal_pg_type(a: exp.Expression) -> str | None:
    """PostgreSQL's type for a literal argument: 1 → integer, 1.5 → numeric, 'x' → unknown…"""
    if isinstance(a, exp.Neg):
        a = a.this
    if isinstance(a, exp.Null):
        return "unknown"
    if isinstance(a, exp.Boolean):
        return "boolean"
    if isinstance(a, exp.Literal):
        if a.is_string:
            return "unknown"
        if a.this.isdigit():
            v = int(a.this)
            return "integer" if v <= 2**31 - 1 else "bigint" if v <= 2**63 - 1 else "numeric"
        return "numeric"
    if isinstance(a, exp.Cast) and isinstance(a.to, exp.DataType):
        return _CAST_PG_NAMES.get(a.to.this.name)
    return None


# untyped text parameters read with PostgreSQL's input function for their inferred type (the
# others reach DuckDB as strings): DuckDB's timestamp parser takes '… 10:04:53 +00:00' (Sequelize's
# form, a space before the offset) for a zone name
_UNTYPED_PARSED = frozenset((1114, 1184, 1266))


def _locate(e: PgError, st: Statement) -> int | None:
    """Where in the client's text the object an error names appears (PostgreSQL's position
    field, which psql turns into a caret): the first token spelling that name; for a syntax
    error, the end of the statement or the one token it names."""
    if e.sqlstate == "42601" and st.tokens:
        if e.message == "syntax error at end of input":
            if st.semicolon is not None:  # PostgreSQL's grammar reads the ';' and stops there
                e.message = 'syntax error at or near ";"'
                return st.semicolon + 1
            return st.tokens[-1].end + 2
        near = _NEAR.match(e.message)
        if near:
            at = [t for t in st.tokens if t.text == near.group(1)]
            return at[0].start + 1 if len(at) == 1 else None  # two candidates: no guess
        return None
    if e.sqlstate in ("22P02", "22007", "22008") and st.tokens:
        # invalid input of a quoted literal ('abc'::int): PostgreSQL points at the literal
        bad = _BAD_INPUT.search(e.message)
        at = [t for t in st.tokens if bad and t.token_type.name == "STRING" and t.text == bad.group(1)]
        if e.sqlstate == "22008" and e.hint is None and e.message.startswith("date/time field value out of range"):
            e.hint = 'Perhaps you need a different "datestyle" setting.'
        return at[0].start + 1 if len(at) == 1 else None
    if e.sqlstate not in ("42P01", "42703", "42883", "42704") or not st.tokens:
        return None
    mm = _NAMED.match(e.message)
    if not mm:
        return None
    name = mm.group(1).split(".")[-1].lower()
    for t in st.tokens:  # token offsets count characters from the start of the Query text
        if t.text.lower() == name:
            return t.start + 1
    return None


async def _first_wait(loop: asyncio.AbstractEventLoop, fut: asyncio.Future, timeout: float) -> None:
    """Wait for fut at most `timeout` seconds: one future and one timer, lighter than
    asyncio.wait on the path every statement takes."""
    waiter = loop.create_future()

    def wake(_=None) -> None:
        if not waiter.done():
            waiter.set_result(None)

    fut.add_done_callback(wake)
    timer = loop.call_later(timeout, wake)
    try:
        await waiter
    finally:
        timer.cancel()
        fut.remove_done_callback(wake)


async def _stop_watch(watch: asyncio.Future, decoder: m.FrontendDecoder) -> None:
    """Cancel a socket read and wait for it to let go of the stream (a StreamReader allows one
    reader); bytes it got meanwhile are kept."""
    if not watch.done():
        watch.cancel()
        await asyncio.wait({watch})
    if not watch.cancelled() and watch.exception() is None:
        data = watch.result()
        if data:
            decoder.feed(data)


def _aborted() -> PgError:
    return PgError("25P02", "current transaction is aborted, commands ignored until end of transaction block")


def _noop() -> None:
    return None


@functools.lru_cache(maxsize=256)
def _path_schemas(value: str, user: str) -> tuple[str, ...]:
    return search_path.duck_schemas(value, user)


def _token_value(t) -> str:
    return t.text


def _paren_groups(toks: list, i: int) -> tuple[list[list], int]:
    """The comma-separated token groups inside the parentheses opening at toks[i], and the
    index after the closing one."""
    groups: list[list] = [[]]
    depth = 0
    for j in range(i + 1, len(toks)):
        t = toks[j].token_type.name
        if t == "R_PAREN" and depth == 0:
            return ([] if groups == [[]] else groups), j + 1
        if t == "L_PAREN":
            depth += 1
        elif t == "R_PAREN":
            depth -= 1
        if t == "COMMA" and depth == 0:
            groups.append([])
        else:
            groups[-1].append(toks[j])
    raise PgError("42601", "syntax error at end of input")


_NOT_CONSTANT = object()


def _constant_text(g: list):
    """A constant's text form (None for NULL): 'x', 42, -1.5, TRUE, 'x'::type, type 'x'."""
    kinds = [t.token_type.name for t in g]
    if kinds == ["NULL"]:
        return None
    if kinds in (["TRUE"], ["FALSE"]):
        return kinds[0].lower()
    if kinds in (["NUMBER"], ["STRING"]) or kinds == ["NATIONAL_STRING"]:
        return g[0].text
    if kinds[:2] in (["DASH", "NUMBER"], ["PLUS", "NUMBER"]) and len(kinds) == 2:
        return ("-" if kinds[0] == "DASH" else "") + g[1].text
    if kinds and kinds[0] in ("STRING", "NUMBER", "NULL") and len(kinds) >= 3 and kinds[1] == "DCOLON":
        return None if kinds[0] == "NULL" else g[0].text  # the parameter's own type decides
    if len(kinds) >= 2 and kinds[-1] == "STRING" and not set(kinds[:-1]) & _NOT_TYPE_WORDS:
        return g[-1].text  # DATE '2020-01-01', TIMESTAMP WITH TIME ZONE '…'
    return _NOT_CONSTANT


_NOT_TYPE_WORDS = frozenset(("DCOLON", "PLUS", "DASH", "STAR", "SLASH", "L_PAREN", "R_PAREN", "STRING",
                             "NUMBER", "DPIPE"))


def _ident(t) -> str:
    return t.text if t.token_type.name in ("IDENTIFIER", "STRING") else t.text.lower()


def _normalize_tz(v: str) -> str:
    """A TimeZone value as DuckDB can use it, checked as PostgreSQL checks it: a zone name in
    any case ('america/new_york' → 'America/New_York'), a number of hours east ('-7', what
    SET TIME ZONE -7 sends) or a POSIX offset, hours west ('+02:00', 'UTC+3') as the Etc/GMT
    zone with that offset; anything else is 22023 as in PostgreSQL (not an error at every
    later timestamptz)."""
    s = v.strip()
    if s.upper() in ("UTC", "GMT", "Z", "ZULU", "UCT", "ETC/UTC"):
        return "UTC"
    canon = _zone_names().get(s.lower())
    if canon is not None:
        return canon
    if re.fullmatch(r"[+-]?\d+(?:\.\d+)?", s):
        east = float(s)
    else:
        mm = re.fullmatch(r"(?:UTC|GMT)?([+-])(\d{1,2})(?::(\d\d))?", s, re.I)
        if mm is None:
            raise PgError("22023", f'invalid value for parameter "TimeZone": "{v}"')
        east = -(1 if mm.group(1) == "+" else -1) * (int(mm.group(2)) + int(mm.group(3) or 0) / 60)
    if east != int(east) or not -12 <= east <= 14:
        raise PgError("0A000", f'time zone offset "{v}" is not supported',
                      hint="Use a whole-hour offset between -12 and +14, or a zone name such as Asia/Kolkata.")
    return "UTC" if east == 0 else f"Etc/GMT{-int(east):+d}"


def _interval_zone(text: str) -> str:
    """SET TIME ZONE INTERVAL '+05:00' [HOUR TO MINUTE] (or '3 hours'): the offset east as
    the hours _normalize_tz reads; PostgreSQL, too, refuses an interval with days or months."""
    mm = re.fullmatch(r"\s*([+-]?)(\d{1,2})(?::(\d\d))?(?::00)?\s*|\s*([+-]?\d+)\s*hours?\s*", text, re.I)
    if mm is None:
        raise PgError("22023", 'invalid value for parameter "TimeZone": "INTERVAL \'' + text + '\'"',
                      detail="Only an offset in hours and minutes, such as '+02:00', is accepted here.")
    if mm.group(4) is not None:
        return mm.group(4)
    hours = int(mm.group(2)) + int(mm.group(3) or 0) / 60
    hours = -hours if mm.group(1) == "-" else hours
    return str(int(hours)) if hours == int(hours) else str(hours)


_ZONE_NAMES: dict[str, str] = {}


def _zone_names() -> dict[str, str]:
    if not _ZONE_NAMES:
        import zoneinfo
        _ZONE_NAMES.update({n.lower(): n for n in zoneinfo.available_timezones() if n != "localtime"})
    return _ZONE_NAMES


def _on_off(key: str, value: str) -> str:
    v = value.strip().lower()
    if v in ("on", "true", "yes", "1", "t", "y"):
        return "on"
    if v in ("off", "false", "no", "0", "f", "n"):
        return "off"
    raise PgError("22023", f'parameter "{key}" requires a Boolean value')


def _fmt_ms(ms: int) -> str:
    if ms == 0:
        return "0"
    for unit, n in (("d", 86400000), ("h", 3600000), ("min", 60000), ("s", 1000)):
        if ms % n == 0:
            return f"{ms // n}{unit}"
    return f"{ms}ms"


def _expand_formats(formats: Sequence[int], n: int) -> list[int]:
    if not formats:
        return [0] * n
    if len(formats) == 1:
        return [formats[0]] * n
    if len(formats) != n:
        raise PgError("08P01", f"bind message has {len(formats)} result formats but query has {n} columns")
    return list(formats)


def _with_formats(fields: list[m.Field], formats: Sequence[int]) -> list[m.Field]:
    fmts = _expand_formats(formats, len(fields))
    return [m.Field(f.name, f.type_oid, f.typlen, f.typmod, fmt, f.table_oid, f.column) for f, fmt in zip(fields, fmts)]


def _changed_table(st: Statement) -> tuple[str, str] | None:
    """The (schema, table) a DELETE/UPDATE takes rows out of (an UPDATE may move a row's key),
    lower case, DuckDB's schema names."""
    if st.kind not in ("delete", "update") or not isinstance(st.tree, (exp.Delete, exp.Update)):
        return None
    target = table_of(st.tree)
    return (target[0].lower(), target[1].lower()) if target is not None else None


def _reparsed(tree: exp.Expression | None) -> Statement | None:
    """The statement a changed PostgreSQL tree reads as; None when there is no tree or it does
    not read as one statement."""
    if tree is None:
        return None
    again = parse_query(tree.sql("postgres"))
    return again[0] if len(again) == 1 and again[0].error is None else None


def _is_array_oid(oid: int) -> bool:
    from .protocol.types import ELEMENT_OID
    return oid in ELEMENT_OID and oid not in (22, 30)


def _field(name: str, duck_type, fmt: int = 0) -> m.Field:
    t = pg_type_of(duck_type)
    return m.Field(name, t.oid, t.typlen, t.typmod, fmt)


def _rows_tag(st: Statement | None, n: int) -> str:
    if st is None:
        return f"SELECT {n}"
    tag = st.tag
    if st.kind == "insert":
        return f"INSERT 0 {n}"
    if tag in ("SELECT", "UPDATE", "DELETE", "MERGE", "FETCH", "MOVE", "COPY"):
        return f"{tag} {n}"
    return tag


def _execute_stream(db, cursor: Cursor, sql, params, tz, batch_rows, formats, max_rows, release, settings=None,
                    result_plan=None, own_ddl=False):
    # a transaction that ran DDL reads its own declared types, before its cursor streams rows
    declared = load_column_types(cursor.con) if own_ddl and result_plan is not None and result_plan.has_refs else None
    outcome = execute(cursor, sql, params, tz, batch_rows, True, settings)
    pg_types = None
    if result_plan is not None:
        pg_types = column_overrides(db, result_plan, outcome.names, outcome.types, declared)
    stream = ResultStream(db, outcome, _expand_formats(formats, len(outcome.types or [])), cursor=cursor,
                          on_close=release, batch_rows=batch_rows, pg_types=pg_types)
    return stream, stream.read_chunk(max_rows)


def _insert_job(st: Statement, rows: list | pa.Table, tz: str) -> WriteJob:
    if isinstance(rows, pa.Table):
        return WriteJob(insert=InsertRows(st.insert.key, st.insert.ncols, [], table=rows), timezone=tz)
    return WriteJob(insert=InsertRows(st.insert.key, st.insert.ncols, rows), timezone=tz)


def _on_commit_actions(cursor: Cursor, actions: dict[str, str]) -> None:
    """Worker thread, inside the ending transaction: ON COMMIT DROP / DELETE ROWS of the
    session's temporary tables (those it dropped itself are skipped)."""
    con = cursor.con
    live = {r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE temporary AND table_name IN (SELECT unnest($1::VARCHAR[]))",
        [list(actions)]).fetchall()}
    for name, action in actions.items():
        if name in live:
            quoted = '"' + name.replace('"', '""') + '"'
            con.execute(f"DROP TABLE temp.main.{quoted}" if action == "drop" else f"DELETE FROM temp.main.{quoted}")


def _drop_temp_objects(cursor: Cursor) -> None:
    """Worker thread: every temporary view, table and sequence of this connection but the rows
    of SCROLL cursors (kept in temp tables named __dataforge_scroll_*)."""
    con = cursor.con
    for kind, view, col in (("VIEW", "duckdb_views", "view_name"), ("TABLE", "duckdb_tables", "table_name"),
                            ("SEQUENCE", "duckdb_sequences", "sequence_name")):
        names = [r[0] for r in con.execute(
            f"SELECT {col} FROM {view}() WHERE temporary AND {col} NOT LIKE '__dataforge_scroll_%'").fetchall()]
        for name in names:
            con.execute(f'DROP {kind} IF EXISTS temp.main."{name.replace(chr(34), chr(34) * 2)}" CASCADE')


def _quiet_rollback(cursor: Cursor) -> None:
    try:
        cursor.con.execute("ROLLBACK")
    except Exception:
        pass


def _append_on(cursor: Cursor, ins: InsertShape, rows: list | pa.Table, tz: str) -> None:
    cursor.prepare(tz)
    if isinstance(rows, pa.Table):
        append_table(cursor.con, ins.key, rows, ins.table, ins.columns)
    else:
        append_rows(cursor.con, ins.key, ins.ncols, rows)


_EXECUTE_UNNAMED = b"\x00\x00\x00\x00\x00"  # Execute: portal "", no row limit
_EXECUTE_UNNAMED_MSG = m.Execute("", 0)
_DESCRIBE_UNNAMED = b"P\x00"  # Describe portal ""
_DESCRIBE_UNNAMED_MSG = m.Describe("P", "")


class _RowBlock:
    """Rows of a run taken from the buffer together (a list of Binds or a BindBlock): per
    row BindComplete, [NoData,] CommandComplete when its unit succeeded; expanded to single
    messages on any error."""

    __slots__ = ("unit", "rows", "described")

    def __init__(self, unit: int, rows, described: bool):
        self.unit, self.rows, self.described = unit, rows, described


class _DecodedRows:
    """Rows of a unit already decoded (while the client was still sending): their Binds /
    BindBlocks, and per parameter the decoded Arrow column."""

    __slots__ = ("items", "columns", "n", "param_formats")

    def __init__(self, items: list, columns: list):
        self.items, self.columns = items, columns
        self.n = _nrows(items)
        self.param_formats = items[0].param_formats


def _nrows(items: list) -> int:
    n = 0
    for b in items:
        t = type(b)
        n += 1 if t is m.Bind else (b.n if t is _DecodedRows else len(b))
    return n


def _flat_binds(items: list) -> list:
    out = []
    for b in items:
        t = type(b)
        if t is m.Bind:
            out.append(b)
        elif t is _DecodedRows:
            out.extend(_flat_binds(b.items))
        else:
            out.extend(b.binds())
    return out


def _column_pieces(binds: list, nparams: int) -> list[list[pa.Array]]:
    """Per parameter, the Arrow binary arrays holding its values for these Binds and
    BindBlocks in order (the Binds between blocks gathered into arrays of their own)."""
    pieces: list[list[pa.Array]] = [[] for _ in range(nparams)]
    loose: list[m.Bind] = []

    def flush() -> None:
        for i in range(nparams):
            pieces[i].append(pa.array([b.params[i] for b in loose], type=pa.large_binary()))
        loose.clear()
    for b in binds:
        if type(b) is m.BindBlock:
            if loose:
                flush()
            for i in range(nparams):
                pieces[i].append(b.columns[i])
        else:
            loose.append(b)
    if loose:
        flush()
    return pieces


def _expand_blocks(run: list) -> list:
    out = []
    for msg, info in run:
        if type(msg) is _RowBlock:
            for b in (msg.rows.binds() if type(msg.rows) is m.BindBlock else msg.rows):
                out.append((b, None))
                if msg.described:
                    out.append((_DESCRIBE_UNNAMED_MSG, None))
                out.append((_EXECUTE_UNNAMED_MSG, msg.unit))
        else:
            out.append((msg, info))
    return out


class _UnitBindError(Exception):
    def __init__(self, bind: m.Bind, error: PgError):
        self.bind = bind
        self.error = error


def _bind_shape_error(prep: Prepared, msg: m.Bind, nparams: int) -> PgError | None:
    """What PostgreSQL refuses about a Bind before looking at its values."""
    if len(msg.params) != nparams:
        return PgError("08P01", f"bind message supplies {len(msg.params)} parameters, "
                                f"but prepared statement \"{prep.name}\" requires {nparams}")
    if len(msg.param_formats) not in (0, 1, nparams):
        return PgError("08P01", f"bind message has {len(msg.param_formats)} parameter formats "
                                f"but {nparams} parameters")
    return None


# (schema version, schema, table) → its (column, DuckDB type) list, for typing INSERT literals
_TABLE_COLUMNS: dict[tuple, list[tuple[str, str]]] = {}


def _unique_constraint_columns(cursor: Cursor, schema: str, table: str, name: str) -> list[str]:
    """The columns of the table's primary key or unique constraint `name` (as pg_constraint
    names it), or of its unique index `name` (ADD CONSTRAINT … UNIQUE makes one)."""
    row = cursor.con.execute(
        "SELECT colnames FROM pg_df_constraints WHERE lower(sch) = lower(?) AND lower(table_name) = lower(?) "
        "AND conname = ? AND contype IN ('p', 'u') "
        "UNION ALL SELECT pg_df_index_keys(expressions) FROM duckdb_indexes() WHERE database_name = current_database() "
        "AND lower(schema_name) = lower(?) AND lower(table_name) = lower(?) AND index_name = ? AND is_unique "
        "LIMIT 1", [schema, table, name, schema, table, name]).fetchone()
    return list(row[0]) if row else []


def _column_types(cursor: Cursor, schema: str, table: str) -> list[tuple[str, str]]:
    return cursor.con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = current_database() "
        "AND lower(schema_name) = lower(?) AND lower(table_name) = lower(?) ORDER BY column_index",
        [schema, table]).fetchall()


def _describe_sql(cursor: Cursor, sql: str, timezone: str):
    cursor.prepare(timezone)
    rel = cursor.con.sql(sql)
    if rel is None:
        return [], []
    return list(rel.columns), list(rel.types)


def _execute_materialized(cursor: Cursor, sql, params, tz, returns_rows, settings=None) -> Outcome:
    return materialize(execute(cursor, sql, params, tz, 65536, returns_rows, settings))


def _buffer_stream(stream: ResultStream) -> None:
    """Read the rest of an open result into memory so its cursor can run another statement."""
    if stream.reader is not None:
        table = stream.reader.read_all()
        stream.reader = None
        batches = table.to_batches()
        if stream.pending is not None:
            batches.insert(0, stream.pending)
            stream.pending = None
        stream._batches = iter(batches)


def _copy_table_columns(cursor: Cursor, schema: str, table: str) -> list:
    """The table's columns; an unqualified name is the session's temporary table first, as
    PostgreSQL's search_path puts pg_temp first."""
    rows = cursor.con.execute(
        "SELECT database_name = 'temp', column_name, data_type, is_nullable, column_default FROM duckdb_columns() "
        "WHERE (database_name = current_database() OR (database_name = 'temp' AND ? = 'main')) "
        "AND schema_name = ? AND table_name = ? ORDER BY 1 DESC, column_index",
        [schema, schema, table]).fetchall()
    return [r[1:] for r in rows if r[0] == rows[0][0]]


def _copy_out_encode(enc, batch) -> tuple[bytes, int]:
    return enc.encode(batch), batch.num_rows


def _copy_out_next(reader, enc, prep: dict | None = None, versioned: list[int] = ()) -> tuple[bytes, int] | None:
    """Worker thread: the next batch of a COPY TO's result, encoded; None at the end."""
    try:
        batch = _copy_out_read(reader)
        if batch is not None and prep:
            batch = _copy_out_prepare(batch, prep, versioned)
    except OSError as e:  # Arrow's stream reports DuckDB's errors as OSError: map them as DuckDB's
        if "INTERRUPT" in str(e):  # cancel or statement_timeout: _run words it
            raise duckdb.InterruptException(str(e)) from None
        raise from_duckdb(e) from None
    return None if batch is None else _copy_out_encode(enc, batch)


def _copy_out_prepare(batch: pa.RecordBatch, prep: dict, versioned: list[int]) -> pa.RecordBatch:
    """The declared types' text (rows.apply_pg_types); the `versioned` (binary jsonb) columns'
    values each behind the format's version byte."""
    batch = apply_pg_types(batch, prep)
    if not versioned:
        return batch
    cols = list(batch.columns)
    for i in versioned:
        cols[i] = pc.binary_join_element_wise("\x01", cols[i], "")
    return pa.RecordBatch.from_arrays(cols, names=batch.schema.names)


def _copy_out_read(reader):
    """Worker thread: the next non-empty batch of a COPY TO's result, None at the end."""
    if reader is None:
        return None
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            return None
        if batch.num_rows:
            return batch


def _msg_type(msg) -> int:
    return {"Query": 0x51, "Parse": 0x50, "Bind": 0x42, "Execute": 0x45, "Describe": 0x44,
            "Close": 0x43, "Terminate": 0x58, "FunctionCall": 0x46}.get(type(msg).__name__, 0)


def _staged_job(st: Statement, values, oids) -> tuple:
    """(DuckDB SQL, params, view) of a data-modifying CTE's DML, for execute_staged."""
    sql, params = sqlparams.bind_sql(st.staged, values, oids)
    return sql, params, st.staged_view


def _returning_probe(st: Statement) -> str | None:
    """A SELECT with the same result columns as a write's RETURNING clause, for Describe."""
    from sqlglot import exp

    if st.staged is not None:
        return st.staged_probe
    tree = st.tree
    if tree is None:
        return None
    ret = tree.args.get("returning")
    if ret is None:
        return None
    target = tree.this
    if isinstance(target, exp.Schema):
        target = target.this
    sel = exp.select(*[e.copy() for e in ret.expressions]).from_(target.copy()).limit(0)
    for p in list(sel.find_all(exp.Parameter)):
        p.replace(exp.Null())
    from .sql.rewrite import to_duckdb

    return to_duckdb(sel).sql
