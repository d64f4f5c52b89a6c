"""Gateway CPU per 100,000 executemany rows: the noise-robust companion of `executemany`.

    python benchmarks/executemany_cpu.py [--runs 5] [--tree DIR ...]

Starts one gateway per tree (default: this checkout; `--tree DIR` names other checkouts, e.g.
`git worktree add /tmp/old <commit>`, to compare commits in one invocation) and runs the
`executemany` scenario's loop (benchmarks/scenarios.py: psycopg `executemany` of 1,000-row
batches of a 5-column row, `commit()` after each, 100,000 rows into a fresh table with a
primary key) `--runs` times per gateway, alternating. Per run it prints rows/s, the CPU the
gateway process used (every thread, utime + stime from /proc, around the loop) and that of its
event-loop thread alone. On a shared machine rows/s swings with the other load; the CPU per row
much less, so compare that.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks.copy_binary_cpu import cpu_ticks  # noqa: E402  (all threads' /proc ticks)
from benchmarks.copy_out_cpu import start  # noqa: E402  (a gateway from a tree's sources)
from benchmarks.scenarios import EM_DDL, EM_DROP, EM_SQL  # noqa: E402

HZ = os.sysconf("SC_CLK_TCK")
TOTAL, BATCH = 100_000, 1_000


def loop_ticks(pid: int) -> int:
    """The main thread's ticks: the gateway's event loop."""
    stat = open(f"/proc/{pid}/task/{pid}/stat").read()
    fields = stat[stat.rindex(")") + 2:].split()
    return int(fields[11]) + int(fields[12])


def run_loop(port: int, pid: int, batches: list) -> tuple[float, float, float]:
    """(rows/s, gateway CPU s, event-loop CPU s) of one pass of the scenario's loop."""
    import psycopg

    dsn = f"host=127.0.0.1 port={port} user=postgres dbname=postgres sslmode=disable"
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute(EM_DROP)
        c.execute(EM_DDL)
    with psycopg.connect(dsn) as conn:
        cur = conn.cursor()
        sql = EM_SQL.format(p="%s")
        g0, l0, t0 = cpu_ticks(pid), loop_ticks(pid), time.perf_counter()
        for batch in batches:
            cur.executemany(sql, batch)
            conn.commit()
        wall = time.perf_counter() - t0
        gw, lp = (cpu_ticks(pid) - g0) / HZ, (loop_ticks(pid) - l0) / HZ
        n = conn.execute("SELECT count(*) FROM bench_em").fetchone()[0]
    if n != TOTAL:
        raise RuntimeError(f"{n} rows stored, {TOTAL} sent")
    return TOTAL / wall, gw, lp


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--tree", action="append", type=Path, help="another checkout to compare (repeatable)")
    args = p.parse_args()
    trees = [REPO_ROOT] + [t.resolve() for t in args.tree or []]
    base = datetime.date(2020, 1, 1)
    batches = [[(i, i % 1000, i / 7, f"item {i}", base + datetime.timedelta(days=i % 3650))
                for i in range(s, s + BATCH)] for s in range(0, TOTAL, BATCH)]
    tmp = Path(tempfile.mkdtemp(prefix="dfem-"))
    servers = []
    try:
        for i, tree in enumerate(trees):
            servers.append(start(tree, tmp / f"gw{i}.duckdb", tmp / f"gw{i}.log"))
        got: dict[int, list] = {i: [] for i in range(len(trees))}
        for run in range(args.runs):
            order = range(len(trees)) if run % 2 == 0 else reversed(range(len(trees)))
            for i in order:
                proc, port = servers[i]
                rate, gw, lp = run_loop(port, proc.pid, batches)
                got[i].append((rate, gw, lp))
                print(f"{trees[i].name} run {run + 1}: {rate:,.0f} rows/s, gateway CPU {gw:.2f} s, "
                      f"event loop {lp:.2f} s per 100k rows (load {os.getloadavg()[0]:.1f})", flush=True)
        for i, tree in enumerate(trees):
            med = [statistics.median(g[k] for g in got[i]) for k in range(3)]
            print(f"== {tree}: median {med[0]:,.0f} rows/s, gateway CPU {med[1]:.2f} s, event loop "
                  f"{med[2]:.2f} s per 100k rows")
    finally:
        for proc, _ in servers:
            proc.terminate()
            proc.wait(10)


if __name__ == "__main__":
    main()
