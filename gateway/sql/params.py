"""Bind parameters: infer their types, and render typed values into the statement as literals.

DuckDB plans `WHERE id = $1` as a filtered scan but `WHERE id = 42` as an index lookup, and a
literal skips its prepare step too. Values are rendered from decoded, typed Python values by
`render_literal` (quotes doubled, types cast) into the DuckDB text that sqlglot generated with a
marker at each parameter (sql/classify.py), so client text is never pasted into SQL.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import uuid
from typing import Any, Callable, Sequence

import sqlglot
from sqlglot import exp

from .. import advisory_locks
from ..errors import PgError
from ..protocol.types import duckdb_type_for_oid
from .classify import Statement, _param_index

# values larger than this go to DuckDB as bound parameters rather than literals
MAX_LITERAL = 64 * 1024


def _quote(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _decimal_literal(value: decimal.Decimal, cast: str | None) -> str:
    """A numeric parameter as a DECIMAL of its own precision and scale (PostgreSQL keeps them;
    a bare 5 would be DuckDB's INTEGER, 1E-20 its DOUBLE)."""
    text = str(value)
    _, digits, exp = value.as_tuple()
    if exp < 0 and "E" not in text:
        return _quote(text) if cast else text  # DuckDB reads 1.50 as DECIMAL(3,2) itself
    scale = max(-exp, 0)
    whole = max(len(digits) + exp, 0)
    precision = max(whole + scale, scale + 1, 1)
    if cast or precision > 38:
        return _quote(text) if cast else text
    return f"CAST('{value:f}' AS DECIMAL({precision},{scale}))"


def render_literal(value: Any, cast: str | None = None) -> str:
    if value is None:
        lit = "NULL"
    elif isinstance(value, bool):
        lit = "TRUE" if value else "FALSE"
    elif isinstance(value, int):
        lit = str(value)
    elif isinstance(value, float):
        if math.isnan(value):
            lit = "'NaN'::DOUBLE"
        elif math.isinf(value):
            lit = "'Infinity'::DOUBLE" if value > 0 else "'-Infinity'::DOUBLE"
        else:
            lit = repr(value) + "::DOUBLE"
    elif isinstance(value, decimal.Decimal):
        if not value.is_finite():  # DuckDB's DECIMAL has no NaN: its own conversion error
            lit = f"CAST('{value}' AS DECIMAL(38,10))"
        else:
            lit = _decimal_literal(value, cast)
    elif isinstance(value, str):
        lit = _quote(value)
    elif isinstance(value, (bytes, bytearray, memoryview)):
        lit = "'" + "".join(f"\\x{b:02X}" for b in bytes(value)) + "'::BLOB"
    elif isinstance(value, dt.datetime):
        lit = _quote(value.isoformat(sep=" ")) + ("::TIMESTAMPTZ" if value.tzinfo else "::TIMESTAMP")
    elif isinstance(value, dt.date):
        lit = _quote(value.isoformat()) + "::DATE"
    elif isinstance(value, dt.time):
        lit = _quote(value.isoformat()) + ("::TIMETZ" if value.tzinfo else "::TIME")
    elif isinstance(value, dt.timedelta):
        lit = f"INTERVAL '{int(value.total_seconds() * 1_000_000)} microseconds'"
    elif isinstance(value, uuid.UUID):
        lit = _quote(str(value)) + "::UUID"
    elif isinstance(value, (list, tuple)):
        lit = "[" + ", ".join(render_literal(v) for v in value) + "]"
    else:
        lit = _quote(str(value))
    if cast:
        return f"CAST({lit} AS {cast})"
    return lit


def _too_big(v: Any) -> bool:
    if isinstance(v, (str, bytes, bytearray)):
        return len(v) > MAX_LITERAL
    if isinstance(v, (list, tuple)):
        return len(v) > 1000
    return False


def bind_sql(st: Statement, values: Sequence[Any], oids: Sequence[int]) -> tuple[str, list | None]:
    """DuckDB SQL and parameter list for one execution of `st` with `values`."""
    if not st.nparams:
        return st.duck_sql, None
    if st.parts is None or any(_too_big(v) for v in values):
        return st.duck_sql, list(values)
    out = [st.parts[0]]
    for k, i in enumerate(st.part_params):  # type: ignore[arg-type]
        oid = oids[i] if i < len(oids) else 0
        out.append(render_literal(values[i], duckdb_type_for_oid(oid) if oid else None))
        out.append(st.parts[k + 1])
    return "".join(out), None


# A typed sample value per DuckDB type: DuckDB folds CAST(NULL AS T) into an untyped NULL
# while binding, which then resolves operators wrongly (NULL::text || x comes out INTEGER).
_SAMPLES = {
    "BOOLEAN": "true", "DATE": "2000-01-01", "TIME": "00:00:00", "TIMETZ": "00:00:00+00",
    "TIMESTAMP": "2000-01-01 00:00:00", "TIMESTAMPTZ": "2000-01-01 00:00:00+00", "INTERVAL": "1 day",
    "UUID": "00000000-0000-0000-0000-000000000000", "JSON": "{}", "BLOB": "", "VARCHAR": "",
}


# types with no lossless DuckDB cast for values, but a fine one for a sample
_PROBE_TYPES = {1700: "DECIMAL(38,10)", 1231: "DECIMAL(38,10)[]"}


def _sample(t: str) -> str:
    base = t.split("(")[0].upper()
    if t.endswith("]"):
        return f"CAST([] AS {t})"
    if base in _SAMPLES:
        return f"CAST('{_SAMPLES[base]}' AS {t})"
    if base in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "DOUBLE", "FLOAT", "REAL", "DECIMAL",
                "UBIGINT", "UINTEGER"):
        return f"CAST(1 AS {t})"
    return f"CAST(NULL AS {t})"


