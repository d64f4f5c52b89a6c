"""setval(), ALTER SEQUENCE … RESTART and the ALTER forms pg_dump writes, PostgreSQL 15 as the oracle.

DuckDB cannot reposition a sequence; the gateway moves one forward (engine/sequences.py), or
replaces it when no column default uses it. The forms ORMs write after loading data (Django's
sequence reset, Rails' reset_pk_sequence!, pg_dump's literal call) must give PostgreSQL's rows
and leave the sequence where PostgreSQL's is (the next INSERT's id). A move the gateway
cannot make is a clear 0A000, never a wrong sequence.
"""

from __future__ import annotations

import asyncio

import asyncpg
import psycopg
import pytest

from tests.test_temp_tables import both, run_script, uniq


def _table(t: str) -> list:
    return [
        ("a", f"CREATE TABLE {t} (id serial PRIMARY KEY, v text)"),
        ("a", f"INSERT INTO {t} (id, v) VALUES (1, 'a'), (2, 'b'), (7, 'c')"),
    ]


def test_django_sequence_reset(pg, gateway):
    t = uniq("dj")
    got = both(pg, gateway, {"a": True}, _table(t) + [
        # django.db.backends.postgresql.operations.sequence_reset_sql
        ("a", f"""SELECT setval(pg_get_serial_sequence('"{t}"','id'), coalesce(max("id"), 1), """
              f"""max("id") IS NOT null) FROM "{t}";"""),
        ("a", f"INSERT INTO {t} (v) VALUES ('d') RETURNING id"),
    ])
    assert got[3] == ("INSERT 0 1", [(8,)])


def test_django_sequence_reset_of_an_empty_table(pg, gateway):
    t = uniq("dje")
    got = both(pg, gateway, {"a": True}, [
        ("a", f"CREATE TABLE {t} (id serial PRIMARY KEY, v text)"),
        ("a", f"""SELECT setval(pg_get_serial_sequence('"{t}"','id'), coalesce(max("id"), 1), """
              f"""max("id") IS NOT null) FROM "{t}";"""),
        ("a", f"INSERT INTO {t} (v) VALUES ('d') RETURNING id"),
    ])
    assert got[2] == ("INSERT 0 1", [(1,)])


def test_rails_reset_pk_sequence(pg, gateway):
    t = uniq("rails")
    got = both(pg, gateway, {"a": True}, _table(t) + [
        ("a", f"SELECT setval('{t}_id_seq', (SELECT COALESCE(MAX(id)+1, 1) FROM {t}), false) AS reset"),
        ("a", f"INSERT INTO {t} (v) VALUES ('d') RETURNING id"),
    ])
    assert got[2] == ("SELECT 1", [(8,)])


def test_pg_dump_literal_setval_and_is_called(pg, gateway):
    t = uniq("lit")
    got = both(pg, gateway, {"a": True}, _table(t) + [
        ("a", f"SELECT pg_catalog.setval('public.{t}_id_seq', 7, true)"),
        ("a", f"SELECT nextval('{t}_id_seq'::regclass)"),
        ("a", f"SELECT setval('{t}_id_seq'::regclass, 20, false)"),
        ("a", f"SELECT nextval('{t}_id_seq'), nextval('{t}_id_seq')"),
        ("a", f"SELECT setval('{t}_id_seq', 30), setval('{t}_id_seq', 40) AS second"),
        ("a", f"INSERT INTO {t} (v) VALUES ('x') RETURNING id"),
        ("a", f"SELECT setval('{t}_id_seq', NULL)"),
        ("a", f"INSERT INTO {t} (v) VALUES ('y') RETURNING id"),
    ])
    assert got[3] == ("SELECT 1", [(8,)]) and got[7] == ("INSERT 0 1", [(41,)])


def test_setval_with_parameters(pg, gateway):
    t = uniq("param")
    got = both(pg, gateway, {"a": True}, _table(t) + [
        ("a", "SELECT setval(%s, %s)", (f"{t}_id_seq", 100)),
        ("a", "SELECT setval(%s, %s, %s)", (f"{t}_id_seq", 200, False)),
        ("a", f"INSERT INTO {t} (v) VALUES ('x') RETURNING id"),
    ])
    assert got[4] == ("INSERT 0 1", [(200,)])


def test_setval_inside_a_transaction_and_increment(pg, gateway):
    s = uniq("seq")
    both(pg, gateway, {"a": False}, [
        ("a", f"CREATE SEQUENCE {s} START WITH 10 INCREMENT BY 5"),
        ("a", f"CREATE TABLE {s}_t (id int DEFAULT nextval('{s}'), v text)"),
        ("a", "commit"),
        ("a", f"SELECT setval('{s}', 30)"),
        ("a", f"INSERT INTO {s}_t (v) VALUES ('x') RETURNING id"),
        ("a", "commit"),
        ("a", f"SELECT nextval('{s}')"),
        ("a", "commit"),
    ])


