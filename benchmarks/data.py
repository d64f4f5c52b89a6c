"""Benchmark data: generated once with DuckDB SQL, then loaded identically into every target.

The seed is a DuckDB file built here (range() + hash()-based values, deterministic). The
gateway, buenavista and the in-process DuckDB baseline each get a byte copy of it (the gateway
has no COPY FROM yet, and a copied file is exactly identical data); PostgreSQL gets the same
rows through client-side ``COPY … FROM STDIN (FORMAT csv)`` of CSV files that DuckDB wrote.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import duckdb

# --------------------------------------------------------------------------- bench_rows
# 8 mixed columns: int4, int8, float8, text, date, timestamp, bool, numeric(12,2).
# bulk_read streams the whole table; point_select looks rows up by its primary key.

BENCH_ROWS_DUCKDB = """
CREATE TABLE {name} (
    id INTEGER PRIMARY KEY,
    i8 BIGINT,
    f8 DOUBLE,
    t VARCHAR,
    d DATE,
    ts TIMESTAMP,
    b BOOLEAN,
    n DECIMAL(12,2)
)"""

BENCH_ROWS_INSERT = """
INSERT INTO {name}
SELECT
    i::INTEGER,
    (hash(i * 3) % 1000000000000)::BIGINT - 500000000000,
    (hash(i * 5) % 100000000)::DOUBLE / 1000,
    CASE WHEN i % 20 = 0 THEN NULL
         ELSE 'row-' || i || '-' || substr(md5(i::VARCHAR), 1, 1 + (hash(i * 7) % 24)::INTEGER) END,
    DATE '2000-01-01' + (hash(i * 11) % 10000)::INTEGER,
    TIMESTAMP '2000-01-01 00:00:00' + to_microseconds((hash(i * 13) % 800000000000000)::BIGINT),
    hash(i * 17) % 2 = 0,
    ((hash(i * 19) % 10000000000)::DECIMAL(18,0) / 100)::DECIMAL(12,2)
