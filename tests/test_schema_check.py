"""catalog/check.py on parsed statements (no server): which statements are refused, with what,
and which are left alone; roles from `session.auth_roles`; the catalog settings."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from catalog.check import Validator
from catalog.loader import load
from gateway.config import load_settings
from gateway.errors import PgError
from gateway.sql.classify import parse_query

EXAMPLES = Path(__file__).resolve().parent.parent / "schemas"
CATALOG = load(EXAMPLES)


def verdict(sql: str, *principals: str, mode: str = "open"):
    e = Validator(CATALOG, mode).verdict(parse_query(sql)[0].tree, frozenset(principals or ("etl",)))
    return None if e is None else (e.sqlstate, e.message, e.hint)


LEFT_ALONE = [
    "SELECT region, count(*) FROM sales_order_lines GROUP BY region ORDER BY 2",
    "WITH x AS (SELECT sku FROM sales_order_lines) SELECT sku FROM x",
    "SELECT s.* FROM sales_order_lines s CROSS JOIN LATERAL (SELECT s.quantity * 2 AS q2) x WHERE x.q2 > 1",
    "SELECT (SELECT max(value) FROM sensor_readings r WHERE r.sensor_id = s.sku) FROM sales_order_lines s",
    "SELECT DISTINCT ON (region) region, sold_at FROM sales_order_lines ORDER BY region, sold_at DESC",
    "SELECT current_user, current_timestamp FROM sales_order_lines",
    "INSERT INTO sales_order_lines (order_id, line_no, sold_at, region, sku, unit_price) VALUES (1, 1, now(), 'x', 'y', 1) "
    "ON CONFLICT (order_id, line_no) DO UPDATE SET sku = excluded.sku",
    "UPDATE sales_order_lines SET sku = s.sensor_id FROM sensor_readings s WHERE s.value = sales_order_lines.quantity",
    "UPDATE sales_order_lines SET quantity = 1 WHERE region IN "
    "(SELECT sensor_id FROM sensor_readings WHERE sensor_readings.value = sales_order_lines.quantity)",
    "DELETE FROM sales_order_lines WHERE EXISTS (SELECT 1 FROM sensor_readings r WHERE r.sensor_id = sku)",
    "SELECT user, current_user, session_user, localtimestamp FROM sales_order_lines",
    "SELECT \"region\" AS r FROM sales_order_lines ORDER BY r",
    "SELECT * FROM pg_catalog.pg_class",
    "SELECT * FROM some_unmanaged_table",
    "SELECT * FROM generate_series(1, 3)",
    "SELECT * FROM _dataforge.managed_tables",
    "CREATE TABLE adhoc (x int)",
    "CREATE TABLE sales_order_line (x int)",  # close to a managed name, but DDL may name new things
    "DROP TABLE IF EXISTS sensor_reading",
]


@pytest.mark.parametrize("sql", LEFT_ALONE)
def test_statements_left_alone(sql):
    assert verdict(sql) is None


REFUSED = [
    ("SELECT regoin FROM sales_order_lines WHERE order_id = $1", ("etl",),
     ("42703", 'column "regoin" does not exist', 'Perhaps you meant to reference the column "sales_order_lines.region".')),
    ("SELECT s.regoin FROM sales_order_lines s", ("etl",),
     ("42703", "column s.regoin does not exist", 'Perhaps you meant to reference the column "s.region".')),
    ("WITH x AS (SELECT sku FROM sales_order_lines) SELECT sku, nope FROM x", ("etl",),
     ("42703", 'column "nope" does not exist', None)),
    ("INSERT INTO sales_order_lines (order_id, regoin) VALUES ($1, $2)", ("etl",),
     ("42703", 'column "regoin" of relation "sales_order_lines" does not exist',
      'Perhaps you meant to reference the column "sales_order_lines.region".')),
    ("UPDATE sales_order_lines SET region = 'x' WHERE order_idd = 1", ("etl",),
     ("42703", 'column "order_idd" does not exist', 'Perhaps you meant to reference the column "sales_order_lines.order_id".')),
    ("UPDATE sales_order_lines SET quantity = (SELECT count(*) FROM sensor_readings WHERE sensor_id = skuu)", ("etl",),
     ("42703", 'column "skuu" does not exist', 'Perhaps you meant to reference the column "sales_order_lines.sku".')),
    ("DELETE FROM sales_order_lines USING sensor_readings r WHERE r.sensor_id = sku RETURNING r.kindd", ("etl",),
     ("42703", "column r.kindd does not exist", 'Perhaps you meant to reference the column "r.kind".')),
    ('SELECT "Region" FROM sales_order_lines', ("etl",), ("42703", 'column "Region" does not exist',
                                                          'Perhaps you meant to reference the column "sales_order_lines.region".')),
    ("SELECT x.region FROM sales_order_lines", ("etl",), ("42P01", 'missing FROM-clause entry for table "x"', None)),
    ("SELECT * FROM sales_order_line", ("etl",),
     ("42P01", 'relation "sales_order_line" does not exist', 'Perhaps you meant to reference the table "sales_order_lines".')),
    ("SELECT * FROM sales_order_lines", ("bob",),
     ("42501", "permission denied for table sales_order_lines", "schemas/sales_order_lines.yaml allows reads for: analyst, etl.")),
    ("DELETE FROM sales_order_lines WHERE order_id = 1", ("analyst",),
     ("42501", "permission denied for table sales_order_lines", "schemas/sales_order_lines.yaml allows writes for: etl.")),
    ("COPY sales_order_lines FROM STDIN", ("analyst",),
     ("42501", "permission denied for table sales_order_lines", "schemas/sales_order_lines.yaml allows writes for: etl.")),
    ("TRUNCATE sensor_readings", ("etl",),
     ("42501", 'table "sensor_readings" is append-only',
      "schemas/sensor_readings.yaml declares it append_only: only INSERT is allowed.")),
    ("ALTER TABLE sales_order_lines ADD COLUMN x int", ("analyst",),
     ("42501", "must be owner of table sales_order_lines", "schemas/sales_order_lines.yaml allows changes for: etl.")),
]


@pytest.mark.parametrize("sql,principals,expected", REFUSED, ids=[r[0][:40] for r in REFUSED])
def test_statements_refused(sql, principals, expected):
    got = verdict(sql, *principals)
    assert got is not None
    # the source path is as the catalog was loaded: compare the hint's tail
    assert got[:2] == expected[:2]
    if expected[2] is None:
        assert got[2] is None
    else:
        assert got[2].endswith(expected[2].removeprefix("schemas/"))


def test_admin_bypasses_access_and_tables_without_access_are_open():
    assert verdict("DELETE FROM sales_order_lines", "admin") is None
    assert verdict("SELECT * FROM sensor_readings", "anyone") is None


STRICT = [
    ("CREATE TABLE adhoc (x int)", 'cannot create table "adhoc": catalog mode is strict', "adhoc.yaml"),
    ("DROP TABLE sensor_readings", 'table "sensor_readings" is managed by the schema catalog', "sensor_readings.yaml"),
    ("DROP INDEX sales_order_lines_region_idx", 'table "sales_order_lines" is managed by the schema catalog',
     "sales_order_lines.yaml"),
    ("CREATE INDEX ON sensor_readings (value)", 'table "sensor_readings" is managed by the schema catalog',
     "sensor_readings.yaml"),
    ("COMMENT ON COLUMN sensor_readings.value IS 'x'", 'table "sensor_readings" is managed by the schema catalog',
     "sensor_readings.yaml"),
]


@pytest.mark.parametrize("sql,message,file", STRICT, ids=[s[0][:30] for s in STRICT])
def test_strict_mode(sql, message, file):
    got = verdict(sql, "admin", mode="strict")
    assert got is not None and got[0] == "42501" and got[1] == message and file in got[2]
    assert verdict(sql, "admin") is None  # open mode: allowed


def test_strict_mode_allows_temporary_tables_and_views():
    assert verdict("CREATE TEMP TABLE scratch (x int)", mode="strict") is None
    assert verdict("CREATE VIEW v AS SELECT region FROM sales_order_lines", mode="strict") is None


def test_session_roles_count_like_the_user_and_verdicts_are_cached():
    v = Validator(CATALOG, "open")
    st = parse_query("INSERT INTO sales_order_lines (order_id) VALUES ($1)")[0]

    async def run():
        with pytest.raises(PgError) as e:
            await v.check(st, "bob")
        assert e.value.sqlstate == "42501"
        await v.check(st, "bob", ("write", "etl"))  # roles from the auth issue's session.auth_roles
        with pytest.raises(PgError):
            await v.check(st, "bob", ("analyst",))

    asyncio.run(run())
    assert len(v._cache) == 3


def test_catalog_settings_from_a_toml_catalog_table(tmp_path):
    cfg = tmp_path / "dataforge.toml"
    cfg.write_text('schemas = "/srv/schemas"\n[catalog]\nmode = "strict"\nallow_destructive = true\n')
    s = load_settings(str(cfg))
    assert (s.schemas, s.catalog_mode, s.catalog_allow_destructive) == ("/srv/schemas", "strict", True)
    cfg.write_text('[gateway]\nport = 6000\n[catalog]\nmode = "strict"\n')
    s = load_settings(str(cfg), schemas="x")
    assert (s.port, s.schemas, s.catalog_mode) == (6000, "x", "strict")
    cfg.write_text('[catalog]\nmode = "lenient"\n')
    with pytest.raises(Exception):
        load_settings(str(cfg))
