"""jsonb functions and operators DuckDB lacks or answers differently, as DuckDB functions.

DuckDB's json_* functions re-serialise numbers through doubles (1.50 comes back as 1.5), keep
duplicate keys, and search containment at any depth; PostgreSQL's jsonb does none of that. So
jsonb values are read and written here, in Python, with protocol/jsonb.py's value model:
Arrow-vectorised scalar UDFs (one call per batch, not per row) registered on the database's
connection, which every cursor shares. Only statements that use jsonb operators or functions
call them (the rewrites in sql/rewrite.py: jsonb_functions); nothing else pays for them.

Errors leave as `JsonbUdfError('SQLSTATE: message')`; errors.from_duckdb turns that back into
the SQLSTATE and message.
"""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pyarrow as pa

from ..protocol.jsonb import (
    JsonbError,
    JsonbNumber,
    canonical_jsonb_array,
    dump_jsonb,
    parse_jsonb,
    pretty_jsonb,
)
from .pg_catalog import COMPAT_DB


class JsonbUdfError(Exception):
    """Raised inside a UDF; its text is 'SQLSTATE: message' (see errors.from_duckdb)."""


def _fail(sqlstate: str, message: str):
    raise JsonbUdfError(f"{sqlstate}: {message}")


def _parse(text: str):
    try:
        return parse_jsonb(text)
    except JsonbError as e:
        raise JsonbUdfError(f"{e.sqlstate}: {e}") from None


_JSON = pa.json_(pa.string())


def _rows(*cols: pa.Array):
    return zip(*(c.to_pylist() for c in cols))


# --------------------------------------------------------------------------- the functions
# Each takes Python values of one row (None for SQL NULL) and returns the result's value.


_MISSING = object()  # a path that leads nowhere (SQL NULL), unlike a JSON null (None)


def _get(doc, key, by_index: bool):
    """-> / ->>: an object's field or an array's element (negative index from the end); a
    scalar counts as a one-element array, as in PostgreSQL."""
    if by_index:
        if type(doc) is dict:
            return _MISSING
        items = doc if type(doc) is list else [doc]
        i = int(key)
        if i < 0:
            i += len(items)
        return items[i] if 0 <= i < len(items) else _MISSING
    return doc.get(key, _MISSING) if type(doc) is dict else _MISSING


def _get_path(doc, path: list):
    """#> / #>>: follow a text[] path (array steps are integers)."""
    for step in path:
        if step is None:
            return _MISSING
        if type(doc) is dict:
            if step not in doc:
                return _MISSING
            doc = doc[step]
        elif type(doc) is list:
            try:
                i = int(step)
            except ValueError:
                return _MISSING
            if i < 0:
                i += len(doc)
            if not 0 <= i < len(doc):
                return _MISSING
            doc = doc[i]
        else:
            return _MISSING
    return doc


def _as_text(v):
    """->> and friends: strings unquoted, JSON null as SQL NULL, the rest as jsonb text."""
    if v is None:
        return None
    if type(v) is str:
        return v
    return dump_jsonb(v)


def _scalar_equal(a, b) -> bool:
    if type(a) is JsonbNumber and type(b) is JsonbNumber:
        return Decimal(a) == Decimal(b)
    return type(a) is type(b) and a == b


def _contains(a, b, top: bool = False) -> bool:
    """PostgreSQL's JsonbDeepContains: does a contain b?"""
    ta, tb = type(a), type(b)
    if ta is dict:
        if tb is not dict:
            return False
        for k, bv in b.items():
            if k not in a:
                return False
            av = a[k]
            if type(bv) in (dict, list):
                if type(av) is not type(bv) or not _contains(av, bv):
                    return False
            elif not _scalar_equal(av, bv):
                return False
        return True
    if ta is list:
        if tb is not list:
            if top and tb is not dict:  # a top-level array contains a raw scalar
                return any(_scalar_equal(x, b) for x in a if type(x) not in (dict, list))
            return False
        scalars = [x for x in a if type(x) not in (dict, list)]
        for bv in b:
            if type(bv) in (dict, list):
                if not any(type(x) is type(bv) and _contains(x, bv) for x in a):
                    return False
            elif not any(_scalar_equal(x, bv) for x in scalars):
                return False
        return True
    if tb in (dict, list):
        return False
    return _scalar_equal(a, b)


