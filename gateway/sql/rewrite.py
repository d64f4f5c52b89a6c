"""PostgreSQL → DuckDB transforms on the sqlglot tree.

Each transform is a small named function `(tree) -> tree`, listed in TRANSFORMS in the order
they run; the tree is then generated as DuckDB SQL.
"""

from __future__ import annotations

import json
import logging
import re
from decimal import Decimal, InvalidOperation
from dataclasses import dataclass
from typing import Callable

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from ..engine import rebuild
from ..errors import PgError
from ..protocol.jsonb import JsonbError, canonical_jsonb_text
from ..protocol import types as pg_types
from . import numeric_format, numeric_storage, pg_catalog

logging.getLogger("sqlglot").setLevel(logging.ERROR)


@dataclass(slots=True)
class Rewritten:
    tree: exp.Expression
    sql: str


def unqualify_pg_catalog_functions(tree: exp.Expression) -> exp.Expression:
    """pg_catalog.version() → version(), information_schema._pg_expandarray(…) → _pg_expandarray(…):
    PostgreSQL's built-in functions live in those schemas, ours in the compatibility catalog on
    the search path."""
    for dot in reversed(list(tree.find_all(exp.Dot))):  # inner calls first: outer ones copy them
        if isinstance(dot.this, exp.Identifier) and dot.this.name.lower() in (
                "pg_catalog", "information_schema") and isinstance(
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
    exp.ExplodingGenerateSeries: "generate_series", exp.UnixToTime: "to_timestamp",
    exp.RegexpReplace: "regexp_replace",
    exp.CurrentVersion: "version",
    exp.ArraySize: "array_length", exp.LogicalAnd: "bool_and", exp.LogicalOr: "bool_or",
    exp.TimestampTrunc: "date_trunc", exp.DateTrunc: "date_trunc", exp.TimestampFromParts: "make_timestamp",
    exp.StrPosition: "position", exp.JSONArrayAgg: "json_agg", exp.ArrayPosition: "array_position",
    exp.StrToDate: "to_date", exp.TimeToStr: "to_char", exp.Rand: "random", exp.ArrayConcat: "array_cat",
    exp.Uuid: "gen_random_uuid", exp.Corr: "corr", exp.AtTimeZone: "timezone", exp.Interval: "interval",
    exp.JSONBObjectAgg: "jsonb_object_agg", exp.JSONObjectAgg: "json_object_agg",
    exp.BitwiseAndAgg: "bit_and", exp.BitwiseOrAgg: "bit_or", exp.BitwiseXorAgg: "bit_xor",
    exp.Overlay: "overlay", exp.TimeFromParts: "make_time", exp.Overlaps: "overlaps",
    exp.Hex: "to_hex",
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
        if inner and inner != "?column?" and not isinstance(base, (exp.Literal, exp.Null)):
            return inner  # a function's name (and ARRAY[…]'s "array") outranks the cast's type name
        to = e.args.get("to")
        if isinstance(to, exp.ObjectIdentifier):  # regclass, oid, …
            return str(to.this).lower()
        if isinstance(to, exp.DataType):
            if to.this == exp.DataType.Type.ARRAY or to.expressions and to.is_type("array"):
                elem = to.expressions[0] if to.expressions else None  # 'int4', as PostgreSQL
                while isinstance(elem, exp.DataType) and elem.this == exp.DataType.Type.ARRAY and elem.expressions:
                    elem = elem.expressions[0]
                if isinstance(elem, exp.ObjectIdentifier):  # oid[], regtype[]…
                    return str(elem.this).lower()
                if isinstance(elem, exp.DataType) and elem.this == exp.DataType.Type.USERDEFINED \
                        and elem.args.get("kind") is not None:  # x::mood[]: the type's name
                    return elem.args["kind"].name.lower()
                if isinstance(elem, exp.DataType) and isinstance(elem.this, exp.DataType.Type):
                    return _CAST_NAMES.get(elem.this.name, elem.this.name.lower())
                return "?column?"
            if to.this == exp.DataType.Type.USERDEFINED and to.args.get("kind") is not None:
                return to.args["kind"].name.lower()  # x::mood (an enum): named after the type
            return _CAST_NAMES.get(to.this.name, to.this.name.lower())
        return "?column?"
    if isinstance(e, exp.Paren):
        return _pg_colname(e.this)
    if isinstance(e, (exp.Window, exp.Filter, exp.WithinGroup)):
        return _pg_colname(e.this)  # f(…) OVER (…), f(…) FILTER (…): the function's name
    if isinstance(e, exp.Pad):
        return "lpad" if e.args.get("is_left") else "rpad"
    if isinstance(e, exp.Trim):  # ltrim(s, x) and trim(leading x from s) are both "ltrim"
        return {"LEADING": "ltrim", "TRAILING": "rtrim"}.get(str(e.args.get("position") or "").upper(), "btrim")
    if isinstance(e, exp.SHA2Digest):  # sha224() … sha512()
        n = e.args.get("length")
        return f"sha{n.this if isinstance(n, exp.Literal) else 256}"
    if isinstance(e, exp.Bracket):  # a subscript: named after what it subscripts
        inner = e.this.this if isinstance(e.this, exp.Paren) else e.this
        return inner.name if isinstance(inner, exp.Column) else _pg_colname(inner)
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
                typed = exp.cast(exp.Null(), exp.DataType.build("text"))
                # unaliased, it is still PostgreSQL's "?column?", not the cast's "text"
                target.replace(typed if target is not e else exp.alias_(typed, exp.to_identifier("?column?", quoted=True)))
    return tree


def set_operation_literals_take_cast_type(tree: exp.Expression) -> exp.Expression:
    """SELECT NULL::date UNION ALL SELECT '2024-01-01': PostgreSQL gives a quoted literal in one
    branch the type the other branches agree on (date here); DuckDB unites DATE and VARCHAR
    as VARCHAR. Where every other branch's item is a cast to one type, the literal is cast to it."""
    for op in list(tree.find_all(exp.SetOperation)):
        if isinstance(op.parent, exp.SetOperation):
            continue  # the outermost of a chain does the whole chain

        def branches(node):
            while isinstance(node, exp.Subquery):
                node = node.this
            if isinstance(node, exp.SetOperation):
                left, right = branches(node.this), branches(node.expression)
                return None if left is None or right is None else left + right
            return [node] if isinstance(node, exp.Select) else None

        selects = branches(op)
        if not selects or any(any(isinstance(e, exp.Star) for e in s.expressions) for s in selects):
            continue
        width = len(selects[0].expressions)
        if any(len(s.expressions) != width for s in selects):
            continue
        for k in range(width):
            items = [s.expressions[k] for s in selects]
            inner = [e.this if isinstance(e, exp.Alias) else e for e in items]
            literals = [e for e in inner if isinstance(e, exp.Literal) and e.is_string]
            others = [e for e in inner if not (isinstance(e, exp.Literal) and e.is_string) and not isinstance(e, exp.Null)]
            if not literals or not others or not all(isinstance(e, exp.Cast) for e in others):
                continue
            types = {e.to.sql("postgres") for e in others}
            if len(types) != 1:
                continue
            for lit in literals:
                typed = exp.Cast(this=lit.copy(), to=others[0].to.copy())
                if lit is items[0]:  # unaliased in the first branch: still PostgreSQL's "?column?"
                    typed = exp.alias_(typed, exp.to_identifier("?column?", quoted=True))
                lit.replace(typed)
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


_DATETIME_TYPES = (exp.DataType.Type.DATE, exp.DataType.Type.TIMESTAMP, exp.DataType.Type.TIMESTAMPTZ)


def _special_datetime(text: str, to: exp.DataType) -> exp.Expression | None:
    """'today', 'tomorrow', 'yesterday', 'now', 'epoch' as date/timestamp input (DuckDB reads
    only 'epoch' and the infinities): the value PostgreSQL's input function gives them."""
    if to.this not in _DATETIME_TYPES:
        return None
    word = text.strip().lower()
    if word == "epoch":
        value: exp.Expression = exp.Literal.string("1970-01-01 00:00:00+00" if to.this == exp.DataType.Type.TIMESTAMPTZ
                                                   else "1970-01-01")
    elif word == "now":
        value = exp.CurrentTimestamp()
    elif word in ("today", "tomorrow", "yesterday"):
        # midnight of the session's TimeZone: date_trunc of the local time
        value = _fn("date_trunc", exp.Literal.string("day"), exp.CurrentTimestamp())
        shift = {"today": 0, "tomorrow": 1, "yesterday": -1}[word]
        if shift:
            value = exp.Add(this=value, expression=exp.Interval(this=exp.Literal.string(f"{shift} day")))
    else:
        return None
    return exp.Cast(this=value, to=to.copy())


def _nested_array_literal(text: str, to: exp.DataType) -> exp.Expression:
    """'{{1,2},{3,4}}'::int[][] as nested ARRAY[…] of element casts (DuckDB's cast cannot read it)."""
    try:
        values = pg_types._parse_array(text, 25)
    except pg_types.ParamError as e:
        raise PgError(e.sqlstate, str(e)) from None
    elem = to
    while elem.this == exp.DataType.Type.ARRAY and elem.expressions:
        elem = elem.expressions[0]

    def build(v):
        if isinstance(v, list):
            return exp.Array(expressions=[build(x) for x in v])
        return exp.Cast(this=exp.Null() if v is None else exp.Literal.string(v), to=elem.copy())
    # the value's dimensions decide DuckDB's nesting, whatever the [] of the cast say
    target, v = elem.copy(), values
    while isinstance(v, list):
        target = exp.DataType(this=exp.DataType.Type.ARRAY, expressions=[target], nested=True)
        v = v[0] if v else None
    return exp.Cast(this=build(values), to=target)


_PG_INT_NAMES = {exp.DataType.Type.SMALLINT: "smallint", exp.DataType.Type.INT: "integer",
                 exp.DataType.Type.BIGINT: "bigint"}
def _float_out_of_range(text: str) -> bool:
    """'1e1000' / '1e-400': PostgreSQL's float8in refuses what overflows to infinity or
    underflows to zero (DuckDB reads them as Infinity and 0)."""
    t = text.strip().lower()
    try:
        v = float(t)
    except ValueError:
        return False
    if v in (float("inf"), float("-inf")):
        return t.lstrip("+-") not in ("inf", "infinity")
    return v == 0.0 and bool(re.search(r"[1-9]", t.split("e")[0]))


_PG_UUID_TEXT = re.compile(r"\{(?:[0-9a-fA-F]{4}-?){7}[0-9a-fA-F]{4}\}|(?:[0-9a-fA-F]{4}-?){7}[0-9a-fA-F]{4}")
_PG_INT_TEXT = re.compile(r"\s*[+-]?\d+\s*")  # PostgreSQL 15: no 0x…, no 1_000


def pg_literal_input(tree: exp.Expression) -> exp.Expression:
    """'off'::bool, '\\\\'::bytea, '-1 day +2 hours'::interval, '{1,2}'::int[]: PostgreSQL's
    input syntax for these types, which DuckDB's casts reject, is converted here."""
    T = exp.DataType.Type

    def make(node: exp.Cast):
        lit, to = node.this, node.to
        while isinstance(lit, exp.Paren):  # ('{1,2}')::int[]: Django's UNNEST bulk insert
            lit = lit.this
        if isinstance(lit, exp.ByteString) and isinstance(to, exp.DataType):
            # E'\\000'::bytea, E'{"{\\"i\\": 0}"}'::jsonb[] (psycopg's client-side binding):
            # the E-string's text, escapes read
            lit = exp.Literal.string(lit.this)
        if not (isinstance(lit, exp.Literal) and lit.is_string) or not isinstance(to, exp.DataType):
            return node
        text = lit.this
        special = _special_datetime(text, to)
        if special is not None:
            return special
        if to.this in _PG_INT_NAMES and not _PG_INT_TEXT.fullmatch(text):
            # DuckDB rounds '1.5' to 2 and reads '1e3'; PostgreSQL's int input takes digits only
            raise PgError("22P02", f'invalid input syntax for type {_PG_INT_NAMES[to.this]}: "{text}"')
        if to.this in (T.DOUBLE, T.FLOAT) and _float_out_of_range(text):
            what = "double precision" if to.this == T.DOUBLE else "real"
            raise PgError("22003", f'"{text.strip()}" is out of range for type {what}')
        if to.this == T.UUID and not _PG_UUID_TEXT.fullmatch(text):
            raise PgError("22P02", f'invalid input syntax for type uuid: "{text}"')
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
            if items is None and text.lstrip().startswith("{{"):  # int[] and int[][] are one type
                return _nested_array_literal(text, to)
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
        if arg is None or arg.find(exp.AggFunc) is not None:
            continue  # sum(sum(x)) OVER (): the inner sum is bigint/numeric, the outer numeric
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
            if name == "array_upper" and len(node.expressions) == 2:  # NULL for an empty array
                return _cast(exp.Nullif(this=_fn("array_length", *[e.copy() for e in node.expressions]),
                                        expression=exp.Literal.number(0)), "INTEGER")
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
        if isinstance(node, exp.ArraySize):  # array_length('{}', 1) is NULL, not 0
            return _cast(exp.Nullif(this=node.copy(), expression=exp.Literal.number(0)), "INTEGER")
        return _cast(node.copy(), "INTEGER")
    # a CHECK constraint keeps DuckDB's own functions: DuckDB binds it without the column's
    # type, so pg_length's VARCHAR/BLOB overloads are ambiguous there (and the result type
    # of an expression inside a CHECK is never seen by a client)
    nodes = [n for n in tree.find_all(exp.Length, exp.StrPosition, exp.ArraySize, exp.Anonymous, exp.Window)
             if not n.find_ancestor(exp.CheckColumnConstraint)]
    tree = _replace_all(tree, nodes, make)
    in_checks = [n for n in tree.find_all(exp.ArraySize) if n.find_ancestor(exp.CheckColumnConstraint)]
    return _replace_all(tree, in_checks, lambda n: exp.Nullif(this=n.copy(), expression=exp.Literal.number(0)))


def subtraction_types(tree: exp.Expression) -> exp.Expression:
    """date - date is int4 and time - time an interval in PostgreSQL (DuckDB: BIGINT; no
    TIME - TIME). pg_minus picks by argument types at bind time and is a - b otherwise."""
    def skip(e):
        return isinstance(e, (exp.Literal, exp.Interval, exp.Neg)) or (
            isinstance(e, exp.Cast) and isinstance(e.this, exp.Literal) and not e.this.is_string) or (
            isinstance(e, exp.Cast) and isinstance(e.to, exp.DataType)
            and e.to.this == exp.DataType.Type.INTERVAL)  # x - interval '1 day': never date - date
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


def like_any_all(tree: exp.Expression) -> exp.Expression:
    """x [I]LIKE ANY|ALL (ARRAY[…]) (and NOT …): DuckDB has no LIKE with a quantified array;
    each pattern is matched in a lambda and the results or'ed (ANY) or and'ed (ALL)."""
    for node in list(tree.find_all(exp.Like, exp.ILike)):
        q = node.expression
        if not isinstance(q, (exp.Any, exp.All)):
            continue
        arr = q.this.this if isinstance(q.this, exp.Paren) else q.this
        if isinstance(arr, exp.Literal) and arr.is_string:  # LIKE ANY ('{a%,b%}'): a text[] literal
            items = _pg_array_items(arr.this)
            if items is not None:
                arr = exp.Array(expressions=[exp.Null() if i is None else exp.Literal.string(i) for i in items])
        p = exp.to_identifier("__pattern")
        match: exp.Expression = type(node)(this=node.this.copy(), expression=exp.column(p.copy()))
        match = exp.Escape(this=match, expression=exp.Literal.string("\\"))
        if node.args.get("negate"):
            match = exp.Not(this=match)
        each = _fn("list_transform", arr.copy(), exp.Lambda(this=match, expressions=[p]))
        node.replace(_fn("list_bool_or" if isinstance(q, exp.Any) else "list_bool_and", each))
    return tree


def any_array_in_join_condition(tree: exp.Expression) -> exp.Expression:
    """… LEFT JOIN pg_attribute a ON … AND a.attnum = ANY (c.conkey) (TypeORM's constraint
    query): DuckDB plans = ANY (list) as a subquery, which it cannot put in an outer join's
    condition; list_contains is the same test there. Not under NOT, where a list holding NULL
    would make PostgreSQL's NULL list_contains's false."""
    for join in tree.find_all(exp.Join):
        on = join.args.get("on")
        if on is None:
            continue
        for eq in list(on.find_all(exp.EQ)):
            q = eq.expression
            if not isinstance(q, exp.Any) or isinstance(q.this, (exp.Subquery, exp.Select, exp.Query)):
                continue
            under_not, up = False, eq.parent
            while up is not None and up is not join:
                under_not = under_not or isinstance(up, exp.Not)
                up = up.parent
            if under_not:
                continue
            arr = q.this.this if isinstance(q.this, exp.Paren) else q.this
            eq.replace(_fn("list_contains", arr.copy(), eq.this.copy()))
    return tree


def array_column_default_literal(tree: exp.Expression) -> exp.Expression:
    """CREATE TABLE t (n integer[] NOT NULL DEFAULT '{}', b boolean DEFAULT '1'): the quoted
    default is read as the column's type, as PostgreSQL does when it stores the default:
    DuckDB cannot cast '{}' text to a list (the cast goes through pg_literal_input like any
    '{…}'::int[]), and a boolean's '1' (Knex's defaultTo(true)) is shown as true."""
    for col in tree.find_all(exp.ColumnDef):
        kind = col.args.get("kind")
        if not (isinstance(kind, exp.DataType) and kind.this in (exp.DataType.Type.ARRAY, exp.DataType.Type.BOOLEAN)):
            continue
        for c in col.args.get("constraints") or []:
            d = c.args.get("kind")
            if isinstance(d, exp.DefaultColumnConstraint) and isinstance(d.this, exp.Literal) and d.this.is_string:
                if kind.this == exp.DataType.Type.ARRAY:
                    d.set("this", exp.Cast(this=d.this.copy(), to=kind.copy()))
                elif _pg_bool(d.this.this) is not None:
                    d.set("this", exp.Boolean(this=_pg_bool(d.this.this)))
    return tree


def _regex_literal(pattern: exp.Expression, flags: exp.Expression | None, fn: str) -> tuple[str, int]:
    """(DuckDB pattern, number of capture groups) of a constant PostgreSQL pattern and flags.
    The groups decide what PostgreSQL returns, so a pattern only known at run time is refused."""
    if not (isinstance(pattern, exp.Literal) and pattern.is_string) or (
            flags is not None and not (isinstance(flags, exp.Literal) and flags.is_string)):
        raise PgError("0A000", f"{fn} with a pattern or flags that are not constants is not supported",
                      hint="Write the pattern as a string constant.")
        # (their capture groups decide the result's shape; sqlglot sees the text only)
    flag_text = flags.this if flags is not None else ""
    if set(flag_text) - {"i", "c"}:
        raise PgError("0A000", f"{fn} flags other than i and c are not supported")
    try:
        groups = re.compile(pattern.this).groups
    except re.error:
        groups = len(re.findall(r"(?<!\\)\((?!\?)", pattern.this))
    last_case_flag = [f for f in flag_text if f in "ic"][-1:]  # the last of i / c wins
    return ("(?i)" if last_case_flag == ["i"] else "") + pattern.this, groups


def _regex_match_array(s: exp.Expression, regex: str, groups: int, as_rows: bool = False) -> exp.Expression:
    """PostgreSQL's regexp_match: NULL without a match, else text[] of the capture groups (of
    the whole match when there are none). as_rows: a list of that one array, or empty."""
    pat = exp.Literal.string(regex)
    items = exp.Array(expressions=[_fn("regexp_extract", s.copy(), pat.copy(), exp.Literal.number(g))
                                   for g in (range(1, groups + 1) if groups else [0])])
    return exp.Case(ifs=[exp.If(this=_fn("regexp_matches", s.copy(), pat.copy()),
                                true=exp.Array(expressions=[items]) if as_rows else items)],
                    default=exp.Array(expressions=[]) if as_rows else _cast(exp.Null(), "VARCHAR[]"))


def regexp_match_functions(tree: exp.Expression) -> exp.Expression:
    """regexp_match(s, re [, flags]) (DuckDB has none), regexp_matches(s, re [, flags]) without
    'g' (one row with the text[] of the match, or none; DuckDB's regexp_matches is a boolean
    test) and substring(s from re) / substring(s, re) (the first capture group, or the match;
    DuckDB reads the pattern as a start position)."""
    for node in list(tree.find_all(exp.Anonymous, exp.Substring)):
        if isinstance(node, exp.Substring):
            start = node.args.get("start")
            if node.args.get("length") is None and isinstance(start, exp.Literal) and start.is_string:
                regex, groups = _regex_literal(start, None, "substring(… from pattern)")
                pat = exp.Literal.string(regex)
                node.replace(exp.Case(
                    ifs=[exp.If(this=_fn("regexp_matches", node.this.copy(), pat.copy()),
                                true=_fn("regexp_extract", node.this.copy(), pat.copy(),
                                         exp.Literal.number(1 if groups else 0)))],
                    default=_cast(exp.Null(), "VARCHAR")))
            continue
        name = node.name.lower()
        args = node.expressions
        if name not in ("regexp_match", "regexp_matches") or len(args) not in (2, 3):
            continue
        flags = args[2] if len(args) == 3 else None
        if name == "regexp_matches" and isinstance(flags, exp.Literal) and "g" in flags.this:
            continue  # regexp_matches_global
        regex, groups = _regex_literal(args[1], flags, name)
        if name == "regexp_match":
            node.replace(_regex_match_array(args[0], regex, groups))
        else:  # a set-returning function: one row or none
            node.replace(exp.Explode(this=_regex_match_array(args[0], regex, groups, as_rows=True)))
    return tree


def row_constructor_fields(tree: exp.Expression) -> exp.Expression:
    """ROW(1, 'a') has fields f1, f2 … in PostgreSQL (row_to_json gives {"f1":1,"f2":"a"});
    DuckDB's row() makes a struct with empty field names ({"":"a"}: the names collide)."""
    def make(node: exp.Anonymous):
        if node.name.lower() != "row" or not node.expressions:
            return node
        return exp.Struct(expressions=[
            exp.PropertyEQ(this=exp.to_identifier(f"f{i}"), expression=e.copy())
            for i, e in enumerate(node.expressions, 1)])
    return _replace_all(tree, list(tree.find_all(exp.Anonymous)), make)


_TABLE_FUNCTION_CLASSES = (exp.ExplodingGenerateSeries, exp.GenerateSeries, exp.Unnest, exp.Explode, exp.ReadCSV)


def scalar_function_in_from(tree: exp.Expression) -> exp.Expression:
    """SELECT * FROM upper($1) AS result: PostgreSQL treats a scalar function in FROM as a one-row
    table whose column is named after the alias (pgjdbc's CallableStatement `{? = call f(?)}`
    sends exactly this); DuckDB looks for a table function. Functions sqlglot knows as scalar
    become a one-row subquery; unknown (Anonymous) names are left to DuckDB's table functions."""
    for table in list(tree.find_all(exp.Table)):
        fn = table.this
        if not isinstance(fn, exp.Func) or isinstance(fn, (exp.Anonymous, *_TABLE_FUNCTION_CLASSES)) \
                or type(fn).__name__.startswith("Read"):
            continue
        alias = table.args.get("alias")
        cols = alias.columns if alias is not None else []
        if cols:
            name = cols[0].name
        elif alias is not None and alias.name:
            name = alias.name
        else:
            name = _pg_colname(fn) or "?column?"
        inner = exp.select(exp.alias_(fn.copy(), exp.to_identifier(name, quoted=True)))
        table_alias = exp.TableAlias(this=exp.to_identifier(alias.name if alias is not None and alias.name else name,
                                                             quoted=True))
        table.replace(exp.Subquery(this=inner, alias=table_alias))
    return tree


def regexp_matches_global(tree: exp.Expression) -> exp.Expression:
    """regexp_matches(s, re, 'g'): one row per match, each the text[] of the match (DuckDB's
    regexp_matches is a boolean test and takes no 'g'). Patterns with capture groups return one
    element per group in PostgreSQL; those are refused rather than answered differently."""
    for node in list(tree.find_all(exp.Anonymous)):
        if node.name.lower() != "regexp_matches" or len(node.expressions) != 3:
            continue
        s, pattern, flags = node.expressions
        if not (isinstance(flags, exp.Literal) and flags.is_string and "g" in flags.this):
            continue
        if not (isinstance(pattern, exp.Literal) and pattern.is_string) or re.search(r"\((?!\?)", pattern.this) \
                or set(flags.this) - {"g", "i"}:
            raise PgError("0A000", "regexp_matches(…, 'g') with capture groups or flags other than g and i "
                          "is not supported", hint="Use regexp_split_to_table or a pattern without groups.")
        regex = ("(?i)" if "i" in flags.this else "") + pattern.this
        m = exp.to_identifier("__match")
        each = _fn("list_transform", _fn("regexp_extract_all", s.copy(), exp.Literal.string(regex)),
                   exp.Lambda(this=exp.Array(expressions=[exp.column(m.copy())]), expressions=[m]))
        node.replace(exp.Explode(this=each))
    return tree


def like_backslash_escape(tree: exp.Expression) -> exp.Expression:
    """LIKE's default escape character is backslash in PostgreSQL; DuckDB has none."""
    def make(node):
        if isinstance(node.parent, exp.Escape):
            return node
        return exp.Escape(this=node.copy(), expression=exp.Literal.string("\\"))
    return _replace_all(tree, list(tree.find_all(exp.Like, exp.ILike)), make)


def _similar_regex(pattern: str, escape: str | None) -> str:
    """A SQL-standard SIMILAR TO pattern as the regular expression PostgreSQL makes of it
    (similar_to_escape): % is .*, _ is ., a literal . ^ $ is escaped, the escape character
    quotes the next one, | * + ? {} () [] keep their regex meaning."""
    out = []
    i = 0
    in_bracket = False
    while i < len(pattern):
        c = pattern[i]
        if escape and c == escape and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(pattern[i]))
        elif in_bracket:
            out.append("\\\\" if c == "\\" else c)
            in_bracket = c != "]"
        elif c == "[":
            out.append(c)
            in_bracket = True
        elif c == "%":
            out.append(".*")
        elif c == "_":
            out.append(".")
        elif c in ".^$\\":
            out.append("\\" + c)
        else:
            out.append(c)
        i += 1
    return "".join(out)


