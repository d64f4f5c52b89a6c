"""The scenarios: each is a list of cases; a case measures one number on one target.

A measuring function gets the target and the run context and returns a :class:`Sample`
(client-side wall time turned into rows/s, QPS or milliseconds), or raises: the runner turns
any exception into "n/a" with its message for that target and case.
"""

from __future__ import annotations

import datetime
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

import duckdb
import psycopg

from .targets import BV, DUCK, GW, PG, NotApplicable, Target, short_error


@dataclass
class Ctx:
    rows: int
    insert_seconds: float
    insert_clients: int
    point_seconds: float
    em_total: int
    em_batch: int
    big_rows: int
    timeout: float
    tpch_expected: dict[str, int] = field(default_factory=dict)


@dataclass
class Sample:
    value: float
    extra: dict = field(default_factory=dict)


@dataclass
class Goal:
    """gateway <op> ratio × against (against=None: an absolute bound on ``metric``)."""

    against: str | None
    op: str  # ">=" or "<="
    bound: float
    metric: str = "value"  # "value" or "rss" (gateway RSS growth, MB)

    def text(self) -> str:
        if self.metric == "rss":
            return f"RSS growth {self.op.replace('<=', '<')} {self.bound:g} MB"
        return f"{self.op} {self.bound:g}× {self.against}"


@dataclass
class Case:
    scenario: str
    name: str
    unit: str
    higher_is_better: bool
    fn: Callable[[Target, Ctx], Sample] | None
    goal: Goal | None = None
    sample_rss: bool = False
    duration_bound: bool = False  # the timeout is the scenario's duration + a margin
    na: dict[str, str] = field(default_factory=dict)  # target → why it is not measured
    setup: Callable[[Ctx, dict[str, Target]], None] | None = None


# --------------------------------------------------------------------------- bulk_read

BULK_SQL = "SELECT id, i8, f8, t, d, ts, b, n FROM {table}"


def _check_rows(got: int, want: int) -> None:
    if got != want:
        raise RuntimeError(f"wrong result: {got:,} rows, expected {want:,}")


# the same columns computed on the fly: a stream with no table behind it, so the gateway's RSS
# shows what streaming holds, without DuckDB's block cache filling with the table's blocks
GEN_SQL = ("SELECT i AS id, i * 2 AS i8, i / 3.0 AS f8, 'text value ' || i AS t, "
           "DATE '2020-01-01' + (i % 1000)::int AS d, TIMESTAMP '2020-01-01' + i * INTERVAL '1 second' AS ts, "
           "i % 2 = 0 AS b, (i / 7.0)::numeric(12,2) AS n FROM generate_series(1, {rows}) AS g(i)")


def _bulk(mode: str, table: str = "bench_rows", rows_attr: str = "rows", generated: bool = False):
    def measure(t: Target, ctx: Ctx) -> Sample:
        want = getattr(ctx, rows_attr)
        sql = GEN_SQL.format(rows=want) if generated else BULK_SQL.format(table=table)
        if not t.wire:
            cur = t.cursor()
            t0 = time.perf_counter()
            res = cur.execute(sql)
            if mode == "stream":
                n = 0
                while batch := res.fetchmany(10_000):
                    n += len(batch)
            else:
                n = len(res.fetchall())
            dt = time.perf_counter() - t0
            cur.close()
            _check_rows(n, want)
            return Sample(n / dt)
        with t.connect() as conn:
            cur = conn.cursor(binary=(mode == "binary"))
            t0 = time.perf_counter()
            if mode == "stream":
                n = 0
                for _ in cur.stream(sql):
                    n += 1
            else:
                cur.execute(sql)
                n = len(cur.fetchall())
            dt = time.perf_counter() - t0
        _check_rows(n, want)
        return Sample(n / dt)

    return measure


# --------------------------------------------------------------------------- insert_16

INS_DDL_DROP = "DROP TABLE IF EXISTS bench_ins"
INS_DDL = "CREATE TABLE bench_ins (id BIGINT PRIMARY KEY, client INTEGER, v TEXT, ts TIMESTAMP)"
INS_SQL = "INSERT INTO bench_ins (id, client, v, ts) VALUES ({p}, {p}, {p}, {p})"


def _recreate(t: Target, drop: str, create: str) -> None:
    if t.wire:
        with t.connect() as conn:
            conn.execute(drop)
            conn.execute(create)
    else:
        cur = t.cursor()
        cur.execute(drop)
        cur.execute(create)
        cur.close()


