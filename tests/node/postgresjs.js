// postgres.js (npm `postgres`): its own protocol implementation. Prints one JSON line per step;
// tests/test_node_orms.py runs it against PostgreSQL and the gateway and compares the output.
// argv: url, table-name prefix.
const postgres = require('postgres');
const { pipeline } = require('stream/promises');
const { Readable, Writable } = require('stream');

const [url, p] = process.argv.slice(1);
const out = (step, v) => console.log(JSON.stringify([step, v]));
// Dates, Buffers and BigInts as stable JSON.
const show = v => v === null || v === undefined ? null : typeof v === 'bigint' ? 'big:' + v
  : Buffer.isBuffer(v) ? 'buf:' + v.toString('hex') : v instanceof Date ? 'date:' + v.toISOString()
  : Array.isArray(v) ? v.map(show) : typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, show(x)]))
  : v;
const errInfo = e => ({ code: e.code, severity: e.severity, message: e.message, detail: e.detail,
  hint: e.hint, position: e.position, table: e.table_name, column: e.column_name, constraint: e.constraint_name });
const cols = r => r.columns.map(c => [c.name, c.type]);

(async () => {
  const notices = [];
  const sql = postgres(url, { max: 1, onnotice: n => notices.push([n.severity, n.code, n.message]),
    types: { bigint: postgres.BigInt } });
  const t = `${p}_items`;

  // Connect runs the array-type catalog query; the first query waits for it.
  const [one] = await sql`SELECT 1 AS one, ${'x'}::text AS s`;
  out('connect', one);

  await sql`CREATE TABLE ${sql(t)} (id serial PRIMARY KEY, name text NOT NULL UNIQUE,
    qty integer, price numeric(10,2), big bigint, ratio double precision, ok boolean,
    day date, at timestamptz, tags text[], nums integer[], doc jsonb, raw bytea)`;

  // Tagged templates: parameters of many types, through a table and back.
  const rows = [
    { name: 'apple', qty: 3, price: '1.50', big: 9007199254740993n, ratio: 0.25, ok: true,
      day: new Date(Date.UTC(2024, 1, 29)), at: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 600)),
      tags: ['red', 'a,b', 'q"t'], nums: [1, 2, 3], doc: { k: [1, 'two', null] }, raw: Buffer.from([0, 1, 255]) },
    { name: 'pear', qty: null, price: null, big: null, ratio: null, ok: null, day: null, at: null,
      tags: null, nums: null, doc: null, raw: null },
  ];
  for (const r of rows) {
    const [ins] = await sql`INSERT INTO ${sql(t)} (name, qty, price, big, ratio, ok, day, at, tags, nums, doc, raw)
      VALUES (${r.name}, ${r.qty}, ${r.price}, ${r.big}, ${r.ratio}, ${r.ok}, ${r.day}, ${r.at},
              ${r.tags}, ${r.nums}, ${r.doc === null ? null : sql.json(r.doc)}, ${r.raw}) RETURNING id, name`;
    out('insert', ins);
  }
  // Helpers: insert many rows from objects, and a list parameter.
  const many = await sql`INSERT INTO ${sql(t)} ${sql([{ name: 'kiwi', qty: 7 }, { name: 'plum', qty: 9 }], 'name', 'qty')}
    RETURNING id`;
  out('insert-many', [many.count, many.command, many.map(r => r.id)]);
  const sel = await sql`SELECT * FROM ${sql(t)} WHERE name IN ${sql(['apple', 'pear'])} ORDER BY id`;
  out('select-types', cols(sel));
  out('select', show([...sel]));
  const expr = await sql`SELECT ${1.5}::float8 AS f, ${42} AS n, ${'2024-01-01'}::date AS d, ${true} AS b,
    ${[1, 2]}::int[] AS arr, ${null}::text AS nothing, ${Buffer.from('hi')}::bytea AS by, ${123456789012n}::int8 AS big`;
  out('expr', [cols(expr), show([...expr])]);

  // .values() returns arrays; dynamic identifiers and columns.
  out('values', await sql`SELECT name, qty FROM ${sql(t)} WHERE qty > ${1} ORDER BY name`.values());
  out('columns', show([...await sql`SELECT ${sql(['name', 'qty'])} FROM ${sql(t)} WHERE id = ${1}`]));

  // Update / delete counts.
  const upd = await sql`UPDATE ${sql(t)} SET qty = qty + 1 WHERE qty IS NOT NULL`;
  out('update', [upd.command, upd.count]);

  // sql.begin: a managed transaction with savepoints: one released, one rolled back (it wrote
  // nothing: the gateway cannot undo writes made after a savepoint, see test_node_orms.py).
  const tx = await sql.begin(async sql => {
    await sql`INSERT INTO ${sql(t)} (name, qty) VALUES ('fig', 1)`;
    try {
      await sql.savepoint(async sql => {
        await sql`SELECT count(*) FROM ${sql(t)}`;
        throw new Error('roll back to the savepoint');
      });
    } catch (e) { out('savepoint-error', e.message); }
    await sql.savepoint(sp => sp`INSERT INTO ${sql(t)} (name, qty) VALUES ('lime', 3)`);
    return (await sql`SELECT name FROM ${sql(t)} WHERE name IN ('fig', 'grape', 'lime') ORDER BY name`).map(r => r.name);
  });
  out('begin', tx);
  // A failing transaction rolls back and the error comes out with its fields.
  try {
    await sql.begin(async sql => {
      await sql`INSERT INTO ${sql(t)} (name) VALUES ('melon')`;
      await sql`INSERT INTO ${sql(t)} (name) VALUES ('melon')`;
    });
  } catch (e) { out('begin-error', errInfo(e)); }
  out('after-rollback', (await sql`SELECT count(*)::int AS n FROM ${sql(t)} WHERE name = 'melon'`)[0]);

  // sql.unsafe: raw text with and without parameters, several statements in one simple query.
  out('unsafe', show([...await sql.unsafe(`SELECT name, qty FROM ${t} WHERE id = $1`, [2])]));
  const multi = await sql.unsafe(`UPDATE ${t} SET qty = 0 WHERE name = 'fig'; SELECT count(*)::int AS n FROM ${t}`);
  out('unsafe-multi', multi.map(r => [r.command, r.count, show([...r])]));

  // Errors: code, detail, position, the table/column/constraint fields.
  for (const q of [
    () => sql`SELECT nope FROM ${sql(t)}`,
    () => sql`INSERT INTO ${sql(t)} (name) VALUES (${'apple'})`,
    () => sql`INSERT INTO ${sql(t)} (qty) VALUES (${1})`,
    () => sql`SELECT ${'abc'}::int`,
    () => sql`SELECT 1/0`,
    () => sql.unsafe('SELEC 1'),
  ]) {
    try { await q(); out('error', 'no error'); } catch (e) { out('error', errInfo(e)); }
  }

  // Cursors: batches of 2, and one row at a time.
  const batches = [];
  await sql`SELECT id, name FROM ${sql(t)} ORDER BY id`.cursor(2, async rs => { batches.push(rs.map(r => r.name)); });
  out('cursor', batches);
  const single = [];
  for await (const [r] of sql`SELECT generate_series(1, 5) AS i`.cursor()) single.push(r.i);
  out('cursor-1', single);

  // forEach streams rows without collecting them.
  const each = [];
  const fe = await sql`SELECT name FROM ${sql(t)} ORDER BY name`.forEach(r => each.push(r.name));
  out('forEach', [each, fe.count, fe.command]);

  // COPY FROM STDIN via writable(), COPY TO STDOUT via readable().
  const c = `${p}_copy`;
  await sql`CREATE TABLE ${sql(c)} (a int, b text, d date)`;
  const w = await sql`COPY ${sql(c)} (a, b, d) FROM STDIN`.writable();
  await pipeline(Readable.from(['1\tone\t2024-01-01\n', '2\t\\N\t\\N\n', '3\tth\\tree\t2024-12-31\n']), w);
  const wcsv = await sql.unsafe(`COPY ${c} FROM STDIN (FORMAT csv, HEADER true)`).writable();
  await pipeline(Readable.from(['a,b,d\n', '4,"x,y",2020-02-02\n']), wcsv);
  out('copy-in', show([...await sql`SELECT * FROM ${sql(c)} ORDER BY a`]));
  const chunks = [];
  const r = await sql`COPY (SELECT * FROM ${sql(c)} ORDER BY a) TO STDOUT`.readable();
  await pipeline(r, new Writable({ write(chunk, _e, cb) { chunks.push(chunk); cb(); } }));
  out('copy-out', Buffer.concat(chunks).toString());
  const chunksCsv = [];
  const rc = await sql.unsafe(`COPY ${c} TO STDOUT (FORMAT csv, HEADER)`).readable();
  for await (const chunk of rc) chunksCsv.push(chunk);
  out('copy-out-csv', Buffer.concat(chunksCsv).toString());
  out('copy-count', (await sql`SELECT count(*)::int AS n FROM ${sql(c)}`)[0]);

  // Notices: DROP ... IF EXISTS of something missing, RAISE-free.
  await sql`DROP TABLE IF EXISTS ${sql(p + '_missing')}`;
  out('notices', notices);

  // Prepared statements are on by default: the same query many times, then with prepare: false.
  const prep = [];
  for (let i = 0; i < 4; i++) prep.push((await sql`SELECT count(*)::int AS n FROM ${sql(t)} WHERE qty >= ${i}`)[0].n);
  out('prepared', prep);
  const sqlNoPrep = postgres(url, { max: 1, prepare: false });
  out('unprepared', (await sqlNoPrep`SELECT ${5}::int * 2 AS ten`)[0]);
  await sqlNoPrep.end();

  // Pipelining: queries issued together on one connection.
  const piped = await Promise.all([1, 2, 3].map(i => sql`SELECT ${i}::int AS i, name FROM ${sql(t)} WHERE id = ${i}`));
  out('pipelined', piped.map(rs => show([...rs])));

  await sql`DROP TABLE ${sql(t)}`;
  await sql`DROP TABLE ${sql(c)}`;
  await sql.end({ timeout: 5 });
  out('end', 'ok');
})().catch(e => { console.error(e); process.exit(1); });
