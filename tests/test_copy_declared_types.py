"""COPY … TO prints columns as their declared PostgreSQL types do: char(n) blank-padded,
varchar(n) as stored, jsonb in its canonical text (PostgreSQL 15 is the oracle: every byte of
the COPY output is compared)."""

from __future__ import annotations

import uuid

import psycopg
import pytest

ROWS = [
    "(1, 'ab', 'xy', '{\"b\": 1, \"a\": [1, 2.50], \"a\": \"dup\"}', ARRAY['p', 'qr']::char(3)[], 'tail ')",
    "(2, NULL, '', '[true, null, {\"z\": {}, \"y\": 1e2}]', NULL, NULL)",
    "(3, 'abcde', 'v', '\"text\"', ARRAY[NULL, 'x']::char(3)[], 'x')",
]


@pytest.fixture(scope="module")
def table(pg, gateway):
    t = f"cpd_{uuid.uuid4().hex[:8]}"
    for server in (pg, gateway):
        with psycopg.connect(server.dsn, autocommit=True) as c:
            c.execute(f"CREATE TABLE {t} (id int PRIMARY KEY, c char(5), v varchar(8), j jsonb, ca char(3)[], "
                      f"bp bpchar)")
            c.execute(f"INSERT INTO {t} VALUES " + ", ".join(ROWS))
    yield t
    for server in (pg, gateway):
        with psycopg.connect(server.dsn, autocommit=True) as c:
            c.execute(f"DROP TABLE IF EXISTS {t}")


def copy_out(dsn: str, sql: str) -> bytes:
    with psycopg.connect(dsn, autocommit=True) as c, c.cursor() as cur:
        out = bytearray()
        with cur.copy(sql) as cp:
            for chunk in cp:
                out += chunk
        return bytes(out)


@pytest.mark.parametrize("form", [
    "COPY {t} TO STDOUT",
    "COPY {t} TO STDOUT (FORMAT csv, HEADER)",
    "COPY {t} (c, j) TO STDOUT (FORMAT csv, FORCE_QUOTE *)",
    "COPY public.{t} TO STDOUT (FORMAT text, NULL 'nil')",
    "COPY (SELECT id, c, j, j -> 'a' AS ja, c::char(7) AS c7 FROM {t} ORDER BY id) TO STDOUT",
    "COPY (SELECT * FROM {t} ORDER BY id DESC) TO STDOUT (FORMAT csv)",
    "COPY {t} (id, c, v, j, bp) TO STDOUT (FORMAT binary)",
    "COPY (SELECT j, c, j -> 'a' AS ja FROM {t} ORDER BY id) TO STDOUT (FORMAT binary)",
])
def test_copy_to_prints_declared_types(pg, gateway, table, form):
    sql = form.format(t=table)
    assert copy_out(gateway.dsn, sql) == copy_out(pg.dsn, sql)


def test_binary_copy_rows_decode_as_declared_types(pg, gateway, table):
    """psycopg's binary COPY parser, typed as the columns are (jsonb needs its version byte),
    reads the same rows from both servers."""
    sql = f"COPY (SELECT id, c, v, j FROM {table} ORDER BY id) TO STDOUT (FORMAT binary)"

    def rows(dsn: str):
        with psycopg.connect(dsn, autocommit=True) as c, c.cursor() as cur:
            with cur.copy(sql) as cp:
                cp.set_types(["int4", "bpchar", "varchar", "jsonb"])
                return list(cp.rows())

    assert rows(gateway.dsn) == rows(pg.dsn)
