"""The serialized writer: one queue, one DuckDB connection, group commit.

Autocommit writes from every session queue here. The writer takes everything queued, runs it
in ONE DuckDB transaction and acknowledges each job after COMMIT returns (DuckDB has written
and synced its WAL by then). Same-shaped single-row INSERTs are merged into one Arrow append.
If the group fails, it is rolled back and every job is retried alone, so only the job that is
wrong sees an error.

Explicit transactions write on their own pinned cursor but hold the writer *lease* from their
first write to COMMIT/ROLLBACK; the group loop takes the same lease, so DuckDB never sees two
writing transactions at once and never raises a write-write conflict under load.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Sequence

import pyarrow as pa

from .. import metrics
from ..errors import PgError, from_duckdb
from ..protocol.types import arrow_column
from ..sql.params import render_literal
from .database import Cursor, Database
from .results import Outcome, execute, materialize

log = logging.getLogger("dataforge.writer")


@dataclass(slots=True)
class InsertRows:
    """Rows for `INSERT INTO target (cols) VALUES (...)`, ready to be appended as Arrow."""

    key: str  # target table + columns, as DuckDB SQL: 'INSERT INTO "t" ("a", "b")'
    ncols: int
    rows: list[Sequence[Any]]
    table: pa.Table | None = None  # or the rows already as columns (executemany's fast path)

    @property
    def count(self) -> int:
        return self.table.num_rows if self.table is not None else len(self.rows)


@dataclass(slots=True)
class WriteJob:
    sql: str = ""
    params: Sequence[Any] | None = None
    returns_rows: bool = False
    timezone: str = "UTC"
    insert: InsertRows | None = None
    future: asyncio.Future | None = field(default=None, repr=False)


class Writer:
    def __init__(self, db: Database, max_group: int):
        self.db = db
        self.cursor: Cursor = db.cursor("writer")
        self.max_group = max_group
        self.lease = asyncio.Lock()
        self._queue: list[WriteJob] = []
        self._wakeup = asyncio.Event()
        self._idle = asyncio.Event()  # set while nothing is queued or running
        self._idle.set()
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="duckdb-writer")
        self._task: asyncio.Task | None = None
        self.groups = 0
        self.jobs_done = 0
        self.batch_n = 0

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._loop(), name="writer")

    async def submit(self, job: WriteJob) -> Outcome:
        job.future = asyncio.get_running_loop().create_future()
        self._queue.append(job)
        self._idle.clear()
        self._wakeup.set()
        return await job.future

    async def _loop(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._queue:
                async with self.lease:
                    jobs = self._queue[: self.max_group]
                    del self._queue[: len(jobs)]
                    metrics.GROUP_COMMIT.observe(len(jobs))
                    results = await loop.run_in_executor(self._thread, self._run_group, jobs)
                self.groups += 1
                self.jobs_done += len(jobs)
                for job, res in zip(jobs, results):
                    if job.future.done():
                        continue
                    if isinstance(res, BaseException):
                        job.future.set_exception(res)
                    else:
                        job.future.set_result(res)
            self._idle.set()

    async def drained(self) -> None:
        """Return once every queued write has been committed and acknowledged."""
        await self._idle.wait()

    # ---- on the writer thread

    def _run_group(self, jobs: list[WriteJob]) -> list[Outcome | PgError]:
        con = self.cursor.con
        try:
            con.execute("BEGIN TRANSACTION")
        except Exception as e:
            err = from_duckdb(e)
            return [err for _ in jobs]
        try:
            results = self._run_jobs(jobs)
            con.execute("COMMIT")
            return results
        except Exception as e:
            self._rollback()
            if len(jobs) == 1:
                return [from_duckdb(e)]
        # the group failed: retry each job alone, so only the failing one reports an error
        out: list[Outcome | PgError] = []
        for job in jobs:
            try:
                con.execute("BEGIN TRANSACTION")
                res = self._run_jobs([job])[0]
                con.execute("COMMIT")
                out.append(res)
            except Exception as e:
                self._rollback()
                out.append(from_duckdb(e))
        return out

    def _rollback(self) -> None:
        try:
            self.cursor.con.execute("ROLLBACK")
        except Exception:
            pass

    def _run_jobs(self, jobs: list[WriteJob]) -> list[Outcome]:
        results: list[Outcome | None] = [None] * len(jobs)
        # merge same-target INSERT row sets into one Arrow append each
        merged: dict[str, list[int]] = {}
        for i, job in enumerate(jobs):
            if job.insert is not None:
                merged.setdefault(job.insert.key, []).append(i)
        done_inserts: set[str] = set()
        for i, job in enumerate(jobs):
            if job.insert is not None:
                key = job.insert.key
                if key in done_inserts:
                    continue
                idx = merged[key]
                rows: list = []
                self.cursor.prepare(job.timezone)
                for j in idx:
                    if jobs[j].insert.table is not None:
                        append_table(self.cursor.con, key, jobs[j].insert.table)
                    else:
                        rows.extend(jobs[j].insert.rows)
                if rows:
                    append_rows(self.cursor.con, key, job.insert.ncols, rows)
                for j in idx:
                    results[j] = Outcome(rowcount=jobs[j].insert.count)
                done_inserts.add(key)
                self.batch_n += 1
                continue
            out = execute(self.cursor, job.sql, job.params, job.timezone, 65536, job.returns_rows)
            results[i] = materialize(out)
        return results  # type: ignore[return-value]

    def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
        self._thread.shutdown(wait=True)
        self.cursor.close()


def rows_to_arrow(ncols: int, rows: list[Sequence[Any]]) -> pa.Table:
    cols = [arrow_column([r[c] for r in rows]) for c in range(ncols)]
    return pa.table(cols, names=[f"c{i}" for i in range(ncols)])


# below this many rows one INSERT … VALUES of rendered literals beats registering an Arrow table
SMALL_APPEND = 128


def append_rows(con, insert_sql: str, ncols: int, rows: list[Sequence[Any]]) -> int:
    """Append rows: as one multi-row VALUES for a few rows, through Arrow for many. Either way
    DuckDB casts each value to the target column's type."""
    if len(rows) <= SMALL_APPEND:
        values = ", ".join("(" + ", ".join(render_literal(v) for v in r) + ")" for r in rows)
        con.execute(f"{insert_sql} VALUES {values}")
        return len(rows)
    return append_table(con, insert_sql, rows_to_arrow(ncols, rows))


def append_table(con, insert_sql: str, tbl: pa.Table) -> int:
    con.register("__dataforge_rows", tbl)
    try:
        con.execute(f"{insert_sql} SELECT * FROM __dataforge_rows")
    finally:
        con.unregister("__dataforge_rows")
    return tbl.num_rows
