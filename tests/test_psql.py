"""The real `psql` (PostgreSQL 15's client) against the gateway, with PostgreSQL as the oracle.

Every test runs the same psql invocation against the `pg` fixture and the gateway and compares
what psql prints (stdout, and stderr for errors). psql runs with ``-X`` (no ~/.psqlrc) and
``-v ON_ERROR_STOP=1``, with a clean environment (no inherited PG* variables).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import uuid

import pytest

PSQL = shutil.which("psql") or "/usr/bin/psql"

pytestmark = pytest.mark.skipif(not os.path.exists(PSQL), reason="psql is not installed")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["PGCONNECT_TIMEOUT"] = "10"
    env["PGAPPNAME"] = "test_psql"
    return env


def psql(dsn: str, *args: str, stdin: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PSQL, "-X", "-v", "ON_ERROR_STOP=1", "-d", dsn, *args],
        input=stdin, capture_output=True, text=True, env=_env(), timeout=timeout,
    )


def both(pg, gateway, *args: str, stdin: str | None = None):
    return psql(pg.dsn, *args, stdin=stdin), psql(gateway.dsn, *args, stdin=stdin)


def uniq(prefix: str = "t") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def assert_same(expected: subprocess.CompletedProcess, got: subprocess.CompletedProcess) -> None:
    assert expected.returncode == 0, f"the oracle itself failed: {expected.stderr}"
    assert got.returncode == expected.returncode, f"psql exit code {got.returncode}; stderr:\n{got.stderr}"
    assert got.stdout == expected.stdout
    assert got.stderr == expected.stderr


# --------------------------------------------------------------------------- -c


def test_c_single_select(pg, gateway):
    sql = "SELECT 1 AS a, 'x'::text AS b, 2.25::float8 AS c, true AS d, NULL::int AS e"
    exp, got = both(pg, gateway, "-c", sql)
    assert_same(exp, got)
    assert " a | b |  c   | d | e " in got.stdout
    assert "(1 row)" in got.stdout


def test_c_unaligned_tuples_only(pg, gateway):
    exp, got = both(pg, gateway, "-A", "-t", "-c", "SELECT n, n * 2 AS twice FROM generate_series(1, 3) AS g(n)")
    assert_same(exp, got)
    assert got.stdout == "1|2\n2|4\n3|6\n"


def test_c_multi_statement(pg, gateway):
    # psql 15 sends the whole -c string as ONE simple Query and prints every result.
    sql = "SELECT 1 AS one; SELECT 'two' AS two, 2.0::float8 AS f; SELECT 3 AS three"
    exp, got = both(pg, gateway, "-c", sql)
    assert_same(exp, got)
    assert "three" in got.stdout and "two" in got.stdout


def test_c_several_flags_in_order(pg, gateway):
    exp, got = both(pg, gateway, "-c", "SELECT 'first' AS f", "-c", "SELECT 'second' AS s")
    assert_same(exp, got)


def test_expanded_display(pg, gateway):
    sql = "SELECT 1 AS id, 'alpha'::text AS name, DATE '2024-02-29' AS d UNION ALL SELECT 2, 'beta', NULL ORDER BY 1"
    exp, got = both(pg, gateway, "-c", r"\x", "-c", sql)
    assert_same(exp, got)
    assert "-[ RECORD 1 ]" in got.stdout and "-[ RECORD 2 ]" in got.stdout


def test_expanded_display_via_stdin(pg, gateway):
    script = "\\x on\nSELECT 42 AS answer, 'q'::text AS question;\n\\x off\nSELECT 7 AS seven;\n"
    exp, got = both(pg, gateway, stdin=script)
    assert_same(exp, got)
    assert "answer   | 42" in got.stdout


def test_types_text_output(pg, gateway):
    # psql prints the text form the server sends: it must be PostgreSQL's text form.
    sql = ("SELECT true AS b, 1.5::float8 AS f8, 0.1::float4 AS f4, '\\x00ff'::bytea AS by, "
           "ARRAY[1, NULL, 3] AS arr, ARRAY['a b', 'c'] AS tarr, "
           "'1 day 02:00:00'::interval AS iv, '2024-02-29 13:45:56.5+00'::timestamptz AS tz, "
           "'2024-02-29 13:45:56'::timestamp AS ts, 'NaN'::float8 AS nan, '-Infinity'::float8 AS ninf, "
           "'{\"a\": [1, 2]}'::json AS j, '{\"b\": 1, \"a\": 2}'::jsonb AS jb, "
           "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS u")
    exp, got = both(pg, gateway, "-A", "-c", sql)
    assert_same(exp, got)


def test_script_dml_command_tags(pg, gateway):
    # psql prints each command's CommandComplete tag: compare them with PostgreSQL's.
    t = uniq()
    script = f"""
