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
CREATE OR REPLACE MACRO {m}.pg_iv_months(i) AS CAST(datepart('year', i) * 12 + datepart('month', i) AS INTEGER);
CREATE OR REPLACE MACRO {m}.pg_iv_us(i) AS
    datepart('hour', i) * 3600000000 + datepart('minute', i) * 60000000 + datepart('microseconds', i);
CREATE OR REPLACE MACRO {m}.pg_iv_days_time(m, d, t) AS (
    to_months(CAST(m AS INTEGER)) + CASE
         WHEN d > 0 AND t < 0 THEN to_days(CAST(d - 1 AS INTEGER)) + to_microseconds(t + 86400000000)
         WHEN d < 0 AND t > 0 THEN to_days(CAST(d + 1 AS INTEGER)) + to_microseconds(t - 86400000000)
         ELSE to_days(CAST(d AS INTEGER)) + to_microseconds(t) END);
CREATE OR REPLACE MACRO {m}.pg_justify_hours(i) AS {m}.pg_iv_days_time({m}.pg_iv_months(i),
    datepart('day', i) + {m}.pg_iv_us(i) // 86400000000, {m}.pg_iv_us(i) % 86400000000);
CREATE OR REPLACE MACRO {m}.pg_iv_months_days(m, d, t) AS (
    CASE WHEN m > 0 AND d < 0 THEN to_months(CAST(m - 1 AS INTEGER)) + to_days(CAST(d + 30 AS INTEGER))
         WHEN m < 0 AND d > 0 THEN to_months(CAST(m + 1 AS INTEGER)) + to_days(CAST(d - 30 AS INTEGER))
         ELSE to_months(CAST(m AS INTEGER)) + to_days(CAST(d AS INTEGER)) END + to_microseconds(t));
CREATE OR REPLACE MACRO {m}.pg_justify_days(i) AS {m}.pg_iv_months_days(
    {m}.pg_iv_months(i) + datepart('day', i) // 30, datepart('day', i) % 30, {m}.pg_iv_us(i));
-- float8 as text the way float8out writes it (shortest exact digits; an exponent from 1e15, where
-- DuckDB starts at 1e16; no trailing .0; NaN, Infinity, -0)
CREATE OR REPLACE MACRO {m}.pg_f8_exp15(d) AS left(d, 1) || CASE WHEN length(d) > 1 THEN '.' || substr(d, 2) ELSE '' END || 'e+15';
CREATE OR REPLACE MACRO {m}.pg_float8_text(x DOUBLE) AS (
    CASE WHEN isnan(x) THEN 'NaN'
         WHEN isinf(x) THEN CASE WHEN x > 0 THEN 'Infinity' ELSE '-Infinity' END
         WHEN x = 0 THEN CASE WHEN signbit(x) THEN '-0' ELSE '0' END
         WHEN abs(x) >= 1e15 AND abs(x) < 1e16 THEN (CASE WHEN x < 0 THEN '-' ELSE '' END)
              || {m}.pg_f8_exp15(rtrim(replace(CAST(abs(x) AS VARCHAR), '.', ''), '0'))
         ELSE regexp_replace(CAST(x AS VARCHAR), '[.]0$', '') END),
    (x) AS CAST(x AS VARCHAR);
-- justify_interval follows PostgreSQL's interval_justify_interval step by step (A to D)
CREATE OR REPLACE MACRO {m}.pg_ji_d(m, d, t) AS {m}.pg_iv_days_time(m, d + t // 86400000000, t % 86400000000);
CREATE OR REPLACE MACRO {m}.pg_ji_c(m, d, t) AS {m}.pg_ji_d(
    CASE WHEN m > 0 AND (d < 0 OR (d = 0 AND t < 0)) THEN m - 1
         WHEN m < 0 AND (d > 0 OR (d = 0 AND t > 0)) THEN m + 1 ELSE m END,
    CASE WHEN m > 0 AND (d < 0 OR (d = 0 AND t < 0)) THEN d + 30
         WHEN m < 0 AND (d > 0 OR (d = 0 AND t > 0)) THEN d - 30 ELSE d END, t);
CREATE OR REPLACE MACRO {m}.pg_ji_b(m, d, t) AS {m}.pg_ji_c(m + d // 30, d % 30, t);
CREATE OR REPLACE MACRO {m}.pg_ji_a(m, d, t) AS {m}.pg_ji_b(m,
    d + CASE WHEN (d > 0 AND t > 0) OR (d < 0 AND t < 0) THEN t // 86400000000 ELSE 0 END,
    t - CASE WHEN (d > 0 AND t > 0) OR (d < 0 AND t < 0) THEN t // 86400000000 * 86400000000 ELSE 0 END);
CREATE OR REPLACE MACRO {m}.pg_justify_interval(i) AS {m}.pg_ji_a({m}.pg_iv_months(i), datepart('day', i), {m}.pg_iv_us(i));
"""


def install(con: duckdb.DuckDBPyConnection) -> None:
    """Create the macros (after sql/pg_catalog.install has attached the compat catalog)."""
    con.execute(_MACROS.format(m=f"{COMPAT_DB}.main"))
    from . import jsonb_functions

    jsonb_functions.install(con)  # the jsonb UDFs and macros
    from . import numeric_format

    numeric_format.install(con)  # to_char(number, template)
    from . import builtin_functions

    builtin_functions.install(con)  # the third function sweep's macros and UDFs
