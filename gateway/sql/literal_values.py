"""`INSERT INTO t [(cols)] VALUES (…), (…), …` with only literal values, read without sqlglot.

psycopg2 interpolates parameters on the client, so its `extras.execute_values` (and dbt
seeds, pandas `to_sql(method='multi')`) send one INSERT with thousands of literal rows, and
its `executemany` (Airflow's insert_rows, pandas `to_sql()`) one INSERT text per row.
sqlglot parses and the rewrite walks such a statement at ~1–2 ms per row (2 s for 1,000 rows,
20 s for 10,000; ~10 ms for a one-row INSERT, each a new text); a regular expression reads it
at a few µs per row. `scan` turns the text
into a one-row template `INSERT INTO t (cols) VALUES ($1, …, $k)`, which goes the ordinary way
(parsed once, guarded, checked, cached per text), plus each column's values as PostgreSQL
text input, which the session decodes a column at a time exactly as it decodes executemany
parameters (session._literal_insert).

Only literals whose meaning as text input of the target column is the same as PostgreSQL's
assignment of the literal are taken (`fits`); anything else (DEFAULT, expressions, ARRAY[…],
E'' strings, a cast to another type, RETURNING, ON CONFLICT…) returns None and the statement
takes the ordinary path, which also reports any error with PostgreSQL's wording.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import pyarrow as pa

from .classify import InsertShape

# up to this many rows, the rows are appended as Python values (LiteralRows.bind)
SMALL_ROWS = 128

_IDENT = r'(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)'
_HEAD = re.compile(
    rf"\s*INSERT\s+INTO\s+(?P<table>{_IDENT}(?:\s*\.\s*{_IDENT}){{0,2}})\s*"
    rf"(?:\(\s*(?P<cols>{_IDENT}(?:\s*,\s*{_IDENT})*)\s*\)\s*)?VALUES\s*",
    re.IGNORECASE)
# one value; the alternatives are tried in order at the position after '(' or ','
_VALUE = re.compile(
    r"\s*(?:'(?P<str>(?:[^']|'')*)'(?:\s*::\s*(?P<cast>[A-Za-z_][A-Za-z0-9_]*))?"
    r"|(?P<num>[-+]?\s*(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?))"
    r"|(?P<word>NULL|TRUE|FALSE)(?![A-Za-z0-9_$]))\s*(?P<sep>[,)])",
    re.IGNORECASE)
_ROW_START = re.compile(r"\s*\(")
_ROW_SEP = re.compile(r"\s*(?:(,)|;?\s*$)")
_INT = re.compile(r"[-+]?\d+")

# value kinds, per column
_STR, _INTEGER, _DECIMAL, _BOOL = "str", "int", "dec", "bool"
_INT_OIDS = frozenset((20, 21, 23))
_FLOAT_NUMERIC_OIDS = frozenset((700, 701, 1700))
# cast type → column type whose text input reads the cast value the same way PostgreSQL's
# assignment of the cast value does (a timestamp or date is read in the session's time zone)
_SAME_AS = {(1114, 1184), (1082, 1114), (1082, 1184)}
# column types whose decoded values lose what PostgreSQL keeps when they go through Arrow
# (timetz: the offset): their INSERTs take the ordinary path
_NOT_DECODED = frozenset((1266, 1270))
_TYPE_NAMES = {20: "bigint", 21: "smallint", 23: "integer", 700: "real", 701: "double precision",
               1700: "numeric"}


@dataclass(slots=True)
class LiteralValues:
    template: str  # INSERT INTO t (cols) VALUES ($1, …, $k): the ordinary statement for one row
    columns: list[list[bytes | None]]  # per column, each row's value as PostgreSQL text input
    kinds: list[set]  # per column, the kinds of literal it holds (_STR, _INTEGER, 'cast:<type>'…)
    nrows: int

    def mismatch(self, oids: list[int], names: list[str]):
        """PostgreSQL's 42804 for a number literal into a boolean column or a boolean into a
        number column (no assignment cast exists; DuckDB would cast them), else None."""
        from ..errors import PgError

        for oid, kinds, name in zip(oids, self.kinds, names):
            if oid == 16 and (_INTEGER in kinds or _DECIMAL in kinds):
                what = "integer" if _INTEGER in kinds else "numeric"
            elif (oid in _INT_OIDS or oid in _FLOAT_NUMERIC_OIDS) and _BOOL in kinds:
                what = "boolean"
            else:
                continue
            return PgError("42804", f'column "{name}" is of type {_TYPE_NAMES.get(oid, "boolean")} but expression '
                           f"is of type {what}", hint="You will need to rewrite or cast the expression.")
        return None

    def fits(self, oids: list[int]) -> bool:
        """Whether each column's literals, read as text input of its type (`oids`, the target
        columns' types), give what PostgreSQL's INSERT of those literals gives."""
        for oid, kinds in zip(oids, self.kinds):
            if oid in _NOT_DECODED:
                return False
            for kind in kinds:
                if kind == _STR:
                    continue  # an unknown-typed literal: the column's input function, as here
                if kind == _INTEGER:
                    ok = oid in _INT_OIDS or oid in _FLOAT_NUMERIC_OIDS
                elif kind == _DECIMAL:
                    ok = oid in _FLOAT_NUMERIC_OIDS
                elif kind == _BOOL:
                    ok = oid == 16
                else:
                    cast = cast_oid(kind[5:])
                    ok = cast == oid or (cast, oid) in _SAME_AS
                if not ok:
                    return False
        return True


@functools.lru_cache(maxsize=64)
def cast_oid(type_name: str) -> int:
    from ..errors import PgError
    from .params import type_oid

    try:
        return type_oid(type_name)
    except PgError:
        return 0


def scan(sql: str) -> LiteralValues | None:
    """The statement as a template and columns of text values, or None when it is anything
    but a plain INSERT of literal rows (then it takes the ordinary path)."""
    head = _HEAD.match(sql)
    if head is None:
        return None
    pos = head.end()
    columns: list[list[bytes | None]] | None = None
    kinds: list[set] = []
    nrows = 0
    value = _VALUE.match
    n = len(sql)
    while True:
        start = _ROW_START.match(sql, pos)
        if start is None:
            return None
        pos = start.end()
        k = 0
        while True:
            v = value(sql, pos)
            if v is None:
                return None
            pos = v.end()
            if columns is None:
                columns, kinds = [], []
            if k >= len(columns):
                if nrows:
                    return None  # a longer row than the first
                columns.append([])
                kinds.append(set())
            s = v.group("str")
            if s is not None:
                columns[k].append(s.replace("''", "'").encode())
                cast = v.group("cast")
                kinds[k].add(_STR if cast is None else "cast:" + cast.lower())
            elif (num := v.group("num")) is not None:
                num = num.replace(" ", "")
                integer = _INT.fullmatch(num) is not None
                if not integer and num.startswith("-") and float(num) == 0:
                    num = num[1:]  # -0.0 is numeric zero, whose sign PostgreSQL does not keep
                columns[k].append(num.encode())
                kinds[k].add(_INTEGER if integer else _DECIMAL)
            else:
                word = v.group("word").upper()
                if word == "NULL":
                    columns[k].append(None)
                else:
                    columns[k].append(b"t" if word == "TRUE" else b"f")
                    kinds[k].add(_BOOL)
            k += 1
            if v.group("sep") == ")":
                break
        if k != len(columns):
            return None  # a shorter row than the first
        nrows += 1
        sep = _ROW_SEP.match(sql, pos)
        if sep is None:
            return None
        if sep.group(1) is None:
            break  # the end of the text (after an optional ';')
        pos = sep.end()
        if pos >= n:
            return None
    for kset in kinds:
        for kind in kset:
            if kind.startswith("cast:") and not cast_oid(kind[5:]):
                return None
    table = head.group("table")
    cols = head.group("cols")
    template = (f"INSERT INTO {table}" + (f" ({cols})" if cols else "")
                + " VALUES (" + ", ".join(f"${i + 1}" for i in range(len(columns))) + ")")
    return LiteralValues(template, columns, kinds, nrows)


@dataclass(slots=True)
class LiteralRows(InsertShape):
    """The template's one-row shape with all the statement's rows, decoded (an Arrow table
    with the shape's columns): `bind` hands the table to the append (session._write_job)."""

    decoded: pa.Table | None = None

    def bind(self, values: list) -> pa.Table | list[list]:
        t = self.decoded
        if t.num_rows > SMALL_ROWS:
            return t
        # a few rows go as Python rows: the writer appends them as one small INSERT … VALUES,
        # cheaper than DuckDB's fixed cost of an Arrow append (engine/writer.append_rows)
        return [list(r) for r in zip(*(c.to_pylist() for c in t.columns))]


@functools.lru_cache(maxsize=256)
def column_oid(duck_type: str) -> int:
    """The PostgreSQL type OID of a target column's DuckDB type, as parameters are typed."""
    from .params import oid_for_duck

    return oid_for_duck(duck_type)
