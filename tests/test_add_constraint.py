"""ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY / CHECK, PostgreSQL 15 as the oracle.

Django, Rails, Prisma and Flyway create tables first and add foreign keys after. DuckDB takes
these constraints only in CREATE TABLE, so the gateway rebuilds the table (engine/rebuild.py).
The same scripts run on both servers; every step's rows, tag and SQLSTATE must match: the
constraint is enforced afterwards, the rows, indexes and comments survive, a failed or rolled
back ALTER leaves the table as it was.
"""

from __future__ import annotations


from tests.test_temp_tables import both, run_script, uniq


def _tables(p: str) -> list:
    return [
        ("a", f"CREATE TABLE {p}_parent (id int PRIMARY KEY, name text)"),
        ("a", f"INSERT INTO {p}_parent VALUES (1, 'one'), (2, 'two')"),
        ("a", f"CREATE TABLE {p}_child (id serial PRIMARY KEY, parent_id int NOT NULL, v numeric(8,2), "
              f"code varchar(10))"),
        ("a", f"CREATE UNIQUE INDEX {p}_child_code ON {p}_child (code)"),
        ("a", f"COMMENT ON TABLE {p}_child IS 'children'"),
        ("a", f"INSERT INTO {p}_child (parent_id, v, code) VALUES (1, 1.50, 'a'), (2, 2.25, 'b')"),
    ]


def _drop(pg, gateway, p: str) -> None:
    for server in (pg, gateway):
        run_script(server.dsn, {"a": True}, [("a", f"DROP TABLE IF EXISTS {p}_child"),
                                              ("a", f"DROP TABLE IF EXISTS {p}_parent")])


def test_foreign_key_added_after_create_is_enforced(pg, gateway):
    p = uniq("fk")
    try:
        both(pg, gateway, {"a": True}, _tables(p) + [
            ("a", f'ALTER TABLE "{p}_child" ADD CONSTRAINT "{p}_child_parent_fk" FOREIGN KEY ("parent_id") '
                  f'REFERENCES "{p}_parent" ("id") DEFERRABLE INITIALLY DEFERRED'),
            ("a", f"SELECT id, parent_id, v, code FROM {p}_child ORDER BY id"),
            ("a", f"INSERT INTO {p}_child (parent_id, v, code) VALUES (3, 1, 'c')"),  # 23503
            ("a", f"INSERT INTO {p}_child (parent_id, v, code) VALUES (2, 1, 'c') RETURNING id"),  # serial goes on
            ("a", f"INSERT INTO {p}_child (parent_id, v, code) VALUES (1, 1, 'a')"),  # 23505: the index is back
            ("a", f"DELETE FROM {p}_parent WHERE id = 1"),  # 23503: still referenced
            ("a", f"SELECT obj_description('{p}_child'::regclass, 'pg_class')"),
            ("a", f"SELECT contype::text, confrelid = '{p}_parent'::regclass AS to_parent FROM pg_constraint "
                  f"WHERE conrelid = '{p}_child'::regclass AND contype = 'f'"),
        ])
    finally:
        _drop(pg, gateway, p)


def test_check_added_and_rows_that_violate_leave_the_table_as_it_was(pg, gateway):
    p = uniq("ck")
    try:
        both(pg, gateway, {"a": True}, _tables(p) + [
            ("a", f"ALTER TABLE {p}_child ADD CONSTRAINT {p}_v_positive CHECK (v > 0)"),
            ("a", f"INSERT INTO {p}_child (parent_id, v, code) VALUES (1, -1, 'n')"),  # 23514
            ("a", f"ALTER TABLE {p}_child ADD CONSTRAINT {p}_v_small CHECK (v < 2)"),  # 23514: 2.25 is there
            ("a", f"INSERT INTO {p}_child (parent_id, v, code) VALUES (1, 5, 'big') RETURNING code"),  # still fine
            ("a", f"ALTER TABLE {p}_child ADD FOREIGN KEY (parent_id) REFERENCES {p}_parent (id)"),
            ("a", f"ALTER TABLE {p}_child ADD CHECK (length(code) < 5)"),  # unnamed: PostgreSQL names it
            ("a", f"INSERT INTO {p}_child (parent_id, v, code) VALUES (1, 1, 'toolong')"),  # 23514
            ("a", f"SELECT parent_id, v, code FROM {p}_child ORDER BY id"),
        ])
    finally:
        _drop(pg, gateway, p)


def test_add_constraint_inside_a_transaction_rolls_back(pg, gateway):
    p = uniq("fktx")
    try:
        both(pg, gateway, {"a": True, "b": False}, _tables(p) + [
            ("b", f"ALTER TABLE {p}_child ADD CONSTRAINT {p}_fk FOREIGN KEY (parent_id) REFERENCES {p}_parent (id)"),
            ("b", f"INSERT INTO {p}_child (parent_id, v, code) VALUES (9, 1, 'x')"),  # 23503 inside
            ("b", f"ALTER TABLE {p}_child ADD CONSTRAINT {p}_fk FOREIGN KEY (parent_id) REFERENCES {p}_parent (id)"),
            ("b", f"INSERT INTO {p}_child (parent_id, v, code) VALUES (1, 1, 'x')"),
            ("b", "rollback"),
            ("a", f"INSERT INTO {p}_child (parent_id, v, code) VALUES (9, 1, 'y') RETURNING parent_id"),  # no FK
            ("a", f"SELECT count(*) FROM {p}_child"),
            ("b", f"ALTER TABLE {p}_child ADD CONSTRAINT {p}_fk FOREIGN KEY (parent_id) REFERENCES {p}_parent (id)"),
            ("b", "commit"),  # 23503 at the ALTER: the orphan 9 is there
            ("a", f"DELETE FROM {p}_child WHERE parent_id = 9"),
            ("b", f"ALTER TABLE {p}_child ADD CONSTRAINT {p}_fk FOREIGN KEY (parent_id) REFERENCES {p}_parent (id)"),
            ("b", "commit"),
            ("a", f"INSERT INTO {p}_child (parent_id, v, code) VALUES (9, 1, 'z')"),  # 23503
        ])
    finally:
        _drop(pg, gateway, p)


