"""Catalog → DuckDB DDL, and the migration plan between the schema files and a live database.

`plan()` compares every managed table with what DuckDB has and lists the changes; `apply()`
runs a plan in ONE DuckDB transaction (a failure rolls everything back).

DuckDB's ALTER TABLE cannot change a column's type, nullability or constraints once the table
has an index or a constraint ("Dependency Error"), and cannot add a column with constraints.
Such changes rebuild the table inside the transaction instead: create the new shape under a
temporary name, copy the rows (casting each column), drop the old table, rename, recreate the
indexes and comments. A table that another table's foreign key references cannot be dropped
by DuckDB, so rebuilding it is refused with a message saying so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
from sqlglot import exp, parse_one

from .models import Catalog, Table, pg_spelling

RECORD_SCHEMA = "_dataforge"
RECORD = f"{RECORD_SCHEMA}.managed_tables"


class CatalogDrift(Exception):
    """The database differs from the schema files in a way that needs a decision."""


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def to_duck_expr(pg_sql: str) -> str:
    return parse_one(pg_sql, read="postgres").sql("duckdb")


def _norm_expr(duck_sql: str | None) -> str | None:
    if duck_sql is None:
        return None
    try:
        tree = parse_one(duck_sql, read="duckdb")
        while isinstance(tree, exp.Paren):
            tree = tree.this
        return tree.sql("duckdb")
    except Exception:
        return duck_sql.strip()


# --------------------------------------------------------------------------- CREATE

def create_table_sql(t: Table, name: str | None = None) -> str:
    parts = []
    for c in t.columns:
        col = f"{q(c.name)} {c.duck}"
        if c.not_null:
            col += " NOT NULL"
        d = c.default_sql()
        if d is not None:
            col += f" DEFAULT {to_duck_expr(d)}"
        if c.unique:
            col += " UNIQUE"
        if c.check:
            col += f" CHECK ({to_duck_expr(c.check)})"
        parts.append(col)
    pk = t.pk_columns()
    if pk:
        parts.append(f"PRIMARY KEY ({', '.join(q(c) for c in pk)})")
    for fk in t.foreign_keys:
        ref = f" ({', '.join(q(c.lower()) for c in fk.ref_columns)})" if fk.ref_columns else ""
        parts.append(f"FOREIGN KEY ({', '.join(q(c.lower()) for c in fk.columns)}) "
                     f"REFERENCES {q(fk.references.lower())}{ref}")
    return f"CREATE TABLE {q(name or t.table)} (\n  " + ",\n  ".join(parts) + "\n)"


def index_sql(t: Table, ix) -> str:
    return (f"CREATE {'UNIQUE ' if ix.unique else ''}INDEX {q(ix.name)} ON {q(t.table)} "
            f"({', '.join(q(c) for c in ix.columns)})")


def comment_sqls(t: Table) -> list[str]:
    out = []
    if t.description:
        out.append(f"COMMENT ON TABLE {q(t.table)} IS {sql_literal(t.description)}")
    for c in t.columns:
        if c.description:
            out.append(f"COMMENT ON COLUMN {q(t.table)}.{q(c.name)} IS {sql_literal(c.description)}")
    return out


def create_sqls(t: Table) -> list[str]:
    return [create_table_sql(t)] + [index_sql(t, ix) for ix in t.all_indexes()] + comment_sqls(t)


# --------------------------------------------------------------------------- the live database

@dataclass
class LiveColumn:
    name: str
    type: str
    nullable: bool
    default: str | None
    comment: str | None


@dataclass
class LiveTable:
    name: str
    comment: str | None
    columns: dict[str, LiveColumn] = field(default_factory=dict)
    indexes: dict[str, tuple[tuple[str, ...], bool]] = field(default_factory=dict)  # name → (cols, unique)
    pk: tuple[str, ...] = ()
    uniques: set[tuple[str, ...]] = field(default_factory=set)
    checks: set[str] = field(default_factory=set)
    fks: set[tuple[tuple[str, ...], str, tuple[str, ...]]] = field(default_factory=set)
    referenced_by: set[str] = field(default_factory=set)


_DB = "database_name = current_database() AND schema_name = 'main'"


def live_tables(con: duckdb.DuckDBPyConnection) -> dict[str, LiveTable]:
    tables: dict[str, LiveTable] = {}
    for name, comment in con.execute(f"SELECT table_name, comment FROM duckdb_tables() WHERE {_DB} "
                                     "AND NOT temporary").fetchall():
        tables[name] = LiveTable(name, comment or None)
    for t, c, ty, nullable, default, comment in con.execute(
            "SELECT table_name, column_name, data_type, is_nullable, column_default, comment "
            f"FROM duckdb_columns() WHERE {_DB} ORDER BY table_name, column_index").fetchall():
        if t in tables:
            tables[t].columns[c] = LiveColumn(c, ty, nullable, default, comment or None)
    for t, name, exprs, unique in con.execute(
            f"SELECT table_name, index_name, expressions, is_unique FROM duckdb_indexes() WHERE {_DB}").fetchall():
        if t in tables:
            cols = tuple(x.strip().strip('"') for x in (exprs or "[]").strip("[]").split(","))
            tables[t].indexes[name] = (cols, bool(unique))
    for t, kind, cols, expr, ref, ref_cols in con.execute(
            "SELECT table_name, constraint_type, constraint_column_names, expression, referenced_table, "
            f"referenced_column_names FROM duckdb_constraints() WHERE {_DB}").fetchall():
        lt = tables.get(t)
        if lt is None:
            continue
        if kind == "PRIMARY KEY":
            lt.pk = tuple(cols)
        elif kind == "UNIQUE":
            lt.uniques.add(tuple(cols))
        elif kind == "CHECK":
            lt.checks.add(_norm_expr(expr) or "")
        elif kind == "FOREIGN KEY":
            lt.fks.add((tuple(cols), ref, tuple(ref_cols or ())))
            if ref in tables:
                tables[ref].referenced_by.add(t)
    # a foreign key may be listed before the table it references was read
    for lt in tables.values():
        for _cols, ref, _rc in lt.fks:
            if ref in tables:
                tables[ref].referenced_by.add(lt.name)
    return tables


def managed_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Tables the catalog created before (name → schema file), from the record table."""
    exists = con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
                         "AND schema_name = ? AND table_name = 'managed_tables'", [RECORD_SCHEMA]).fetchone()[0]
    if not exists:
        return {}
    return dict(con.execute(f"SELECT table_name, source FROM {RECORD}").fetchall())


