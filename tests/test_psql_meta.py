"""psql 15's backslash meta-commands against the gateway, PostgreSQL 15 as the oracle.

psql builds every meta-command from catalog queries (src/bin/psql/describe.c): \\dt, \\d table,
\\df… run them against pg_catalog with OPERATOR(pg_catalog.~), COLLATE pg_catalog.default,
::pg_catalog.regclass, pg_get_indexdef/constraintdef/viewdef, pg_partition_ancestors… The
same schema is created on both servers and psql's output must be the same text.

Normalised, because it must differ (and only that):
- sizes (\\dt+ "Size"): PostgreSQL reports heap pages (8192 bytes), DuckDB has no heap pages;
- the current database's name in \\l: the gateway's database is its DuckDB file's name;
- a view's definition (\\d+ view): PostgreSQL prints its re-deparsed parse tree, DuckDB keeps
  the statement's text;
Object names are unique per test run, so patterns select only this test's objects.
"""

from __future__ import annotations

import os
import re
import uuid

import pytest

from tests.test_psql import PSQL, psql

pytestmark = pytest.mark.skipif(not os.path.exists(PSQL), reason="psql is not installed")

P = f"m{uuid.uuid4().hex[:6]}"  # prefix of every object this module creates

SCHEMA = f"""
CREATE SCHEMA {P}_s;
CREATE TABLE {P}_parent (id integer PRIMARY KEY, code text UNIQUE NOT NULL);
CREATE TABLE {P}_child (
    id bigint PRIMARY KEY,
    parent_id integer REFERENCES {P}_parent (id),
    label text NOT NULL DEFAULT 'x',
    amount numeric(12,2),
    created timestamp with time zone,
    CHECK (parent_id > 0)
);
CREATE INDEX {P}_child_label_idx ON {P}_child (label);
CREATE VIEW {P}_view AS SELECT id, label FROM {P}_child;
CREATE SEQUENCE {P}_seq;
COMMENT ON TABLE {P}_child IS 'child rows';
COMMENT ON COLUMN {P}_child.label IS 'the label';
INSERT INTO {P}_parent VALUES (1, 'a'), (2, 'b');
INSERT INTO {P}_child VALUES (10, 1, 'first', 1.50, '2024-01-02 03:04:05+00'), (11, 2, 'second', NULL, NULL);
"""


@pytest.fixture(scope="module")
def schema(pg, gateway):
    for server in (pg, gateway):
        r = psql(server.dsn, "-q", stdin=SCHEMA)
        assert r.returncode == 0, r.stderr
    yield P
    drop = (f"DROP VIEW {P}_view; DROP TABLE {P}_child; DROP TABLE {P}_parent; "
            f"DROP SEQUENCE {P}_seq; DROP SCHEMA {P}_s;")
    for server in (pg, gateway):
        psql(server.dsn, "-q", "-c", drop)


def _normalise(out: str, current_db: str | None = None) -> str:
    out = re.sub(r"\b\d+ (bytes|kB|MB)\b", "<size>", out)
    if current_db:
        out = re.sub(rf"^ {re.escape(current_db)}\s*\|", " <db> |", out, flags=re.M)
    return out


def _realign(out: str) -> str:
    """Column widths follow the widest value; after normalising values, compare cell by cell."""
    lines = []
    for line in out.splitlines():
        if "|" in line or re.fullmatch(r"[-+]+", line.strip()):
            cells = [c.strip() for c in re.split(r"\||\+", line)]
            lines.append("|".join("-" if set(c) == {"-"} else c for c in cells))
        else:
            lines.append(line.strip())
    return "\n".join(lines)


def both(pg, gateway, *args):
    exp, got = psql(pg.dsn, *args), psql(gateway.dsn, *args)
    assert exp.returncode == 0, f"the oracle itself failed: {exp.stderr}"
    assert got.returncode == 0, f"psql failed on the gateway:\n{got.stderr}"
    assert got.stderr == exp.stderr
    return exp.stdout, got.stdout


COMMANDS = [
    r"\dt {P}*", r"\dv {P}*", r"\di {P}*", r"\ds {P}*", r"\dn {P}*", r"\dn+ {P}*",
    r"\d {P}_child", r"\d {P}_parent", r"\d+ {P}_child", r"\d {P}_view", r"\d {P}_seq",
    r"\d {P}_child_pkey", r"\d {P}_child_label_idx", r"\df {P}*", r"\df+ {P}*", r"\du postgres",
    r"\dv+ {P}*", r"\dT {P}*", r"\dm {P}*", r"\dE {P}*", r"\db pg_default", r"\dp {P}*",
    r"\dd {P}*", r"\dO {P}*", r"\dL", r"\dx", r"\dd pg_catalog.pg_class",
]


@pytest.mark.parametrize("command", COMMANDS)
def test_meta_command_same_output(pg, gateway, schema, command):
    exp, got = both(pg, gateway, "-c", command.format(P=schema))
    assert got == exp


@pytest.mark.parametrize("command", [r"\dt+ {P}*", r"\di+ {P}*", r"\ds+ {P}*"])
def test_meta_command_with_sizes(pg, gateway, schema, command):
    exp, got = both(pg, gateway, "-c", command.format(P=schema))
    assert "<size>" in _normalise(exp)
    assert _realign(_normalise(got)) == _realign(_normalise(exp))


def test_describe_view_plus(pg, gateway, schema):
    exp, got = both(pg, gateway, "-c", rf"\d+ {schema}_view")
    head_exp, _, def_exp = exp.partition("View definition:")
    head_got, _, def_got = got.partition("View definition:")
    assert head_got == head_exp
    # the definition: the same query, as PostgreSQL deparses it vs as it was written
    assert re.sub(r"[\s\"]|\w+\.", "", def_got) == re.sub(r"[\s\"]|\w+\.", "", def_exp)


def test_list_databases(pg, gateway, schema):
    exp, got = both(pg, gateway, "-c", r"\l")
    db_exp = psql(pg.dsn, "-At", "-c", "SELECT current_database()").stdout.strip()
    db_got = psql(gateway.dsn, "-At", "-c", "SELECT current_database()").stdout.strip()
    assert _realign(_normalise(got, db_got)) == _realign(_normalise(exp, db_exp))
    assert "template0" in got and "template1" in got


def test_expanded_select_from_described_table(pg, gateway, schema):
    exp, got = both(pg, gateway, "-c", r"\x", "-c", f"SELECT * FROM {schema}_child ORDER BY id")
    assert "-[ RECORD 1 ]" in got
    assert got == exp


def test_describe_in_expanded_mode(pg, gateway, schema):
    exp, got = both(pg, gateway, "-x", "-c", rf"\dt {schema}*")
    assert got == exp
