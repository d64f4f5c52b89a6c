"""The attack suite: what a network client may not do, refused with 42501 before DuckDB runs
anything, and the engine lockdown behind it (the second wall)."""

from __future__ import annotations

import uuid
from pathlib import Path

import duckdb
import psycopg
import pytest

from gateway.config import load_settings
from gateway.engine.database import Database
from gateway.sql.classify import parse_query
from tests import pgwire as w


def _refused(conn: psycopg.Connection, sql: str) -> psycopg.Error:
    with pytest.raises(psycopg.Error) as ei:
        conn.execute(sql).fetchall()
    return ei.value


@pytest.fixture
def conn(gateway):
    with psycopg.connect(gateway.dsn, autocommit=True) as c:
        yield c


# Each of these would read the host's files, reach the network, load code or change the engine.
READS = [
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_csv_auto('/etc/passwd')",
    "SELECT * FROM read_csv(['/etc/passwd', '/etc/hosts'])",
    "SELECT content FROM read_text('/etc/passwd')",
    "SELECT * FROM read_blob('/etc/passwd')",
    "SELECT * FROM read_json('/etc/passwd')",
    "SELECT * FROM read_parquet('/etc/passwd')",
    "SELECT * FROM parquet_scan('/etc/passwd')",
    "SELECT * FROM glob('/etc/*')",
    "SELECT * FROM sniff_csv('/etc/passwd')",
    "SELECT * FROM '/etc/passwd'",
    "SELECT * FROM \"/etc/passwd\"",
    "SELECT * FROM 'secrets.csv'",
    "SELECT * FROM 'https://example.com/x.parquet'",
    "SELECT 1 FROM (SELECT 1) a, '/etc/passwd' b",
    "WITH x AS (SELECT * FROM read_text('/etc/passwd')) SELECT * FROM x",
    "SELECT (SELECT content FROM read_text('/etc/passwd'))",
    "SELECT * FROM main.read_text('/etc/passwd')",
    "SELECT * FROM query('SELECT * FROM read_text(''/etc/passwd'')')",
    "SELECT * FROM query_table('/etc/passwd')",
    "EXPLAIN SELECT * FROM read_csv('/etc/passwd')",
    "EXPLAIN ANALYZE SELECT * FROM read_text('/etc/passwd')",
    "SUMMARIZE SELECT * FROM read_text('/etc/passwd')",
    "DESCRIBE SELECT * FROM '/etc/passwd'",
    "CREATE TABLE stolen AS SELECT * FROM read_text('/etc/passwd')",
    "INSERT INTO nothing SELECT * FROM read_json_auto('/etc/passwd')",
    "SELECT getenv('HOME')",
]
ENGINE = [
    "ATTACH '/tmp/other.db'",
    "ATTACH ':memory:' AS m2",
    "DETACH dataforge_compat",
    "INSTALL httpfs",
    "FORCE INSTALL httpfs",
    "LOAD httpfs",
    "UPDATE EXTENSIONS",
    "PRAGMA version",
    "PRAGMA enable_profiling",
    "SET enable_external_access = true",
    "SET enable_external_access TO true",
    "SET SESSION enable_external_access = true",
    "SET GLOBAL threads = 1",
    "SET threads = 1",
    "SET memory_limit = '100TB'",
    "SET lock_configuration = false",
    "SET allowed_directories = ['/']",
    "RESET lock_configuration",
    "SET VARIABLE x = 1",
    "USE dataforge_compat",
    "CALL pragma_version()",
    "CALL read_csv('/etc/passwd')",
    "CHECKPOINT; CALL force_checkpoint()",
    "EXPORT DATABASE '/tmp/dataforge-export'",
    "IMPORT DATABASE '/tmp/dataforge-export'",
    "CREATE SECRET s (TYPE s3, KEY_ID 'a', SECRET 'b')",
    "CREATE PERSISTENT SECRET s (TYPE s3, KEY_ID 'a', SECRET 'b')",
    "COPY (SELECT 1) TO '/tmp/dataforge-x.csv'",
    "COPY pg_catalog.pg_type TO '/tmp/dataforge-x.csv'",
    "COPY (SELECT 1) TO PROGRAM 'id'",
    "COPY nothing FROM '/etc/passwd'",
    "COPY nothing FROM PROGRAM 'cat /etc/passwd'",
    # hidden in comments, or smuggled behind a harmless statement
    "/* harmless */ ATTACH '/tmp/other.db'",
    "-- a comment\nLOAD httpfs",
    "SELECT 1; ATTACH '/tmp/other.db'",
    "SELECT 1; SELECT * FROM read_text('/etc/passwd')",
    "SELECT 1 /* ; */; PRAGMA version",
    "SELECT $$;$$; INSTALL httpfs",
]


