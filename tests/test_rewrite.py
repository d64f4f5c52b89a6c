"""Unit tests for gateway/sql/rewrite.py: the PostgreSQL text, the DuckDB text it becomes, and,
where the value matters, what DuckDB answers with the compat macros installed."""

from __future__ import annotations

import decimal

import duckdb
import pytest

from gateway.sql import pg_catalog
from gateway.sql.parse import split
from gateway.sql.rewrite import to_duckdb


def duck(pg: str) -> str:
    return to_duckdb(split(pg)[0].tree).sql


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect()
    pg_catalog.install(c)
    c.execute(f"SET search_path = '{pg_catalog.SEARCH_PATH}'")
    c.execute("SET integer_division = true")
    c.execute("CREATE TABLE t(i2 SMALLINT, i4 INTEGER, i8 BIGINT, f8 DOUBLE, d DATE, tm TIME, j JSON)")
    c.execute("INSERT INTO t VALUES (1, 10, 100, 1.5, '2024-01-01', '10:00', '{\"a\": 1}'), "
              "(2, 20, 200, 2.5, '2024-03-01', '08:30', '[1]')")
    return c


def run(con, pg: str):
    rel = con.sql(duck(pg))
    return [str(t) for t in rel.types], rel.fetchall()


def test_int4_min_literal(con):
    assert duck("SELECT -2147483648 AS b") == "SELECT CAST(-2147483648 AS INT) AS b"
    assert run(con, "SELECT -2147483648 AS b") == (["INTEGER"], [(-2147483648,)])


def test_int_literal_operands_are_int4(con):
    assert duck("SELECT i2 + 1 AS x FROM t") == "SELECT i2 + CAST(1 AS INT) AS x FROM t"
    assert duck("SELECT 1 + 2 AS x") == "SELECT 1 + 2 AS x"
    assert run(con, "SELECT 1::int2 + 1 AS x")[0] == ["INTEGER"]


def test_pg_literal_input(con):
    assert duck("SELECT 'off'::bool AS b, 'y'::bool AS c") == "SELECT FALSE AS b, TRUE AS c"
    assert duck("SELECT '\\\\'::bytea AS d") == "SELECT CAST('\\x5C' AS BLOB) AS d"
    assert duck("SELECT '-1 day +2 hours'::interval AS i") == "SELECT CAST('-1 day 2 hours' AS INTERVAL) AS i"
    assert duck("SELECT '{1,NULL}'::int[] AS a") == "SELECT [CAST('1' AS INT), CAST(NULL AS INT)] AS a"
    assert run(con, "SELECT '\\\\'::bytea AS d, '{\"x y\",z}'::text[] AS a, '{}'::int[] AS e")[1] == [
        (b"\\", ["x y", "z"], [])]


def test_sum_types(con):
    assert duck("SELECT sum(i4) AS s FROM t") == "SELECT PG_SUM(SUM(i4), i4) AS s FROM t"
    assert duck("SELECT sum(i4) FILTER (WHERE i4 > 1) OVER (ORDER BY i4) AS s FROM t") == (
        "SELECT PG_SUM(SUM(i4) FILTER(WHERE i4 > 1) OVER (ORDER BY i4), i4) AS s FROM t")
    types, rows = run(con, "SELECT sum(i2) AS a, sum(i4) AS b, sum(i8) AS c, sum(f8) AS d FROM t")
    assert types == ["BIGINT", "BIGINT", "HUGEINT", "DOUBLE"] and rows == [(3, 30, 300, 4.0)]


def test_avg_numeric(con):
    assert duck("SELECT avg(i4) AS a FROM t") == "SELECT PG_AVG(AVG(i4), SUM(i4), COUNT(i4), i4) AS a FROM t"
    types, rows = run(con, "SELECT avg(i4 + 0 * i2) AS a, avg(f8) AS b, avg(x) AS c FROM t, (VALUES (1), (2), (2)) v(x) WHERE i2 = 1")
    assert types == ["DECIMAL(38,16)", "DOUBLE", "DECIMAL(38,16)"]
    assert rows == [(decimal.Decimal("10.0000000000000000"), 1.5, decimal.Decimal("1.6666666666666667"))]


