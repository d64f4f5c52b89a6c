"""`numeric` without precision: stored as DECIMAL(38,10), and never silently rounded.

PostgreSQL's unconstrained numeric keeps every value exactly at its own scale; DuckDB's
DECIMAL has one fixed scale and at most 38 digits, and its bare DECIMAL is DECIMAL(18,3), which
rounded 1.23456 to 1.235. Such columns (and arrays of them, `x::numeric` of a non-constant) are
DuckDB's DECIMAL(38,10) instead (protocol/types.py UNCONSTRAINED_NUMERIC: 28 integer and 10
fraction digits; the product of two of them, DECIMAL(38,20), still holds values up to 10**18).
DuckDB rounds a value with more decimals when it casts it to the column's type, so every way a
value reaches such a column checks first and refuses with PostgreSQL's 22003 "numeric field
overflow" instead: constants here at translation time, other expressions with the compat macro
`pg_numeric` (its SQL is below), bound parameters of the INSERT fast path in engine/writer.py,
and COPY through Arrow's lossless decimal parsing (protocol/copy.py).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

from sqlglot import exp

from ..errors import PgError
from ..protocol.types import UNCONSTRAINED_NUMERIC, UNCONSTRAINED_NUMERIC_SCALE

SCALE = UNCONSTRAINED_NUMERIC_SCALE
STORAGE = UNCONSTRAINED_NUMERIC
_T = exp.DataType.Type

_HINT = (f"A numeric column or value without precision keeps at most {SCALE} decimal digits and "
         f"{38 - SCALE} integer digits here (DuckDB's DECIMAL has 38 digits at a fixed scale). "
         "Declare the column numeric(p,s) with the scale the values need.")
_DETAIL = "A value with more than {n} decimal digits cannot be stored exactly: {v}"

# the compat macro (sql/pg_catalog.py installs it): x as the storage type, or 22003 when that
# would round it (a float is already inexact: PostgreSQL rounds float8 → numeric to 15 digits)
MACROS = f"""
CREATE OR REPLACE MACRO {{m}}.pg_numeric(x VARCHAR) AS (CASE
    WHEN length(regexp_extract(trim(x), '\\.(\\d*?)0*$', 1)) > {SCALE}
    THEN error('numeric field overflow' || chr(10) || '{_DETAIL.format(n=SCALE, v="")}' || trim(x))
    ELSE CAST(x AS {STORAGE}) END),
    (x) AS (CASE WHEN typeof(x) IN ('DOUBLE', 'FLOAT') OR x IS NULL OR CAST(x AS {STORAGE}) = x
    THEN CAST(x AS {STORAGE})
    ELSE error('numeric field overflow' || chr(10) || '{_DETAIL.format(n=SCALE, v="")}' || CAST(x AS VARCHAR)) END);
CREATE OR REPLACE MACRO {{m}}.pg_numeric_param(x VARCHAR) AS {{m}}.pg_numeric(x),
    (x) AS x;
CREATE OR REPLACE MACRO {{m}}.pg_numeric_avg(s, c) AS
    CAST(pg_numeric_avg_text(CAST(s AS VARCHAR), CAST(c AS BIGINT), typeof(s) = '{STORAGE}') AS DECIMAL(38,20));
CREATE OR REPLACE MACRO {{m}}.pg_column_text(x) AS (CASE WHEN typeof(x) = '{STORAGE}'
    THEN regexp_replace(CAST(x AS VARCHAR), '(\\.\\d*?[1-9])0+$|\\.0+$', '\\1')
    ELSE CAST(x AS VARCHAR) END);