# --------------------------------------------------------------------------- the plan

@dataclass
class Change:
    table: str
    kind: str  # create table, drop table, add column, drop column, alter type, nullability…
    text: str
    destructive: bool = False
    rebuild: bool = False  # DuckDB cannot ALTER this: the table is rebuilt
    sql: list[str] = field(default_factory=list)


@dataclass
class Plan:
    changes: list[Change]
    statements: list[str]  # in order, for one transaction
    record: list[tuple[str, str]]  # the managed-table record after the plan

    @property
    def destructive(self) -> list[Change]:
        return [c for c in self.changes if c.destructive]

    def describe(self) -> str:
        if not self.changes:
            return "the database matches the schema files: nothing to do"
        lines = []
        for c in self.changes:
            flags = (" [DESTRUCTIVE]" if c.destructive else "") + (" [rebuilds the table]" if c.rebuild else "")
            lines.append(f"{c.table}: {c.kind}: {c.text}{flags}")
        return "\n".join(lines)


_INT_DIGITS = {"SMALLINT": 5, "INTEGER": 10, "BIGINT": 19, "HUGEINT": 39}


def _decimal(t: str) -> tuple[int, int] | None:
    if t.startswith("DECIMAL(") and t.endswith(")"):
        p, s = t[8:-1].split(",")
        return int(p), int(s)
    return None


def is_widening(old: str, new: str) -> bool:
    """Every value of `old` fits `new` without loss."""
    if old == new or new == "VARCHAR":
        return True
    if old.endswith("[]") and new.endswith("[]"):
        return is_widening(old[:-2], new[:-2])
    if old in _INT_DIGITS:
        if new in _INT_DIGITS:
            return _INT_DIGITS[new] >= _INT_DIGITS[old]
        d = _decimal(new)
        if d:
            return d[0] - d[1] >= _INT_DIGITS[old]
        return new == "DOUBLE" and old in ("SMALLINT", "INTEGER")
    if old == "FLOAT":
        return new == "DOUBLE"
    od, nd = _decimal(old), _decimal(new)
    if od and nd:
        return nd[1] >= od[1] and nd[0] - nd[1] >= od[0] - od[1]
    if old == "DATE":
        return new in ("TIMESTAMP", "TIMESTAMP WITH TIME ZONE")
    if old == "TIMESTAMP":
        return new == "TIMESTAMP WITH TIME ZONE"
    if old.startswith("ENUM(") and new.startswith("ENUM("):
        return set(_enum_labels(old)) <= set(_enum_labels(new))
    return False