def _equal(a, b) -> bool:
    """jsonb = jsonb: numbers compare by value (1.0 = 1), the rest structurally."""
    ta, tb = type(a), type(b)
    if ta is dict:
        return tb is dict and a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if ta is list:
        return tb is list and len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    return _scalar_equal(a, b)


def _exists(doc, key: str) -> bool:
    """?: a top-level key, a string element of an array, or the string itself."""
    if type(doc) is dict:
        return key in doc
    if type(doc) is list:
        return any(type(x) is str and x == key for x in doc)
    return type(doc) is str and doc == key


def _concat(a, b):
    """||: objects merge (right wins); otherwise arrays concatenate, scalars count as [x]."""
    if type(a) is dict and type(b) is dict:
        out = dict(a)
        out.update(b)
        return out
    left = a if type(a) is list else [a]
    right = b if type(b) is list else [b]
    return left + right


def _delete(doc, key, by_index: bool):
    """- text / - int."""
    if by_index:
        if type(doc) is dict:
            _fail("22023", "cannot delete from object using integer index")
        if type(doc) is not list:
            _fail("22023", "cannot delete from scalar")
        i = int(key)
        if i < 0:
            i += len(doc)
        return [x for j, x in enumerate(doc) if j != i]
    if type(doc) is dict:
        return {k: v for k, v in doc.items() if k != key}
    if type(doc) is list:
        return [x for x in doc if not (type(x) is str and x == key)]
    _fail("22023", "cannot delete from scalar")


def _delete_keys(doc, keys: list):
    """- text[]."""
    for k in keys:
        if k is not None:
            doc = _delete(doc, k, False)
    return doc


def _index(step: str, what: str) -> int:
    try:
        return int(step)
    except ValueError:
        _fail("22P02", f'path element at position {what} is not an integer: "{step}"')


def _delete_path(doc, path: list):
    """#- text[]: remove what the path points at (nothing if it points nowhere)."""
    if type(doc) not in (dict, list):
        _fail("22023", "cannot delete path in scalar")
    if not path:
        return doc
    return _edit(doc, path, 0, "delete")


def _edit(doc, path: list, depth: int, mode: str, new=None, flag: bool = False):
    """Copy doc with what the path's last step names deleted, set (flag: create if missing) or
    inserted (flag: after the element), as #-, jsonb_set and jsonb_insert do."""
    step = path[depth]
    if step is None:
        _fail("22004", f"path element at position {depth + 1} is null")
    last = depth == len(path) - 1
    if type(doc) is dict:
        if not last:
            if step not in doc:
                return doc
            out = dict(doc)
            child = doc[step]
            if type(child) in (dict, list):
                out[step] = _edit(child, path, depth + 1, mode, new, flag)
            return out
        out = dict(doc)
        if mode == "delete":
            out.pop(step, None)
        elif mode == "set":
            if step in doc or flag:
                out[step] = new
        elif mode == "insert":
            if step in doc:
                _fail("22023", "cannot replace existing key")
            out[step] = new
        return out
    if type(doc) is list:
        if not doc and (mode == "delete" or mode == "set" and not flag):
            return doc  # nothing to find in an empty array, whatever the step
        i = _index(step, str(depth + 1))
        n = len(doc)
        if not last:
            j = i + n if i < 0 else i
            if not 0 <= j < n:
                return doc
            child = doc[j]
            out = list(doc)
            if type(child) in (dict, list):
                out[j] = _edit(child, path, depth + 1, mode, new, flag)
            return out
        if mode == "delete":
            j = i + n if i < 0 else i
            return [x for k, x in enumerate(doc) if k != j]
        if mode == "set":
            j = i + n if i < 0 else i
            out = list(doc)
            if 0 <= j < n:
                out[j] = new
            elif flag:  # out of range: prepend or append
                if j < 0:
                    out.insert(0, new)
                else:
                    out.append(new)
            return out
        # insert: before the element (or after it with insert_after), clamped to the ends
        j = i + n if i < 0 else i
        if j < 0:
            pos = 0
        elif j >= n:
            pos = n
        else:
            pos = j + 1 if flag else j
        out = list(doc)
        out.insert(pos, new)
        return out
    return doc  # a scalar in the middle of the path: nothing to change


