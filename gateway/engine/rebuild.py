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
from .column_types import CONSTRAINT_NAMES

MARK = "/*dataforge:add-constraints*/"
MARK_ALTER = "/*dataforge:alter-table*/"
MARK_DROP = "/*dataforge:drop-constraint*/"
MARK_TRUNCATE = "/*dataforge:truncate*/"


def payload(schema: str | None, table: str, constraints: list[str],
            names: list[tuple[str, list[str], str]] | None = None) -> str:
    """`names`: (contype f|c, columns, name) of the constraints the ALTER names itself."""
    return json.dumps({"schema": schema, "table": table, "constraints": constraints, "names": names or []})


def drop_payload(schema: str | None, table: str, name: str, if_exists: bool, table_if_exists: bool = False) -> str:
    return json.dumps({"schema": schema, "table": table, "name": name, "if_exists": if_exists,
                       "table_if_exists": table_if_exists})


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
    """Worker thread: carry out a MARK statement on this connection, atomically; the names it
    gives its constraints recorded as CREATE TABLE's are (engine/column_types.py)."""
    p = json.loads(sql[len(MARK):])

    def run() -> None:
        def append(ddl: str) -> str:
            if not ddl.endswith(")"):
                raise PgError("0A000", f'cannot add a constraint to "{p["table"]}": its definition could not be read')
            return ddl[:-1] + ", " + ", ".join(p["constraints"]) + ")"
        db, sch, name = _rebuild(con, p["schema"], p["table"], append)
        names = p.get("names") or []
        checks = _checks(con, db, sch, name)
        added = sum(1 for contype, _, _ in names if contype == "c")
        rows, i = [], 0
        for contype, cols, given in names:
            if contype == "c":  # a CHECK is told by its place among the table's; the new ones are last
                i += 1
                key = f"#{checks - added + i}"
            else:
                key = ",".join(c.lower() for c in cols)
                if given == f"{name.lower()}_{'_'.join(c.lower() for c in cols)}_fkey":
                    continue
            rows.append([sch.lower(), name.lower(), contype, key, given])
        if rows and db != "temp":
            con.executemany(f"INSERT INTO {CONSTRAINT_NAMES} VALUES (?, ?, ?, ?, ?)", rows)
    _atomically(con, run)


