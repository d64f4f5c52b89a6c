"""SELECT setval(…) as pg_dump, Django and Rails write it, carried out by engine/sequences.py.

DuckDB has no setval. A SELECT whose every output column is a setval call becomes a marker
statement (engine/sequences.MARK + JSON): the probe, a SELECT of the calls' arguments (the
same FROM, WHERE…, so Django's `SELECT setval(pg_get_serial_sequence('"t"','id'),
coalesce(max("id"), 1), max("id") IS NOT null) FROM "t"` reads its table as PostgreSQL does),
and the output columns' names ($n parameters stay in the probe, bound there). The worker runs the probe, moves each sequence and returns
the set values. The marker is a comment in front of a SELECT of typed NULLs with the result's
columns, so Describe (extended protocol) learns the columns from DuckDB as for any SELECT.
setval anywhere else stays refused (rewrite.sequence_functions).
"""

from __future__ import annotations

import json

from sqlglot import exp

from ..engine import sequences
from ..errors import PgError
from . import rewrite


def _call(e: exp.Expression) -> exp.Anonymous | None:
    if isinstance(e, exp.Alias):
        e = e.this
    if isinstance(e, exp.Dot) and isinstance(e.this, exp.Identifier) and e.this.name.lower() == "pg_catalog":
        e = e.expression
    if isinstance(e, exp.Anonymous) and e.name.lower() == "setval":
        return e
    return None


def is_setval_select(tree: exp.Expression | None) -> bool:
    """SELECT setval(…)[, setval(…)…] [FROM …]: the form carried out here."""
    return (isinstance(tree, exp.Select) and tree.args.get("into") is None and bool(tree.expressions)
            and all(_call(e) is not None for e in tree.expressions))


def _sequence_arg(arg: exp.Expression) -> exp.Expression:
    # 'public.s'::regclass, 's'::text: the name itself (regclass would look up a relation oid)
    while isinstance(arg, exp.Cast) and (isinstance(arg.to, exp.ObjectIdentifier)
                                         or arg.to.this in exp.DataType.TEXT_TYPES
                                         or arg.to.sql("postgres").lower() == "regclass"):
        arg = arg.this
    return arg


def marker(tree: exp.Select) -> str:
    """The DuckDB text the session runs for this SELECT (see the module's docstring)."""
    probe = tree.copy()
    names, columns = [], []
    for i, e in enumerate(tree.expressions):
        call = _call(e)
        args = call.expressions
        if len(args) not in (2, 3):
            raise PgError("42883", f"function setval({', '.join(['unknown'] * len(args))}) does not exist",
                          hint="No function matches the given name and argument types. "
                               "You might need to add explicit type casts.")
        called = args[2].copy() if len(args) == 3 else exp.true()
        columns += [exp.alias_(exp.cast(_sequence_arg(args[0]).copy(), "text"), f"s{i}"),
                    exp.alias_(exp.cast(args[1].copy(), "bigint"), f"v{i}"),
                    exp.alias_(exp.cast(called, "boolean"), f"c{i}")]
        names.append(e.alias if isinstance(e, exp.Alias) else "setval")
    probe.set("expressions", columns)
    payload = {"probe": rewrite.to_duckdb(probe).sql, "names": names}
    # the payload sits in a comment: a "*/" inside it is written as JSON's "*\/"
    text = json.dumps(payload).replace("*/", "*\\/")
    select = ", ".join(f'CAST(NULL AS BIGINT) AS "{n.replace(chr(34), chr(34) * 2)}"' for n in names)
    return f"{sequences.MARK}{text}*/ SELECT {select} LIMIT 0"


def restart_marker(name: str, value: int | None) -> str:
    """ALTER SEQUENCE s RESTART [WITH n] (sql/alter_commands.py): setval(s, n, false), n the
    sequence's start value when not given (the worker reads it)."""
    quoted = name.replace("'", "''")
    v = "NULL" if value is None else str(int(value))
    payload = {"probe": f"SELECT '{quoted}' AS s0, CAST({v} AS BIGINT) AS v0, false AS c0",
               "names": ["setval"], "restart": True}
    text = json.dumps(payload).replace("*/", "*\\/")
    return f"{sequences.MARK}{text}*/ SELECT NULL LIMIT 0"