CREATE TABLE {t} (id int PRIMARY KEY, v text);
INSERT INTO {t} VALUES (1, 'a'), (2, 'b'), (3, 'c');
UPDATE {t} SET v = v || '!' WHERE id >= 2;
DELETE FROM {t} WHERE id = 1;
BEGIN;
INSERT INTO {t} VALUES (4, 'd');
COMMIT;
SELECT * FROM {t} ORDER BY id;
DROP TABLE {t};
"""
    exp, got = both(pg, gateway, stdin=script)
    assert_same(exp, got)
    for tag in ("CREATE TABLE", "INSERT 0 3", "UPDATE 2", "DELETE 1", "BEGIN", "INSERT 0 1", "COMMIT",
                "(3 rows)", "DROP TABLE"):
        assert tag in got.stdout


def test_comments_and_empty_statements(pg, gateway):
    script = "-- a leading comment\nSELECT /* inline */ 1 AS x; -- trailing\n;\n/* block\ncomment */ SELECT 2 AS y;\n"
    exp, got = both(pg, gateway, stdin=script)
    assert_same(exp, got)


# --------------------------------------------------------------------------- errors


def _error_lines(stderr: str) -> list[str]:
    # LOCATION: names PostgreSQL's own C source file and line; everything else must match.
    return [ln for ln in stderr.splitlines() if not ln.startswith("LOCATION:")]


@pytest.mark.parametrize("sql,sqlstate", [
    ("SELECT * FROM no_such_table_psql", "42P01"),
    ("SELECT no_such_column FROM (SELECT 1 AS a) s", "42703"),
    ("SELEC 1", "42601"),
    ("SELECT 1 / 0", "22012"),
    ("SELECT 'abc'::int", "22P02"),
    ("SELECT no_such_function_psql(1)", "42883"),
])
def test_error_verbose_sqlstate(pg, gateway, sql, sqlstate):
    script = f"\\set VERBOSITY verbose\n{sql};\nSELECT 'not reached' AS r;\n"
    exp, got = both(pg, gateway, stdin=script)
    assert exp.returncode == 3, exp.stderr  # ON_ERROR_STOP in a script
    first = exp.stderr.splitlines()[0]
    assert f"ERROR:  {sqlstate}:" in first
    assert got.returncode == 3, f"psql exit {got.returncode}\nstdout:{got.stdout}\nstderr:{got.stderr}"
    assert "not reached" not in got.stdout
    # the first line: 'psql:<stdin>:2: ERROR:  42P01: relation "..." does not exist'
    assert got.stderr.splitlines()[0] == first


@pytest.mark.parametrize("sql", ["SELECT a, b FROM no_such_table_caret;", "SELECT 1; SELEC 2;", "  sELeC 1;",
                                 'FOO "bar";', '"select" 1;', "SELECT 1 FROM;", "SELECT (1;",
                                 "SELECT a b c FROM t;", "INSERT INTO t VALUES (1;"])
def test_error_verbose_full_report(pg, gateway, sql):
    # Verbose output includes the statement position (LINE 1: ... and the caret).
    script = f"\\set VERBOSITY verbose\n{sql}\n"
    exp, got = both(pg, gateway, stdin=script)
    assert "LINE 1:" in exp.stderr and "^" in exp.stderr
    assert got.returncode == exp.returncode == 3
    assert _error_lines(got.stderr) == _error_lines(exp.stderr)


def test_error_with_c_exit_code(pg, gateway):
    exp, got = both(pg, gateway, "-c", "SELECT * FROM no_such_table_c")
    assert exp.returncode == 1
    assert got.returncode == 1
    assert re.sub(r"\s+", " ", got.stderr) == re.sub(r"\s+", " ", exp.stderr)


def test_session_usable_after_error_without_stop(pg, gateway):
    # Without ON_ERROR_STOP psql goes on; the session must answer the next statement.
    script = "SELECT 1/0;\nSELECT 'still here' AS s;\n"
    res = []
    for dsn in (pg.dsn, gateway.dsn):
        res.append(subprocess.run([PSQL, "-X", "-d", dsn], input=script, capture_output=True,
                                  text=True, env=_env(), timeout=60))
    exp, got = res
    assert got.stdout == exp.stdout
    assert "still here" in got.stdout
    assert got.stderr == exp.stderr


def test_transaction_failed_state_in_psql(pg, gateway):
    t = uniq()
    script = (f"CREATE TABLE {t} (id int);\nBEGIN;\nINSERT INTO {t} VALUES (1);\nSELECT 1/0;\n"
              f"SELECT 1;\nROLLBACK;\nSELECT count(*) FROM {t};\nDROP TABLE {t};\n")
    res = []
    for dsn in (pg.dsn, gateway.dsn):
        res.append(subprocess.run([PSQL, "-X", "-d", dsn], input=script, capture_output=True,
                                  text=True, env=_env(), timeout=60))
    exp, got = res
    assert "current transaction is aborted" in exp.stderr
    assert got.stdout == exp.stdout
    assert got.stderr == exp.stderr


def test_sql_prepare_execute(pg, gateway):
    """PREPARE/EXECUTE typed by the declaration, in psql's simple query protocol."""
    script = ("PREPARE q(int, text) AS SELECT $1 * 2 AS n, upper($2) AS s;\n"
              "EXECUTE q(21, 'abc');\n"
              "EXECUTE q(NULL, NULL);\n"
              "DEALLOCATE q;\n")
    assert_same(*both(pg, gateway, "-X", "-v", "ON_ERROR_STOP=1", stdin=script))


def test_transaction_isolation_levels(pg, gateway):
    """SHOW transaction_isolation follows BEGIN/START … ISOLATION LEVEL, SET TRANSACTION and
    default_transaction_isolation, and returns to the default after the transaction."""
    script = ("BEGIN ISOLATION LEVEL SERIALIZABLE;\nSHOW transaction_isolation;\nCOMMIT;\n"
              "SHOW transaction_isolation;\n"
              "SET default_transaction_isolation = 'repeatable read';\nBEGIN;\nSHOW transaction_isolation;\n"
              "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE;\nSHOW transaction_isolation;\nROLLBACK;\n"
              "START TRANSACTION ISOLATION LEVEL READ COMMITTED, READ ONLY;\nSHOW transaction_isolation;\n"
              "SHOW transaction_read_only;\nCOMMIT;\nRESET default_transaction_isolation;\n"
              "SHOW transaction_isolation;\n")
    assert_same(*both(pg, gateway, "-X", "-v", "ON_ERROR_STOP=1", stdin=script))