def drop_constraint(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Worker thread: ALTER TABLE … DROP CONSTRAINT name (MARK_DROP). DuckDB cannot drop a
    constraint; a UNIQUE one that ADD CONSTRAINT made is a unique index (dropped), any other
    is taken out of the table's definition and the table rebuilt, atomically."""
    p = json.loads(sql[len(MARK_DROP):])
    found = _find(con, p["table"], p["schema"])
    if found is None:
        if p.get("table_if_exists"):
            return
        raise PgError("42P01", f'relation "{p["table"]}" does not exist')
    db, sch, name = found[:3]
    index = con.execute(
        "SELECT index_name FROM duckdb_indexes() WHERE database_name = ? AND schema_name = ? AND table_name = ? "
        "AND is_unique AND index_name = ?", [db, sch, name, p["name"]]).fetchone()
    if index is not None:
        con.execute(f"DROP INDEX {_q(db)}.{_q(sch)}.{_q(index[0])}")
        return
    row = con.execute(
        "SELECT contype, colnames, check_expr FROM pg_df_constraints WHERE db = ? AND sch = ? AND table_name = ? "
        "AND conname = ?", [db, sch, name, p["name"]]).fetchone()
    if row is None:
        if p["if_exists"]:
            return
        raise PgError("42704", f'constraint "{p["name"]}" of relation "{name}" does not exist')
    contype, colnames, check_expr = row

    def run() -> None:
        _rebuild(con, sch, name, lambda ddl: _without_constraint(ddl, contype, colnames or [], check_expr))
        if db != "temp":
            con.execute(f"DELETE FROM {CONSTRAINT_NAMES} WHERE schema_name = ? AND table_name = ? AND name = ?",
                        [sch.lower(), name.lower(), p["name"]])
    _atomically(con, run)


def refresh(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> None:
    """Worker thread, in a transaction: the table created again with its own rows. DuckDB
    checks a delete of a referenced row against the referencing table's foreign-key index,
    which still holds the rows this transaction deleted or changed there, so deleting child
    rows and then their parent in one transaction (Django's delete collector, any ORM's
    cascade) failed with a violation; a fresh table has only the rows that are still there."""
    _rebuild(con, schema, table, lambda ddl: ddl)


def truncate_payload(tables: list[tuple[str | None, str]], cascade: bool) -> str:
    return json.dumps({"tables": tables, "cascade": cascade})


def truncate_tables(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Worker thread: TRUNCATE a, b … [CASCADE] (MARK_TRUNCATE; Django's flush, test cleaners).
    DuckDB checks a referenced table's rows against the referencing table's foreign-key index,
    which still holds rows deleted earlier in the same transaction, so emptying a table and
    then the table it references fails. The tables of the set that take part in a foreign key
    between them are therefore created again empty (indexes and comments kept, referencing
    tables first out and last in); the others are truncated. All atomically."""
    p = json.loads(sql[len(MARK_TRUNCATE):])
    targets: list[tuple[str, str, str]] = []
    for schema, table in p["tables"]:
        found = _find(con, table, schema)
        if found is None:
            raise PgError("42P01", f'relation "{table}" does not exist')
        if tuple(found[:3]) not in targets:
            targets.append(tuple(found[:3]))
    referencing = {t: _referencing(con, *t) for t in targets}
    for t in list(targets):
        for child in referencing[t]:
            if child not in targets:
                if not p["cascade"]:
                    raise PgError("0A000", "cannot truncate a table referenced in a foreign key constraint",
                                  detail=f'Table "{child[2]}" references "{t[2]}".',
                                  hint=f'Truncate table "{child[2]}" at the same time, or use TRUNCATE ... CASCADE.')
                targets.append(child)
                referencing[child] = _referencing(con, *child)
    involved = {t for t in targets if referencing[t]} | {c for t in targets for c in referencing[t]}

    def run() -> None:
        order: list[tuple[str, str, str]] = []  # referencing tables before the tables they reference
        for t in targets:
            if t in involved:
                order += [c for c in referencing[t] if c not in order]
                if t not in order:
                    order.append(t)
        saved = [_detach(con, *t, keep_rows=False) for t in order]
        for s in reversed(saved):
            _reattach(con, s)
        for t in targets:
            if t not in involved:
                con.execute(f"TRUNCATE {_q(t[0])}.{_q(t[1])}.{_q(t[2])}")
    _atomically(con, run)


def _checks(con, db: str, sch: str, name: str) -> int:
    """How many CHECKs the table has, as pg_constraint counts them (not the varchar(n) length
    checks)."""
    return con.execute(
        "SELECT count(*) FROM pg_df_constraints WHERE db = ? AND sch = ? AND table_name = ? AND contype = 'c'",
        [db, sch, name]).fetchone()[0]


def _without_constraint(ddl: str, contype: str, colnames: list[str], check_expr: str | None) -> str:
    """The table's DDL (DuckDB's text) without the one constraint."""
    from sqlglot import exp, parse_one

    tree = parse_one(ddl, read="duckdb")
    cols = [c.lower() for c in colnames]
    target = parse_one(check_expr, read="duckdb").sql("duckdb") if contype == "c" and check_expr else None

    def names(items) -> list[str]:
        return [(i.this if isinstance(i, exp.Ordered) else i).name.lower() for i in items]

    def matches(node) -> bool:
        if contype == "p":
            return isinstance(node, exp.PrimaryKey) and names(node.expressions) == cols
        if contype == "u":
            return isinstance(node, exp.UniqueColumnConstraint) and isinstance(node.this, exp.Schema) \
                and names(node.this.expressions) == cols
        if contype == "f":
            return isinstance(node, exp.ForeignKey) and names(node.expressions) == cols
        return isinstance(node, exp.CheckColumnConstraint) and node.this.sql("duckdb") == target

    for item in list(tree.this.expressions):
        if isinstance(item, exp.ColumnDef):
            for c in list(item.args.get("constraints") or []):
                kind = c.args.get("kind")
                one = [item.name.lower()] == cols
                if (contype == "p" and isinstance(kind, exp.PrimaryKeyColumnConstraint) and one) or (
                        contype == "u" and isinstance(kind, exp.UniqueColumnConstraint) and one) or (
                        contype == "f" and isinstance(kind, exp.Reference) and one) or (
                        contype == "c" and isinstance(kind, exp.CheckColumnConstraint)
                        and kind.this.sql("duckdb") == target):
                    c.pop()
                    return tree.sql("duckdb")
        elif matches(item.expressions[0] if isinstance(item, exp.Constraint) and item.expressions else item):
            item.pop()
            return tree.sql("duckdb")
    raise PgError("0A000", "the constraint could not be found in the table's definition",
                  hint="Drop and create the table again without it.")


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


def _detach(con, db: str, sch: str, name: str, keep_rows: bool = True) -> tuple:
    """Set a referencing table aside: its rows in a temporary copy (unless not `keep_rows`:
    TRUNCATE), its DDL, indexes and comments remembered, the table dropped."""
    _, _, _, ddl, comment = _find(con, name, sch)
    target = f"{_q(db)}.{_q(sch)}.{_q(name)}"
    indexes = [sql for _, sql in _indexes(con, db, sch, name)]
    comments = con.execute(
        "SELECT column_name, comment FROM duckdb_columns() WHERE database_name = $1 AND schema_name = $2 "
        "AND table_name = $3 AND comment IS NOT NULL", [db, sch, name]).fetchall()
    keep = None
    if keep_rows:
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
        if keep is not None:  # (None: emptied by TRUNCATE)
            con.execute(f"INSERT INTO {target} BY NAME SELECT * FROM {keep}")
            con.execute(f"DROP TABLE {keep}")
    for index_sql in indexes:
        con.execute(index_sql)
    if comment:
        con.execute(f"COMMENT ON TABLE {target} IS '" + comment.replace("'", "''") + "'")
    for column, text in comments:
        con.execute(f"COMMENT ON COLUMN {target}.{_q(column)} IS '" + text.replace("'", "''") + "'")


def _rebuild(con, schema: str | None, table: str, change) -> tuple[str, str, str]:
    """The table rebuilt with the definition `change(ddl)` gives; (database, schema, name)."""
    found = _find(con, table, schema)
    if found is None:
        raise PgError("42P01", f'relation "{table}" does not exist')
    db, sch, name = found[:3]
    children = [_detach(con, *child) for child in _referencing(con, db, sch, name)]
    target, ddl, keep, indexes, comment, comments = _detach(con, db, sch, name)
    _reattach(con, (target, change(ddl), keep, indexes, comment, comments))
    for saved in reversed(children):
        _reattach(con, saved)
    return db, sch, name