def test_constraint_added_to_a_table_other_foreign_keys_reference(pg, gateway):
    """The referencing tables are set aside and come back with their foreign keys."""
    p = uniq("fkref")
    try:
        both(pg, gateway, {"a": True}, _tables(p) + [
            ("a", f"ALTER TABLE {p}_child ADD FOREIGN KEY (parent_id) REFERENCES {p}_parent (id)"),
            ("a", f"ALTER TABLE {p}_parent ADD CONSTRAINT {p}_named CHECK (id > 0)"),
            ("a", f"INSERT INTO {p}_parent VALUES (-1, 'neg')"),  # 23514
            ("a", f"INSERT INTO {p}_child (parent_id, v, code) VALUES (5, 1, 'z')"),  # 23503: still referenced
            ("a", f"SELECT count(*) FROM {p}_parent"),
            ("a", f"SELECT parent_id, code FROM {p}_child ORDER BY id"),
        ])
    finally:
        _drop(pg, gateway, p)


def test_alter_column_of_a_table_with_indexes_and_referencing_tables(pg, gateway):
    """DuckDB refuses ALTER COLUMN on a table with an index or referenced by foreign keys,
    and a new type for a UNIQUE or varchar(n) column; migrations (Django's AlterField) need
    them all. The gateway rebuilds the table; PostgreSQL's answers are the oracle."""
    p = uniq("alt")
    try:
        both(pg, gateway, {"a": True}, _tables(p) + [
            ("a", f"ALTER TABLE {p}_child ADD CONSTRAINT {p}_fk FOREIGN KEY (parent_id) REFERENCES {p}_parent (id)"),
            ("a", f"CREATE INDEX {p}_parent_name ON {p}_parent (name)"),
            ("a", f"ALTER TABLE {p}_parent ALTER COLUMN name SET NOT NULL"),  # indexed and referenced
            ("a", f"INSERT INTO {p}_parent VALUES (3, NULL)"),  # 23502
            ("a", f"ALTER TABLE {p}_parent ALTER COLUMN name TYPE varchar(40)"),
            ("a", f"ALTER TABLE {p}_child ALTER COLUMN code TYPE varchar(20)"),  # UNIQUE index, varchar(10)
            ("a", f"INSERT INTO {p}_child (parent_id, v, code) VALUES (1, 1, 'a')"),  # 23505: still unique
            ("a", f"INSERT INTO {p}_child (parent_id, v, code) VALUES (7, 1, 'q')"),  # 23503: FK kept
            ("a", f"ALTER TABLE {p}_child ALTER COLUMN v TYPE numeric(10,3) USING v * 2"),
            ("a", f"ALTER TABLE {p}_child RENAME COLUMN code TO label"),
            ("a", f"INSERT INTO {p}_child (parent_id, v, label) VALUES (1, 1, 'b')"),  # 23505 on the renamed column
            ("a", f"ALTER TABLE {p}_parent RENAME COLUMN name TO title"),
            ("a", f"ALTER TABLE {p}_parent ALTER COLUMN title DROP NOT NULL"),
            ("a", f"ALTER TABLE {p}_child DROP COLUMN label"),
            ("a", f"INSERT INTO {p}_child (parent_id, v) VALUES (2, 3) RETURNING id, parent_id, v"),
            ("a", f"SELECT c.id, c.parent_id, c.v, p.title FROM {p}_child c JOIN {p}_parent p ON p.id = c.parent_id "
                  "ORDER BY c.id"),
            ("a", f"SELECT indexname FROM pg_indexes WHERE tablename IN ('{p}_child', '{p}_parent') "
                  f"AND indexname LIKE '{p}%' ORDER BY 1"),
            ("a", f"SELECT obj_description('{p}_child'::regclass, 'pg_class')"),
            ("a", f"DELETE FROM {p}_parent WHERE id = 2"),  # 23503: the child's foreign key came back
        ])
    finally:
        _drop(pg, gateway, p)


def test_parenthesized_and_escaped_array_literals_as_django_binds_them(pg, gateway):
    """Django 5.2's bulk_create: INSERT … SELECT * FROM UNNEST(('{…}')::varchar[],
    (E'{"{\\"i\\": 0}"}'::jsonb[])::jsonb[]) with psycopg's client-side binding."""
    p = uniq("unnest")
    jsonb = r"""E'{"{\\"i\\": 0}","{\\"i\\": 1}"}'"""
    both(pg, gateway, {"a": True}, [
        ("a", f"CREATE TABLE {p} (id serial PRIMARY KEY, name varchar(50), n numeric(8,2), tags jsonb)"),
        ("a", f"""INSERT INTO {p} (name, n, tags) SELECT * FROM UNNEST(('{{"a b","c,d"}}')::varchar[], """
              f"""('{{9.99,1}}'::numeric[])::numeric[], ({jsonb}::jsonb[])::jsonb[]) RETURNING id"""),
        ("a", f"SELECT name, n, tags ->> 'i' FROM {p} ORDER BY id"),
        ("a", "SELECT ('{1,2}')::int[], (('{x}'))::text[], E'a\\tb'::text"),
        ("a", f"DROP TABLE {p}"),
    ])
