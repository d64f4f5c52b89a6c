"""ALTER TABLE where DuckDB refuses what PostgreSQL does: rebuild the table.

DuckDB takes foreign keys and CHECK constraints only in CREATE TABLE, refuses ALTER COLUMN on
a table that has an index or that other tables' foreign keys reference, refuses a new type
for a UNIQUE / PRIMARY KEY column (and for a varchar(n) column, whose length is a CHECK here),
and cannot reuse a dropped index's name in the same transaction. Migration tools (Django's
AddField/AlterField, Rails, Prisma, Flyway, Alembic) need all of these. So, inside the
statement's transaction, the table is rebuilt: the tables referencing it (farthest first)
and then the table itself are set aside (rows in a temporary copy, DDL, indexes, comments
remembered, table dropped), the table is created again from DuckDB's own DDL (plus the new
constraint, or altered while empty; the same ALTER is applied to the rows), the rows come
back (so rows that violate a new constraint fail the statement, 23503/23514/23502, as in
PostgreSQL, and the table is left as it was), then its indexes and comments, then the
referencing tables.

sql/rewrite.py marks such statements (MARK + JSON for ADD CONSTRAINT, MARK_ALTER for ALTER
TABLE); engine/results.execute hands them here. A table without dependents is altered
directly.
"""

from __future__ import annotations

import json
import re
import uuid

import duckdb

from ..errors import PgError

MARK = "/*dataforge:add-constraints*/"
MARK_ALTER = "/*dataforge:alter-table*/"
MARK_DROP = "/*dataforge:drop-constraint*/"


def payload(schema: str | None, table: str, constraints: list[str]) -> str:
    return json.dumps({"schema": schema, "table": table, "constraints": constraints})


def drop_payload(schema: str | None, table: str, constraint: str, table_if_exists: bool, if_exists: bool) -> str:
    return json.dumps({"schema": schema, "table": table, "constraint": constraint,
                       "table_if_exists": table_if_exists, "if_exists": if_exists})


