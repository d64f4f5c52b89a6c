"""setval() and ALTER SEQUENCE … RESTART, which DuckDB does not have (worker thread).

DuckDB cannot reposition a sequence, and cannot drop or replace one that a column default
uses, but nextval moves it forward: `SELECT max(nextval('s')) FROM range(k)` (10 M steps take
about a second). So setval(s, v, is_called) is carried out when the value the next nextval
must return (v + increment when is_called, else v) lies ahead on the sequence's grid
(start + k * increment). Otherwise, when no column default uses the sequence, it is
replaced (CREATE OR REPLACE SEQUENCE, same options) and the new one moved forward from its
start, or, when the target is off that grid, started at the target (a later RESTART without
WITH then goes back to that value, not the first start). Else 0A000.

sql/setval.py writes the marker statement (MARK + JSON + "*/" + a SELECT for Describe);
engine/results.execute hands it here. The JSON holds `probe`, a SELECT of each call's
(sequence name, value, is_called) as s<i>, v<i>, c<i>, and the result's column `names`.
"""

from __future__ import annotations

import json
import re

import duckdb
import pyarrow as pa

from ..errors import PgError

MARK = "/*dataforge:setval "

# more nextval steps than this (seconds of work) are refused rather than run
MAX_STEPS = 50_000_000


def name_parts(name: str) -> list[str]:
    """A sequence name as setval takes it ('public.s', 's', '"MySeq"') → its parts, folded as
    PostgreSQL folds an unquoted identifier."""
    out = []
    for part in re.findall(r'"(?:[^"]|"")+"|[^.]+', name.strip()):
        out.append(part[1:-1].replace('""', '"') if part.startswith('"') else part.lower())
    return out


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


_SEQUENCE_SQL = (
    "SELECT database_name, schema_name, sequence_name, start_value, increment_by, min_value, max_value, cycle,"
    " last_value, temporary FROM duckdb_sequences() WHERE sequence_name = ?")


def _find(con: duckdb.DuckDBPyConnection, name: str):
    parts = name_parts(name)
    if not parts:
        raise PgError("42P01", f'relation "{name}" does not exist')
    seq, schema = parts[-1], (parts[-2] if len(parts) > 1 else None)
    if schema == "public":
        schema = "main"
    rows = con.execute(_SEQUENCE_SQL, [seq]).fetchall()
    # unqualified: the session's temporary sequence first (pg_temp leads the search path), then main
    rows = [r for r in rows if (r[1] == schema if schema is not None else r[1] == "main")]
    rows.sort(key=lambda r: not r[9])
    if not rows:
        raise PgError("42P01", f'relation "{name}" does not exist')
    return rows[0]


def _setval(con: duckdb.DuckDBPyConnection, name: str, value: int | None, is_called: bool, restart: bool) -> int:
    db, schema, seq, start, inc, lo, hi, cycle, last, temporary = _find(con, name)
    if value is None:  # ALTER SEQUENCE s RESTART: back to its start value
        value = start
    if not lo <= value <= hi:
        what = "RESTART" if restart else "setval"
        raise PgError("22003", f'{what}: value {value} is out of bounds for sequence "{seq}" ({lo}..{hi})')
    nxt = start if last is None else last + inc
    target = value + inc if is_called else value
    steps, off_grid = divmod(target - nxt, inc)
    if not lo <= target <= hi and steps != 0:
        raise PgError("0A000", f'cannot set sequence "{seq}" to its last value {value}',
                      hint="Set a value below the sequence's maximum.")
    if off_grid == 0 and 0 <= steps <= MAX_STEPS:
        if steps > 0:
            ref = f"{db}.{schema}.{seq}" if not temporary else seq
            con.execute(f"SELECT max(nextval('{ref.replace(chr(39), chr(39) * 2)}')) FROM range({steps})").fetchall()
        return value
    qualified = f"{_q(schema)}.{_q(seq)}" if not temporary else _q(seq)
    options = f"INCREMENT BY {inc} MINVALUE {lo} MAXVALUE {hi}{' CYCLE' if cycle else ''}"
    # a new sequence keeps the start value (RESTART goes back to it) when the target lies
    # ahead of it on its grid; otherwise it starts at the target
    again, off_start = divmod(target - start, inc)
    keep_start = off_start == 0 and 0 <= again <= MAX_STEPS
    try:
        # nothing depends on it: a new sequence, with the next nextval where it must be
        con.execute(f"CREATE OR REPLACE {'TEMP ' if temporary else ''}SEQUENCE {qualified} {options} "
                    f"START WITH {start if keep_start else target}")
        if keep_start and again > 0:
            ref = f"{db}.{schema}.{seq}" if not temporary else seq
            con.execute(f"SELECT max(nextval('{ref.replace(chr(39), chr(39) * 2)}')) FROM range({again})").fetchall()
    except duckdb.DependencyException:
        if steps < 0 or off_grid:
            why = "backwards" if steps < 0 else f"off its increment of {inc}"
            raise PgError(
                "0A000", f'cannot set sequence "{seq}" to {value}: that moves it {why}',
                detail=f"Its next value is {nxt}; a column default uses it, and DuckDB can only move such a "
                       "sequence forward.",
                hint="Recreate the table and sequence with START WITH, or set a value ahead of the current "
                     "one.") from None
        raise PgError("0A000", f'cannot set sequence "{seq}" to {value}: {steps} steps ahead is too far',
                      hint=f"The gateway moves a sequence forward at most {MAX_STEPS} steps at once.") from None
    return value


def run(con: duckdb.DuckDBPyConnection, sql: str, params=None):
    """Worker thread: carry out a MARK statement; (names, types, table) of its result."""
    text = sql[len(MARK):sql.index("*/", len(MARK))]
    p = json.loads(text)
    names = p["names"]
    out: list[list[int | None]] = [[] for _ in names]
    # read first: moving a sequence runs statements on this connection (one row, as a rule)
    rows = con.execute(p["probe"], list(params) if params else None).fetchall()
    for row in rows:
        for i in range(len(names)):
            s, v, c = row[3 * i:3 * i + 3]
            if s is None or (v is None and not p.get("restart")) or c is None:
                out[i].append(None)  # setval is strict: a NULL argument gives NULL, changes nothing
                continue
            out[i].append(_setval(con, s, v, bool(c), bool(p.get("restart"))))
    table = pa.table({f"c{i}": pa.array(col, pa.int64()) for i, col in enumerate(out)})
    table = table.rename_columns(names)
    rel = con.from_arrow(table)
    return list(names), list(rel.types), table