def similar_to_regex(tree: exp.Expression) -> exp.Expression:
    """x SIMILAR TO 'a%': DuckDB reads the pattern as a plain regular expression (so 'a%'
    never matched 'abc'); PostgreSQL translates SQL's pattern syntax into one first. A constant
    pattern is translated here; any other is refused rather than matched wrongly."""
    def make(node):
        escape = None
        if isinstance(node.parent, exp.Escape) and node.parent.this is node:
            esc = node.parent.expression
            if not (isinstance(esc, exp.Literal) and esc.is_string and len(esc.this) <= 1):
                raise PgError("0A000", "SIMILAR TO … ESCAPE with a non-constant escape is not supported")
            escape = esc.this or None
        else:
            escape = "\\"
        pat = node.expression
        if not (isinstance(pat, exp.Literal) and pat.is_string):
            raise PgError("0A000", "SIMILAR TO with a pattern that is not a constant is not supported",
                          hint="Use ~ with a regular expression instead.")
        regex = _similar_regex(pat.this, escape)
        return _fn("regexp_full_match", node.this.copy(), exp.Literal.string(regex), exp.Literal.string("s"))
    for node in list(tree.find_all(exp.SimilarTo)):
        parent = node.parent
        new = make(node)
        if isinstance(parent, exp.Escape) and parent.this is node:
            parent.replace(new)
        else:
            node.replace(new)
    return tree


def to_hex_lowercase(tree: exp.Expression) -> exp.Expression:
    """to_hex() is lower case in PostgreSQL, and an int4 is written in 32 bits; DuckDB's hex()
    is upper case and widens a negative int4 to 64 bits."""
    def make(node: exp.Hex):  # pg_to_hex (sql/builtin_functions.py): int4 in 32 bits
        return _fn("pg_to_hex", node.this.copy())
    return _replace_all(tree, [n for n in tree.find_all(exp.Hex) if not isinstance(n.parent, exp.Lower)], make)


_RENAMES = {
    "every": "bool_and",
    "quote_ident": "pg_quote_ident",
    "encode": "pg_encode",
    "jsonb_typeof": "pg_json_typeof",
    "json_typeof": "pg_json_typeof",
    "justify_hours": "pg_justify_hours",
    "justify_days": "pg_justify_days",
    "justify_interval": "pg_justify_interval",
    # uuid-ossp's v4 (random) UUID: TypeORM's default for uuid columns; CREATE EXTENSION is refused
    "uuid_generate_v4": "gen_random_uuid",
}


def missing_functions(tree: exp.Expression) -> exp.Expression:
    """PostgreSQL functions DuckDB lacks or names differently, mapped to DuckDB built-ins or
    to compat macros (sql/pg_catalog.py)."""
    def make(node: exp.Anonymous):
        name = node.name.lower()
        args = [e.copy() for e in node.expressions]
        if name in _RENAMES:
            return _fn(_RENAMES[name], *args)
        if name == "array_replace" and len(args) == 3:  # every element equal to (or, NULL: also) old
            x = exp.to_identifier("__x")
            same = exp.NullSafeEQ(this=exp.column(x.copy()), expression=args[1])
            return _fn("list_transform", args[0], exp.Lambda(
                this=exp.Case(ifs=[exp.If(this=same, true=args[2])], default=exp.column(x.copy())),
                expressions=[x]))
        if name == "pg_typeof" and len(args) == 1:  # DuckDB's names where PostgreSQL's differ
            t = _fn("pg_typeof", args[0])
            ifs = [exp.If(this=exp.Like(this=t.copy(), expression=exp.Literal.string(f"decimal(%){arr}")),
                          true=exp.Literal.string(f"numeric{arr}")) for arr in ("", "[]")]
            ifs += [exp.If(this=exp.EQ(this=t.copy(), expression=exp.Literal.string(duck + arr)),
                           true=exp.Literal.string(pg + arr))
                    for duck, pg in (("varchar", "text"), ("double", "double precision"), ("float", "real"),
                                     ("blob", "bytea"), ("timestamp", "timestamp without time zone"),
                                     ("time", "time without time zone"), ("hugeint", "numeric"),
                                     ("tinyint", "smallint"), ('"null"', "unknown"))
                    for arr in ("", "[]")]
            if isinstance(args[0], exp.Null) or isinstance(args[0], exp.Literal) and args[0].is_string:
                return exp.Literal.string("unknown")  # an untyped constant
            return exp.Case(ifs=ifs, default=t)
        return node
    tree = _replace_all(tree, list(tree.find_all(exp.Anonymous)), make)
    def make_overlay(node: exp.Overlay):  # overlay(s placing r from a [for n]): n = length(r)
        s_, r, a, n = (node.this, node.expression, node.args.get("from_") or node.args.get("from"),
                       node.args.get("for_") or node.args.get("for"))
        if a is None:
            return node
        n = n.copy() if n is not None else _fn("length", r.copy())
        return _concat_text([_fn("substring", s_.copy(), exp.Literal.number(1), exp.Sub(this=a.copy(), expression=exp.Literal.number(1))),
                             r.copy(), _fn("substring", s_.copy(), exp.Add(this=a.copy(), expression=n))])
    tree = _replace_all(tree, list(tree.find_all(exp.Overlay)), make_overlay)
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


# PostgreSQL built-ins mapped to the macros and UDFs of sql/builtin_functions.py (same arguments)
_BUILTIN_MACROS = {
    "clock_timestamp": "pg_df_clock_timestamp", "statement_timestamp": "pg_df_statement_timestamp",
    "timeofday": "pg_timeofday", "isfinite": "pg_isfinite", "convert_from": "pg_convert_from",
    "convert_to": "pg_convert_to", "get_byte": "pg_get_byte", "array_positions": "pg_array_positions",
    "array_fill": "pg_array_fill", "trim_array": "pg_trim_array", "hashtext": "pg_df_hashtext",
    "pg_sleep": "pg_df_sleep",  # advisory_locks.py: a wait cancel and statement_timeout end
}
# results DuckDB types wider than PostgreSQL: (node class, DuckDB type of PostgreSQL's)
_RESULT_CASTS = ((exp.RegexpCount, "INTEGER"), (exp.RegexpInstr, "INTEGER"), (exp.BitLength, "INTEGER"),
                 (exp.RegrCount, "BIGINT"))


def builtin_functions(tree: exp.Expression) -> exp.Expression:
    """The third function sweep (tests/differential/33_sweep3_functions.sql): built-ins DuckDB
    lacks (clock_timestamp, num_nulls, sha512, OVERLAPS…) or answers differently (substr
    before the first character, split_part and string_to_array edge cases, to_hex of a
    negative int4, chr(0)), mapped to sql/builtin_functions.py."""
    def make(node):
        if isinstance(node, exp.Anonymous):
            name = node.name.lower()
            args = [e.copy() for e in node.expressions]
            if name in _BUILTIN_MACROS:
                return _fn(_BUILTIN_MACROS[name], *args)
            if name in ("num_nulls", "num_nonnulls") and args:
                counts = [exp.Case(ifs=[exp.If(this=exp.Is(this=exp.Paren(this=a), expression=exp.Null())
                                               if name == "num_nulls" else
                                               exp.Not(this=exp.Is(this=exp.Paren(this=a), expression=exp.Null())),
                                               true=exp.Literal.number(1))],
                                   default=exp.Literal.number(0)) for a in args]
                total = counts[0]
                for c in counts[1:]:
                    total = exp.Add(this=total, expression=c)
                return _cast(exp.Paren(this=total), "INTEGER")
            if name in ("sha224", "sha384", "sha512") and len(args) == 1:
                return _fn("pg_sha2", args[0], exp.Literal.number(int(name[3:])))
            if name == "generate_subscripts":
                return _cast(node.copy(), "INTEGER")
            return node
        if isinstance(node, exp.SHA2Digest):
            n = node.args.get("length")
            bits = int(n.this) if isinstance(n, exp.Literal) else 256
            return node if bits == 256 else _fn("pg_sha2", node.this.copy(), exp.Literal.number(bits))
        if isinstance(node, exp.Substring):
            start, length = node.args.get("start"), node.args.get("length")
            if start is None or (isinstance(start, exp.Literal) and start.is_string):
                return node
            args = [node.this.copy(), start.copy()] + ([length.copy()] if length is not None else [])
            return _fn("pg_substr", *args)
        if isinstance(node, exp.SplitPart):
            return _fn("pg_split_part", node.this.copy(), node.args["delimiter"].copy(), node.args["part_index"].copy())
        if isinstance(node, exp.StringToArray):
            delim = node.args.get("expression")
            args = [node.this.copy()] + ([delim.copy()] if delim is not None else [])
            null = node.args.get("null")
            if null is not None:
                args.append(null.copy())
            return _fn("pg_string_to_array", *args) if len(args) in (2, 3) else node
        if isinstance(node, exp.Chr):
            return _fn("pg_chr", *[e.copy() for e in node.expressions]) if len(node.expressions) == 1 else node
        if isinstance(node, exp.Overlaps):
            a, b = node.this, node.expression
            if isinstance(a, exp.Tuple) and isinstance(b, exp.Tuple) and len(a.expressions) == len(b.expressions) == 2:
                return _fn("pg_overlaps", *[e.copy() for e in a.expressions + b.expressions])
            return node
        for cls, to in _RESULT_CASTS:
            if isinstance(node, cls) and not isinstance(node.parent, (exp.Cast, exp.Filter, exp.Window)):
                return _cast(node.copy(), to)
        return node
    kinds = (exp.Anonymous, exp.SHA2Digest, exp.Substring, exp.SplitPart, exp.StringToArray, exp.Chr,
             exp.Overlaps) + tuple(c for c, _ in _RESULT_CASTS)
    nodes = list(tree.find_all(*kinds))
    nodes.reverse()  # innermost first: a replaced node's copy keeps its rewritten arguments
    return _replace_all(tree, nodes, make)


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


# --------------------------------------------------------------------------- jsonb
# jsonb operators and functions call the UDFs of sql/jsonb_functions.py, which read and write
# jsonb as PostgreSQL does (DuckDB's json_* functions print 1.50 as 1.5, keep duplicate keys
# and find containment at any depth). A jsonb value made here is jsonb's text form.

# UDFs and macros whose result is a jsonb value (so an operator next to them is jsonb's)
_JSONB_RESULTS = frozenset({
    "pg_jsonb_in", "pg_to_jsonb", "pg_jsonb_get", "pg_jsonb_get_path", "pg_jsonb_concat",
    "pg_jsonb_delete", "pg_jsonb_delete_keys", "pg_jsonb_delete_path", "pg_jsonb_set",
    "pg_jsonb_insert", "pg_jsonb_strip_nulls", "pg_jsonb_arrow", "pg_jsonb_minus",
    "pg_jsonb_field", "pg_jsonb_elem", "pg_jsonb_get_path",
})
_JSONB_PATH_FUNCTIONS = frozenset({
    "jsonb_path_query", "jsonb_path_query_array", "jsonb_path_query_first", "jsonb_path_exists",
    "jsonb_path_match", "jsonb_path_query_tz", "jsonb_path_query_array_tz",
    "jsonb_path_query_first_tz", "jsonb_path_exists_tz", "jsonb_path_match_tz",
})


def _is_jsonb(e: exp.Expression) -> bool:
    """Whether e is, by construction, a jsonb value already in jsonb's text form."""
    while isinstance(e, exp.Paren):
        e = e.this
    if isinstance(e, exp.Anonymous):
        return e.name.lower() in _JSONB_RESULTS
    return isinstance(e, exp.Cast) and e.to.this == exp.DataType.Type.JSON and (
        e.meta.get("jsonb", False) or _is_jsonb(e.this))


def _jsonb_input(e: exp.Expression) -> exp.Expression:
    """x::jsonb. A constant is normalised here, once (as PostgreSQL folds a constant cast, and
    so a column DEFAULT stays a plain literal); anything else by pg_jsonb_in per value."""
    if isinstance(e, exp.Literal) and e.is_string:
        try:
            text = canonical_jsonb_text(e.this)
        except JsonbError as err:
            raise PgError(err.sqlstate, str(err), detail=err.detail) from None
        out = _cast(exp.Literal.string(text), "JSON")
        out.meta["jsonb"] = True
        return out
    return _fn("pg_jsonb_in", _cast(e.copy(), "VARCHAR"))


def _as_json(e: exp.Expression) -> exp.Expression:
    return e.copy() if _is_jsonb(e) else _cast(e.copy(), "JSON")


def _text_list(e: exp.Expression) -> exp.Expression:
    """A text[] argument (a path, a key list): '{a,b}' becomes a list literal."""
    if isinstance(e, exp.Literal) and e.is_string:
        items = _pg_array_items(e.this)
        if items is None:
            raise PgError("22P02", f'malformed array literal: "{e.this}"')
        return exp.Array(expressions=[exp.Null() if i is None else exp.Literal.string(i) for i in items])
    if isinstance(e, exp.Array):
        return _cast(e.copy(), "VARCHAR[]")
    return _cast(e.copy(), "VARCHAR[]")


def _arrow_key(path: exp.Expression) -> tuple[exp.Expression, bool] | None:
    """The key of -> / ->>: (text, is an array index), or None when only known at run time."""
    if isinstance(path, exp.JSONPath) and len(path.expressions) == 2:
        step = path.expressions[1]
        if isinstance(step, exp.JSONPathKey) and isinstance(step.this, str):
            return exp.Literal.string(step.this), False
        if isinstance(step, exp.JSONPathSubscript) and isinstance(step.this, int):
            return exp.Literal.string(str(step.this)), True
    v = _int_literal(path.this) if isinstance(path, exp.Neg) else _int_literal(path)
    if v is not None:
        return exp.Literal.string(str(-v if isinstance(path, exp.Neg) else v)), True
    if isinstance(path, exp.Literal) and path.is_string:
        return path.copy(), False
    return None


