"""Column types and object names of the live database, for parameter type inference
(sql/params.py), search_path resolution, GROUP BY a primary key, enum comparisons and
IF [NOT] EXISTS notices.

Shared by all sessions through SchemaCache (reloaded after DDL, probes cached per schema
version); a session whose view differs (its temporary tables, its transaction's DDL) reads the
same facts from its own connection with the module functions.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from typing import Callable

from sqlglot import exp

from ..sql.classify import Statement
from .database import Database


@dataclass(frozen=True, slots=True)
class CatalogNames:
    relations: dict[str, set[str]]  # table or view name (as created, and lower case) → its schemas
    schemas: set[str]  # as created
    objects: dict[str, set[tuple[str, str]]]  # kind (table, view, sequence, index, type, schema) → (schema, name), lower
    primary_keys: dict[tuple[str, str], list[str]]  # (schema, table) → columns, lower
    # (schema, table) → {column: (type schema, type name)} of columns of a user's ENUM type, lower
    enum_columns: dict[tuple[str, str], dict[str, tuple[str, str]]] = field(default_factory=dict)
    # (schema, table) → the tables whose foreign keys reference it, lower
    referencing: dict[tuple[str, str], set[tuple[str, str]]] = field(default_factory=dict)


class SchemaCache:
    """Column types of the live database, for parameter type inference; reloaded after DDL."""

    def __init__(self, db: Database):
        self.db = db
        self.version = -1
        self.tables: dict[str, list[tuple[str, str]]] = {}
        self._cursor = None
        self._lock = asyncio.Lock()
        self._use = threading.Lock()  # the cursor is used from worker threads, one at a time
        self._probed: dict[str, str | None] = {}  # probe SQL → its result type …
        self._probed_version = -1  # … as of this schema version
        # (schema, table) → (table OID, [(column, attnum)]): RowDescription's column origins
        self.origins: dict[tuple[str, str], tuple[int, list[tuple[str, int]]]] = {}
        self._origins_version = -1
        self._names = CatalogNames({}, set(), {}, {})
        self._names_version = -1

    def _con(self):
        """The schema cursor's connection (created on first use); hold self._use."""
        if self._cursor is None:
            self._cursor = self.db.cursor("schema")
        return self._cursor.con

    def _load(self) -> dict[str, list[tuple[str, str]]]:
        with self._use:
            return table_columns(self._con())

    def _bind_type(self, sql: str) -> str | None:
        with self._use:
            return bind_type(self._con(), sql)

    def _load_origins(self) -> dict:
        with self._use:
            rows = self._con().execute(
                "SELECT c.schema_name, c.table_name, c.table_oid, c.column_name, c.column_index "
                "FROM duckdb_columns() c JOIN duckdb_tables() t ON t.table_oid = c.table_oid "
                "WHERE c.database_name = current_database() AND NOT c.internal "
                "ORDER BY c.table_oid, c.column_index").fetchall()
        out: dict = {}
        for schema, table, oid, column, index in rows:
            out.setdefault((schema.lower(), table.lower()), (oid, []))[1].append((column.lower(), index))
        return out

    async def table_origins(self) -> dict:
        """The committed tables' OIDs and column numbers (as pg_class/pg_attribute show them),
        reloaded after DDL."""
        if self._origins_version != self.db.schema_version:
            v = self.db.schema_version
            self.origins = await self.db.run(self._load_origins)
            self._origins_version = v
        return self.origins

    def _load_names(self) -> CatalogNames:
        with self._use:
            con = self._con()
            kinds = {
                "table": "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database()",
                "view": "SELECT schema_name, view_name FROM duckdb_views() WHERE database_name = current_database() "
                        "AND NOT internal",
                "sequence": "SELECT schema_name, sequence_name FROM duckdb_sequences() "
                            "WHERE database_name = current_database()",
                "index": "SELECT schema_name, index_name FROM duckdb_indexes() WHERE database_name = current_database()",
                "type": "SELECT schema_name, type_name FROM duckdb_types() WHERE database_name = current_database() "
                        "AND NOT internal",
                "schema": "SELECT schema_name, schema_name FROM duckdb_schemas() "
                          "WHERE database_name = current_database()",
            }
            rows = {kind: con.execute(sql).fetchall() for kind, sql in kinds.items()}
            pk_rows = con.execute(
                "SELECT schema_name, table_name, constraint_column_names FROM duckdb_constraints() "
                "WHERE constraint_type = 'PRIMARY KEY' AND database_name = current_database()").fetchall()
            # DuckDB names an enum column's type by its labels: matched to the CREATE TYPE here
            enum_rows = con.execute(
                "WITH e AS (SELECT schema_name, type_name, 'ENUM(' || array_to_string(list_transform(labels, "
                "x -> chr(39) || replace(x, chr(39), chr(39) || chr(39)) || chr(39)), ', ') || ')' AS sig "
                "FROM duckdb_types() WHERE logical_type = 'ENUM' AND NOT internal "
                "AND database_name = current_database()) "
                "SELECT c.schema_name, c.table_name, c.column_name, first(e.schema_name), first(e.type_name) "
                "FROM duckdb_columns() c JOIN e ON c.data_type = e.sig "
                "WHERE c.database_name = current_database() GROUP BY ALL").fetchall()
            fk_rows = con.execute(
                "SELECT DISTINCT schema_name, table_name, referenced_table FROM duckdb_constraints() "
                "WHERE constraint_type = 'FOREIGN KEY' AND database_name = current_database()").fetchall()
        referencing: dict[tuple[str, str], set[tuple[str, str]]] = {}
        for schema, table, parent in fk_rows:  # DuckDB's foreign keys stay within their schema
            referencing.setdefault((schema.lower(), parent.lower()), set()).add((schema.lower(), table.lower()))
        enum_columns: dict[tuple[str, str], dict[str, tuple[str, str]]] = {}
        for schema, table, column, type_schema, type_name in enum_rows:
            enum_columns.setdefault((schema.lower(), table.lower()), {})[column.lower()] = (type_schema, type_name)
        relations: dict[str, set[str]] = {}
        for schema, name in rows["table"] + rows["view"]:
            relations.setdefault(name, set()).add(schema)
            relations.setdefault(name.lower(), set()).add(schema)
        return CatalogNames(
            relations=relations,
            schemas={schema for schema, _ in rows["schema"]},
            objects={kind: {(a.lower(), b.lower()) for a, b in r} for kind, r in rows.items()},
            primary_keys={(s.lower(), t.lower()): [c.lower() for c in cols] for s, t, cols in pk_rows},
            enum_columns=enum_columns, referencing=referencing)

    async def names(self) -> CatalogNames:
        """The committed database's object names (search_path resolution, GROUP BY a primary
        key, IF [NOT] EXISTS notices), read once per schema version."""
        if self._names_version != self.db.schema_version:
            v = self.db.schema_version
            self._names = await self.db.run(self._load_names)
            self._names_version = v
        return self._names

    async def probe(self, sql: str) -> str | None:
        """The DuckDB type of a one-column SELECT, from binding it (params.probe_queries)."""
        version = self.db.schema_version
        if self._probed_version != version:  # DDL since: the types may have changed
            self._probed.clear()
            self._probed_version = version
        if sql not in self._probed:
            if len(self._probed) > 4096:
                self._probed.clear()
            self._probed[sql] = await self.db.run(self._bind_type, sql)
        return self._probed[sql]

    async def lookup(self, st: Statement) -> Callable[[str | None, str], str | None]:
        if self.version != self.db.schema_version:
            async with self._lock:
                if self.version != self.db.schema_version:
                    v = self.db.schema_version
                    self.tables = await self.db.run(self._load)
                    self.version = v
        return lookup_in(self.tables, st)