def test_int4_results(con):
    assert duck("SELECT length('abc') AS n") == "SELECT CAST(PG_LENGTH('abc') AS INT) AS n"
    assert run(con, "SELECT length('héllo') AS a, length('\\x0102'::bytea) AS b") == (["INTEGER", "INTEGER"], [(5, 2)])
    assert duck("SELECT ntile(2) OVER (ORDER BY 1) AS n") == "SELECT CAST(NTILE(2) OVER (ORDER BY 1) AS INT) AS n"
    types, rows = run(con, "SELECT strpos('hello', 'l') AS s, cardinality(ARRAY[1,2]) AS c, "
                           "array_upper(ARRAY[1,2,3], 1) AS u, array_lower(ARRAY[1], 1) AS l, octet_length('héllo') AS o")
    assert types == ["INTEGER"] * 5 and rows == [(3, 2, 3, 1, 6)]


def test_subtraction_types(con):
    assert duck("SELECT d - d AS x FROM t") == "SELECT PG_MINUS(d, d) AS x FROM t"
    assert duck("SELECT d - 1 AS x FROM t") == "SELECT d - CAST(1 AS INT) AS x FROM t"
    types, rows = run(con, "SELECT '2024-03-01'::date - '2024-01-01'::date AS a, "
                           "'10:00'::time - '08:30'::time AS b, i8 - i4 AS c FROM t WHERE i2 = 1")
    assert types == ["INTEGER", "INTERVAL", "BIGINT"] and rows[0][0] == 60 and rows[0][1].total_seconds() == 5400


def test_extract_numeric(con):
    assert duck("SELECT extract(year FROM d) AS y FROM t") == "SELECT CAST(EXTRACT(YEAR FROM d) AS DECIMAL(38, 0)) AS y FROM t"
    types, rows = run(con, "SELECT extract(second FROM '2024-05-06 07:08:09.5'::timestamp) AS s, "
                           "extract(epoch FROM interval '1 day 2 hours') AS e, extract(epoch FROM '2024-01-01'::date) AS ed")
    assert rows == [(decimal.Decimal("9.500000"), decimal.Decimal("93600.000000"), decimal.Decimal("1704067200"))]


def test_round_float_half_even(con):
    assert duck("SELECT round(x) AS r FROM t") == "SELECT PG_ROUND(x) AS r FROM t"
    assert duck("SELECT round(x, 2) AS r FROM t") == "SELECT ROUND(x, 2) AS r FROM t"
    assert run(con, "SELECT round(2.5::float8) AS a, round(2.5) AS b, round(3.5::float8) AS c")[1] == [
        (2.0, decimal.Decimal("3"), 4.0)]


def test_like_backslash_escape(con):
    assert duck("SELECT 'a%c' LIKE 'a\\%c' AS e") == "SELECT 'a%c' LIKE 'a\\%c' ESCAPE '\\' AS e"
    assert duck("SELECT a LIKE 'x' ESCAPE '!' AS e FROM t") == "SELECT a LIKE 'x' ESCAPE '!' AS e FROM t"
    assert run(con, "SELECT 'a%c' LIKE 'a\\%c' AS a, 'abc' LIKE 'a\\%c' AS b")[1] == [(True, False)]


def test_to_hex_lowercase(con):
    assert duck("SELECT to_hex(255) AS h") == "SELECT LOWER(HEX(255)) AS h"
    assert run(con, "SELECT to_hex(255) AS h")[1] == [("ff",)]


def test_missing_functions(con):
    assert duck("SELECT every(i4 > 0) AS e FROM t") == "SELECT BOOL_AND(i4 > 0) AS e FROM t"
    assert duck("SELECT encode(b, 'hex') AS e FROM t") == "SELECT PG_ENCODE(b, 'hex') AS e FROM t"
    types, rows = run(con, "SELECT quote_ident('a b') AS a, quote_ident('ab') AS b, encode('abc'::bytea, 'base64') AS c, "
                           "encode('abc'::bytea, 'hex') AS d, decode('616263', 'hex') AS e, jsonb_typeof('[1]') AS f, "
                           "jsonb_array_length('[1,2,3]') AS g")
    assert rows == [('"a b"', "ab", "YWJj", "616263", b"abc", "array", 3)]
    assert types[-1] == "INTEGER"


