"""PostgreSQL → DuckDB transforms on the sqlglot tree.

Each transform is a small named function `(tree) -> tree`, listed in TRANSFORMS in the order
they run; the tree is then generated as DuckDB SQL.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Callable

from sqlglot import exp
from sqlglot.errors import SqlglotError

from ..errors import PgError
from . import pg_catalog

logging.getLogger("sqlglot").setLevel(logging.ERROR)


@dataclass(slots=True)
class Rewritten:
    tree: exp.Expression
    sql: str


def unqualify_pg_catalog_functions(tree: exp.Expression) -> exp.Expression:
    """pg_catalog.version() → version(): PostgreSQL's built-in functions live in pg_catalog,
    ours in the compatibility catalog on the search path."""
    for dot in list(tree.find_all(exp.Dot)):
        if isinstance(dot.this, exp.Identifier) and dot.this.name.lower() == "pg_catalog" and isinstance(
            dot.expression, exp.Func
        ):
            dot.replace(dot.expression.copy())
    return tree


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
    exp.CurrentSchemas: "current_schemas", exp.Explode: "unnest", exp.Unnest: "unnest",
}


def _pg_colname(e: exp.Expression) -> str | None:
    """PostgreSQL's FigureColname: the name a result column gets when it has no alias."""
    if isinstance(e, exp.Column):
        return None  # DuckDB names it the same way
    if isinstance(e, exp.Cast):
        base = e.this
        while isinstance(base, exp.Cast):
            base = base.this
        if isinstance(base, exp.Column):
            return base.name
        inner = _pg_colname(base)
        if inner and inner != "?column?" and not isinstance(base, (exp.Literal, exp.Null, exp.Array)):
            return inner  # a function's name outranks the cast's type name
        to = e.args.get("to")
        if isinstance(to, exp.ObjectIdentifier):  # regclass, oid, …
            return str(to.this).lower()
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



# --------------------------------------------------------------------------- helpers

_INT4_MIN, _INT4_MAX = -(2**31), 2**31 - 1


def _fn(name: str, *args: exp.Expression) -> exp.Anonymous:
    return exp.Anonymous(this=name, expressions=list(args))


def _cast(e: exp.Expression, to: str) -> exp.Cast:
    return exp.Cast(this=e, to=exp.DataType.build(to, dialect="duckdb"))


def _int_literal(e: exp.Expression) -> int | None:
    if isinstance(e, exp.Literal) and not e.is_string:
        try:
            return int(e.this)
        except ValueError:
            return None
    return None


def _replace_all(tree: exp.Expression, nodes: list[exp.Expression], make) -> exp.Expression:
    """Replace each node by make(node); the root itself may be replaced."""
    for node in nodes:
        new = make(node)
        if new is node:
            continue
        if node is tree:
            tree = new
        else:
            node.replace(new)
    return tree


def _agg_frame(agg: exp.Expression) -> exp.Expression:
    """The aggregate with its FILTER and OVER wrappers: the node that stands for its value."""
    top = agg
    if isinstance(top.parent, exp.Filter) and top.parent.this is top:
        top = top.parent
    if isinstance(top.parent, exp.Window) and top.parent.this is top:
        top = top.parent
    return top


def _reframe(top: exp.Expression, agg: exp.Expression, new_agg: exp.Expression) -> exp.Expression:
    """A copy of the aggregate's frame (FILTER/OVER) around another aggregate."""
    if top is agg:
        return new_agg
    c = top.copy()
    inner = c.this if isinstance(c, exp.Window) else c
    if isinstance(inner, exp.Filter):
        inner.set("this", new_agg)
    else:
        c.set("this", new_agg)
    return c


def _agg_arg(agg: exp.Expression) -> exp.Expression | None:
    arg = agg.this
    if isinstance(arg, exp.Distinct):
        return arg.expressions[0] if len(arg.expressions) == 1 else None
    return arg


