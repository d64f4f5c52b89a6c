"""DuckDB macros the dialect transforms of sql/rewrite.py call where the PostgreSQL result
type depends on an argument's type (known only when DuckDB binds the statement).

Installed at startup into the compatibility catalog that sql/pg_catalog.py attaches (on every
cursor's search path). Typed parameters let DuckDB pick the overload at bind time; nothing
here runs per row in Python.
"""

from __future__ import annotations

import duckdb

from .pg_catalog import COMPAT_DB

_MACROS = """
CREATE OR REPLACE MACRO {m}.pg_sign(x DECIMAL) AS CAST(sign(x) AS DECIMAL(38,0)),
    (x INTEGER) AS CAST(sign(x) AS DOUBLE),
    (x BIGINT) AS CAST(sign(x) AS DOUBLE),
    (x DOUBLE) AS CAST(sign(x) AS DOUBLE),
    (x) AS CAST(sign(x) AS DOUBLE);
CREATE OR REPLACE MACRO {m}.pg_gcd(a INTEGER, b INTEGER) AS CAST(gcd(a, b) AS INTEGER),
    (a, b) AS gcd(a, b);
CREATE OR REPLACE MACRO {m}.pg_lcm(a INTEGER, b INTEGER) AS CAST(lcm(a, b) AS INTEGER),
    (a, b) AS lcm(a, b);
CREATE OR REPLACE MACRO {m}.pg_power(a, b) AS (
    CASE WHEN a = 0 AND b < 0 THEN error('zero raised to a negative power is undefined')
         ELSE power(a, b) END);
CREATE OR REPLACE MACRO {m}.pg_width_bucket(op, lo, hi, n) AS CAST(
    CASE WHEN n <= 0 THEN error('count must be greater than zero')
         WHEN lo = hi THEN error('lower bound cannot equal upper bound')
         WHEN lo < hi THEN CASE WHEN op < lo THEN 0 WHEN op >= hi THEN n + 1
                                ELSE floor((op - lo) * n / (hi - lo)) + 1 END
         ELSE CASE WHEN op > lo THEN 0 WHEN op <= hi THEN n + 1
                   ELSE floor((lo - op) * n / (lo - hi)) + 1 END END AS INTEGER);
"""


def install(con: duckdb.DuckDBPyConnection) -> None:
    """Create the macros (after sql/pg_catalog.install has attached the compat catalog)."""
    con.execute(_MACROS.format(m=f"{COMPAT_DB}.main"))