def probe_sql(st: Statement, oids: Sequence[int]) -> str:
    """The statement with every parameter replaced by a sample value of its type: it binds
    without the client's values, so DuckDB reports the result columns without executing."""
    if st.parts is None:
        return st.duck_sql
    out = [st.parts[0]]
    for k, i in enumerate(st.part_params):  # type: ignore[arg-type]
        oid = oids[i] if i < len(oids) else 0
        t = duckdb_type_for_oid(oid or 25) or _PROBE_TYPES.get(oid)
        out.append(_sample(t) if t else "NULL")
        out.append(st.parts[k + 1])
    return "".join(out)


# ------------------------------------------------------------------ parameter type inference

# DuckDB column type names → PostgreSQL type OIDs for inferred parameters
def _oid_for_duck(type_name: str) -> int:
    """OID for a DuckDB type name as written ('INT', 'TEXT', 'DECIMAL(10,2)'…)."""
    import duckdb

    from ..protocol.types import TYPES_BY_NAME, pg_type_of

    # oid, name and the reg* types: DuckDB has no name and its OID alias is BIGINT, PostgreSQL's
    # are types of their own
    base = type_name.upper().removesuffix("[]")
    if base in ("OID", "NAME") or base.startswith("REG"):
        t = TYPES_BY_NAME.get(("_" if type_name.endswith("[]") else "") + base.lower())
        if t is not None:
            return t.oid
    try:
        canonical = str(duckdb.sqltype(type_name))
    except Exception:  # a type of the database (an enum): text, as its values are sent
        return 1009 if type_name.endswith("[]") else 25
    return pg_type_of(canonical).oid


def type_oid(pg_type: str) -> int:
    """OID of a PostgreSQL type name as written in SQL ('int', 'numeric(10,2)', 'text[]')."""
    from .parse import PgDialect

    try:
        cast = sqlglot.parse_one(f"CAST(NULL AS {pg_type})", read=PgDialect)
    except sqlglot.errors.ParseError:
        raise PgError("42601", f'syntax error at or near "{pg_type}"') from None
    return _oid_for_duck(cast.args["to"].sql("duckdb"))