# words a date/time operand takes for an unknown literal ('today', 'epoch'…): not jsonb keys
_DATETIME_WORDS = frozenset({"now", "today", "tomorrow", "yesterday", "epoch", "infinity", "-infinity", "allballs"})


def _is_jsonb_key_removal(node: exp.Sub) -> bool:
    """col - 'key' where col's type is known only to DuckDB: a literal without digits is no
    number, interval or date, so in PostgreSQL only jsonb - text takes it."""
    k = node.expression
    return (isinstance(node.this, exp.Column) and isinstance(k, exp.Literal) and k.is_string
            and not any(c.isdigit() for c in k.this) and k.this.strip().lower() not in _DATETIME_WORDS)


def _looks_like_jsonb_container(e: exp.Expression) -> bool:
    """A string literal holding a JSON object or array (the other operand of jsonb ||)."""
    if not (isinstance(e, exp.Literal) and e.is_string):
        return False
    t = e.this.strip()
    if len(t) < 2 or (t[0], t[-1]) not in (("{", "}"), ("[", "]")):
        return False
    try:  # '{1,2}' is an array literal, not JSON; '{}' / '[]' may well be text being built
        v = json.loads(t)
    except ValueError:
        return False
    return isinstance(v, (dict, list)) and len(v) > 0


def _jsonb_minus(doc: exp.Expression, k: exp.Expression) -> exp.Expression:
    """jsonb - text, - int, - text[]."""
    if isinstance(k, exp.Array) or isinstance(k, exp.Cast) and k.to.is_type("array"):
        return _fn("pg_jsonb_delete_keys", _as_json(doc), _text_list(k))
    if isinstance(k, exp.Cast) and isinstance(k.this, exp.Literal) and not k.this.is_string:
        k = k.this  # an int4-typed integer constant
    key = _arrow_key(k)
    if key is None:
        return _fn("pg_jsonb_minus", doc.copy(), k.copy())
    return _fn("pg_jsonb_delete", _as_json(doc), key[0], exp.Boolean(this=key[1]))


def _jsonb_operator(node: exp.Expression) -> exp.Expression:
    if isinstance(node, (exp.JSONExtract, exp.JSONExtractScalar)):
        text = isinstance(node, exp.JSONExtractScalar)
        key = _arrow_key(node.expression)
        if key is None:
            return _fn("pg_jsonb_arrow_text" if text else "pg_jsonb_arrow", node.this.copy(),
                       node.expression.copy())
        if key[1]:
            return _fn("pg_jsonb_elem_text" if text else "pg_jsonb_elem", _as_json(node.this),
                       exp.Literal.number(int(key[0].this)))
        if key[0].this.isdigit() or key[0].this == "-":  # a JSON pointer would index arrays
            return _fn("pg_jsonb_get_text" if text else "pg_jsonb_get", _as_json(node.this), key[0],
                       exp.false())
        return _fn("pg_jsonb_field_text" if text else "pg_jsonb_field", _as_json(node.this), key[0])
    if isinstance(node, (exp.JSONBExtract, exp.JSONBExtractScalar)):
        fn = "pg_jsonb_get_path_text" if isinstance(node, exp.JSONBExtractScalar) else "pg_jsonb_get_path"
        return _fn(fn, _as_json(node.this), _text_list(node.expression))
    if isinstance(node, exp.JSONBContainsTopKey):
        return _fn("pg_jsonb_exists", _as_json(node.this), _cast(node.expression.copy(), "VARCHAR"))
    if isinstance(node, (exp.JSONBContainsAnyTopKeys, exp.JSONBContainsAllTopKeys)):
        fn = "pg_jsonb_exists_any" if isinstance(node, exp.JSONBContainsAnyTopKeys) else "pg_jsonb_exists_all"
        return _fn(fn, _as_json(node.this), _text_list(node.expression))
    if isinstance(node, exp.JSONBDeleteAtPath):
        return _fn("pg_jsonb_delete_path", _as_json(node.this), _text_list(node.expression))
    if isinstance(node, (exp.JSONBContains, exp.ArrayContainsAll, exp.ArrayContainedBy)):
        a, b = node.this, node.expression
        if isinstance(node, exp.ArrayContainedBy):
            a, b = b, a
        if _is_jsonb(a) or _is_jsonb(b):
            return _fn("pg_jsonb_contains", _as_json(a), _as_json(b))
        return _fn("pg_jsonb_or_array_contains", a.copy(), b.copy())
    if isinstance(node, (exp.JSONBPathExists, exp.MatchAgainst)):
        if isinstance(node, exp.MatchAgainst) and not any(_is_jsonb(e) for e in node.expressions):
            return node
        raise PgError("0A000", "jsonpath operators (@?, @@) are not supported",
                      hint="Use ->, ->>, #>, @> or jsonb_each to read jsonb values.")
    if isinstance(node, exp.DPipe) and (_is_jsonb(node.this) or _is_jsonb(node.expression)):
        return _fn("pg_jsonb_concat", _as_json(node.this), _as_json(node.expression))
    if isinstance(node, exp.Sub) and (_is_jsonb(node.this) or _is_jsonb_key_removal(node)):
        return _jsonb_minus(node.this, node.expression)
    if isinstance(node, exp.DPipe) and (
            isinstance(node.this, exp.Column) and _looks_like_jsonb_container(node.expression)
            or isinstance(node.expression, exp.Column) and _looks_like_jsonb_container(node.this)):
        # doc || '{"k": 1}' (the usual jsonb update): a column's type is DuckDB's alone, and a
        # JSON object or array literal makes it jsonb || jsonb
        return _fn("pg_jsonb_concat", _as_json(node.this), _as_json(node.expression))
    if isinstance(node, exp.EQ) and isinstance(node.parent, (exp.Update, exp.OnConflict)):
        return node  # SET col = value: an assignment, not a comparison
    if isinstance(node, (exp.EQ, exp.NEQ)) and (_is_jsonb(node.this) or _is_jsonb(node.expression)):
        # jsonb equality compares values (keys in any order, 1.0 = 1), not texts
        eq = _fn("pg_jsonb_eq", _as_json(node.this), _as_json(node.expression))
        return eq if isinstance(node, exp.EQ) else exp.Not(this=eq)
    return node


def _string_agg(value: exp.Expression, order: exp.Expression | None) -> exp.Expression:
    this = value if order is None else exp.Order(this=value, expressions=[o.copy() for o in order.expressions])
    return exp.GroupConcat(this=this, separator=exp.Literal.string(", "))


def _jsonb_value_text(e: exp.Expression) -> exp.Expression:
    """An SQL value as jsonb text (SQL NULL as JSON null), as the jsonb builders take it."""
    return exp.Coalesce(this=_cast(_fn("pg_to_jsonb", e.copy()), "VARCHAR"),
                        expressions=[exp.Literal.string("null")])


def _json_value_text(e: exp.Expression) -> exp.Expression:
    """An SQL value as json text, as json_build_* and json_agg take it (SQL NULL as null)."""
    return exp.Coalesce(this=_fn("pg_to_json_text", e.copy()), expressions=[exp.Literal.string("null")])


def _jsonb_key_text(e: exp.Expression) -> exp.Expression:
    return _cast(_fn("to_json", _cast(e.copy(), "VARCHAR")), "VARCHAR")


def _concat_text(parts: list[exp.Expression]) -> exp.Expression:
    out = parts[0]
    for p in parts[1:]:
        out = exp.DPipe(this=out, expression=p, safe=True)
    return out


def _jsonb_function(node: exp.Expression) -> exp.Expression:
    """jsonb_* functions and aggregates (node: an Anonymous or sqlglot's JSONBObjectAgg)."""
    if isinstance(node, exp.JSONBObjectAgg):
        k, v = node.this, node.expression
        inner = exp.GroupConcat(this=_concat_text([_jsonb_key_text(k), exp.Literal.string(": "),
                                                  _jsonb_value_text(v)]),
                                separator=exp.Literal.string(", "))
        top = _agg_frame(node)
        agg = _reframe(top, node, inner)
        return top, _fn("pg_jsonb_in", _concat_text([exp.Literal.string("{"), agg, exp.Literal.string("}")]))
    if isinstance(node, exp.JSONObjectAgg):  # json_object_agg: PostgreSQL's '{ "k" : v, … }' text
        if len(node.expressions) != 2:
            return node, node
        k, v = node.expressions
        inner = exp.GroupConcat(this=_concat_text([_jsonb_key_text(k), exp.Literal.string(" : "),
                                                  _json_value_text(v)]),
                                separator=exp.Literal.string(", "))
        top = _agg_frame(node)
        agg = _reframe(top, node, inner)
        return top, _cast(_concat_text([exp.Literal.string("{ "), agg, exp.Literal.string(" }")]), "JSON")
    if isinstance(node, exp.JSONArrayAgg):  # json_agg: elements as written, ", " between
        arg = node.this
        order = arg if isinstance(arg, exp.Order) else None
        value = arg.this if order is not None else arg
        top = _agg_frame(node)
        agg = _reframe(top, node, _string_agg(_json_value_text(value), order))
        return top, _cast(_concat_text([exp.Literal.string("["), agg, exp.Literal.string("]")]), "JSON")
    name = node.name.lower()
    args = node.expressions
    if name == "json_build_object" and len(args) % 2 == 0:  # json's form: {"k" : v, "k2" : v2}
        parts = [exp.Literal.string("{")]
        for i in range(0, len(args), 2):
            if i:
                parts.append(exp.Literal.string(", "))
            parts += [_jsonb_key_text(args[i]), exp.Literal.string(" : "), _json_value_text(args[i + 1])]
        parts.append(exp.Literal.string("}"))
        return node, _cast(_concat_text(parts), "JSON")
    if name == "json_build_array":
        parts = [exp.Literal.string("[")]
        for i, a in enumerate(args):
            if i:
                parts.append(exp.Literal.string(", "))
            parts.append(_json_value_text(a))
        parts.append(exp.Literal.string("]"))
        return node, _cast(_concat_text(parts), "JSON")
    if name in _JSONB_PATH_FUNCTIONS:
        raise PgError("0A000", f"function {name} (SQL/JSON path language) is not supported",
                      hint="Use ->, ->>, #>, @> or jsonb_each to read jsonb values.")
    if name == "jsonb_agg" and len(args) == 1:
        arg = args[0]
        order = arg if isinstance(arg, exp.Order) else None
        value = arg.this if order is not None else arg
        top = _agg_frame(node)
        agg = _reframe(top, node, _string_agg(_jsonb_value_text(value), order))
        return top, _cast(_concat_text([exp.Literal.string("["), agg, exp.Literal.string("]")]), "JSON")
    if name == "jsonb_build_object":
        if len(args) % 2:
            raise PgError("22023", "argument list must have even number of elements",
                          hint="The arguments of jsonb_build_object() must consist of alternating keys and values.")
        parts: list[exp.Expression] = [exp.Literal.string("{")]
        for i in range(0, len(args), 2):
            if i:
                parts.append(exp.Literal.string(", "))
            parts += [_jsonb_key_text(args[i]), exp.Literal.string(": "), _jsonb_value_text(args[i + 1])]
        parts.append(exp.Literal.string("}"))
        return node, _fn("pg_jsonb_in", _concat_text(parts))
    if name == "jsonb_build_array":
        parts = [exp.Literal.string("[")]
        for i, a in enumerate(args):
            if i:
                parts.append(exp.Literal.string(", "))
            parts.append(_jsonb_value_text(a))
        parts.append(exp.Literal.string("]"))
        return node, _cast(_concat_text(parts), "JSON")
    if name in ("jsonb_extract_path", "jsonb_extract_path_text", "json_extract_path",
                "json_extract_path_text") and args:
        steps = exp.Array(expressions=[_cast(a.copy(), "VARCHAR") for a in args[1:]])
        fn = "pg_jsonb_get_path_text" if name.endswith("_text") else "pg_jsonb_get_path"
        return node, _fn(fn, _as_json(args[0]), steps)
    if name in ("jsonb_array_length", "json_array_length") and len(args) == 1:
        return node, _fn("pg_json_array_length", _as_json(args[0]))
    if name == "to_jsonb" and len(args) == 1:
        return node, _fn("pg_to_jsonb", args[0].copy())
    if name == "to_json" and len(args) == 1:
        return node, _cast(_fn("pg_to_json_text", args[0].copy()), "JSON")
    if name in ("jsonb_set", "jsonb_insert") and len(args) in (3, 4):
        default = exp.true() if name == "jsonb_set" else exp.false()
        flag = _cast(args[3].copy(), "BOOLEAN") if len(args) == 4 else default
        return node, _fn("pg_" + name, _as_json(args[0]), _text_list(args[1]), _as_json(args[2]), flag)
    if name in ("jsonb_set_lax",):
        raise PgError("0A000", "function jsonb_set_lax is not supported", hint="Use jsonb_set.")
    if name in ("jsonb_strip_nulls", "jsonb_pretty") and len(args) == 1:
        return node, _fn("pg_" + name, _as_json(args[0]))
    if name in ("jsonb_delete_path",) and len(args) == 2:
        return node, _fn("pg_jsonb_delete_path", _as_json(args[0]), _text_list(args[1]))
    if name in ("jsonb_contains", "jsonb_contained") and len(args) == 2:
        a, b = (args[0], args[1]) if name == "jsonb_contains" else (args[1], args[0])
        return node, _fn("pg_jsonb_contains", _as_json(a), _as_json(b))
    if name == "jsonb_exists" and len(args) == 2:
        return node, _fn("pg_jsonb_exists", _as_json(args[0]), _cast(args[1].copy(), "VARCHAR"))
    return node, node


# set-returning jsonb functions: UDF giving a list, and the columns one element makes
_JSONB_SETS = {
    "jsonb_each": ("pg_jsonb_each", ("key", "value")),
    "jsonb_each_text": ("pg_jsonb_each_text", ("key", "value")),
    "jsonb_array_elements": ("pg_jsonb_elements", ("value",)),
    "jsonb_array_elements_text": ("pg_jsonb_elements_text", ("value",)),
    "jsonb_object_keys": ("pg_jsonb_keys", None),  # one column, named after the function / alias
}


def _jsonb_set_returning(node: exp.Anonymous) -> exp.Expression | None:
    name = node.name.lower()
    if name not in _JSONB_SETS or len(node.expressions) != 1:
        return None
    udf, columns = _JSONB_SETS[name]
    listed = _fn(udf, _as_json(node.expressions[0]))
    table = node.parent
    if not isinstance(table, exp.Table):
        if columns == ("key", "value"):
            return None  # a record in the select list: not translated
        return exp.Explode(this=listed)
    alias = table.args.get("alias")
    alias_name = alias.this.copy() if alias is not None and alias.this else exp.to_identifier(name)
    given = [c.copy() for c in alias.columns] if alias is not None and alias.columns else []
    # a subquery, not FROM unnest(…): DuckDB evaluates a table function's constant argument
    # while binding, so a describe with sample parameter values would raise its errors
    if columns is None or len(columns) == 1:
        col = given[0] if given else alias_name.copy() if columns is None else exp.to_identifier(columns[0])
        sub = exp.Subquery(this=exp.select(exp.alias_(exp.Explode(this=listed), col)),
                           alias=exp.TableAlias(this=alias_name))
        table.replace(sub)
        return None
    # (key, value): unnest the list of structs, then the struct's fields as columns
    names = given or [exp.to_identifier(c) for c in columns]
    elem = exp.to_identifier("__jsonb_each")
    inner = exp.select(*[exp.alias_(exp.Dot(this=exp.column(elem), expression=exp.to_identifier(c)),
                                     names[i].copy()) for i, c in enumerate(columns)]).from_(
        exp.Subquery(this=exp.select(exp.alias_(exp.Explode(this=listed), elem)),
                     alias=exp.TableAlias(this=exp.to_identifier("__jsonb_rows"))))
    table.replace(exp.Subquery(this=inner, alias=exp.TableAlias(this=alias_name)))
    return None


def jsonb_functions(tree: exp.Expression) -> exp.Expression:
    """'…'::jsonb, jsonb operators (-> ->> #> #>> ? ?| ?& @> <@ || - #- =), jsonb_* functions and
    aggregates → the jsonb UDFs and macros of sql/jsonb_functions.py; jsonpath → 0A000."""
    tree = json_arrow_in_call_args(tree)
    T = exp.DataType.Type
    kinds = (exp.Cast, exp.JSONExtract, exp.JSONExtractScalar, exp.JSONBExtract, exp.JSONBExtractScalar,
             exp.JSONBContainsTopKey, exp.JSONBContainsAnyTopKeys, exp.JSONBContainsAllTopKeys,
             exp.JSONBDeleteAtPath, exp.JSONBContains, exp.ArrayContainsAll, exp.ArrayContainedBy,
             exp.JSONBPathExists, exp.MatchAgainst, exp.DPipe, exp.Sub, exp.EQ, exp.NEQ,
             exp.Anonymous, exp.JSONBObjectAgg, exp.JSONArrayAgg, exp.JSONObjectAgg)
    nodes = [n for n in tree.walk(bfs=False) if isinstance(n, kinds)]
    nodes.reverse()  # operands before the operators that read them
    for node in nodes:
        if isinstance(node, exp.Cast):
            if node.to.this == T.JSONB:  # jsonb input: parsed, normalised, 22P02 if not JSON
                tree = _swap(tree, node, _jsonb_input(node.this))
            continue
        if isinstance(node, exp.Anonymous):
            if node.name.lower() == "pg_minus" and len(node.expressions) == 2 and _is_jsonb(node.expressions[0]):
                tree = _swap(tree, node, _jsonb_minus(*node.expressions))  # see subtraction_types
                continue
            if node.name.lower() in _JSONB_SETS:
                new = _jsonb_set_returning(node)
                if new is not None:
                    tree = _swap(tree, node, new)
                continue
            old, new = _jsonb_function(node)
            if new is not old:
                tree = _swap(tree, old, new)
            continue
        if isinstance(node, (exp.JSONBObjectAgg, exp.JSONArrayAgg, exp.JSONObjectAgg)):
            old, new = _jsonb_function(node)
            tree = _swap(tree, old, new)
            continue
        new = _jsonb_operator(node)
        if new is not node:
            tree = _swap(tree, node, new)
    return tree


def _swap(tree: exp.Expression, old: exp.Expression, new: exp.Expression) -> exp.Expression:
    if old is tree:
        return new
    old.replace(new)
    return tree


