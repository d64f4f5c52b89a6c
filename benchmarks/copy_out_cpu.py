"""Gateway CPU seconds per COPY TO csv and per text bulk read: noise-robust companions of
`copy_out_csv` and `bulk_read` (text).

    python benchmarks/copy_out_cpu.py [--rows 1000000] [--runs 5] [--case copy|text|binary]
                                      [--tree DIR ...]

Builds `bench_rows` (benchmarks/data.py, the scenarios' 8 columns) once in a seed DuckDB file,
starts one gateway per tree on a copy of it (default: this checkout; `--tree DIR` names other
checkouts, e.g. `git worktree add /tmp/old <commit>`, to compare commits in one invocation),
then runs each case `--runs` times, alternating between the gateways. For each operation it
prints the CPU the gateway process used (every thread: utime + stime from
/proc/<pid>/task/*/stat, diffed around the operation), the client's CPU and the wall time. On a
shared machine the wall time swings with the other load; the gateway's CPU per row barely does,
so compare that.

Cases: `copy` = `COPY (SELECT * FROM bench_rows) TO STDOUT (FORMAT csv)` read by psycopg,
`text` = `cursor.execute` + `fetchall` of the same rows (text format), `binary` = the same with
`conn.cursor(binary=True)`.

`--encoder` times the encoders alone instead, in this process: the rows are read once (with the
gateway's Arrow settings), then every tree's `gateway.protocol` encodes all of them
(`CopyOutEncoder` csv for `copy`, `DataRowEncoder` for `text`/`binary`), runs alternating,
process CPU time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks.copy_binary_cpu import cpu_ticks  # noqa: E402  (all threads' /proc ticks)
from benchmarks.data import build_seed, copy_seed  # noqa: E402
from tests.servers import free_port  # noqa: E402

HZ = os.sysconf("SC_CLK_TCK")
SQL = "SELECT * FROM bench_rows"


def start(tree: Path, database: Path, log: Path) -> tuple[subprocess.Popen, int]:
    """A gateway from `tree`'s sources (cwd and PYTHONPATH), listening once it says so."""
    port = free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1", PYTHONPATH=str(tree))
    proc = subprocess.Popen([sys.executable, "-m", "gateway", "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--database", str(database)], cwd=tree, env=env, stdin=subprocess.DEVNULL,
                            stdout=open(log, "wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while f"listening on 127.0.0.1:{port}" not in log.read_text(errors="replace"):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"gateway from {tree} did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.1)
    return proc, port


def run_case(case: str, port: int, pid: int) -> tuple[float, float, float, int]:
    """(wall s, client CPU s, gateway CPU s, bytes or rows)."""
    import psycopg

    with psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname=postgres sslmode=disable") as conn:
        cur = conn.cursor(binary=(case == "binary"))
        t0, c0, g0 = time.perf_counter(), time.process_time(), cpu_ticks(pid)
        if case == "copy":
            count = 0
            with cur.copy(f"COPY ({SQL}) TO STDOUT (FORMAT csv)") as cp:
                for chunk in cp:
                    count += len(chunk)
        else:
            cur.execute(SQL)
            count = len(cur.fetchall())
        return time.perf_counter() - t0, time.process_time() - c0, (cpu_ticks(pid) - g0) / HZ, count


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--case", action="append", choices=["copy", "text", "binary"])
    p.add_argument("--tree", action="append", type=Path, help="another checkout to compare (repeatable)")
    p.add_argument("--encoder", action="store_true", help="time the encoders alone, in this process")
    args = p.parse_args()
    cases = args.case or ["copy", "text"]
    trees = [REPO_ROOT] + [t.resolve() for t in args.tree or []]
    tmp = Path(tempfile.mkdtemp(prefix="dfcopyout-"))
    seed = tmp / "seed.duckdb"
    build_seed(seed, args.rows, bench_rows=True, tpch=False, log=lambda s: None)
    if args.encoder:
        return encoders(seed, trees, cases, args.runs, 1_000_000 / args.rows)
    servers = []
    try:
        for i, tree in enumerate(trees):
            db = copy_seed(seed, tmp / f"gw{i}.duckdb")
            servers.append(start(tree, db, tmp / f"gw{i}.log"))
        per_m = 1_000_000 / args.rows
        for case in cases:
            got: dict[int, list] = {i: [] for i in range(len(trees))}
            for proc, port in servers:  # a warm-up each: the table's blocks into DuckDB's buffer pool
                run_case(case, port, proc.pid)
            for run in range(args.runs):
                order = range(len(trees)) if run % 2 == 0 else reversed(range(len(trees)))
                for i in order:
                    proc, port = servers[i]
                    wall, client, gw, count = run_case(case, port, proc.pid)
                    got[i].append((wall, client, gw, count))
                    rate = f"{count / wall / 1e6:.1f} MB/s" if case == "copy" else f"{count / wall / 1e3:,.0f} k rows/s"
                    print(f"{case} {trees[i].name} run {run + 1}: gateway CPU {gw * per_m:.2f} s per 1M rows, "
                          f"client CPU {client * per_m:.2f} s, {rate}", flush=True)
            for i, tree in enumerate(trees):
                gws = [g[2] * per_m for g in got[i]]
                rates = [g[3] / g[0] for g in got[i]]
                unit = (1e6, "MB/s") if case == "copy" else (1e3, "k rows/s")
                print(f"== {case} {tree}: gateway CPU per 1M rows median {statistics.median(gws):.3f} s "
                      f"(min {min(gws):.3f}), {statistics.median(rates) / unit[0]:,.1f} {unit[1]} median", flush=True)
    finally:
        for proc, _ in servers:
            proc.terminate()
            proc.wait(10)


def _protocol_of(tree: Path):
    """The gateway.protocol modules of a checkout (each tree's own copy, side by side)."""
    for name in [m for m in sys.modules if m == "gateway" or m.startswith("gateway.")]:
        del sys.modules[name]
    sys.path.insert(0, str(tree))
    try:
        from gateway.protocol import copy, rows
    finally:
        sys.path.remove(str(tree))
    return rows, copy


def encoders(seed: Path, trees: list[Path], cases: list[str], runs: int, per_m: float) -> None:
    import duckdb

    mods = [_protocol_of(t) for t in trees]
    con = duckdb.connect(str(seed), read_only=True)
    con.execute("SET TimeZone = 'UTC'; SET arrow_lossless_conversion = true")  # as the gateway's cursors
    for case in cases:
        cur = con.execute(SQL)
        types, names = [str(d[1]) for d in cur.description], [d[0] for d in cur.description]
        batches = list(cur.to_arrow_reader(65536 if case == "copy" else 16384))
        encs = []
        for rows, copy in mods:
            if case == "copy":
                spec = copy.CopySpec(direction="to", fmt="csv")
                spec.finish()
                encs.append(copy.CopyOutEncoder(spec, types, names))
            else:
                encs.append(rows.DataRowEncoder(types, [1 if case == "binary" else 0] * len(types)))
            encs[-1].encode(batches[0])  # look-up tables built before timing
        got: dict[int, list] = {i: [] for i in range(len(trees))}
        for run in range(runs):
            for i in (range(len(trees)) if run % 2 == 0 else reversed(range(len(trees)))):
                t0 = time.process_time()
                for b in batches:
                    encs[i].encode(b)
                got[i].append((time.process_time() - t0) * per_m)
        for i, tree in enumerate(trees):
            print(f"== {case} encoder {tree}: CPU per 1M rows median {statistics.median(got[i]):.3f} s "
                  f"(min {min(got[i]):.3f})", flush=True)


if __name__ == "__main__":
    main()