def _select_ids(t: Target, sql: str) -> list:
    if t.wire:
        with t.connect() as conn:
            return [r[0] for r in conn.execute(sql).fetchall()]
    cur = t.cursor()
    try:
        return [r[0] for r in cur.execute(sql).fetchall()]
    finally:
        cur.close()


def _verify_inserts(t: Target, acked: list[list[int]]) -> tuple[int, int]:
    """(acknowledged rows missing, rows present that were not acknowledged).

    Compared per client by count and sum of keys (a 16-row answer, so the check does not
    depend on the target streaming a large result); a client whose numbers disagree has its
    keys read back one by one to count exactly.
    """
    sql = "SELECT client, count(*), sum(id) FROM bench_ins GROUP BY client"
    if t.wire:
        with t.connect() as conn:
            agg = {int(r[0]): (int(r[1]), int(r[2])) for r in conn.execute(sql).fetchall()}
    else:
        cur = t.cursor()
        agg = {int(r[0]): (int(r[1]), int(r[2])) for r in cur.execute(sql).fetchall()}
        cur.close()
    missing = extra = 0
    for ci, keys in enumerate(acked):
        if agg.get(ci, (0, 0)) == (len(keys), sum(keys)):
            continue
        present = set(_select_ids(t, f"SELECT id FROM bench_ins WHERE client = {ci}"))
        mine = set(keys)
        missing += len(mine - present)
        extra += len(present - mine)
    return missing, extra


def _is_conflict(e: BaseException) -> bool:
    msg = str(e).lower()
    return getattr(e, "sqlstate", None) in ("40001", "40P01") or "conflict" in msg or "serializ" in msg


def measure_insert(t: Target, ctx: Ctx) -> Sample:
    _recreate(t, INS_DDL_DROP, INS_DDL)
    nclients, seconds = ctx.insert_clients, ctx.insert_seconds
    acked: list[list[int]] = [[] for _ in range(nclients)]
    conflicts = [0] * nclients
    others = [0] * nclients
    first_error: list[str] = []
    stop = threading.Event()
    ready = threading.Barrier(nclients + 1)
    ts = datetime.datetime(2024, 1, 2, 3, 4, 5)

    def worker(ci: int) -> None:
        try:
            if t.wire:
                conn = t.connect()
                run = conn.cursor().execute
                sql = INS_SQL.format(p="%s")
            else:
                conn = t.cursor()
                run = conn.execute
                sql = INS_SQL.format(p="?")
        except Exception as e:  # noqa: BLE001
            first_error.append(f"connect: {short_error(e)}")
            ready.abort()
            return
        try:
            ready.wait()
        except threading.BrokenBarrierError:
            conn.close()
            return
        seq = 0
        mine = acked[ci]
        try:
            while not stop.is_set():
                key = ci * 1_000_000_000 + seq
                seq += 1
                try:
                    run(sql, (key, ci, f"client {ci} row {seq}", ts))
                    mine.append(key)
                except (psycopg.Error, duckdb.Error) as e:
                    if _is_conflict(e):
                        conflicts[ci] += 1
                    else:
                        others[ci] += 1
                    if not first_error:
                        first_error.append(short_error(e))
                    if isinstance(e, psycopg.OperationalError) and conn.closed:
                        return  # connection lost: this client is done
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(nclients)]
    for th in threads:
        th.start()
    try:
        ready.wait(60)
    except threading.BrokenBarrierError:
        raise RuntimeError(f"clients could not connect: {first_error[:1]}") from None
    t0 = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for th in threads:
        th.join(seconds + 60)
    dt = time.perf_counter() - t0
    hung = sum(th.is_alive() for th in threads)
    n_acked = sum(len(a) for a in acked)
    if n_acked == 0:
        raise RuntimeError(f"no INSERT succeeded; first error: {first_error[0] if first_error else '?'}")
    missing, unacked_present = _verify_inserts(t, acked)
    extra = {"acked": n_acked, "conflicts": sum(conflicts), "other_errors": sum(others),
             "missing_acked": missing}
    if unacked_present:
        extra["unacknowledged_rows_present"] = unacked_present
    if hung:
        extra["hung_clients"] = hung
    if first_error:
        extra["first_error"] = first_error[0]
    return Sample(n_acked / dt, extra)


# --------------------------------------------------------------------------- executemany