# --------------------------------------------------------------------------- literals


def int4_min_literal(tree: exp.Expression) -> exp.Expression:
    """-2147483648 is one int4 constant in PostgreSQL; DuckDB negates the BIGINT 2147483648."""
    def make(node):
        v = _int_literal(node.this)
        if v == 2**31:
            return _cast(exp.Literal.number(-(2**31)), "INTEGER")
        if v == 2**63:
            return _cast(exp.Literal.number(-(2**63)), "BIGINT")
        return node
    return _replace_all(tree, list(tree.find_all(exp.Neg)), make)


_ARITH = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.IntDiv)


def int_literal_operands_are_int4(tree: exp.Expression) -> exp.Expression:
    """An integer constant is int4 in PostgreSQL, so int2 + 1 is int4; DuckDB's integer literal
    takes the other operand's type (SMALLINT). Type integer literals next to a non-literal."""
    for node in list(tree.find_all(*_ARITH)):
        for side, other in (("this", node.expression), ("expression", node.this)):
            lit = node.args.get(side)
            v = _int_literal(lit)
            if v is None or not (_INT4_MIN <= v <= _INT4_MAX) or isinstance(other, exp.Literal):
                continue
            if isinstance(other, (exp.Interval, exp.Neg)) or (
                isinstance(other, exp.Cast) and other.to.this in (
                    exp.DataType.Type.INTERVAL, exp.DataType.Type.DATE, exp.DataType.Type.TIMESTAMP,
                    exp.DataType.Type.TIMESTAMPTZ, exp.DataType.Type.TIME)):
                continue
            lit.replace(_cast(lit.copy(), "INTEGER"))
    return tree


def _pg_bool(text: str) -> bool | None:
    """PostgreSQL's boolin: prefixes of true/false/yes/no, 'on'/'of(f)', '1'/'0'."""
    t = text.strip().lower()
    if not t:
        return None
    if t in ("1", "0"):
        return t == "1"
    if len(t) >= 2 and "off".startswith(t):
        return False
    if t == "on":
        return True
    if "true".startswith(t) or "yes".startswith(t):
        return True
    if "false".startswith(t) or "no".startswith(t):
        return False
    return None


def _pg_bytea(text: str) -> bytes | None:
    """PostgreSQL's byteain: '\\x…' hex format, else escape format (\\\\ and \\ooo)."""
    if text.startswith("\\x"):
        h = "".join(text[2:].split())
        try:
            return bytes.fromhex(h)
        except ValueError:
            return None
    out = bytearray()
    i = 0
    while i < len(text):
        c = text[i]
        if c != "\\":
            out += c.encode()
            i += 1
        elif text[i + 1 : i + 2] == "\\":
            out.append(0x5C)
            i += 2
        elif re.fullmatch(r"[0-3][0-7][0-7]", text[i + 1 : i + 4] or ""):
            out.append(int(text[i + 1 : i + 4], 8))
            i += 4
        else:
            return None
    return bytes(out)


def _pg_array_items(text: str) -> list[str | None] | None:
    """The elements of a one-dimensional PostgreSQL array literal '{a,"b c",NULL}'."""
    t = text.strip()
    if not (t.startswith("{") and t.endswith("}")):
        return None
    body = t[1:-1]
    items: list[str | None] = []
    if not body.strip():
        return items
    i, n = 0, len(body)
    while i <= n:
        while i < n and body[i].isspace():
            i += 1
        if i < n and body[i] == '"':
            i += 1
            buf = []
            while i < n and body[i] != '"':
                if body[i] == "\\" and i + 1 < n:
                    i += 1
                buf.append(body[i])
                i += 1
            if i >= n:
                return None
            i += 1
            item: str | None = "".join(buf)
            while i < n and body[i].isspace():
                i += 1
        else:
            j = i
            buf = []
            while j < n and body[j] != ",":
                if body[j] in '{}"':
                    return None  # nested or malformed: leave it to DuckDB
                if body[j] == "\\" and j + 1 < n:
                    j += 1
                buf.append(body[j])
                j += 1
            raw = "".join(buf).strip()
            item = None if raw.upper() == "NULL" else raw
            i = j
        items.append(item)
        if i < n and body[i] != ",":
            return None
        i += 1
    return items