def test_setval_errors_as_postgresql(pg, gateway):
    s = uniq("serr")
    both(pg, gateway, {"a": True}, [
        ("a", f"CREATE SEQUENCE {s} MAXVALUE 100"),
        ("a", "SELECT setval('no_such_sequence_x', 5)"),  # 42P01
        ("a", f"SELECT setval('{s}', 1000)"),  # 22003 out of bounds
        ("a", f"SELECT setval('{s}', 0)"),  # 22003 below MINVALUE 1
    ])


def test_backwards_on_a_sequence_a_column_uses_is_refused(gateway):
    """The one move DuckDB cannot make: back (or off the increment's grid) on a sequence a
    column default uses. 0A000 naming it, and the sequence is where it was."""
    t = uniq("back")
    got = run_script(gateway.dsn, {"a": True}, _table(t) + [
        ("a", f"SELECT setval('{t}_id_seq', 50)"),
        ("a", f"SELECT setval('{t}_id_seq', 10)"),
        ("a", f"INSERT INTO {t} (v) VALUES ('x') RETURNING id"),
    ])
    assert got[3] == ("error", "0A000") and got[4] == ("INSERT 0 1", [(51,)])
    with psycopg.connect(gateway.dsn, autocommit=True) as con:
        with pytest.raises(psycopg.errors.FeatureNotSupported) as e:
            con.execute(f"SELECT setval('{t}_id_seq', 3)")
    assert "backwards" in str(e.value) and e.value.diag.message_hint


def test_free_sequence_moves_both_ways(pg, gateway):
    """A sequence no column uses is replaced where it cannot move forward: any value works."""
    s = uniq("free")
    both(pg, gateway, {"a": True}, [
        ("a", f"CREATE SEQUENCE {s} START 5 INCREMENT 3"),
        ("a", f"SELECT nextval('{s}'), nextval('{s}')"),
        ("a", f"SELECT setval('{s}', 1, false)"),
        ("a", f"SELECT nextval('{s}')"),
        ("a", f"SELECT setval('{s}', 2)"),  # off the 5, 8, 11… grid
        ("a", f"SELECT nextval('{s}'), currval('{s}')"),
        ("a", f"ALTER SEQUENCE {s} RESTART WITH 101"),  # on the grid: RESTART still knows START 5
        ("a", f"SELECT nextval('{s}')"),
        ("a", f"ALTER SEQUENCE {s} RESTART"),
        ("a", f"SELECT nextval('{s}')"),
    ])


def test_setval_in_an_expression_is_refused_clearly(gateway):
    s = uniq("expr")
    got = run_script(gateway.dsn, {"a": True}, [
        ("a", f"CREATE SEQUENCE {s}"),
        ("a", f"SELECT 1 + setval('{s}', 5)"),
    ])
    assert got[1] == ("error", "0A000")


async def _asyncpg_setval(url: str, seq: str):
    con = await asyncpg.connect(url)
    try:
        stmt = await con.prepare("SELECT setval($1, $2, true) AS v")
        cols = [(a.name, a.type.name) for a in stmt.get_attributes()]
        return cols, await stmt.fetch(seq, 42)
    finally:
        await con.close()


def test_describe_of_setval_over_extended_protocol(pg, gateway):
    s = uniq("desc")
    for server in (pg, gateway):
        with psycopg.connect(server.dsn, autocommit=True) as con:
            con.execute(f"CREATE SEQUENCE {s}")
    want = asyncio.run(_asyncpg_setval(pg.url, s))
    got = asyncio.run(_asyncpg_setval(gateway.url, s))
    assert got == want == ([("v", "int8")], [(42,)])


def test_pg_dump_alter_forms(pg, gateway):
    t = uniq("alt")
    got = both(pg, gateway, {"a": True}, [
        ("a", f"CREATE TABLE {t} (id bigint NOT NULL, v text)"),
        ("a", f"ALTER TABLE public.{t} OWNER TO postgres"),
        ("a", f"ALTER TABLE {t} ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (\n"
              f"    SEQUENCE NAME public.{t}_id_seq\n    START WITH 5\n    INCREMENT BY 2\n"
              "    NO MINVALUE\n    NO MAXVALUE\n    CACHE 1\n)"),
        ("a", f"ALTER SEQUENCE public.{t}_id_seq OWNER TO postgres"),
        ("a", f"INSERT INTO {t} (v) VALUES ('a'), ('b') RETURNING id"),
        ("a", f"CREATE SEQUENCE {t}_s2 AS integer START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1"),
        ("a", f"ALTER SEQUENCE public.{t}_s2 OWNED BY public.{t}.v"),
        ("a", f"ALTER SEQUENCE {t}_s2 OWNED BY NONE"),
        ("a", f"CREATE VIEW {t}_v AS SELECT id FROM {t}"),
        ("a", f"ALTER VIEW {t}_v OWNER TO postgres"),
        ("a", f"ALTER TABLE public.{t}_v OWNER TO postgres"),
        ("a", "ALTER SCHEMA public OWNER TO postgres"),
        ("a", "SET default_tablespace = ''"),
        ("a", "SHOW default_tablespace"),
        ("a", "SET default_table_access_method = heap"),
        ("a", "SET default_toast_compression = 'pglz'"),
        ("a", "SHOW default_toast_compression"),
    ])
    assert got[4] == ("INSERT 0 2", [(5,), (7,)])