EM_DROP = "DROP TABLE IF EXISTS bench_em"
EM_DDL = ("CREATE TABLE bench_em (id BIGINT PRIMARY KEY, a INTEGER, b DOUBLE PRECISION, "
          "c TEXT, d DATE)")
EM_SQL = "INSERT INTO bench_em (id, a, b, c, d) VALUES ({p}, {p}, {p}, {p}, {p})"


def measure_executemany(t: Target, ctx: Ctx) -> Sample:
    _recreate(t, EM_DROP, EM_DDL)
    base = datetime.date(2020, 1, 1)
    batches = []
    for start in range(0, ctx.em_total, ctx.em_batch):
        batches.append([(i, i % 1000, i / 7, f"item {i}", base + datetime.timedelta(days=i % 3650))
                        for i in range(start, min(start + ctx.em_batch, ctx.em_total))])
    if t.wire:
        with t.connect(autocommit=False) as conn:
            cur = conn.cursor()
            sql = EM_SQL.format(p="%s")
            t0 = time.perf_counter()
            for batch in batches:  # one transaction per 1,000-row batch
                cur.executemany(sql, batch)
                conn.commit()
            dt = time.perf_counter() - t0
    else:
        cur = t.cursor()
        sql = EM_SQL.format(p="?")
        t0 = time.perf_counter()
        for batch in batches:
            cur.execute("BEGIN")
            cur.executemany(sql, batch)
            cur.execute("COMMIT")
        dt = time.perf_counter() - t0
        cur.close()
    n = _select_ids(t, "SELECT count(*) FROM bench_em")[0]
    _check_rows(int(n), ctx.em_total)
    return Sample(ctx.em_total / dt)


# --------------------------------------------------------------------------- point_select

POINT_SQL = "SELECT id, i8, f8, t, d, ts, b, n FROM bench_rows WHERE id = {p}"


def _point(nclients: int):
    def measure(t: Target, ctx: Ctx) -> Sample:
        counts = [0] * nclients
        misses = [0] * nclients
        errors: list[str] = []
        stop = threading.Event()
        ready = threading.Barrier(nclients + 1)

        def worker(ci: int) -> None:
            rng = random.Random(1000 + ci)
            try:
                if t.wire:
                    conn = t.connect()
                    cur = conn.cursor()
                    sql = POINT_SQL.format(p="%s")

                    def lookup(k):
                        cur.execute(sql, (k,), prepare=True)
                        return cur.fetchone()
                else:
                    conn = t.cursor()
                    sql = POINT_SQL.format(p="?")

                    def lookup(k):
                        return conn.execute(sql, [k]).fetchone()
            except Exception as e:  # noqa: BLE001
                errors.append(f"connect: {short_error(e)}")
                ready.abort()
                return
            try:
                ready.wait()
            except threading.BrokenBarrierError:
                conn.close()
                return
            n = 0
            try:
                while not stop.is_set():
                    k = rng.randint(1, ctx.rows)
                    row = lookup(k)
                    if row is None or row[0] != k:
                        misses[ci] += 1
                    n += 1
            except Exception as e:  # noqa: BLE001
                errors.append(short_error(e))
            finally:
                counts[ci] = n
                conn.close()

        threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(nclients)]
        for th in threads:
            th.start()
        try:
            ready.wait(60)
        except threading.BrokenBarrierError:
            raise RuntimeError(f"clients could not connect: {errors[:1]}") from None
        t0 = time.perf_counter()
        time.sleep(ctx.point_seconds)
        stop.set()
        for th in threads:
            th.join(ctx.point_seconds + 60)
        dt = time.perf_counter() - t0
        if errors:
            raise RuntimeError(errors[0])
        if sum(misses):
            raise RuntimeError(f"wrong result: {sum(misses)} lookups did not return their row")
        return Sample(sum(counts) / dt)

    return measure


# --------------------------------------------------------------------------- tpch

