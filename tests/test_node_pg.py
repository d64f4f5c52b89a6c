"""node-postgres (npm `pg`) against the gateway: run by tests/clients.py."""

from __future__ import annotations

import json

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
