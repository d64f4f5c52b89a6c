"""search_path: unqualified names resolve through the session's path, PostgreSQL 15 as the oracle.

Multi-tenant apps, DBeaver's "default schema", Django's `options=-c search_path=…` and
migration tools set search_path and then write plain `users`. The same scripts run on both
servers; every step's rows, command tag and SQLSTATE must match. The dangerous case is a name
that exists in two schemas: reading `public.users` when the path says `app` is a wrong answer.
"""

from __future__ import annotations

import asyncio

import psycopg
import pytest

from tests.test_temp_tables import both, run_script, uniq

asyncpg = pytest.importorskip("asyncpg")


def _schema_pair(pg, gateway, s: str, t: str) -> None:
    """Schema s and the table t both in public and in s, with different rows."""
    setup = [
        ("a", f"CREATE SCHEMA {s}"),
        ("a", f"CREATE TABLE public.{t} (id int PRIMARY KEY, who text)"),
        ("a", f"INSERT INTO public.{t} VALUES (1, 'public')"),
        ("a", f"CREATE TABLE {s}.{t} (id int PRIMARY KEY, who text)"),
        ("a", f"INSERT INTO {s}.{t} VALUES (1, 'tenant'), (2, 'tenant')"),
    ]
    for server in (pg, gateway):
        run_script(server.dsn, {"a": True}, setup)


def _drop(pg, gateway, s: str, t: str) -> None:
    for server in (pg, gateway):
        run_script(server.dsn, {"a": True}, [("a", f"DROP TABLE IF EXISTS public.{t}"),
                                              ("a", f"DROP SCHEMA IF EXISTS {s} CASCADE")])


def test_same_name_in_two_schemas_follows_the_path(pg, gateway):
    s, t = uniq("tenant"), uniq("acct")
    _schema_pair(pg, gateway, s, t)
    try:
        got = both(pg, gateway, {"a": True}, [
            ("a", f"SELECT who, count(*) FROM {t} GROUP BY who"),  # default path: public
            ("a", f"SET search_path TO {s}, public"),
            ("a", "SHOW search_path"),
            ("a", f"SELECT who, count(*) FROM {t} GROUP BY who"),
            ("a", f"SELECT x.who FROM {t} x JOIN {t} y ON x.id = y.id ORDER BY x.id"),
            ("a", f"INSERT INTO {t} VALUES (3, 'tenant') RETURNING id"),
            ("a", f"UPDATE {t} SET who = 'moved' WHERE id = 3"),
            ("a", f"DELETE FROM {t} WHERE id = 2"),
            ("a", f"SELECT id, who FROM {t} ORDER BY id"),
            ("a", f"SELECT id, who FROM public.{t} ORDER BY id"),
            ("a", f"WITH c AS (SELECT * FROM {t}) SELECT count(*) FROM c"),
            ("a", f"SELECT (SELECT count(*) FROM {t}) AS n, EXISTS (SELECT 1 FROM {t} WHERE id = 1) AS e"),
            ("a", "SELECT current_schema(), current_schemas(false), current_schemas(true)"),
            ("a", "SET search_path TO public, " + s),
            ("a", f"SELECT who, count(*) FROM {t} GROUP BY who"),
            ("a", "RESET search_path"),
            ("a", "SHOW search_path"),
            ("a", f"SELECT who, count(*) FROM {t} GROUP BY who"),
        ])
        assert got[3][1] == [("tenant", 2)], got[3]  # the wrong answer this guards against: public's row
    finally:
        _drop(pg, gateway, s, t)


def test_create_goes_to_the_first_schema_of_the_path(pg, gateway):
    s, t, v = uniq("app"), uniq("items"), uniq("v")
    for server in (pg, gateway):
        run_script(server.dsn, {"a": True}, [("a", f"CREATE SCHEMA {s}")])
    try:
        both(pg, gateway, {"a": True}, [
            ("a", f"SET search_path = {s}, public"),
            ("a", f"CREATE TABLE {t} (id int PRIMARY KEY, name text NOT NULL)"),
            ("a", f"CREATE VIEW {v} AS SELECT id, upper(name) AS name FROM {t}"),
            ("a", f"INSERT INTO {t} VALUES (1, 'a'), (2, 'b')"),
            ("a", "SELECT table_schema = %s AS in_app, table_name, table_type FROM information_schema.tables "
                  "WHERE table_name IN (%s, %s) ORDER BY table_name", (s, t, v)),
            ("a", f"SELECT * FROM {v} ORDER BY id"),
            ("a", f"SELECT count(*) FROM {s}.{t}"),
            ("a", f"SELECT count(*) FROM public.{t}"),  # 42P01: not created in public
            ("a", f"INSERT INTO {t} VALUES (1, 'dup')"),  # 23505 on the tenant's key
            ("a", f"DROP VIEW {v}"),
            ("a", f"DROP TABLE {t}"),
            ("a", f"SELECT count(*) FROM {s}.{t}"),
        ])
    finally:
        _drop(pg, gateway, s, t)


