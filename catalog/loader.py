"""Read a schema directory (`*.yaml`/`*.yml` files and `*.py` pydantic-model modules) into a
Catalog, reporting every problem in every file at once, each with its file and line.

YAML is composed into nodes (which carry their line) and turned into plain data plus a map
from each value's path to its line; pydantic errors and our own checks name a path, the map
turns it into a line. Python modules go through the same checks: each BaseModel subclass
defined in the module becomes a table dict (see `model_table`), with lines read from the
class source.
"""

from __future__ import annotations

import ast
import datetime as _dt
import decimal
import difflib
import enum
import importlib.util
import inspect
import sys
import textwrap
import threading
import types
import typing
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticUndefined
from sqlglot import exp, parse_one

from .models import Catalog, Table

Path_ = tuple  # a value's path in a table document: ('columns', 2, 'type')


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class CatalogError(Exception):
    """The schema directory has problems; `problems` lists them all."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(slots=True)
class _Doc:
    """One table declaration, as plain data, with where each part of it was written."""

    file: str
    data: Any
    lines: dict[Path_, int]

    def line(self, path: Path_) -> int:
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path, 1)


def load(directory: str | Path) -> Catalog:
    """The catalog of a directory; CatalogError with every problem if there is any."""
    catalog, problems = load_with_problems(directory)
    if problems:
        raise CatalogError(problems)
    return catalog


def load_with_problems(directory: str | Path) -> tuple[Catalog, list[Problem]]:
    root = Path(directory)
    problems: list[Problem] = []
    catalog = Catalog(directory=str(root))
    if not root.is_dir():
        return catalog, [Problem(str(root), 0, "schema directory does not exist")]
    docs: list[_Doc] = []
    for path in sorted(root.iterdir()):
        if path.suffix in (".yaml", ".yml"):
            docs += _yaml_docs(path, problems)
        elif path.suffix == ".py" and not path.name.startswith("_"):
            docs += _module_docs(path, problems)
    tables: list[tuple[Table, _Doc]] = []
    for doc in docs:
        t = _validate(doc, problems)
        if t is not None:
            tables.append((t, doc))
    where: dict[str, _Doc] = {}
    for t, doc in tables:
        if t.table in where:
            first = where[t.table]
            problems.append(Problem(doc.file, doc.line(("table",)),
                                    f'table "{t.table}" is already declared at {first.file}:{first.line(("table",))}'))
            continue
        where[t.table] = doc
        catalog.tables[t.table] = t
    for t, doc in tables:
        if where.get(t.table) is doc:
            _check_foreign_keys(t, doc, catalog, problems)
    problems.sort(key=lambda p: (p.file, p.line))
    return catalog, problems


# --------------------------------------------------------------------------- YAML

def _yaml_docs(path: Path, problems: list[Problem]) -> list[_Doc]:
    file = str(path)
    try:
        text = path.read_text()
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        problems.append(Problem(file, mark.line + 1 if mark else 1, f"YAML: {e.problem or e}"))
        return []
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        problems.append(Problem(file, 1, f"cannot read: {e}"))
        return []
    out = []
    for node in nodes:
        if node is None:
            continue
        lines: dict[Path_, int] = {}
        data = _plain(node, (), lines, file, problems)
        if not isinstance(data, dict):
            problems.append(Problem(file, node.start_mark.line + 1,
                                    "a schema document is a mapping with `table:` and `columns:`"))
            continue
        out.append(_Doc(file, data, lines))
    return out


def _plain(node: yaml.Node, path: Path_, lines: dict, file: str, problems: list[Problem],
           ctor: yaml.SafeLoader | None = None) -> Any:
    ctor = ctor or yaml.SafeLoader("")  # builds scalars (ints, bools, strings) the way safe_load does
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict = {}
        for k, v in node.value:
            key = ctor.construct_object(k, deep=True) if isinstance(k, yaml.ScalarNode) else None
            if not isinstance(key, (str, int)):
                problems.append(Problem(file, k.start_mark.line + 1, "mapping keys must be plain names"))
                continue
            if key in out:
                problems.append(Problem(file, k.start_mark.line + 1,
                                        f'duplicate key "{key}" (first at line {lines[path + (key,)]})'))
                continue
            out[key] = _plain(v, path + (key,), lines, file, problems, ctor)
            lines[path + (key,)] = k.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_plain(v, path + (i,), lines, file, problems, ctor) for i, v in enumerate(node.value)]
    return ctor.construct_object(node, deep=True)


# --------------------------------------------------------------------------- validation

def _where(doc: _Doc, loc: tuple) -> str:
    """'column "amount"', 'indexes[1]', 'access.read'… for a pydantic location."""
    data = doc.data
    if len(loc) >= 2 and loc[0] == "columns" and isinstance(loc[1], int):
        try:
            name = data["columns"][loc[1]].get("name")
        except (KeyError, IndexError, AttributeError, TypeError):
            name = None
        head = f'column "{name}"' if name else f"columns[{loc[1]}]"
        rest = ".".join(str(x) for x in loc[2:])
        return f"{head}{': ' + rest if rest else ''}"
    out = ""
    for x in loc:
        out += f"[{x}]" if isinstance(x, int) else (f".{x}" if out else str(x))
    return out


def _pyd_message(err: dict, doc: _Doc) -> str:
    loc = tuple(err["loc"])
    kind = err["type"]
    if kind == "extra_forbidden":
        return f'{_where(doc, loc[:-1]) + ": " if loc[:-1] else ""}unknown key "{loc[-1]}"'
    if kind == "missing":
        return f'{_where(doc, loc[:-1]) + ": " if loc[:-1] else ""}missing "{loc[-1]}"'
    msg = err["msg"].removeprefix("Value error, ")
    return f"{_where(doc, loc)}: {msg}" if loc else msg


def _validate(doc: _Doc, problems: list[Problem]) -> Table | None:
    data = doc.data
    try:
        t = Table.model_validate({**data, "source": doc.file})
    except ValidationError as e:
        errors = e.errors()
        for err in errors:
            problems.append(Problem(doc.file, doc.line(tuple(err["loc"])), _pyd_message(err, doc)))
        # drop the broken parts and try again, so the rest of the table is still checked
        bad_items: dict[str, set[int]] = {}
        bad_keys: set[str] = set()
        for err in errors:
            loc = err["loc"]
            if len(loc) >= 2 and loc[0] in ("columns", "indexes", "foreign_keys") and isinstance(loc[1], int):
                bad_items.setdefault(loc[0], set()).add(loc[1])
            elif loc:
                bad_keys.add(str(loc[0]))
        if {"table", "columns"} & bad_keys:
            return None
        trimmed = {k: v for k, v in data.items() if k not in bad_keys}
        for key, idx in bad_items.items():
            trimmed[key] = [x for i, x in enumerate(data.get(key) or []) if i not in idx]
        # paths shift when items are dropped: map the trimmed indexes back to their lines
        lines = dict(doc.lines)
        for key, idx in bad_items.items():
            keep = [i for i in range(len(data.get(key) or [])) if i not in idx]
            for new, old in enumerate(keep):
                for p, ln in doc.lines.items():
                    if p[:2] == (key, old):
                        lines[(key, new) + p[2:]] = ln
        doc = _Doc(doc.file, trimmed, lines)
        try:
            t = Table.model_validate({**trimmed, "source": doc.file})
        except ValidationError:
            return None
        _check_table(t, doc, problems)
        return t  # already reported; still the target of other tables' foreign keys
    _check_table(t, doc, problems)
    return t


def _check_table(t: Table, doc: _Doc, problems: list[Problem]) -> None:
    def report(path: Path_, msg: str) -> None:
        problems.append(Problem(doc.file, doc.line(path), msg))

    seen: dict[str, int] = {}
    names = [c.name for c in t.columns]
    for i, c in enumerate(t.columns):
        if c.name in seen:
            report(("columns", i), f'duplicate column "{c.name}" (first at line {doc.line(("columns", seen[c.name]))})')
        else:
            seen[c.name] = i
    if t.primary_key and any(c.primary_key for c in t.columns):
        report(("primary_key",), "primary key given both as `primary_key:` and on columns")
    for k in t.primary_key or []:
        if k.lower() not in seen:
            report(("primary_key",), f'primary key on missing column "{k}"{_did_you_mean(k, names)}')
    for i, ix in enumerate(t.indexes):
        for col in ix.columns:
            if col.lower() not in seen:
                report(("indexes", i), f'index on missing column "{col}"{_did_you_mean(col, names)}')
    index_names: dict[str, int] = {}
    for ix in t.all_indexes():
        if ix.name in index_names:
            report(("table",), f'two indexes are named "{ix.name}"')
        index_names[ix.name] = 1
    for i, fk in enumerate(t.foreign_keys):
        for col in fk.columns:
            if col.lower() not in seen:
                report(("foreign_keys", i), f'foreign key on missing column "{col}"{_did_you_mean(col, names)}')
    for i, c in enumerate(t.columns):
        if c.check is not None:
            err = _check_expression(c.check, names)
            if err:
                report(("columns", i, "check"), f'column "{c.name}": check {err}')
        if c.default is not None:
            err = _check_default(c.default_sql() or "", c.duck)
            if err:
                report(("columns", i, "default"), f'column "{c.name}": bad default {c.default!r} for type {c.type}: {err}')


def _did_you_mean(name: str, names: list[str]) -> str:
    close = difflib.get_close_matches(name.lower(), names, n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


def _check_expression(text: str, columns: list[str]) -> str | None:
    try:
        tree = parse_one(text, read="postgres")
    except Exception:
        return f'"{text}" is not a valid SQL expression'
    for col in tree.find_all(exp.Column):
        if col.name.lower() not in columns:
            return f'"{text}" names missing column "{col.name}"{_did_you_mean(col.name, columns)}'
    return None


_DUCK_LOCAL = threading.local()


def _check_default(text: str, duck: str) -> str | None:
    """Casts the default to the column's type in a scratch DuckDB: 'abc' for an integer fails."""
    try:
        tree = parse_one(text, read="postgres")
    except Exception:
        return "not a valid SQL expression"
    if any(True for _ in tree.find_all(exp.Column)):
        return "a default cannot name a column (quote text literals: \"'EU'\")"
    con = getattr(_DUCK_LOCAL, "con", None)
    if con is None:
        con = _DUCK_LOCAL.con = duckdb.connect(":memory:")
    try:
        con.execute(f"SELECT CAST(({tree.sql('duckdb')}) AS {duck})").fetchall()
    except duckdb.Error as e:
        return str(e).split("\n")[0]
    return None


