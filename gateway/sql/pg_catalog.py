"""The PostgreSQL compatibility surface installed in DuckDB at startup.

For now: the functions clients call on connect (version(), current_setting()). The full
pg_catalog / information_schema surface grows here.
"""

from __future__ import annotations

import duckdb

SERVER_VERSION = "15.0"
SERVER_VERSION_NUM = "150000"


def version_string() -> str:
    return (
        f"PostgreSQL {SERVER_VERSION} (Data Forge Gateway on DuckDB {duckdb.__version__}) "
        "on x86_64-pc-linux-gnu, compiled by gcc, 64-bit"
    )


# PostgreSQL settings a client may read with current_setting(); the session overrides some.
STATIC_SETTINGS = {
    "server_version": SERVER_VERSION,
    "server_version_num": SERVER_VERSION_NUM,
    "server_encoding": "UTF8",
    "client_encoding": "UTF8",
    "lc_collate": "C",
    "lc_ctype": "C",
    "integer_datetimes": "on",
    "standard_conforming_strings": "on",
    "datestyle": "ISO, MDY",
    "intervalstyle": "postgres",
    "max_identifier_length": "63",
    "max_connections": "100",
    "search_path": '"$user", public',
    "default_transaction_isolation": "read committed",
    "transaction_isolation": "read committed",
    "default_transaction_read_only": "off",
    "block_size": "8192",
    "is_superuser": "on",
    "application_name": "",
    "extra_float_digits": "1",
    "statement_timeout": "0",
}


COMPAT_DB = "dataforge_compat"
# every cursor resolves unqualified names in the user's database first, then the compat layer
SEARCH_PATH = f"main,{COMPAT_DB}.main"


def install(con: duckdb.DuckDBPyConnection) -> None:
    """Attach an in-memory catalog holding the compatibility functions, so nothing of ours is
    written into the user's database file."""
    values = ", ".join(
        f"('{k}', '{v.replace(chr(39), chr(39) * 2)}')" for k, v in STATIC_SETTINGS.items()
    )
    ver = version_string().replace("'", "''")
    con.execute(f"ATTACH IF NOT EXISTS ':memory:' AS {COMPAT_DB}")
    m = f"{COMPAT_DB}.main"
    con.execute(
        f"""
        CREATE OR REPLACE MACRO {m}.pg_version() AS '{ver}';
        CREATE OR REPLACE MACRO {m}.pg_nonzero(x) AS (CASE WHEN x = 0 THEN error('division by zero') ELSE x END);
        CREATE OR REPLACE MACRO {m}.pg_current_setting(n) AS (
            CASE WHEN lower(n) = 'timezone' THEN current_setting('TimeZone')
                 ELSE (SELECT v FROM (VALUES {values}) s(k, v) WHERE k = lower(n)) END),
            (n, missing_ok) AS (
            CASE WHEN lower(n) = 'timezone' THEN current_setting('TimeZone')
                 ELSE (SELECT v FROM (VALUES {values}) s(k, v) WHERE k = lower(n)) END);
        """
    )
    con.execute(_TYPED_MACROS.format(m=m))
    con.execute(f"SET search_path = '{SEARCH_PATH}'")


