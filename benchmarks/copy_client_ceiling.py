"""How fast can psycopg read `COPY … TO STDOUT` at all? A stand-in server (a forked process)
replays the gateway's pre-encoded CopyData messages for `SELECT * FROM bench_rows` — one per row,
as PostgreSQL sends them — at no cost of its own; psycopg reads them as the `copy_out_csv`
benchmark does. The MB/s printed is the ceiling any server can reach with this client.

    .venv/bin/python benchmarks/copy_client_ceiling.py [--rows 1000000] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import socket
import struct
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import duckdb  # noqa: E402
import psycopg  # noqa: E402

from benchmarks import data  # noqa: E402
from gateway.protocol import copy as pgcopy  # noqa: E402
from gateway.sql.classify import parse_query  # noqa: E402

SQL = "COPY (SELECT * FROM bench_rows) TO STDOUT (FORMAT csv)"


def _msg(t: bytes, body: bytes) -> bytes:
    return t + struct.pack("!i", len(body) + 4) + body


def encoded(rows: int) -> bytes:
    con = duckdb.connect()
    con.execute(data.BENCH_ROWS_DUCKDB.format(name="bench_rows"))
    con.execute(data.BENCH_ROWS_INSERT.format(name="bench_rows", rows=rows))
    con.execute("SELECT * FROM bench_rows")
    types, names = [d[1] for d in con.description], [d[0] for d in con.description]
    enc = pgcopy.CopyOutEncoder(pgcopy.parse_copy(parse_query(SQL)[0]), types, names)
    reader = con.execute("SELECT * FROM bench_rows").to_arrow_reader(pgcopy.COPY_OUT_BATCH_ROWS)
    return b"".join(enc.encode(b) for b in reader)


def serve(listener: socket.socket, payload: bytes) -> None:
    """Trust login, then answer every query with the same COPY OUT stream."""
    hello = (_msg(b"R", struct.pack("!i", 0)) + _msg(b"S", b"server_version\x0015.0\x00")
             + _msg(b"S", b"client_encoding\x00UTF8\x00") + _msg(b"S", b"standard_conforming_strings\x00on\x00")
             + _msg(b"S", b"DateStyle\x00ISO, MDY\x00") + _msg(b"K", b"\0\0\0\1\0\0\0\2") + _msg(b"Z", b"I"))
    ncols = 8
    while True:
        conn, _ = listener.accept()
        conn.recv(65536)  # the startup packet
        conn.sendall(hello)
        while True:
            msg = conn.recv(65536)
            if not msg or msg[:1] == b"X":
                break
            conn.sendall(_msg(b"H", b"\0" + struct.pack("!h", ncols) + b"\0\0" * ncols))
            view = memoryview(payload)
            for i in range(0, len(view), 1 << 20):
                conn.sendall(view[i:i + (1 << 20)])
            conn.sendall(_msg(b"c", b"") + _msg(b"C", b"COPY\x00") + _msg(b"Z", b"I"))
        conn.close()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--runs", type=int, default=5)
    args = p.parse_args()
    payload = encoded(args.rows)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    pid = os.fork()
    if pid == 0:
        try:
            serve(listener, payload)
        finally:
            os._exit(0)
    try:
        with psycopg.connect(host="127.0.0.1", port=port, user="bench", dbname="bench", sslmode="disable",
                             autocommit=True) as conn:
            for run in range(args.runs):
                n = 0
                t0, c0 = time.perf_counter(), time.process_time()
                with conn.cursor().copy(SQL) as cp:
                    for chunk in cp:
                        n += len(chunk)
                dt, cpu = time.perf_counter() - t0, time.process_time() - c0
                print(f"run {run + 1}: {n / dt / 1e6:.0f} MB/s ({n:,} bytes in {dt:.3f} s, client CPU {cpu:.3f} s)")
    finally:
        os.kill(pid, 15)
        os.waitpid(pid, 0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