def pg_literal_input(tree: exp.Expression) -> exp.Expression:
    """'off'::bool, '\\\\'::bytea, '-1 day +2 hours'::interval, '{1,2}'::int[]: PostgreSQL's
    input syntax for these types, which DuckDB's casts reject, is converted here."""
    T = exp.DataType.Type

    def make(node: exp.Cast):
        lit, to = node.this, node.to
        if not (isinstance(lit, exp.Literal) and lit.is_string) or not isinstance(to, exp.DataType):
            return node
        text = lit.this
        if to.this == T.BOOLEAN:
            b = _pg_bool(text)
            return node if b is None else exp.Boolean(this=b)
        if to.this in (T.VARBINARY, T.BINARY, T.BLOB):
            data = _pg_bytea(text)
            if data is None:
                return node
            esc = "".join(f"\\x{c:02X}" for c in data)
            return _cast(exp.Literal.string(esc), "BLOB")
        if to.this == T.INTERVAL and "+" in text:
            fixed = re.sub(r"\+(?=\s*\d)", "", text)
            return exp.Cast(this=exp.Literal.string(fixed), to=to.copy())
        if to.this == T.ARRAY and to.expressions:
            items = _pg_array_items(text)
            if items is None:
                return node
            elem = to.expressions[0]
            if not items:
                return exp.Cast(this=exp.Array(expressions=[]), to=to.copy())
            vals = [exp.Cast(this=exp.Null() if v is None else exp.Literal.string(v), to=elem.copy())
                    for v in items]
            return make_array(vals)
        return node

    def make_array(vals):
        arr = exp.Array(expressions=vals)
        for v in vals:
            m = make(v)
            if m is not v:
                v.replace(m)
        return arr

    return _replace_all(tree, list(tree.find_all(exp.Cast)), make)


# --------------------------------------------------------------------------- result types


def sum_types(tree: exp.Expression) -> exp.Expression:
    """sum(int2|int4) is int8 in PostgreSQL (DuckDB: HUGEINT, reported numeric). The compat
    macro pg_sum(sum, arg) picks the result type from the argument's type at bind time."""
    sums = list(tree.find_all(exp.Sum))
    for agg in sums:
        top = _agg_frame(agg)
        arg = _agg_arg(agg)
        if arg is None:
            continue
        new = _fn("pg_sum", top.copy(), arg.copy())
        if top is tree:
            tree = new
        else:
            top.replace(new)
    return tree


def avg_numeric(tree: exp.Expression) -> exp.Expression:
    """avg(integer) is numeric in PostgreSQL (DuckDB: DOUBLE). pg_avg(avg, sum, count, arg)
    divides exactly (16 decimals) for integer arguments and keeps avg for the others."""
    for agg in list(tree.find_all(exp.Avg)):
        arg = _agg_arg(agg)
        if arg is None:
            continue
        top = _agg_frame(agg)
        s = _reframe(top, agg, exp.Sum(this=agg.this.copy()))
        c = _reframe(top, agg, exp.Count(this=agg.this.copy()))
        new = _fn("pg_avg", top.copy(), s, c, arg.copy())
        if top is tree:
            tree = new
        else:
            top.replace(new)
    return tree


