"""Order comparisons of an enum column with a quoted constant or a parameter (`mood > 'sad'`,
`mood BETWEEN $1 AND $2`).

In PostgreSQL the constant takes the column's enum type and the comparison follows the type's
label order; DuckDB casts the enum to VARCHAR instead and compares alphabetically, a wrong
answer. The constant is cast to the column's enum type here. Equality and IN give the same
answer either way and are left alone; ORDER BY, min and max already follow the label order.
"""

from __future__ import annotations

from sqlglot import exp

ORDERING = (exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Between)


def with_enum_casts(tree: exp.Expression,
                    enum_columns: dict[tuple[str, str], dict[str, tuple[str, str]]]) -> exp.Expression | None:
    """The statement with the constants compared to enum columns cast to their type; None when
    there are none. enum_columns: (schema, table) → {column: (type schema, type name)}, lower
    case, DuckDB's schema names (public is main)."""
    tree = tree.copy()
    changed = False
    for node in list(tree.find_all(*ORDERING)):
        if isinstance(node, exp.Between):
            pairs = [(node.this, node.args.get("low")), (node.this, node.args.get("high"))]
        else:
            pairs = [(node.this, node.expression), (node.expression, node.this)]
        for column, constant in pairs:
            if not isinstance(column, exp.Column) or not _is_constant(constant):
                continue
            enum = _enum_of(column, node, enum_columns)
            if enum is not None:
                schema, name = enum
                to = exp.DataType.build(name if schema == "main" else f"{schema}.{name}", udt=True)
                constant.replace(exp.Cast(this=constant.copy(), to=to))
                changed = True
    return tree if changed else None


def _is_constant(e: exp.Expression | None) -> bool:
    return (isinstance(e, exp.Literal) and e.is_string) or isinstance(e, (exp.Parameter, exp.Placeholder))


def _enum_of(column: exp.Column, node: exp.Expression, enum_columns) -> tuple[str, str] | None:
    """The enum type of `column` as the statement around `node` resolves it, if it is one."""
    scope = node.find_ancestor(exp.Select, exp.Update, exp.Delete)
    if scope is None:
        return None
    name = column.name.lower()
    found = []
    for alias, table in _sources(scope).items():
        if column.table and column.table.lower() != alias:
            continue
        enum = enum_columns.get(table, {}).get(name)
        if enum is not None:
            found.append(enum)
    return found[0] if len(found) == 1 else None


def _sources(scope: exp.Expression) -> dict[str, tuple[str, str]]:
    """alias → (schema, table) of the tables a SELECT/UPDATE/DELETE reads directly."""
    items = []
    if isinstance(scope, (exp.Update, exp.Delete)):
        items.append(scope.this)
    frm = scope.args.get("from_") or scope.args.get("from")
    if frm is not None:
        items.append(frm.this)
    items += [j.this for j in scope.args.get("joins") or []]
    items += list(scope.args.get("using") or [])
    out = {}
    for t in items:
        if isinstance(t, exp.Table) and isinstance(t.this, exp.Identifier):
            schema = (t.db or "main").lower()
            out[(t.alias_or_name or t.name).lower()] = ("main" if schema == "public" else schema, t.name.lower())
    return out