"""


def numeric_avg_text(total: str | None, count: int | None, trimmed: bool | None) -> str | None:
    """avg(numeric) as PostgreSQL computes it from the group's sum and count: numeric_div's
    result scale (select_div_scale: 16 significant digits counted in base-10000 groups, at least
    the sum's display scale), rounded half away from zero, at most the 20 decimals the result
    type DECIMAL(38,20) keeps. The sum of an unconstrained column has the storage's fixed scale;
    its trailing zeros do not count as display scale (`trimmed`). One call per group, so
    per-value Python is fine here; as a macro this arithmetic expanded the sum expression dozens
    of times (TPC-H Q1 took 14× longer to plan and run)."""
    if total is None or not count:
        return None
    value = Decimal(total)
    scale = max(-value.as_tuple().exponent, 0)
    if trimmed and value != 0:
        scale = max(-value.normalize().as_tuple().exponent, 0)
    rscale = max(16 - 4 * (_weight(value) - _weight(Decimal(count))
                           - (1 if _first_group(value) <= _first_group(Decimal(count)) else 0)), scale, 0)
    rscale = min(rscale, 20)
    q = (value / Decimal(count)).quantize(Decimal(1).scaleb(-rscale), rounding=ROUND_HALF_UP, context=_CTX)
    return str(q)


_CTX = Context(prec=80)


def _weight(v: Decimal) -> int:
    """PostgreSQL's NumericVar weight: the base-10000 group of the first nonzero digit (0 for 0)."""
    return 0 if v == 0 else v.copy_abs().adjusted() // 4


def _first_group(v: Decimal) -> int:
    return 0 if v == 0 else int(v.copy_abs().scaleb(-4 * _weight(v)))


def install(con) -> None:
    """The avg(numeric) helper UDF the pg_numeric_avg macro calls."""
    import duckdb

    con.create_function("pg_numeric_avg_text", numeric_avg_text,
                        [duckdb.sqltype("VARCHAR"), duckdb.sqltype("BIGINT"), duckdb.sqltype("BOOLEAN")],
                        duckdb.sqltype("VARCHAR"), null_handling="special", side_effects=False)


def overflow(value: str) -> PgError:
    return PgError("22003", "numeric field overflow", detail=_DETAIL.format(n=SCALE, v=value), hint=_HINT)


def decimal_fits(d: Decimal) -> bool:
    """Whether a Decimal is stored exactly (its significant decimals ≤ SCALE; the integer
    digits are DuckDB's own range check)."""
    if not d.is_finite():
        return True  # NaN/Infinity: DuckDB refuses them on its own
    sign, digits, e = d.as_tuple()
    if e >= 0:
        return True
    k = 0
    while k < len(digits) and k < -e and digits[len(digits) - 1 - k] == 0:
        k += 1
    return -e - k <= SCALE


def text_fits(text: str) -> bool:
    try:
        return decimal_fits(Decimal(text.strip()))
    except InvalidOperation:
        return True  # not a number: DuckDB's own 22P02


def is_bare_numeric(t) -> bool:
    return isinstance(t, exp.DataType) and t.this == _T.DECIMAL and not t.expressions


def _storage_type(t: exp.DataType) -> exp.DataType | None:
    """numeric → DECIMAL(38,10), numeric[] → DECIMAL(38,10)[]; None: another type."""
    if is_bare_numeric(t):
        return exp.DataType.build(STORAGE, dialect="duckdb")
    if t.this == _T.ARRAY and t.expressions and is_bare_numeric(t.expressions[0]):
        out = t.copy()
        out.set("expressions", [exp.DataType.build(STORAGE, dialect="duckdb")])
        return out
    return None


def column_storage(tree: exp.Expression) -> exp.Expression:
    """CREATE TABLE / ALTER TABLE … ADD COLUMN / ALTER COLUMN … TYPE with `numeric`: the wide
    storage type (runs after rewrite.declared_column_types recorded `numeric`, typmod -1)."""
    for node in tree.find_all(exp.ColumnDef, exp.AlterColumn):
        key = "kind" if isinstance(node, exp.ColumnDef) else "dtype"
        t = node.args.get(key)
        new = _storage_type(t) if isinstance(t, exp.DataType) else None
        if new is not None:
            node.set(key, new)
    return tree


def casts(tree: exp.Expression) -> exp.Expression:
    """x::numeric of anything but a constant (rewrite.numeric_literal_casts gave those their
    own scale): pg_numeric(x), the storage type or 22003; x::numeric[] the storage array.
    column::text: pg_column_text, the value's own digits for a numeric column (DuckDB would
    write the storage's ten decimals)."""
    for node in list(tree.find_all(exp.Cast)):
        to = node.to
        if (isinstance(node.this, exp.Column) and isinstance(to, exp.DataType)
                and to.this in (_T.TEXT, _T.VARCHAR) and not to.expressions):
            node.replace(exp.Anonymous(this="pg_column_text", expressions=[node.this.copy()]))
            continue
        if is_bare_numeric(to):
            if isinstance(node.this, exp.Literal) and not node.this.is_string and not text_fits(node.this.this):
                raise overflow(node.this.this)
            # $1::numeric: a bound numeric is rendered as a DECIMAL of its own digits
            # (sql/params.py render_literal); text goes through pg_numeric
            fn = "pg_numeric_param" if isinstance(node.this, exp.Parameter) else "pg_numeric"
            new = exp.Anonymous(this=fn, expressions=[node.this.copy()])
            if node is tree:
                return new
            node.replace(new)
        elif isinstance(to, exp.DataType):
            new_t = _storage_type(to)
            if new_t is not None and isinstance(node.this, exp.Parameter):
                node.replace(exp.Anonymous(this="pg_numeric_param", expressions=[node.this.copy()]))
            elif new_t is not None:
                node.set("to", new_t)
    return tree


def _is_storage(duck_type: str | None) -> bool:
    return bool(duck_type) and duck_type.replace(" ", "").upper() == STORAGE


def stored_value(value: exp.Expression, duck_type: str | None) -> exp.Expression:
    """A value written into a column of DuckDB type duck_type: checked when the column is an
    unconstrained numeric one (a constant now, anything else by pg_numeric per row)."""
    if not _is_storage(duck_type):
        return value
    v = value
    neg = isinstance(v, exp.Neg)
    if neg:
        v = v.this
    if isinstance(v, exp.Literal):
        if not text_fits(v.this):
            raise overflow(("-" if neg else "") + v.this.strip())
        return value
    if isinstance(value, exp.Null) or (isinstance(value, exp.Column) and value.name.upper() == "DEFAULT"):
        return value
    return exp.Anonymous(this="pg_numeric", expressions=[value.copy()])


def check_rows(rows, columns: list[int]) -> None:
    """Bound values (executemany, INSERT … VALUES ($1, …)) for the unconstrained numeric
    columns at these positions: a Decimal or text with too many decimals is refused."""
    for r in rows:
        for c in columns:
            v = r[c]
            if isinstance(v, Decimal):
                if not decimal_fits(v):
                    raise overflow(f"{v:f}")
            elif isinstance(v, str) and not text_fits(v):
                raise overflow(v.strip())


# ------------------------------------------------------------------ rows appended as values
# engine/writer.py appends bound rows (executemany, INSERT … VALUES ($1, …)) and Arrow tables
# without SQL of ours around each value: a value that may not fit is looked for first (cheap:
# most values are not Decimals with more than SCALE decimals), and only then the target's
# column types.

_LONG_FRACTION = re.compile(r"\s*[-+]?\d*\.\d{%d,}" % (SCALE + 1))


def _unfit(v) -> bool:
    if isinstance(v, Decimal):
        return not decimal_fits(v)
    return isinstance(v, str) and _LONG_FRACTION.match(v) is not None and not text_fits(v)


def check_appended_rows(con, insert_sql: str, rows) -> None:
    positions = sorted({c for r in rows for c, v in enumerate(r) if _unfit(v)})
    if not positions:
        return
    types = _target_types(con, insert_sql)
    for c in positions:
        if c < len(types) and _is_storage(types[c]):
            v = next(r[c] for r in rows if _unfit(r[c]))
            raise overflow(f"{v:f}" if isinstance(v, Decimal) else v.strip())


def check_appended_table(con, insert_sql: str, tbl) -> None:
    import pyarrow as pa
    import pyarrow.compute as pc

    positions = []
    for c, col in enumerate(tbl.columns):
        t = col.type
        if pa.types.is_decimal(t) and t.scale > SCALE:
            positions.append(c)
        elif pa.types.is_string(t) or pa.types.is_large_string(t):
            # a match needs a '.' and SCALE + 1 digits after it: two cheap scans rule most
            # text columns out before the regex (~0.17 ms per 1,000 values, executemany's tail)
            if (pc.max(pc.binary_length(col)).as_py() or 0) > SCALE + 1 \
                    and pc.any(pc.match_substring(col, ".")).as_py() \
                    and pc.any(pc.match_substring_regex(col, _LONG_FRACTION.pattern)).as_py():
                positions.append(c)
    if not positions:
        return
    types = _target_types(con, insert_sql)
    for c in positions:
        if c < len(types) and _is_storage(types[c]):
            col = tbl.column(c)
            try:
                col.cast(pa.decimal128(38, SCALE))  # refuses data loss (a rescale that rounds)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                bad = next((v for v in col.to_pylist() if _unfit(v)), None)
                raise overflow(f"{bad:f}" if isinstance(bad, Decimal) else str(bad).strip()) from None


def _target_types(con, insert_sql: str) -> list[str]:
    """The DuckDB types of the columns `INSERT INTO t [(cols)]` writes, in its order."""
    import sqlglot

    tree = sqlglot.parse_one(insert_sql + " VALUES (NULL)", read="duckdb")
    target = tree.this
    cols = "*"
    if isinstance(target, exp.Schema):
        cols = ", ".join(c.sql("duckdb") for c in target.expressions)
        target = target.this
    desc = con.execute(f"SELECT {cols} FROM {target.sql('duckdb')} LIMIT 0").description
    return [str(d[1]) for d in desc]