def _check_foreign_keys(t: Table, doc: _Doc, catalog: Catalog, problems: list[Problem]) -> None:
    for i, fk in enumerate(t.foreign_keys):
        line = doc.line(("foreign_keys", i))
        ref = catalog.tables.get(fk.references.lower())
        if ref is None:
            problems.append(Problem(doc.file, line, f'foreign key to missing table "{fk.references}"'
                                    f"{_did_you_mean(fk.references, list(catalog.tables))}"))
            continue
        ref_cols = [c.lower() for c in fk.ref_columns] if fk.ref_columns else ref.pk_columns()
        missing = [c for c in ref_cols if ref.column(c) is None]
        if missing:
            problems.append(Problem(doc.file, line, f'foreign key to missing column "{fk.references}.{missing[0]}"'))
        elif len(ref_cols) != len(fk.columns):
            problems.append(Problem(doc.file, line, f"foreign key has {len(fk.columns)} columns but "
                                    f'"{fk.references}" ({", ".join(ref_cols) or "no primary key"}) has {len(ref_cols)}'))


# --------------------------------------------------------------------------- pydantic modules

def _module_docs(path: Path, problems: list[Problem]) -> list[_Doc]:
    file = str(path)
    name = f"_dataforge_schema_{path.stem}_{abs(hash(str(path.resolve())))}"
    try:
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # pydantic resolves annotations through sys.modules
        spec.loader.exec_module(module)
    except SyntaxError as e:
        problems.append(Problem(file, e.lineno or 1, f"Python syntax error: {e.msg}"))
        return []
    except Exception as e:  # an import that fails is reported, with its line in this file
        line = 1
        tb = e.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == str(path):
                line = tb.tb_lineno
            tb = tb.tb_next
        problems.append(Problem(file, line, f"cannot import: {type(e).__name__}: {e}"))
        return []
    out = []
    for obj in list(vars(module).values()):
        if (isinstance(obj, type) and issubclass(obj, BaseModel) and obj is not BaseModel
                and obj.__module__ == name and obj.__dict__.get("__table__", True) is not False):
            try:
                data, lines = model_table(obj)
            except TypeError as e:
                problems.append(Problem(file, getattr(e, "line", None) or _class_line(obj), str(e)))
                continue
            out.append(_Doc(file, data, lines))
    return out


