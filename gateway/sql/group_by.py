"""GROUP BY a table's primary key, selecting its other columns (PostgreSQL's functional
dependency, which Django's annotate() relies on: `SELECT a.name, count(b.id) … GROUP BY a.id`).

DuckDB has no functional dependencies and refuses such a query (42803). Grouping by the
primary key and by columns of the same row gives the same groups, so those columns are added
to the GROUP BY. Only where the primary key is grouped: any other ungrouped column stays
PostgreSQL's 42803. The session asks for this only after DuckDB refused the statement.
"""

from __future__ import annotations

from sqlglot import exp


def with_dependent_columns(tree: exp.Expression, primary_keys: dict[tuple[str, str], list[str]]) -> exp.Expression | None:
    """The statement with the columns that depend on a grouped primary key added to its GROUP
    BY lists; None when nothing could be added. primary_keys: (schema, table) → columns,
    lower case, DuckDB's schema names (public is main)."""
    tree = tree.copy()
    changed = False
    for select in tree.find_all(exp.Select):
        group = select.args.get("group")
        if group is None or not group.expressions:
            continue
        sources: dict[str, tuple[str, str]] = {}
        for t in _tables(select):
            schema = (t.db or "main").lower()
            sources[(t.alias_or_name or t.name).lower()] = ("main" if schema == "public" else schema, t.name.lower())
        if not sources:
            continue
        only = next(iter(sources)) if len(sources) == 1 else None
        grouped = {(c.table.lower() or only, c.name.lower()) for c in group.expressions if isinstance(c, exp.Column)}
        dependent = {alias for alias, table in sources.items()
                     if table in primary_keys and all((alias, k) in grouped for k in primary_keys[table])}
        if not dependent:
            continue
        aliases = {e.alias.lower() for e in select.expressions if isinstance(e, exp.Alias)}
        extra: list[exp.Column] = []
        for part in (select.expressions, [select.args.get("having")], [select.args.get("order")]):
            for node in part:
                if node is None:
                    continue
                for col in node.find_all(exp.Column):
                    if not col.table and col.name.lower() in aliases and node is select.args.get("order"):
                        continue  # ORDER BY an output column's name
                    alias = col.table.lower() or only
                    if alias not in dependent or (alias, col.name.lower()) in grouped:
                        continue
                    if isinstance(col.find_ancestor(exp.AggFunc, exp.Window, exp.Select), (exp.AggFunc, exp.Window)):
                        continue  # inside an aggregate
                    if col.find_ancestor(exp.Select) is not select:
                        continue  # a subquery's own column
                    grouped.add((alias, col.name.lower()))
                    extra.append(col.copy())
        if extra:
            group.set("expressions", [*group.expressions, *extra])
            changed = True
    return tree if changed else None


def _tables(select: exp.Select) -> list[exp.Table]:
    out = []
    frm = select.args.get("from_") or select.args.get("from")
    items = [frm.this] if frm is not None else []
    items += [j.this for j in select.args.get("joins") or []]
    for item in items:
        if isinstance(item, exp.Table) and isinstance(item.this, exp.Identifier):
            out.append(item)
    return out