def _set(doc, path: list, new, create_missing: bool):
    if type(doc) not in (dict, list):
        _fail("22023", "cannot set path in scalar")
    if not path:
        return doc
    return _edit(doc, path, 0, "set", new, create_missing)


def _insert(doc, path: list, new, after: bool):
    if type(doc) not in (dict, list):
        _fail("22023", "cannot set path in scalar")
    if not path:
        return doc
    return _edit(doc, path, 0, "insert", new, after)


def _strip_nulls(v):
    if type(v) is dict:
        return {k: _strip_nulls(x) for k, x in v.items() if x is not None}
    if type(v) is list:
        return [_strip_nulls(x) for x in v]
    return v


def _each(doc, name: str):
    if type(doc) is not dict:
        _fail("22023", f"cannot call {name} on a non-object")
    return doc


def _elements(doc, name: str):
    if type(doc) is not list:
        what = "a scalar" if type(doc) not in (dict, list) else "a non-array"
        _fail("22023", f"cannot extract elements from {what}")
    return doc


def _keys(doc):
    if type(doc) is dict:
        return sorted(doc, key=lambda k: (len(k.encode()), k.encode()))
    _fail("22023", "cannot call jsonb_object_keys on " + ("an array" if type(doc) is list else "a scalar"))


def _sorted_items(doc: dict):
    return sorted(doc.items(), key=lambda kv: (len(kv[0].encode()), kv[0].encode()))


# --------------------------------------------------------------------------- Arrow wrappers


def _jsonb_out(values) -> pa.Array:
    return pa.array([None if v is _NULL else dump_jsonb(v) for v in values], _JSON)


_NULL = object()  # an SQL NULL result (None is JSON null)


def _doc_udf(fn, out: str = "jsonb"):
    """A UDF over (doc, *args): SQL NULL in any argument gives NULL (strict)."""
    def udf(*cols):
        res = []
        for row in _rows(*cols):
            if any(x is None for x in row):
                res.append(_NULL)
                continue
            res.append(fn(_parse(row[0]), *row[1:]))
        if out == "jsonb":
            return _jsonb_out(res)
        if out == "text":
            return pa.array([None if v is _NULL else _as_text(v) for v in res], pa.string())
        if out == "bool":
            return pa.array([None if v is _NULL else v for v in res], pa.bool_())
        return pa.array([None if v is _NULL else v for v in res], out)
    return udf


def _getter(as_text: bool):
    def udf(*cols):
        res = []
        for doc, key, by_index in _rows(*cols):
            v = _MISSING if doc is None or key is None else _get(_parse(doc), key, by_index)
            res.append(_NULL if v is _MISSING else v)
        if as_text:
            return pa.array([None if v is _NULL else _as_text(v) for v in res], pa.string())
        return _jsonb_out(res)
    return udf


def _path_getter(as_text: bool):
    def udf(docs, paths):
        res = []
        for doc, path in _rows(docs, paths):
            if doc is None or path is None:
                res.append(_NULL)
                continue
            v = _get_path(_parse(doc), path)
            res.append(_NULL if v is _MISSING else v)
        if as_text:
            return pa.array([None if v is _NULL else _as_text(v) for v in res], pa.string())
        return _jsonb_out(res)
    return udf