def _class_line(cls: type) -> int:
    try:
        return inspect.getsourcelines(cls)[1]
    except (OSError, TypeError):
        return 1


def _snake(name: str) -> str:
    out = ""
    for i, ch in enumerate(name):
        if ch.isupper() and i and (not name[i - 1].isupper() or (i + 1 < len(name) and name[i + 1].islower())):
            out += "_"
        out += ch.lower()
    return out


def model_table(cls: type[BaseModel]) -> tuple[dict, dict[Path_, int]]:
    """A pydantic model as a table document (the same shape as a YAML file) and its lines.

    - table name: `__table__ = {"name": ...}`, else the class name in snake_case;
    - description: the class docstring; column descriptions: `Field(description=...)`;
    - types: from the annotation (int → bigint, str → text or varchar(max_length), Decimal →
      numeric(max_digits, decimal_places), datetime → timestamptz, Enum/Literal → enum, …),
      or `Field(json_schema_extra={"pg_type": "..."})`; `Optional[...]` → nullable;
    - per column, in json_schema_extra: primary_key, unique, indexed, check, default (SQL);
      a plain Python default (3, "EU", True) becomes the column's DEFAULT;
    - per table, in `__table__`: name, primary_key, indexes, foreign_keys, access, append_only.
    """
    opts = dict(cls.__dict__.get("__table__") or {})
    start = _class_line(cls)
    field_lines: dict[str, int] = {}
    try:
        src = textwrap.dedent("".join(inspect.getsourcelines(cls)[0]))
        for node in ast.walk(ast.parse(src)):
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                field_lines[node.target.id] = start + node.lineno - 1
    except (OSError, TypeError, SyntaxError):
        pass
    lines: dict[Path_, int] = {(): start, ("table",): start}
    doc = cls.__dict__.get("__doc__")
    data: dict[str, Any] = {"table": opts.pop("name", None) or _snake(cls.__name__)}
    if doc:
        data["description"] = inspect.cleandoc(doc)
    columns = []
    for i, (fname, f) in enumerate(cls.model_fields.items()):
        extra = dict(f.json_schema_extra) if isinstance(f.json_schema_extra, dict) else {}
        col: dict[str, Any] = {"name": f.alias or fname}
        try:
            pg_type, nullable, values = _pg_type(f.annotation, f.metadata)
        except TypeError as e:
            if "pg_type" not in extra:
                e.line = field_lines.get(fname, start)  # type: ignore[attr-defined]
                raise
            pg_type, nullable, values = "", not f.is_required() and f.default is None, None
        col["type"] = extra.pop("pg_type", None) or pg_type
        if values is not None and col["type"] == "enum":
            col["values"] = values
        col["nullable"] = nullable
        if f.description:
            col["description"] = f.description
        sql_default = extra.pop("default", None)
        if sql_default is not None:
            col["default"] = sql_default
        elif f.default is not PydanticUndefined and f.default is not None:
            col["default"] = _sql_literal(f.default)
        col.update(extra)
        columns.append(col)
        lines[("columns", i)] = field_lines.get(fname, start)
    data["columns"] = columns
    data.update(opts)
    for key in opts:
        lines[(key,)] = start
    return data, lines