@pytest.mark.parametrize("sql", READS + ENGINE)
def test_refused_with_42501_through_psycopg(conn, sql: str) -> None:
    err = _refused(conn, sql)
    assert err.sqlstate == "42501", (sql, err)
    # the session goes on
    assert conn.execute("SELECT 1").fetchone() == (1,)


@pytest.mark.parametrize("sql", [READS[0], "COPY (SELECT 1) TO '/tmp/x'", "ATTACH '/tmp/other.db'",
                                 "SET enable_external_access = true", "PRAGMA version"])
def test_refused_at_parse_in_the_extended_protocol(gateway, sql: str) -> None:
    # refused at Parse: Describe (which asks DuckDB for the result columns) never sees it
    with w.connect_ready(gateway.host, gateway.port) as c:
        c.send(w.parse("s", sql), w.describe("S", "s"), w.sync())
        msgs = c.read_until("Z")
        errs = w.errors(msgs)
        assert [e["C"] for e in errs] == ["42501"], msgs
        assert "T" not in w.types(msgs)
        assert c.scalar("SELECT 'still here'") == "still here"


def test_nothing_written_outside_the_database(conn, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    other = tmp_path / "other.db"
    export = tmp_path / "export"
    for sql in (f"COPY (SELECT 1) TO '{target}'", f"COPY (SELECT 1) TO '{target}' (FORMAT csv)",
                f"ATTACH '{other}'", f"EXPORT DATABASE '{export}'", f"SELECT 1; COPY (SELECT 2) TO '{target}'",
                f"COPY (SELECT 1) TO PROGRAM 'touch {target}'"):
        assert _refused(conn, sql).sqlstate == "42501", sql
    assert not target.exists() and not other.exists() and not export.exists()


def test_smuggled_statement_rolls_back_its_neighbours(conn) -> None:
    # a multi-statement Query is one implicit transaction: the refused part undoes the rest
    t = f"smuggle_{uuid.uuid4().hex[:8]}"
    conn.execute(f"CREATE TABLE {t} (a int)")
    err = _refused(conn, f"INSERT INTO {t} VALUES (1); ATTACH '/tmp/other.db'; INSERT INTO {t} VALUES (2)")
    assert err.sqlstate == "42501"
    assert conn.execute(f"SELECT count(*) FROM {t}").fetchone() == (0,)


def test_comment_that_only_looks_like_a_statement_is_harmless(conn) -> None:
    assert conn.execute("SELECT 1 /* ; ATTACH '/tmp/x' */").fetchone() == (1,)
    assert conn.execute("SELECT '; LOAD httpfs' AS s").fetchone() == ("; LOAD httpfs",)


def test_postgres_settings_still_settable(conn) -> None:
    conn.execute("SET search_path TO public")
    conn.execute("SET statement_timeout = '5s'")
    conn.execute("SET application_name = 'guard-test'")
    conn.execute("SET myapp.tenant = 'x'")
    assert conn.execute("SHOW application_name").fetchone() == ("guard-test",)
    # a name neither PostgreSQL nor DuckDB knows: PostgreSQL's own error, not a permission one
    assert _refused(conn, "SET no_such_setting_at_all = 1").sqlstate == "42704"


def test_copy_stdin_stdout_are_not_refused_by_the_guard() -> None:
    for sql in ("COPY t FROM STDIN", "COPY t TO STDOUT", "COPY (SELECT 1) TO STDOUT WITH (FORMAT csv)",
                "COPY t (a, b) FROM stdin WITH (FORMAT binary)"):
        assert parse_query(sql)[0].refused is None, sql


# ------------------------------------------------------------------ over-long identifiers


def test_long_identifiers_truncated_like_postgres(conn, pg) -> None:
    long_alias = "a" * 100
    sql = f"SELECT 1 AS {long_alias}, 2 AS \"{'é' * 40}\""
    got_notices, want_notices = [], []
    conn.add_notice_handler(lambda d: got_notices.append((d.sqlstate, d.message_primary)))
    cur = conn.execute(sql)
    got = [d.name for d in cur.description]
    with psycopg.connect(pg.dsn, autocommit=True) as pc:
        pc.add_notice_handler(lambda d: want_notices.append((d.sqlstate, d.message_primary)))
        want = [d.name for d in pc.execute(sql).description]
    assert got == want
    assert got_notices == want_notices


def test_huge_identifier_is_safe(conn) -> None:
    name = "x" * 200_000
    t = f"long_{uuid.uuid4().hex[:8]}_" + "y" * 100
    conn.execute(f'CREATE TABLE "{t}" (a int)')
    conn.execute(f'INSERT INTO "{t[:63]}" VALUES (1)')  # the same table: both are truncated to 63 bytes
    assert conn.execute(f'SELECT count(*) AS "{name}" FROM "{t}"').fetchone() == (1,)
    err = _refused(conn, f'SELECT * FROM read_text(\'/etc/passwd\') AS "{name}"')
    assert err.sqlstate == "42501"


# ------------------------------------------------------------------ the engine behind the guard


def _locked_db(tmp_path: Path) -> Database:
    return Database(load_settings(None, database=str(tmp_path / "lock.duckdb")))


def test_engine_refuses_host_access_even_without_the_guard(tmp_path: Path) -> None:
    db = _locked_db(tmp_path)
    try:
        cur = db.cursor()
        secret = tmp_path / "secret.csv"
        secret.write_text("a\n1\n")
        for sql in (f"SELECT * FROM read_csv('{secret}')", f"SELECT * FROM '{secret}'",
                    f"COPY (SELECT 1) TO '{tmp_path / 'x.csv'}'", f"ATTACH '{tmp_path / 'o.db'}'",
                    "INSTALL httpfs", "LOAD httpfs"):
            with pytest.raises(duckdb.Error):
                cur.con.execute(sql).fetchall()
        for sql in ("SET enable_external_access = true", "SET lock_configuration = false", "SET threads = 1",
                    "SET allowed_directories = ['/']"):
            with pytest.raises(duckdb.Error, match="locked"):
                cur.con.execute(sql)
        assert not (tmp_path / "x.csv").exists() and not (tmp_path / "o.db").exists()
        # the gateway's own work still runs: tables, spills to its temp directory, per-cursor settings
        cur.con.execute("SET TimeZone = 'Europe/Paris'")
        cur.con.execute("CREATE TABLE t AS SELECT i FROM range(1000) t(i)")
        assert cur.con.execute("SELECT count(*) FROM t").fetchone() == (1000,)
    finally:
        db.close()


def test_python_objects_are_not_reachable_by_name(tmp_path: Path) -> None:
    import pyarrow as pa

    db = _locked_db(tmp_path)
    try:
        leaked_table = pa.table({"secret": [42]})  # noqa: F841 - what a replacement scan would find
        with pytest.raises(duckdb.CatalogException):
            db.cursor().con.execute("SELECT * FROM leaked_table").fetchall()
    finally:
        db.close()


def test_python_object_names_through_the_wire(conn) -> None:
    # names of objects in the gateway's own frames: never resolved to Python values
    for name in ("settings", "sql", "params", "self", "con"):
        err = _refused(conn, f"SELECT * FROM {name}")
        assert err.sqlstate == "42P01", (name, err)