def infer_param_oids(
    st: Statement, declared: Sequence[int], column_type: Callable[[str | None, str], str | None],
    unknown: int = 25,
) -> list[int]:
    """PostgreSQL infers an unspecified parameter's type from its context; so do we, for the
    contexts drivers rely on: comparisons and assignments with columns, INSERT VALUES, casts,
    LIMIT/OFFSET. Anything else is `unknown`: text, as PostgreSQL says for an unknown-typed
    parameter, or 0 to let the caller try probe_queries() first.

    `column_type(table_or_alias, column)` answers a column's DuckDB type name, or None.
    """
    n = st.nparams
    oids = [declared[i] if i < len(declared) else 0 for i in range(n)]
    if all(oids) or st.tree is None:
        return [o or unknown for o in oids]
    tree = st.tree
    found: dict[int, int] = {}

    def col_oid(col: exp.Column) -> int | None:
        t = column_type(col.table or None, col.name)
        return _oid_for_duck(t) if t else None

    for p in tree.find_all(exp.Parameter):
        i = _param_index(p)
        if i is None or oids[i - 1] or (i - 1) in found:
            continue
        parent = p.parent
        oid = None
        if isinstance(parent, exp.Cast):
            to = parent.args.get("to")
            if to is not None:
                # varchar(n), char(n), jsonb and their arrays: DuckDB's type would say text/json
                special = _pg_only_cast(to)
                oid = special if special is not None else _oid_for_duck(to.sql("duckdb"))
        elif isinstance(parent, exp.In):
            if isinstance(parent.this, exp.Column):
                oid = col_oid(parent.this)
        elif isinstance(parent, exp.Between):
            if isinstance(parent.this, exp.Column):
                oid = col_oid(parent.this)
        elif isinstance(parent, (exp.Limit, exp.Offset)) or isinstance(parent, exp.Fetch):
            oid = 20
        elif isinstance(parent, exp.Anonymous) and parent.name.lower() == "setval" and p.arg_key == "expressions":
            k = next(j for j, e in enumerate(parent.expressions) if e is p)
            oid = (2205, 20, 16)[min(k, 2)]  # setval(regclass, bigint, boolean)
        elif isinstance(parent, exp.Anonymous) and parent.name.lower() == "pg_sleep":
            oid = 701  # seconds, double precision
        elif isinstance(parent, exp.Anonymous) and parent.name.lower() in advisory_locks.FUNCTIONS:
            oid = 20 if len(parent.expressions) == 1 else 23  # one bigint key, or two int4 keys
        elif isinstance(parent, exp.Binary) and not isinstance(parent, (exp.And, exp.Or, exp.DPipe)):
            # comparisons and arithmetic with a column: the column's type
            other = parent.expression if parent.this is p else parent.this
            if isinstance(other, exp.Column):
                oid = col_oid(other)
            elif isinstance(other, exp.Cast) and other.args.get("to") is not None:
                # $1::int + $2 (Knex's raw bindings): the unknown side takes the cast's type,
                # as PostgreSQL's operator resolution gives it
                to = other.args["to"]
                special = _pg_only_cast(to)
                oid = special if special is not None else _oid_for_duck(to.sql("duckdb"))
        if oid is not None:
            found[i - 1] = oid
    # UPDATE t SET col = $n
    if isinstance(tree, exp.Update):
        for a in tree.expressions:
            if isinstance(a, exp.EQ) and isinstance(a.expression, exp.Parameter):
                i = _param_index(a.expression)
                if i and not oids[i - 1]:
                    t = column_type(_table_name(tree.this), a.this.name)
                    if t:
                        found[i - 1] = _oid_for_duck(t)
    # INSERT INTO t (cols) VALUES ($1, …)
    if isinstance(tree, exp.Insert) and isinstance(tree.expression, exp.Values):
        target = tree.this
        table = _table_name(target.this if isinstance(target, exp.Schema) else target)
        cols = [c.name for c in target.expressions] if isinstance(target, exp.Schema) else None
        for tup in tree.expression.expressions:
            if not isinstance(tup, exp.Tuple):
                continue
            for k, v in enumerate(tup.expressions):
                if isinstance(v, exp.Parameter):
                    i = _param_index(v)
                    if i and not oids[i - 1]:
                        col = cols[k] if cols and k < len(cols) else f"#{k}"
                        t = column_type(table, col)
                        if t:
                            found[i - 1] = _oid_for_duck(t)
    return [oids[i] or found.get(i, unknown) for i in range(n)]


