"""Result column types PostgreSQL would report but DuckDB cannot express.

DuckDB has one VARCHAR (no varchar(n), char(n) or bpchar), one JSON (no jsonb) and keeps no
timestamp precision, so the type it derives for such a column is text, json or a plain
timestamp. `plan_of()` reads the PostgreSQL statement tree ONCE (classify caches it with the
statement) and notes, per output column, what decides its PostgreSQL type: a top-level cast
(`x::varchar(5)`, `x::char(3)[]`, `x::jsonb`, `x::timestamp(3)`), a jsonb operator or function,
or a plain reference to a table column whose declared type the gateway recorded
(`_dataforge.column_types`, see engine/column_types.py). `resolve()` turns that plan into
(type OID, typmod) overrides with the declared types and the result's column names: a few
dict lookups per result. Anything undecided stays None and keeps the DuckDB-derived type.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from ..protocol.types import UNCONSTRAINED_NUMERIC_SCALE
from .pg_catalog import CATALOG_NAME_COLUMNS

VARCHAR, BPCHAR, JSONB, TIMESTAMP, TIMESTAMPTZ, NAME = 1043, 1042, 3802, 1114, 1184, 19
NUMERIC = 1700
ARRAY_OF = {VARCHAR: 1015, BPCHAR: 1014, JSONB: 3807, TIMESTAMP: 1115, TIMESTAMPTZ: 1185, NAME: 1003,
            NUMERIC: 1231}
ELEMENT_OF = {v: k for k, v in ARRAY_OF.items()}

# functions whose result is jsonb
_JSONB_FUNCS = frozenset((
    "jsonb_build_object", "jsonb_build_array", "to_jsonb", "jsonb_agg", "jsonb_object_agg",
    "jsonb_set", "jsonb_insert", "jsonb_strip_nulls", "jsonb_extract_path", "jsonb_object",
    "jsonb_path_query", "jsonb_path_query_first", "jsonb_path_query_array", "jsonb_set_lax",
    "jsonb_array_elements",  # in a select list (in FROM: _JSONB_SRF)
))
# functions whose result is name (psql's \\conninfo-style queries, pgjdbc, ORMs ask for them)
_NAME_EXPRESSIONS = (exp.CurrentUser, exp.SessionUser, exp.CurrentDatabase, exp.CurrentSchema,
                     exp.CurrentCatalog)
_NAME_FUNCS = frozenset(("getdatabaseencoding", "pg_client_encoding", "current_role", "current_catalog",
                         "pg_get_userbyid"))
# functions returning void (the gateway's macros return '')
VOID = 2278
_VOID_FUNCS = frozenset(("pg_advisory_lock", "pg_advisory_lock_shared", "pg_advisory_xact_lock",
                         "pg_advisory_xact_lock_shared", "pg_advisory_unlock_all", "pg_sleep"))
# set-returning functions in FROM whose columns include jsonb values: their column names
_JSONB_SRF = {
    "jsonb_each": (("key", None), ("value", (JSONB, -1))),
    "jsonb_array_elements": (("value", (JSONB, -1)),),
    "jsonb_path_query": (("jsonb_path_query", (JSONB, -1)),),
}


@dataclass(frozen=True, slots=True)
class Plan:
    # per select-list item: ('fixed', oid, typmod) | ('col', qualifier, column, via) |
    # ('star', qualifier) | None; via 'jsonb': the column's type only if it is jsonb
    items: tuple
    # FROM items by alias (lower case): ('table', schema, table) | ('static', {column: type}) | None
    sources: dict
    has_refs: bool  # needs the declared column types


def plan_of(tree: exp.Expression | None) -> Plan | None:
    """The typing plan of a SELECT (or a write's RETURNING list); None when no output column
    can differ from the DuckDB-derived type."""
    if tree is None:
        return None
    if isinstance(tree, (exp.Insert, exp.Update, exp.Delete)):
        ret = tree.args.get("returning")
        if ret is None:
            return None
        items = ret.expressions
        sources: dict = {}
        target = tree.this
        if isinstance(target, exp.Schema):  # INSERT INTO t (a, b)
            target = target.this
        if isinstance(target, exp.Table):
            _add_table(sources, target, set())
        if isinstance(tree, exp.Insert) and isinstance(target, exp.Table):
            sources["excluded"] = sources.get(_alias(target))
    else:
        sel = tree
        while isinstance(sel, exp.Subquery):
            sel = sel.this
        if not isinstance(sel, exp.Select):
            return None
        items = sel.expressions
        ctes = _cte_names(tree) | _cte_names(sel)
        sources = {}
        frm = sel.args.get("from_") or sel.args.get("from")
        if frm is not None:
            _add_source(sources, frm.this, ctes)
        for j in sel.args.get("joins") or []:
            _add_source(sources, j.this, ctes)
    out = []
    for e in items:
        if isinstance(e, exp.Star):
            out.append(("star", None))
            continue
        if isinstance(e, exp.Column) and e.is_star:
            out.append(("star", e.table.lower() or None))
            continue
        out.append(_type(e))
    if not any(out):
        return None
    has_refs = any(o is not None and o[0] in ("col", "star") for o in out)
    if has_refs and not sources:
        out = [o if o is None or o[0] == "fixed" else None for o in out]
        has_refs = False
        if not any(out):
            return None
    return Plan(tuple(out), sources, has_refs)


def _cte_names(node: exp.Expression) -> set[str]:
    w = node.args.get("with_") or node.args.get("with")  # sqlglot 30 names it with_
    return {c.alias_or_name.lower() for c in w.expressions} if w is not None else set()


def _alias(t: exp.Expression) -> str:
    return (t.alias or t.name).lower()


def _add_table(sources: dict, t: exp.Table, ctes: set) -> None:
    name = t.name.lower()
    if t.args.get("db") is None and name in ctes:
        sources[_alias(t)] = None
        return
    schema = (t.db or "main").lower()
    if schema == "public":
        schema = "main"
    if name in CATALOG_NAME_COLUMNS and schema in ("pg_catalog", "main") and not t.catalog:
        sources[_alias(t)] = ("static", {c: (NAME, -1) for c in CATALOG_NAME_COLUMNS[name].split()})
        return
    sources[_alias(t)] = ("table", schema, name)


def _add_source(sources: dict, item: exp.Expression, ctes: set) -> None:
    if isinstance(item, exp.Table) and isinstance(item.this, exp.Identifier):
        _add_table(sources, item, ctes)
        return
    if isinstance(item, exp.Table) and isinstance(item.this, exp.Anonymous):
        cols = _JSONB_SRF.get(item.this.name.lower())
        alias = item.args.get("alias")
        key = (alias.name if alias is not None and alias.name else item.this.name).lower()
        if cols is None:
            sources[key] = None
            return
        names = [c.name.lower() for c in alias.columns] if alias is not None and alias.columns else []
        static = {}
        for i, (name, typ) in enumerate(cols):
            if typ is not None:
                static[names[i] if i < len(names) else name] = typ
        if not alias or not alias.columns:
            # a one-column SRF without column aliases is named after its alias
            if len(cols) == 1 and alias is not None and alias.name:
                static[alias.name.lower()] = cols[0][1]
        sources[key] = ("static", static)
        return
    alias = item.alias if hasattr(item, "alias") else ""
    sources[(alias or "").lower() or f"?{len(sources)}"] = None


def _cast_type(to: exp.DataType) -> tuple | None:
    T = exp.DataType.Type
    if to.this == T.ARRAY and to.expressions:
        inner = to.expressions[0]
        el = _cast_type(inner) if isinstance(inner, exp.DataType) else None
        if el is None:
            return None
        return ("fixed", ARRAY_OF[el[1]], el[2])
    args = [a for a in to.expressions if isinstance(a, exp.DataTypeParam)]
    n = _int(args[0]) if args else None
    if to.this in (T.VARCHAR, T.NVARCHAR):
        return ("fixed", VARCHAR, n + 4 if n is not None else -1)
    if to.this in (T.CHAR, T.NCHAR):
        return ("fixed", BPCHAR, (n if n is not None else 1) + 4)
    if to.this == T.BPCHAR:
        return ("fixed", BPCHAR, n + 4 if n is not None else -1)
    if to.this == T.JSONB:
        return ("fixed", JSONB, -1)
    if to.this == T.NAME:
        return ("fixed", NAME, -1)
    if to.this == T.TIMESTAMP and n is not None:
        return ("fixed", TIMESTAMP, n)
    if to.this == T.TIMESTAMPTZ and n is not None:
        return ("fixed", TIMESTAMPTZ, n)
    if to.this == T.DECIMAL:
        # numeric: unconstrained (sql/numeric_storage.py); numeric(38,10) is the same DuckDB
        # type, so it is recorded to keep its typmod (and its fixed scale on output)
        if not args:
            return ("fixed", NUMERIC, -1)
        if len(args) == 2 and n == 38 and _int(args[1]) == UNCONSTRAINED_NUMERIC_SCALE:
            return ("fixed", NUMERIC, (38 << 16 | UNCONSTRAINED_NUMERIC_SCALE) + 4)
    return None


def _int(p: exp.Expression) -> int | None:
    try:
        return int(p.name)
    except (TypeError, ValueError):
        return None


def _type(e: exp.Expression) -> tuple | None:
    while isinstance(e, (exp.Alias, exp.Paren)):
        e = e.this
    if isinstance(e, exp.Dot) and isinstance(e.this, exp.Identifier) and e.this.name.lower() == "pg_catalog":
        e = e.expression  # pg_catalog.f()
    if isinstance(e, exp.Cast):  # also TryCast
        return _cast_type(e.to) if isinstance(e.to, exp.DataType) else None
    if isinstance(e, exp.Column):
        if not e.table and not e.this.quoted and e.name.lower() in ("user", "current_role", "session_user"):
            return ("fixed", NAME, -1)  # the SQL keywords, parsed as columns
        return ("col", e.table.lower() or None, e.name.lower(), None)
    if isinstance(e, (exp.JSONExtract, exp.JSONBExtract)):
        return _jsonb_of(_type(e.this))
    if isinstance(e, exp.Array):
        return _array_type(e.expressions)
    if isinstance(e, exp.JSONBObjectAgg):
        return ("fixed", JSONB, -1)
    if isinstance(e, exp.ArrayAgg):  # array_agg(name column): name[] (Sequelize's showIndex parses it)
        arg = e.this.this if isinstance(e.this, exp.Order) else e.this  # array_agg(x ORDER BY y)
        return _array_of(_type(arg))
    if isinstance(e, exp.Anonymous) and e.name.lower() in _JSONB_FUNCS:
        return ("fixed", JSONB, -1)
    if isinstance(e, _NAME_EXPRESSIONS) or isinstance(e, exp.Anonymous) and e.name.lower() in _NAME_FUNCS:
        return ("fixed", NAME, -1)
    if isinstance(e, exp.Anonymous) and e.name.lower() in _VOID_FUNCS:
        return ("fixed", VOID, -1)
    if isinstance(e, (exp.DPipe, exp.Sub)):
        left = _jsonb_of(_type(e.this))
        right = _jsonb_of(_type(e.expression))
        if left is not None and left[0] == "fixed" or right is not None and right[0] == "fixed":
            return ("fixed", JSONB, -1)
        if isinstance(e, exp.Sub) and left is not None and left[0] == "col":
            return left  # jsonb - 'key'
    return None


def _array_type(elements: list) -> tuple | None:
    """ARRAY['a'::varchar(3), 'b']: an array of the typed elements' type (untyped literals
    take it); the typmod only when every element has the same one."""
    oid, mods, nulls = None, set(), False
    for el in elements:
        if isinstance(el, exp.Null):
            nulls = True
            continue
        if isinstance(el, exp.Literal) and el.is_string:
            mods.add(-1)
            continue
        t = _type(el)
        if t is None or t[0] != "fixed" or t[1] not in ARRAY_OF or oid not in (None, t[1]):
            return None
        oid = t[1]
        mods.add(t[2])
    if oid is None:
        return None
    mod = mods.pop() if len(mods) == 1 else -1
    if nulls and mod != -1:
        # PostgreSQL describes ARRAY[x::char(3), NULL] without the typmod, yet its elements
        # are char(3) values: padded to 3 (the encoder's typmod, a third item)
        return ("fixed", ARRAY_OF[oid], -1, mod)
    return ("fixed", ARRAY_OF[oid], mod)


def _array_of(t: tuple | None) -> tuple | None:
    """array_agg's type from its argument's: an array of it (without the typmod, as
    PostgreSQL describes array_agg(x::varchar(5)))."""
    if t is None:
        return None
    if t[0] == "fixed":
        return ("fixed", ARRAY_OF[t[1]], -1) if t[1] in ARRAY_OF else None
    if t[0] == "col" and t[3] is None:
        return ("col", t[1], t[2], "array")
    return None


def _jsonb_of(t: tuple | None) -> tuple | None:
    """The type an operand gives a jsonb operator's result: jsonb if the operand is jsonb."""
    if t is None:
        return None
    if t[0] == "fixed":
        return t if t[1] == JSONB else None
    if t[0] == "col":
        return ("col", t[1], t[2], "jsonb")
    return None