def _enum_labels(t: str) -> list[str]:
    return [x.strip().strip("'") for x in t[5:-1].split(",")]


def plan(catalog: Catalog, con: duckdb.DuckDBPyConnection) -> Plan:
    live = live_tables(con)
    managed = managed_names(con)
    changes: list[Change] = []
    statements: list[str] = []
    # tables first in an order where a referenced table exists before its foreign keys need it
    for t in _fk_order(catalog):
        lt = live.get(t.table)
        if lt is None:
            ch = Change(t.table, "create table", f"{len(t.columns)} columns, {len(t.all_indexes())} indexes",
                        sql=create_sqls(t))
            changes.append(ch)
            statements += ch.sql
            continue
        table_changes = _table_changes(t, lt)
        if not table_changes:
            continue
        if any(c.rebuild for c in table_changes):
            if lt.referenced_by:
                raise CatalogDrift(
                    f'table "{t.table}" needs a rebuild ({"; ".join(c.text for c in table_changes if c.rebuild)}) '
                    f"but DuckDB cannot drop a table that a foreign key references "
                    f"(from {', '.join(sorted(lt.referenced_by))}): migrate it by hand")
            for c in table_changes:
                c.rebuild = True
            statements += _rebuild_sqls(t, lt)
        else:
            for c in table_changes:
                statements += c.sql
        changes += table_changes
    for name, source in sorted(managed.items()):
        if name not in catalog.tables and name in live:
            ch = Change(name, "drop table", f"no schema file declares it any more (was {source})",
                        destructive=True, sql=[f"DROP TABLE {q(name)}"])
            changes.append(ch)
            statements += ch.sql
    statements += declared_type_sqls(catalog, con, [n for n in managed if n not in catalog.tables])
    record = sorted((t.table, t.source) for t in catalog.tables.values())
    return Plan(changes, statements, record)


def declared_types(catalog: Catalog) -> list[tuple[str, str, int, int]]:
    """(table, column, PostgreSQL type OID, typmod) of the columns whose PostgreSQL type DuckDB
    does not keep (varchar(n), char(n), jsonb, timestamp(p)…: gateway/sql/result_types.py)."""
    from gateway.sql.result_types import _cast_type

    out = []
    for t in catalog.tables.values():
        for c in t.columns:
            if c.values:
                continue  # enum
            d = _cast_type(exp.DataType.build(c.type, dialect="postgres"))
            if d is not None:
                out.append((t.table, c.name, d[1], d[2]))
    return sorted(out)


def declared_type_sqls(catalog: Catalog, con: duckdb.DuckDBPyConnection, dropped: list[str]) -> list[str]:
    """Statements that bring the declared-type record (gateway/engine/column_types.py) of the
    catalog's tables up to date, run in the plan's transaction; none when it already is."""
    from gateway.engine.column_types import CREATE, TABLE

    names = sorted(set(catalog.tables) | set(dropped))
    if not names:
        return []
    want = declared_types(catalog)
    exists = con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
                         "AND schema_name = '_dataforge' AND table_name = 'column_types'").fetchone()[0]
    have = []
    if exists:
        have = sorted(tuple(r) for r in con.execute(
            f"SELECT table_name, column_name, type_oid, typmod FROM {TABLE} WHERE schema_name = 'main' "
            f"AND list_contains(?, table_name)", [names]).fetchall())
    if have == want:
        return []
    out = [*CREATE.split("; "),
           f"DELETE FROM {TABLE} WHERE schema_name = 'main' AND table_name IN ({', '.join(map(sql_literal, names))})"]
    if want:
        out.append(f"INSERT INTO {TABLE} VALUES " + ", ".join(
            f"('main', {sql_literal(t)}, {sql_literal(c)}, {oid}, {mod})" for t, c, oid, mod in want))
    return out


