"""Gateway CPU seconds per binary COPY FROM load: a noise-robust companion to `copy_in_binary`.

    python benchmarks/copy_binary_cpu.py [--rows 1000000] [--runs 3] [--raw]

Starts a gateway from this checkout on a fresh database, builds the `copy_in_binary` records
(the same 8 columns) in memory BEFORE timing, then loads them with asyncpg
`copy_records_to_table` into a freshly created table, `--runs` times. For each load it prints
rows/s and the CPU the gateway process used (every thread: utime + stime from
/proc/<pid>/task/*/stat, diffed around the load), and the client's own CPU. On a shared machine
rows/s swings with the other load; the gateway's CPU per row barely does, so compare that.

`--raw` also replays the binary COPY stream of the same rows from a raw socket (CopyData of
512 KB, as asyncpg sends), so the client costs nothing: rows/s is then the gateway's own
ceiling, and "tail" is the time from CopyDone to CommandComplete.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import os
import socket
import struct
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks.scenarios import COPY_DDL  # noqa: E402
from tests.servers import start_gateway  # noqa: E402

HZ = os.sysconf("SC_CLK_TCK")


def records(rows: int) -> list[tuple]:
    """benchmarks.scenarios._copy_records, materialised."""
    base = datetime.datetime(2024, 1, 1)
    day0 = datetime.date(2000, 1, 1)
    return [(i, i * 7, f"name {i % 1000}", i * 0.5, base + datetime.timedelta(seconds=i), i % 2 == 0,
             Decimal(i % 10000) / 100, day0 + datetime.timedelta(days=i % 9000)) for i in range(rows)]


def cpu_ticks(pid: int) -> int:
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            stat = open(f"/proc/{pid}/task/{tid}/stat").read()
        except OSError:
            continue  # a thread that ended meanwhile
        fields = stat[stat.rindex(")") + 2:].split()
        total += int(fields[11]) + int(fields[12])
    return total


def fresh_table(port: int) -> None:
    import psycopg

    with psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname=postgres", autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_copy")
        conn.execute(COPY_DDL)


async def load_asyncpg(port: int, pid: int, recs: list[tuple]) -> tuple[float, float, float]:
    import asyncpg

    conn = await asyncpg.connect(f"postgres://postgres@127.0.0.1:{port}/postgres")
    try:
        t0, c0, g0 = time.perf_counter(), time.process_time(), cpu_ticks(pid)
        await conn.copy_records_to_table("bench_copy", records=recs)
        dt, client, gw = time.perf_counter() - t0, time.process_time() - c0, (cpu_ticks(pid) - g0) / HZ
        assert await conn.fetchval("SELECT count(*) FROM bench_copy") == len(recs)
        return dt, client, gw
    finally:
        await conn.close()


def binary_stream(port: int) -> bytes:
    import psycopg

    out = bytearray()
    with psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname=postgres") as conn:
        with conn.cursor().copy("COPY bench_copy TO STDOUT (FORMAT binary)") as cp:
            for chunk in cp:
                out += chunk
    return bytes(out)


def _msg(tag: bytes, body: bytes) -> bytes:
    return tag + struct.pack("!i", len(body) + 4) + body


def load_raw(port: int, pid: int, stream: bytes) -> tuple[float, float, float]:
    sock = socket.create_connection(("127.0.0.1", port))
    body = struct.pack("!i", 196608) + b"user\0postgres\0database\0postgres\0\0"
    sock.sendall(struct.pack("!i", len(body) + 4) + body)
    pending = b""

    def until(tag: bytes) -> None:
        nonlocal pending
        while True:
            while len(pending) >= 5:
                n = struct.unpack("!i", pending[1:5])[0]
                if len(pending) < n + 1:
                    break
                got, pending = pending[:1], pending[n + 1:]
                if got == b"E":
                    raise RuntimeError("the gateway refused the COPY")
                if got == tag:
                    return
            pending += sock.recv(1 << 16)

    until(b"Z")
    sock.sendall(_msg(b"Q", b"COPY bench_copy FROM STDIN (FORMAT binary)\0"))
    until(b"G")
    msgs = [_msg(b"d", stream[i:i + 524288]) for i in range(0, len(stream), 524288)]
    t0, g0 = time.perf_counter(), cpu_ticks(pid)
    for m in msgs:
        sock.sendall(m)
    t1 = time.perf_counter()
    sock.sendall(_msg(b"c", b""))
    until(b"C")
    t2, gw = time.perf_counter(), (cpu_ticks(pid) - g0) / HZ
    until(b"Z")
    sock.close()
    return t2 - t0, t2 - t1, gw


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--raw", action="store_true", help="also replay a pre-encoded stream from a raw socket")
    args = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="dfbincpu-"))
    gw = start_gateway(tmp, database=tmp / "bench.duckdb")
    try:
        recs = records(args.rows)
        per_m = 1_000_000 / args.rows
        for run in range(args.runs):
            fresh_table(gw.port)
            dt, client, cpu = asyncio.run(load_asyncpg(gw.port, gw.proc.pid, recs))
            print(f"asyncpg run {run + 1}: {args.rows / dt:,.0f} rows/s; gateway CPU {cpu * per_m:.2f} s per 1M rows"
                  f" (client CPU {client * per_m:.2f} s)", flush=True)
        if args.raw:
            stream = binary_stream(gw.port)
            for run in range(args.runs):
                fresh_table(gw.port)
                dt, tail, cpu = load_raw(gw.port, gw.proc.pid, stream)
                print(f"raw run {run + 1}: {args.rows / dt:,.0f} rows/s; gateway CPU {cpu * per_m:.2f} s per 1M rows;"
                      f" tail (CopyDone → CommandComplete) {tail * 1000:.0f} ms", flush=True)
    finally:
        gw.proc.terminate()
        gw.proc.wait()


if __name__ == "__main__":
    main()
