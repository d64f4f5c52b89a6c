"""Side-by-side benchmarks: the gateway vs PostgreSQL 15, DuckDB in-process and buenavista.

    python benchmarks/run.py [--scenario NAME ...] [--runs 3] [--rows 1000000] [--quick] [--slow]

One run starts PostgreSQL 15 (durable settings), the gateway, buenavista (each on its own copy
of the same DuckDB file) and an in-process DuckDB, loads identical data, runs every case
against every target ``--runs`` times (interleaved), and writes the medians and ratios as a
markdown table to stdout and benchmarks/results/latest.md (raw numbers: results/*.json).
A target that cannot run a case is reported "n/a" with the reason; nothing stops the run.
See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shlex
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import duckdb  # noqa: E402

from benchmarks import data  # noqa: E402
from benchmarks.report import build_table, median  # noqa: E402
from benchmarks.scenarios import DEFAULT_SCENARIOS, SCENARIOS, SLOW_SCENARIOS, Case, Ctx, all_cases  # noqa: E402
from benchmarks.targets import (  # noqa: E402
    ALL_TARGETS, BV, DUCK, GW, PG, NotApplicable, RssSampler, Target, Timeout, call_with_timeout,
    health_check, short_error, start_buenavista, wire_dsn,
)
from tests.servers import start_gateway, start_postgres  # noqa: E402

RESULTS_DIR = Path(__file__).resolve().parent / "results"

# Durable PostgreSQL: fsync, synchronous_commit and full_page_writes back on (the test
# defaults turn them off), a realistic shared_buffers.
PG_SETTINGS = {
    "fsync": "on",
    "synchronous_commit": "on",
    "full_page_writes": "on",
    "shared_buffers": "256MB",
    "max_connections": "100",
}


def log(msg: str) -> None:
    print(msg, flush=True)


def machine() -> str:
    mem_kb = 0
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    cpu = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} CPUs (nproc), {mem_kb / 1024 / 1024:.1f} GiB RAM"
            + (f", {cpu}" if cpu else "") + f"; Linux {platform.release()}; Python "
            f"{platform.python_version()}; duckdb {duckdb.__version__}")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scenario", action="append", choices=SCENARIOS, metavar="NAME",
                   help=f"run only this scenario (repeatable): {', '.join(SCENARIOS)}")
    p.add_argument("--target", action="append", choices=ALL_TARGETS, metavar="NAME",
                   help=f"measure only this target (repeatable): {', '.join(ALL_TARGETS)}")
    p.add_argument("--runs", type=int, default=None, help="runs per case and target (default 3)")
    p.add_argument("--rows", type=int, default=None,
                   help="rows in bench_rows and lineitem (default 1,000,000)")
    p.add_argument("--quick", action="store_true",
                   help="tiny sizes for development: 20,000 rows, 2 s durations, 1 run")
    p.add_argument("--slow", action="store_true",
                   help="also run bulk_read_10m (stream 10 M rows from the gateway, RSS bound)")
    p.add_argument("--big-rows", type=int, default=10_000_000, help="rows for bulk_read_10m")
    p.add_argument("--insert-seconds", type=float, default=None, help="insert_16 duration (10)")
    p.add_argument("--insert-clients", type=int, default=16, help="insert_16 client threads")
    p.add_argument("--point-seconds", type=float, default=None, help="point_select duration per case (5)")
    p.add_argument("--em-total", type=int, default=None, help="executemany total rows (100,000)")
    p.add_argument("--em-batch", type=int, default=1000, help="executemany batch size")
    p.add_argument("--timeout", type=float, default=None,
                   help="seconds one measurement may take before it is abandoned (600; quick 120)")
    p.add_argument("--workdir", help="where the servers keep their files (default: a temp dir)")
    p.add_argument("--keep", action="store_true", help="keep the work directory")
    p.add_argument("--output", default=str(RESULTS_DIR / "latest.md"), help="markdown output")
    a = p.parse_args(argv)
    q = a.quick
    a.runs = a.runs or (1 if q else 3)
    a.rows = a.rows or (20_000 if q else 1_000_000)
    a.insert_seconds = a.insert_seconds or (2.0 if q else 10.0)
    a.point_seconds = a.point_seconds or (2.0 if q else 5.0)
    a.em_total = a.em_total or (5_000 if q else 100_000)
    a.timeout = a.timeout or (120.0 if q else 600.0)
    if q and a.big_rows == 10_000_000:
        a.big_rows = 200_000
    scen = a.scenario or list(DEFAULT_SCENARIOS)
    if a.slow:
        scen += [s for s in SLOW_SCENARIOS if s not in scen]
    a.scenarios = [s for s in SCENARIOS if s in scen]
    a.targets = [t for t in ALL_TARGETS if not a.target or t in a.target]
    return a


# --------------------------------------------------------------------------- setup


def start_targets(args, work: Path, targets: dict[str, Target], errors: dict[str, str]) -> None:
    need_rows = any(s in args.scenarios for s in ("bulk_read", "point_select", "copy_out_csv"))
    need_tpch = "tpch" in args.scenarios
    log(f"preparing data ({args.rows:,} rows) in {work}")
    seed = work / "seed.duckdb"
    tables = data.build_seed(seed, args.rows, bench_rows=need_rows, tpch=need_tpch, log=log)

    if PG in args.targets:
        try:
            csvs = data.export_csv(seed, tables, work / "csv")
            pg = start_postgres(work / "postgres", settings=PG_SETTINGS)
            t = Target(PG, "wire", dsn=wire_dsn(pg.host, pg.port), proc=pg, log_path=pg.log_path)
            targets[PG] = t
            data.load_postgres(t.dsn, csvs, log=log)
            shutil.rmtree(work / "csv", ignore_errors=True)
        except Exception as e:  # noqa: BLE001
            errors[PG] = f"could not start/load: {short_error(e, 400)}"
            log(f"  PostgreSQL unavailable: {e}")

    if GW in args.targets:
        try:
            db = data.copy_seed(seed, work / "gateway.duckdb")
            if "bulk_read_10m" in args.scenarios:
                t0 = time.perf_counter()
                data.add_big_table(db, "bench_rows_big", args.big_rows)
                log(f"  gateway: bench_rows_big {args.big_rows:,} rows in {time.perf_counter() - t0:.1f}s")
            targets[GW] = _start_gateway(work, db)
        except Exception as e:  # noqa: BLE001
            errors[GW] = f"could not start: {short_error(e, 400)}"
            log(f"  gateway did not start: {e}")

    if DUCK in args.targets:
        db = data.copy_seed(seed, work / "inprocess.duckdb")
        targets[DUCK] = Target(DUCK, "inprocess", duck=duckdb.connect(str(db)))

    if BV in args.targets:
        try:
            db = data.copy_seed(seed, work / "buenavista.duckdb")
            targets[BV] = _start_bv(work, db)
        except Exception as e:  # noqa: BLE001
            errors[BV] = f"could not start: {short_error(e, 400)}"
            log(f"  buenavista did not start: {e}")
    seed.unlink()
    for name, t in targets.items():
        log(f"  {name}: {t.dsn or 'in-process'}" + (f" (pid {t.pid})" if t.pid else ""))


def _start_gateway(work: Path, db: Path) -> Target:
    gw = start_gateway(work / "gateway", database=db)
    t = Target(GW, "wire", dsn=wire_dsn(gw.host, gw.port), pid=gw.proc.pid, proc=gw,
               log_path=gw.log_path)
    t.restart = lambda: _restart(t, lambda: _start_gateway(work, db))
    return t


def _start_bv(work: Path, db: Path) -> Target:
    log_path = work / "buenavista.log"
    proc, port = start_buenavista(db, log_path)
    t = Target(BV, "wire", dsn=wire_dsn("127.0.0.1", port), pid=proc.pid, proc=proc,
               log_path=log_path)
    t.restart = lambda: _restart(t, lambda: _start_bv(work, db))
    return t


def _restart(t: Target, start) -> None:
    """Kill a dead or hung server and start it again on the same database file."""
    _stop(t)
    fresh = start()
    t.dsn, t.pid, t.proc, t.log_path = fresh.dsn, fresh.pid, fresh.proc, fresh.log_path


def _stop(t: Target) -> None:
    p = t.proc
    try:
        if t.name == GW:
            try:
                p.stop(timeout=15)
            except TimeoutError as e:
                t.notes.append(f"did not exit within 15 s of SIGTERM (killed): {short_error(e)}")
        elif t.name == PG:
            p.stop()
        elif t.name == BV:
            if p.poll() is None:
                p.kill()
            p.wait()
        elif t.duck is not None:
            t.duck.close()
    except Exception as e:  # noqa: BLE001
        t.notes.append(f"stop failed: {short_error(e)}")


# --------------------------------------------------------------------------- measuring


def case_label(case: Case, args) -> str:
    return case.name.format(clients=args.insert_clients, em_total=f"{args.em_total:,}",
                            em_batch=f"{args.em_batch:,}",
                            big_rows=f"{args.big_rows:,}", rows=f"{args.rows:,}")


def run_all(args, cases: list[Case], targets: dict[str, Target], start_errors: dict[str, str]):
    ctx = Ctx(rows=args.rows, insert_seconds=args.insert_seconds, insert_clients=args.insert_clients,
              point_seconds=args.point_seconds, em_total=args.em_total, em_batch=args.em_batch,
              big_rows=args.big_rows, timeout=args.timeout)
    results: dict[tuple[str, str], dict[str, dict]] = {}
    for case in cases:
        cell = results.setdefault((case.scenario, case.name), {})
        for t in ALL_TARGETS:
            c = cell.setdefault(t, {"values": [], "median": None, "error": None,
                                    "rss_growth_mb": [], "extra": {}, "seconds": []})
            if t in case.na:
                c["error"] = case.na[t]
            elif t not in args.targets:
                c["error"] = "not selected (--target)"
            elif t in start_errors:
                c["error"] = start_errors[t]

    scenarios = []
    for c in cases:
        if c.scenario not in scenarios:
            scenarios.append(c.scenario)
    for scen in scenarios:
        scen_cases = [c for c in cases if c.scenario == scen]
        for case in scen_cases:
            if case.setup:
                try:
                    case.setup(ctx, targets)
                except Exception as e:  # noqa: BLE001
                    log(f"  setup of {scen} failed: {short_error(e)}")
        for run in range(args.runs):
            for case in scen_cases:
                if case.fn is None:
                    continue
                for name, t in targets.items():
                    c = results[(case.scenario, case.name)][name]
                    if name in case.na or (c["error"] and not c["values"]):
                        continue  # n/a, or failed in an earlier run: not retried
                    if c["error"]:
                        continue
                    if t.broken:
                        c["error"] = f"skipped: {t.broken}"
                        continue
                    measure_one(args, ctx, case, t, c, run)
    return results


def measure_one(args, ctx: Ctx, case: Case, t: Target, c: dict, run: int) -> None:
    label = f"{case.scenario} / {case_label(case, args)} / {t.name} (run {run + 1}/{args.runs})"
    timeout = args.timeout
    if case.duration_bound:
        timeout = max(args.insert_seconds, args.point_seconds) * 2 + 90
    sampler = RssSampler(t.pid if case.sample_rss else None)
    log_offset = t.log_path.stat().st_size if t.log_path and t.log_path.exists() else 0
    t0 = time.perf_counter()
    try:
        with sampler:
            sample = call_with_timeout(lambda: case.fn(t, ctx), timeout)
    except NotApplicable as e:
        c["error"] = str(e)
        log(f"  {label}: n/a: {e}")
        return
    except Exception as e:  # noqa: BLE001 - any failure is a result
        err = short_error(e, 300)
        if isinstance(e, Timeout):
            err = f"timeout: {err}"
        server_side = last_server_error(t, log_offset)
        if server_side:
            err += f" (server log: {server_side})"
        c["error"] = err
        c.setdefault("traceback", "".join(traceback.format_exception(e))[-3000:])
        log(f"  {label}: FAILED: {err}")
        check_health(t, f"{case.scenario} {case.name}")
        return
    finally:
        c["seconds"].append(round(time.perf_counter() - t0, 3))
    c["values"].append(sample.value)
    c["median"] = median(c["values"])
    if sampler.growth_mb is not None:
        c["rss_growth_mb"].append(round(sampler.growth_mb, 1))
        c.setdefault("rss_peak_mb", []).append(round(sampler.peak_mb, 1))
    for k, v in sample.extra.items():
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            c["extra"][k] = c["extra"].get(k, 0) + v
        else:
            c["extra"].setdefault(k, v)
    rss = f", RSS +{sampler.growth_mb:.0f} MB" if sampler.growth_mb is not None else ""
    extra = f" {sample.extra}" if sample.extra else ""
    log(f"  {label}: {sample.value:,.1f} {case.unit}{rss}{extra}")


def last_server_error(t: Target, offset: int) -> str | None:
    """The last exception line the server logged since ``offset`` (gateway, buenavista)."""
    if t.name not in (GW, BV) or not t.log_path or not t.log_path.exists():
        return None
    with open(t.log_path, "rb") as f:
        f.seek(offset)
        text = f.read().decode(errors="replace")
    found = None
    for line in text.splitlines():
        m = re.match(r"^([\w.]+(?:Error|Exception|Exit)\b.*)$", line.strip())
        if m and not line.startswith((" ", "\t")):
            found = m.group(1)
    if found and len(found) > 200:
        found = found[:199] + "…"
    return found


def check_health(t: Target, where: str) -> None:
    why = health_check(t)
    if why is None:
        return
    restart = getattr(t, "restart", None)
    if restart is None:
        t.broken = f"stopped answering after {where}: {why}"
        log(f"  {t.name} is broken: {t.broken}")
        return
    log(f"  {t.name} {why} after {where}; restarting it")
    t.notes.append(f"restarted after {where}: {why}")
    try:
        restart()
    except Exception as e:  # noqa: BLE001
        t.broken = f"stopped answering after {where} ({why}) and did not restart: {short_error(e)}"
        log(f"  {t.name} is broken: {t.broken}")


# --------------------------------------------------------------------------- main


def main(argv=None) -> int:
    args = parse_args(argv)
    started = datetime.datetime.now(datetime.timezone.utc)
    command = "python benchmarks/run.py" + ("" if argv is None and len(sys.argv) == 1 else
                                            " " + shlex.join(sys.argv[1:] if argv is None else argv))
    cases = [c for c in all_cases() if c.scenario in args.scenarios]
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="dfbench-"))
    work.mkdir(parents=True, exist_ok=True)
    targets: dict[str, Target] = {}
    start_errors: dict[str, str] = {}
    results = {}
    try:
        t0 = time.perf_counter()
        start_targets(args, work, targets, start_errors)
        log(f"setup took {time.perf_counter() - t0:.0f}s; measuring {', '.join(args.scenarios)}")
        results = run_all(args, cases, targets, start_errors)
    finally:
        for t in targets.values():
            _stop(t)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            log(f"work directory kept: {work}")

    labels = {(c.scenario, c.name): case_label(c, args) for c in cases}
    raw = {
        "started": started.isoformat(), "command": command, "machine": machine(),
        "args": {k: v for k, v in vars(args).items()},
        "results": {f"{s} / {labels[(s, n)]}": cell for (s, n), cell in results.items()},
        "target_notes": {t.name: t.notes for t in targets.values()},
    }
    json_path = RESULTS_DIR / f"run-{started:%Y%m%d-%H%M%S}.json"
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(raw, indent=2, default=str))

    table = build_table(cases, results, labels)
    header = (f"Run {started:%Y-%m-%d %H:%M} UTC on {machine()}.\n"
              f"Command: `{command}` — {args.runs} run(s) per case, medians; {args.rows:,} rows; "
              f"insert_16 {args.insert_seconds:g} s, point_select {args.point_seconds:g} s per case.\n")
    target_notes = [f"- {t.name}: {n}" for t in targets.values() for n in t.notes]
    md = header + "\n" + table + "\n"
    if target_notes:
        md += "\nServer events:\n\n" + "\n".join(target_notes) + "\n"
    print("\n" + md)
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(md)
    log(f"wrote {out} and {json_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