def _fk_order(catalog: Catalog) -> list[Table]:
    done: list[Table] = []
    seen: set[str] = set()

    def visit(t: Table, depth: int = 0) -> None:
        if t.table in seen or depth > len(catalog.tables):
            return
        for fk in t.foreign_keys:
            ref = catalog.tables.get(fk.references.lower())
            if ref is not None and ref is not t:
                visit(ref, depth + 1)
        seen.add(t.table)
        done.append(t)

    for t in sorted(catalog.tables.values(), key=lambda t: t.table):
        visit(t)
    return done


def _table_changes(t: Table, lt: LiveTable) -> list[Change]:
    out: list[Change] = []
    name = t.table
    for c in t.columns:
        lc = lt.columns.get(c.name)
        want_default = _norm_expr(to_duck_expr(c.default_sql())) if c.default_sql() is not None else None
        if lc is None:
            simple = c.nullable and not (c.unique or c.check or c.primary_key)
            d = f" DEFAULT {to_duck_expr(c.default_sql())}" if c.default_sql() is not None else ""
            out.append(Change(name, "add column", f"{c.name} {c.type}{'' if c.nullable else ' NOT NULL'}",
                              rebuild=not simple, sql=[f"ALTER TABLE {q(name)} ADD COLUMN {q(c.name)} {c.duck}{d}"]))
            if c.description:
                out.append(Change(name, "comment", f"column {c.name}: {c.description!r}", sql=[
                    f"COMMENT ON COLUMN {q(name)}.{q(c.name)} IS {sql_literal(c.description)}"]))
            continue
        if lc.type != c.duck:
            widening = is_widening(lc.type, c.duck)
            out.append(Change(name, "alter type",
                              f"{c.name} {pg_spelling(lc.type)} → {c.type} ({'widening' if widening else 'narrowing'})",
                              destructive=not widening, rebuild=True))
        if lc.nullable != (not c.not_null):
            out.append(Change(name, "nullability", f"{c.name} {'DROP' if lc.nullable is False else 'SET'} NOT NULL",
                              rebuild=True))
        if _norm_expr(lc.default) != want_default:
            sql = (f"ALTER TABLE {q(name)} ALTER COLUMN {q(c.name)} SET DEFAULT {to_duck_expr(c.default_sql())}"
                   if want_default is not None else f"ALTER TABLE {q(name)} ALTER COLUMN {q(c.name)} DROP DEFAULT")
            out.append(Change(name, "default", f"{c.name}: {lc.default or 'none'} → {c.default_sql() or 'none'}",
                              sql=[sql]))
        if (lc.comment or None) != (c.description or None):
            out.append(Change(name, "comment", f"column {c.name}: {c.description!r}", sql=[
                f"COMMENT ON COLUMN {q(name)}.{q(c.name)} IS "
                f"{sql_literal(c.description) if c.description else 'NULL'}"]))
    for cname in lt.columns:
        if t.column(cname) is None:
            out.append(Change(name, "drop column", cname, destructive=True, rebuild=True))
    if (lt.comment or None) != (t.description or None):
        out.append(Change(name, "comment", f"table: {t.description!r}", sql=[
            f"COMMENT ON TABLE {q(name)} IS {sql_literal(t.description) if t.description else 'NULL'}"]))
    # constraints: DuckDB cannot add or drop them on an existing table
    if tuple(lt.pk) != tuple(t.pk_columns()):
        out.append(Change(name, "primary key", f"({', '.join(lt.pk)}) → ({', '.join(t.pk_columns())})", rebuild=True))
    want_uniques = {(c.name,) for c in t.columns if c.unique}
    if lt.uniques != want_uniques:
        out.append(Change(name, "unique constraints", f"{sorted(lt.uniques)} → {sorted(want_uniques)}", rebuild=True))
    want_checks = {_norm_expr(to_duck_expr(c.check)) for c in t.columns if c.check}
    if lt.checks != want_checks:
        out.append(Change(name, "check constraints", f"{sorted(lt.checks)} → {sorted(want_checks)}", rebuild=True))
    want_fks = {(tuple(c.lower() for c in fk.columns), fk.references.lower(),
                 tuple(c.lower() for c in fk.ref_columns) if fk.ref_columns else ()) for fk in t.foreign_keys}
    want_rc = {(cols, ref): rc for cols, ref, rc in want_fks}  # () = the referenced primary key
    live_fks = {(cols, ref, () if want_rc.get((cols, ref)) == () else rc) for cols, ref, rc in lt.fks}
    if live_fks != want_fks:
        out.append(Change(name, "foreign keys", f"{sorted(lt.fks)} → {sorted(want_fks)}", rebuild=True))
    want_ix = {ix.name: ix for ix in t.all_indexes()}
    for ixname, (cols, unique) in lt.indexes.items():
        ix = want_ix.get(ixname)
        if ix is None or tuple(ix.columns) != cols or ix.unique != unique:
            out.append(Change(name, "drop index", ixname, sql=[f"DROP INDEX {q(ixname)}"]))
    for ixname, ix in want_ix.items():
        have = lt.indexes.get(ixname)
        if have is None or have != (tuple(ix.columns), ix.unique):
            out.append(Change(name, "add index", f"{ixname} ({', '.join(ix.columns)})"
                              f"{' unique' if ix.unique else ''}", sql=[index_sql(t, ix)]))
    return out


