"""Open the one DuckDB database of this gateway process, and the threads that run it.

Every DuckDB call runs on a worker thread (DuckDB releases the GIL while it executes), so the
event loop only frames bytes and awaits.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, TypeVar

import duckdb

from ..config import Settings
from ..sql.pg_catalog import SEARCH_PATH

log = logging.getLogger("dataforge.engine")
T = TypeVar("T")


class Cursor:
    """One DuckDB connection (a `con.cursor()`), with the session settings it currently has.

    Readers are shared by sessions, so before a statement the session's TimeZone is applied
    to the cursor if it differs (one SET, skipped in the common case).
    """

    __slots__ = ("con", "timezone", "name", "busy_since")

    def __init__(self, con: duckdb.DuckDBPyConnection, name: str):
        self.con = con
        self.timezone = "UTC"
        self.name = name
        self.busy_since = 0.0

    def prepare(self, timezone: str) -> None:
        """Runs on the worker thread, before the statement."""
        if timezone != self.timezone:
            self.con.execute(f"SET TimeZone = '{timezone.replace(chr(39), chr(39) * 2)}'")
            self.timezone = timezone

    def interrupt(self) -> None:
        try:
            self.con.interrupt()
        except Exception:  # pragma: no cover - interrupt on a closed connection
            pass

    def close(self) -> None:
        try:
            self.con.close()
        except Exception:  # pragma: no cover
            pass


# Engine settings the gateway itself changes per cursor after the configuration is locked
# (session TimeZone, compat search_path, PostgreSQL integer division, lossless Arrow types).
# A client can never reach them: the SQL guard refuses SET/RESET/PRAGMA of engine settings.
# DuckDB itself sets current_transaction_invalidation_policy while it runs ALTER TABLE … ADD
# COLUMN … DEFAULT in a transaction: locked, every such ALTER failed there.
ALLOWED_CONFIGS = ("TimeZone", "search_path", "integer_division", "arrow_lossless_conversion",
                   "current_transaction_invalidation_policy")


def lockdown(con: duckdb.DuckDBPyConnection, path: str, temp_directory: str) -> None:
    """Close the engine to the host: no file, network or extension access except the
    gateway's own database and spill files; then lock the configuration.

    Runs after the compatibility catalog is attached (ATTACH needs external access)."""
    dirs: list[str] = []
    paths: list[str] = []
    if path != ":memory:":
        db = str(Path(path).expanduser().resolve())
        paths += [db, db + ".wal"]
    if temp_directory:
        dirs.append(str(Path(temp_directory).expanduser().resolve()) + "/")
    if dirs:
        con.execute("SET allowed_directories = $1", [dirs])
    if paths:
        con.execute("SET allowed_paths = $1", [paths])
    con.execute("SET enable_external_access = false")
    con.execute("SET allowed_configs = $1", [list(ALLOWED_CONFIGS)])
    con.execute("SET lock_configuration = true")


class Database:
    def __init__(self, settings: Settings):
        self.settings = settings
        path = settings.database
        config: dict[str, str] = {
            # nothing a client sends may fetch or load code, or reach Python objects by name
            "autoinstall_known_extensions": "false",
            "autoload_known_extensions": "false",
            "python_enable_replacements": "false",
            # DuckDB's allocator keeps up to this much freed memory per task before giving it
            # back (default 128 MB): a 10 M-row COPY FROM grew RSS by ~70 MB more with it
            "allocator_flush_threshold": "32MB",
        }
        if settings.threads:
            config["threads"] = str(settings.threads)
        if settings.memory_limit:
            config["memory_limit"] = settings.memory_limit
        if path != ":memory:":
            Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
            config["temp_directory"] = settings.temp_directory or str(Path(path).expanduser()) + ".tmp"
        elif settings.temp_directory:
            config["temp_directory"] = settings.temp_directory
        self.path = path
        self.con = duckdb.connect(path, config=config)
        self.con.execute("SET TimeZone = 'UTC'")
        from ..sql.pg_catalog import install
        from .column_types import DeclaredTypes, ensure

        ensure(self.con)  # before the catalog views that read it
        self.declared_types = DeclaredTypes(self)
        install(self.con)
        from ..sql import dialect_functions

        dialect_functions.install(self.con)  # macros the dialect rewrites call
        lockdown(self.con, path, config.get("temp_directory") or "")
        # the workers that run DuckDB calls: readers, pinned transaction cursors, the writer
        self.executor = ThreadPoolExecutor(
            max_workers=max(8, settings.reader_count() * 4), thread_name_prefix="duckdb"
        )
        self._lock = threading.Lock()
        self._n = 0
        self.schema_version = 0  # bumped after DDL: invalidates describe caches

    def cursor(self, name: str = "") -> Cursor:
        with self._lock:
            self._n += 1
            n = self._n
        con = self.con.cursor()
        # one call for the four settings (each call costs ~0.1 ms): 7 / 2 = 3 as in PostgreSQL;
        # lossless Arrow so TIMETZ keeps its offset
        con.execute(f"SET TimeZone = 'UTC'; SET search_path = '{SEARCH_PATH}'; "
                    "SET integer_division = true; SET arrow_lossless_conversion = true")
        return Cursor(con, name or f"cursor-{n}")

    async def run(self, fn: Callable[..., T], *args) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)
        try:
            self.con.execute("CHECKPOINT")
        except Exception as e:  # pragma: no cover - best effort on shutdown
            log.warning("checkpoint at shutdown failed: %s", e)
        self.con.close()
