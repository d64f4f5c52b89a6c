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
    for fn in tree.find_all(exp.Anonymous):
        if fn.name.lower() == "version" and not fn.expressions:
            fn.set("this", "pg_version")
    return tree


TRANSFORMS: list[Callable[[exp.Expression], exp.Expression]] = [
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
