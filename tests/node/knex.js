// Knex (on `pg`): schema builder (increments, foreign, unique, index, timestamps), migrate
// latest / rollback from a migrations directory (knex_migrations and its _lock table), insert
// returning, batchInsert, transactions, raw. One JSON line per step, compared with PostgreSQL's
// by tests/test_node_orms.py. argv: url, table-name prefix.
const fs = require('fs');
const os = require('os');
const path = require('path');
const knexLib = require('knex');

const [url, p] = process.argv.slice(1);
const out = (step, v) => console.log(JSON.stringify([step, v]));
const show = o => Array.isArray(o) ? o.map(show) : o instanceof Date ? 'date' : o && typeof o === 'object'
  ? Object.fromEntries(Object.entries(o).map(([k, v]) => [k, show(v)])) : o;

// Two migrations in a directory of their own.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'knex-mig-'));
fs.writeFileSync(path.join(dir, '20240101000000_authors.js'), `
exports.up = k => k.schema.createTable('${p}_authors', t => {
  t.increments('id');
  t.string('name', 80).notNullable().unique();
  t.integer('rank').defaultTo(0);
  t.timestamps(true, true);
});
exports.down = k => k.schema.dropTable('${p}_authors');
`);
fs.writeFileSync(path.join(dir, '20240102000000_books.js'), `
exports.up = k => k.schema.createTable('${p}_books', t => {
  t.bigIncrements('id');
  t.integer('author_id').unsigned().notNullable().references('id').inTable('${p}_authors');
  t.string('title').notNullable();
  t.decimal('price', 8, 2);
  t.boolean('in_print').defaultTo(true);
  t.jsonb('meta');
  t.date('published');
  t.uuid('ref');
  t.index(['title'], '${p}_books_title_idx');
  t.unique(['author_id', 'title']);
});
exports.down = k => k.schema.dropTable('${p}_books');
`);

(async () => {
  const knex = knexLib({ client: 'pg', connection: url, pool: { min: 1, max: 1 },
    migrations: { directory: dir, tableName: `${p}_migrations` } });
  try {
    const [batch, files] = await knex.migrate.latest();
    out('migrate-latest', [batch, files.map(f => path.basename(f))]);
    out('migrate-status', await knex.migrate.status());
    out('migrations-table', (await knex(`${p}_migrations`).select('name', 'batch').orderBy('id')));
    out('lock-table', await knex(`${p}_migrations_lock`).select('is_locked'));
    out('has-table', [await knex.schema.hasTable(`${p}_books`), await knex.schema.hasColumn(`${p}_books`, 'ref'),
      await knex.schema.hasTable(`${p}_nope`)]);
    out('column-info', Object.entries(await knex(`${p}_books`).columnInfo()).sort());

    // Insert with returning, batchInsert, update/delete counts.
    const ids = await knex(`${p}_authors`).insert([{ name: 'ann', rank: 2 }, { name: 'bob' }]).returning(['id', 'name', 'rank']);
    out('insert-returning', ids);
    const one = await knex(`${p}_authors`).insert({ name: 'cy' }).returning('id');
    out('insert-one', one);
    const rows = Array.from({ length: 25 }, (_, i) => ({ author_id: 1 + (i % 3), title: `t${String(i).padStart(2, '0')}`,
      price: (i * 1.25).toFixed(2), meta: { i }, published: `2024-01-${String(1 + i).padStart(2, '0')}`,
      ref: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` }));
    const inserted = await knex.batchInsert(`${p}_books`, rows, 10).returning('id');
    out('batch-insert', inserted.length);
    out('update', await knex(`${p}_books`).where('price', '>', 20).update({ in_print: false }));
    out('select', show(await knex(`${p}_books`).where({ author_id: 2 }).andWhere('title', 'like', 't1%')
      .select('id', 'title', 'price', 'in_print', 'meta', 'published', 'ref').orderBy('id')));
    out('join', await knex(`${p}_books as b`).join(`${p}_authors as a`, 'a.id', 'b.author_id')
      .select('a.name').count('b.id as n').sum('b.price as total').groupBy('a.name').orderBy('a.name'));
    out('first', show(await knex(`${p}_authors`).where('name', 'bob').first()));
    out('pluck', await knex(`${p}_books`).whereIn('id', [1, 2, 3]).orderBy('id').pluck('title'));
    out('delete', await knex(`${p}_books`).where('title', 't24').del());

    // Transactions: committed, rolled back by an error, and by hand.
    await knex.transaction(async trx => {
      const [a] = await trx(`${p}_authors`).insert({ name: 'dee' }).returning('id');
      await trx(`${p}_books`).insert({ author_id: a.id, title: 'd1' });
    });
    try {
      await knex.transaction(async trx => {
        await trx(`${p}_authors`).insert({ name: 'eve' });
        await trx(`${p}_authors`).insert({ name: 'ann' });
      });
    } catch (e) { out('trx-error', [e.code, e.constraint, e.table]); }
    const trx = await knex.transaction();
    await trx(`${p}_authors`).where('name', 'cy').update({ rank: 9 });
    await trx.rollback();
    out('after-trx', await knex(`${p}_authors`).select('name', 'rank').orderBy('id'));

    // raw with positional and named bindings, and identifiers.
    out('raw', (await knex.raw('SELECT ?::int + ? AS s, ?::text AS t', [1, 2, 'x'])).rows);
    out('raw-named', (await knex.raw(`SELECT count(*)::int AS n FROM :tbl: WHERE rank >= :min`, { tbl: `${p}_authors`, min: 0 })).rows);
    out('raw-ident', (await knex.raw('SELECT ?? FROM ?? ORDER BY 1', ['name', `${p}_authors`])).rows.map(r => r.name));

    // Schema changes outside migrations: alter table, rename column, drop.
    await knex.schema.alterTable(`${p}_authors`, t => { t.string('email', 120); t.index(['rank']); });
    await knex.schema.alterTable(`${p}_authors`, t => { t.renameColumn('email', 'mail'); });
    out('altered', Object.keys(await knex(`${p}_authors`).columnInfo()).sort());

    // rollback: the last batch, then all.
    await knex(`${p}_books`).del();
    const [rb, rbFiles] = await knex.migrate.rollback(undefined, true);
    out('rollback', [rb, rbFiles.map(f => path.basename(f))]);
    out('after-rollback', [await knex.schema.hasTable(`${p}_books`), await knex.schema.hasTable(`${p}_authors`),
      (await knex(`${p}_migrations`).count('* as n'))[0]]);
    await knex.schema.dropTable(`${p}_migrations`);
    await knex.schema.dropTable(`${p}_migrations_lock`);
    out('end', 'ok');
  } finally {
    await knex.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
})().catch(e => { console.error(e); process.exit(1); });
