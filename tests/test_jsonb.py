"""jsonb text form (gateway/protocol/jsonb.py) and jsonb functions, with PostgreSQL 15 as the
oracle: generated JSON documents must print as `SELECT $1::jsonb::text` prints them."""

from __future__ import annotations

import json

import psycopg
import pyarrow as pa
from psycopg.types.json import Jsonb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.protocol.jsonb import (
    JsonbError,
    canonical_jsonb_array,
    canonical_jsonb_text,
    dump_jsonb,
    parse_jsonb,
)


def test_canonical_text_examples():
    assert canonical_jsonb_text('{"b": 1, "a": [1, 2.50, null], "a": 3}') == '{"a": 3, "b": 1}'
    assert canonical_jsonb_text('{ "x" :  [true,false] }') == '{"x": [true, false]}'
    assert canonical_jsonb_text("1e3") == "1000"
    assert canonical_jsonb_text("-0") == "0"
    assert canonical_jsonb_text("1.50") == "1.50"
    assert canonical_jsonb_text('"\\u00e9\\u0001/"') == '"é\\u0001/"'
    assert canonical_jsonb_text('{"bb": 1, "a": 2, "é": 3}') == '{"a": 2, "bb": 1, "é": 3}'
    for bad, code in (("{bad", "22P02"), ("NaN", "22P02"), ("01", "22P02"), ('"\\u0000"', "22P05"),
                      ("", "22P02"), ('"\\ud800"', "22P02")):
        with pytest.raises(JsonbError) as ei:
            canonical_jsonb_text(bad)
        assert ei.value.sqlstate == code


def test_canonical_array_keeps_nulls_and_skips_plain_scalars():
    arr = pa.array(['{"b":1,"a":2}', None, "1", '"x"', "1e2", "[1,2]", "null"])
    assert canonical_jsonb_array(arr).to_pylist() == [
        '{"a": 2, "b": 1}', None, "1", '"x"', "100", "[1, 2]", "null"]
    assert canonical_jsonb_array(pa.array([None, None], pa.string())).to_pylist() == [None, None]
    chunked = pa.chunked_array([pa.array(['{"a" :1}']), pa.array(["2"])])
    assert canonical_jsonb_array(chunked).to_pylist() == ['{"a": 1}', "2"]
    # DuckDB hands JSON columns over as Arrow's json extension type
    ext = pa.ExtensionArray.from_storage(pa.json_(pa.string()), pa.array(['{"b":1,"a":2}', None]))
    assert canonical_jsonb_array(ext).to_pylist() == ['{"a": 2, "b": 1}', None]


# JSON documents with what jsonb normalises: repeated and unordered keys (of several byte
# lengths, non-ASCII), numbers in every spelling, escapes, whitespace.
_keys = st.sampled_from(["a", "b", "aa", "ab", "é", "key", "K", "", "a b", "\"q", "z\\"])
_numbers = st.one_of(
    st.integers(-10**20, 10**20).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.tuples(st.integers(-999, 999), st.integers(0, 3), st.integers(-12, 12)).map(
        lambda t: f"{t[0]}.{'0' * t[1]}5e{t[2]}"),
    st.sampled_from(["-0", "-0.0", "0.10", "1E+2", "1e-3", "2.50"]),
)
_strings = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=8).map(
    lambda s: json.dumps(s, ensure_ascii=False))
_escaped = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=6).map(
    lambda s: json.dumps(s, ensure_ascii=True))
_scalars = st.one_of(_numbers, _strings, _escaped, st.sampled_from(["true", "false", "null"]))
_ws = st.sampled_from(["", " ", "\n", "  \t", "\r\n"])


def _obj(children):
    pair = st.tuples(_keys.map(lambda k: json.dumps(k, ensure_ascii=False)), _ws, children)
    return st.lists(pair, max_size=5).flatmap(lambda ps: _ws.map(
        lambda w: "{" + w + ",".join(f"{k}{w}:{w}{v}" for k, w, v in ps) + w + "}"))


def _arr(children):
    return st.lists(children, max_size=5).flatmap(lambda xs: _ws.map(
        lambda w: "[" + w + ("," + w).join(xs) + "]"))


