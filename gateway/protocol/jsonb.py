"""PostgreSQL's canonical jsonb text (minimal stand-in; the full normaliser lands from s3-jsonb).

jsonb keeps no formatting: keys sorted by length then bytes, a duplicate key keeps its last
value, `{"a": 1, "b": [1, 2]}` spacing.
"""

from __future__ import annotations

import json

import pyarrow as pa


def _canon(v):
    if isinstance(v, dict):
        return {k: _canon(v[k]) for k in sorted(v, key=lambda k: (len(k.encode()), k.encode()))}
    if isinstance(v, list):
        return [_canon(x) for x in v]
    return v


def canonical_jsonb_text(s: str) -> str:
    """One JSON text → PostgreSQL's jsonb output text."""
    return json.dumps(_canon(json.loads(s)), ensure_ascii=False)


def canonical_jsonb_array(arr: pa.Array) -> pa.Array:
    """A string array of JSON texts → their canonical jsonb texts (NULLs stay NULL)."""
    return pa.array([None if s is None else canonical_jsonb_text(s) for s in arr.to_pylist()], pa.string())