def date_trunc_of_date(tree: exp.Expression) -> exp.Expression:
    """date_trunc(text, date) is timestamptz in PostgreSQL (the date is cast to timestamptz);
    DuckDB gives TIMESTAMP. pg_date_trunc picks by the argument's type at bind time."""
    def make(node: exp.TimestampTrunc):
        unit = node.args.get("unit")
        if unit is None:
            return node
        zone = node.args.get("zone")
        if zone is not None:  # date_trunc(unit, timestamptz, zone): truncated in that zone's local time
            local = _fn("timezone", zone.copy(), _cast(node.this.copy(), "TIMESTAMPTZ"))
            return _fn("timezone", zone.copy(), _fn("date_trunc", exp.Literal.string(unit.name.lower()), local))
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
    relation_oids: dict[str, int] = {}
    for table in list(tree.find_all(exp.Table)):
        db = table.args.get("db")
        if (isinstance(db, exp.Identifier) and db.name.lower() == "information_schema"
                and not table.args.get("catalog") and isinstance(table.this, exp.Identifier)
                and table.name.lower() in pg_catalog.INFORMATION_SCHEMA_NAMES):
            name = table.name.lower()
            table.set("this", exp.to_identifier(f"information_schema_{name}"))
            table.set("catalog", exp.to_identifier(pg_catalog.COMPAT_DB))
            table.set("db", exp.to_identifier("main"))
            if not table.args.get("alias"):
                table.set("alias", exp.TableAlias(this=exp.to_identifier(name)))
            continue
        if db is None and not table.args.get("catalog") and isinstance(table.this, exp.Identifier) and (
                pg_catalog.CATALOG_RELATIONS.get(table.name.lower())):  # found through search_path
            relation_oids[table.alias_or_name.lower()] = pg_catalog.CATALOG_RELATIONS[table.name.lower()]
        if not (isinstance(db, exp.Identifier) and db.name.lower() == "pg_catalog") or table.args.get("catalog"):
            continue
        if not isinstance(table.this, exp.Identifier):  # pg_catalog.generate_series(…), a function
            table.set("db", None)
            alias = table.args.get("alias")
            if isinstance(alias, exp.TableAlias) and alias.this and not alias.columns:
                # PostgreSQL: a scalar function's alias names its column too (FROM f(…) s … s)
                alias.set("columns", [alias.this.copy()])
            continue
        name = table.name.lower()
        if name not in pg_catalog.CATALOG_NAMES:
            continue
        table.set("catalog", exp.to_identifier(pg_catalog.COMPAT_DB))
        table.set("db", exp.to_identifier("main"))
        if not table.args.get("alias"):
            table.set("alias", exp.TableAlias(this=exp.to_identifier(name)))
        if pg_catalog.CATALOG_RELATIONS.get(name):
            relation_oids[table.alias_or_name.lower()] = pg_catalog.CATALOG_RELATIONS[name]
    for col in tree.find_all(exp.Column):
        db = col.args.get("db")
        if isinstance(db, exp.Identifier) and db.name.lower() == "pg_catalog" and not col.args.get("catalog"):
            col.set("db", None)
        if col.name.lower() == "tableoid" and relation_oids:
            # the system column every PostgreSQL table has: here the catalog relation's own OID
            # (psql's \dd and \dL join pg_description.classoid on it)
            qualifier = col.table.lower()
            if not qualifier and len(relation_oids) == 1 and sum(1 for _ in tree.find_all(exp.Table)) == 1:
                qualifier = next(iter(relation_oids))
            if qualifier in relation_oids:
                _replace_keeping_name(col, _cast(exp.Literal.number(relation_oids[qualifier]), "UINTEGER"))
    return tree


def _replace_keeping_name(col: exp.Column, value: exp.Expression) -> None:
    """col → value; a projection that was named after the column (x.col, x.col::type) keeps
    that name, as PostgreSQL's FigureColname gives it."""
    top: exp.Expression = col
    while isinstance(top.parent, exp.Cast) and top.arg_key == "this":
        top = top.parent
    named = isinstance(top.parent, exp.Select) and top.arg_key == "expressions"
    col.replace(value)
    if named:
        target = value if top is col else top
        target.replace(exp.alias_(target.copy(), col.name, quoted=False))


def public_schema_is_main(tree: exp.Expression) -> exp.Expression:
    """public.t → main.t: PostgreSQL's default schema is DuckDB's `main`. "public"."t" too
    (Sequelize quotes every name); "Public" quoted is another schema, as in PostgreSQL."""
    for node in tree.find_all(exp.Table, exp.Column):
        db = node.args.get("db")
        if isinstance(db, exp.Identifier) and (db.name == "public" or not db.quoted and db.name.lower() == "public") and (
            not node.args.get("catalog")
        ):
            node.set("db", exp.to_identifier("main"))
    for dt in tree.find_all(exp.DataType):  # a user type: "public"."t_level_enum" (TypeORM)
        kind = dt.args.get("kind")
        if dt.this == exp.DataType.Type.USERDEFINED and isinstance(kind, exp.Dot) and isinstance(
                kind.this, exp.Identifier) and (kind.this.name == "public" or not kind.this.quoted
                                                and kind.this.name.lower() == "public"):
            kind.set("this", exp.to_identifier("main"))
    return tree