TPCH_QUERIES = {
    "q1": """
SELECT l_returnflag, l_linestatus,
       sum(l_quantity) AS sum_qty, sum(l_extendedprice) AS sum_base_price,
       sum(l_extendedprice * (1 - l_discount)) AS sum_disc_price,
       sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)) AS sum_charge,
       avg(l_quantity) AS avg_qty, avg(l_extendedprice) AS avg_price,
       avg(l_discount) AS avg_disc, count(*) AS count_order
FROM lineitem
WHERE l_shipdate <= DATE '1998-09-02'
GROUP BY l_returnflag, l_linestatus
ORDER BY l_returnflag, l_linestatus""",
    "q3": """
SELECT l_orderkey, sum(l_extendedprice * (1 - l_discount)) AS revenue, o_orderdate, o_shippriority
FROM customer, orders, lineitem
WHERE c_mktsegment = 'BUILDING' AND c_custkey = o_custkey AND l_orderkey = o_orderkey
  AND o_orderdate < DATE '1995-03-15' AND l_shipdate > DATE '1995-03-15'
GROUP BY l_orderkey, o_orderdate, o_shippriority
ORDER BY revenue DESC, o_orderdate, l_orderkey
LIMIT 10""",
    "q4": """
SELECT o_orderpriority, count(*) AS order_count
FROM orders
WHERE o_orderdate >= DATE '1993-07-01' AND o_orderdate < DATE '1993-10-01'
  AND EXISTS (SELECT * FROM lineitem WHERE l_orderkey = o_orderkey AND l_commitdate < l_receiptdate)
GROUP BY o_orderpriority
ORDER BY o_orderpriority""",
    "q6": """
SELECT sum(l_extendedprice * l_discount) AS revenue
FROM lineitem
WHERE l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01'
  AND l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24""",
    "q12": """
SELECT l_shipmode,
       sum(CASE WHEN o_orderpriority = '1-URGENT' OR o_orderpriority = '2-HIGH' THEN 1 ELSE 0 END)
         AS high_line_count,
       sum(CASE WHEN o_orderpriority <> '1-URGENT' AND o_orderpriority <> '2-HIGH' THEN 1 ELSE 0 END)
         AS low_line_count
FROM orders, lineitem
WHERE o_orderkey = l_orderkey AND l_shipmode IN ('MAIL', 'SHIP')
  AND l_commitdate < l_receiptdate AND l_shipdate < l_commitdate
  AND l_receiptdate >= DATE '1994-01-01' AND l_receiptdate < DATE '1995-01-01'
GROUP BY l_shipmode
ORDER BY l_shipmode""",
}


def _tpch_setup(ctx: Ctx, targets: dict[str, Target]) -> None:
    """The row count each query must return, from DuckDB in-process (the reference)."""
    duck = targets.get(DUCK)
    if duck is None or ctx.tpch_expected:
        return
    cur = duck.cursor()
    for name, sql in TPCH_QUERIES.items():
        ctx.tpch_expected[name] = len(cur.execute(sql).fetchall())
    cur.close()


def _tpch(name: str):
    sql = TPCH_QUERIES[name]

    def measure(t: Target, ctx: Ctx) -> Sample:
        if t.wire:
            with t.connect() as conn:
                cur = conn.cursor()
                t0 = time.perf_counter()
                cur.execute(sql)
                rows = cur.fetchall()
                dt = time.perf_counter() - t0
        else:
            cur = t.cursor()
            t0 = time.perf_counter()
            rows = cur.execute(sql).fetchall()
            dt = time.perf_counter() - t0
            cur.close()
        want = ctx.tpch_expected.get(name)
        if want is not None:
            _check_rows(len(rows), want)
        return Sample(dt * 1000)

    return measure


# --------------------------------------------------------------------------- COPY

COPY_DDL = ("CREATE TABLE bench_copy (id INTEGER, big BIGINT, name TEXT, score DOUBLE PRECISION, "
            "ts TIMESTAMP, ok BOOLEAN, amount NUMERIC(12,2), day DATE)")
_COPY_FILES: dict[int, str] = {}


def copy_csv_file(rows: int) -> str:
    """A CSV file of `rows` rows × 8 mixed columns (written once per size by DuckDB)."""
    import os
    import tempfile

    path = _COPY_FILES.get(rows)
    if path is None or not os.path.exists(path):
        path = os.path.join(tempfile.mkdtemp(prefix="dfcopy-"), f"copy_{rows}.csv")
        duckdb.connect().execute(f"""
            COPY (SELECT i::INTEGER, i * 7, 'name ' || (i % 1000) || ', "q"', i * 0.5,
                         TIMESTAMP '2024-01-01' + to_seconds(i), i % 2 = 0, ((i % 10000) / 100)::DECIMAL(12,2),
                         DATE '2000-01-01' + (i % 9000)::INTEGER
                  FROM range({rows}) t(i)) TO '{path}' (FORMAT csv, HEADER false)""")
        _COPY_FILES[rows] = path
    return path


