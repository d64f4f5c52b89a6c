"""ALTER statements pg_dump writes that sqlglot reads only as an opaque Command.

- `ALTER TABLE|SEQUENCE|VIEW|SCHEMA|… x OWNER TO role` and `ALTER SEQUENCE s OWNED BY t.c |
  NONE`: the gateway has no object owners beyond the connecting user, and DuckDB drops no
  sequence with a table; both are accepted and change nothing (`noop_tag`).
- `ALTER TABLE t ALTER COLUMN c ADD GENERATED { ALWAYS | BY DEFAULT } AS IDENTITY (SEQUENCE NAME
  s START WITH … )` (how pg_dump restores an identity column): the sequence is created and
  becomes the column's default, as CREATE TABLE's identity columns are here
  (rewrite.serial_columns) (`identity_chunk`).
- `ALTER SEQUENCE s RESTART [WITH n]`: setval(s, n, false), carried out by
  engine/sequences.py (`restart_setval`).
"""

from __future__ import annotations

import re

from ..errors import PgError
from .parse import Chunk, parse_one

_NAME = r'(?:"(?:[^"]|"")+"|[^\s"(]+)(?:\.(?:"(?:[^"]|"")+"|[^\s".(]+))*'

_OWNER_TO = re.compile(
    r"(?is)^\s*ALTER\s+(TABLE|SEQUENCE|VIEW|MATERIALIZED\s+VIEW|FOREIGN\s+TABLE|SCHEMA|FUNCTION|PROCEDURE|"
    r"AGGREGATE|TYPE|DOMAIN|DATABASE|INDEX|LARGE\s+OBJECT|COLLATION|CONVERSION|TEXT\s+SEARCH\s+\w+|"
    r"EVENT\s+TRIGGER|PUBLICATION|SUBSCRIPTION|LANGUAGE|OPERATOR(?:\s+CLASS|\s+FAMILY)?|STATISTICS|"
    r"TABLESPACE|SERVER|FOREIGN\s+DATA\s+WRAPPER|ROUTINE)\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?" + _NAME
    + r"(?:\s*\([^()]*\))?\s+OWNER\s+TO\s+(?:\"(?:[^\"]|\"\")+\"|\w+)\s*$")
_OWNED_BY = re.compile(r"(?is)^\s*ALTER\s+SEQUENCE\s+(?:IF\s+EXISTS\s+)?" + _NAME + r"\s+OWNED\s+BY\s+(?:NONE|"
                       + _NAME + r")\s*$")

_IDENTITY = re.compile(
    r"(?is)^\s*ALTER\s+TABLE\s+(?P<exists>IF\s+EXISTS\s+)?(?:ONLY\s+)?(?P<table>" + _NAME + r")\s+ALTER\s+"
    r"(?:COLUMN\s+)?(?P<column>" + _NAME + r")\s+ADD\s+GENERATED\s+(?:ALWAYS|BY\s+DEFAULT)\s+AS\s+IDENTITY"
    r"\s*(?:\((?P<options>.*)\))?\s*$")
_IDENTITY_OPTION = re.compile(
    r"(?is)\s*(?:SEQUENCE\s+NAME\s+(?P<name>" + _NAME + r")|START\s+(?:WITH\s+)?(?P<start>[+-]?\d+)|"
    r"INCREMENT\s+(?:BY\s+)?(?P<increment>[+-]?\d+)|MINVALUE\s+(?P<min>[+-]?\d+)|"
    r"MAXVALUE\s+(?P<max>[+-]?\d+)|NO\s+MINVALUE|NO\s+MAXVALUE|NO\s+CYCLE|CYCLE|CACHE\s+\d+|"
    r"AS\s+(?:smallint|integer|bigint|int[248]?))")

_RESTART = re.compile(r"(?is)^\s*ALTER\s+SEQUENCE\s+(?P<exists>IF\s+EXISTS\s+)?(?P<name>" + _NAME
                      + r")\s+RESTART(?:\s+(?:WITH\s+)?(?P<value>[+-]?\d+))?\s*$")


def noop_tag(text: str) -> str | None:
    """The command tag of an ALTER that changes nothing here (OWNER TO, OWNED BY), else None."""
    m = _OWNER_TO.match(text)
    if m is not None:
        return "ALTER " + " ".join(m.group(1).upper().split())
    if _OWNED_BY.match(text):
        return "ALTER SEQUENCE"
    return None


def _parts(name: str) -> list[str]:
    """A possibly qualified, possibly quoted name → its parts as PostgreSQL folds them."""
    out = []
    for part in re.findall(r'"(?:[^"]|"")+"|[^.]+', name):
        out.append(part[1:-1].replace('""', '"') if part.startswith('"') else part.lower())
    return out


def _quoted(parts: list[str]) -> str:
    # public unquoted: the word the gateway reads as DuckDB's main schema
    return ".".join(p if p == "public" else '"' + p.replace('"', '""') + '"' for p in parts)


def identity_chunk(text: str) -> Chunk | None:
    """ALTER TABLE … ADD GENERATED … AS IDENTITY as the statement the gateway runs: ALTER
    COLUMN … SET DEFAULT nextval(sequence), with the sequence created first (duckdb_before)."""
    m = _IDENTITY.match(text)
    if m is None:
        return None
    table, column = _parts(m["table"]), _parts(m["column"])[-1]
    seq = table[:-1] + [f"{table[-1]}_{column}_seq"]
    options: list[str] = []
    rest = m["options"] or ""
    pos = 0
    while rest[pos:].strip():
        o = _IDENTITY_OPTION.match(rest, pos)
        if o is None:
            raise PgError("42601", f'syntax error at or near "{rest[pos:].split()[0]}"')
        pos = o.end()
        if o["name"]:
            seq = _parts(o["name"])
        for key, word in (("start", "START WITH"), ("increment", "INCREMENT BY"), ("min", "MINVALUE"),
                          ("max", "MAXVALUE")):
            if o[key]:
                options.append(f"{word} {int(o[key])}")
    if len(seq) == 1 and len(table) > 1:
        seq = table[:-1] + seq  # the sequence lives in the table's schema
    duck_seq = ["main" if len(seq) > 1 and p == "public" and i == len(seq) - 2 else p for i, p in enumerate(seq)]
    literal = ".".join(duck_seq).replace("'", "''")
    exists = "IF EXISTS " if m["exists"] else ""
    chunk = parse_one(f"ALTER TABLE {exists}{_quoted(table)} ALTER COLUMN {_quoted([column])} "
                      f"SET DEFAULT nextval('{literal}')")
    if chunk.tree is None:
        return None
    chunk.tree.meta["duckdb_before"] = [f"CREATE SEQUENCE {_quoted(duck_seq)} {' '.join(options)}".rstrip()]
    return chunk


def restart_setval(text: str) -> tuple[str, int | None] | None:
    """ALTER SEQUENCE s RESTART [WITH n] → (sequence name as setval takes it, n or None for
    the sequence's start value); None when the statement is another ALTER SEQUENCE."""
    m = _RESTART.match(text)
    if m is None:
        return None
    return ".".join(_parts(m["name"])), (int(m["value"]) if m["value"] is not None else None)