# --------------------------------------------------------------------------- resolving

def resolve(plan: Plan | None, names: list[str], declared: dict) -> list | None:
    """(oid, typmod) or None per result column; None when nothing is overridden. A third
    item, when present, is the typmod the values are encoded with (char(n) padding).

    declared: {(schema, table): {column: (oid, typmod)}} (lower-case names)."""
    if plan is None:
        return None
    ncols = len(names)
    out: list = [None] * ncols
    items = plan.items
    i = 0
    for k, item in enumerate(items):
        if i >= ncols:
            break
        if item is None:
            i += 1
            continue
        kind = item[0]
        if kind == "fixed":
            out[i] = tuple(item[1:])
            i += 1
        elif kind == "col":
            out[i] = _column(plan, item[1], item[2], declared, item[3])
            i += 1
        else:  # star: the columns it expands to are named as the table's columns
            width = ncols - (len(items) - 1)
            if width < 0:
                return None
            if plan.has_refs:
                for j in range(i, i + width):
                    out[j] = _column(plan, item[1], names[j].lower(), declared, None)
            i += width
    return out if any(out) else None


def _column(plan: Plan, qual: str | None, name: str, declared: dict, via: str | None):
    if qual is not None:
        found = _in_source(plan.sources.get(qual), name, declared)
    else:
        found = None
        seen = []
        for src in plan.sources.values():
            if src in seen:  # INSERT's target is also `excluded`
                continue
            seen.append(src)
            t = _in_source(src, name, declared)
            if t is not None:
                if found is not None:
                    return None  # two sources know the name: let DuckDB's type stand
                found = t
    if found is not None and via == "jsonb" and found[0] != JSONB:
        return None
    if found is not None and via == "array":
        return (ARRAY_OF[found[0]], -1) if found[0] in ARRAY_OF else None
    return found