def int4_results(tree: exp.Expression) -> exp.Expression:
    """length, strpos/position, array_length, cardinality, array_upper/lower and ntile are
    int4 in PostgreSQL; DuckDB returns BIGINT."""
    def make(node):
        if isinstance(node, exp.Anonymous):
            name = node.name.lower()
            if name == "cardinality" and len(node.expressions) == 1:
                return _cast(_fn("len", node.expressions[0].copy()), "INTEGER")
            if name == "array_upper" and len(node.expressions) == 2:
                return _cast(_fn("array_length", *[e.copy() for e in node.expressions]), "INTEGER")
            if name == "array_lower" and len(node.expressions) == 2:
                a = node.expressions[0].copy()
                return exp.Case(ifs=[exp.If(this=exp.GT(this=_fn("len", a), expression=exp.Literal.number(0)),
                                            true=_cast(exp.Literal.number(1), "INTEGER"))],
                                default=_cast(exp.Null(), "INTEGER"))
            if name == "octet_length" and len(node.expressions) == 1:
                return _cast(_fn("pg_octet_length", node.expressions[0].copy()), "INTEGER")
            return node
        if isinstance(node, exp.Window):
            if isinstance(node.this, exp.Ntile):
                return _cast(node.copy(), "INTEGER")
            return node
        if isinstance(node, exp.Length):  # length(bytea) is its octet count
            return _cast(_fn("pg_length", node.this.copy()), "INTEGER")
        return _cast(node.copy(), "INTEGER")
    nodes = [n for n in tree.find_all(exp.Length, exp.StrPosition, exp.ArraySize, exp.Anonymous, exp.Window)]
    return _replace_all(tree, nodes, make)


def subtraction_types(tree: exp.Expression) -> exp.Expression:
    """date - date is int4 and time - time an interval in PostgreSQL (DuckDB: BIGINT; no
    TIME - TIME). pg_minus picks by argument types at bind time and is a - b otherwise."""
    def skip(e):
        return isinstance(e, (exp.Literal, exp.Interval, exp.Neg)) or (
            isinstance(e, exp.Cast) and isinstance(e.this, exp.Literal) and not e.this.is_string)
    def make(node: exp.Sub):
        if skip(node.this) or skip(node.expression):
            return node
        return _fn("pg_minus", node.this.copy(), node.expression.copy())
    subs = list(tree.find_all(exp.Sub))
    subs.reverse()  # innermost first
    return _replace_all(tree, subs, make)


_EXTRACT_SCALE = {"SECOND": 6, "SECONDS": 6, "MILLISECOND": 3, "MILLISECONDS": 3, "EPOCH": 6,
                  "MICROSECOND": 0, "MICROSECONDS": 0}


def extract_numeric(tree: exp.Expression) -> exp.Expression:
    """extract() is numeric in PostgreSQL 15 (DuckDB: BIGINT, seconds without the fraction).
    Seconds and milliseconds keep their fraction; epoch goes through pg_extract_epoch."""
    def make(node: exp.Extract):
        part = node.this.name.upper() if isinstance(node.this, (exp.Var, exp.Identifier, exp.Literal)) else ""
        src = node.expression.copy()
        if part in ("SECOND", "SECONDS"):
            us = exp.Extract(this=exp.var("MICROSECONDS"), expression=src)
            return _cast(exp.Mul(this=_cast(us, "DECIMAL(18,0)"),
                                 expression=_cast(exp.Literal.string("0.000001"), "DECIMAL(7,6)")), "DECIMAL(38,6)")
        if part in ("MILLISECOND", "MILLISECONDS"):
            us = exp.Extract(this=exp.var("MICROSECONDS"), expression=src)
            return _cast(exp.Mul(this=_cast(us, "DECIMAL(18,0)"),
                                 expression=_cast(exp.Literal.string("0.001"), "DECIMAL(4,3)")), "DECIMAL(38,3)")
        if part == "EPOCH":
            return _fn("pg_extract_epoch", src)
        if not part:
            return node
        return _cast(node.copy(), "DECIMAL(38,0)")
    return _replace_all(tree, list(tree.find_all(exp.Extract)), make)


