"""`dataforge load FILE TABLE`: a local CSV, Parquet or NDJSON file into a table, through the
same Arrow path as COPY FROM STDIN (decoders in protocol/copy.py, CopyIn's typed append in ONE
transaction in engine/writer.py), straight into the gateway's DuckDB file.

DuckDB lets one process write a database file: run it while the gateway is stopped, or load
through a running gateway with `psql \\copy` / any COPY client.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pyarrow as pa

from .errors import PgError
from .protocol.copy import Chunk, CopyColumn, CopySpec, decoder_for

READ_BYTES = 4 << 20


def _format_of(path: Path, fmt: str | None) -> str:
    if fmt:
        return fmt
    suffix = "".join(path.suffixes[-2:]).lower()
    if suffix.endswith((".parquet", ".pq")):
        return "parquet"
    if suffix.endswith((".ndjson", ".jsonl", ".json")):
        return "ndjson"
    return "csv"


def _columns(con, schema: str, table: str) -> list[CopyColumn]:
    rows = con.execute(
        "SELECT column_name, data_type, is_nullable, column_default FROM duckdb_columns() "
        "WHERE database_name = current_database() AND schema_name = ? AND table_name = ? ORDER BY column_index",
        [schema, table]).fetchall()
    if not rows:
        raise PgError("42P01", f'relation "{table}" does not exist')
    return [CopyColumn(r[0], r[1], r[2], r[3]) for r in rows]


def _csv_chunks(path: Path, spec: CopySpec, listed: list[CopyColumn]):
    decoder = decoder_for(spec, listed)
    with open(path, "rb") as f:
        while True:
            data = f.read(READ_BYTES)
            chunk = decoder.feed(data, not data)
            if chunk is not None:
                yield chunk
            if not data:
                return


def _by_name(tbl: pa.Table, listed: list[CopyColumn], line0: int) -> Chunk:
    """Parquet / NDJSON columns matched to the table's by name (missing ones take defaults)."""
    names = {n.lower(): n for n in tbl.column_names}
    cols = [tbl.column(names[c.name.lower()]) for c in listed]
    return Chunk(pa.table(cols, names=[f"c{i}" for i in range(len(cols))]), line0)


def _listed_for(file_names: list[str], cols: list[CopyColumn]) -> list[CopyColumn]:
    have = {n.lower() for n in file_names}
    listed = [c for c in cols if c.name.lower() in have]
    if not listed:
        raise PgError("42703", "none of the file's columns is a column of the table",
                      detail=f"file columns: {', '.join(file_names)}")
    return listed


def _parquet_chunks(path: Path, cols: list[CopyColumn], state: dict):
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    listed = _listed_for(pf.schema_arrow.names, cols)
    state["listed"] = listed
    n = 0
    for batch in pf.iter_batches(batch_size=262144):
        yield _by_name(pa.Table.from_batches([batch]), listed, n)
        n += batch.num_rows


def _ndjson_chunks(path: Path, cols: list[CopyColumn], state: dict):
    import pyarrow.json as pj

    reader = pj.open_json(path, read_options=pj.ReadOptions(block_size=READ_BYTES))
    listed = _listed_for(reader.schema.names, cols)
    state["listed"] = listed
    n = 0
    for batch in reader:
        yield _by_name(pa.Table.from_batches([batch]), listed, n)
        n += batch.num_rows


def load_file(database: str, path: str, table: str, fmt: str | None = None, header: bool = True,
              delimiter: str = ",", null: str = "", progress=sys.stderr) -> int:
    """Append the file's rows to `table` in one transaction; returns the rows loaded."""
    import duckdb

    from .engine.database import Cursor
    from .engine.writer import CopyIn

    src = Path(path)
    if not src.exists():
        raise PgError("58P01", f'could not open file "{path}" for reading: No such file or directory')
    fmt = _format_of(src, fmt)
    schema, _, name = table.rpartition(".")
    schema = "main" if schema in ("", "public") else schema
    con = duckdb.connect(database)
    try:
        cols = _columns(con, schema, name)
        state: dict = {}
        if fmt == "csv":
            spec = CopySpec(direction="from", fmt="csv", header=header, delimiter=delimiter, null=null)
            spec.finish()
            listed = cols
            if header:  # the header names the columns, in the file's order
                import pyarrow.csv as pacsv

                with open(src, "rb") as f:
                    first = f.readline()
                names = pacsv.read_csv(pa.py_buffer(first), read_options=pacsv.ReadOptions(
                    autogenerate_column_names=True), parse_options=pacsv.ParseOptions(delimiter=delimiter),
                    convert_options=pacsv.ConvertOptions(strings_can_be_null=False)).to_pylist()
                file_names = [str(v) for v in names[0].values()] if names else []
                by_name = {c.name.lower(): c for c in cols}
                missing = [n for n in file_names if n.lower() not in by_name]
                if missing:
                    raise PgError("42703", f'column "{missing[0]}" of relation "{name}" does not exist')
                listed = [by_name[n.lower()] for n in file_names]
            state["listed"] = listed
            chunks = _csv_chunks(src, spec, listed)
        elif fmt == "parquet":
            chunks = _parquet_chunks(src, cols, state)
        elif fmt == "ndjson":
            chunks = _ndjson_chunks(src, cols, state)
        else:
            raise PgError("22023", f'unknown file format "{fmt}"', hint="Use csv, parquet or ndjson.")
        target = f'"{schema}"."{name}"' if schema != "main" else f'"{name}"'
        job = None
        started = time.perf_counter()
        last = 0.0
        con.execute("BEGIN TRANSACTION")
        try:
            for chunk in chunks:
                if job is None:
                    job = CopyIn(Cursor(con, "load"), target, name, state["listed"], cols, None,
                                 own_txn=False, timezone="UTC", lookup=con.cursor)
                job._append(chunk)
                now = time.perf_counter()
                if progress is not None and now - last > 0.5:
                    last = now
                    rate = job.rows / max(now - started, 1e-9)
                    print(f"\r{job.rows:,} rows  {rate:,.0f} rows/s", end="", file=progress, flush=True)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        rows = job.rows if job is not None else 0
        if progress is not None:
            secs = time.perf_counter() - started
            print(f"\r{rows:,} rows  {rows / max(secs, 1e-9):,.0f} rows/s  ({secs:.1f} s)", file=progress,
                  flush=True)
        con.execute("CHECKPOINT")
        return rows
    finally:
        con.close()