def _in_source(src, name: str, declared: dict):
    if src is None:
        return None
    if src[0] == "static":
        return src[1].get(name)
    cols = declared.get((src[1], src[2]))
    return cols.get(name) if cols else None


def describe_fields(fields: list, overrides: list | None) -> list:
    """RowDescription fields (protocol.messages.Field) with the overrides applied."""
    if not overrides:
        return fields
    for f, o in zip(fields, overrides):
        if o is not None and _compatible(f.type_oid, o[0]):
            f.type_oid, f.typmod = o[0], o[1]
    return fields


# what DuckDB reports for each overridable PostgreSQL type: an override must match it, so a
# plan that guessed wrong (a shadowed name…) can never relabel, say, an integer column
_FROM = {VARCHAR: (25,), BPCHAR: (25,), JSONB: (114, 25), TIMESTAMP: (1114,), TIMESTAMPTZ: (1184,), NAME: (25,),
         1015: (1009,), 1014: (1009,), 3807: (199, 1009), 1115: (1115,), 1185: (1185,), 1003: (1009,),
         NUMERIC: (NUMERIC,), 1231: (1231,), VOID: (25,)}


def _compatible(duck_oid: int, oid: int) -> bool:
    return duck_oid in _FROM.get(oid, ())


def checked(overrides: list | None, duck_oids: list[int]) -> list | None:
    """The overrides that fit the DuckDB-derived types (see _compatible)."""
    if not overrides:
        return None
    out = [o if o is not None and _compatible(d, o[0]) else None for o, d in zip(overrides, duck_oids)]
    return out if any(out) else None


