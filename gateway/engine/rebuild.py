"""ALTER TABLE … ADD [CONSTRAINT name] FOREIGN KEY / CHECK on an existing table.

DuckDB takes foreign keys and CHECK constraints only in CREATE TABLE, and Django, Rails,
Prisma and Flyway migrations create a table first and add its foreign keys after. The gateway
rebuilds the table with the constraint, inside the statement's transaction: its rows go to a
temporary copy, the table is dropped and created again from DuckDB's own DDL plus the new
constraint (same name, so sequences, declared types and views still match), the rows come
back (so existing rows that violate the constraint fail it, 23503/23514, as in PostgreSQL),
then its indexes and comments. DuckDB cannot drop a table other tables' foreign keys point
to, so a table that is already referenced is refused with 0A000 (and a rename would leave
DuckDB's foreign keys pointing at the old name).

sql/rewrite.py (constraints_by_rebuild) turns the statement into MARK + a JSON payload;
engine/results.execute hands such a statement here.
"""

from __future__ import annotations

import json
import uuid

import duckdb

from ..errors import PgError

MARK = "/*dataforge:add-constraints*/"


def payload(schema: str | None, table: str, constraints: list[str]) -> str:
    return json.dumps({"schema": schema, "table": table, "constraints": constraints})


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def add_constraints(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Worker thread: carry out a MARK statement on this connection, atomically."""
    p = json.loads(sql[len(MARK):])
    # inside a transaction (the client's, or the writer's group) two statements share one
    # transaction id; in autocommit each has its own. (A failed BEGIN would abort the
    # caller's transaction, so it cannot be the probe.)
    own = con.execute("SELECT txid_current()").fetchone() != con.execute("SELECT txid_current()").fetchone()
    if own:
        con.execute("BEGIN TRANSACTION")
    try:
        _rebuild(con, p["schema"], p["table"], p["constraints"])
    except BaseException:
        if own:
            con.execute("ROLLBACK")
        raise
    if own:
        con.execute("COMMIT")


def _rebuild(con, schema: str | None, table: str, constraints: list[str]) -> None:
    rows = con.execute(
        "SELECT database_name, schema_name, table_name, sql, comment FROM duckdb_tables() "
        "WHERE lower(table_name) = lower($1) AND ($2::VARCHAR IS NULL OR lower(schema_name) = lower($2)) "
        "AND (database_name = current_database() OR temporary) "
        "ORDER BY temporary DESC, table_name = $1 DESC, schema_name = 'main' DESC", [table, schema]).fetchall()
    if not rows:
        raise PgError("42P01", f'relation "{table}" does not exist')
    db, sch, name, ddl, comment = rows[0]
    target = f"{_q(db)}.{_q(sch)}.{_q(name)}"
    indexes = [r[0] for r in con.execute(
        "SELECT sql FROM duckdb_indexes() WHERE database_name = $1 AND schema_name = $2 AND table_name = $3 "
        "AND sql IS NOT NULL", [db, sch, name]).fetchall()]
    column_comments = con.execute(
        "SELECT column_name, comment FROM duckdb_columns() WHERE database_name = $1 AND schema_name = $2 "
        "AND table_name = $3 AND comment IS NOT NULL", [db, sch, name]).fetchall()
    body = ddl.rstrip().rstrip(";").rstrip()
    if not body.endswith(")") or "(" not in body:
        raise PgError("0A000", f'cannot add a constraint to "{name}": its definition could not be read')
    # DuckDB's DDL names the table as its schema needs (unqualified in main): name it fully
    head = f"CREATE TEMP TABLE {_q(name)}" if db == "temp" else f"CREATE TABLE {target}"
    new_ddl = head + body[body.index("("):-1] + ", " + ", ".join(constraints) + ")"
    keep = "__dataforge_rebuild_" + uuid.uuid4().hex[:12]
    con.execute(f"CREATE TEMP TABLE {keep} AS SELECT * FROM {target}")
    try:
        con.execute(f"DROP TABLE {target}")
    except duckdb.CatalogException as e:
        if "main key table" in str(e):
            raise PgError(
                "0A000", f'cannot add a constraint to table "{name}": other tables\' foreign keys reference it',
                hint="DuckDB adds constraints by rebuilding the table; add this table's constraints before "
                     "the foreign keys that point to it, or declare them in CREATE TABLE.") from None
        raise
    con.execute(new_ddl)
    con.execute(f"INSERT INTO {target} SELECT * FROM {keep}")
    con.execute(f"DROP TABLE {keep}")
    for index_sql in indexes:
        con.execute(index_sql)
    if comment:
        con.execute(f"COMMENT ON TABLE {target} IS '" + comment.replace("'", "''") + "'")
    for column, text in column_comments:
        con.execute(f"COMMENT ON COLUMN {target}.{_q(column)} IS '" + text.replace("'", "''") + "'")