def test_jsonb_operators(con):
    assert duck("SELECT j #>> '{a,b,0}' AS x FROM t") == "SELECT JSON_EXTRACT_STRING(j, '/a/b/0') AS x FROM t"
    assert duck("SELECT j ? 'a' AS x FROM t") == "SELECT PG_JSONB_HAS_KEY(j, 'a') AS x FROM t"
    assert duck("SELECT j @> '{}' AS x FROM t") == "SELECT PG_CONTAINS(j, '{}') AS x FROM t"
    rows = run(con, "SELECT j ? 'a' AS k, j @> '{\"a\": 1}' AS c, '{\"a\": {\"b\": [10, 20]}}'::jsonb #>> '{a,b,1}' AS p, "
                    "ARRAY[1,2] @> ARRAY[2] AS arr FROM t ORDER BY i2")[1]
    assert rows == [(True, True, "20", True), (False, False, "20", True)]


def test_json_arrow_in_call_args(con):
    assert duck("SELECT jsonb_array_length(j -> 'a') AS n FROM t") == (
        "SELECT CAST(JSON_ARRAY_LENGTH((j -> 'a')) AS INT) AS n FROM t")
    assert run(con, "SELECT jsonb_array_length(('{\"a\": [1, 2]}'::jsonb) -> 'a') AS n")[1] == [(2,)]


def test_date_trunc_of_date(con):
    assert duck("SELECT date_trunc('year', d) AS y FROM t") == "SELECT PG_DATE_TRUNC('year', d) AS y FROM t"
    types, _ = run(con, "SELECT date_trunc('year', '2024-05-06'::date) AS a, date_trunc('hour', '2024-05-06 07:08'::timestamp) AS b")
    assert types == ["TIMESTAMP WITH TIME ZONE", "TIMESTAMP"]


def test_ascii_case_mapping(con):
    assert duck("SELECT upper(s) AS u FROM t") == "SELECT PG_UPPER(s) AS u FROM t"
    assert run(con, "SELECT upper('abc é') AS u, lower('ÀBC') AS l")[1] == [("ABC é", "Àbc")]


# --------------------------------------------------------------------------- pg_catalog


def test_pg_catalog_relations(con):
    assert duck("SELECT pg_catalog.pg_class.relname FROM pg_catalog.pg_class WHERE pg_catalog.pg_class.relkind = 'r'") == (
        "SELECT pg_class.relname FROM dataforge_compat.main.pg_class AS pg_class WHERE pg_class.relkind = 'r'")
    assert duck("SELECT t.typname FROM pg_catalog.pg_type t") == (
        "SELECT t.typname FROM dataforge_compat.main.pg_type AS t")
    assert duck("SELECT * FROM pg_catalog.pg_depend") == "SELECT * FROM dataforge_compat.main.pg_depend AS pg_depend"
    assert run(con, "SELECT oid, nspname FROM pg_catalog.pg_namespace WHERE nspname IN ('pg_catalog', 'public') "
                    "ORDER BY oid")[1] == [(11, "pg_catalog"), (2200, "public")]
    # not one of ours: left to DuckDB
    assert duck("SELECT * FROM pg_catalog.pg_no_such") == "SELECT * FROM pg_catalog.pg_no_such"
    # a function in FROM: unqualified, and its alias names its column (PostgreSQL's rule)
    assert duck("SELECT s FROM pg_catalog.generate_series(1, 3) s") == (
        "SELECT s FROM GENERATE_SERIES(1, 3) AS s(s)")


def test_qualified_operators_and_collations():
    assert duck("SELECT a FROM t WHERE a OPERATOR(pg_catalog.~) '^a' COLLATE pg_catalog.default") == (
        "SELECT a FROM t WHERE (REGEXP_MATCHES(a, '^a'))")
    assert duck("SELECT a FROM t WHERE a OPERATOR(pg_catalog.=) 2") == "SELECT a FROM t WHERE (a = 2)"
    assert duck("SELECT x::pg_catalog.text FROM t") == 'SELECT CAST(x AS TEXT) AS "x" FROM t'


def test_fold_unquoted_identifiers():
    assert duck('SELECT a AS TABLE_CAT, "Quoted" FROM T') == 'SELECT a AS table_cat, "Quoted" FROM t'


def test_public_schema_is_main(con):
    assert duck("SELECT public.t.i4 FROM public.t") == "SELECT main.t.i4 FROM main.t"
    assert run(con, "SELECT count(*) AS n FROM public.t")[1] == [(2,)]