def round_float_half_even(tree: exp.Expression) -> exp.Expression:
    """round(float8) rounds half to even in PostgreSQL (rint); DuckDB rounds half away from
    zero. pg_round picks round_even for DOUBLE at bind time."""
    def make(node: exp.Round):
        if node.args.get("decimals") is not None:
            return node
        return _fn("pg_round", node.this.copy())
    return _replace_all(tree, list(tree.find_all(exp.Round)), make)


# --------------------------------------------------------------------------- operators


def like_backslash_escape(tree: exp.Expression) -> exp.Expression:
    """LIKE's default escape character is backslash in PostgreSQL; DuckDB has none."""
    def make(node):
        if isinstance(node.parent, exp.Escape):
            return node
        return exp.Escape(this=node.copy(), expression=exp.Literal.string("\\"))
    return _replace_all(tree, list(tree.find_all(exp.Like, exp.ILike)), make)


def to_hex_lowercase(tree: exp.Expression) -> exp.Expression:
    """to_hex() is lower case in PostgreSQL; DuckDB's hex() upper case."""
    def make(node: exp.Hex):
        return exp.Lower(this=exp.Hex(this=node.this.copy()))
    return _replace_all(tree, [n for n in tree.find_all(exp.Hex) if not isinstance(n.parent, exp.Lower)], make)


_RENAMES = {
    "every": "bool_and",
    "quote_ident": "pg_quote_ident",
    "encode": "pg_encode",
    "jsonb_typeof": "pg_json_typeof",
    "json_typeof": "pg_json_typeof",
    "justify_hours": "pg_justify_hours",
}


def missing_functions(tree: exp.Expression) -> exp.Expression:
    """PostgreSQL functions DuckDB lacks or names differently, mapped to DuckDB built-ins or
    to compat macros (sql/pg_catalog.py)."""
    def make(node: exp.Anonymous):
        name = node.name.lower()
        args = [e.copy() for e in node.expressions]
        if name in _RENAMES:
            return _fn(_RENAMES[name], *args)
        if name in ("jsonb_array_length", "json_array_length") and len(args) == 1:
            return _cast(_fn("json_array_length", *args), "INTEGER")
        return node
    tree = _replace_all(tree, list(tree.find_all(exp.Anonymous)), make)
    # sqlglot parses encode/decode itself (as charset conversions)
    def make_codec(node):
        fn = "pg_encode" if isinstance(node, exp.Encode) else "pg_decode"
        cs = node.args.get("charset")
        return node if cs is None else _fn(fn, node.this.copy(), cs.copy())
    tree = _replace_all(tree, list(tree.find_all(exp.Encode, exp.Decode)), make_codec)
    # sqlglot parses json_array_length itself
    for node in list(tree.find_all(exp.JSONArrayLength)) if hasattr(exp, "JSONArrayLength") else []:
        if not isinstance(node.parent, exp.Cast):
            node.replace(_cast(node.copy(), "INTEGER"))
    return tree


def _json_pointer(path: exp.Expression) -> exp.Expression | None:
    """'{a,b,0}' → '/a/b/0' (a JSON pointer: DuckDB reads digits as array indexes)."""
    if not (isinstance(path, exp.Literal) and path.is_string):
        return None
    items = _pg_array_items(path.this)
    if items is None or any(i is None for i in items):
        return None
    return exp.Literal.string("".join("/" + i.replace("~", "~0").replace("/", "~1") for i in items))


def jsonb_operators(tree: exp.Expression) -> exp.Expression:
    """#>> / #> with a constant path, ? and @> on json: PostgreSQL operators DuckDB spells as
    functions."""
    def make(node):
        if isinstance(node, (exp.JSONBExtractScalar, exp.JSONBExtract)):
            ptr = _json_pointer(node.expression)
            if ptr is None:
                return node
            fn = "json_extract_string" if isinstance(node, exp.JSONBExtractScalar) else "json_extract"
            return _fn(fn, node.this.copy(), ptr)
        if isinstance(node, exp.JSONBContainsTopKey):
            return _fn("pg_jsonb_has_key", node.this.copy(), node.expression.copy())
        if isinstance(node, (exp.JSONBContains, exp.ArrayContainsAll)):
            # @> is containment on jsonb and on arrays: pg_contains picks by type at bind time
            return _fn("pg_contains", node.this.copy(), node.expression.copy())
        return node
    nodes = list(tree.find_all(exp.JSONBExtractScalar, exp.JSONBExtract, exp.JSONBContainsTopKey,
                               exp.JSONBContains, exp.ArrayContainsAll))
    nodes.reverse()
    return _replace_all(tree, nodes, make)