def _rebuild_sqls(t: Table, lt: LiveTable) -> list[str]:
    tmp = f"{t.table}__dataforge_rebuild"
    keep = [c for c in t.columns if c.name in lt.columns]
    cols = ", ".join(q(c.name) for c in keep)
    casts = ", ".join(f"CAST({q(c.name)} AS {c.duck})" for c in keep)
    return [create_table_sql(t, tmp),
            f"INSERT INTO {q(tmp)} ({cols}) SELECT {casts} FROM {q(t.table)}",
            f"DROP TABLE {q(t.table)}",
            f"ALTER TABLE {q(tmp)} RENAME TO {q(t.table)}",
            *[index_sql(t, ix) for ix in t.all_indexes()],
            *comment_sqls(t)]


# --------------------------------------------------------------------------- apply

class ApplyError(Exception):
    def __init__(self, statement: str, error: Exception):
        self.statement = statement
        self.error = error
        super().__init__(f"{str(error).splitlines()[0]}\n  while running: {statement.splitlines()[0]}"
                         f"{' …' if chr(10) in statement else ''}\n  nothing was changed (rolled back)")


def apply(p: Plan, con: duckdb.DuckDBPyConnection) -> None:
    """Runs the plan and updates the managed-table record, all in one transaction."""
    stmts = list(p.statements)
    if not stmts and not p.record:
        return
    if p.record or managed_names(con):
        if p.record != sorted(managed_names(con).items()) or stmts:
            stmts += [f"CREATE SCHEMA IF NOT EXISTS {RECORD_SCHEMA}",
                      f"CREATE TABLE IF NOT EXISTS {RECORD} (table_name VARCHAR, source VARCHAR)",
                      f"DELETE FROM {RECORD}"]
            if p.record:
                stmts.append(f"INSERT INTO {RECORD} VALUES " + ", ".join(
                    f"({sql_literal(n)}, {sql_literal(s)})" for n, s in p.record))
    if not stmts:
        return
    con.execute("BEGIN TRANSACTION")
    for s in stmts:
        try:
            con.execute(s)
        except duckdb.Error as e:
            con.execute("ROLLBACK")
            raise ApplyError(s, e) from None
    con.execute("COMMIT")
    # DuckDB 1.5.5 cannot replay a WAL holding COMMENT ON COLUMN of a column whose DEFAULT calls
    # a function (now(), uuid()…): after a crash the database would not open. A checkpoint
    # moves the migration out of the WAL.
    con.execute("CHECKPOINT")


def sync(catalog: Catalog, con: duckdb.DuckDBPyConnection, allow_destructive: bool) -> Plan:
    """At startup: create what is missing and apply the plan; refuse destructive drift unless allowed."""
    p = plan(catalog, con)
    if p.destructive and not allow_destructive:
        raise CatalogDrift(
            "the database differs from the schema files in a destructive way:\n  "
            + "\n  ".join(f"{c.table}: {c.kind}: {c.text}" for c in p.destructive)
            + "\nrun `dataforge schemas diff` to see the plan and `dataforge schemas apply --allow-destructive` "
              "to apply it, or start with catalog_allow_destructive = true")
    apply(p, con)
    return p
