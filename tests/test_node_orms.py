"""Node.js ORMs and drivers beyond node-postgres's basics, PostgreSQL 15 as the oracle.

Each library runs one script from tests/node/ (Sequelize, TypeORM and Knex on top of `pg`;
postgres.js with its own protocol code: pipelining, Describe-driven parsing, its array-type
query at connect, COPY streams) against PostgreSQL and against the gateway. The scripts print
one JSON line per step; the two outputs must be the same, line for line, apart from the few
differences named here (each one a documented limitation, asserted rather than hidden).
"""

from __future__ import annotations

import json
import uuid

import pytest

from tests.clients import NODE_DIR, run_node

ENV = {"TZ": "UTC"}


def _script(name: str) -> str:
    module = {"postgresjs": "postgres", "sequelize": "sequelize", "typeorm": "typeorm",
              "knex": "knex"}[name]
    if not (NODE_DIR / "node_modules" / module).exists():
        pytest.skip(f"npm `{module}` missing: run `npm install` in tests/node (.ci/run does)")
    return (NODE_DIR / f"{name}.js").read_text()


def _steps(proc) -> list:
    return [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("[")]


def _both(pg, gateway, name: str, *args: str) -> tuple[list, list]:
    script = _script(name)
    prefix = f"{name[:4]}{uuid.uuid4().hex[:6]}"
    exp = _steps(run_node(script, pg.url, prefix, *args, env=ENV))
    got = _steps(run_node(script, gateway.url, prefix, *args, env=ENV))
    return exp, got


def _without_failing_row(steps: list) -> list:
    """PostgreSQL's 23502 detail 'Failing row contains (…)' lists the whole row, defaults
    included; the gateway does not know it outside COPY and leaves the detail out."""
    for step in steps:
        v = step[1]
        if isinstance(v, dict) and v.get("code") == "23502" and str(v.get("detail", "")).startswith("Failing row"):
            del v["detail"]
    return steps


def _assert_same(exp: list, got: list) -> None:
    assert [s[0] for s in got] == [s[0] for s in exp], "the steps differ (one side stopped early?)"
    for e, g in zip(exp, got):
        assert g == e, f"step {e[0]!r} differs"


def test_postgresjs_like_postgres(pg, gateway):
    exp, got = _both(pg, gateway, "postgresjs")
    assert ["end", "ok"] in exp and len(exp) > 30
    _assert_same(_without_failing_row(exp), got)


# ------------------------------------------------------------- gaps the Node clients found

def _diag(url: str, table: str) -> list:
    import psycopg

    out = []
    with psycopg.connect(url, autocommit=True) as c:
        c.execute(f"CREATE TABLE {table} (id int, name text)")
        for prepare in (False, True):  # Describe of a portal, and of a named statement
            for q in (f"SELECT nope FROM {table} WHERE id = %s", f"SELECT nmae FROM {table} WHERE id = %s",
                      f"SELECT * FROM {table}_nope WHERE id = %s"):
                try:
                    c.execute(q, (1,), prepare=prepare)
                    out.append("no error")
                except psycopg.Error as e:
                    d = e.diag
                    out.append([e.sqlstate, d.message_primary, d.message_detail, d.message_hint,
                                d.statement_position])
        c.execute(f"DROP TABLE {table}")
    return out


def test_describe_errors_carry_position_and_hint(pg, gateway):
    """An error met while describing a statement with parameters (postgres.js and psycopg
    Describe before Execute) has PostgreSQL's position and hint, as at Execute."""
    t = f"descerr_{uuid.uuid4().hex[:8]}"
    exp = _diag(pg.url, t)
    assert exp[1][3] == f'Perhaps you meant to reference the column "{t}.name".' and exp[0][4] == "8"
    assert _diag(gateway.url, t) == exp
