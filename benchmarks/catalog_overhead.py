"""Catalog validation overhead: the same statements on two gateways, with and without the catalog.

    python benchmarks/catalog_overhead.py [--rows 100000] [--statements 5000]

Both gateways serve a byte copy of one DuckDB file holding `bench_cat` (point lookups) and
`bench_cat_ins` (inserts). One runs with `--schemas DIR` where DIR declares both tables (with
`access` rules, so the access check runs too), the other with `--schemas ''` (no catalog).
One client (psycopg) alternates statement by statement between the two gateways (A B B A …),
so machine load weighs on both alike; the median µs per statement of each case:

- prepared point SELECT (`prepare=True`: validated once, at Parse),
- unprepared point SELECT (a Parse per statement: one cached verdict lookup each time),
- prepared single-row INSERT, autocommit.

Also printed, measured in-process: the hook on a repeated statement (a cached verdict), and one
uncached validation of the point SELECT (paid once per statement text and user).
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


def paired(dsns: dict[str, str], case: str, n: int, rows: int, seqs: dict[str, list[int]]) -> dict[str, list[float]]:
    """µs of each of n statements on each gateway, alternating statement by statement (A B B A …)
    so that whatever else loads the machine weighs on both alike."""
    rng = random.Random(7)
    conns = {name: psycopg.connect(dsn, autocommit=True) for name, dsn in dsns.items()}
    curs = {name: c.cursor() for name, c in conns.items()}
    out: dict[str, list[float]] = {name: [] for name in dsns}
    names = list(dsns)
    try:
        for i in range(n + 50):  # the first 50 warm up (prepare, caches)
            k = rng.randint(1, rows)
            for name in (names if i % 2 == 0 else names[::-1]):
                cur = curs[name]
                t0 = time.perf_counter()
                if case == "insert":
                    seqs[name][0] += 1
                    cur.execute(INSERT, (seqs[name][0], 1, 0.5), prepare=True)
                else:
                    cur.execute(POINT, (k,), prepare=case == "select_prepared")
                    row = cur.fetchone()
                    if row is None or row[0] != k:
                        raise RuntimeError(f"wrong row for key {k}: {row}")
                if i >= 50:
                    out[name].append((time.perf_counter() - t0) * 1e6)
    finally:
        for c in conns.values():
            c.close()
    return out


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
    p.add_argument("--statements", type=int, default=5000, help="per case and gateway")
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
        labels = {"select_prepared": "point SELECT, prepared", "select_unprepared": "point SELECT, unprepared (Parse each)",
                  "insert": "single-row INSERT, prepared, autocommit"}
        seqs = {"without": [0], "with": [0]}
        medians: dict[tuple[str, str], float] = {}
        print("| case | without catalog: median µs (p25–p75) | with catalog: median µs (p25–p75) | overhead of the median |")
        print("|---|---|---|---|")
        for case in cases:
            lat = paired({name: gw.dsn for name, gw in gws.items()}, case, a.statements, a.rows, seqs)
            cells = []
            for name in ("without", "with"):
                q = statistics.quantiles(lat[name], n=4)
                medians[(case, name)] = q[1]
                cells.append(f"{q[1]:.0f} ({q[0]:.0f}–{q[2]:.0f})")
            wo, wi = medians[(case, "without")], medians[(case, "with")]
            print(f"| {labels[case]} | {cells[0]} | {cells[1]} | {(wi - wo) / wo * 100:+.1f}% |", flush=True)
        print()
        hit = cached_check_us(schemas)
        point = medians[("select_unprepared", "without")]
        print(f"one cached validation (the hook on a repeated statement, in-process): {hit:.2f} µs "
              f"= {hit / point * 100:.2f}% of an unprepared point SELECT here")
        print(f"one uncached validation of the point SELECT (in-process): {uncached_validation_us(schemas):.0f} µs "
              f"(paid once per statement text and user)")
        print(f"{a.statements:,} statements per case and gateway, alternated one by one; {a.rows:,} rows; one psycopg client")
    finally:
        for s in servers:
            s.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