def test_reg_casts(con):
    assert duck("SELECT 't'::regclass::oid") == "SELECT CAST(PG_REGCLASS('t') AS UINTEGER) AS \"oid\""
    assert duck("SELECT oid::regtype::text AS r FROM pg_type") == "SELECT PG_REGTYPE_NAME(oid) AS r FROM pg_type"
    assert duck("SELECT 1 AS x WHERE 23 = 'int4'::regtype") == "SELECT 1 AS x WHERE 23 = PG_REGTYPE('int4')"
    assert duck("SELECT 'x'::regclass") == "SELECT PG_REGCLASS_NAME('x') AS \"regclass\""
    assert duck("SELECT 7::oid AS o") == "SELECT CAST(7 AS UINTEGER) AS o"
    types, rows = run(con, "SELECT 't'::regclass::oid = (SELECT oid FROM pg_class WHERE relname = 't') AS a, "
                           "'pg_catalog.pg_class'::regclass::oid AS b, 1184::regtype AS c, 'public'::regnamespace::oid AS d, "
                           "'t'::regclass AS e, 'pg_catalog.array_in'::regproc AS f")
    assert rows == [(True, 1259, "timestamp with time zone", 2200, "t", "array_in")]
    with pytest.raises(duckdb.Error, match='relation "nosuch" does not exist'):
        run(con, "SELECT 'nosuch'::regclass::oid")


def test_pg_only_type_names(con):
    assert duck("SELECT x::name AS a, y::\"char\" AS b, z::_int4 AS c, w::int2vector AS d FROM t") == (
        "SELECT CAST(x AS TEXT) AS a, CAST(y AS TEXT) AS b, CAST(z AS INT[]) AS c, CAST(w AS SMALLINT[]) AS d FROM t")
    assert run(con, "SELECT 'pg_class'::name AS a, '{1,2}'::_int4 AS b")[1] == [("pg_class", [1, 2])]


def test_catalog_functions(con):
    assert duck("SELECT current_schema()") == 'SELECT PG_CURRENT_SCHEMA() AS "current_schema"'
    assert duck("SELECT json_build_object('a', 1) AS j") == "SELECT JSON_OBJECT('a', 1) AS j"
    assert run(con, "SELECT current_schema(), current_schemas(true) AS s, current_schemas(false) AS f")[1] == [
        ("public", ["pg_catalog", "public"], ["public"])]


def test_unnest_column_name():
    assert duck("SELECT unnest(ARRAY[1, 2])") == 'SELECT UNNEST([1, 2]) AS "unnest"'


def test_catalog_introspection_functions(con):
    types, rows = run(con, "SELECT format_type(1043, 54) AS a, format_type(1700, 786438) AS b, "
                           "format_type(1184, NULL) AS c, format_type(1007, NULL) AS d, format_type(1042, -1) AS e, "
                           "to_regtype('character varying(10)') AS f, to_regtype('hstore') AS g, "
                           "to_regclass('t') = 't'::regclass AS h, pg_table_is_visible('t'::regclass) AS i")
    assert rows == [("character varying(50)", "numeric(12,2)", "timestamp with time zone", "integer[]", "bpchar",
                     1043, None, True, True)]


def test_pg_type_rows_follow_protocol_types(con):
    from gateway.protocol.types import TYPES_BY_OID
    rows = con.execute("SELECT oid, typname FROM pg_type").fetchall()
    assert {o: n for o, n in rows} == {o: t.name for o, t in TYPES_BY_OID.items()}
    # typinput/typsend are regproc: pg_proc OIDs, named by a ::regproc cast (pg_regproc_name)
    assert con.execute("SELECT typname, typlen, typbyval, typtype, typcategory, typelem, typarray, "
                       "pg_regproc_name(typinput), pg_regproc_name(typsend) FROM pg_type WHERE oid IN (23, 1007) "
                       "ORDER BY oid").fetchall() == [
        ("int4", 4, True, "b", "N", 0, 1007, "int4in", "int4send"),
        ("_int4", -1, False, "b", "A", 23, 0, "array_in", "array_send")]


def test_catalog_names_are_installed(con):
    installed = {r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'dataforge_compat' "
        "UNION SELECT view_name FROM duckdb_views() WHERE database_name = 'dataforge_compat'").fetchall()}
    assert pg_catalog.CATALOG_NAMES <= installed


def test_cross_database_reference_is_refused():
    from gateway.errors import PgError
    from gateway.sql.parse import split
    from gateway.sql.rewrite import to_duckdb

    with pytest.raises(PgError) as e:
        to_duckdb(split("SELECT * FROM otherdb.public.sometable")[0].tree)
    assert e.value.sqlstate == "0A000"
    # two-part names are schema-qualified, not cross-database
    assert "main.t" in to_duckdb(split("SELECT * FROM public.t")[0].tree).sql