def _in(texts: pa.Array) -> pa.Array:
    try:
        return canonical_jsonb_array(texts).cast(_JSON)
    except JsonbError as e:
        raise JsonbUdfError(f"{e.sqlstate}: {e}") from None


def _list_array(lists: list, columns: tuple[str, ...] | None, json_values: bool) -> pa.Array:
    """A list column from per-row lists (None: NULL) of values, or of (key, value) tuples when
    columns names a struct; JSON-typed values built from their storage (strings)."""
    offsets, flat, valid = [0], [], []
    for items in lists:
        valid.append(items is not None)
        if items:
            flat.extend(items)
        offsets.append(len(flat))
    def values(xs):
        arr = pa.array(xs, pa.string())
        return pa.ExtensionArray.from_storage(_JSON, arr) if json_values else arr
    if columns is None:
        elems = values(flat)
    else:
        keys = pa.array([k for k, _ in flat], pa.string())
        elems = pa.StructArray.from_arrays([keys, values([v for _, v in flat])], names=list(columns))
    mask = pa.array([not v for v in valid], pa.bool_())
    return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), elems, mask=mask)


def _pair_list(as_text: bool):
    def udf(docs):
        out = []
        for doc in docs.to_pylist():
            if doc is None:
                out.append(None)
                continue
            d = _each(_parse(doc), "jsonb_each_text" if as_text else "jsonb_each")
            out.append([(k, _as_text(v) if as_text else dump_jsonb(v)) for k, v in _sorted_items(d)])
        return _list_array(out, ("key", "value"), not as_text)
    return udf


def _element_list(as_text: bool):
    def udf(docs):
        out = []
        for doc in docs.to_pylist():
            if doc is None:
                out.append(None)
                continue
            items = _elements(_parse(doc), "")
            out.append([_as_text(v) if as_text else dump_jsonb(v) for v in items])
        return _list_array(out, None, not as_text)
    return udf


def _object_keys(docs):
    return pa.array([None if d is None else _keys(_parse(d)) for d in docs.to_pylist()],
                    pa.list_(pa.string()))


def _pretty(docs):
    return pa.array([None if d is None else pretty_jsonb(_parse(d)) for d in docs.to_pylist()],
                    pa.string())


def _binary_jsonb(fn, out="jsonb"):
    """A UDF over two jsonb documents."""
    return _doc_udf(lambda a, b, *rest: fn(a, _parse(b), *rest), out)


# name, function, parameter types, return type
_V, _J, _B, _VL = "VARCHAR", "JSON", "BOOLEAN", "VARCHAR[]"
_UDFS = [
    ("pg_jsonb_in", _in, [_V], _J),
    ("pg_jsonb_get", _getter(False), [_J, _V, _B], _J),
    ("pg_jsonb_get_text", _getter(True), [_J, _V, _B], _V),
    ("pg_jsonb_get_path", _path_getter(False), [_J, _VL], _J),
    ("pg_jsonb_get_path_text", _path_getter(True), [_J, _VL], _V),
    ("pg_jsonb_contains", _binary_jsonb(lambda a, b: _contains(a, b, True), "bool"), [_J, _J], _B),
    ("pg_jsonb_eq", _binary_jsonb(_equal, "bool"), [_J, _J], _B),
    ("pg_jsonb_exists", _doc_udf(_exists, "bool"), [_J, _V], _B),
    ("pg_jsonb_exists_any", _doc_udf(lambda d, ks: any(_exists(d, k) for k in ks if k is not None), "bool"),
     [_J, _VL], _B),
    ("pg_jsonb_exists_all", _doc_udf(lambda d, ks: all(_exists(d, k) for k in ks if k is not None), "bool"),
     [_J, _VL], _B),
    ("pg_jsonb_concat", _binary_jsonb(_concat), [_J, _J], _J),
    ("pg_jsonb_delete", _doc_udf(_delete), [_J, _V, _B], _J),
    ("pg_jsonb_delete_keys", _doc_udf(_delete_keys), [_J, _VL], _J),
    ("pg_jsonb_delete_path", _doc_udf(_delete_path), [_J, _VL], _J),
    ("pg_jsonb_set", _doc_udf(lambda d, p, new, cm: _set(d, p, _parse(new), cm)), [_J, _VL, _J, _B], _J),
    ("pg_jsonb_insert", _doc_udf(lambda d, p, new, af: _insert(d, p, _parse(new), af)), [_J, _VL, _J, _B], _J),
    ("pg_jsonb_strip_nulls", _doc_udf(_strip_nulls), [_J], _J),
    ("pg_jsonb_pretty", _pretty, [_J], _V),
    ("pg_jsonb_each", _pair_list(False), [_J], "STRUCT(key VARCHAR, value JSON)[]"),
    ("pg_jsonb_each_text", _pair_list(True), [_J], "STRUCT(key VARCHAR, value VARCHAR)[]"),
    ("pg_jsonb_elements", _element_list(False), [_J], "JSON[]"),
    ("pg_jsonb_elements_text", _element_list(True), [_J], "VARCHAR[]"),
    ("pg_jsonb_keys", _object_keys, [_J], "VARCHAR[]"),
]

