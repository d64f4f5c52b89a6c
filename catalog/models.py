"""The catalog's pydantic models: Table, Column, Index, ForeignKey, Access, and the Catalog.

A model is what one schema file declares, already checked for its own consistency (types are
known PostgreSQL types, columns are unique, indexes and checks name existing columns…).
Cross-table checks (foreign keys to other tables) live in loader.py, which sees every file.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlglot import exp

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _check_name(v: str, what: str) -> str:
    if not _NAME.match(v or ""):
        raise ValueError(f"invalid {what} name {v!r}: use letters, digits and _ (not starting with a digit)")
    if len(v) > 63:
        raise ValueError(f"{what} name {v!r} is longer than 63 characters")
    return v.lower()


# PostgreSQL type (as sqlglot reads it) → the DuckDB type, spelled as duckdb_columns() reports it.
_T = exp.DataType.Type
_DUCK: dict[Any, str] = {
    _T.SMALLINT: "SMALLINT", _T.INT: "INTEGER", _T.BIGINT: "BIGINT",
    _T.TEXT: "VARCHAR", _T.VARCHAR: "VARCHAR", _T.CHAR: "VARCHAR", _T.NCHAR: "VARCHAR", _T.NVARCHAR: "VARCHAR",
    _T.JSON: "JSON", _T.JSONB: "JSON", _T.UUID: "UUID",
    _T.TIMESTAMPTZ: "TIMESTAMP WITH TIME ZONE", _T.TIMESTAMP: "TIMESTAMP", _T.DATE: "DATE",
    _T.TIME: "TIME", _T.TIMETZ: "TIME WITH TIME ZONE", _T.INTERVAL: "INTERVAL",
    _T.VARBINARY: "BLOB", _T.BOOLEAN: "BOOLEAN", _T.DOUBLE: "DOUBLE", _T.FLOAT: "FLOAT",
}
_PG_SPELLING = {  # how `schemas diff` shows a DuckDB type to a PostgreSQL user
    "SMALLINT": "smallint", "INTEGER": "integer", "BIGINT": "bigint", "VARCHAR": "text",
    "JSON": "jsonb", "UUID": "uuid", "TIMESTAMP WITH TIME ZONE": "timestamptz", "TIMESTAMP": "timestamp",
    "DATE": "date", "TIME": "time", "TIME WITH TIME ZONE": "timetz", "INTERVAL": "interval",
    "BLOB": "bytea", "BOOLEAN": "boolean", "DOUBLE": "double precision", "FLOAT": "real",
}


def pg_spelling(duck: str) -> str:
    if duck.endswith("[]"):
        return pg_spelling(duck[:-2]) + "[]"
    if duck.startswith("DECIMAL"):
        return "numeric" + duck[len("DECIMAL"):].replace(" ", "")
    if duck.startswith("ENUM"):
        return "enum" + duck[4:]
    return _PG_SPELLING.get(duck, duck.lower())


def duck_type(pg_type: str, values: list[str] | None = None) -> str:
    """DuckDB type for a PostgreSQL type name; ValueError naming the problem if unsupported."""
    t = pg_type.strip()
    if t.lower() == "enum":
        if not values:
            raise ValueError("type enum needs `values: [...]`")
        return "ENUM(" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")"
    try:
        dt = exp.DataType.build(t, dialect="postgres")
    except Exception:
        raise ValueError(f'unknown type "{pg_type}"') from None
    return _duck_of(dt, pg_type)


def _duck_of(dt: exp.DataType, written: str) -> str:
    if dt.this == _T.ARRAY:
        inner = dt.expressions[0] if dt.expressions else None
        if not isinstance(inner, exp.DataType):
            raise ValueError(f'unknown type "{written}"')
        return _duck_of(inner, written) + "[]"
    if dt.this == _T.DECIMAL:
        args = [int(e.this.this) if isinstance(e, exp.DataTypeParam) else int(e.name) for e in dt.expressions]
        if not args:
            # numeric without precision: the gateway's exact storage (sql/numeric_storage.py)
            from gateway.protocol.types import UNCONSTRAINED_NUMERIC
            return UNCONSTRAINED_NUMERIC
        p = args[0]
        s = args[1] if len(args) > 1 else 0
        if not 1 <= p <= 38:
            raise ValueError(f"numeric precision {p} must be between 1 and 38 (DuckDB's DECIMAL)")
        if not 0 <= s <= p:
            raise ValueError(f"numeric scale {s} must be between 0 and the precision {p}")
        return f"DECIMAL({p},{s})"
    duck = _DUCK.get(dt.this)
    if duck is None:
        raise ValueError(f'unknown type "{written}" (supported: integer types, numeric(p,s), real, '
                         f"double precision, text, varchar(n), boolean, date, time, timestamp, timestamptz, "
                         f"interval, bytea, uuid, json, jsonb, enum, and arrays of these)")
    return duck


class Column(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    type: str = Field(description="PostgreSQL type: bigint, numeric(12,2), varchar(20), text[], jsonb, uuid, enum…")
    nullable: bool = True
    default: str | int | float | bool | None = Field(
        None, description="SQL expression (a string is SQL: write 'EU' with its quotes for a text literal)")
    primary_key: bool = False
    unique: bool = False
    indexed: bool = False
    check: str | None = None
    description: str | None = None
    values: list[str] | None = Field(None, description="the labels of an enum column")

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return _check_name(v, "column")

    @property
    def duck(self) -> str:
        return duck_type(self.type, self.values)

    @property
    def not_null(self) -> bool:
        return not self.nullable or self.primary_key

    def default_sql(self) -> str | None:
        d = self.default
        if d is None:
            return None
        if isinstance(d, bool):
            return "true" if d else "false"
        return str(d)

    @model_validator(mode="after")
    def _type_known(self) -> "Column":
        duck_type(self.type, self.values)  # raises ValueError: pydantic reports it on this column
        return self


class Index(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    columns: list[str] = Field(min_length=1)
    unique: bool = False


class ForeignKey(BaseModel):
    model_config = ConfigDict(extra="forbid")

    columns: list[str] = Field(min_length=1)
    references: str = Field(description="the referenced table")
    ref_columns: list[str] | None = Field(None, description="its columns (default: its primary key)")


class Access(BaseModel):
    """Who may read and write a table: role or user names. `admin` always may.

    A table without `access` is open. With `access`, reading needs a name in `read` or `write`,
    writing needs one in `write`; a list left out is empty."""

    model_config = ConfigDict(extra="forbid")

    read: list[str] = Field(default_factory=list)
    write: list[str] = Field(default_factory=list)

    def may_read(self, principals: frozenset[str]) -> bool:
        return "admin" in principals or not principals.isdisjoint(self.read) or not principals.isdisjoint(self.write)

    def may_write(self, principals: frozenset[str]) -> bool:
        return "admin" in principals or not principals.isdisjoint(self.write)


class Table(BaseModel):
    model_config = ConfigDict(extra="forbid")

    table: str
    description: str | None = None
    columns: list[Column] = Field(min_length=1)
    primary_key: list[str] | None = Field(None, description="composite primary key (or primary_key on columns)")
    indexes: list[Index] = Field(default_factory=list)
    foreign_keys: list[ForeignKey] = Field(default_factory=list)
    access: Access | None = None
    append_only: bool = Field(False, description="UPDATE and DELETE are refused (42501)")
    # where it was declared: for messages that point the user at the file
    source: str = Field("", exclude=True)

    @field_validator("table")
    @classmethod
    def _name(cls, v: str) -> str:
        return _check_name(v, "table")

    def column(self, name: str) -> Column | None:
        for c in self.columns:
            if c.name == name:
                return c
        return None

    def pk_columns(self) -> list[str]:
        return [c.lower() for c in self.primary_key] if self.primary_key else \
            [c.name for c in self.columns if c.primary_key]

    def all_indexes(self) -> list[Index]:
        """Indexes with their names: `indexed: true` columns first, then `indexes`."""
        out = [Index(name=f"{self.table}_{c.name}_idx", columns=[c.name]) for c in self.columns if c.indexed]
        for ix in self.indexes:
            cols = [c.lower() for c in ix.columns]
            name = ix.name or f"{self.table}_{'_'.join(cols)}_{'key' if ix.unique else 'idx'}"
            out.append(Index(name=name.lower(), columns=cols, unique=ix.unique))
        return out


class Catalog(BaseModel):
    """Every managed table, by name, and the directory they came from."""

    directory: str = ""
    tables: dict[str, Table] = Field(default_factory=dict)