def probe_queries(st: Statement, oids: Sequence[int]) -> dict[int, str]:
    """For each parameter infer_param_oids left undecided (0) that is compared with, or
    combined with, an expression of its SELECT's FROM items (`i = $2` where `i` comes from a
    function, a subquery or a join the schema lookup cannot see): a DuckDB query selecting
    that expression over the same FROM, whose bound (not run) result type is the parameter's.
    {parameter index (0-based): DuckDB SQL}."""
    out: dict[int, str] = {}
    if st.tree is None:
        return out
    for p in st.tree.find_all(exp.Parameter):
        i = _param_index(p)
        if i is None or i > len(oids) or oids[i - 1] or (i - 1) in out:
            continue
        parent = p.parent
        if not isinstance(parent, exp.Binary) or isinstance(parent, (exp.And, exp.Or, exp.DPipe)):
            continue
        other = parent.expression if parent.this is p else parent.this
        sel = p.find_ancestor(exp.Select)
        frm = (sel.args.get("from_") or sel.args.get("from")) if sel is not None else None
        if other is None or frm is None or other.find(exp.Parameter) is not None:
            continue
        joins = sel.args.get("joins") or []
        if frm.find(exp.Parameter) is not None or any(j.find(exp.Parameter) for j in joins):
            continue
        probe = exp.Select(expressions=[other.copy()])
        probe.set("from_" if "from_" in sel.args else "from", frm.copy())
        if joins:
            probe.set("joins", [j.copy() for j in joins])
        with_ = sel.args.get("with_") or sel.args.get("with")
        if with_ is not None:
            if with_.find(exp.Parameter) is not None:
                continue
            probe.set("with_" if "with_" in sel.args else "with", with_.copy())
        try:
            out[i - 1] = probe.sql("duckdb")
        except Exception:  # noqa: BLE001 - no probe: the parameter stays text
            continue
    return out


def oid_for_duck(type_name: str) -> int:
    return _oid_for_duck(type_name)


def _pg_only_cast(to: exp.Expression) -> int | None:
    from .result_types import ARRAY_OF, _cast_type

    t = _cast_type(to) if isinstance(to, exp.DataType) else None
    if t is None or t[1] in (1114, 1184, 1115, 1185):
        return None
    return t[1] if t[1] in ARRAY_OF or t[1] in ARRAY_OF.values() else None


def _table_name(node) -> str | None:
    if isinstance(node, exp.Table):
        return node.name
    return None


VOID_OID = 2278


def without_void_arguments(text: str, tokens: list, param_oids: Sequence[int]) -> str | None:
    """pgjdbc's CallableStatement `{? = call f(?)}` sends `select * from f($1,$2) as result`
    with $1 declared void (the OUT placeholder, bound to NULL); PostgreSQL's function lookup
    drops void-typed parameters from a call's arguments, so it calls f($2). The statement's
    text without them (its other parameters keep their numbers), or None when none is an
    argument. Read from the tokens: sqlglot cannot parse f($1,$2) for a one-argument f."""
    cut: list[tuple[int, int]] = []
    n = len(tokens)
    for i in range(1, n - 2):
        t, num = tokens[i], tokens[i + 1]
        if t.token_type.name != "PARAMETER" or num.token_type.name != "NUMBER" or not num.text.isdigit():
            continue
        k = int(num.text)
        if k > len(param_oids) or param_oids[k - 1] != VOID_OID:
            continue
        before, after = tokens[i - 1].token_type.name, tokens[i + 2].token_type.name
        if before == "L_PAREN" and after == "COMMA":  # f($1, …): the argument and the comma after it
            cut.append((t.start, tokens[i + 3].start if i + 3 < n else tokens[i + 2].end + 1))
        elif before == "COMMA" and after in ("COMMA", "R_PAREN"):  # f(…, $1[, …]): the comma before it
            cut.append((tokens[i - 1].start, num.end + 1))
        elif before == "L_PAREN" and after == "R_PAREN" and i >= 2 and tokens[i - 2].token_type.name == "VAR":
            cut.append((t.start, num.end + 1))  # f($1): no arguments left
    if not cut:
        return None
    out, pos = [], 0
    for a, b in cut:
        out.append(text[pos:a])
        pos = b
    out.append(text[pos:])
    return "".join(out)
