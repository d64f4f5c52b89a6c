// TypeORM (on `pg`): a DataSource with synchronize (schema introspection, then CREATE TABLE
// with uuid / serial / enum columns, foreign keys, indices), repository save/find with
// relations, QueryBuilder, transactions, migrations (its migrations table). One JSON line per
// step, compared with PostgreSQL's by tests/test_node_orms.py. argv: url, table-name prefix.
require('reflect-metadata');
const { DataSource, EntitySchema } = require('typeorm');

const [url, p] = process.argv.slice(1);
const out = (step, v) => console.log(JSON.stringify([step, v]));
const clean = o => Array.isArray(o) ? o.map(clean) : o instanceof Date ? 'date:' + o.toISOString()
  : o && typeof o === 'object' ? Object.fromEntries(Object.entries(o).filter(([k]) => k !== 'uid').map(([k, v]) => [k, clean(v)])) : o;

const Team = new EntitySchema({
  name: 'Team', tableName: `${p}_team`,
  columns: {
    id: { type: Number, primary: true, generated: 'increment' },
    name: { type: 'varchar', length: 50, unique: true },
    level: { type: 'enum', enum: ['low', 'mid', 'high'], default: 'low' },
    created: { type: 'timestamptz', createDate: true },
  },
  relations: { players: { type: 'one-to-many', target: 'Player', inverseSide: 'team' } },
});
const Player = new EntitySchema({
  name: 'Player', tableName: `${p}_player`,
  columns: {
    id: { type: Number, primary: true, generated: 'increment' },
    uid: { type: 'uuid', generated: 'uuid' },
    name: { type: 'varchar' },
    score: { type: 'numeric', precision: 8, scale: 2, nullable: true },
    active: { type: 'boolean', default: true },
    born: { type: 'date', nullable: true },
    info: { type: 'jsonb', nullable: true },
    tags: { type: 'text', array: true, nullable: true },
  },
  relations: { team: { type: 'many-to-one', target: 'Team', joinColumn: { name: 'teamId' }, inverseSide: 'players', nullable: true } },
  indices: [{ name: `${p}_player_name_idx`, columns: ['name'] }],
});

class AddNote {
  constructor() { this.name = `AddNote${p}1700000000000`; }
  async up(q) { await q.query(`ALTER TABLE "${p}_team" ADD COLUMN "note" varchar(40)`); }
  async down(q) { await q.query(`ALTER TABLE "${p}_team" DROP COLUMN "note"`); }
}

(async () => {
  // No CREATE EXTENSION (it would change the shared PostgreSQL the other tests compare with):
  // uuid columns default to gen_random_uuid(), core since PostgreSQL 13.
  const ds = new DataSource({ type: 'postgres', url, entities: [Team, Player], synchronize: true,
    installExtensions: false, uuidExtension: 'pgcrypto',
    logging: false, migrations: [AddNote], migrationsTableName: `${p}_migrations` });
  await ds.initialize();
  out('initialize', 'ok');
  // A second synchronize on the same schema must find nothing to change.
  const pending = await ds.driver.createSchemaBuilder().log();
  out('schema-diff', pending.upQueries.map(q => q.query));

  const teams = ds.getRepository('Team');
  const players = ds.getRepository('Player');
  const red = await teams.save({ name: 'red', level: 'high' });
  const blue = await teams.save({ name: 'blue' });
  out('save-team', [red.id, red.level, blue.id, blue.level, typeof red.created]);
  await players.save([
    { name: 'ann', score: '12.50', team: red, born: '1990-03-04', info: { pos: 'gk', n: [1] }, tags: ['a', 'b'] },
    { name: 'bob', score: '7.25', team: red, active: false },
    { name: 'cy', team: blue, tags: [] },
    { name: 'dee' },
  ]);
  const all = await players.find({ relations: { team: true }, order: { id: 'ASC' } });
  out('find-relations', clean(all.map(x => ({ ...x, team: x.team && x.team.name }))));
  out('uuid', all.every(x => /^[0-9a-f-]{36}$/.test(x.uid)));
  const withPlayers = await teams.find({ relations: { players: true }, order: { id: 'ASC', players: { name: 'DESC' } } });
  out('one-to-many', withPlayers.map(t => [t.name, t.players.map(x => x.name)]));
  out('find-by', clean(await players.findBy({ active: false })));
  out('count', await players.count({ where: { team: { name: 'red' } } }));

  // QueryBuilder: join, where with parameters, group by, raw results, update, delete.
  const qb = await players.createQueryBuilder('pl').leftJoinAndSelect('pl.team', 't')
    .where('pl.score > :min', { min: 5 }).andWhere('t.level IN (:...levels)', { levels: ['high', 'mid'] })
    .orderBy('pl.name', 'ASC').getMany();
  out('query-builder', qb.map(x => [x.name, x.team.name]));
  const raw = await ds.createQueryBuilder().select('t.name', 'team').addSelect('COUNT(pl.id)', 'n')
    .addSelect('SUM(pl.score)', 'total').from(`${p}_team`, 't').leftJoin(`${p}_player`, 'pl', 'pl."teamId" = t.id')
    .groupBy('t.name').orderBy('t.name').getRawMany();
  out('raw', raw);
  const upd = await ds.createQueryBuilder().update('Player').set({ active: true }).where('name = :n', { n: 'bob' }).execute();
  out('qb-update', upd.affected);
  const [page, total] = await players.findAndCount({ order: { id: 'ASC' }, skip: 1, take: 2, select: { id: true, name: true } });
  out('paging', [page.map(x => x.name), total]);

  // Transactions: committed, rolled back on error, and a QueryRunner by hand.
  await ds.transaction(async m => {
    const t = await m.save('Team', { name: 'green', level: 'mid' });
    await m.save('Player', { name: 'eve', team: t });
  });
  try {
    await ds.transaction(async m => {
      await m.save('Team', { name: 'gold' });
      await m.save('Team', { name: 'red' });  // unique violation
    });
  } catch (e) { out('tx-error', [e.constructor.name, e.code, e.table]); }
  const qr = ds.createQueryRunner();
  await qr.connect();
  await qr.startTransaction();
  await qr.manager.delete('Player', { name: 'dee' });
  await qr.rollbackTransaction();
  await qr.release();
  out('after-tx', (await teams.find({ order: { id: 'ASC' } })).map(t => t.name));
  out('players-after-tx', (await players.find({ order: { id: 'ASC' } })).map(x => x.name));

  // Migrations: the migrations table, run and revert.
  const ran = await ds.runMigrations();
  out('migrations-run', ran.map(m => m.name.replace(p, 'P')));
  out('note-column', (await ds.query(`SELECT column_name, data_type, character_maximum_length FROM information_schema.columns
    WHERE table_name = $1 AND column_name = 'note'`, [`${p}_team`])));
  out('migrations-table', (await ds.query(`SELECT name FROM "${p}_migrations"`)).map(r => r.name.replace(p, 'P')));
  await ds.undoLastMigration();
  out('migrations-after-undo', (await ds.query(`SELECT count(*)::int AS n FROM "${p}_migrations"`)));

  await players.createQueryBuilder().delete().execute();
  await ds.query(`DROP TABLE "${p}_player"`);
  await ds.query(`DROP TABLE "${p}_team"`);
  await ds.query(`DROP TABLE "${p}_migrations"`);
  await ds.query(`DROP TYPE "${p}_team_level_enum"`);
  await ds.destroy();
  out('end', 'ok');
})().catch(e => { console.error(e); process.exit(1); });