def table_columns(con) -> dict[str, list[tuple[str, str]]]:
    """Worker thread: every table's (column, DuckDB type) as this connection sees them; its
    temporary tables hide permanent ones of their names."""
    rows = con.execute(
        "SELECT database_name = 'temp', table_name, column_name, data_type FROM duckdb_columns() "
        "WHERE NOT internal ORDER BY table_name, column_index"
    ).fetchall()
    temp = {t.lower() for is_temp, t, _, _ in rows if is_temp}
    tables: dict[str, list[tuple[str, str]]] = {}
    for is_temp, t, c, ty in rows:
        if is_temp or t.lower() not in temp:
            tables.setdefault(t.lower(), []).append((c, ty))
    return tables


def bind_type(con, sql: str) -> str | None:
    """Worker thread: the type of a one-column query, from binding it (never run)."""
    try:
        types = con.sql(sql).types
    except Exception:  # noqa: BLE001 - not bindable: the parameter stays text
        return None
    return str(types[0]) if len(types) == 1 else None


def lookup_in(tables: dict[str, list[tuple[str, str]]], st: Statement) -> Callable[[str | None, str], str | None]:
    """column_type(table or alias, column) over the tables a statement names."""
    aliases: dict[str, str] = {}
    names: list[str] = []
    if st.tree is not None:
        for t in st.tree.find_all(exp.Table):
            aliases[(t.alias_or_name or t.name).lower()] = t.name.lower()
            aliases[t.name.lower()] = t.name.lower()
            names.append(t.name.lower())

    def column_type(table: str | None, column: str) -> str | None:
        cands = [aliases.get(table.lower(), table.lower())] if table else names
        for tn in cands:
            cols = tables.get(tn)
            if not cols:
                continue
            if column.startswith("#"):
                k = int(column[1:])
                if k < len(cols):
                    return cols[k][1]
                continue
            for c, ty in cols:
                if c.lower() == column.lower():
                    return ty
        return None

    return column_type
