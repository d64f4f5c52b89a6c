"""node-postgres (npm `pg`) against the gateway, PostgreSQL 15 as the oracle: run by
tests/clients.py. node-postgres sends parameters as text and parses results by type OID, so
the OIDs and text forms must be PostgreSQL's for its values to come out the same."""

from __future__ import annotations

import json
import uuid

from tests.clients import run_node

SMOKE = r"""
const { Client } = require('pg');
(async () => {
  const c = new Client({ connectionString: process.argv[1] });
  await c.connect();
  const r = await c.query('SELECT $1::int + 1 AS n, $2::text AS s', [41, 'x']);
  console.log(JSON.stringify({ rows: r.rows, types: r.fields.map(f => f.dataTypeID) }));
  await c.end();
})().catch(e => { console.error(e); process.exit(1); });
"""


def test_node_parameterized_select(gateway):
    out = json.loads(run_node(SMOKE, gateway.url).stdout)
    assert out == {"rows": [{"n": 42, "s": "x"}], "types": [23, 25]}


# Every value goes through a table and back with parameters; Buffers and Dates are printed in a
# stable form. node-postgres parses int8 and numeric as strings, dates/timestamps as Date.
TYPES = r"""
const { Client } = require('pg');
const show = v => v === null ? null : Buffer.isBuffer(v) ? 'buf:' + v.toString('hex')
  : v instanceof Date ? 'date:' + v.toISOString() : Array.isArray(v) ? v.map(show) : v;
(async () => {
  const c = new Client({ connectionString: process.argv[1] });
  await c.connect();
  const t = process.argv[2];
  await c.query(`CREATE TABLE ${t} (id int, i2 smallint, i4 integer, i8 bigint, f8 double precision,
      n numeric(12,3), b boolean, tx text, d date, ts timestamp, tz timestamptz, j json, ai integer[],
      at text[], by bytea)`);
  const rows = [
    [1, -32768, 2147483647, '9223372036854775807', 0.1, '12345.678', true, 'héllo', '2024-02-29',
     '2024-02-29 13:45:56.5', new Date(Date.UTC(2024, 1, 29, 11, 45, 56, 500)), {a: [1, 2.5, null]},
     [1, null, 3], ['a,b', 'c"d', null], Buffer.from([0, 255, 127])],
    [2, null, null, null, null, null, null, null, null, null, null, null, null, null, null],
  ];
  for (const r of rows) {
    await c.query(`INSERT INTO ${t} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`, r);
  }
  const out = [];
  const sel = await c.query(`SELECT * FROM ${t} WHERE id >= $1 ORDER BY id`, [1]);
  out.push(sel.fields.map(f => [f.name, f.dataTypeID]));
  for (const r of sel.rows) out.push(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, show(v)])));
  const expr = await c.query(`SELECT $1::int8 * 2 AS big, $2::numeric(10,2) + 1 AS num, $3::bool AS flag,
      $4::date AS day, $5::jsonb AS doc, $6::int[] AS arr, NULL::text AS nothing, $7::bytea AS raw`,
    ['4611686018427387903', '1.25', false, '2000-01-01', '{"k": "v"}', [4, 5], Buffer.from('hi')]);
  out.push(expr.fields.map(f => [f.name, f.dataTypeID]));
  out.push(Object.fromEntries(Object.entries(expr.rows[0]).map(([k, v]) => [k, show(v)])));
  const upd = await c.query(`UPDATE ${t} SET tx = $1 WHERE id = $2`, ['changed', 2]);
  out.push([upd.command, upd.rowCount]);
  await c.query(`DROP TABLE ${t}`);
  console.log(JSON.stringify(out));
  await c.end();
})().catch(e => { console.error(e); process.exit(1); });
"""


def test_node_types_roundtrip_like_postgres(pg, gateway):
    t = f"node_{uuid.uuid4().hex[:8]}"
    env = {"TZ": "UTC"}
    exp = json.loads(run_node(TYPES, pg.url, t, env=env).stdout)
    got = json.loads(run_node(TYPES, gateway.url, t, env=env).stdout)
    assert exp[1]["i8"] == "9223372036854775807" and exp[1]["by"] == "buf:00ff7f"
    assert got == exp
