"""`dataforge schemas diff|apply` for each migration kind, on a real DuckDB file; destructive
changes need --allow-destructive; a failure in the middle of apply leaves the database as it
was; the gateway refuses to start on destructive drift unless configured to."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from tests.servers import GatewayStartError

REPO = Path(__file__).resolve().parent.parent

V1 = """\
table: m
description: version one
columns:
  - {name: id, type: integer, primary_key: true}
  - {name: a, type: integer}
  - {name: b, type: text, nullable: false, default: "'x'"}
  - {name: c, type: text, indexed: true}
"""


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gateway", "schemas", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=120, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})


class Db:
    def __init__(self, tmp: Path):
        self.dir = tmp / "schemas"
        self.dir.mkdir()
        self.path = tmp / "db.duckdb"

    def write(self, text: str, name: str = "m.yaml") -> None:
        (self.dir / name).write_text(textwrap.dedent(text))

    def diff(self) -> subprocess.CompletedProcess:
        return _cli("diff", "--schemas", str(self.dir), "--database", str(self.path))

    def apply(self, *flags: str) -> subprocess.CompletedProcess:
        return _cli("apply", "--schemas", str(self.dir), "--database", str(self.path), *flags)

    def sql(self, q: str, *params):
        con = duckdb.connect(str(self.path))
        try:
            return con.execute(q, list(params)).fetchall()
        finally:
            con.close()

    def state(self) -> dict:
        """Everything a migration may change, to compare before and after."""
        return {
            "columns": self.sql("SELECT table_name, column_name, data_type, is_nullable, column_default, comment "
                                "FROM duckdb_columns() WHERE schema_name = 'main' ORDER BY ALL"),
            "indexes": self.sql("SELECT table_name, index_name, expressions FROM duckdb_indexes() ORDER BY ALL"),
            "tables": self.sql("SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY ALL"),
            "rows": self.sql("SELECT * FROM m ORDER BY id") if self.sql(
                "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'm'")[0][0] else None,
        }


@pytest.fixture
def db(tmp_path: Path) -> Db:
    d = Db(tmp_path)
    d.write(V1)
    out = d.apply()
    assert out.returncode == 0, out.stdout + out.stderr
    assert "m: create table" in out.stdout
    d.sql("INSERT INTO m VALUES (1, 10, 'p', 'u'), (2, 20, 'q', 'v')")
    return d


def _col(db: Db, name: str):
    rows = db.sql("SELECT data_type, is_nullable, column_default, comment FROM duckdb_columns() "
                  "WHERE table_name = 'm' AND column_name = ?", name)
    return rows[0] if rows else None


# (case, new schema, words in the plan, destructive, check after apply)
CASES = [
    ("add column", V1 + "  - {name: d, type: date, description: added}\n", "m: add column: d date", False,
     lambda db: _col(db, "d") == ("DATE", True, None, "added")
     and db.sql("SELECT count(*) FROM m WHERE d IS NULL") == [(2,)]),
    ("drop column", V1.replace("  - {name: c, type: text, indexed: true}\n", ""), "m: drop column: c", True,
     lambda db: _col(db, "c") is None and db.sql("SELECT id, a, b FROM m ORDER BY id") == [(1, 10, "p"), (2, 20, "q")]),
    ("add index", V1.replace("{name: a, type: integer}", "{name: a, type: integer, indexed: true}"),
     "m: add index: m_a_idx (a)", False,
     lambda db: ("m_a_idx",) in db.sql("SELECT index_name FROM duckdb_indexes() WHERE table_name = 'm'")),
    ("drop index", V1.replace(", indexed: true}", "}"), "m: drop index: m_c_idx", False,
     lambda db: db.sql("SELECT index_name FROM duckdb_indexes() WHERE table_name = 'm'") == []),
    ("type widening", V1.replace("{name: a, type: integer}", "{name: a, type: bigint}"),
     "m: alter type: a integer → bigint (widening)", False,
     lambda db: _col(db, "a")[0] == "BIGINT" and db.sql("SELECT a FROM m ORDER BY id") == [(10,), (20,)]
     and ("m_c_idx",) in db.sql("SELECT index_name FROM duckdb_indexes() WHERE table_name = 'm'")),
    ("type narrowing", V1.replace("{name: a, type: integer}", "{name: a, type: smallint}"),
     "m: alter type: a integer → smallint (narrowing)", True,
     lambda db: _col(db, "a")[0] == "SMALLINT" and db.sql("SELECT a FROM m ORDER BY id") == [(10,), (20,)]),
    ("set not null", V1.replace("{name: a, type: integer}", "{name: a, type: integer, nullable: false}"),
     "m: nullability: a SET NOT NULL", False, lambda db: _col(db, "a")[1] is False),
    ("drop not null", V1.replace("nullable: false, ", ""), "m: nullability: b DROP NOT NULL", False,
     lambda db: _col(db, "b")[1] is True and _col(db, "b")[2] == "'x'"),
    ("default", V1.replace("default: \"'x'\"", "default: \"'y'\""), "m: default: b: 'x' → 'y'", False,
     lambda db: _col(db, "b")[2] == "'y'"),
    ("comments", V1.replace("version one", "version two").replace(
        "{name: a, type: integer}", "{name: a, type: integer, description: the a}"),
     "m: comment: table: 'version two'", False,
     lambda db: db.sql("SELECT comment FROM duckdb_tables() WHERE table_name = 'm'") == [("version two",)]
     and _col(db, "a")[3] == "the a"),
    ("check constraint", V1.replace("{name: a, type: integer}", "{name: a, type: integer, check: \"a > 0\"}"),
     "m: check constraints: [] → ['a > 0']", False,
     lambda db: db.sql("SELECT expression FROM duckdb_constraints() WHERE table_name = 'm' "
                       "AND constraint_type = 'CHECK'") == [("(a > 0)",)]
     and db.sql("SELECT count(*) FROM m") == [(2,)]),
    ("unique constraint", V1.replace("{name: c, type: text, indexed: true}", "{name: c, type: text, indexed: true, unique: true}"),
     "m: unique constraints: [] → [('c',)]", False,
     lambda db: db.sql("SELECT constraint_column_names FROM duckdb_constraints() WHERE table_name = 'm' "
                       "AND constraint_type = 'UNIQUE'") == [(["c"],)]),
]


@pytest.mark.parametrize("case,schema,words,destructive,check", CASES, ids=[c[0] for c in CASES])
def test_diff_and_apply(db: Db, case, schema, words, destructive, check):
    before = db.state()
    db.write(schema)
    diff = db.diff()
    assert diff.returncode == 0, diff.stderr
    assert words in diff.stdout, diff.stdout
    assert ("[DESTRUCTIVE]" in diff.stdout) == destructive, diff.stdout
    assert db.state() == before  # diff changes nothing
    if destructive:
        refused = db.apply()
        assert refused.returncode == 1 and "--allow-destructive" in refused.stderr
        assert db.state() == before
        out = db.apply("--allow-destructive")
    else:
        out = db.apply()
    assert out.returncode == 0, out.stdout + out.stderr
    assert check(db), db.state()
    again = db.diff()
    assert "nothing to do" in again.stdout, again.stdout


def test_drop_table_is_destructive(db: Db):
    (db.dir / "m.yaml").unlink()
    db.write("table: other\ncolumns:\n  - {name: id, type: bigint}\n", "other.yaml")
    diff = db.diff()
    assert "m: drop table" in diff.stdout and "[DESTRUCTIVE]" in diff.stdout
    assert "other: create table" in diff.stdout
    assert db.apply().returncode == 1
    assert db.sql("SELECT count(*) FROM duckdb_tables() WHERE table_name IN ('m', 'other')") == [(1,)]
    assert db.apply("--allow-destructive").returncode == 0
    assert db.sql("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'") == [("other",)]


def test_unmanaged_tables_are_never_dropped(db: Db):
    db.sql("CREATE TABLE scratch (x int)")
    diff = db.diff()
    assert "nothing to do" in diff.stdout and "scratch" not in diff.stdout


def test_failure_in_the_middle_of_apply_leaves_the_database_unchanged(db: Db):
    db.sql("INSERT INTO m VALUES (3, NULL, 'r', 'w')")  # a NULL that SET NOT NULL will trip on
    before = db.state()
    db.write(V1.replace("version one", "changed")
             .replace("{name: c, type: text, indexed: true}", "{name: c, type: text}")
             .replace("{name: a, type: integer}", "{name: a, type: integer, nullable: false}")
             + "  - {name: d, type: date}\n")
    diff = _cli("diff", "--sql", "--schemas", str(db.dir), "--database", str(db.path))
    # the plan really does change things before the step that fails
    assert "m: add column: d date" in diff.stdout and "m: nullability: a SET NOT NULL" in diff.stdout
    assert "DROP TABLE" in diff.stdout and "COMMENT ON TABLE" in diff.stdout
    out = db.apply()
    assert out.returncode == 1
    assert "NOT NULL constraint failed" in out.stderr and "nothing was changed" in out.stderr
    assert db.state() == before


def test_gateway_refuses_to_start_on_destructive_drift(db: Db, gateway_factory):
    db.write(V1.replace("  - {name: c, type: text, indexed: true}\n", ""))
    with pytest.raises(GatewayStartError) as e:
        gateway_factory("--schemas", str(db.dir), database=db.path)
    assert "drop column: c" in str(e.value) and "--allow-destructive" in str(e.value)
    gw = gateway_factory("--schemas", str(db.dir), database=db.path, env={"DATAFORGE_CATALOG_ALLOW_DESTRUCTIVE": "1"})
    import psycopg

    with psycopg.connect(gw.dsn, autocommit=True) as conn:
        cols = [r[0] for r in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'm' ORDER BY ordinal_position")]
    assert cols == ["id", "a", "b"]


def test_gateway_applies_non_destructive_changes_at_startup(db: Db, gateway_factory):
    db.write(V1 + "  - {name: d, type: date}\n")
    gw = gateway_factory("--schemas", str(db.dir), database=db.path)
    assert "1 change(s) applied" in gw.log_text()
    import psycopg

    with psycopg.connect(gw.dsn, autocommit=True) as conn:
        assert conn.execute("SELECT id, d FROM m ORDER BY id").fetchall() == [(1, None), (2, None)]


def test_a_table_referenced_by_a_foreign_key_cannot_be_rebuilt(db: Db):
    db.write("table: child\ncolumns:\n  - {name: id, type: bigint}\n  - {name: m_id, type: integer}\n"
             "foreign_keys: [{columns: [m_id], references: m}]\n", "child.yaml")
    assert db.apply().returncode == 0
    db.write(V1.replace("{name: a, type: integer}", "{name: a, type: bigint}"))
    before = db.state()
    out = db.diff()
    assert out.returncode == 1
    assert 'table "m" needs a rebuild' in out.stderr and "foreign key references" in out.stderr and "child" in out.stderr
    assert db.apply().returncode == 1 and db.state() == before
