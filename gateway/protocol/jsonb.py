"""PostgreSQL's canonical jsonb text (minimal stand-in; the full normaliser lands from s3-jsonb).

jsonb keeps no formatting: keys sorted by length then bytes, a duplicate key keeps its last
value, `{"a": 1, "b": [1, 2]}` spacing, numbers as written.
"""

from __future__ import annotations

import json

import pyarrow as pa


class _Number(str):
    """A JSON number's text, kept as written."""


def _text(v) -> str:
    if isinstance(v, dict):
        keys = sorted(v, key=lambda k: (len(k.encode()), k.encode()))
        return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {_text(v[k])}" for k in keys) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(_text(x) for x in v) + "]"
    if isinstance(v, _Number):
        return str(v)
    return json.dumps(v, ensure_ascii=False)


def canonical_jsonb_text(s: str) -> str:
    """One JSON text → PostgreSQL's jsonb output text."""
    return _text(json.loads(s, parse_float=_Number, parse_int=_Number))


def canonical_jsonb_array(arr: pa.Array) -> pa.Array:
    """A string array of JSON texts → their canonical jsonb texts (NULLs stay NULL)."""
    return pa.array([None if s is None else canonical_jsonb_text(s) for s in arr.to_pylist()], pa.string())
