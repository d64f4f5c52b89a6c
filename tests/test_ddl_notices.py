"""IF [NOT] EXISTS notices, PostgreSQL 15 as the oracle.

PostgreSQL tells a client that `DROP … IF EXISTS` skipped a missing object and `CREATE … IF
NOT EXISTS` an existing one (NOTICE 00000 / 42P07 / 42P06); migration scripts and psql users see
these lines. The same statements run on both servers; the notices (SQLSTATE and message) and
tags must match.
"""

from __future__ import annotations

import psycopg

from tests.test_temp_tables import uniq


def _run(dsn: str, statements: list[str]) -> list:
    out = []
    with psycopg.connect(dsn, autocommit=True) as conn:
        notices: list = []
        conn.add_notice_handler(lambda d: notices.append((d.sqlstate, d.message_primary)))
        for sql in statements:
            notices.clear()
            cur = conn.execute(sql)
            out.append((cur.statusmessage, list(notices)))
    return out


def test_if_exists_and_if_not_exists_notices(pg, gateway):
    p = uniq("ntc")
    statements = [
        f"DROP TABLE IF EXISTS {p}_t",
        f"CREATE TABLE IF NOT EXISTS {p}_t (id int PRIMARY KEY)",
        f"CREATE TABLE IF NOT EXISTS {p}_t (id int PRIMARY KEY)",
        f"CREATE INDEX IF NOT EXISTS {p}_ix ON {p}_t (id)",
        f"CREATE INDEX IF NOT EXISTS {p}_ix ON {p}_t (id)",
        f"CREATE SEQUENCE IF NOT EXISTS {p}_t",
        f"CREATE SEQUENCE IF NOT EXISTS {p}_q",
        f"CREATE SEQUENCE IF NOT EXISTS {p}_q",
        f"CREATE SCHEMA IF NOT EXISTS {p}_s",
        f"CREATE SCHEMA IF NOT EXISTS {p}_s",
        "CREATE SCHEMA IF NOT EXISTS public",
        f"DROP TABLE IF EXISTS {p}_missing, {p}_t",
        f"DROP VIEW IF EXISTS {p}_v",
        f"DROP INDEX IF EXISTS {p}_nope",
        f"DROP SEQUENCE IF EXISTS {p}_q",
        f"DROP SEQUENCE IF EXISTS {p}_q",
        f"DROP TYPE IF EXISTS {p}_ty",
        f"DROP SCHEMA IF EXISTS {p}_s",
        f"DROP SCHEMA IF EXISTS {p}_s",
    ]
    want = _run(pg.dsn, statements)
    got = _run(gateway.dsn, statements)
    assert sum(1 for _, n in want if n) >= 10  # the oracle did notice
    for sql, w, g in zip(statements, want, got):
        assert g == w, f"{sql}: PostgreSQL {w}, gateway {g}"
