"""Declared PostgreSQL column types DuckDB does not keep: `_dataforge.column_types`.

A `varchar(5)`, `char(3)`, `jsonb` or `timestamp(3)` column is a VARCHAR, JSON or TIMESTAMP in
DuckDB. The DDL rewrite (sql/rewrite.py `declared_column_types`) appends statements that
record (schema, table, column, PostgreSQL type OID, typmod) in this table, so they run in the
DDL's own DuckDB transaction: a rollback or a crash can never leave the record out of step
with the table. Results (sql/result_types.py) and pg_catalog (sql/pg_catalog.py) read it.
"""

from __future__ import annotations

import threading

SCHEMA = "_dataforge"
TABLE = f"{SCHEMA}.column_types"
# The names CREATE TABLE gave its constraints (CONSTRAINT uq_code UNIQUE (code)): DuckDB keeps
# none, and pg_constraint (sql/pg_catalog.py) would otherwise report PostgreSQL's generated
# ones. contype p/u/f/c, cols the constrained columns, lower case, comma-separated ('#n' for
# the n-th CHECK of the table, not counting the varchar(n) length checks).
CONSTRAINT_NAMES = f"{SCHEMA}.constraint_names"
CREATE = (f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}; CREATE TABLE IF NOT EXISTS {TABLE} ("
          "schema_name VARCHAR NOT NULL, table_name VARCHAR NOT NULL, column_name VARCHAR NOT NULL, "
          "type_oid INTEGER NOT NULL, typmod INTEGER NOT NULL); "
          f"CREATE TABLE IF NOT EXISTS {CONSTRAINT_NAMES} (schema_name VARCHAR NOT NULL, "
          "table_name VARCHAR NOT NULL, contype VARCHAR NOT NULL, cols VARCHAR NOT NULL, name VARCHAR NOT NULL)")


def ensure(con) -> None:
    """Create the record table (startup; pg_catalog's views read it). A read-only database
    simply has no declared types."""
    try:
        con.execute(CREATE)
    except Exception:
        pass


class DeclaredTypes:
    """The record, read into memory once per schema version (DDL bumps it)."""

    def __init__(self, db):
        self.db = db
        self.version = -1
        self.types: dict = {}  # (schema, table) → {column: (oid, typmod)}, lower case
        self._lock = threading.Lock()
        self._cursor = None

    def current(self) -> dict:
        """Worker thread: the declared types as of the current schema version."""
        version = self.db.schema_version
        if version == self.version:
            return self.types
        with self._lock:
            if version != self.version:
                if self._cursor is None:
                    self._cursor = self.db.cursor("column-types")
                self.types, self.version = load(self._cursor.con), version
        return self.types


def load(con) -> dict:
    types: dict = {}
    try:
        rows = con.execute(f"SELECT schema_name, table_name, column_name, type_oid, typmod FROM {TABLE}").fetchall()
    except Exception:
        rows = []
    for s, t, c, oid, mod in rows:
        types.setdefault((s.lower(), t.lower()), {})[c.lower()] = (oid, mod)
    return types


def overrides(db, plan, names, duck_types, declared: dict | None = None) -> list | None:
    """Worker thread: the (oid, typmod) overrides of a result (None: none). declared: the
    record as a transaction that ran DDL sees it (load() on its connection, before the
    statement: nobody else sees its changes yet); default: the committed one."""
    from ..protocol.types import pg_type_of
    from ..sql.result_types import checked, resolve

    if plan is None or not names:
        return None
    if declared is None:
        declared = db.declared_types.current() if plan.has_refs else {}
    return checked(resolve(plan, list(names), declared), [pg_type_of(t).oid for t in duck_types])
