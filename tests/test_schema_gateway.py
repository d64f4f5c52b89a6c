"""The catalog in a running gateway: schema files create tables with their indexes and comments
(seen by psql and SQLAlchemy), the pydantic twin makes the same table, validation errors reach
psycopg, asyncpg and pgjdbc with their SQLSTATE and hint, access rules per user, strict mode."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from pathlib import Path

import asyncpg
import psycopg
import pytest
import sqlalchemy as sa

from tests.clients import run_java
from tests.servers import start_gateway

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "schemas"
FIXTURES = Path(__file__).resolve().parent / "schema_fixtures"
PSQL = shutil.which("psql") or "/usr/bin/psql"


def _dsn(gw, user: str) -> str:
    return f"host={gw.host} port={gw.port} user={user} dbname=postgres"


def _psql(gw, user: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    return subprocess.run([PSQL, "-X", "-v", "ON_ERROR_STOP=1", "-d", _dsn(gw, user), *args],
                          capture_output=True, text=True, env=env, timeout=60)


@pytest.fixture(scope="module")
def gw(tmp_path_factory):
    """A gateway serving the shipped example schemas (open mode)."""
    base = tmp_path_factory.mktemp("schema_gw")
    server = start_gateway(base, "--schemas", str(EXAMPLES), database=base / "gw.duckdb")
    yield server
    server.stop()


def _inspect(gw, table: str) -> dict:
    engine = sa.create_engine(f"postgresql+psycopg://admin@{gw.host}:{gw.port}/postgres")
    try:
        insp = sa.inspect(engine)
        return {
            "comment": insp.get_table_comment(table)["text"],
            "columns": [(c["name"], str(c["type"]), c["nullable"], c["default"], c["comment"])
                        for c in insp.get_columns(table)],
            "indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in insp.get_indexes(table)),
            "pk": insp.get_pk_constraint(table)["constrained_columns"],
            "checks": sorted(c["sqltext"] for c in insp.get_check_constraints(table)),
        }
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- tables from files

def test_adding_a_yaml_file_and_restarting_creates_the_table(tmp_path, gateway_factory):
    schemas = tmp_path / "schemas"
    schemas.mkdir()
    db = tmp_path / "gw.duckdb"
    first = gateway_factory("--schemas", str(schemas), database=db)
    with psycopg.connect(first.dsn, autocommit=True) as conn:
        assert conn.execute("SELECT to_regclass('sales_order_lines')").fetchone() == (None,)
    first.stop()
    shutil.copy(EXAMPLES / "sales_order_lines.yaml", schemas)
    gw = gateway_factory("--schemas", str(schemas), database=db)

    info = _inspect(gw, "sales_order_lines")
    assert info["comment"].startswith("One row per order line")
    cols = {c[0]: c for c in info["columns"]}
    assert cols["region"][4] == "ISO 3166 region code of the shop" and cols["region"][2] is False
    assert cols["unit_price"][1] == "NUMERIC(12, 2)" and cols["quantity"][3] == "1"
    assert info["indexes"] == [("sales_order_lines_region_idx", ("region",), False),
                               ("sales_order_lines_region_sold_at_idx", ("region", "sold_at"), False),
                               ("sales_order_lines_sold_at_idx", ("sold_at",), False)]
    assert info["pk"] == ["order_id", "line_no"]
    assert info["checks"] == ["quantity > 0", "unit_price >= 0"]

    # the descriptions are pg_description rows, as psql's \d+ and BI tools read them
    out = _psql(gw, "etl", "-At", "-c",
                "SELECT obj_description('sales_order_lines'::regclass, 'pg_class'), "
                "col_description('sales_order_lines'::regclass, 4), "
                "(SELECT count(*) FROM pg_description d WHERE d.objoid = 'sales_order_lines'::regclass), "
                "(SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes "
                " WHERE tablename = 'sales_order_lines')")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == (
        "One row per order line of the sales feed (net amounts, in the order's currency).|"
        "ISO 3166 region code of the shop|8|"
        "sales_order_lines_pkey,sales_order_lines_region_idx,sales_order_lines_region_sold_at_idx,"
        "sales_order_lines_sold_at_idx")


def test_psql_describe_shows_indexes_and_comments(gw):
    out = _psql(gw, "etl", "-c", r"\d+ sales_order_lines")
    assert out.returncode == 0, out.stderr
    assert "ISO 3166 region code of the shop" in out.stdout
    assert '"sales_order_lines_region_sold_at_idx" btree (region, sold_at)' in out.stdout
    # psql shows a table's own comment in \dt+ (\d+ lists the columns' descriptions)
    out = _psql(gw, "etl", "-c", r"\dt+ sales_order_lines")
    assert out.returncode == 0, out.stderr
    assert "One row per order line" in out.stdout


def test_pydantic_module_creates_the_same_table_as_its_yaml_twin(tmp_path, gateway_factory):
    yaml_dir = tmp_path / "yaml"
    yaml_dir.mkdir()
    shutil.copy(EXAMPLES / "sensor_readings.yaml", yaml_dir)
    from_yaml = gateway_factory("--schemas", str(yaml_dir))
    from_py = gateway_factory("--schemas", str(FIXTURES))
    a, b = _inspect(from_yaml, "sensor_readings"), _inspect(from_py, "sensor_readings")
    assert a == b
    assert a["comment"] == "One reading of one sensor (append-only)."
    assert ("sensor_readings_read_at_idx", ("read_at",), False) in a["indexes"]


# --------------------------------------------------------------------------- validation errors

def _psycopg_error(gw, user: str, sql: str, params=None, prepare: bool = False) -> psycopg.Error:
    with psycopg.connect(_dsn(gw, user), autocommit=True) as conn:
        with pytest.raises(psycopg.Error) as e:
            conn.execute(sql, params, prepare=prepare)
        conn.execute("SELECT 1")  # the connection survives the error
    return e.value


@pytest.mark.parametrize("prepare", [False, True], ids=["simple", "prepared"])
def test_psycopg_unknown_column_and_table(gw, prepare):
    e = _psycopg_error(gw, "etl", "SELECT regoin FROM sales_order_lines WHERE order_id = %s", (1,), prepare)
    assert e.diag.sqlstate == "42703"
    assert e.diag.message_primary == 'column "regoin" does not exist'
    assert e.diag.message_hint == 'Perhaps you meant to reference the column "sales_order_lines.region".'
    e = _psycopg_error(gw, "etl", "SELECT * FROM sales_order_line WHERE order_id = %s", (1,), prepare)
    assert e.diag.sqlstate == "42P01"
    assert e.diag.message_hint == 'Perhaps you meant to reference the table "sales_order_lines".'
    e = _psycopg_error(gw, "etl", "INSERT INTO sensor_readings (sensor_id, red_at, kind, value) "
                                  "VALUES (%s, now(), 'humidity', 1)", ("s",), prepare)
    assert e.diag.sqlstate == "42703"
    assert e.diag.message_hint == 'Perhaps you meant to reference the column "sensor_readings.read_at".'


def test_valid_statements_on_managed_tables_run(gw):
    with psycopg.connect(_dsn(gw, "etl"), autocommit=True) as conn:
        conn.execute("INSERT INTO sales_order_lines (order_id, line_no, sold_at, region, sku, unit_price, tags) "
                     "VALUES (%s, 1, now(), 'DE', 'SKU-1', 9.99, ARRAY['spring'])", (7001,))
        rows = conn.execute(
            "WITH r AS (SELECT region, sum(quantity * unit_price) AS total FROM sales_order_lines "
            "WHERE order_id = %s GROUP BY region) SELECT r.region, r.total, s.currency FROM r "
            "JOIN sales_order_lines s ON s.region = r.region WHERE s.order_id = %s", (7001, 7001)).fetchall()
        assert [(x, str(y), z) for x, y, z in rows] == [("DE", "9.99", "EUR")]
        conn.execute("INSERT INTO sensor_readings (sensor_id, read_at, kind, value) VALUES ('s-1', now(), 'humidity', 41.5)")
        assert conn.execute("SELECT quality, kind FROM sensor_readings WHERE sensor_id = 's-1'").fetchall() == [
            (100, "humidity")]
        # unmanaged tables, pg_catalog and table functions are not the catalog's business
        conn.execute("CREATE TABLE scratch_unmanaged (x int)")
        conn.execute("INSERT INTO scratch_unmanaged SELECT * FROM generate_series(1, 3)")
        assert conn.execute("SELECT sum(x) FROM scratch_unmanaged").fetchone() == (6,)
        assert conn.execute("SELECT count(*) > 0 FROM pg_catalog.pg_class").fetchone() == (True,)


def test_asyncpg_gets_sqlstate_and_hint(gw):
    async def main():
        conn = await asyncpg.connect(host=gw.host, port=gw.port, user="etl", database="postgres")
        try:
            with pytest.raises(asyncpg.exceptions.UndefinedColumnError) as e:
                await conn.fetch("SELECT regoin FROM sales_order_lines WHERE order_id = $1", 1)
            assert e.value.sqlstate == "42703"
            assert e.value.hint == 'Perhaps you meant to reference the column "sales_order_lines.region".'
            with pytest.raises(asyncpg.exceptions.UndefinedTableError) as e:
                await conn.fetch("SELECT * FROM sensor_reading")
            assert e.value.hint == 'Perhaps you meant to reference the table "sensor_readings".'
            with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError) as e:
                await conn.execute("DELETE FROM sensor_readings WHERE quality < $1", 10)
            assert e.value.message == 'table "sensor_readings" is append-only'
        finally:
            await conn.close()
        bob = await asyncpg.connect(host=gw.host, port=gw.port, user="bob", database="postgres")
        try:
            with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError) as e:
                await bob.fetch("SELECT count(*) FROM sales_order_lines")
            assert e.value.message == "permission denied for table sales_order_lines"
            assert "analyst, etl" in e.value.hint
        finally:
            await bob.close()

    asyncio.run(main())


JDBC = r"""
import java.sql.*;
import org.postgresql.util.PSQLException;
public class CatalogErrors {
    static void run(Connection c, String sql) {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, 1L);
            ps.execute();
            System.out.println("ok");
        } catch (PSQLException e) {
            System.out.println(e.getSQLState() + "|" + e.getServerErrorMessage().getHint());
        } catch (SQLException e) {
            System.out.println("other " + e);
        }
    }
    public static void main(String[] a) throws Exception {
        try (Connection c = DriverManager.getConnection(a[0], "analyst", "")) {
            run(c, "SELECT regoin FROM sales_order_lines WHERE order_id = ?");
            run(c, "SELECT region FROM sales_order_lines WHERE order_id = ?");
            run(c, "UPDATE sales_order_lines SET quantity = 2 WHERE order_id = ?");
        }
    }
}
"""


def test_pgjdbc_gets_sqlstate_and_hint(gw):
    out = run_java(JDBC, f"jdbc:postgresql://{gw.host}:{gw.port}/postgres").stdout.splitlines()
    assert out[0] == '42703|Perhaps you meant to reference the column "sales_order_lines.region".'
    assert out[1] == "ok"
    assert out[2].startswith("42501|") and out[2].endswith("allows writes for: etl."), out


# --------------------------------------------------------------------------- access, per user

def test_read_and_write_access_per_user(gw):
    insert = ("INSERT INTO sales_order_lines (order_id, line_no, sold_at, region, sku, unit_price) "
              "VALUES (%s, 1, now(), 'FR', 'SKU-9', 1.50)")
    with psycopg.connect(_dsn(gw, "etl"), autocommit=True) as etl:
        etl.execute(insert, (8001,))
        assert etl.execute("SELECT count(*) FROM sales_order_lines WHERE order_id = 8001").fetchone() == (1,)
    with psycopg.connect(_dsn(gw, "analyst"), autocommit=True) as analyst:
        assert analyst.execute("SELECT sku FROM sales_order_lines WHERE order_id = 8001").fetchone() == ("SKU-9",)
        for sql, params in ((insert, (8002,)), ("DELETE FROM sales_order_lines WHERE order_id = %s", (8001,)),
                            ("UPDATE sales_order_lines SET sku = 'x' WHERE order_id = %s", (8001,))):
            with pytest.raises(psycopg.errors.InsufficientPrivilege) as e:
                analyst.execute(sql, params)
            assert e.value.diag.message_primary == "permission denied for table sales_order_lines"
            assert e.value.diag.message_hint.endswith("allows writes for: etl.")
    with psycopg.connect(_dsn(gw, "mallory"), autocommit=True) as other:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            other.execute("SELECT * FROM sales_order_lines")
        # inside a transaction the refusal fails the transaction like any error
        other.autocommit = False
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            other.execute("SELECT region FROM sales_order_lines, sensor_readings")
        other.rollback()
        # tables without `access` are open to everyone
        assert other.execute("SELECT count(*) >= 0 FROM sensor_readings").fetchone() == (True,)
    with psycopg.connect(_dsn(gw, "admin"), autocommit=True) as admin:
        admin.execute("DELETE FROM sales_order_lines WHERE order_id = 8001")
    with psycopg.connect(_dsn(gw, "etl"), autocommit=True) as etl:
        assert etl.execute("SELECT count(*) FROM sales_order_lines WHERE order_id = 8001").fetchone() == (0,)


# --------------------------------------------------------------------------- strict mode

def test_strict_mode_refuses_ddl_on_managed_and_new_tables(gateway_factory):
    gw = gateway_factory("--schemas", str(EXAMPLES), env={"DATAFORGE_CATALOG_MODE": "strict"})
    with psycopg.connect(_dsn(gw, "etl"), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as e:
            conn.execute("CREATE TABLE adhoc (x int)")
        assert e.value.diag.message_primary == 'cannot create table "adhoc": catalog mode is strict'
        assert f"add {EXAMPLES}/adhoc.yaml" in e.value.diag.message_hint
        for sql in ("ALTER TABLE sensor_readings ADD COLUMN x int", "DROP TABLE sales_order_lines",
                    "CREATE INDEX i_adhoc ON sensor_readings (value)", "DROP INDEX sensor_readings_read_at_idx",
                    "COMMENT ON TABLE sensor_readings IS 'x'"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege) as e:
                conn.execute(sql)
            assert "sensor_readings.yaml" in e.value.diag.message_hint or \
                "sales_order_lines.yaml" in e.value.diag.message_hint, sql
            assert "dataforge schemas apply" in e.value.diag.message_hint
        conn.execute("CREATE TEMP TABLE scratch (x int)")  # session scratch space stays allowed
        assert conn.execute("SELECT count(*) FROM sensor_readings").fetchone() == (0,)


def test_open_mode_allows_unmanaged_tables(gw):
    with psycopg.connect(_dsn(gw, "anyone"), autocommit=True) as conn:
        conn.execute("CREATE TABLE open_mode_table (id int PRIMARY KEY, v text)")
        conn.execute("INSERT INTO open_mode_table VALUES (1, 'a')")
        conn.execute("ALTER TABLE open_mode_table ADD COLUMN w int")
        assert conn.execute("SELECT id, v, w FROM open_mode_table").fetchall() == [(1, "a", None)]
        # a table named like a managed one is no typo once it exists, even inside its transaction
        with conn.transaction():
            conn.execute("CREATE TABLE sensor_reading (x int)")
            assert conn.execute("SELECT count(*) FROM sensor_reading").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM sensor_reading").fetchone() == (0,)
        with pytest.raises(psycopg.errors.UndefinedTable) as e:
            conn.execute("SELECT count(*) FROM sales_order_line")
        assert e.value.diag.message_hint == 'Perhaps you meant to reference the table "sales_order_lines".'


def test_restart_after_a_crash_right_after_the_catalog_created_its_tables(tmp_path, gateway_factory):
    # DuckDB 1.5.5 cannot replay a WAL with COMMENT ON COLUMN of a column whose DEFAULT calls a
    # function (sensor_readings.id DEFAULT gen_random_uuid()): the catalog checkpoints after it
    # migrates, so a crash right after start-up leaves a database that opens again.
    db = tmp_path / "crash.duckdb"
    first = gateway_factory("--schemas", str(EXAMPLES), database=db)
    with psycopg.connect(first.dsn, autocommit=True) as conn:
        conn.execute("INSERT INTO sensor_readings (sensor_id, read_at, kind, value) VALUES ('c', now(), 'pressure', 1)")
    first.kill()
    again = gateway_factory("--schemas", str(EXAMPLES), database=db)
    with psycopg.connect(again.dsn, autocommit=True) as conn:
        assert conn.execute("SELECT sensor_id, quality FROM sensor_readings").fetchall() == [("c", 100)]
        assert conn.execute("SELECT col_description('sensor_readings'::regclass, 1)").fetchone() == ("Reading id",)
