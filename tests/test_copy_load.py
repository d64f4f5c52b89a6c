"""`dataforge load FILE TABLE`: CSV, Parquet and NDJSON through the COPY Arrow path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

REPO = Path(__file__).resolve().parent.parent


def dataforge(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "gateway", *args], capture_output=True, text=True, cwd=REPO,
                          env=env, timeout=120)


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "load.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE items (id INTEGER NOT NULL, name VARCHAR, price DECIMAL(10,2), "
                "seen TIMESTAMP, tag VARCHAR DEFAULT 'none')")
    con.close()
    return path


def rows(db) -> list:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT * FROM items ORDER BY id").fetchall()
    finally:
        con.close()


def test_load_csv(db, tmp_path):
    f = tmp_path / "items.csv"
    body = "".join(f'{i},"item, {i}",{i}.50,2024-01-01 00:00:{i % 60:02d},t{i}\n' for i in range(50_000))
    f.write_text("id,name,price,seen,tag\n" + body)
    r = dataforge("load", str(f), "items", "--database", str(db))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "loaded 50000 rows into items"
    assert "rows/s" in r.stderr  # the progress line
    got = rows(db)
    assert len(got) == 50_000 and got[1][:2] == (1, "item, 1") and str(got[1][2]) == "1.50"


def test_load_parquet_and_ndjson_by_column_name(db, tmp_path):
    pq.write_table(pa.table({"name": ["a", "b"], "id": [1, 2]}), tmp_path / "p.parquet")
    r = dataforge("load", str(tmp_path / "p.parquet"), "items", "--database", str(db))
    assert r.returncode == 0, r.stderr
    (tmp_path / "j.ndjson").write_text("\n".join(json.dumps({"id": i, "name": f"j{i}", "price": 1.25})
                                                 for i in (3, 4)) + "\n")
    r = dataforge("load", str(tmp_path / "j.ndjson"), "items", "--database", str(db))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "loaded 2 rows into items"
    got = rows(db)
    assert [(g[0], g[1], g[4]) for g in got] == [(1, "a", "none"), (2, "b", "none"), (3, "j3", "none"),
                                                 (4, "j4", "none")]


def test_load_bad_row_changes_nothing(db, tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("id,name\n1,a\n2,b\nx,c\n")
    r = dataforge("load", str(f), "items", "--database", str(db))
    assert r.returncode == 1
    assert "22P02" in r.stderr and "line 4" in r.stderr
    assert rows(db) == []
