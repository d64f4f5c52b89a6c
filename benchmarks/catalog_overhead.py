"""Catalog validation overhead: the same statements on two gateways, with and without the catalog.

    python benchmarks/catalog_overhead.py [--rows 100000] [--seconds 0.5] [--rounds 30]

Both gateways serve a byte copy of one DuckDB file holding `bench_cat` (point lookups) and
`bench_cat_ins` (inserts). One runs with `--schemas DIR` where DIR declares both tables (with
`access` rules, so the access check runs too), the other with `--schemas ''` (no catalog).
One client (psycopg), interleaved rounds (without, with, without, with…), median µs per
statement of each case:

- prepared point SELECT (`prepare=True`: validated once, at Parse),
- unprepared point SELECT (a Parse per statement: one cached verdict lookup each time),
- prepared single-row INSERT, autocommit.

Also printed: the cost of one uncached validation (sqlglot qualify), measured in-process.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import duckdb  # noqa: E402
import psycopg  # noqa: E402

from catalog import ddl  # noqa: E402
from catalog.check import Validator  # noqa: E402
from catalog.loader import load  # noqa: E402
from gateway.sql.parse import split  # noqa: E402
from tests.servers import start_gateway  # noqa: E402

SCHEMA = """\
table: bench_cat
description: Point-lookup benchmark table.
columns:
  - {name: id, type: integer, primary_key: true}
  - {name: i8, type: bigint, nullable: false}
  - {name: f8, type: double precision}
  - {name: t, type: text, description: some text}
  - {name: ts, type: timestamptz, indexed: true}
  - {name: n, type: "numeric(12,2)"}
access: {read: [postgres, analyst], write: [postgres]}
---
table: bench_cat_ins
columns:
  - {name: id, type: bigint, nullable: false}
  - {name: client, type: integer, nullable: false}
  - {name: v, type: double precision}
  - {name: ts, type: timestamptz}
access: {read: [postgres], write: [postgres]}
"""

POINT = "SELECT id, i8, f8, t, ts, n FROM bench_cat WHERE id = %s"
INSERT = "INSERT INTO bench_cat_ins (id, client, v, ts) VALUES (%s, %s, %s, now())"


def build(work: Path, rows: int) -> tuple[Path, Path]:
    schemas = work / "schemas"
    schemas.mkdir()
    (schemas / "bench.yaml").write_text(SCHEMA)
    seed = work / "seed.duckdb"
    con = duckdb.connect(str(seed))
    ddl.apply(ddl.plan(load(schemas), con), con)
    con.execute(f"INSERT INTO bench_cat SELECT i::INTEGER, hash(i) % 1000000, i / 7.0, 'row ' || i, "
                f"TIMESTAMPTZ '2024-01-01' + to_seconds(i), (i % 100000) / 100.0 FROM range(1, {rows + 1}) r(i)")
    con.execute("CHECKPOINT")
    con.close()
    return schemas, seed


def measure(dsn: str, case: str, seconds: float, rows: int, seq: list[int]) -> float:
    """µs per statement over `seconds` (one client)."""
    rng = random.Random(7)
    with psycopg.connect(dsn, autocommit=True) as conn:
        cur = conn.cursor()
        n = 0
        t0 = time.perf_counter()
        end = t0 + seconds
        while True:
            for _ in range(50):
                if case == "insert":
                    seq[0] += 1
                    cur.execute(INSERT, (seq[0], 1, 0.5), prepare=True)
                else:
                    k = rng.randint(1, rows)
                    cur.execute(POINT, (k,), prepare=case == "select_prepared")
                    row = cur.fetchone()
                    if row is None or row[0] != k:
                        raise RuntimeError(f"wrong row for key {k}: {row}")
                n += 1
            now = time.perf_counter()
            if now >= end:
                return (now - t0) / n * 1e6


def uncached_validation_us(schemas: Path) -> float:
    v = Validator(load(schemas))
    tree = split(POINT.replace("%s", "$1"))[0].tree
    principals = frozenset({"postgres"})
    v.verdict(tree, principals)
    n = 200
    t0 = time.perf_counter()
    for _ in range(n):
        assert v.verdict(tree, principals) is None
    return (time.perf_counter() - t0) / n * 1e6


def cached_check_us(schemas: Path) -> float:
    """The hook's cost on a repeated statement: the session's `await validator.check(...)`."""
    import asyncio

    from gateway.sql.classify import parse_query

    v = Validator(load(schemas))
    st = parse_query(POINT.replace("%s", "$1"))[0]

    async def run(n: int) -> float:
        await v.check(st, "postgres")
        t0 = time.perf_counter()
        for _ in range(n):
            await v.check(st, "postgres")
        return (time.perf_counter() - t0) / n * 1e6

    return asyncio.run(run(100_000))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--seconds", type=float, default=0.5, help="per case, per gateway, per round")
    p.add_argument("--rounds", type=int, default=30)
    a = p.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="dataforge-catbench-"))
    servers = []
    try:
        schemas, seed = build(work, a.rows)
        dbs = {}
        for name in ("without", "with"):
            dbs[name] = work / f"{name}.duckdb"
            shutil.copy(seed, dbs[name])
        gws = {
            "without": start_gateway(work / "gw_without", "--schemas", "", database=dbs["without"]),
            "with": start_gateway(work / "gw_with", "--schemas", str(schemas), database=dbs["with"]),
        }
        servers = list(gws.values())
        assert "managed table" in gws["with"].log_text() and "managed table" not in gws["without"].log_text()
        cases = ["select_prepared", "select_unprepared", "insert"]
        results: dict[tuple[str, str], list[float]] = {}
        seqs = {"without": [0], "with": [0]}
        for name, gw in gws.items():  # warm up both (DuckDB buffer pool, caches)
            for case in cases:
                measure(gw.dsn, case, 0.5, a.rows, seqs[name])
        for r in range(a.rounds):
            for case in cases:
                for name in (("without", "with") if r % 2 == 0 else ("with", "without")):
                    us = measure(gws[name].dsn, case, a.seconds, a.rows, seqs[name])
                    results.setdefault((case, name), []).append(us)
                    print(f"round {r + 1}/{a.rounds} {case:18s} {name:8s} {us:8.1f} µs", file=sys.stderr, flush=True)
        print()
        print("| case | without catalog (µs/stmt) | with catalog (µs/stmt) | overhead |")
        print("|---|---|---|---|")
        labels = {"select_prepared": "point SELECT, prepared", "select_unprepared": "point SELECT, unprepared (Parse each)",
                  "insert": "single-row INSERT, prepared, autocommit"}
        for case in cases:
            wo = statistics.median(results[(case, "without")])
            wi = statistics.median(results[(case, "with")])
            print(f"| {labels[case]} | {wo:.1f} | {wi:.1f} | {(wi - wo) / wo * 100:+.1f}% |")
        print()
        print(f"one uncached validation of the point SELECT (sqlglot qualify, in-process): "
              f"{uncached_validation_us(schemas):.0f} µs (paid once per statement text and user)")
        hit = cached_check_us(schemas)
        point = statistics.median(results[("select_unprepared", "without")])
        print(f"one cached validation (the hook on a repeated statement, in-process): {hit:.2f} µs "
              f"= {hit / point * 100:.2f}% of an unprepared point SELECT here")
        print(f"medians of {a.rounds} interleaved rounds of {a.seconds:g} s; {a.rows:,} rows; one psycopg client")
    finally:
        for s in servers:
            s.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