FROM range(1, {rows} + 1) t(i)"""

BENCH_ROWS_PG = """
CREATE TABLE bench_rows (
    id int4 NOT NULL,
    i8 int8,
    f8 float8,
    t text,
    d date,
    ts timestamp,
    b bool,
    n numeric(12,2)
)"""

# --------------------------------------------------------------------------- TPC-H-like
# customer (rows/40), orders (rows/4), lineitem (rows): the columns TPC-H Q1/Q3/Q4/Q6/Q12 use.

TPCH_DUCKDB = [
    """CREATE TABLE customer (
        c_custkey INTEGER PRIMARY KEY, c_name VARCHAR, c_nationkey INTEGER,
        c_acctbal DECIMAL(12,2), c_mktsegment VARCHAR)""",
    """INSERT INTO customer SELECT
        i::INTEGER,
        'Customer#' || lpad(i::VARCHAR, 9, '0'),
        (hash(i) % 25)::INTEGER,
        ((hash(i * 3) % 1100000)::DECIMAL(18,0) / 100 - 999.99)::DECIMAL(12,2),
        ['AUTOMOBILE', 'BUILDING', 'FURNITURE', 'HOUSEHOLD', 'MACHINERY'][1 + (hash(i * 5) % 5)::INTEGER]
      FROM range(1, {ncust} + 1) t(i)""",
    """CREATE TABLE orders (
        o_orderkey INTEGER PRIMARY KEY, o_custkey INTEGER, o_orderstatus VARCHAR,
        o_totalprice DECIMAL(12,2), o_orderdate DATE, o_orderpriority VARCHAR,
        o_shippriority INTEGER)""",
    """INSERT INTO orders SELECT
        i::INTEGER,
        (1 + hash(i * 7) % {ncust})::INTEGER,
        ['F', 'O', 'P'][1 + (hash(i * 11) % 3)::INTEGER],
        ((hash(i * 17) % 50000000)::DECIMAL(18,0) / 100)::DECIMAL(12,2),
        DATE '1992-01-01' + (hash(i * 13) % 2405)::INTEGER,
        ['1-URGENT', '2-HIGH', '3-MEDIUM', '4-NOT SPECIFIED', '5-LOW'][1 + (hash(i * 19) % 5)::INTEGER],
        0
      FROM range(1, {norders} + 1) t(i)""",
    """CREATE TABLE lineitem (
        l_orderkey INTEGER, l_linenumber INTEGER, l_partkey INTEGER, l_suppkey INTEGER,
        l_quantity DECIMAL(12,2), l_extendedprice DECIMAL(12,2), l_discount DECIMAL(12,2),
        l_tax DECIMAL(12,2), l_returnflag VARCHAR, l_linestatus VARCHAR, l_shipdate DATE,
        l_commitdate DATE, l_receiptdate DATE, l_shipinstruct VARCHAR, l_shipmode VARCHAR)""",
    # the order date is recomputed from the order key with the same hash as in orders
    """INSERT INTO lineitem SELECT
        ok::INTEGER,
        ln::INTEGER,
        (1 + hash(i * 23) % 200000)::INTEGER,
        (1 + hash(i * 29) % 10000)::INTEGER,
        (1 + hash(i * 31) % 50)::DECIMAL(12,2),
        ((hash(i * 37) % 10000000)::DECIMAL(18,0) / 100 + 900)::DECIMAL(12,2),
        ((hash(i * 41) % 11)::DECIMAL(18,0) / 100)::DECIMAL(12,2),
        ((hash(i * 43) % 9)::DECIMAL(18,0) / 100)::DECIMAL(12,2),
        CASE WHEN shipdate > DATE '1995-06-17' THEN 'N' ELSE ['R', 'A'][1 + (hash(i * 47) % 2)::INTEGER] END,
        CASE WHEN shipdate > DATE '1995-06-17' THEN 'O' ELSE 'F' END,
        shipdate,
        orderdate + (30 + hash(i * 53) % 61)::INTEGER,
        shipdate + (1 + hash(i * 59) % 30)::INTEGER,
        ['DELIVER IN PERSON', 'COLLECT COD', 'NONE', 'TAKE BACK RETURN'][1 + (hash(i * 61) % 4)::INTEGER],
        ['REG AIR', 'AIR', 'RAIL', 'SHIP', 'TRUCK', 'MAIL', 'FOB'][1 + (hash(i * 67) % 7)::INTEGER]
      FROM (
        SELECT i, ok, ln, orderdate, orderdate + (1 + hash(i * 71) % 121)::INTEGER AS shipdate
        FROM (
          SELECT i, 1 + i // 4 AS ok, 1 + i % 4 AS ln,
                 DATE '1992-01-01' + (hash((1 + i // 4) * 13) % 2405)::INTEGER AS orderdate
          FROM range(0, {nline}) t(i)
        )
      )""",
]

TPCH_PG = [
    """CREATE TABLE customer (
        c_custkey int4 NOT NULL, c_name text, c_nationkey int4, c_acctbal numeric(12,2),
        c_mktsegment text)""",
    """CREATE TABLE orders (
        o_orderkey int4 NOT NULL, o_custkey int4, o_orderstatus text, o_totalprice numeric(12,2),
        o_orderdate date, o_orderpriority text, o_shippriority int4)""",
    """CREATE TABLE lineitem (
        l_orderkey int4, l_linenumber int4, l_partkey int4, l_suppkey int4,
        l_quantity numeric(12,2), l_extendedprice numeric(12,2), l_discount numeric(12,2),
        l_tax numeric(12,2), l_returnflag text, l_linestatus text, l_shipdate date,
        l_commitdate date, l_receiptdate date, l_shipinstruct text, l_shipmode text)""",
]

# PostgreSQL gets the same keys, created after the load (the usual bulk-load order).
PG_KEYS = {
    "bench_rows": ["ALTER TABLE bench_rows ADD PRIMARY KEY (id)"],
    "customer": ["ALTER TABLE customer ADD PRIMARY KEY (c_custkey)"],
    "orders": ["ALTER TABLE orders ADD PRIMARY KEY (o_orderkey)"],
    "lineitem": [],
}


def tpch_sizes(rows: int) -> dict[str, int]:
    return {"nline": rows, "norders": max(1, rows // 4), "ncust": max(1, rows // 40)}


def build_seed(path: Path, rows: int, *, bench_rows: bool, tpch: bool, log=print) -> list[str]:
    """Create the seed DuckDB file; return the names of the tables it holds."""
    if path.exists():
        path.unlink()
    tables: list[str] = []
    con = duckdb.connect(str(path))
    try:
        if bench_rows:
            t0 = time.perf_counter()
            con.execute(BENCH_ROWS_DUCKDB.format(name="bench_rows"))
            con.execute(BENCH_ROWS_INSERT.format(name="bench_rows", rows=rows))
            tables.append("bench_rows")
            log(f"  seed: bench_rows {rows:,} rows in {time.perf_counter() - t0:.1f}s")
        if tpch:
            t0 = time.perf_counter()
            sizes = tpch_sizes(rows)
            for stmt in TPCH_DUCKDB:
                con.execute(stmt.format(**sizes))
            tables += ["customer", "orders", "lineitem"]
            log(f"  seed: customer/orders/lineitem {sizes['ncust']:,}/{sizes['norders']:,}/"
                f"{sizes['nline']:,} rows in {time.perf_counter() - t0:.1f}s")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return tables


def add_big_table(path: Path, name: str, rows: int) -> None:
    """Add a bench_rows-shaped table of ``rows`` rows to one DuckDB file (the 10 M variant)."""
    con = duckdb.connect(str(path))
    try:
        con.execute(BENCH_ROWS_DUCKDB.replace("PRIMARY KEY", "").format(name=name))
        con.execute(BENCH_ROWS_INSERT.format(name=name, rows=rows))
        con.execute("CHECKPOINT")
    finally:
        con.close()


def export_csv(seed: Path, tables: list[str], out_dir: Path) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(seed), read_only=True)
    files = {}
    try:
        for t in tables:
            f = out_dir / f"{t}.csv"
            con.execute(f"COPY {t} TO '{f}' (FORMAT csv, HEADER false)")
            files[t] = f
    finally:
        con.close()
    return files


def copy_seed(seed: Path, dest: Path) -> Path:
    for p in (dest, Path(str(dest) + ".wal")):
        if p.exists():
            p.unlink()
    shutil.copyfile(seed, dest)
    return dest


def load_postgres(dsn: str, csv_files: dict[str, Path], log=print) -> None:
    """CREATE the tables, COPY the CSVs in (client side), add keys, VACUUM ANALYZE."""
    import psycopg

    ddl = {"bench_rows": [BENCH_ROWS_PG]}
    ddl["customer"], ddl["orders"], ddl["lineitem"] = ([s] for s in TPCH_PG)
    with psycopg.connect(dsn, autocommit=True) as conn:
        for table, path in csv_files.items():
            t0 = time.perf_counter()
            conn.execute(f"DROP TABLE IF EXISTS {table}")
            for stmt in ddl[table]:
                conn.execute(stmt)
            with conn.cursor() as cur, open(path, "rb") as f:
                with cur.copy(f"COPY {table} FROM STDIN (FORMAT csv)") as cp:
                    while chunk := f.read(1 << 20):
                        cp.write(chunk)
            for stmt in PG_KEYS[table]:
                conn.execute(stmt)
            conn.execute(f"VACUUM ANALYZE {table}")
            log(f"  postgres: loaded {table} in {time.perf_counter() - t0:.1f}s")
