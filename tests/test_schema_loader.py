"""Schema files → catalog: every mistake in every file reported once, with file and line;
`dataforge schemas check`; the pydantic-model twin of a YAML schema gives the same table."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from catalog import ddl
from catalog.loader import CatalogError, load, load_with_problems

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "schema_fixtures"

# Each file, and the (line, words in the message) of each deliberate mistake in it.
MISTAKES = {
    "orders.yaml": (textwrap.dedent("""\
        table: orders
        description: Orders.
        columns:
          - {name: id, type: bigint, primary_key: true}
          - {name: amount, type: "numerc(12,2)"}
          - {name: id, type: integer}
          - {name: qty, type: integer, default: "'abc'"}
          - {name: note, type: text, colour: red}
          - {name: total, type: "numeric(12,2)", check: "totl >= 0"}
        indexes:
          - {columns: [amout]}
        foreign_keys:
          - {columns: [id], references: custmers}
        """), [(5, 'unknown type "numerc(12,2)"'), (6, 'duplicate column "id"'), (7, "bad default"),
               (8, 'unknown key "colour"'), (9, 'missing column "totl"'), (11, 'index on missing column "amout"'),
               (13, 'foreign key to missing table "custmers"')]),
    "broken.yaml": (textwrap.dedent("""\
        table: broken
        columns:
          - {name: a, type: text}
         - {name: b, type: text}
        """), [(4, "YAML")]),
    "z_again.yml": (textwrap.dedent("""\
        # the same table twice
        table: orders
        columns:
          - {name: id, type: bigint}
        """), [(2, 'table "orders" is already declared')]),
    "readings.py": (textwrap.dedent("""\
        from pydantic import BaseModel, Field


        class Reading(BaseModel):
            \"\"\"A reading.\"\"\"

            id: int = Field(json_schema_extra={"primary_key": True})
            value: complex
        """), [(8, "cannot map the annotation")]),
    "devices.yaml": (textwrap.dedent("""\
        table: devices
        columns:
          - {name: id, type: bigint}
          - {name: kind, type: enum}
        access: {read: [a], writ: [b]}
        primary_key: [idd]
        """), [(4, "enum needs `values"), (5, 'unknown key "writ"'), (6, 'primary key on missing column "idd"')]),
}


@pytest.fixture
def mistakes_dir(tmp_path: Path) -> Path:
    for name, (text, _) in MISTAKES.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def test_every_mistake_reported_once_with_file_and_line(mistakes_dir: Path):
    _, problems = load_with_problems(mistakes_dir)
    expected = [(name, line, words) for name, (_, errs) in MISTAKES.items() for line, words in errs]
    got = [(Path(p.file).name, p.line, p.message) for p in problems]
    assert len(got) == len(expected), "\n".join(map(str, problems))
    for name, line, words in expected:
        hits = [g for g in got if g[0] == name and g[1] == line and words in g[2]]
        assert len(hits) == 1, f"{name}:{line} {words!r} not reported exactly once in:\n" + "\n".join(map(str, problems))
    with pytest.raises(CatalogError):
        load(mistakes_dir)


def _cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gateway", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})


def test_schemas_check_cli_prints_file_line_and_fails(mistakes_dir: Path):
    proc = _cli("schemas", "check", str(mistakes_dir))
    assert proc.returncode == 1
    lines = proc.stdout.strip().splitlines()
    n = sum(len(errs) for _, errs in MISTAKES.values())
    assert len(lines) == n
    assert f"{mistakes_dir / 'orders.yaml'}:5: " in proc.stdout
    assert f"{mistakes_dir / 'readings.py'}:8: " in proc.stdout
    assert f"{n} problem(s)" in proc.stderr


def test_schemas_check_cli_accepts_the_shipped_examples():
    proc = _cli("schemas", "check", "schemas")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 table(s), no problems" in proc.stdout


def test_pydantic_module_is_the_same_table_as_its_yaml_twin():
    from_yaml = load(REPO / "schemas").tables["sensor_readings"]
    from_py = load(FIXTURES).tables["sensor_readings"]
    assert ddl.create_sqls(from_py) == ddl.create_sqls(from_yaml)
    assert from_py.append_only and from_py.description == from_yaml.description
    assert [c.description for c in from_py.columns] == [c.description for c in from_yaml.columns]


def test_types_map_to_duckdb_and_widening_rules():
    t = load(REPO / "schemas").tables["sales_order_lines"]
    duck = {c.name: c.duck for c in t.columns}
    assert duck["unit_price"] == "DECIMAL(12,2)" and duck["tags"] == "VARCHAR[]"
    assert duck["sold_at"] == "TIMESTAMP WITH TIME ZONE" and duck["currency"] == "ENUM('EUR', 'USD', 'GBP')"
    assert ddl.is_widening("INTEGER", "BIGINT") and not ddl.is_widening("BIGINT", "INTEGER")
    assert ddl.is_widening("DECIMAL(12,2)", "DECIMAL(14,2)") and not ddl.is_widening("DECIMAL(12,2)", "DECIMAL(12,1)")
    assert ddl.is_widening("INTEGER", "VARCHAR") and not ddl.is_widening("VARCHAR", "INTEGER")