def json_arrow_in_call_args(tree: exp.Expression) -> exp.Expression:
    """PostgreSQL has no lambdas: f(doc -> 'k') is the json -> operator, which sqlglot parses
    as a lambda and DuckDB would read as one too. Make it a parenthesised -> again."""
    def make(node: exp.Lambda):
        params = node.expressions
        if len(params) != 1 or not isinstance(params[0], exp.Identifier):
            return node
        key = node.this
        if not isinstance(key, exp.Literal):
            return node
        return exp.Paren(this=exp.JSONExtract(this=exp.column(params[0].copy()), expression=key.copy()))
    return _replace_all(tree, list(tree.find_all(exp.Lambda)), make)


def date_trunc_of_date(tree: exp.Expression) -> exp.Expression:
    """date_trunc(text, date) is timestamptz in PostgreSQL (the date is cast to timestamptz);
    DuckDB gives TIMESTAMP. pg_date_trunc picks by the argument's type at bind time."""
    def make(node: exp.TimestampTrunc):
        unit = node.args.get("unit")
        if unit is None:
            return node
        return _fn("pg_date_trunc", exp.Literal.string(unit.name.lower()), node.this.copy())
    return _replace_all(tree, list(tree.find_all(exp.TimestampTrunc)), make)


def ascii_case_mapping(tree: exp.Expression) -> exp.Expression:
    """upper()/lower() change only ASCII letters under the server's C locale (lc_ctype = C);
    DuckDB's map all of Unicode."""
    def make(node):
        if isinstance(node.this, exp.Hex):
            return node
        return _fn("pg_upper" if isinstance(node, exp.Upper) else "pg_lower", node.this.copy())
    return _replace_all(tree, list(tree.find_all(exp.Upper, exp.Lower)), make)



# --------------------------------------------------------------------------- pg_catalog


def pg_catalog_relations(tree: exp.Expression) -> exp.Expression:
    """pg_catalog.pg_class → dataforge_compat.main.pg_class AS pg_class: PostgreSQL's catalog
    (sql/pg_catalog.py), not DuckDB's own pg_catalog views with DuckDB's OIDs. Columns
    qualified as pg_catalog.pg_class.relname keep working through the alias."""
    for table in list(tree.find_all(exp.Table)):
        db = table.args.get("db")
        if not (isinstance(db, exp.Identifier) and db.name.lower() == "pg_catalog") or table.args.get("catalog"):
            continue
        name = table.name.lower()
        if name not in pg_catalog.CATALOG_NAMES:
            continue
        table.set("catalog", exp.to_identifier(pg_catalog.COMPAT_DB))
        table.set("db", exp.to_identifier("main"))
        if not table.args.get("alias"):
            table.set("alias", exp.TableAlias(this=exp.to_identifier(name)))
    for col in tree.find_all(exp.Column):
        db = col.args.get("db")
        if isinstance(db, exp.Identifier) and db.name.lower() == "pg_catalog" and not col.args.get("catalog"):
            col.set("db", None)
    return tree


def public_schema_is_main(tree: exp.Expression) -> exp.Expression:
    """public.t → main.t: PostgreSQL's default schema is DuckDB's `main`."""
    for node in tree.find_all(exp.Table, exp.Column):
        db = node.args.get("db")
        if isinstance(db, exp.Identifier) and not db.quoted and db.name.lower() == "public" and (
            not node.args.get("catalog")
        ):
            node.set("db", exp.to_identifier("main"))
    return tree