def origin_of(tree: exp.Expression | None) -> tuple | None:
    """Where the result columns of `SELECT cols | * FROM one_table …` come from, for the table
    OID and column number RowDescription carries (pgjdbc's getTableName/isNullable/
    isAutoIncrement, node-postgres' tableID read them): (schema, table, items), items per select
    item the column name (lower case), '*' for all columns, or None for a computed value.
    None for anything else (joins, subqueries, set operations): those columns report 0.
    INSERT/UPDATE/DELETE … RETURNING report their target table's columns the same way."""
    if isinstance(tree, (exp.Insert, exp.Update, exp.Delete)):
        returning = tree.args.get("returning")
        if returning is None:
            return None
        t = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
        return _origin(tree, t, returning.expressions)
    if not isinstance(tree, exp.Select) or tree.args.get("joins"):
        return None
    frm = tree.args.get("from_") or tree.args.get("from")
    return _origin(tree, frm.this if frm is not None else None, tree.expressions)


def _origin(tree: exp.Expression, t: exp.Expression | None, expressions: list) -> tuple | None:
    if not isinstance(t, exp.Table) or not isinstance(t.this, exp.Identifier) or t.args.get("catalog"):
        return None
    if _cte_names(tree):
        return None
    alias = _alias(t)
    items = []
    for e in expressions:
        inner = e.this if isinstance(e, exp.Alias) else e
        if isinstance(e, exp.Star) or (isinstance(inner, exp.Column) and inner.is_star
                                       and inner.table.lower() in ("", alias)):
            items.append("*")
        elif isinstance(inner, exp.Column) and isinstance(inner.this, exp.Identifier) \
                and inner.table.lower() in ("", alias):
            items.append(inner.name.lower())
        else:
            items.append(None)
    if not any(items):
        return None
    schema = (t.db or "main").lower()
    return ("main" if schema == "public" else schema), t.name.lower(), tuple(items)


def apply_origins(fields: list, origin: tuple | None, tables: dict) -> list:
    """Set table_oid/column on the fields `origin` (origin_of) names; `tables` maps
    (schema, table) → (table_oid, [(column lower case, attnum), …]). Unchanged when the
    table is not known or the columns do not line up with the fields."""
    if origin is None:
        return fields
    found = tables.get((origin[0], origin[1]))
    if found is None:
        return fields
    oid, cols = found
    by_name = dict(cols)
    out: list = []
    for item in origin[2]:
        if item == "*":
            out.extend(n for _, n in cols)
        else:
            out.append(by_name.get(item) if item is not None else None)
    if len(out) != len(fields):
        return fields
    for f, attnum in zip(fields, out):
        if attnum is not None:
            f.table_oid, f.column = oid, attnum
    return fields
