"""psycopg2 `extras.execute_values`: one INSERT with N literal rows, as the gateway gets it.

    python benchmarks/execute_values.py [--rows 1000 10000] [--runs 3] [--tree DIR ...] [--pg]
                                        [--single N]

psycopg2 interpolates parameters on the client, so every execute_values page is a new
statement text (never a cache hit): the gateway pays its full parse for each. For each row
count, each gateway (this checkout, and `--tree DIR` checkouts, e.g. an exported older commit)
gets `--runs` INSERTs of fresh rows (six columns: int, text, date, numeric(12,2), timestamptz,
bool), alternating between gateways; printed per INSERT: wall seconds and the gateway
process's CPU seconds (all threads, /proc). `--pg` adds a PostgreSQL 15 for reference.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks.copy_binary_cpu import cpu_ticks  # noqa: E402
from benchmarks.copy_out_cpu import start  # noqa: E402

import os  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def rows(n: int, base: int) -> list[tuple]:
    t0 = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    return [(base + i, f"name {base + i}", dt.date(2024, 1, 1) + dt.timedelta(days=i % 365),
             Decimal(i) / 4, t0 + dt.timedelta(seconds=i), i % 2 == 0) for i in range(n)]


def main() -> None:
    import psycopg2
    import psycopg2.extras

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, nargs="+", default=[1000, 10000])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--tree", action="append", type=Path, help="another checkout to compare (repeatable)")
    p.add_argument("--pg", action="store_true", help="also time PostgreSQL 15")
    p.add_argument("--single", type=int, default=0, metavar="N",
                   help="also time N one-row INSERTs (cursor.execute per row, as executemany and "
                        "Airflow's insert_rows send them) in one transaction and in autocommit")
    args = p.parse_args()
    trees = [REPO_ROOT] + [t.resolve() for t in args.tree or []]
    with tempfile.TemporaryDirectory() as tmp_s:
        tmp = Path(tmp_s)
        targets = []  # (label, dsn, pid or None)
        procs = []
        try:
            for i, tree in enumerate(trees):
                proc, port = start(tree, tmp / f"gw{i}.duckdb", tmp / f"gw{i}.log")
                procs.append(proc)
                targets.append((f"gateway {tree}", f"host=127.0.0.1 port={port} user=postgres dbname=postgres",
                                proc.pid))
            pg = None
            if args.pg:
                from tests.servers import start_postgres
                pg = start_postgres(tmp / "pg")
                targets.append(("postgresql 15", pg.dsn, None))
            conns = []
            for _, dsn, _ in targets:
                conn = psycopg2.connect(dsn)
                conn.autocommit = True
                conn.cursor().execute("CREATE TABLE ev (id int, name text, d date, amount numeric(12,2), "
                                      "ts timestamptz, flag boolean)")
                conns.append(conn)
            base = 0
            for n in args.rows:
                results: dict[str, list[tuple[float, float]]] = {label: [] for label, _, _ in targets}
                for _ in range(args.runs):
                    for (label, _, pid), conn in zip(targets, conns):
                        data = rows(n, base)
                        base += n
                        cur = conn.cursor()
                        ticks = cpu_ticks(pid) if pid else 0
                        started = time.perf_counter()
                        psycopg2.extras.execute_values(cur, "INSERT INTO ev VALUES %s", data, page_size=n)
                        wall = time.perf_counter() - started
                        cpu = (cpu_ticks(pid) - ticks) / TICK if pid else float("nan")
                        assert cur.rowcount == n, cur.rowcount
                        results[label].append((wall, cpu))
                for label, runs in results.items():
                    walls = ", ".join(f"{w:.3f}" for w, _ in runs)
                    print(f"{n:>6} rows  {label}: wall s per INSERT [{walls}] median "
                          f"{statistics.median(w for w, _ in runs):.3f}; gateway CPU s median "
                          f"{statistics.median(c for _, c in runs):.3f}", flush=True)
            if args.single:
                for autocommit in (False, True):
                    for (label, _, pid), conn in zip(targets, conns):
                        conn.autocommit = autocommit
                        data = rows(args.single, base)
                        base += args.single
                        cur = conn.cursor()
                        ticks = cpu_ticks(pid) if pid else 0
                        started = time.perf_counter()
                        for r in data:
                            cur.execute("INSERT INTO ev VALUES (%s, %s, %s, %s, %s, %s)", r)
                        if not autocommit:
                            conn.commit()
                        wall = time.perf_counter() - started
                        cpu = (cpu_ticks(pid) - ticks) / TICK if pid else float("nan")
                        mode = "autocommit" if autocommit else "one transaction"
                        print(f"{args.single} one-row INSERTs ({mode})  {label}: wall ms per row "
                              f"{wall / args.single * 1000:.2f}; gateway CPU ms per row {cpu / args.single * 1000:.2f}",
                              flush=True)
            for conn in conns:
                conn.close()
            if pg is not None:
                pg.stop()
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait(10)


if __name__ == "__main__":
    main()
