"""search_path: which schema an unqualified relation name means.

PostgreSQL resolves `users` through the session's search_path at every statement. The gateway's
DuckDB connections are shared by all sessions (readers, the writer), so instead of changing
their search_path it qualifies the names in the statement: `users` becomes `app.users` when
`app` comes first in the session's path and holds a relation of that name. A name found first
in `public` (DuckDB's `main`), or nowhere, is left as written, so the default path costs
nothing and behaves exactly as before.
"""

from __future__ import annotations

import re

from sqlglot import exp

# schemas a path may name that the gateway searches anyway (its catalog and temporary objects)
_ALWAYS_SEARCHED = ("pg_catalog", "pg_temp", "information_schema")
_ELEMENT = re.compile(r'\s*(?:"((?:[^"]|"")*)"|([^,\s]+))\s*(?:,|$)')


def elements(value: str) -> list[str]:
    """The schema names of a search_path value as PostgreSQL splits it (SplitIdentifierString):
    unquoted names fold to lower case, "quoted" ones keep their case."""
    out: list[str] = []
    pos = 0
    value = value.strip()
    while pos < len(value):
        m = _ELEMENT.match(value, pos)
        if m is None or m.end() == pos:
            break
        out.append(m.group(1).replace('""', '"') if m.group(1) is not None else m.group(2).lower())
        pos = m.end()
    return out


def display(names: list[str]) -> str:
    """SHOW search_path's form: names that need quoting are quoted ("$user", "My Schema")."""
    return ", ".join(n if re.fullmatch(r"[a-z_][a-z0-9_$]*", n) else '"' + n.replace('"', '""') + '"'
                     for n in names)


def duck_schemas(value: str, user: str) -> tuple[str, ...]:
    """The DuckDB schemas a search_path value searches, in order ("$user" is the session's user,
    public is main); the schemas the gateway always searches are left out."""
    out: list[str] = []
    for name in elements(value):
        if name == "$user":
            name = user
        if name == "public":
            name = "main"
        if name.lower() in _ALWAYS_SEARCHED or name.lower().startswith("pg_temp") or name in out:
            continue
        out.append(name)
    return tuple(out)


def is_default(schemas: tuple[str, ...], existing: set[str]) -> bool:
    """A path whose first existing schema is main resolves every name as the gateway always has."""
    for s in schemas:
        if s in existing:
            return s == "main"
    return True


def qualify(tree: exp.Expression, schemas: tuple[str, ...], relations: dict[str, set[str]],
            existing: set[str], temp: set[str]) -> exp.Expression:
    """The statement with each unqualified relation name that the path finds outside main
    qualified by its schema; a CREATE of an unqualified relation goes to the path's first
    existing schema. `relations`: name → the schemas holding a table or view of that name;
    `temp`: the session's temporary relations (searched first, as pg_temp is)."""
    tree = tree.copy()
    ctes = {c.alias_or_name.lower() for c in tree.find_all(exp.CTE)}
    created = None
    if isinstance(tree, exp.Create) and str(tree.args.get("kind") or "").upper() in (
            "TABLE", "VIEW", "SEQUENCE", "TYPE"):
        target = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
        created = target  # a name being created is not looked up
        if isinstance(target, exp.Table) and not target.args.get("db") and not tree.args.get("temporary") and not (
                (tree.args.get("properties") and any(isinstance(p, exp.TemporaryProperty)
                                                     for p in tree.args["properties"].expressions))):
            first = next((s for s in schemas if s in existing), "main")
            if first != "main":
                target.set("db", exp.to_identifier(first))
    _current_schema_calls(tree, schemas, existing)
    for t in tree.find_all(exp.Table):
        if t is created or t.args.get("db") or t.args.get("catalog") or not isinstance(t.this, exp.Identifier):
            continue
        name = t.name if t.this.quoted else t.name.lower()
        if name.lower() in ctes:
            continue
        schema = schema_of(name, schemas, relations, temp)
        if schema is not None:
            t.set("db", exp.to_identifier(schema))
    return tree


def schema_of(name: str, schemas: tuple[str, ...], relations: dict[str, set[str]], temp) -> str | None:
    """The schema the path finds relation `name` in (as written: lower case unless it was
    quoted); None for a temporary relation, one found nowhere or first in main: left as written."""
    if name in temp:
        return None
    holders = relations.get(name) or ()
    for s in schemas:
        if s in holders:
            return None if s == "main" else s
    return None


def _pg_name(schema: str) -> str:
    return "public" if schema == "main" else schema


def _current_schema_calls(tree: exp.Expression, schemas: tuple[str, ...], existing: set[str]) -> None:
    """current_schema() is the path's first existing schema, current_schemas(b) all of them."""
    found = [_pg_name(s) for s in schemas if s in existing]
    for node in list(tree.find_all(exp.CurrentSchema, exp.CurrentSchemas)):
        name = "current_schema" if isinstance(node, exp.CurrentSchema) else "current_schemas"
        if name == "current_schema":
            value: exp.Expression = exp.Literal.string(found[0]) if found else exp.null()
        elif isinstance(node.this, exp.Boolean):
            with_catalog = bool(node.this.this)
            names = (["pg_catalog"] if with_catalog else []) + found
            value = exp.Array(expressions=[exp.Literal.string(n) for n in names])
        else:
            continue
        if isinstance(node.parent, exp.Select):
            value = exp.alias_(value, exp.to_identifier(name))
        node.replace(value)