# to_json / to_jsonb of any DuckDB value: JSON and DECIMAL keep their text (DuckDB's to_json
# re-prints numbers as doubles), float8 as float8out prints it (NaN as a string), timestamps in
# ISO 8601 with 'T', the rest through DuckDB's to_json; to_jsonb then takes jsonb's form.
_MACROS = """
CREATE OR REPLACE MACRO {m}.pg_json_float(s) AS (
    CASE s WHEN 'nan' THEN '"NaN"' WHEN 'inf' THEN '"Infinity"' WHEN '-inf' THEN '"-Infinity"'
           ELSE {m}.pg_float8_text(CAST(s AS DOUBLE)) END);
CREATE OR REPLACE MACRO {m}.pg_to_json_text(x) AS (
    CASE WHEN typeof(x) = 'JSON' OR typeof(x) LIKE 'DECIMAL%' THEN CAST(x AS VARCHAR)
         WHEN typeof(x) = 'DOUBLE' THEN {m}.pg_json_float(CAST(x AS VARCHAR))
         WHEN typeof(x) = 'TIMESTAMP' THEN '"' || replace(CAST(x AS VARCHAR), ' ', 'T') || '"'
         WHEN typeof(x) = 'TIMESTAMP WITH TIME ZONE'
              THEN '"' || regexp_replace(replace(CAST(x AS VARCHAR), ' ', 'T'), '([+-][0-9][0-9])$', '\1:00') || '"'
         ELSE CAST(to_json(x) AS VARCHAR) END);
CREATE OR REPLACE MACRO {m}.pg_to_jsonb(x) AS pg_jsonb_in({m}.pg_to_json_text(x));
-- -> / ->> with a constant key or index: DuckDB's own extraction where it prints what jsonb
-- prints (a string, boolean, null or integer value; ~75x faster than the UDF), the UDF for
-- the rest (decimals keep their digits, containers their jsonb form). A pointer /k on an array
-- or $[i] on an object finds nothing, so the UDF answers NULL there; keys that a pointer would
-- read as an array index (digits, '-') go to the UDF directly (sql/rewrite.py)
CREATE OR REPLACE MACRO {m}.pg_jsonb_ptr(k) AS '/' || replace(replace(k, '~', '~0'), '/', '~1');
CREATE OR REPLACE MACRO {m}.pg_jsonb_idx(i) AS CASE WHEN i < 0 THEN '$[#' || i || ']' ELSE '$[' || i || ']' END;
CREATE OR REPLACE MACRO {m}.pg_jsonb_field(j, k) AS (
    CASE WHEN json_type(j, {m}.pg_jsonb_ptr(k)) IN ('VARCHAR', 'BOOLEAN', 'NULL', 'BIGINT', 'UBIGINT')
         THEN json_extract(j, {m}.pg_jsonb_ptr(k)) ELSE pg_jsonb_get(j, k, false) END);
CREATE OR REPLACE MACRO {m}.pg_jsonb_field_text(j, k) AS (
    CASE WHEN json_type(j, {m}.pg_jsonb_ptr(k)) IN ('VARCHAR', 'BOOLEAN', 'NULL', 'BIGINT', 'UBIGINT')
         THEN json_extract_string(j, {m}.pg_jsonb_ptr(k)) ELSE pg_jsonb_get_text(j, k, false) END);
CREATE OR REPLACE MACRO {m}.pg_jsonb_elem(j, i) AS (
    CASE WHEN json_type(j, {m}.pg_jsonb_idx(i)) IN ('VARCHAR', 'BOOLEAN', 'NULL', 'BIGINT', 'UBIGINT')
         THEN json_extract(j, {m}.pg_jsonb_idx(i)) ELSE pg_jsonb_get(j, CAST(i AS VARCHAR), true) END);
CREATE OR REPLACE MACRO {m}.pg_jsonb_elem_text(j, i) AS (
    CASE WHEN json_type(j, {m}.pg_jsonb_idx(i)) IN ('VARCHAR', 'BOOLEAN', 'NULL', 'BIGINT', 'UBIGINT')
         THEN json_extract_string(j, {m}.pg_jsonb_idx(i)) ELSE pg_jsonb_get_text(j, CAST(i AS VARCHAR), true) END);
CREATE OR REPLACE MACRO {m}.pg_json_array_length(j) AS CAST(
    CASE WHEN j IS NULL THEN NULL WHEN json_type(j) = 'ARRAY' THEN json_array_length(j)
         WHEN json_type(j) = 'OBJECT' THEN error('cannot get array length of a non-array')
         ELSE error('cannot get array length of a scalar') END AS INTEGER);
CREATE OR REPLACE MACRO {m}.pg_jsonb_arrow(j, k) AS
    pg_jsonb_get(CAST(j AS JSON), CAST(k AS VARCHAR), typeof(k) NOT IN ('VARCHAR', 'JSON'));
CREATE OR REPLACE MACRO {m}.pg_jsonb_arrow_text(j, k) AS
    pg_jsonb_get_text(CAST(j AS JSON), CAST(k AS VARCHAR), typeof(k) NOT IN ('VARCHAR', 'JSON'));
CREATE OR REPLACE MACRO {m}.pg_jsonb_minus(j, k) AS
    pg_jsonb_delete(CAST(j AS JSON), CAST(k AS VARCHAR), typeof(k) NOT IN ('VARCHAR', 'JSON'));
-- @> and <@ are containment on jsonb and on arrays: picked by the left operand's type at bind
-- (a JSON-typed macro parameter would accept any type; both branches bind for either kind)
CREATE OR REPLACE MACRO {m}.pg_jsonb_or_array_contains(a, b) AS (
    CASE WHEN typeof(a) IN ('JSON', 'VARCHAR') THEN pg_jsonb_contains(CAST(a AS JSON), CAST(b AS JSON))
         ELSE list_has_all(CAST(a AS VARCHAR[]), CAST(b AS VARCHAR[])) END);
"""


def _fixed_arity(fn, n: int):
    """DuckDB counts a UDF's parameters from its signature: give *args functions a fixed one."""
    return [lambda a: fn(a), lambda a, b: fn(a, b), lambda a, b, c: fn(a, b, c),
            lambda a, b, c, d: fn(a, b, c, d)][n - 1]


def install(con: duckdb.DuckDBPyConnection) -> None:
    """Register the UDFs on the database's connection (its cursors see them) and the macros."""
    for name, fn, params, ret in _UDFS:
        con.create_function(name, _fixed_arity(fn, len(params)), [duckdb.sqltype(p) for p in params],
                            duckdb.sqltype(ret),
                            type="arrow", null_handling="special", side_effects=False)
    con.execute(_MACROS.format(m=f"{COMPAT_DB}.main"))