_documents = st.recursive(_scalars, lambda c: st.one_of(_obj(c), _arr(c)), max_leaves=20)


@pytest.fixture(scope="module")
def pg_conn(pg):
    with psycopg.connect(pg.dsn, autocommit=True) as conn:
        yield conn


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=_documents)
def test_canonical_text_matches_postgresql(pg_conn, doc):
    expected = pg_conn.execute("SELECT %s::jsonb::text", [doc]).fetchone()[0]
    assert canonical_jsonb_text(doc) == expected
    assert dump_jsonb(parse_jsonb(doc)) == expected  # the value model the jsonb functions use
    assert canonical_jsonb_array(pa.array([doc, None])).to_pylist() == [expected, None]


# --------------------------------------------------------------------------- real clients
# jsonb values through psycopg and asyncpg, PostgreSQL vs the gateway. Values are compared as
# text (`::text`, `->>`) and as booleans: what a jsonb column is *labelled* (OID 3802) is the
# type mapping's concern, what it *holds* is checked here.

_CLIENT_QUERIES = [
    ("SELECT %s::jsonb::text", ['{"b": 1, "a": [1.50, 1e2, -0], "a": "last", "é": "\\u00e9"}']),
    ("SELECT (%s::jsonb -> 'a')::text, %s::jsonb ->> 'n'", ['{"a": {"y": 2, "x": [1]}}', '{"n": 1.50}']),
    ("SELECT %s::jsonb @> %s::jsonb, %s::jsonb ? 'k'", ['{"a": [1, 2], "k": null}', '{"a": [2]}', '{"k": 1}']),
    ("SELECT %s::jsonb = %s::jsonb", ['{"a": 1, "b": [1, 2]}', '{ "b" : [1,2], "a" : 1 }']),
    ("SELECT jsonb_set(%s::jsonb, '{a,1}', %s::jsonb)::text", ['{"a": [1, 2]}', '{"z": 1, "y": 2}']),
    ("SELECT (%s::jsonb || %s::jsonb - 'b')::text", ['{"a": 1, "b": 2}', '{"c": 3}']),
    ("SELECT key, value::text FROM jsonb_each(%s::jsonb) ORDER BY key", ['{"bb": [1.0], "a": "x"}']),
    ("SELECT jsonb_build_object('k', 2.50, 'l', ARRAY[1, 2], %s::text, NULL)::text", ["a"]),
]


def _psycopg_answers(dsn: str, table: str) -> list:
    out = []
    with psycopg.connect(dsn, autocommit=True) as conn:
        for sql, params in _CLIENT_QUERIES:
            out.append(conn.execute(sql, params).fetchall())
        # psycopg's Jsonb parameter: OID 3802, in text and in binary (a version byte first)
        doc = Jsonb({"b": [1.5, None], "a": "é", "c": {"y": 1, "x": 2}})
        for binary in (False, True):
            cur = conn.cursor(binary=binary)
            out.append(cur.execute("SELECT (%s::jsonb)::text, %s::jsonb -> 'c' ->> 'x'", [doc, doc]).fetchall())
        conn.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, doc jsonb)")
        try:
            conn.execute(f"INSERT INTO {table} VALUES (1, %s), (2, %s)",
                         ['{"n": 1, "tags": ["x"]}', '{"n": 2.50, "tags": []}'])
            conn.execute(f"UPDATE {table} SET doc = doc || '{{\"seen\": true}}' WHERE id = 1")
            out.append(conn.execute(
                f"SELECT id, doc::text, doc ->> 'n', doc @> '{{\"tags\": [\"x\"]}}' FROM {table} ORDER BY id").fetchall())
            out.append(conn.execute(f"SELECT id FROM {table} WHERE doc = %s::jsonb",
                                    ['{"tags": [], "n": 2.50}']).fetchall())
        finally:
            conn.execute(f"DROP TABLE {table}")
    return out


def test_psycopg_jsonb_values(pg, gateway):
    assert _psycopg_answers(gateway.dsn, "jsonb_pc") == _psycopg_answers(pg.dsn, "jsonb_pc")


