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
    con.execute(f"SET search_path = '{SEARCH_PATH}'")