def _copy_in_csv(rows_attr: str):
    def measure(t: Target, ctx: Ctx) -> Sample:
        rows = getattr(ctx, rows_attr)
        path = copy_csv_file(rows)
        _recreate(t, "DROP TABLE IF EXISTS bench_copy", COPY_DDL)
        if t.wire:
            with t.connect() as conn, open(path, "rb") as f:
                cur = conn.cursor()
                t0 = time.perf_counter()
                with cur.copy("COPY bench_copy FROM STDIN (FORMAT csv)") as cp:
                    while chunk := f.read(1 << 20):
                        cp.write(chunk)
                dt = time.perf_counter() - t0
                n = conn.execute("SELECT count(*) FROM bench_copy").fetchone()[0]
        else:
            import pyarrow.csv as pacsv

            cur = t.cursor()
            t0 = time.perf_counter()
            reader = pacsv.open_csv(path, read_options=pacsv.ReadOptions(
                column_names=["id", "big", "name", "score", "ts", "ok", "amount", "day"], block_size=4 << 20))
            cur.execute("BEGIN")
            for batch in reader:
                cur.register("b", batch)
                cur.execute("INSERT INTO bench_copy SELECT * FROM b")
                cur.unregister("b")
            cur.execute("COMMIT")
            dt = time.perf_counter() - t0
            n = cur.execute("SELECT count(*) FROM bench_copy").fetchone()[0]
            cur.close()
        _check_rows(n, rows)
        return Sample(rows / dt)

    return measure


def _copy_records(rows: int):
    base = datetime.datetime(2024, 1, 1)
    day0 = datetime.date(2000, 1, 1)
    from decimal import Decimal

    for i in range(rows):
        yield (i, i * 7, f"name {i % 1000}", i * 0.5, base + datetime.timedelta(seconds=i), i % 2 == 0,
               Decimal(i % 10000) / 100, day0 + datetime.timedelta(days=i % 9000))


def _copy_in_binary(t: Target, ctx: Ctx) -> Sample:
    rows = ctx.rows
    _recreate(t, "DROP TABLE IF EXISTS bench_copy", COPY_DDL)
    if t.wire:
        import asyncio

        import asyncpg

        async def run() -> tuple[float, int]:
            conn = await asyncpg.connect(_url_of(t.dsn))
            try:
                t0 = time.perf_counter()
                await conn.copy_records_to_table("bench_copy", records=_copy_records(rows))
                dt = time.perf_counter() - t0
                return dt, await conn.fetchval("SELECT count(*) FROM bench_copy")
            finally:
                await conn.close()

        dt, n = asyncio.run(run())
    else:
        # in-process: the same records as a ready Arrow table, appended (what a binary COPY ends in)
        import pyarrow as pa

        cols = list(zip(*_copy_records(rows)))
        tbl = pa.table({f"c{i}": pa.array(c) for i, c in enumerate(cols)})
        cur = t.cursor()
        t0 = time.perf_counter()
        cur.register("b", tbl)
        cur.execute("INSERT INTO bench_copy SELECT * FROM b")
        cur.unregister("b")
        dt = time.perf_counter() - t0
        n = cur.execute("SELECT count(*) FROM bench_copy").fetchone()[0]
        cur.close()
    _check_rows(n, rows)
    return Sample(rows / dt)


def _url_of(dsn: str) -> str:
    parts = dict(p.split("=", 1) for p in dsn.split())
    return (f"postgres://{parts.get('user', 'postgres')}@{parts.get('host', '127.0.0.1')}:"
            f"{parts.get('port', '5432')}/{parts.get('dbname', 'postgres')}")


def _copy_out_csv(t: Target, ctx: Ctx) -> Sample:
    sql = "SELECT * FROM bench_rows"
    if t.wire:
        with t.connect() as conn:
            cur = conn.cursor()
            nbytes = 0
            t0 = time.perf_counter()
            with cur.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as cp:
                for chunk in cp:
                    nbytes += len(chunk)
            dt = time.perf_counter() - t0
    else:
        import io

        import pyarrow.csv as pacsv

        cur = t.cursor()
        t0 = time.perf_counter()
        sink = io.BytesIO()
        reader = cur.execute(sql).to_arrow_reader(65536)
        with pacsv.CSVWriter(sink, reader.schema, write_options=pacsv.WriteOptions(include_header=False)) as w:
            for batch in reader:
                w.write_batch(batch)
        nbytes = sink.tell()
        dt = time.perf_counter() - t0
        cur.close()
    return Sample(nbytes / dt / 1e6, {"bytes": nbytes})