# reg* type → (macro giving the OID, macro giving the name); None: a plain oid cast
_REG_CASTS = {
    "REGCLASS": ("pg_regclass", "pg_regclass_name"),
    "REGTYPE": ("pg_regtype", "pg_regtype_name"),
    "REGNAMESPACE": ("pg_regnamespace", "pg_regnamespace_name"),
    "REGROLE": ("pg_regrole", "pg_regrole_name"),
    "REGPROC": ("pg_regproc", "pg_regproc_name"),
    "REGPROCEDURE": ("pg_regproc", "pg_regproc_name"),
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


# PostgreSQL built-in types DuckDB has no equivalent of (its inet extension is not loaded: the
# engine is locked down); without this DuckDB answers with extension advice or a wrong value
# (1::bit(3) came back as 32 bits)
_UNSUPPORTED_TYPES = {
    exp.DataType.Type.INET: "inet", exp.DataType.Type.MONEY: "money", exp.DataType.Type.POINT: "point",
    exp.DataType.Type.XML: "xml", exp.DataType.Type.BIT: "bit", exp.DataType.Type.INT4RANGE: "int4range",
    exp.DataType.Type.INT8RANGE: "int8range", exp.DataType.Type.NUMRANGE: "numrange",
    exp.DataType.Type.TSRANGE: "tsrange", exp.DataType.Type.TSTZRANGE: "tstzrange",
    exp.DataType.Type.DATERANGE: "daterange",
}
_UNSUPPORTED_TYPE_NAMES = {"cidr", "macaddr", "macaddr8", "line", "lseg", "box", "path", "polygon", "circle",
                           "tsvector", "tsquery", "varbit", "pg_lsn", "txid_snapshot", "pg_snapshot"}


def unsupported_types(tree: exp.Expression) -> exp.Expression:
    """inet, cidr, macaddr, money, geometric, range, bit and text-search types: 0A000 naming the
    type, where DuckDB would answer with advice about its extensions or a wrong value."""
    for node in tree.find_all(exp.DataType):
        name = _UNSUPPORTED_TYPES.get(node.this)
        if name is None and node.this == exp.DataType.Type.USERDEFINED:
            kind = node.args.get("kind")
            kind = (kind.name if isinstance(kind, exp.Expression) else str(kind or "")).lower()
            name = kind if kind in _UNSUPPORTED_TYPE_NAMES else None
        if name is not None:
            raise PgError("0A000", f'type "{name}" is not supported',
                          hint="Store the value as text (or split it into supported columns).")
    return tree


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
    json_build_object is built with the jsonb rewrites (jsonb_functions)."""
    def make(node):
        if isinstance(node, exp.CurrentSchema):
            return _fn("pg_current_schema")
        if isinstance(node, exp.CurrentSchemas):
            arg = node.this.copy() if node.this is not None else exp.true()
            return _fn("pg_current_schemas", arg)
        if isinstance(node, exp.Anonymous) and node.name.lower() == "current_schemas":  # pg_catalog.-qualified
            return _fn("pg_current_schemas", *([e.copy() for e in node.expressions] or [exp.true()]))
        if isinstance(node, exp.Anonymous) and node.name.lower() == "current_schema" and not node.expressions:
            return _fn("pg_current_schema")
        if isinstance(node, exp.Anonymous) and node.name.lower() == "pg_partition_ancestors" and not isinstance(
                node.parent, exp.Table):
            return _fn("pg_df_partition_self", *[e.copy() for e in node.expressions])
        return node
    return _replace_all(tree, list(tree.find_all(exp.CurrentSchema, exp.CurrentSchemas, exp.Anonymous)), make)


def fold_unquoted_identifiers(tree: exp.Expression) -> exp.Expression:
    """SELECT x AS TABLE_CAT names its column table_cat: PostgreSQL folds unquoted identifiers to
    lower case (pgjdbc's metadata queries read their columns by those names). DuckDB resolves
    names case-insensitively, so only the names of result columns change."""
    for ident in tree.find_all(exp.Identifier):
        if not ident.quoted and isinstance(ident.this, str) and not ident.this.islower():
            ident.set("this", ident.this.lower())
    return tree


def float_precision_types(tree: exp.Expression) -> exp.Expression:
    """float(p) is real for p <= 24 and double precision above (SQLAlchemy/pandas write
    FLOAT(53)); DuckDB's FLOAT/DOUBLE take no precision."""
    T = exp.DataType.Type
    for dt in list(tree.find_all(exp.DataType)):
        if dt.this in (T.FLOAT, T.DOUBLE) and dt.expressions:
            first = dt.expressions[0]
            p = _int_literal(first.this if isinstance(first, exp.DataTypeParam) else first)
            dt.replace(exp.DataType.build("REAL" if p is not None and p <= 24 else "DOUBLE"))
    return tree


# int2vector/oidvector columns of pg_index: PostgreSQL subscripts them from 0
_ZERO_BASED_VECTORS = {"indkey", "indoption", "indclass", "indcollation"}


def zero_based_vector_subscripts(tree: exp.Expression) -> exp.Expression:
    """i.indkey[n] counts from 0 (int2vector), DuckDB lists from 1 (psqlODBC's primary keys)."""
    for b in list(tree.find_all(exp.Bracket)):
        if isinstance(b.this, exp.Column) and b.this.name.lower() in _ZERO_BASED_VECTORS and len(b.expressions) == 1:
            idx = b.expressions[0]
            b.set("expressions", [exp.Add(this=exp.Paren(this=idx.copy()), expression=exp.Literal.number(1))])
    return tree


def session_user_keywords(tree: exp.Expression) -> exp.Expression:
    """session_user / user / current_user / current_role without parentheses: SQL's keywords
    for the session's role (the gateway has no SET ROLE: all four are the session's user)."""
    def make(node: exp.Column):
        if node.table or node.this.quoted or node.name.lower() not in ("session_user", "user", "current_role"):
            return node
        if not isinstance(node.parent, (exp.Select, exp.Alias, exp.EQ, exp.NEQ, exp.In, exp.Paren, exp.Case, exp.If)):
            return node
        call = _fn("pg_session_user")
        if isinstance(node.parent, exp.Select):
            return exp.alias_(call, exp.to_identifier(node.name.lower(), quoted=True))
        return call
    tree = _replace_all(tree, list(tree.find_all(exp.Column)), make)

    def make_node(node):
        call = _fn("pg_session_user")
        if isinstance(node.parent, exp.Select):
            name = "current_user" if isinstance(node, exp.CurrentUser) else "session_user"
            return exp.alias_(call, exp.to_identifier(name, quoted=True))
        return call
    kinds = tuple(k for k in (getattr(exp, "SessionUser", None), exp.CurrentUser) if k is not None)
    tree = _replace_all(tree, list(tree.find_all(*kinds)), make_node)

    def make_catalog(node):  # current_catalog: SQL's keyword for current_database()
        call = _fn("current_database")
        return exp.alias_(call, exp.to_identifier("current_catalog", quoted=True)) if isinstance(
            node.parent, exp.Select) else call
    return _replace_all(tree, list(tree.find_all(exp.CurrentCatalog)), make_catalog)


def group_by_output_name_over_relation(tree: exp.Expression) -> exp.Expression:
    """GROUP BY x where x is an output column's alias and also a FROM item's alias (dbt's
    relation-dependency query: `join schema as referenced_schema … select referenced_schema.name
    as referenced_schema … group by referenced_schema`): PostgreSQL looks a GROUP BY name up
    among input columns, then output columns, never relations, so it is the output column;
    DuckDB binds the relation's whole row. The output expression is grouped instead."""
    for sel in tree.find_all(exp.Select):
        group = sel.args.get("group")
        if group is None or not group.expressions:
            continue
        sources = {(t.alias_or_name or "").lower() for t in sel.find_all(exp.Table, exp.Subquery)
                   if t.parent_select is sel}
        outputs = {e.alias.lower(): e.this for e in sel.expressions if isinstance(e, exp.Alias)}
        for g in list(group.expressions):
            if isinstance(g, exp.Column) and not g.table and g.name.lower() in sources \
                    and g.name.lower() in outputs:
                g.replace(outputs[g.name.lower()].copy())
    return tree


def no_cross_database_references(tree: exp.Expression) -> exp.Expression:
    """db.schema.table: PostgreSQL refuses references to another database (0A000), and a
    client must not reach DuckDB catalogs other than the gateway's own."""
    for t in tree.find_all(exp.Table):
        if t.catalog:
            raise PgError("0A000", f"cross-database references are not implemented: {t.sql('postgres')}")
    return tree


# --------------------------------------------------------------------------- dialect
# PostgreSQL syntax DuckDB spells differently or lacks (issue 4). Each runs once per distinct
# statement text (classify caches the outcome), so none is on the hot path of a repeated one.

_OPERATOR_TEMPLATES: dict[str, exp.Expression] = {}


def operator_syntax(tree: exp.Expression) -> exp.Expression:
    """a OPERATOR(pg_catalog.~) b → a ~ b: psql's \\d queries, pg_dump and ORMs qualify
    operators with their schema; the operator itself is PostgreSQL's (translated by the
    transforms after this one)."""
    def make(node: exp.Operator):
        op = str(node.args.get("operator") or "").strip()
        schema, _, name = op.rpartition(".")
        if schema and schema.lower() not in ("pg_catalog", "public"):
            raise PgError("42883", f"operator does not exist: {op}")
        tpl = _OPERATOR_TEMPLATES.get(name)
        if tpl is None:
            from .parse import DIALECT
            try:
                tpl = sqlglot.parse_one(f"__l {name} __r", read=DIALECT)
            except SqlglotError:
                raise PgError("42883", f"operator does not exist: {op}") from None
            _OPERATOR_TEMPLATES[name] = tpl
        new = tpl.copy()
        for col in list(new.find_all(exp.Column)):
            if col.name == "__l":
                col.replace(exp.Paren(this=node.this.copy()))
            elif col.name == "__r":
                col.replace(exp.Paren(this=node.expression.copy()))
        return exp.Paren(this=new)
    nodes = list(tree.find_all(exp.Operator))
    nodes.reverse()  # innermost first
    return _replace_all(tree, nodes, make)


_DEFAULT_COLLATIONS = {"default", "c", "posix", "ucs_basic"}


def default_collation(tree: exp.Expression) -> exp.Expression:
    """x COLLATE pg_catalog.default / "C" / "POSIX" → x: the gateway's server runs with the C
    collation (byte order), which is DuckDB's default comparison already."""
    def make(node: exp.Collate):
        coll = node.expression
        name = coll.name if isinstance(coll, (exp.Column, exp.Identifier, exp.Literal, exp.Var)) else ""
        schema = coll.table if isinstance(coll, exp.Column) else ""
        if name.lower() in _DEFAULT_COLLATIONS and schema.lower() in ("", "pg_catalog"):
            return node.this.copy()
        raise PgError("42704", f'collation "{name or coll.sql("postgres")}" for encoding "UTF8" does not exist',
                      hint="The gateway sorts text by byte value (the C collation).")
    tree = _replace_all(tree, list(tree.find_all(exp.Collate)), make)
    for cc in list(tree.find_all(exp.CollateColumnConstraint)):
        coll = cc.this
        name = coll.name if isinstance(coll, (exp.Column, exp.Identifier, exp.Literal, exp.Var)) else ""
        schema = coll.table if isinstance(coll, exp.Column) else ""
        if name.lower() in _DEFAULT_COLLATIONS and schema.lower() in ("", "pg_catalog"):
            holder = cc.parent
            if isinstance(holder, exp.ColumnConstraint) and isinstance(holder.parent, exp.ColumnDef):
                col = holder.parent
                col.set("constraints", [c for c in col.args.get("constraints") or [] if c is not holder])
        else:
            raise PgError("42704", f'collation "{name}" for encoding "UTF8" does not exist',
                          hint="The gateway sorts text by byte value (the C collation).")
    return tree


def _int4_literals(args: list[exp.Expression]) -> bool:
    vals = []
    for a in args:
        if isinstance(a, exp.Neg):
            a = a.this
        v = _int_literal(a)
        if v is None:
            return False
        vals.append(v)
    return all(_INT4_MIN <= v <= _INT4_MAX for v in vals)


_TEMPORAL = (exp.DataType.Type.TIMESTAMP, exp.DataType.Type.TIMESTAMPTZ, exp.DataType.Type.DATE)


def series_bound_literals(tree: exp.Expression) -> exp.Expression:
    """generate_series('2020-01-01'::timestamp, '2020-01-03', '1 day'): PostgreSQL types the
    quoted bound by the other bound (an unknown-typed literal); DuckDB would see VARCHAR."""
    for node in tree.find_all(exp.ExplodingGenerateSeries):
        start, end = node.args.get("start"), node.args.get("end")
        for typed, other, key in ((start, end, "end"), (end, start, "start")):
            if isinstance(typed, exp.Cast) and typed.to.this in _TEMPORAL and isinstance(other, exp.Literal) \
                    and other.is_string:
                to = typed.to.copy()
                if to.this == exp.DataType.Type.DATE:  # date bounds make a timestamptz series
                    to = exp.DataType.build("timestamptz")
                node.set(key, exp.Cast(this=other.copy(), to=to))
        # generate_series(date, date, interval) is PostgreSQL's timestamptz variant (date's
        # preferred cast); DuckDB would make a timestamp series
        for key in ("start", "end"):
            bound = node.args.get(key)
            if isinstance(bound, exp.Cast) and isinstance(bound.to, exp.DataType) \
                    and bound.to.this == exp.DataType.Type.DATE:
                node.set(key, exp.Cast(this=bound.copy(), to=exp.DataType.build("timestamptz")))
    return tree


def multi_argument_unnest(tree: exp.Expression) -> exp.Expression:
    """FROM unnest($1::int[], $2::text[]) AS u(a, b): PostgreSQL zips the arrays into rows
    (the shorter padded with NULLs), the bulk-insert idiom of node-postgres and asyncpg apps;
    DuckDB's table function takes one list. Its select-list unnest zips (and pads) the same."""
    for node in list(tree.find_all(exp.Unnest)):
        args = node.expressions
        if len(args) < 2 or node.args.get("offset") or not isinstance(node.parent, (exp.From, exp.Join)):
            continue
        alias = node.args.get("alias")
        cols = list(alias.columns) if alias is not None else []
        names = [cols[i].name if i < len(cols) else "unnest" for i in range(len(args))]
        sel = exp.select(*[exp.alias_(exp.Unnest(expressions=[a.copy()]), exp.to_identifier(n, quoted=True))
                           for a, n in zip(args, names)])
        table_alias = exp.TableAlias(this=(alias.this.copy() if alias is not None and alias.this
                                           else exp.to_identifier("unnest")))
        node.replace(exp.Subquery(this=sel, alias=table_alias))
    return tree


def set_returning_functions(tree: exp.Expression) -> exp.Expression:
    """generate_series(int4, int4) yields int4 in PostgreSQL (DuckDB: BIGINT), in the select
    list as in FROM; `FROM generate_series(…) AS g` / `FROM unnest(…) AS u` name the one
    column g / u (DuckDB would make g the whole row)."""
    for node in list(tree.find_all(exp.ExplodingGenerateSeries)):
        args = [node.args[k] for k in ("start", "end", "step") if node.args.get(k) is not None]
        in_from = isinstance(node.parent, exp.Table)
        if in_from and node.parent.args.get("alias") is None:
            node.parent.set("alias", exp.TableAlias(this=exp.to_identifier("generate_series"),
                                                    columns=[exp.to_identifier("generate_series")]))
        if not _int4_literals(args):
            if in_from:
                node.replace(_fn("generate_series", *[a.copy() for a in args]))
            continue
        if in_from:
            # the table function cast row by row in a subquery: it streams (unnest of an
            # INTEGER[] list would hold all of a 10-million-row series in memory at once)
            table = node.parent
            alias = table.args.get("alias").copy()
            if not alias.columns:
                alias.set("columns", [alias.this.copy()])
            source = exp.Table(this=_fn("generate_series", *[a.copy() for a in args]))
            columns = [exp.alias_(_cast(exp.column("generate_series"), "INTEGER"), "generate_series")]
            if table.args.get("ordinality"):  # WITH ORDINALITY: its bigint column goes along
                source.set("ordinality", True)
                source.set("alias", exp.TableAlias(this=exp.to_identifier("s"), columns=[
                    exp.to_identifier("generate_series"), exp.to_identifier("ordinality")]))
                columns.append(exp.column("ordinality"))
            inner = exp.select(*columns).from_(source)
            table.replace(exp.Subquery(this=inner, alias=alias))
        else:
            node.replace(exp.Explode(this=_cast(_fn("generate_series", *[a.copy() for a in args]), "INTEGER[]")))
    for table in list(tree.find_all(exp.Table)):
        fn = table.this
        if isinstance(fn, exp.Anonymous) and fn.name.lower() in ("generate_series", "unnest"):
            alias = table.args.get("alias")
            if alias is None:
                table.set("alias", exp.TableAlias(this=exp.to_identifier(fn.name.lower()),
                                                  columns=[exp.to_identifier(fn.name.lower())]))
            elif not alias.columns:
                alias.set("columns", [alias.this.copy()])
    for un in list(tree.find_all(exp.Unnest)):
        alias = un.args.get("alias")
        if isinstance(un.parent, (exp.From, exp.Join)) and alias is not None and not alias.columns and (
            len(un.expressions) == 1 and not un.args.get("offset")
        ):
            alias.set("columns", [alias.this.copy()])
    return tree


# PostgreSQL to_char/to_timestamp template patterns (longest first) → strftime codes
_TEMPLATE_CODES = [
    ("HH24", "%H"), ("HH12", "%I"), ("HH", "%I"), ("MI", "%M"), ("SS", "%S"), ("MS", "%g"),
    ("US", "%f"), ("AM", "%p"), ("PM", "%p"), ("YYYY", "%Y"), ("YY", "%y"), ("IYYY", "%G"),
    ("MM", "%m"), ("DDD", "%j"), ("DD", "%d"), ("IW", "%V"),
]
_NAME_CODES = {"month": ("%B", 9), "mon": ("%b", 0), "day": ("%A", 9), "dy": ("%a", 0)}
_FM_PARTS = {"%m": "month", "%d": "day", "%H": "hour", "%j": "dayofyear"}
_COMPUTED_FIELDS = {
    "D": "CAST(dayofweek(__x) + 1 AS VARCHAR)", "ID": "CAST(isodow(__x) AS VARCHAR)",
    "Q": "CAST(quarter(__x) AS VARCHAR)", "WW": "CAST((dayofyear(__x) - 1) // 7 + 1 AS VARCHAR)",
}
_DUCK_SNIPPETS: dict[str, exp.Expression] = {}


def _duck_expr(template: str, src: exp.Expression) -> exp.Expression:
    """A DuckDB expression with __x standing for src (parsed once per template)."""
    tpl = _DUCK_SNIPPETS.get(template)
    if tpl is None:
        tpl = _DUCK_SNIPPETS[template] = sqlglot.parse_one(template, read="duckdb")
    e = tpl.copy()
    for col in list(e.find_all(exp.Column)):
        if col.name == "__x":
            col.replace(exp.Paren(this=src.copy()))
    return e
_TOKEN_RE = re.compile(
    r'"(?:[^"\\]|\\.)*"|FM|HH24|HH12|HH|MI|SS|MS|US|AM|PM|am|pm|A\.M\.|P\.M\.|IYYY|YYYY|YY|'
    r"MONTH|Month|month|MON|Mon|mon|MM|DAY|Day|day|DY|Dy|dy|DDD|DD|D|IW|WW|Q|TZ|tz|OF|SSSS|J|CC|Y,YYY|"
    r"IDDD|ID|YYY|Y|W|.", re.S)


def _case(s: str, e: exp.Expression) -> exp.Expression:
    if s.isupper():
        return exp.Upper(this=e)
    if s.islower():
        return exp.Lower(this=e)
    return e


def _template_parts(fmt: str, src: exp.Expression, what: str) -> list[exp.Expression]:
    """A PostgreSQL datetime template as text pieces: strftime runs and computed fields."""
    parts: list[exp.Expression] = []
    run: list[str] = []

    def flush():
        if run:
            parts.append(_fn("strftime", src.copy(), exp.Literal.string("".join(run))))
            run.clear()

    def text(s: str):
        run.append(s.replace("%", "%%"))

    fm = False
    for tok in _TOKEN_RE.findall(fmt):
        if tok == "FM":
            fm = True
            continue
        if tok.startswith('"'):
            text(re.sub(r"\\(.)", r"\1", tok[1:-1]))
        elif tok in ("am", "pm"):
            flush()
            parts.append(exp.Lower(this=_fn("strftime", src.copy(), exp.Literal.string("%p"))))
        elif tok.lower() in _NAME_CODES:
            code, width = _NAME_CODES[tok.lower()]
            flush()
            e: exp.Expression = _fn("strftime", src.copy(), exp.Literal.string(code))
            if width and not fm:
                e = _fn("rpad", e, exp.Literal.number(width), exp.Literal.string(" "))
            parts.append(_case(tok, e) if tok != tok.capitalize() else e)
        elif tok in _COMPUTED_FIELDS:
            flush()
            e = _duck_expr(_COMPUTED_FIELDS[tok], src)
            if tok == "WW" and not fm:
                e = _fn("lpad", e, exp.Literal.number(2), exp.Literal.string("0"))
            parts.append(e)
        else:
            code = dict(_TEMPLATE_CODES).get(tok)
            if code is None:
                if len(tok) == 1 and not tok.isalpha():
                    text(tok)
                    fm = False
                    continue
                if len(tok) == 1 and tok.isalpha() and tok not in "YWJ":
                    text(tok)
                    fm = False
                    continue
                raise PgError("0A000", f'{what} template pattern "{tok}" is not supported')
            if fm and code in _FM_PARTS:
                flush()
                parts.append(_duck_expr(f"CAST({_FM_PARTS[code]}(__x) AS VARCHAR)", src))
            elif fm and code == "%I":
                flush()
                parts.append(_duck_expr("CAST((hour(__x) + 11) % 12 + 1 AS VARCHAR)", src))
            else:
                run.append(code)
        fm = False
    flush()
    return parts


_NUMERIC_TEMPLATE = re.compile(r"^(FM)?[90.,DGSLPRVMI\s]*$")


def to_char_template(tree: exp.Expression) -> exp.Expression:
    """to_char(ts, 'YYYY-MM-DD HH24:MI') → strftime pieces: PostgreSQL's template patterns
    (FM, "quoted text", Month padding, D, Q, WW) translated per pattern. A numeric template
    (to_char(1234.5, '9,999.99')) is refused with 0A000 rather than answered wrongly."""
    def make(node: exp.Anonymous):
        if node.name.lower() != "to_char" or len(node.expressions) != 2:
            return node
        src, fmt = node.expressions
        if not (isinstance(fmt, exp.Literal) and fmt.is_string):
            raise PgError("0A000", "to_char() with a template that is not a constant is not supported")
        if _NUMERIC_TEMPLATE.match(fmt.this) and re.search(r"[90]", fmt.this):
            if numeric_format.supported(fmt.this):  # 9 0 . D , G and FM: sql/numeric_format.py
                return _fn("pg_to_char_num", _cast(src.copy(), "VARCHAR"), fmt.copy())
            raise PgError("0A000", f'to_char() numeric template "{fmt.this}" is not supported',
                          hint="Templates of 9, 0, '.', 'D', ',', 'G' and FM are; or use round() or format().")
        parts = _template_parts(fmt.this, src, "to_char")
        if not parts:
            return exp.Literal.string("")
        out = parts[0]
        for p in parts[1:]:
            out = exp.DPipe(this=out, expression=p)
        return exp.Paren(this=out) if len(parts) > 1 else out
    return _replace_all(tree, [n for n in tree.find_all(exp.Anonymous) if n.name.lower() == "to_char"], make)


def _strptime_format(fmt: str, what: str) -> str:
    out = []
    for tok in _TOKEN_RE.findall(fmt):
        if tok == "FM":
            continue
        if tok.startswith('"'):
            out.append(re.sub(r"\\(.)", r"\1", tok[1:-1]).replace("%", "%%"))
        elif tok.lower() in _NAME_CODES:
            out.append(_NAME_CODES[tok.lower()][0])
        elif tok in ("am", "pm"):
            out.append("%p")
        elif (code := dict(_TEMPLATE_CODES).get(tok)) is not None:
            out.append(code)
        elif len(tok) == 1 and not tok.isalnum():
            out.append(tok.replace("%", "%%"))
        else:
            raise PgError("0A000", f'{what} template pattern "{tok}" is not supported')
    return "".join(out)


def to_timestamp_template(tree: exp.Expression) -> exp.Expression:
    """to_timestamp(text, 'DD/MM/YYYY') is a timestamptz, to_date(text, fmt) a date: DuckDB's
    strptime with the template translated (sqlglot's to_timestamp gives a plain timestamp)."""
    def make(node: exp.Anonymous):
        name = node.name.lower()
        if len(node.expressions) != 2:
            return node
        src, fmt = node.expressions
        if not (isinstance(fmt, exp.Literal) and fmt.is_string):
            raise PgError("0A000", f"{name}() with a template that is not a constant is not supported")
        parsed = _fn("strptime", src.copy(), exp.Literal.string(_strptime_format(fmt.this, name)))
        return _cast(parsed, "TIMESTAMPTZ" if name == "to_timestamp" else "DATE")
    nodes = [n for n in tree.find_all(exp.Anonymous) if n.name.lower() in ("to_timestamp", "to_date")]
    return _replace_all(tree, nodes, make)


_SEQUENCE_FUNCS = ("nextval", "currval", "setval")


def sequence_functions(tree: exp.Expression) -> exp.Expression:
    """nextval('s'::regclass) (pg_dump's and psql's column defaults) → nextval('s');
    'public.s' → 'main.s'. setval() is carried out only as `SELECT setval(…)[, …] [FROM …]`
    (sql/setval.py); anywhere else it is refused with 0A000."""
    for fn in list(tree.find_all(exp.Anonymous)):
        name = fn.name.lower()
        if name not in _SEQUENCE_FUNCS or not fn.expressions:
            continue
        if name == "setval":
            raise PgError("0A000", "setval() is supported only as the output columns of a SELECT",
                          hint="Write SELECT setval(…) [FROM …] as a statement of its own.")
        arg = fn.expressions[0]
        while isinstance(arg, exp.Cast) and (isinstance(arg.to, exp.ObjectIdentifier) or arg.to.this in _TEXTUAL):
            arg = arg.this
        if isinstance(arg, exp.Literal) and arg.is_string and arg.this.lower().startswith("public."):
            arg = exp.Literal.string("main." + arg.this[7:])
        if arg is not fn.expressions[0]:
            fn.set("expressions", [arg.copy(), *[e.copy() for e in fn.expressions[1:]]])
    return tree


_SERIAL = {exp.DataType.Type.SERIAL: "INTEGER", exp.DataType.Type.BIGSERIAL: "BIGINT",
           exp.DataType.Type.SMALLSERIAL: "SMALLINT"}


_SERIAL_ALIASES = {"serial2": "SMALLINT", "serial4": "INTEGER", "serial8": "BIGINT"}


def _serial_alias(kind: exp.DataType) -> str | None:
    if kind.this != exp.DataType.Type.USERDEFINED:
        return None
    name = kind.args.get("kind")
    return _SERIAL_ALIASES.get((name.name if isinstance(name, exp.Expression) else str(name or "")).lower())


def serial_columns(tree: exp.Expression) -> exp.Expression:
    """serial/bigserial/smallserial and GENERATED … AS IDENTITY columns → integer columns
    with DEFAULT nextval('<table>_<column>_seq') NOT NULL, the sequence created first, named
    as PostgreSQL names it (DuckDB has neither serial types nor identity columns)."""
    if not (isinstance(tree, exp.Create) and str(tree.args.get("kind") or "").upper() == "TABLE"
            and isinstance(tree.this, exp.Schema)):
        return tree
    table = tree.this.this
    sequences: list[str] = []
    for col in tree.this.expressions:
        if not isinstance(col, exp.ColumnDef):
            continue
        kind = col.args.get("kind")
        constraints = list(col.args.get("constraints") or [])
        ident = next((c for c in constraints if isinstance(c.kind, exp.GeneratedAsIdentityColumnConstraint)), None)
        serial = isinstance(kind, exp.DataType) and (kind.this in _SERIAL or _serial_alias(kind) is not None)
        if not serial and ident is None:
            continue
        if serial:
            col.set("kind", exp.DataType.build(_SERIAL.get(kind.this) or _serial_alias(kind)))
        seq = f"{table.name}_{col.name}_seq"
        options = ""
        if ident is not None:
            constraints.remove(ident)
            gen = ident.kind
            for key, word in (("start", "START WITH"), ("increment", "INCREMENT BY"),
                              ("minvalue", "MINVALUE"), ("maxvalue", "MAXVALUE")):
                v = gen.args.get(key)
                if v is not None:
                    options += f" {word} {v.sql('duckdb')}"
        db = table.args.get("db")
        schema = None if db is None else ("main" if db.name.lower() == "public" and not db.quoted else db.name)
        qual = f"{schema}.{seq}" if schema is not None else seq
        # OR REPLACE: a table dropped and created again starts its serial over, as PostgreSQL's
        # DROP TABLE drops the owned sequence; IF NOT EXISTS keeps the existing table's
        create = "CREATE SEQUENCE IF NOT EXISTS" if tree.args.get("exists") else "CREATE OR REPLACE SEQUENCE"
        name = exp.to_identifier(seq).sql("duckdb") if schema is None else qual
        sequences.append(f"{create} {name}{options}")
        default = exp.DefaultColumnConstraint(this=_fn("nextval", exp.Literal.string(qual)))
        constraints = [c for c in constraints if not isinstance(c.kind, (exp.DefaultColumnConstraint,
                                                                          exp.NotNullColumnConstraint))]
        constraints.insert(0, exp.ColumnConstraint(kind=exp.NotNullColumnConstraint()))
        constraints.insert(0, exp.ColumnConstraint(kind=default))
        col.set("constraints", constraints)
    if sequences:
        tree.meta["duckdb_before"] = sequences
    return tree


def sequence_options(tree: exp.Expression) -> exp.Expression:
    """CREATE SEQUENCE s AS integer … CACHE 1 OWNED BY t.c (pg_dump's form): DuckDB takes
    neither a type, CACHE nor OWNED BY; they change no value the sequence gives."""
    if not (isinstance(tree, exp.Create) and str(tree.args.get("kind") or "").upper() == "SEQUENCE"):
        return tree
    tree.set("expression", None)
    props = tree.args.get("properties")
    for p in props.expressions if props is not None else []:
        if isinstance(p, exp.SequenceProperties):
            p.set("cache", None)
            p.set("owned", None)
    return tree


def generated_columns(tree: exp.Expression) -> exp.Expression:
    """b int GENERATED ALWAYS AS (a * 2) STORED → DuckDB's generated column b INT AS (a * 2)
    (computed when read; the same values)."""
    for cc in tree.find_all(exp.ComputedColumnConstraint):
        if not isinstance(cc.this, exp.Paren):
            cc.set("this", exp.Paren(this=cc.this.copy()))
        cc.set("persisted", None)
    return tree


def add_column_not_null(tree: exp.Expression) -> exp.Expression:
    """ALTER TABLE t ADD COLUMN c text NOT NULL DEFAULT '' (what migration tools write):
    DuckDB adds no column with a constraint, so the column is added with its default, then
    SET NOT NULL (existing rows hold the default by then, as in PostgreSQL)."""
    if not (isinstance(tree, exp.Alter) and str(tree.args.get("kind") or "").upper() == "TABLE"):
        return tree
    actions = tree.args.get("actions") or []
    if len(actions) != 1 or not isinstance(actions[0], exp.ColumnDef):
        return tree
    col = actions[0]
    constraints = list(col.args.get("constraints") or [])
    not_null = [c for c in constraints if isinstance(c.kind, exp.NotNullColumnConstraint) and not c.kind.args.get("allow_null")]
    if not not_null:
        return tree
    col.set("constraints", [c for c in constraints if c not in not_null])
    table = tree.this.sql("duckdb")
    tree.meta["duckdb_after"] = [f"ALTER TABLE {table} ALTER COLUMN {col.this.sql('duckdb')} SET NOT NULL"]
    return tree


def create_table_as_no_data(tree: exp.Expression) -> exp.Expression:
    """CREATE TABLE t AS SELECT … WITH NO DATA: the columns without the rows (sqlglot's
    DuckDB output drops the clause and would copy the rows)."""
    if not isinstance(tree, exp.Create):
        return tree
    props = tree.args.get("properties")
    no_data = [p for p in (props.expressions if props is not None else [])
               if isinstance(p, exp.WithDataProperty) and p.args.get("no")]
    if not no_data or not isinstance(tree.expression, exp.Query):
        return tree
    props.set("expressions", [p for p in props.expressions if p not in no_data])
    if not props.expressions:
        tree.set("properties", None)
    query = tree.expression
    tree.set("expression", exp.select("*").from_(query.subquery("_no_data")).limit(0))
    return tree


_INDEX_METHODS_OK = {"btree", "art"}


def create_index_forms(tree: exp.Expression) -> exp.Expression:
    """CREATE INDEX … USING btree → DuckDB's (ART) index; an unnamed index gets PostgreSQL's
    name (<table>_<columns>_idx); operator classes and INCLUDE columns are dropped, a partial
    index covers every row (a unique one is refused: it would refuse rows PostgreSQL accepts);
    other access methods (gin, gist, hash, brin…) are refused with 0A000 naming the construct."""
    if not (isinstance(tree, exp.Create) and str(tree.args.get("kind") or "").upper() == "INDEX"):
        return tree
    index = tree.this
    if not isinstance(index, exp.Index):
        return tree
    params = index.args.get("params")
    if params is not None:
        using = params.args.get("using")
        if using is not None:
            method = using.name.lower()
            if method not in _INDEX_METHODS_OK:
                raise PgError("0A000", f'access method "{method}" is not supported',
                              hint="The gateway's indexes are btree-like (DuckDB ART indexes).")
            params.set("using", None)
        if params.args.get("where") is not None:
            if tree.args.get("unique"):  # unique among the rows the predicate selects only
                raise PgError("0A000", "partial unique indexes (CREATE UNIQUE INDEX … WHERE) are not supported",
                              hint="A unique index over all rows would refuse rows PostgreSQL accepts.")
            # a plain index over every row serves every query the partial one would
            params.set("where", None)
        # INCLUDE columns only make index-only scans possible (uniqueness is on the key columns)
        params.set("include", None)
        for col in params.args.get("columns") or []:
            if isinstance(col, exp.Ordered):
                col = col.replace(col.this.copy())  # DuckDB's index has no sort order: it serves both
            if isinstance(col, exp.Opclass):
                # a btree operator class (Django's varchar_pattern_ops index for LIKE 'x%'):
                # DuckDB's ART index has one ordering and serves equality; the class is dropped
                col.replace(col.this.copy())
    if tree.args.get("concurrently"):
        tree.set("concurrently", False)
    if index.this is None and params is not None:
        table = index.args.get("table")
        cols = [c.name for c in params.args.get("columns") or [] if isinstance(c, exp.Column)]
        name = f"{table.name}_{'_'.join(cols) or 'expr'}_{'key' if tree.args.get('unique') else 'idx'}"
        index.set("this", exp.to_identifier(name[:63]))
    return tree


def truncate_forms(tree: exp.Expression) -> exp.Expression:
    """TRUNCATE a, b [RESTART IDENTITY | CONTINUE IDENTITY] [CASCADE | RESTRICT]: DuckDB
    truncates one table per statement, has no options and cannot empty a table and the one it
    references in one transaction: engine/rebuild.py does it (marked DuckDB text), and refuses
    a table other tables reference, as PostgreSQL. RESTART IDENTITY is refused (DuckDB cannot
    restart a sequence a column uses)."""
    if not isinstance(tree, exp.TruncateTable):
        return tree
    if str(tree.args.get("identity") or "").upper() == "RESTART":
        raise PgError("0A000", "TRUNCATE … RESTART IDENTITY is not supported",
                      hint="DuckDB sequences cannot be restarted; use CONTINUE IDENTITY (the default).")
    cascade = str(tree.args.get("option") or "").upper() == "CASCADE"
    tree.set("identity", None)
    tree.set("option", None)
    return exp.Command(this=rebuild.MARK_TRUNCATE, expression=exp.Literal.string(rebuild.truncate_payload(
        [(None if not t.db else "main" if t.db.lower() == "public" else t.db, t.name) for t in tree.expressions],
        cascade)))


def date_part_float8(tree: exp.Expression) -> exp.Expression:
    """date_part('field', x) is float8 in PostgreSQL (extract() is numeric): the extract,
    as extract_numeric translates it, cast to DOUBLE."""
    def make(node: exp.Anonymous):
        if len(node.expressions) != 2:
            return node
        part, src = node.expressions
        if not (isinstance(part, exp.Literal) and part.is_string):
            return node
        return _cast(exp.Extract(this=exp.var(part.this.upper()), expression=src.copy()), "DOUBLE")
    nodes = [n for n in tree.find_all(exp.Anonymous) if n.name.lower() == "date_part"]
    return _replace_all(tree, nodes, make)


_FORMAT_SPEC = re.compile(r"%(?:(\d+)\$)?(-?\d*)([sIL%])")
_QUOTE_LITERAL = "CASE WHEN __x IS NULL THEN 'NULL' ELSE '''' || replace(__x, '''', '''''') || '''' END"


def format_function(tree: exp.Expression) -> exp.Expression:
    """format('%s-%I %L', …): PostgreSQL's printf-like format (%s text, %I identifier, %L
    literal, %n$ positions) as a concatenation; DuckDB's format() uses {} placeholders.
    Widths and a non-constant format string are refused with 0A000."""
    def make(node: exp.Format):
        fmt = node.this
        args = list(node.expressions)
        if not (isinstance(fmt, exp.Literal) and fmt.is_string):
            raise PgError("0A000", "format() with a format string that is not a constant is not supported")
        pieces: list[exp.Expression] = []
        pos, nxt = 0, 0
        text = fmt.this
        for m in _FORMAT_SPEC.finditer(text):
            if m.start() > pos:
                pieces.append(exp.Literal.string(text[pos:m.start()]))
            pos = m.end()
            if m.group(3) == "%":
                pieces.append(exp.Literal.string("%"))
                continue
            if m.group(2):
                raise PgError("0A000", "format() field widths are not supported")
            i = int(m.group(1)) - 1 if m.group(1) else nxt
            nxt = i + 1
            if i >= len(args):
                raise PgError("22023", "too few arguments for format()")
            arg = _fn("pg_format_text", args[i].copy())  # as its output function writes it
            if m.group(3) == "I":
                pieces.append(_fn("pg_quote_ident", arg))
            elif m.group(3) == "L":
                pieces.append(_duck_expr(_QUOTE_LITERAL, arg))
            else:
                pieces.append(arg)
        if "%" in text[pos:]:
            raise PgError("22023", "unterminated format() type specifier")
        if pos < len(text):
            pieces.append(exp.Literal.string(text[pos:]))
        return _fn("concat", *pieces) if pieces else exp.Literal.string("")
    return _replace_all(tree, list(tree.find_all(exp.Format)), make)


def exponent_literals_numeric(tree: exp.Expression) -> exp.Expression:
    """1e3 and 1.5e-3 are numeric constants in PostgreSQL (DuckDB: DOUBLE)."""
    def make(node: exp.Literal):
        try:
            d = Decimal(node.this)
        except InvalidOperation:
            return node
        digits = format(d, "f")
        whole, _, frac = digits.lstrip("-").partition(".")
        precision = max(len(whole.lstrip("0")) + len(frac), len(frac) + 1, 1)
        if precision > 38:
            return node
        return _cast(exp.Literal.string(digits), f"DECIMAL({precision},{len(frac)})")
    nodes = [n for n in tree.find_all(exp.Literal) if not n.is_string and "e" in n.this.lower()]
    return _replace_all(tree, nodes, make)


def concat_null_is_text(tree: exp.Expression) -> exp.Expression:
    """'x' || NULL is text in PostgreSQL (the unknown NULL resolves to text); DuckDB types
    the bare NULL as INTEGER."""
    def make(node: exp.DPipe):
        if not any(isinstance(v, exp.Null) for v in (node.this, node.expression)):
            return node
        return _cast(node.copy(), "VARCHAR")  # DuckDB folds it to a NULL of type "NULL"
    return _replace_all(tree, list(tree.find_all(exp.DPipe)), make)


_TIME_NO_SECONDS = re.compile(r"^(\s*(?:\d{4}-\d{2}-\d{2}[ T])?\d{1,2}:\d{2})(\s*[+-]\d{1,2}(?::?\d{2})?)\s*$")
# '2024-01-01 10:04:53.881 +00:00' (Sequelize writes its dates so): a space before the offset
_SPACED_OFFSET = re.compile(r"^(\s*(?:\d{4}-\d{2}-\d{2}[ T])?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s+([+-]\d{1,2}(?::?\d{2})?)\s*$")


def _time_input(text: str) -> str | None:
    """A time/timestamp with a UTC offset as DuckDB reads it, or None when it reads it as is."""
    m = _SPACED_OFFSET.match(text)
    if m:
        text = m.group(1) + m.group(2)
    n = _TIME_NO_SECONDS.match(text)
    if n:
        return f"{n.group(1).strip()}:00{n.group(2).strip()}"
    return text if m else None


def time_literal_seconds(tree: exp.Expression) -> exp.Expression:
    """'13:45+02'::timetz, '2024-01-01 00:00+00'::timestamptz: DuckDB's input for a time
    with a UTC offset needs the seconds ('13:45:00+02') and no space before the offset
    (it reads ' +00:00' as a zone name)."""
    T = exp.DataType.Type
    for cast in tree.find_all(exp.Cast):
        lit = cast.this
        if isinstance(cast.to, exp.DataType) and cast.to.this in (T.TIMETZ, T.TIMESTAMPTZ, T.TIMESTAMP, T.TIMESTAMPNTZ) and (
            isinstance(lit, exp.Literal) and lit.is_string
        ):
            fixed = _time_input(lit.this)
            if fixed is not None:
                lit.replace(exp.Literal.string(fixed))
    for col in tree.find_all(exp.ColumnDef):  # … timestamptz DEFAULT '2024-01-01 00:00+00'
        kind = col.args.get("kind")
        if not (isinstance(kind, exp.DataType) and kind.this in (T.TIMETZ, T.TIMESTAMPTZ, T.TIMESTAMP, T.TIMESTAMPNTZ)):
            continue
        for c in col.args.get("constraints") or []:
            lit = c.args.get("kind").this if isinstance(c.args.get("kind"), exp.DefaultColumnConstraint) else None
            fixed = _time_input(lit.this) if isinstance(lit, exp.Literal) and lit.is_string else None
            if fixed is not None:
                lit.replace(exp.Literal.string(fixed))
    return tree


def interval_division(tree: exp.Expression) -> exp.Expression:
    """interval '1 day' / 2 is '12:00:00' in PostgreSQL; DuckDB has no INTERVAL / number.
    Recognised where the dividend is an interval constant or cast: its microseconds divided
    (a month counting 30 days, as PostgreSQL spreads it)."""
    def is_interval(e):
        return isinstance(e, exp.Interval) or (
            isinstance(e, exp.Cast) and isinstance(e.to, exp.DataType) and e.to.this == exp.DataType.Type.INTERVAL)
    def make(node: exp.Div):
        if not is_interval(node.this):
            return node
        # months, days and time divided apart, remainders cascading down (interval_div)
        return _fn("pg_interval_div", node.this.copy(), node.expression.copy())
    return _replace_all(tree, list(tree.find_all(exp.Div)), make)


def division_stays_integer(tree: exp.Expression) -> exp.Expression:
    """10::int / 3 is int4 3 in PostgreSQL. sqlglot marks a division whose operand types it
    can see as `typed` and writes it for DuckDB as CAST(TRUNC(a / b) AS BIGINT) (int8);
    the engine runs with integer_division = true, so the plain `/` is already PostgreSQL's."""
    for node in tree.find_all(exp.Div):
        if node.args.get("typed"):
            node.set("typed", False)
    return tree


def array_append_operator(tree: exp.Expression) -> exp.Expression:
    """ARRAY[…] || 3 and 0 || ARRAY[…]: PostgreSQL appends/prepends an element; DuckDB's ||
    only joins two lists. Recognised where one side is an ARRAY constructor and the other a
    constant."""
    def make(node: exp.DPipe):
        left, right = node.this, node.expression
        if isinstance(left, exp.Array) and isinstance(right, exp.Literal):
            return _fn("list_append", left.copy(), right.copy())
        if isinstance(right, exp.Array) and isinstance(left, exp.Literal):
            return _fn("list_prepend", left.copy(), right.copy())
        return node
    return _replace_all(tree, list(tree.find_all(exp.DPipe)), make)

def div_function(tree: exp.Expression) -> exp.Expression:
    """div(a, b) is the numeric quotient truncated toward zero (div(-17.5, 5) = -3); sqlglot
    reads it as DuckDB's // cast to a bare DECIMAL (DECIMAL(18,3): '3.000', and -3.5)."""
    def make(node: exp.Anonymous):
        if len(node.expressions) != 2:
            return node
        a, b = node.expressions
        return _cast(_fn("trunc", exp.Div(this=exp.Paren(this=a.copy()), expression=exp.Paren(this=b.copy()))),
                     "DECIMAL(38,0)")
    return _replace_all(tree, [n for n in tree.find_all(exp.Anonymous) if n.name.lower() == "div"], make)


def quote_functions(tree: exp.Expression) -> exp.Expression:
    """quote_literal(x) / quote_nullable(x): PostgreSQL's SQL-literal quoting (NULL gives NULL
    / the word NULL)."""
    def make(node: exp.Anonymous):
        if len(node.expressions) != 1:
            return node
        arg = _cast(node.expressions[0].copy(), "VARCHAR")
        if node.name.lower() == "quote_nullable":
            return _duck_expr(_QUOTE_LITERAL, arg)
        return _duck_expr("'''' || replace(__x, '''', '''''') || ''''", arg)
    nodes = [n for n in tree.find_all(exp.Anonymous) if n.name.lower() in ("quote_literal", "quote_nullable")]
    return _replace_all(tree, nodes, make)


def grouping_int4(tree: exp.Expression) -> exp.Expression:
    """grouping(a, …) is int4 in PostgreSQL (DuckDB: BIGINT)."""
    def make(node):
        if isinstance(node.parent, exp.Cast):
            return node
        return _cast(node.copy(), "INTEGER")
    return _replace_all(tree, list(tree.find_all(exp.Grouping)), make)

def _duck_type(name: str | None) -> exp.DataType | None:
    try:
        return exp.DataType.build(name, dialect="duckdb") if name else None
    except SqlglotError:
        return None


def insert_literal_types(tree: exp.Expression, column_types: dict[str, str],
                         column_order: list[str]) -> exp.Expression:
    """INSERT … VALUES ('{1,2}', '08:00+01', '\\xdead') and UPDATE … SET c = '{…}':
    PostgreSQL reads a quoted literal
    with its target column's input function; DuckDB casts it from VARCHAR with its own
    syntax. Given the target's column types (DuckDB type names), each string literal is cast
    to its column's type, so pg_literal_input and the other literal transforms apply."""
    if isinstance(tree, exp.Update):
        for eq in tree.expressions:
            value = eq.expression if isinstance(eq, exp.EQ) else None
            if value is not None and isinstance(eq.this, exp.Column):
                t = column_types.get(eq.this.name) or column_types.get(eq.this.name.lower())
                checked = numeric_storage.stored_value(value, t)
                if checked is not value:
                    value.replace(checked)
                    continue
            if isinstance(value, exp.Literal) and value.is_string and isinstance(eq.this, exp.Column):
                to = _duck_type(t)
                if to is not None and to.this not in _TEXTUAL:
                    value.replace(exp.Cast(this=value.copy(), to=to))
        return tree
    if not isinstance(tree, exp.Insert):
        return tree
    conflict = tree.args.get("conflict")
    for eq in (conflict.expressions if conflict is not None else []):  # ON CONFLICT … DO UPDATE SET
        if isinstance(eq, exp.EQ) and isinstance(eq.this, exp.Column):
            t = column_types.get(eq.this.name) or column_types.get(eq.this.name.lower())
            checked = numeric_storage.stored_value(eq.expression, t)
            if checked is not eq.expression:
                eq.expression.replace(checked)
    target = tree.this
    cols = [c.name for c in target.expressions] if isinstance(target, exp.Schema) else column_order
    names = [column_types.get(c) or column_types.get(c.lower()) for c in cols]
    if not isinstance(tree.expression, exp.Values):
        # INSERT … SELECT: the select list's items by position (numeric_storage.stored_value)
        sel = tree.expression
        if isinstance(sel, exp.Select) and not any(isinstance(e, exp.Star) for e in sel.expressions):
            for item, t in zip(list(sel.expressions), names):
                inner = item.this if isinstance(item, exp.Alias) else item
                checked = numeric_storage.stored_value(inner, t)
                if checked is not inner:
                    inner.replace(checked)
        return tree
    types = [_duck_type(t) for t in names]
    for row in tree.expression.expressions:
        if not isinstance(row, exp.Tuple):
            continue
        for value, to, t in zip(list(row.expressions), types, names):
            checked = numeric_storage.stored_value(value, t)
            if checked is not value:
                value.replace(checked)
                continue
            if to is not None and isinstance(value, exp.Literal) and value.is_string and (
                to.this not in _TEXTUAL
            ):
                value.replace(exp.Cast(this=value.copy(), to=to.copy()))
    return tree

_TYPED_MATH = {"gcd": "pg_gcd", "lcm": "pg_lcm"}


def typed_math_functions(tree: exp.Expression) -> exp.Expression:
    """sign(int) is float8 and sign(numeric) numeric, gcd/lcm(int4) int4, power(0, -n) an
    error (2201F), width_bucket(): macros of sql/dialect_functions.py that pick PostgreSQL's
    result type by the argument's type (DuckDB: TINYINT, BIGINT, Infinity, missing)."""
    def make(node):
        if isinstance(node, exp.Sign):
            return _fn("pg_sign", node.this.copy())
        if isinstance(node, exp.Pow):
            return _fn("pg_power", node.this.copy(), node.expression.copy())
        if isinstance(node, exp.WidthBucket):
            args = [node.args.get(k) for k in ("this", "min_value", "max_value", "num_buckets")]
            if any(a is None for a in args) or node.args.get("threshold") is not None:
                return node
            return _fn("pg_width_bucket", *[a.copy() for a in args])
        name = node.name.lower()
        if name in _TYPED_MATH:
            return _fn(_TYPED_MATH[name], *[e.copy() for e in node.expressions])
        return node
    nodes = list(tree.find_all(exp.Sign, exp.Pow, exp.WidthBucket, exp.Anonymous))
    nodes.reverse()
    return _replace_all(tree, nodes, make)


def justify_functions(tree: exp.Expression) -> exp.Expression:
    """justify_hours/justify_days/justify_interval: macros of sql/dialect_functions.py (DuckDB
    has none; sqlglot parses them into its own nodes)."""
    names = {exp.JustifyHours: "pg_justify_hours", exp.JustifyDays: "pg_justify_days",
             exp.JustifyInterval: "pg_justify_interval"}

    def make(node):
        return _fn(names[type(node)], node.this.copy())
    nodes = list(tree.find_all(*names))
    nodes.reverse()
    return _replace_all(tree, nodes, make)


def unknown_operands(tree: exp.Expression) -> exp.Expression:
    """NULL + NULL: PostgreSQL cannot choose an operator for two unknowns (42725); DuckDB
    answers NULL."""
    for node in tree.find_all(*_ARITH):
        if isinstance(node.this, exp.Null) and isinstance(node.expression, exp.Null):
            op = {exp.Add: "+", exp.Sub: "-", exp.Mul: "*", exp.Div: "/", exp.Mod: "%"}.get(type(node), "?")
            raise PgError("42725", f"operator is not unique: unknown {op} unknown",
                          hint="Could not choose a best candidate operator. You might need to add explicit type casts.")
    return tree


_NUMERIC_TYPES = {exp.DataType.Type.INT, exp.DataType.Type.SMALLINT, exp.DataType.Type.BIGINT,
                  exp.DataType.Type.DECIMAL, exp.DataType.Type.DOUBLE, exp.DataType.Type.FLOAT}


def unknown_literal_takes_operand_type(tree: exp.Expression) -> exp.Expression:
    """1 + '2', '3' - 1::bigint: a quoted literal next to a number takes the number's type in
    PostgreSQL (an unknown-typed constant); DuckDB cannot choose between +(INTEGER, INTEGER) and
    +(INTEGER, DATE). Typed here where the other operand's type shows: a cast to a numeric type,
    or a number constant (integer: int4, else numeric)."""
    for node in list(tree.find_all(*_ARITH)):
        for side, other in (("this", node.expression), ("expression", node.this)):
            lit = node.args.get(side)
            if not (isinstance(lit, exp.Literal) and lit.is_string):
                continue
            to = None
            if isinstance(other, exp.Cast) and isinstance(other.to, exp.DataType) and other.to.this in _NUMERIC_TYPES:
                to = other.to.copy()
            elif isinstance(other, exp.Literal) and not other.is_string:
                to = exp.DataType.build("INT" if _int_literal(other) is not None else "DECIMAL")
            if to is not None:
                lit.replace(exp.Cast(this=lit.copy(), to=to))
    return tree


def bool_literals_concatenated(tree: exp.Expression) -> exp.Expression:
    """concat('x', true) writes a boolean as t/f in PostgreSQL (its output function), 'x' ||
    true as true/false (its cast to text); DuckDB writes true/false in both."""
    def fix(args, words):
        for a in args:
            if isinstance(a, exp.Boolean):
                a.replace(exp.Literal.string(words[0] if a.this else words[1]))
    for node in tree.find_all(exp.DPipe, exp.Concat, exp.ConcatWs):
        if isinstance(node, exp.DPipe):  # text || boolean casts it to text: 'true'/'false'
            fix([node.this, node.expression], ("true", "false"))
        else:
            fix(list(node.expressions), ("t", "f"))
    return tree


_DECIMAL_TEXT = re.compile(r"^\s*-?(\d*)(?:\.(\d*))?\s*$")


def numeric_literal_casts(tree: exp.Expression) -> exp.Expression:
    """0.1::numeric is 0.1 and '1.50'::numeric 1.50 in PostgreSQL (a numeric keeps the scale
    it was written with); DuckDB's bare DECIMAL is DECIMAL(18,3) (0.100). The constant gets
    the precision and scale of its digits."""
    def make(node: exp.Cast):
        to, lit = node.to, node.this
        if not (isinstance(to, exp.DataType) and to.this == exp.DataType.Type.DECIMAL and not to.expressions):
            return node
        while isinstance(lit, exp.Paren):
            lit = lit.this
        neg = isinstance(lit, exp.Neg)
        if neg:
            lit = lit.this
        if not isinstance(lit, exp.Literal):
            return node
        m = _DECIMAL_TEXT.match(lit.this)
        if not m or not (m.group(1) or m.group(2)) or (neg and lit.is_string):
            return node
        whole, frac = m.group(1).lstrip("0"), m.group(2) or ""
        precision = max(len(whole) + len(frac), len(frac) + 1, 1)
        if precision > 38:
            return node
        text = ("-" if neg else "") + lit.this.strip()
        return _cast(exp.Literal.string(text), f"DECIMAL({precision},{len(frac)})")
    return _replace_all(tree, list(tree.find_all(exp.Cast)), make)


def time_to_interval(tree: exp.Expression) -> exp.Expression:
    """time::interval (DuckDB has no such cast): the time's microseconds since midnight."""
    T = exp.DataType.Type

    def make(node: exp.Cast):
        inner = node.this
        if isinstance(node.to, exp.DataType) and node.to.this == T.INTERVAL and isinstance(inner, exp.Cast) and (
            isinstance(inner.to, exp.DataType) and inner.to.this == T.TIME
        ):
            return _fn("to_microseconds", _fn("epoch_us", inner.copy()))
        return node
    return _replace_all(tree, list(tree.find_all(exp.Cast)), make)


def float8_text_cast(tree: exp.Expression) -> exp.Expression:
    """x::float8::text is float8out's text in PostgreSQL (1, 1e+15); DuckDB's cast writes 1.0
    and 1000000000000000.0. Recognised where the value is an explicit float8 cast."""
    T = exp.DataType.Type

    def make(node: exp.Cast):
        inner = node.this
        if isinstance(node.to, exp.DataType) and node.to.this in (T.TEXT, T.VARCHAR) and not node.to.expressions and (
            isinstance(inner, exp.Cast) and isinstance(inner.to, exp.DataType) and inner.to.this == T.DOUBLE
        ):
            return _fn("pg_float8_text", inner.copy())
        return node
    casts = list(tree.find_all(exp.Cast))
    casts.reverse()
    return _replace_all(tree, casts, make)


def float4_with_integer_is_float8(tree: exp.Expression) -> exp.Expression:
    """real * 2 is double precision in PostgreSQL (the integer constant resolves to float8);
    DuckDB keeps FLOAT. Recognised where the real side is an explicit cast."""
    def is_float4(e):
        return isinstance(e, exp.Cast) and isinstance(e.to, exp.DataType) and e.to.this == exp.DataType.Type.FLOAT
    for node in list(tree.find_all(*_ARITH)):
        for side, other in (("this", node.expression), ("expression", node.this)):
            lit = node.args.get(side)
            if is_float4(other) and _int_literal(lit) is not None:
                node.set(side, _cast(lit.copy(), "DOUBLE"))
    return tree

# statements PostgreSQL has and DuckDB cannot do (or would do differently): by leading words
_UNSUPPORTED_STATEMENTS = [
    (("CREATE", "EXTENSION"), "CREATE EXTENSION", "Extensions are managed by the gateway's operator."),
    (("DROP", "EXTENSION"), "DROP EXTENSION", None),
    (("CREATE", "FUNCTION"), "CREATE FUNCTION", None),
    (("CREATE", "OR", "REPLACE", "FUNCTION"), "CREATE FUNCTION", None),
    (("CREATE", "PROCEDURE"), "CREATE PROCEDURE", None),
    (("CREATE", "OR", "REPLACE", "PROCEDURE"), "CREATE PROCEDURE", None),
    (("CREATE", "TRIGGER"), "CREATE TRIGGER", None),
    (("CREATE", "OR", "REPLACE", "TRIGGER"), "CREATE TRIGGER", None),
    (("CREATE", "CONSTRAINT", "TRIGGER"), "CREATE TRIGGER", None),
    (("CREATE", "EVENT", "TRIGGER"), "CREATE EVENT TRIGGER", None),
    (("CREATE", "DOMAIN"), "CREATE DOMAIN", None),
    (("CREATE", "RULE"), "CREATE RULE", None),
    (("CREATE", "POLICY"), "CREATE POLICY", None),
    (("CREATE", "AGGREGATE"), "CREATE AGGREGATE", None),
    (("CREATE", "OPERATOR"), "CREATE OPERATOR", None),
    (("CREATE", "CAST"), "CREATE CAST", None),
    (("CREATE", "LANGUAGE"), "CREATE LANGUAGE", None),
    (("CREATE", "TABLESPACE"), "CREATE TABLESPACE", None),
    (("CREATE", "PUBLICATION"), "CREATE PUBLICATION", None),
    (("CREATE", "SUBSCRIPTION"), "CREATE SUBSCRIPTION", None),
    (("CREATE", "FOREIGN"), "foreign tables and servers", None),
    (("CREATE", "SERVER"), "CREATE SERVER", None),
    (("CREATE", "STATISTICS"), "CREATE STATISTICS", None),
    (("CREATE", "ROLE"), "CREATE ROLE", "Users and roles are managed with `dataforge users add`."),
    (("CREATE", "USER"), "CREATE USER", "Users and roles are managed with `dataforge users add`."),
    (("ALTER", "ROLE"), "ALTER ROLE", "Users and roles are managed with `dataforge users add`."),
    (("ALTER", "USER"), "ALTER USER", "Users and roles are managed with `dataforge users add`."),
    (("DROP", "ROLE"), "DROP ROLE", None),
    (("DROP", "USER"), "DROP USER", None),
    (("GRANT",), "GRANT", "Access is configured in the schema files (access: read/write)."),
    (("REVOKE",), "REVOKE", "Access is configured in the schema files (access: read/write)."),
    (("ALTER", "DEFAULT", "PRIVILEGES"), "ALTER DEFAULT PRIVILEGES", None),
    (("ALTER", "SYSTEM"), "ALTER SYSTEM", None),
    (("ALTER", "TYPE"), "ALTER TYPE", "DuckDB cannot change a type in place: create a new ENUM type and retype the column."),
    (("REINDEX",), "REINDEX", None),
    (("CLUSTER",), "CLUSTER", None),
    (("REFRESH", "MATERIALIZED"), "REFRESH MATERIALIZED VIEW", None),
    (("SECURITY", "LABEL"), "SECURITY LABEL", None),
]


def unsupported_statement(words: list[str]) -> PgError | None:
    """A clear 0A000 naming the statement, for PostgreSQL statements DuckDB cannot run:
    otherwise DuckDB's parser would answer with its own syntax error, or (CREATE FUNCTION …
    AS $$ … $$) create something else under the same name."""
    words = " ".join(words).split()  # a command's rest may come as one token
    if words[:2] == ["CREATE", "TYPE"]:  # CREATE TYPE name AS ( … ) | AS RANGE: only AS ENUM is
        rest = words[words.index("AS") + 1:] if "AS" in words else []
        if rest[:1] == ["("]:
            return PgError("0A000", "composite types are not supported",
                           hint="Use separate columns, or a json/jsonb column.")
        if rest[:1] == ["RANGE"]:
            return PgError("0A000", "range types are not supported", hint="Use two columns for the bounds.")
    for prefix, what, hint in _UNSUPPORTED_STATEMENTS:
        if tuple(words[:len(prefix)]) == prefix:
            return PgError("0A000", f"{what} is not supported", hint=hint)
    return None


def _adds_primary_key(action: exp.AddConstraint) -> bool:
    for e in action.expressions:
        if isinstance(e, exp.Constraint):
            if not all(isinstance(x, exp.PrimaryKey) for x in e.expressions):
                return False
        elif not isinstance(e, exp.PrimaryKey):
            return False
    return bool(action.expressions)


def upsert_keeps_conflict_key(tree: exp.Expression) -> exp.Expression:
    """INSERT … ON CONFLICT (id) DO UPDATE SET id = EXCLUDED.id, … (Sequelize's upsert): the
    conflict key is already equal to EXCLUDED's, so the assignment changes nothing; DuckDB
    takes it for a key update and refuses it for a row other tables' foreign keys reference.
    Dropped while other assignments remain."""
    conflict = tree.args.get("conflict") if isinstance(tree, exp.Insert) else None
    if conflict is None or not conflict.expressions:
        return tree
    keys = set()
    for k in conflict.args.get("conflict_keys") or []:
        col = k.this if isinstance(k, exp.Ordered) else k
        ident = col.this if isinstance(col, exp.Column) else col
        if isinstance(ident, exp.Identifier):
            keys.add(ident.name if ident.quoted else ident.name.lower())
    same = []
    for eq in conflict.expressions:
        target, value = (eq.this, eq.expression) if isinstance(eq, exp.EQ) else (None, None)
        if isinstance(target, exp.Column) and isinstance(value, exp.Column) and value.table.lower() == "excluded":
            name = target.name if target.this.quoted else target.name.lower()
            vname = value.name if value.this.quoted else value.name.lower()
            if name in keys and vname == name:
                same.append(eq)
    if same and len(same) < len(conflict.expressions):
        conflict.set("expressions", [e for e in conflict.expressions if e not in same])
    return tree


def unique_constraint_as_index(tree: exp.Expression) -> exp.Expression:
    """ALTER TABLE t ADD [CONSTRAINT name] UNIQUE (a, b) (Alembic's create_unique_constraint,
    Django's AddConstraint): DuckDB adds no constraint to an existing table, but a unique index
    enforces the same rule, so it becomes CREATE UNIQUE INDEX under the constraint's name
    (PostgreSQL's t_a_b_key when unnamed); a violation then names it as PostgreSQL would."""
    if not isinstance(tree, exp.Alter):
        return tree
    actions = tree.args.get("actions") or []
    if len(actions) != 1 or not isinstance(actions[0], exp.AddConstraint) or len(actions[0].expressions) != 1:
        return tree
    c = actions[0].expressions[0]
    name = None
    if isinstance(c, exp.Constraint):
        name = c.this.name if isinstance(c.this, exp.Identifier) else None
        if len(c.expressions) != 1:
            return tree
        c = c.expressions[0]
    if not isinstance(c, exp.UniqueColumnConstraint) or not isinstance(c.this, exp.Schema):
        return tree
    cols = [i for i in c.this.expressions if isinstance(i, exp.Identifier)]
    if not cols or len(cols) != len(c.this.expressions):
        return tree
    table = tree.this
    name = name or f"{table.name}_{'_'.join(i.name for i in cols)}_key"
    index = exp.Index(this=exp.to_identifier(name), table=table.copy(),
                      params=exp.IndexParameters(columns=[exp.Ordered(this=exp.column(i.copy())) for i in cols]))
    return exp.Create(this=index, kind="INDEX", unique=True)


# reference options DuckDB's foreign keys cannot spell but behave as: checked at once (no
# deferral here), and deleting a referenced row is refused (NO ACTION / RESTRICT)
_FK_OPTIONS_DROPPED = frozenset((
    "DEFERRABLE", "NOT DEFERRABLE", "INITIALLY DEFERRED", "INITIALLY IMMEDIATE", "ON DELETE NO ACTION",
    "ON UPDATE NO ACTION", "ON DELETE RESTRICT", "ON UPDATE RESTRICT", "MATCH SIMPLE", "MATCH FULL",
))


_REFERENTIAL_ACTIONS = ("CASCADE", "SET NULL", "SET DEFAULT")


def _actions_not_carried_out(ref: exp.Reference) -> list[str]:
    return [str(o).upper() for o in ref.args.get("options") or []
            if str(o).upper().endswith(_REFERENTIAL_ACTIONS)]


def referential_action_warnings(tree: exp.Expression | None) -> list[str]:
    """The WARNINGs for foreign keys declared ON DELETE/UPDATE CASCADE, SET NULL or SET DEFAULT
    (Sequelize's, Prisma's and TypeORM's defaults): DuckDB cannot carry the actions out, so
    referential_actions keeps the key without them; a delete of a referenced row then fails
    with 23503 (and a hint saying why) instead of changing the referencing rows."""
    if not isinstance(tree, (exp.Create, exp.Alter)):
        return []
    out = []
    for ref in tree.find_all(exp.Reference):
        target = ref.this.this if isinstance(ref.this, exp.Schema) else ref.this
        for action in _actions_not_carried_out(ref):
            out.append(f'{action} of the foreign key to "{target.name if target is not None else "?"}" is not '
                       "carried out by the gateway: a delete or key update of a referenced row fails "
                       "(23503) instead")
    return out


def referential_actions(tree: exp.Expression) -> exp.Expression:
    """FOREIGN KEY … ON DELETE CASCADE | SET NULL | SET DEFAULT (and ON UPDATE …): DuckDB
    refuses such a key; it is kept without the action (see referential_action_warnings)."""
    if isinstance(tree, (exp.Create, exp.Alter)):
        for ref in tree.find_all(exp.Reference):
            if _actions_not_carried_out(ref):
                kept = [o for o in ref.args.get("options") or [] if not str(o).upper().endswith(_REFERENTIAL_ACTIONS)]
                ref.set("options", kept or None)
    return tree


def constraints_by_rebuild(tree: exp.Expression) -> exp.Expression:
    """ALTER TABLE t ADD [CONSTRAINT name] FOREIGN KEY … / CHECK (…) (Django, Rails, Prisma,
    Flyway migrations): DuckDB takes these only in CREATE TABLE, so the statement becomes a
    table rebuild carried out by engine/rebuild.py (marked DuckDB text, see there)."""
    if not isinstance(tree, exp.Alter) or not isinstance(tree.this, exp.Table):
        return tree
    actions = tree.args.get("actions") or []
    if not actions or not all(isinstance(a, exp.AddConstraint) and a.expressions for a in actions):
        return tree
    constraints: list[str] = []
    names: list[tuple[str, list[str], str]] = []
    for action in actions:
        for c in action.expressions:
            inner = c.expressions if isinstance(c, exp.Constraint) else [c]
            if not inner or not all(isinstance(x, (exp.ForeignKey, exp.CheckColumnConstraint)) for x in inner):
                return tree  # primary keys and UNIQUE have their own forms; a mix stays refused
            if isinstance(c, exp.Constraint) and isinstance(c.this, exp.Identifier) and len(inner) == 1:
                fk = isinstance(inner[0], exp.ForeignKey)
                names.append(("f" if fk else "c", [i.name for i in inner[0].expressions] if fk else [], c.this.name))
            c = public_schema_is_main(c.copy())  # REFERENCES public.t (pg_dump's form)
            for ref in c.find_all(exp.Reference):
                kept = [o for o in ref.args.get("options") or [] if str(o).upper() not in _FK_OPTIONS_DROPPED]
                ref.set("options", kept or None)
            constraints.append(c.sql("duckdb"))
    table = tree.this
    schema = table.db or None
    return exp.Command(this=rebuild.MARK, expression=exp.Literal.string(
        rebuild.payload("main" if schema == "public" else schema, table.name, constraints, names)))


def drop_constraint_by_rebuild(tree: exp.Expression) -> exp.Expression:
    """ALTER TABLE [IF EXISTS] t DROP CONSTRAINT [IF EXISTS] name (Django's AlterField/
    RemoveConstraint, Rails' remove_foreign_key, Alembic's drop_constraint, pg_dump --clean):
    DuckDB has no such ALTER; the table is rebuilt without it by engine/rebuild.py (marked
    DuckDB text)."""
    if not isinstance(tree, exp.Alter) or not isinstance(tree.this, exp.Table):
        return tree
    actions = tree.args.get("actions") or []
    if len(actions) != 1 or not isinstance(actions[0], exp.Drop) or \
            str(actions[0].args.get("kind") or "").upper() != "CONSTRAINT":
        return tree
    drop = actions[0]
    targets = drop.args.get("tables") or []
    if len(targets) != 1:
        return tree
    table = tree.this
    schema = table.db or None
    return exp.Command(this=rebuild.MARK_DROP, expression=exp.Literal.string(rebuild.drop_payload(
        "main" if schema == "public" else schema, table.name, targets[0].name, bool(drop.args.get("exists")),
        bool(tree.args.get("exists")))))


def update_set_default(tree: exp.Expression) -> exp.Expression:
    """UPDATE t SET n = DEFAULT: sqlglot reads DEFAULT as a column named "default" (then 42703)."""
    conflict = tree.args.get("conflict") if isinstance(tree, exp.Insert) else None
    sets = tree.expressions if isinstance(tree, exp.Update) else (
        conflict.expressions or [] if conflict is not None else [])  # … ON CONFLICT DO UPDATE SET n = DEFAULT
    if sets:
        for eq in sets:
            v = eq.expression if isinstance(eq, exp.EQ) else None
            if isinstance(v, exp.Column) and not v.table and isinstance(v.this, exp.Identifier) \
                    and not v.this.quoted and v.name.upper() == "DEFAULT":
                v.replace(exp.var("DEFAULT"))
    return tree


def insert_alias_in_returning(tree: exp.Expression) -> exp.Expression:
    """INSERT INTO t AS o … RETURNING o.*, o.id: DuckDB takes the alias in ON CONFLICT but not
    in RETURNING (Binder Error). Only the target table is in RETURNING's scope, so columns
    qualified with the alias lose the qualifier."""
    returning = tree.args.get("returning") if isinstance(tree, exp.Insert) else None
    table = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
    alias = table.alias if isinstance(table, exp.Table) else ""
    if returning is None or not alias:
        return tree
    for col in list(returning.find_all(exp.Column)):
        if col.table == alias and not col.args.get("db"):
            if col.is_star:
                col.replace(exp.Star())
            else:
                col.set("table", None)
    return tree


def no_identity_columns(tree: exp.Expression) -> exp.Expression:
    """CASE WHEN pg_attribute.attidentity != '' THEN (SELECT … pg_sequence … pg_get_serial_sequence
    …) ELSE NULL END (SQLAlchemy's column reflection, Alembic): attidentity is '' for every
    column of this catalog (identity columns are serial-like sequences here), so the branch can
    never run; DuckDB still plans its correlated subqueries for every column (~100 s for one
    table under load), so the CASE is folded to its ELSE here."""
    def is_identity_test(cond) -> bool:
        cond = cond.this if isinstance(cond, exp.Paren) else cond
        if not (isinstance(cond, exp.NEQ) and isinstance(cond.this, exp.Column)
                and cond.this.name.lower() == "attidentity"):
            return False
        other = cond.expression.this if isinstance(cond.expression, exp.Cast) else cond.expression
        # '' as a literal, or as the bind parameter SQLAlchemy sends it in
        return (isinstance(other, exp.Literal) and other.is_string and other.this == "") or isinstance(
            other, (exp.Parameter, exp.Placeholder))

    def reads_sequences(branch) -> bool:
        return any(t.name.lower() == "pg_sequence" for t in branch.find_all(exp.Table))
    for case in list(tree.find_all(exp.Case)):
        ifs = case.args.get("ifs") or []
        if len(ifs) == 1 and is_identity_test(ifs[0].this) and case.this is None \
                and reads_sequences(ifs[0].args.get("true")):
            default = case.args.get("default")
            case.replace(default.copy() if default is not None else exp.Null())
    return tree


def untranslatable_constructs(tree: exp.Expression) -> exp.Expression:
    """Constructs inside otherwise translatable statements that DuckDB lacks, refused with
    0A000 naming them rather than dropped (sqlglot's DuckDB output would silently leave out
    PARTITION BY / INHERITS) or failing with a DuckDB message."""
    def refuse(what: str, hint: str | None = None):
        raise PgError("0A000", f"{what} is not supported", hint=hint)

    if isinstance(tree, exp.Create):
        kind = str(tree.args.get("kind") or "").upper()
        if kind in ("FUNCTION", "PROCEDURE"):
            refuse(f"CREATE {kind}")
        props = tree.args.get("properties")
        for p in props.expressions if props is not None else []:
            if isinstance(p, exp.PartitionedByProperty):
                refuse("CREATE TABLE … PARTITION BY (partitioned tables)")
            if isinstance(p, exp.InheritsProperty):
                refuse("CREATE TABLE … INHERITS (table inheritance)")
        if isinstance(tree.this, exp.Schema) and any(isinstance(e, exp.LikeProperty) for e in tree.this.expressions):
            refuse("CREATE TABLE … (LIKE …)")
    if isinstance(tree, exp.Alter):
        for action in tree.args.get("actions") or []:
            if isinstance(action, exp.AddConstraint) and not _adds_primary_key(action):
                # DuckDB adds a primary key to an existing table (pgbench -i does), nothing else
                refuse("ALTER TABLE … ADD CONSTRAINT", "Declare constraints in CREATE TABLE.")
    for check in tree.find_all(exp.CheckColumnConstraint):
        if any(check.find_all(exp.CurrentTimestamp, exp.CurrentDate, exp.CurrentTime, exp.Rand)):
            # DuckDB takes only deterministic CHECKs (it reported an unknown column CURRENT_TIMESTAMP)
            refuse("a CHECK constraint calling now(), current_date or random()",
                   "Check the value in the application, or against a constant.")
    for cte in tree.find_all(exp.CTE):
        if isinstance(cte.this, (exp.Insert, exp.Update, exp.Delete)):
            # (sql/classify.py carries out the one form it can before this is reached)
            refuse("INSERT/UPDATE/DELETE inside WITH (a data-modifying CTE) other than one "
                   "… RETURNING CTE read by a SELECT",
                   "Write WITH x AS (INSERT … RETURNING …) SELECT … FROM x, or run the statements apart.")
    return tree


def _char_length_of(to: exp.DataType) -> tuple[bool, int] | None:
    """(is char(n), n) for varchar(n) / char(n) / character; None for other types."""
    T = exp.DataType.Type
    params = [p for p in to.expressions if isinstance(p, exp.DataTypeParam)]
    n = _int_literal(params[0].this) if params else None
    if to.this in (T.CHAR, T.NCHAR):
        return True, n if n is not None else 1  # character = character(1)
    if to.this in (T.VARCHAR, T.NVARCHAR, T.BPCHAR) and n is not None:
        return to.this == T.BPCHAR, n
    return None


def char_length_casts(tree: exp.Expression) -> exp.Expression:
    """x::varchar(n) keeps the first n characters, x::char(n) too and drops trailing blanks
    (DuckDB's VARCHAR has no length: it keeps char(n) unpadded, so comparisons ignore the
    padding as PostgreSQL's do; the row encoder pads it to n on output)."""
    def fix(node: exp.Expression) -> exp.Expression:
        if not isinstance(node, exp.Cast) or not isinstance(node.to, exp.DataType):
            return node
        spec = _char_length_of(node.to)
        if spec is None:
            return node
        is_char, n = spec
        text = _fn("substr", _cast(node.this, "VARCHAR"), exp.Literal.number(1), exp.Literal.number(n))
        return _fn("rtrim", text, exp.Literal.string(" ")) if is_char else text
    return tree.transform(fix, copy=False)


def _declared(kind) -> tuple[int, int] | None:
    from .result_types import _cast_type
    t = _cast_type(kind) if isinstance(kind, exp.DataType) else None
    return (t[1], t[2]) if t is not None else None


def _length_check(column: exp.Identifier, kind: exp.DataType) -> exp.ColumnConstraint | None:
    """CHECK (length(rtrim(c, ' ')) <= n): PostgreSQL's 22001 for a varchar(n)/char(n) value
    too long (blanks past n are allowed). `char_length` marks char(n): errors.py words the
    22001 message from the expression, and pg_catalog hides these checks."""
    spec = _char_length_of(kind)
    if spec is None:
        return None
    is_char, n = spec
    length = exp.Anonymous(this="char_length" if is_char else "length",
                           expressions=[_fn("rtrim", exp.column(column.copy()), exp.Literal.string(" "))])
    return exp.ColumnConstraint(kind=exp.CheckColumnConstraint(this=exp.LTE(this=length, expression=exp.Literal.number(n))))


def _sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _table_key(t: exp.Table) -> tuple[str, str]:
    schema = (t.db or "main").lower()
    return ("main" if schema == "public" else schema), t.name.lower()


def _named_constraints(schema: exp.Schema, s: str, t: str) -> list[str]:
    """VALUES rows (schema, table, contype, cols, name) for the primary keys, unique constraints,
    foreign keys and checks a CREATE TABLE names itself (CONSTRAINT uq_code UNIQUE (code),
    Alembic's and Django's naming conventions), when the name is not the one PostgreSQL would
    generate. A check's cols is '#n': the n-th CHECK of the table."""
    found: list[tuple[str, list[str], str]] = []
    checks = 0  # a CHECK is told by its place among the table's CHECKs (DuckDB keeps that order)
    for e in schema.expressions:
        if isinstance(e, exp.CheckColumnConstraint):  # CHECK (…) without a name
            checks += 1
        elif isinstance(e, exp.Constraint) and isinstance(e.this, exp.Identifier) and len(e.expressions) == 1:
            c = e.expressions[0]
            if isinstance(c, exp.CheckColumnConstraint):
                checks += 1
                found.append(("c", [f"#{checks}"], e.this.name))
            elif isinstance(c, exp.PrimaryKey):
                found.append(("p", [i.name for i in c.expressions], e.this.name))
            elif isinstance(c, exp.UniqueColumnConstraint) and isinstance(c.this, exp.Schema):
                found.append(("u", [i.name for i in c.this.expressions], e.this.name))
            elif isinstance(c, exp.ForeignKey):
                found.append(("f", [i.name for i in c.expressions], e.this.name))
        elif isinstance(e, exp.ColumnDef):
            for cc in e.args.get("constraints") or []:
                if not isinstance(cc, exp.ColumnConstraint):
                    continue
                kind = cc.args.get("kind")
                if isinstance(kind, exp.CheckColumnConstraint):
                    checks += 1
                    if isinstance(cc.this, exp.Identifier):
                        found.append(("c", [f"#{checks}"], cc.this.name))
                    continue
                contype = ("p" if isinstance(kind, exp.PrimaryKeyColumnConstraint) else
                           "u" if isinstance(kind, exp.UniqueColumnConstraint) else
                           "f" if isinstance(kind, exp.Reference) else None)
                if contype is not None and isinstance(cc.this, exp.Identifier):
                    found.append((contype, [e.name], cc.this.name))
    rows = []
    for contype, cols, name in found:
        cols = [c.lower() for c in cols]
        generated = {"p": f"{t}_pkey", "u": f"{t}_{'_'.join(cols)}_key", "f": f"{t}_{'_'.join(cols)}_fkey",
                     "c": None}[contype]
        if cols and name != generated:
            rows.append(f"({_sql_str(s)}, {_sql_str(t)}, '{contype}', {_sql_str(','.join(cols))}, {_sql_str(name)})")
    return rows


def declared_column_types(tree: exp.Expression) -> exp.Expression:
    """Record the PostgreSQL types DuckDB does not keep (varchar(n), char(n), jsonb,
    timestamp(p)…) in _dataforge.column_types, in the DDL's own transaction (statements run
    after it: engine/column_types.py), and enforce varchar(n)/char(n) lengths with a CHECK."""
    from ..engine.column_types import CONSTRAINT_NAMES, TABLE
    after: list[str] = []
    where = "schema_name = {} AND table_name = {}"
    if (isinstance(tree, exp.Create) and str(tree.args.get("kind") or "").upper() == "TABLE"
            and isinstance(tree.this, exp.Schema) and isinstance(tree.this.this, exp.Table)):
        props = tree.args.get("properties")
        if props is not None and any(isinstance(p, exp.TemporaryProperty) for p in props.expressions):
            return tree
        s, t = _table_key(tree.this.this)
        named = _named_constraints(tree.this, s, t)
        if named:
            after.append(f"DELETE FROM {CONSTRAINT_NAMES} WHERE " + where.format(_sql_str(s), _sql_str(t)))
            after.append(f"INSERT INTO {CONSTRAINT_NAMES} VALUES " + ", ".join(named))
        rows = []
        for col in tree.this.expressions:
            if not isinstance(col, exp.ColumnDef):
                continue
            d = _declared(col.args.get("kind"))
            if d is None:
                continue
            rows.append(f"({_sql_str(s)}, {_sql_str(t)}, {_sql_str(col.name.lower())}, {d[0]}, {d[1]})")
            check = _length_check(col.this, col.args["kind"])
            if check is not None:
                col.append("constraints", check)
        if rows:
            after.append(f"DELETE FROM {TABLE} WHERE " + where.format(_sql_str(s), _sql_str(t)))
            after.append(f"INSERT INTO {TABLE} VALUES " + ", ".join(rows))
    elif isinstance(tree, exp.Alter) and isinstance(tree.this, exp.Table):
        s, t = _table_key(tree.this)
        tw = where.format(_sql_str(s), _sql_str(t))
        for action in tree.args.get("actions") or []:
            if isinstance(action, (exp.ColumnDef, exp.AlterColumn)):
                kind = action.args.get("kind") if isinstance(action, exp.ColumnDef) else action.args.get("dtype")
                if kind is None:
                    continue
                c = _sql_str(action.name.lower())
                d = _declared(kind)
                if d is None and isinstance(action, exp.ColumnDef):
                    continue  # a new column of a type DuckDB keeps
                after.append(f"DELETE FROM {TABLE} WHERE {tw} AND column_name = {c}")
                if d is not None:
                    after.append(f"INSERT INTO {TABLE} VALUES ({_sql_str(s)}, {_sql_str(t)}, {c}, {d[0]}, {d[1]})")
            elif isinstance(action, exp.Drop) and str(action.args.get("kind") or "").upper() == "COLUMN":
                for c in action.args.get("tables") or []:
                    after.append(f"DELETE FROM {TABLE} WHERE {tw} AND column_name = {_sql_str(c.name.lower())}")
            elif isinstance(action, exp.RenameColumn) and action.args.get("to") is not None:
                after.append(f"UPDATE {TABLE} SET column_name = {_sql_str(action.args['to'].name.lower())} "
                             f"WHERE {tw} AND column_name = {_sql_str(action.this.name.lower())}")
            elif isinstance(action, exp.AlterRename) and isinstance(action.this, exp.Table):
                after.append(f"UPDATE {TABLE} SET table_name = {_sql_str(action.this.name.lower())} WHERE {tw}")
                after.append(f"UPDATE {CONSTRAINT_NAMES} SET table_name = {_sql_str(action.this.name.lower())} WHERE {tw}")
    elif isinstance(tree, exp.Drop) and str(tree.args.get("kind") or "").upper() == "TABLE":
        for tbl in tree.args.get("tables") or []:
            if isinstance(tbl, exp.Table):
                s, t = _table_key(tbl)
                after.append(f"DELETE FROM {TABLE} WHERE " + where.format(_sql_str(s), _sql_str(t)))
                after.append(f"DELETE FROM {CONSTRAINT_NAMES} WHERE " + where.format(_sql_str(s), _sql_str(t)))
    if after:
        tree.meta["duckdb_after"] = [*(tree.meta.get("duckdb_after") or []), *after]
    return tree


def typmod_free_columns(tree: exp.Expression) -> frozenset[int]:
    """Result columns PostgreSQL reports without a type modifier: everything but a table
    column and an explicit cast to a type with one (numeric(12,2), varchar(10)). DuckDB's
    DECIMAL always has a precision and scale, so 1.5, sum(n) or avg(x) would otherwise be
    described as numeric(p,s). Read from the PostgreSQL tree; stops at the first *."""
    sel = tree
    if isinstance(tree, (exp.Insert, exp.Update, exp.Delete)):
        ret = tree.args.get("returning")
        items = ret.expressions if ret is not None else []
    else:
        while isinstance(sel, exp.Subquery):
            sel = sel.this
        if isinstance(sel, exp.SetOperation):
            return frozenset()
        if not isinstance(sel, exp.Select):
            return frozenset()
        items = sel.expressions
    free = []
    for i, e in enumerate(items):
        if isinstance(e, exp.Alias):
            e = e.this
        if isinstance(e, exp.Star) or (isinstance(e, exp.Column) and e.is_star):
            break
        while isinstance(e, exp.Paren):
            e = e.this
        if isinstance(e, exp.Column):
            continue
        to = e.to if isinstance(e, exp.Cast) else None
        while isinstance(to, exp.DataType) and to.this == exp.DataType.Type.ARRAY and to.expressions:
            to = to.expressions[0]
        if isinstance(to, exp.DataType) and to.expressions:
            continue
        free.append(i)
    return frozenset(free)


TRANSFORMS: list[Callable[[exp.Expression], exp.Expression]] = [
    referential_actions,
    unique_constraint_as_index,
    upsert_keeps_conflict_key,
    constraints_by_rebuild,
    drop_constraint_by_rebuild,
    update_set_default,
    insert_alias_in_returning,
    no_identity_columns,
    untranslatable_constructs,
    no_cross_database_references,
    group_by_output_name_over_relation,
    fold_unquoted_identifiers,
    scalar_function_in_from,
    operator_syntax,
    default_collation,
    sequence_functions,
    serial_columns,
    sequence_options,
    generated_columns,
    add_column_not_null,
    create_table_as_no_data,
    create_index_forms,
    truncate_forms,
    unqualify_pg_catalog_functions,
    pg_catalog_relations,
    zero_based_vector_subscripts,
    session_user_keywords,
    public_schema_is_main,
    set_operation_literals_take_cast_type,
    values_column_names,
    null_projection_is_text,
    pg_column_names,
    char_length_casts,
    series_bound_literals,
    regexp_matches_global,
    regexp_match_functions,
    row_constructor_fields,
    multi_argument_unnest,
    set_returning_functions,
    to_char_template,
    to_timestamp_template,
    format_function,
    date_part_float8,
    exponent_literals_numeric,
    concat_null_is_text,
    time_literal_seconds,
    interval_division,
    division_stays_integer,
    array_append_operator,
    div_function,
    quote_functions,
    grouping_int4,
    typed_math_functions,
    justify_functions,
    unknown_operands,
    unknown_literal_takes_operand_type,
    bool_literals_concatenated,
    numeric_literal_casts,
    numeric_storage.casts,
    time_to_interval,
    float8_text_cast,
    float4_with_integer_is_float8,
    reg_casts,
    unsupported_types,
    pg_only_type_names,
    float_precision_types,
    catalog_functions,
    division_by_zero_errors,
    current_setting_to_macro,
    version_to_macro,
    int4_min_literal,
    int_literal_operands_are_int4,
    array_column_default_literal,
    pg_literal_input,
    sum_types,
    avg_numeric,
    int4_results,
    subtraction_types,
    extract_numeric,
    round_float_half_even,
    like_any_all,
    any_array_in_join_condition,
    like_backslash_escape,
    similar_to_regex,
    to_hex_lowercase,
    missing_functions,
    builtin_functions,
    jsonb_functions,
    jsonb_operators,
    json_arrow_in_call_args,
    date_trunc_of_date,
    ascii_case_mapping,
    declared_column_types,
    numeric_storage.column_storage,
]


# Transforms that act only on node kinds no transform creates: skipped when the statement has
# none of them (one walk instead of one per transform; each walk costs ~40 us on a join).
_NEEDS: dict[Callable, tuple[type, ...]] = {
    operator_syntax: (exp.Operator,),
    default_collation: (exp.Collate, exp.CollateColumnConstraint),
    set_returning_functions: (exp.ExplodingGenerateSeries, exp.Unnest),
    series_bound_literals: (exp.ExplodingGenerateSeries,),
    multi_argument_unnest: (exp.Unnest,),
    like_any_all: (exp.Like, exp.ILike),
    any_array_in_join_condition: (exp.Any,),
    array_column_default_literal: (exp.ColumnDef,),
    format_function: (exp.Format,),
    grouping_int4: (exp.Grouping,),
    justify_functions: (exp.JustifyHours, exp.JustifyDays, exp.JustifyInterval),
    generated_columns: (exp.ComputedColumnConstraint,),
    untranslatable_constructs: (exp.Create, exp.Alter, exp.CTE),
    unique_constraint_as_index: (exp.Alter,),
    drop_constraint_by_rebuild: (exp.Alter,),
    upsert_keeps_conflict_key: (exp.OnConflict,),
    group_by_output_name_over_relation: (exp.Group,),
    set_operation_literals_take_cast_type: (exp.SetOperation,),
    update_set_default: (exp.Update, exp.Insert),
    referential_actions: (exp.Reference,),
    insert_alias_in_returning: (exp.Returning,),
    no_identity_columns: (exp.Case,),
    interval_division: (exp.Div,),
    division_stays_integer: (exp.Div,),
    similar_to_regex: (exp.SimilarTo,),
    unsupported_types: (exp.DataType,),
    array_append_operator: (exp.Array,),
    unknown_operands: (exp.Null,),
    concat_null_is_text: (exp.Null,),
    bool_literals_concatenated: (exp.Boolean,),
    char_length_casts: (exp.Cast,),
    declared_column_types: (exp.Create, exp.Alter, exp.Drop),
    numeric_storage.casts: (exp.Cast,),
    numeric_storage.column_storage: (exp.ColumnDef, exp.AlterColumn),
}


def to_duckdb(tree: exp.Expression, _rows_copy: bool = False) -> Rewritten:
    """The statement in DuckDB's SQL. `_rows_copy`: an ALTER TABLE written for the set-aside
    rows of a rebuild (engine/rebuild.py): no statements around it (bookkeeping of the real
    table), not wrapped again."""
    t = tree.copy()
    kinds = {type(n) for n in t.walk()}
    for fn in TRANSFORMS:
        needs = _NEEDS.get(fn)
        if needs is not None and not any(issubclass(k, needs) for k in kinds):
            continue
        t = fn(t)
    try:
        sql = _one_per_table(t) or t.sql("duckdb")
    except SqlglotError as e:
        raise PgError("0A000", f"statement cannot be translated for DuckDB: {e}") from None
    before, after = t.meta.get("duckdb_before"), t.meta.get("duckdb_after")
    if _rows_copy:
        return Rewritten(t, sql)
    if before or after:  # statements the translation needs around it (a serial's sequence…)
        sql = "; ".join([*(before or []), sql, *(after or [])])
    if isinstance(t, exp.Alter) and str(t.args.get("kind") or "").upper() == "TABLE" and (
            isinstance(tree.this, exp.Table)) and not any(isinstance(a, exp.AlterRename) for a in t.args.get("actions") or []):
        sql = _alter_with_dependents(tree, t, sql)
    return Rewritten(t, sql)


def _alter_with_dependents(pg_tree: exp.Alter, t: exp.Alter, sql: str) -> str:
    """ALTER TABLE runs through engine/rebuild.alter_table, which rebuilds a table DuckDB would
    refuse to alter (an index, referencing foreign keys). It needs the same ALTER written for
    the table's set-aside rows (not for a plain ADD COLUMN, which DuckDB does in place; the
    rows' copy never creates a serial's sequence again) and the renamed and dropped columns."""
    actions = t.args.get("actions") or []
    renamed: dict[str, str] = {}
    dropped: list[str] = []
    retyped = [a.this.name for a in actions if isinstance(a, exp.AlterColumn) and a.args.get("dtype") is not None]
    checks = []  # a new varchar(n)/char(n) type's length check, as CREATE TABLE gives it
    for a in actions:
        if isinstance(a, exp.AlterColumn) and isinstance(a.args.get("dtype"), exp.DataType):
            c = _length_check(exp.to_identifier(a.this.name), a.args["dtype"])
            if c is not None:
                checks.append(c.args["kind"].sql("duckdb"))
        elif isinstance(a, exp.ColumnDef) and isinstance(a.args.get("kind"), exp.DataType):
            c = _length_check(exp.to_identifier(a.this.name), a.args["kind"])  # ADD COLUMN c varchar(n)
            if c is not None:
                checks.append(c.args["kind"].sql("duckdb"))
    for a in actions:
        if isinstance(a, exp.RenameColumn) and a.args.get("to") is not None:
            renamed[a.this.name.lower()] = a.args["to"].name
        elif isinstance(a, exp.Drop) and str(a.args.get("kind") or "").upper() == "COLUMN":
            dropped += [c.name for c in a.args.get("tables") or []]
    keep_sql = None
    # ADD COLUMN runs in place, unless it also sets NOT NULL (DuckDB: a second ALTER, refused on
    # an indexed table) or brings a length check: then the rows are rebuilt with the column too
    adds = [a for a in pg_tree.args.get("actions") or [] if isinstance(a, exp.ColumnDef)]
    adds_not_null = any(isinstance(c.args.get("kind"), exp.NotNullColumnConstraint)
                        for a in adds for c in a.args.get("constraints") or [])
    if not adds or checks or adds_not_null:
        keep = pg_tree.copy()
        keep.set("this", exp.to_table(rebuild.KEEP))
        keep_sql = to_duckdb(keep, _rows_copy=True).sql
    schema = pg_tree.this.db or None
    return rebuild.MARK_ALTER + rebuild.alter_payload(
        "main" if schema == "public" else schema, pg_tree.this.name, sql, keep_sql, renamed, dropped, retyped,
        checks, adds_not_null)


def _one_per_table(t: exp.Expression) -> str | None:
    """DROP TABLE a, b (pgbench -i sends it): DuckDB takes one table per statement, so run one
    statement per table (in order, in the same transaction). TRUNCATE a, b: truncate_forms."""
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
    return None