def _sql_literal(v: Any) -> Any:
    if isinstance(v, enum.Enum):
        v = v.value
    if isinstance(v, bool) or isinstance(v, (int, float)):
        return v
    if isinstance(v, decimal.Decimal):
        return str(v)
    return "'" + str(v).replace("'", "''") + "'"


_SCALARS: dict[Any, str] = {
    bool: "boolean", int: "bigint", float: "double precision", str: "text", bytes: "bytea",
    decimal.Decimal: "numeric", _dt.datetime: "timestamptz", _dt.date: "date", _dt.time: "time",
    _dt.timedelta: "interval", uuid.UUID: "uuid", dict: "jsonb",
}


def _pg_type(ann: Any, metadata: list) -> tuple[str, bool, list[str] | None]:
    """(PostgreSQL type, nullable, enum values) of a field annotation."""
    nullable = False
    origin = typing.get_origin(ann)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(ann) if a is not type(None)]
        nullable = len(args) < len(typing.get_args(ann))
        if len(args) != 1:
            raise TypeError(f"cannot map {ann!r} to one column type (give json_schema_extra pg_type)")
        ann = args[0]
        origin = typing.get_origin(ann)
    if origin is typing.Annotated:
        ann = typing.get_args(ann)[0]
        origin = typing.get_origin(ann)
    if origin is typing.Literal:
        return "enum", nullable, [str(a) for a in typing.get_args(ann)]
    if isinstance(ann, type) and issubclass(ann, enum.Enum):
        return "enum", nullable, [str(m.value) for m in ann]
    if origin in (list, tuple, set, frozenset):
        (inner, *_rest) = typing.get_args(ann) or (typing.Any,)
        if inner in _SCALARS and inner is not dict:
            return _SCALARS[inner] + "[]", nullable, None
        return "jsonb", nullable, None
    if origin is dict or ann is typing.Any or (isinstance(ann, type) and issubclass(ann, BaseModel)):
        return "jsonb", nullable, None
    base = _SCALARS.get(ann)
    if base is None:
        raise TypeError(f"cannot map the annotation {ann!r} to a PostgreSQL type "
                        f"(give Field(json_schema_extra={{'pg_type': ...}}))")
    limits = {k: getattr(m, k) for m in metadata for k in ("max_length", "max_digits", "decimal_places")
              if getattr(m, k, None) is not None}
    if base == "text" and "max_length" in limits:
        return f"varchar({limits['max_length']})", nullable, None
    if base == "numeric" and "max_digits" in limits:
        return f"numeric({limits['max_digits']},{limits.get('decimal_places', 0)})", nullable, None
    return base, nullable, None