def test_asyncpg_jsonb_values(pg, gateway):
    import asyncio

    asyncpg = pytest.importorskip("asyncpg")
    queries = [
        ("SELECT $1::jsonb::text AS t", '{"b": [1.50, {"d": 1, "c": 2}], "a": null}'),
        ("SELECT ($1::jsonb #> '{a,0}')::text AS t", '{"a": [{"y": 1, "x": 2}]}'),
        ("SELECT jsonb_pretty($1::jsonb) AS t", '{"b": {"c": []}, "a": [1, {}]}'),
        ("SELECT jsonb_agg(v ORDER BY v)::text AS t FROM jsonb_array_elements_text($1::jsonb) AS e(v)",
         '["b", "a", "c"]'),
    ]

    async def answers(url: str):
        conn = await asyncpg.connect(url, timeout=15)
        try:
            return [await conn.fetchval(sql, arg) for sql, arg in queries]
        finally:
            await conn.close()

    assert asyncio.run(answers(gateway.url)) == asyncio.run(answers(pg.url))


# --------------------------------------------------------------------------- operators, grid
# Every jsonb operator and path function over a grid of documents, paths and keys (objects,
# arrays, scalars, empty containers, negative and out-of-range indexes, JSON null at the end
# of a path): each answer (value or SQLSTATE) as PostgreSQL gives it.

_GRID_DOCS = ['{"a": [1, 2, {"b": 3}], "c": {"d": null}}', '[1, "a", [2, 3], {"x": 1}]', '"s"', "5", "{}", "[]"]
_GRID_PATHS = ["{a}", "{a,0}", "{a,-1}", "{a,2,b}", "{a,9}", "{a,-9}", "{c,d}", "{c,e}", "{0}", "{-1}", "{5}",
               "{x,y}", "{}", "{a,x}"]


def _grid() -> list[str]:
    out = []
    for d in _GRID_DOCS:
        for p in _GRID_PATHS:
            out += [f"('{d}'::jsonb #- '{p}')::text", f"jsonb_set('{d}'::jsonb, '{p}', '\"N\"')::text",
                    f"jsonb_set('{d}'::jsonb, '{p}', '\"N\"', false)::text",
                    f"jsonb_insert('{d}'::jsonb, '{p}', '\"N\"')::text",
                    f"jsonb_insert('{d}'::jsonb, '{p}', '\"N\"', true)::text",
                    f"'{d}'::jsonb #>> '{p}'", f"('{d}'::jsonb #> '{p}')::text"]
        out += [f"('{d}'::jsonb - {k})::text" for k in ("'a'", "0", "-1", "'x'", "5", "'{a,x}'::text[]")]
        for k in ("'a'", "0", "-1", "'0'", "2", "-5", "'s'"):
            out += [f"('{d}'::jsonb -> {k})::text", f"'{d}'::jsonb ->> {k}"]
        for d2 in _GRID_DOCS:
            out += [f"('{d}'::jsonb || '{d2}'::jsonb)::text", f"'{d}'::jsonb @> '{d2}'::jsonb",
                    f"'{d}'::jsonb <@ '{d2}'::jsonb"]
        out += [f"'{d}'::jsonb ? {k}" for k in ("'a'", "'s'", "'x'")]
        out += [f"jsonb_strip_nulls('{d}')::text", f"jsonb_pretty('{d}')", f"jsonb_typeof('{d}')"]
    return out


def _grid_answers(dsn: str, exprs: list[str]) -> list:
    out = []
    with psycopg.connect(dsn, autocommit=True) as conn:
        for e in exprs:
            try:
                out.append(("ok", conn.execute(f"SELECT {e}").fetchone()[0]))
            except psycopg.Error as exc:
                out.append(("error", exc.sqlstate))
    return out


def test_jsonb_operator_grid_matches_postgresql(pg, gateway):
    exprs = _grid()
    want, got = _grid_answers(pg.dsn, exprs), _grid_answers(gateway.dsn, exprs)
    differ = [(e, w, g) for e, w, g in zip(exprs, want, got) if w != g]
    assert not differ, f"{len(differ)} of {len(exprs)} differ, e.g. {differ[:5]}"