def test_prepared_statements_copy_and_transactions_in_the_path(pg, gateway):
    s, t = uniq("tenant"), uniq("acct")
    _schema_pair(pg, gateway, s, t)
    try:
        both(pg, gateway, {"a": False}, [
            ("a", f"SET search_path TO {s}"),
            ("a", "commit"),
            ("a", f"SELECT who FROM {t} WHERE id = %s", (1,)),  # extended protocol, a parameter
            ("a", "executemany", f"INSERT INTO {t} (id, who) VALUES (%s, %s)", [(10, "x"), (11, "y")]),
            ("a", "copy", f"COPY {t} (id, who) FROM STDIN", [(20, "copied"), (21, "copied")]),
            ("a", "commit"),
            ("a", f"SELECT who, count(*) FROM {t} GROUP BY who ORDER BY who"),
            ("a", f"SELECT count(*) FROM public.{t}"),
            ("a", "commit"),
            ("a", "SET LOCAL search_path TO public"),
            ("a", f"SELECT who FROM {t} WHERE id = 1"),
            ("a", "rollback"),
            ("a", f"SELECT who FROM {t} WHERE id = 1"),  # SET LOCAL ended with the transaction
            ("a", "rollback"),
        ])
        want, got = ([], [])
        for server, out in ((pg, want), (gateway, got)):
            with psycopg.connect(server.dsn, autocommit=True) as conn:
                conn.execute(f"SET search_path TO {s}")
                with conn.cursor() as cur:
                    with cur.copy(f"COPY {t} TO STDOUT") as cp:
                        out.extend(sorted(bytes(chunk) for chunk in cp))
                    with cur.copy(f"COPY (SELECT who FROM {t} WHERE id < 3) TO STDOUT") as cp:
                        out.extend(sorted(bytes(chunk) for chunk in cp))
        assert got == want
    finally:
        _drop(pg, gateway, s, t)


def test_path_from_startup_options_and_asyncpg_server_settings(pg, gateway):
    s, t = uniq("tenant"), uniq("acct")
    _schema_pair(pg, gateway, s, t)
    try:
        answers = []
        for server in (pg, gateway):
            with psycopg.connect(server.dsn, autocommit=True, options=f"-c search_path={s},public") as conn:
                row = conn.execute(f"SELECT who, count(*) FROM {t} GROUP BY who").fetchall()
                shown = conn.execute("SHOW search_path").fetchone()

            async def via_asyncpg(dsn=server.url):
                c = await asyncpg.connect(dsn, server_settings={"search_path": s})
                try:
                    stmt = await c.prepare(f"SELECT who FROM {t} WHERE id = $1")
                    return [tuple(r) for r in await stmt.fetch(2)], await c.fetchval("SELECT current_schema()")
                finally:
                    await c.close()

            answers.append((row, shown, asyncio.run(via_asyncpg())))
        assert answers[1] == answers[0]
        assert answers[1][0] == [("tenant", 2)]
    finally:
        _drop(pg, gateway, s, t)


def test_temporary_table_comes_before_the_path(pg, gateway):
    s, t = uniq("tenant"), uniq("acct")
    _schema_pair(pg, gateway, s, t)
    try:
        both(pg, gateway, {"a": True}, [
            ("a", f"SET search_path TO {s}, public"),
            ("a", f"CREATE TEMP TABLE {t} (id int, who text)"),
            ("a", f"INSERT INTO {t} VALUES (7, 'temp')"),
            ("a", f"SELECT who, count(*) FROM {t} GROUP BY who"),
            ("a", f"DROP TABLE {t}"),
            ("a", f"SELECT who, count(*) FROM {t} GROUP BY who"),
        ])
    finally:
        _drop(pg, gateway, s, t)


@pytest.mark.parametrize("value", [
    "app, public", '"$user", public', "public", "'a b', \"X\"", '"MixedCase", other', "pg_catalog, public",
])
def test_show_search_path_prints_it_as_postgresql(pg, gateway, value):
    shown = []
    for server in (pg, gateway):
        with psycopg.connect(server.dsn, autocommit=True) as conn:
            conn.execute(f"SET search_path TO {value}")
            shown.append(conn.execute("SHOW search_path").fetchone()[0])
            conn.execute("SELECT set_config('search_path', %s, false)", (shown[-1],))
            shown.append(conn.execute("SHOW search_path").fetchone()[0])
    assert shown[2:] == shown[:2]
