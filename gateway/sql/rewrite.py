"""PostgreSQL → DuckDB transforms on the sqlglot tree.

Each transform is a small named function `(tree) -> tree`, listed in TRANSFORMS in the order
they run; the tree is then generated as DuckDB SQL.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

from sqlglot import exp
from sqlglot.errors import SqlglotError

from ..errors import PgError

logging.getLogger("sqlglot").setLevel(logging.ERROR)


@dataclass(slots=True)
class Rewritten:
    tree: exp.Expression
    sql: str


def current_setting_to_macro(tree: exp.Expression) -> exp.Expression:
    """current_setting('server_version_num') → pg_current_setting(...): PostgreSQL's settings,
    not DuckDB's (installed by sql/pg_catalog.py)."""
    for fn in tree.find_all(exp.Anonymous):
        if fn.name.lower() == "current_setting":
            fn.set("this", "pg_current_setting")
    return tree


def version_to_macro(tree: exp.Expression) -> exp.Expression:
    """version() → pg_version(): clients parse 'PostgreSQL 15.x' out of it."""
    for fn in list(tree.find_all(exp.CurrentVersion)):
        fn.replace(exp.Anonymous(this="pg_version", expressions=[]))
    for fn in tree.find_all(exp.Anonymous):
        if fn.name.lower() == "version" and not fn.expressions:
            fn.set("this", "pg_version")
    return tree


# PostgreSQL's name for a cast's column is its type's internal name
_CAST_NAMES = {
    "INT": "int4", "BIGINT": "int8", "SMALLINT": "int2", "DOUBLE": "float8", "FLOAT": "float4",
    "BOOLEAN": "bool", "DECIMAL": "numeric", "VARCHAR": "varchar", "CHAR": "bpchar", "TEXT": "text",
    "TIMESTAMPTZ": "timestamptz", "TIMESTAMP": "timestamp", "DATE": "date", "TIME": "time",
    "TIMETZ": "timetz", "INTERVAL": "interval", "UUID": "uuid", "JSON": "json", "JSONB": "jsonb",
    "VARBINARY": "bytea", "BLOB": "bytea", "BINARY": "bytea", "NAME": "name", "OID": "oid",
}
# sqlglot normalises some functions; PostgreSQL names the column after what was written
_FUNC_NAMES = {
    exp.CurrentTimestamp: "now", exp.CurrentDate: "current_date", exp.CurrentUser: "current_user",
    exp.CurrentTime: "current_time", exp.Count: "count", exp.Array: "array", exp.Exists: "exists",
    exp.Case: "case", exp.If: "case", exp.Coalesce: "coalesce", exp.Nullif: "nullif",
    exp.Greatest: "greatest", exp.Least: "least", exp.ArrayAgg: "array_agg", exp.GroupConcat: "string_agg",
    exp.Substring: "substring", exp.Trim: "btrim", exp.Lower: "lower", exp.Upper: "upper",
    exp.Length: "length", exp.Round: "round", exp.Abs: "abs", exp.Avg: "avg", exp.Sum: "sum",
    exp.Min: "min", exp.Max: "max", exp.Extract: "extract", exp.CurrentSchema: "current_schema",
}