# Macros the rewrite layer (sql/rewrite.py) calls. Typed parameters let DuckDB choose the
# PostgreSQL result type at bind time; an unused parameter is only there for its type.
_TYPED_MACROS = """
CREATE OR REPLACE MACRO {m}.pg_sum(s, x SMALLINT) AS CAST(s AS BIGINT),
    (s, x INTEGER) AS CAST(s AS BIGINT),
    (s, x) AS s;
CREATE OR REPLACE MACRO {m}.pg_div16(s, c) AS (CASE WHEN c = 0 THEN NULL ELSE
    CAST((abs(CAST(s AS HUGEINT)) * 100000000000000000 // c + 5) // 10 * sign(s) AS DECIMAL(38,0))
    * CAST('0.0000000000000001' AS DECIMAL(17,16)) END);
CREATE OR REPLACE MACRO {m}.pg_avg(a, s, c, x SMALLINT) AS {m}.pg_div16(s, c),
    (a, s, c, x INTEGER) AS {m}.pg_div16(s, c),
    (a, s, c, x BIGINT) AS {m}.pg_div16(s, c),
    (a, s, c, x) AS a;
CREATE OR REPLACE MACRO {m}.pg_minus(a DATE, b DATE) AS CAST(a - b AS INTEGER),
    (a TIME, b TIME) AS to_microseconds(epoch_us(a) - epoch_us(b)),
    (a, b) AS a - b;
CREATE OR REPLACE MACRO {m}.pg_extract_epoch(x DATE) AS CAST(epoch(x) AS DECIMAL(38,0)),
    (x TIMESTAMP) AS CAST(CAST(epoch_us(x) AS DECIMAL(38,0)) * CAST('0.000001' AS DECIMAL(7,6)) AS DECIMAL(38,6)),
    (x TIMESTAMPTZ) AS CAST(CAST(epoch_us(x) AS DECIMAL(38,0)) * CAST('0.000001' AS DECIMAL(7,6)) AS DECIMAL(38,6)),
    (x INTERVAL) AS CAST(CAST(epoch_us(x) AS DECIMAL(38,0)) * CAST('0.000001' AS DECIMAL(7,6)) AS DECIMAL(38,6)),
    (x TIME) AS CAST(CAST(epoch_us(x) AS DECIMAL(38,0)) * CAST('0.000001' AS DECIMAL(7,6)) AS DECIMAL(38,6)),
    (x) AS extract(epoch FROM x);
CREATE OR REPLACE MACRO {m}.pg_round(x DOUBLE) AS round_even(x, 0),
    (x DECIMAL) AS round(x),
    (x BIGINT) AS round(x),
    (x) AS round(x);
CREATE OR REPLACE MACRO {m}.pg_octet_length(x VARCHAR) AS strlen(x),
    (x BLOB) AS octet_length(x),
    (x) AS octet_length(x);
CREATE OR REPLACE MACRO {m}.pg_quote_ident(s) AS (
    CASE WHEN regexp_full_match(s, '[a-z_][a-z0-9_$]*') THEN s
         ELSE '"' || replace(s, '"', '""') || '"' END);
CREATE OR REPLACE MACRO {m}.pg_encode(b, f) AS (
    CASE lower(f) WHEN 'hex' THEN lower(hex(b)) WHEN 'base64' THEN to_base64(b)
         ELSE error('unrecognized encoding: "' || f || '"') END);
CREATE OR REPLACE MACRO {m}.pg_decode(s, f) AS (
    CASE lower(f) WHEN 'hex' THEN unhex(s) WHEN 'base64' THEN from_base64(s)
         ELSE error('unrecognized encoding: "' || f || '"') END);
CREATE OR REPLACE MACRO {m}.pg_json_typeof(j) AS (
    CASE json_type(CAST(j AS JSON)) WHEN 'OBJECT' THEN 'object' WHEN 'ARRAY' THEN 'array'
         WHEN 'VARCHAR' THEN 'string' WHEN 'BOOLEAN' THEN 'boolean' WHEN 'NULL' THEN 'null'
         WHEN NULL THEN NULL ELSE 'number' END);
CREATE OR REPLACE MACRO {m}.pg_contains(a JSON, b) AS json_contains(a, b),
    (a, b) AS a @> b;
CREATE OR REPLACE MACRO {m}.pg_date_trunc(u, x DATE) AS date_trunc(u, CAST(x AS TIMESTAMPTZ)),
    (u, x) AS date_trunc(u, x);
CREATE OR REPLACE MACRO {m}.pg_length(x VARCHAR) AS length(x),
    (x BLOB) AS octet_length(x),
    (x) AS length(x);
CREATE OR REPLACE MACRO {m}.pg_upper(s) AS translate(s, 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ');
CREATE OR REPLACE MACRO {m}.pg_lower(s) AS translate(s, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz');
CREATE OR REPLACE MACRO {m}.pg_jsonb_has_key(j, k) AS (
    CASE json_type(CAST(j AS JSON))
         WHEN 'OBJECT' THEN json_exists(CAST(j AS JSON), '/' || replace(replace(k, '~', '~0'), '/', '~1'))
         WHEN 'ARRAY' THEN coalesce(list_contains(json_extract_string(CAST(j AS JSON), '$[*]'), k), false)
         WHEN 'VARCHAR' THEN json_extract_string(CAST(j AS JSON), '$') = k
         ELSE false END);
"""