def drop_constraint(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Worker thread: ALTER TABLE … DROP CONSTRAINT (MARK_DROP). A missing table (IF EXISTS)
    or constraint (IF EXISTS) is nothing to do; a UNIQUE constraint, which is an index here,
    goes as its index; other constraints (DuckDB keeps no names for them) are refused."""
    p = json.loads(sql[len(MARK_DROP):])
    found = _find(con, p["table"], p["schema"])
    if found is None:
        if p["table_if_exists"]:
            return
        raise PgError("42P01", f'relation "{p["table"]}" does not exist')
    db, sch, name = found[:3]
    index = [i for i, _ in _indexes(con, db, sch, name) if i.lower() == p["constraint"].lower()]
    if index:
        con.execute(f"DROP INDEX {_q(db)}.{_q(sch)}.{_q(index[0])}")
        return
    from ..sql.pg_catalog import COMPAT_DB  # the names pg_constraint shows (PostgreSQL's or CREATE TABLE's)

    m = f"{COMPAT_DB}.main"
    names = con.execute(
        f"SELECT conname FROM {m}.pg_constraint WHERE conrelid = (SELECT c.oid FROM {m}.pg_class c "
        f"JOIN {m}.pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = $1 "
        "AND n.nspname = CASE WHEN $2 = 'main' THEN 'public' ELSE $2 END LIMIT 1)", [name, sch]).fetchall()
    if not any(n.lower() == p["constraint"].lower() for (n,) in names):
        if p["if_exists"]:
            return
        raise PgError("42704", f'constraint "{p["constraint"]}" of relation "{name}" does not exist')
    raise PgError("0A000", "ALTER TABLE … DROP CONSTRAINT is supported for UNIQUE constraints only",
                  detail=f'"{p["constraint"]}" is a primary key, foreign key or check constraint.',
                  hint="Recreate the table without it (CREATE TABLE new … AS, or restore into an empty database "
                       "instead of pg_dump --clean).")


# the name the ALTER's second copy (sql/rewrite.py) uses for the table's rows
KEEP = "__dataforge_keep__"


def alter_payload(schema: str | None, table: str, sql: str, keep_sql: str | None, renamed: dict[str, str],
                  dropped: list[str], retyped: list[str], checks: list[str], adds_not_null: bool = False) -> str:
    return json.dumps({"schema": schema, "table": table, "sql": sql, "keep_sql": keep_sql, "renamed": renamed,
                       "dropped": dropped, "retyped": retyped, "checks": checks, "adds_not_null": adds_not_null})


def _length_check(column: str) -> re.Pattern:
    """The CHECK a varchar(n)/char(n) column carries here (sql/rewrite.py: DuckDB's VARCHAR has
    no length), as DuckDB prints it in the table's DDL."""
    return re.compile(r",\s*CHECK\(\((?:char_)?length\(rtrim\(\"?" + re.escape(column)
                      + r"\"?, ' '\)\) <= \d+\)\)", re.IGNORECASE)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def add_constraints(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Worker thread: carry out a MARK statement on this connection, atomically."""
    p = json.loads(sql[len(MARK):])
    _atomically(con, lambda: _rebuild(con, p["schema"], p["table"], p["constraints"]))


def alter_table(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Worker thread: an ALTER TABLE (MARK_ALTER). DuckDB refuses to alter a column of a table
    that has an index or that other tables' foreign keys reference ("entries that depend on
    it"), which every migration tool's AlterField / alter_column / change_column hits, and a
    dropped index's name cannot be reused in the same transaction. So such a table is rebuilt:
    the tables referencing it and its rows are set aside, it is created again (empty, no
    indexes) and altered, the same ALTER is applied to its rows (`keep_sql`: a USING
    expression, a SET NOT NULL check run on the data), the rows go back, then its indexes
    (one on a dropped column goes with it, as in PostgreSQL; renamed columns followed) and
    the referencing tables. All in the statement's transaction."""
    p = json.loads(sql[len(MARK_ALTER):])
    found = _find(con, p["table"], p["schema"])
    if found is None or p["keep_sql"] is None:
        con.execute(p["sql"])  # DuckDB's own answer (42P01, nothing with IF EXISTS, ADD COLUMN)
        return
    db, sch, name = found[:3]
    children = _referencing(con, db, sch, name)
    # a new type for a varchar(n) column: its length CHECK would make DuckDB refuse; a new
    # varchar(m) type brings its own check (p["checks"]), which DuckDB takes only at CREATE
    checks = [_length_check(c) for c in p.get("retyped") or []]
    checked = any(c.search(found[3]) for c in checks)
    # ADD COLUMN … NOT NULL is ADD COLUMN then SET NOT NULL in DuckDB, which refuses the second
    # on a table with rows changed in the same transaction ("outstanding updates"): rebuilt
    # whenever in a transaction; in autocommit each runs on its own
    in_place = not p.get("adds_not_null") or not _in_transaction(con)
    if in_place and not children and not checked and not p.get("checks") and not _indexes(con, db, sch, name):
        con.execute(p["sql"])
        return

    def run() -> None:
        saved = [_detach(con, *child) for child in children]
        target, ddl, keep, indexes, comment, comments = _detach(con, db, sch, name)
        for c in checks:
            ddl = c.sub("", ddl)
        pk, uniques = None, []
        if p.get("retyped"):
            ddl, pk, uniques = _loosened(ddl, p["retyped"])
        con.execute(ddl)
        con.execute(p["sql"])
        if p.get("checks"):  # the new length checks: DuckDB adds a CHECK only in CREATE TABLE
            altered = _find(con, name, sch)[3].rstrip().rstrip(";").rstrip()
            con.execute(f"DROP TABLE {target}")  # still empty, nothing references it yet
            head = f"CREATE TEMP TABLE {_q(name)}" if db == "temp" else f"CREATE TABLE {target}"
            con.execute(head + altered[altered.index("("):-1] + ", " + ", ".join(p["checks"]) + ")")
        con.execute(p["keep_sql"].replace(KEEP, keep))
        con.execute(f"INSERT INTO {target} BY NAME SELECT * FROM {keep}")
        con.execute(f"DROP TABLE {keep}")
        if pk:
            con.execute(f"ALTER TABLE {target} ADD PRIMARY KEY ({', '.join(_q(c) for c in pk)})")
        for cols in uniques:  # as a unique index under PostgreSQL's constraint name
            index = _q(f"{name}_{'_'.join(cols)}_key"[:63])
            con.execute(f"CREATE UNIQUE INDEX {index} ON {target} ({', '.join(_q(c) for c in cols)})")
        renamed, dropped = p["renamed"], {d.lower() for d in p["dropped"]}
        indexes = [i for i in (_index_after(x, renamed, p["dropped"]) for x in indexes) if i is not None]
        comments = [(renamed.get(c.lower(), c), text) for c, text in comments if c.lower() not in dropped]
        _reattach(con, (target, None, None, indexes, comment, comments))
        for s in reversed(saved):
            _reattach(con, s)
    _atomically(con, run)


def _loosened(ddl: str, retyped: list[str]) -> tuple[str, list[str] | None, list[list[str]]]:
    """The table's DDL without the PRIMARY KEY / UNIQUE constraints on `retyped` columns
    (DuckDB cannot change such a column's type); they are returned to be put back after."""
    from sqlglot import exp, parse_one  # DuckDB's own DDL text, read once per rebuild
    from sqlglot.errors import SqlglotError

    try:
        tree = parse_one(ddl, read="duckdb")
    except SqlglotError:  # (a VIRTUAL generated column): left as it is; DuckDB will say why not
        return ddl, None, []
    cols = {c.lower() for c in retyped}
    pk: list[str] | None = None
    uniques: list[list[str]] = []

    def names(items) -> list[str]:
        return [(i.this if isinstance(i, exp.Ordered) else i).name for i in items]
    for item in list(tree.this.expressions):
        if isinstance(item, exp.ColumnDef) and item.name.lower() in cols:
            for c in list(item.args.get("constraints") or []):
                if isinstance(c.kind, exp.PrimaryKeyColumnConstraint):
                    pk = [item.name]
                    c.pop()
                elif isinstance(c.kind, exp.UniqueColumnConstraint):
                    uniques.append([item.name])
                    c.pop()
        elif isinstance(item, exp.PrimaryKey) and any(n.lower() in cols for n in names(item.expressions)):
            pk = names(item.expressions)
            item.pop()
        elif isinstance(item, exp.UniqueColumnConstraint) and isinstance(item.this, exp.Schema) and any(
                n.lower() in cols for n in names(item.this.expressions)):
            uniques.append(names(item.this.expressions))
            item.pop()
    return tree.sql("duckdb"), pk, uniques


def _in_transaction(con) -> bool:
    # inside a transaction (the client's, or the writer's group) two statements share one
    # transaction id; in autocommit each has its own. (A failed BEGIN would abort the
    # caller's transaction, so it cannot be the probe.)
    return con.execute("SELECT txid_current()").fetchone() == con.execute("SELECT txid_current()").fetchone()


def _atomically(con, fn) -> None:
    own = not _in_transaction(con)
    if own:
        con.execute("BEGIN TRANSACTION")
    try:
        fn()
    except BaseException:
        if own:
            con.execute("ROLLBACK")
        raise
    if own:
        con.execute("COMMIT")


def _find(con, table: str, schema: str | None):
    rows = con.execute(
        "SELECT database_name, schema_name, table_name, sql, comment FROM duckdb_tables() "
        "WHERE lower(table_name) = lower($1) AND ($2::VARCHAR IS NULL OR lower(schema_name) = lower($2)) "
        "AND (database_name = current_database() OR temporary) "
        "ORDER BY temporary DESC, table_name = $1 DESC, schema_name = 'main' DESC", [table, schema]).fetchall()
    return rows[0] if rows else None


def _indexes(con, db: str, sch: str, name: str) -> list[tuple[str, str]]:
    return con.execute(
        "SELECT index_name, sql FROM duckdb_indexes() WHERE database_name = $1 AND schema_name = $2 "
        "AND table_name = $3 AND sql IS NOT NULL ORDER BY index_oid", [db, sch, name]).fetchall()


def _referencing(con, db: str, sch: str, name: str) -> list[tuple[str, str, str]]:
    """Every table whose foreign keys lead to this one, directly or through others, the
    farthest first (the order they can be dropped in)."""
    edges = con.execute(
        "SELECT DISTINCT database_name, schema_name, table_name, referenced_table FROM duckdb_constraints() "
        "WHERE constraint_type = 'FOREIGN KEY' AND database_name = $1", [db]).fetchall()
    order: list[tuple[str, str, str]] = []
    seen = {(db, sch, name)}

    def visit(parent: str) -> None:
        for d, s, t, ref in edges:
            if ref.lower() == parent.lower() and (d, s, t) not in seen:
                seen.add((d, s, t))
                visit(t)
                order.append((d, s, t))
    visit(name)
    return order


def _index_after(index_sql: str, renamed: dict[str, str], dropped: list[str]) -> str | None:
    """An index's DDL after the ALTER: None when it covered a dropped column (PostgreSQL drops
    it too), renamed columns renamed."""
    from sqlglot import exp, parse_one  # DuckDB's own DDL text, read once per index
    from sqlglot.errors import SqlglotError

    if not renamed and not dropped:
        return index_sql
    try:
        tree = parse_one(index_sql, read="duckdb")
    except SqlglotError:
        return index_sql
    gone = {d.lower() for d in dropped}
    for col in tree.find_all(exp.Column):
        if col.name.lower() in gone:
            return None
        new = renamed.get(col.name.lower())
        if new is not None:
            col.set("this", exp.to_identifier(new, quoted=True))
    return tree.sql("duckdb")


def _detach(con, db: str, sch: str, name: str) -> tuple:
    """Set a referencing table aside: its rows in a temporary copy, its DDL, indexes and
    comments remembered, the table dropped."""
    _, _, _, ddl, comment = _find(con, name, sch)
    target = f"{_q(db)}.{_q(sch)}.{_q(name)}"
    indexes = [sql for _, sql in _indexes(con, db, sch, name)]
    comments = con.execute(
        "SELECT column_name, comment FROM duckdb_columns() WHERE database_name = $1 AND schema_name = $2 "
        "AND table_name = $3 AND comment IS NOT NULL", [db, sch, name]).fetchall()
    keep = "__dataforge_rebuild_" + uuid.uuid4().hex[:12]
    generated = _generated(con, db, sch, name, ddl)  # computed again, never stored back
    exclude = f" EXCLUDE ({', '.join(_q(c) for c in generated)})" if generated else ""
    con.execute(f"CREATE TEMP TABLE {keep} AS SELECT *{exclude} FROM {target}")
    con.execute(f"DROP TABLE {target}")
    body = ddl.rstrip().rstrip(";").rstrip()
    head = f"CREATE TEMP TABLE {_q(name)}" if db == "temp" else f"CREATE TABLE {target}"
    return (target, head + body[body.index("("):], keep, indexes, comment, comments)


def _generated(con, db: str, sch: str, name: str, ddl: str) -> list[str]:
    """The table's generated columns (DuckDB lists their expression as the default; the DDL
    says GENERATED ALWAYS AS)."""
    cols = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = $1 AND schema_name = $2 "
        "AND table_name = $3 AND column_default IS NOT NULL", [db, sch, name]).fetchall()
    return [c for (c,) in cols if re.search(
        r'(?i)(?:\(|,)\s*"?' + re.escape(c) + r'"?\s+[^,]*?\bGENERATED\s+ALWAYS\s+AS\b', ddl)]


def _reattach(con, saved: tuple) -> None:
    """A set-aside table back: created again (unless `ddl` is None: done), its rows, indexes
    and comments."""
    target, ddl, keep, indexes, comment, comments = saved
    if ddl is not None:
        con.execute(ddl)
        con.execute(f"INSERT INTO {target} BY NAME SELECT * FROM {keep}")
        con.execute(f"DROP TABLE {keep}")
    for index_sql in indexes:
        con.execute(index_sql)
    if comment:
        con.execute(f"COMMENT ON TABLE {target} IS '" + comment.replace("'", "''") + "'")
    for column, text in comments:
        con.execute(f"COMMENT ON COLUMN {target}.{_q(column)} IS '" + text.replace("'", "''") + "'")


def _rebuild(con, schema: str | None, table: str, constraints: list[str]) -> None:
    found = _find(con, table, schema)
    if found is None:
        raise PgError("42P01", f'relation "{table}" does not exist')
    db, sch, name = found[:3]
    children = [_detach(con, *child) for child in _referencing(con, db, sch, name)]
    target, ddl, keep, indexes, comment, comments = _detach(con, db, sch, name)
    if not ddl.endswith(")"):
        raise PgError("0A000", f'cannot add a constraint to "{name}": its definition could not be read')
    _reattach(con, (target, ddl[:-1] + ", " + ", ".join(constraints) + ")", keep, indexes, comment, comments))
    for saved in reversed(children):
        _reattach(con, saved)