def _pg_colname(e: exp.Expression) -> str | None:
    """PostgreSQL's FigureColname: the name a result column gets when it has no alias."""
    if isinstance(e, exp.Column):
        return None  # DuckDB names it the same way
    if isinstance(e, exp.Cast):
        inner = _pg_colname(e.this)
        if isinstance(e.this, exp.Column):
            return e.this.name
        if inner and inner != "?column?":
            return inner
        to = e.args.get("to")
        if isinstance(to, exp.DataType):
            if to.this == exp.DataType.Type.ARRAY or to.expressions and to.is_type("array"):
                return "?column?"
            return _CAST_NAMES.get(to.this.name, to.this.name.lower())
        return "?column?"
    if isinstance(e, exp.Paren):
        return _pg_colname(e.this)
    for cls, name in _FUNC_NAMES.items():
        if type(e) is cls:
            return name
    if isinstance(e, exp.Anonymous):
        return str(e.this).lower() if not isinstance(e.this, exp.Expression) else e.this.name.lower()
    if isinstance(e, exp.Dot) and isinstance(e.expression, (exp.Anonymous, exp.Func)):
        return _pg_colname(e.expression)
    if isinstance(e, exp.Func) and not isinstance(e, (exp.Binary, exp.Unary)):
        names = e.sql_names()
        return names[0].lower() if names else "?column?"
    if isinstance(e, exp.Subquery):
        inner = e.this
        if isinstance(inner, exp.Select) and inner.expressions:
            first = inner.expressions[0]
            if isinstance(first, exp.Alias):
                return first.alias
            if isinstance(first, exp.Column):
                return first.name
            return _pg_colname(first)
        return "?column?"
    return "?column?"


def pg_column_names(tree: exp.Expression) -> exp.Expression:
    """Name unaliased result columns as PostgreSQL would ('count', 'int4', '?column?'), not
    with DuckDB's expression text: clients and ORMs look columns up by these names."""
    sel = tree
    while isinstance(sel, exp.SetOperation):
        sel = sel.this
    if not isinstance(sel, exp.Select):
        return tree
    new = []
    changed = False
    for e in sel.expressions:
        if isinstance(e, (exp.Alias, exp.Star, exp.Column)) or (isinstance(e, exp.Column) and e.is_star):
            new.append(e)
            continue
        name = _pg_colname(e)
        if name is None:
            new.append(e)
            continue
        new.append(exp.alias_(e, exp.to_identifier(name, quoted=True)))
        changed = True
    if changed:
        sel.set("expressions", new)
    return tree


def division_by_zero_errors(tree: exp.Expression) -> exp.Expression:
    """PostgreSQL raises 22012 on x / 0 and x % 0; DuckDB returns NULL. Guard the divisor."""
    for node in list(tree.find_all(exp.Div, exp.Mod, exp.IntDiv)):
        divisor = node.expression
        if isinstance(divisor, exp.Literal) and not divisor.is_string and divisor.this not in ("0", "0.0"):
            continue
        node.set("expression", exp.Anonymous(this="pg_nonzero", expressions=[divisor.copy()]))
    return tree


def null_projection_is_text(tree: exp.Expression) -> exp.Expression:
    """A bare NULL in a select list is of type text in PostgreSQL (DuckDB says INTEGER)."""
    if isinstance(tree, exp.Select):
        for e in tree.expressions:
            target = e.this if isinstance(e, exp.Alias) else e
            if isinstance(target, exp.Null):
                target.replace(exp.cast(exp.Null(), exp.DataType.build("text")))
    return tree


def values_column_names(tree: exp.Expression) -> exp.Expression:
    """A top-level VALUES names its columns column1, column2… in PostgreSQL (DuckDB: col0…)."""
    if isinstance(tree, exp.Values) and tree.expressions:
        first = tree.expressions[0]
        n = len(first.expressions) if isinstance(first, exp.Tuple) else 1
        cols = [exp.to_identifier(f"column{i + 1}") for i in range(n)]
        alias = exp.TableAlias(this=exp.to_identifier("*VALUES*", quoted=True), columns=cols)
        sub = exp.Subquery(this=tree.copy(), alias=alias)
        return exp.select("*").from_(sub)
    return tree


TRANSFORMS: list[Callable[[exp.Expression], exp.Expression]] = [
    values_column_names,
    null_projection_is_text,
    pg_column_names,
    division_by_zero_errors,
    current_setting_to_macro,
    version_to_macro,
]


def to_duckdb(tree: exp.Expression) -> Rewritten:
    t = tree.copy()
    for fn in TRANSFORMS:
        t = fn(t)
    try:
        sql = t.sql("duckdb")
    except SqlglotError as e:
        raise PgError("0A000", f"statement cannot be translated for DuckDB: {e}") from None
    return Rewritten(t, sql)