# reg* type → (macro giving the OID, macro giving the name); None: a plain oid cast
_REG_CASTS = {
    "REGCLASS": ("pg_regclass", "pg_regclass_name"),
    "REGTYPE": ("pg_regtype", "pg_regtype_name"),
    "REGNAMESPACE": ("pg_regnamespace", "pg_regnamespace_name"),
    "REGROLE": ("pg_regrole", "pg_regrole_name"),
    "REGPROC": ("pg_regproc", "pg_regproc"),
    "REGPROCEDURE": ("pg_regproc", "pg_regproc"),
}
_TEXTUAL = {exp.DataType.Type.TEXT, exp.DataType.Type.VARCHAR, exp.DataType.Type.NAME,
            exp.DataType.Type.CHAR}


def _is_projection(node: exp.Expression) -> bool:
    parent = node.parent
    if isinstance(parent, exp.Alias):
        node, parent = parent, parent.parent
    return isinstance(parent, exp.Select) and node in parent.expressions


def reg_casts(tree: exp.Expression) -> exp.Expression:
    """'t'::regclass, oid::regtype::text, 'int4'::regtype, x::oid: PostgreSQL's OID alias
    types. A cast to one looks the name up (pg_regclass('t') → the table's OID, an error if
    there is none); a cast of it to text, or a bare one in the select list, gives the name
    (format_type for regtype); oid and the other reg* types are unsigned 32-bit integers."""
    def kind(node) -> str | None:
        if isinstance(node, exp.Cast) and isinstance(node.to, exp.ObjectIdentifier):
            return str(node.to.this).upper()
        return None

    def make(node: exp.Cast):
        k = kind(node)
        if k is None:  # ::text of a reg* cast
            inner = node.this
            k = kind(inner)
            if k not in _REG_CASTS or node.to.this not in _TEXTUAL:
                return node
            return _fn(_REG_CASTS[k][1], inner.this.copy())
        if k in _REG_CASTS:
            oid_fn, name_fn = _REG_CASTS[k]
            return _fn(name_fn if _is_projection(node) else oid_fn, node.this.copy())
        return _cast(node.this.copy(), "UINTEGER")

    casts = [c for c in tree.find_all(exp.Cast) if kind(c) or kind(c.this)]
    casts.reverse()  # outer text casts first: they consume their inner reg* cast
    out = tree
    for node in casts:
        if node.parent is None and node is not out:
            continue  # consumed by an outer cast
        if kind(node) and isinstance(node.parent, exp.Cast) and node.parent.to.this in _TEXTUAL and (
            kind(node) in _REG_CASTS
        ):
            continue  # done by the outer cast
        new = make(node)
        if new is node:
            continue
        if node is out:
            out = new
        else:
            node.replace(new)
    return out


# PostgreSQL types DuckDB has no name for, as DuckDB types
_PG_ONLY_TYPES = {"char": "VARCHAR", "int2vector": "SMALLINT[]", "oidvector": "UINTEGER[]",
                  "xid": "UINTEGER", "cid": "UINTEGER", "xid8": "UBIGINT", "regproc": "VARCHAR"}


