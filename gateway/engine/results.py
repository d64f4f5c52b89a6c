"""Run a statement on a cursor and stream its result as encoded DataRow bytes.

`execute()` runs on a worker thread. A result with rows stays open as a RecordBatchReader
(DuckDB streams it lazily); `ResultStream.read_chunk()` reads and encodes one batch per
thread hop, so memory is bounded by a batch or two whatever the result size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import duckdb
import pyarrow as pa

from ..protocol.rows import DataRowEncoder
from . import rebuild, sequences
from .database import Cursor, Database


@dataclass(slots=True)
class Outcome:
    """What a statement produced: a reader over its rows, or a row count."""

    names: list[str] | None = None
    types: list[Any] | None = None
    reader: pa.RecordBatchReader | None = None
    table: pa.Table | None = None  # materialized rows (writes with RETURNING)
    rowcount: int = 0


def execute(
    cur: Cursor, sql: str, params: Sequence[Any] | None, timezone: str, batch_rows: int, returns_rows: bool,
    settings: dict[str, str] | None = None,
) -> Outcome:
    cur.prepare(timezone)
    con = cur.con
    if sql.startswith("/*dataforge:"):  # ALTER TABLE around DuckDB's limits (engine/rebuild.py)
        if sql.startswith(sequences.MARK):  # setval(), ALTER SEQUENCE … RESTART (engine/sequences.py)
            names, types, table = sequences.run(con, sql, params)
            return Outcome(names=names, types=types, table=table, rowcount=table.num_rows) if returns_rows \
                else Outcome(rowcount=0)
        if sql.startswith(rebuild.MARK):
            rebuild.add_constraints(con, sql)
        elif sql.startswith(rebuild.MARK_ALTER):
            rebuild.alter_table(con, sql)
        elif sql.startswith(rebuild.MARK_DROP):
            rebuild.drop_constraint(con, sql)
        elif sql.startswith(rebuild.MARK_TRUNCATE):
            rebuild.truncate_tables(con, sql)
        return Outcome(rowcount=0)
    if settings is not None:
        # current_setting() reads the session's PostgreSQL settings from this variable
        con.execute("SET VARIABLE dataforge_settings = $1::MAP(VARCHAR, VARCHAR)", [settings])
    if params:
        con.execute(sql, list(params))
    else:
        try:
            con.execute(sql)
        except duckdb.CatalogException as e:
            # ALTER TABLE v RENAME TO …, which PostgreSQL allows on a view (dbt renames its
            # views so); DuckDB wants ALTER VIEW (a catalog error leaves the transaction usable)
            if not (sql.startswith("ALTER TABLE ") and "Can only modify view with ALTER VIEW" in str(e)):
                raise
            con.execute("ALTER VIEW " + sql[len("ALTER TABLE "):])
    if not returns_rows:
        return Outcome(rowcount=_count(con))
    desc = con.description
    if desc is None:
        return Outcome(rowcount=0)
    return Outcome(
        names=[d[0] for d in desc], types=[d[1] for d in desc], reader=con.to_arrow_reader(batch_rows)
    )


def execute_staged(
    cur: Cursor, staged: tuple[str, Sequence[Any] | None, str], sql: str, params: Sequence[Any] | None,
    timezone: str, batch_rows: int, returns_rows: bool, settings: dict[str, str] | None = None,
) -> Outcome:
    """A data-modifying CTE (sql/classify.py _staged_statement): the DML `staged` = (DuckDB
    SQL, params, view name) runs first and its RETURNING rows are registered as the view the
    SELECT `sql` reads; both in the caller's transaction. The result is materialized before the
    view goes (the RETURNING rows are in memory anyway, as a write's RETURNING is). The outer
    statement is a SELECT, or an INSERT/UPDATE/DELETE without RETURNING (returns_rows False)."""
    dml_sql, dml_params, view = staged
    out = execute(cur, dml_sql, dml_params, timezone, batch_rows, True, settings)
    rows = out.reader.read_all() if out.reader is not None else pa.table({})
    cur.con.register(view, rows)
    try:
        return materialize(execute(cur, sql, params, timezone, batch_rows, returns_rows, settings))
    finally:
        cur.con.unregister(view)


def _count(con) -> int:
    """DuckDB answers DML with one row holding the affected-row count."""
    desc = con.description
    if not desc or desc[0][0] != "Count":
        return 0
    row = con.fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def materialize(outcome: Outcome) -> Outcome:
    """Writes run on the serialized writer, which can't wait on a client: read the rows now."""
    if outcome.reader is not None:
        outcome.table = outcome.reader.read_all()
        outcome.reader = None
    return outcome


class ResultStream:
    """An open result being sent to a client, possibly in several Execute calls (portals)."""

    def __init__(
        self,
        db: Database,
        outcome: Outcome,
        formats: Sequence[int],
        cursor: Cursor | None = None,
        on_close: Callable[[], None] | None = None,
        batch_rows: int = 0,
        pg_types: Sequence | None = None,
    ):
        self.db = db
        self.cursor = cursor
        self.types = outcome.types or []
        self.names = outcome.names or []
        self.formats = list(formats)
        self.reader = outcome.reader
        self._batches = iter(outcome.table.to_batches()) if outcome.table is not None else None
        self.pg_types = pg_types  # (oid, typmod) overrides per column (sql/result_types.py)
        self.encoder = DataRowEncoder(self.types, formats, pg_types)
        self.pending: pa.RecordBatch | None = None
        self.batch_rows = batch_rows
        self.rows = 0
        self.done = False
        self._on_close = on_close

    def _next_batch(self) -> pa.RecordBatch | None:
        if self.pending is not None:
            b, self.pending = self.pending, None
            return b
        try:
            if self._batches is not None:
                return next(self._batches)
            if self.reader is None:
                return None
            return self.reader.read_next_batch()
        except StopIteration:
            return None

    def read_chunk(self, max_rows: int) -> tuple[bytes, int]:
        """Worker thread: the next encoded rows (at most max_rows if > 0). Sets self.done."""
        out: list = []
        n = 0
        while True:
            b = self._next_batch()
            if b is None:
                self.done = True
                break
            if b.num_rows == 0:
                continue
            if max_rows > 0 and n + b.num_rows > max_rows:
                take = max_rows - n
                self.pending = b.slice(take)
                b = b.slice(0, take)
            out.append(self.encoder.encode(b))
            n += b.num_rows
            if max_rows > 0 and n >= max_rows:
                break  # like PostgreSQL: suspended even when the limit falls on the last row
            if max_rows <= 0:
                if self.batch_rows == 0 or b.num_rows < self.batch_rows:
                    # a short batch is usually the last: find out now, saving the client a
                    # second thread hop just to learn the result has ended
                    nb = self._next_batch()
                    if nb is None:
                        self.done = True
                    else:
                        self.pending = nb
                break  # one batch per hop: let the loop write and apply backpressure
        self.rows += n
        if len(out) == 1:
            return out[0], n
        return b"".join(bytes(x) for x in out), n

    def close(self) -> None:
        if self.reader is not None:
            try:
                self.reader.close()
            except Exception:  # pragma: no cover
                pass
            self.reader = None
        self._batches = None
        self.done = True
        if self._on_close is not None:
            cb, self._on_close = self._on_close, None
            cb()