# --------------------------------------------------------------------------- the list

NO_WIRE = "in-process: there is no wire format to choose"
ONLY_GW = "not loaded: this is the gateway's memory check"


def all_cases() -> list[Case]:
    cases = [
        Case("bulk_read", "text (execute+fetchall)", "rows/s", True, _bulk("text"),
             Goal(PG, ">=", 1.0), sample_rss=True),
        Case("bulk_read", "binary (binary=True)", "rows/s", True, _bulk("binary"),
             Goal(PG, ">=", 1.0), sample_rss=True, na={DUCK: NO_WIRE}),
        Case("bulk_read", "cursor.stream()", "rows/s", True, _bulk("stream"),
             Goal(PG, ">=", 0.8), sample_rss=True),
        Case("bulk_read_10m", "cursor.stream() of {big_rows} rows", "rows/s", True,
             _bulk("stream", table="bench_rows_big", rows_attr="big_rows"),
             Goal(None, "<=", 200, metric="rss"), sample_rss=True,
             na={PG: ONLY_GW, DUCK: ONLY_GW, BV: ONLY_GW}),
        Case("bulk_read_10m", "cursor.stream() of {big_rows} generated rows", "rows/s", True,
             _bulk("stream", rows_attr="big_rows", generated=True),
             Goal(None, "<=", 200, metric="rss"), sample_rss=True,
             na={PG: ONLY_GW, DUCK: ONLY_GW, BV: ONLY_GW}),
        Case("insert_16", "{clients} clients, single-row autocommit INSERT", "inserts/s", True,
             measure_insert, Goal(PG, ">=", 0.5), sample_rss=True, duration_bound=True),
        Case("executemany", "{em_total} rows in {em_batch}-row batches", "rows/s", True,
             measure_executemany, Goal(PG, ">=", 1.0), sample_rss=True),
    ]
    for n in (1, 4, 16):
        cases.append(Case("point_select", f"{n} client{'s' if n > 1 else ''}", "QPS", True,
                          _point(n), Goal(DUCK, ">=", 0.8), duration_bound=True))
    for q in TPCH_QUERIES:
        cases.append(Case("tpch", q, "ms", False, _tpch(q), Goal(DUCK, "<=", 1.15),
                          setup=_tpch_setup))
    no_bv = {BV: "buenavista has no COPY FROM STDIN / TO STDOUT"}
    cases.append(Case("copy_in_csv", "COPY FROM STDIN csv, {rows} rows × 8 columns", "rows/s", True,
                      _copy_in_csv("rows"), Goal(PG, ">=", 1.5), sample_rss=True, na=dict(no_bv)))
    cases.append(Case("copy_in_csv_10m", "COPY FROM STDIN csv, {big_rows} rows × 8 columns", "rows/s", True,
                      _copy_in_csv("big_rows"), Goal(PG, ">=", 1.5), sample_rss=True, na=dict(no_bv)))
    cases.append(Case("copy_in_csv_10m", "gateway RSS during the {big_rows}-row COPY", "rows/s", True,
                      _copy_in_csv("big_rows"), Goal(None, "<=", 300, metric="rss"), sample_rss=True,
                      na={PG: ONLY_GW, DUCK: ONLY_GW, BV: ONLY_GW}))
    cases.append(Case("copy_in_binary", "asyncpg copy_records_to_table, {rows} rows × 8 columns", "rows/s",
                      True, _copy_in_binary, Goal(PG, ">=", 1.0), sample_rss=True, na=dict(no_bv)))
    cases.append(Case("copy_out_csv", "COPY (SELECT * FROM bench_rows) TO STDOUT csv", "MB/s", True,
                      _copy_out_csv, Goal(PG, ">=", 1.2), sample_rss=True, na=dict(no_bv)))
    return cases


SCENARIOS = ["bulk_read", "bulk_read_10m", "insert_16", "executemany", "point_select", "tpch",
             "copy_in_csv", "copy_in_csv_10m", "copy_in_binary", "copy_out_csv"]
SLOW_SCENARIOS = ("bulk_read_10m", "copy_in_csv_10m")  # 10 M rows: --slow
DEFAULT_SCENARIOS = [s for s in SCENARIOS if s not in SLOW_SCENARIOS]