def pg_only_type_names(tree: exp.Expression) -> exp.Expression:
    """x::name, x::"char", x::int2vector, x::_int4: PostgreSQL type names DuckDB lacks."""
    T = exp.DataType.Type

    def make(node: exp.DataType):
        if isinstance(node, exp.ObjectIdentifier):
            return node
        if node.this == T.ARRAY and node.expressions and isinstance(node.expressions[0], exp.ObjectIdentifier):
            return exp.DataType.build("UINTEGER[]", dialect="duckdb")  # oid[], regtype[]…
        if node.this == T.NAME:
            return exp.DataType.build("VARCHAR")
        if node.this == T.USERDEFINED:
            name = node.args.get("kind")
            name = name.name if isinstance(name, exp.Expression) else str(name or "")
            low = name.lower()
            if low in _PG_ONLY_TYPES:
                return exp.DataType.build(_PG_ONLY_TYPES[low], dialect="duckdb")
            if low.startswith("_") and len(low) > 1:
                try:
                    elem = exp.DataType.build(low[1:], dialect="postgres")
                except SqlglotError:
                    return node
                if elem.this != T.USERDEFINED:
                    return exp.DataType(this=T.ARRAY, expressions=[elem], nested=True)
        return node
    return _replace_all(tree, list(tree.find_all(exp.DataType)), make)


def catalog_functions(tree: exp.Expression) -> exp.Expression:
    """current_schema() is 'public' (DuckDB: main); current_schemas(bool);
    json_build_object(k, v, …) is DuckDB's json_object."""
    def make(node):
        if isinstance(node, exp.CurrentSchema):
            return _fn("pg_current_schema")
        if isinstance(node, exp.CurrentSchemas):
            arg = node.this.copy() if node.this is not None else exp.true()
            return _fn("pg_current_schemas", arg)
        if isinstance(node, exp.Anonymous) and node.name.lower() in ("json_build_object", "jsonb_build_object"):
            return _fn("json_object", *[e.copy() for e in node.expressions])
        return node
    return _replace_all(tree, list(tree.find_all(exp.CurrentSchema, exp.CurrentSchemas, exp.Anonymous)), make)


def no_cross_database_references(tree: exp.Expression) -> exp.Expression:
    """db.schema.table: PostgreSQL refuses references to another database (0A000), and a
    client must not reach DuckDB catalogs other than the gateway's own."""
    for t in tree.find_all(exp.Table):
        if t.catalog:
            raise PgError("0A000", f"cross-database references are not implemented: {t.sql('postgres')}")
    return tree


TRANSFORMS: list[Callable[[exp.Expression], exp.Expression]] = [
    no_cross_database_references,
    unqualify_pg_catalog_functions,
    pg_catalog_relations,
    public_schema_is_main,
    values_column_names,
    null_projection_is_text,
    pg_column_names,
    reg_casts,
    pg_only_type_names,
    catalog_functions,
    division_by_zero_errors,
    current_setting_to_macro,
    version_to_macro,
    int4_min_literal,
    int_literal_operands_are_int4,
    pg_literal_input,
    sum_types,
    avg_numeric,
    int4_results,
    subtraction_types,
    extract_numeric,
    round_float_half_even,
    like_backslash_escape,
    to_hex_lowercase,
    missing_functions,
    jsonb_operators,
    json_arrow_in_call_args,
    date_trunc_of_date,
    ascii_case_mapping,
]


def to_duckdb(tree: exp.Expression) -> Rewritten:
    t = tree.copy()
    for fn in TRANSFORMS:
        t = fn(t)
    try:
        sql = _one_per_table(t) or t.sql("duckdb")
    except SqlglotError as e:
        raise PgError("0A000", f"statement cannot be translated for DuckDB: {e}") from None
    return Rewritten(t, sql)


def _one_per_table(t: exp.Expression) -> str | None:
    """DROP TABLE a, b / TRUNCATE a, b (pgbench -i sends both): DuckDB takes one table per
    statement, so run one statement per table (in order, in the same transaction)."""
    if isinstance(t, exp.Drop):
        tables = t.args.get("tables") or []
        if len(tables) < 2:
            return None
        out = []
        for tbl in tables:
            one = t.copy()
            one.set("tables", [tbl.copy()])
            out.append(one.sql("duckdb"))
        return "; ".join(out)
    if isinstance(t, exp.TruncateTable) and len(t.expressions) > 1:
        return "; ".join(f"TRUNCATE TABLE {tbl.sql('duckdb')}" for tbl in t.expressions)
    return None
