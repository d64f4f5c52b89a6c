// Sequelize (on `pg`): models with associations, sync force/alter (its information_schema and
// pg_catalog introspection), bulkCreate, include (JOIN), Op.* filters, transactions, raw
// queries with replacements, upsert, increment. One JSON line per step, compared with
// PostgreSQL's by tests/test_node_orms.py. argv: url, table-name prefix.
const { Sequelize, DataTypes, Op, QueryTypes } = require('sequelize');

const [url, p] = process.argv.slice(1);
const out = (step, v) => console.log(JSON.stringify([step, v]));
const plain = rows => rows.map(r => r.get({ plain: true }));
const noTimes = o => Array.isArray(o) ? o.map(noTimes) : o && typeof o === 'object' && !(o instanceof Date)
  ? Object.fromEntries(Object.entries(o).filter(([k]) => !['createdAt', 'updatedAt'].includes(k)).map(([k, v]) => [k, noTimes(v)]))
  : o instanceof Date ? 'date:' + o.toISOString() : o;

(async () => {
  const seq = new Sequelize(url, { logging: false, dialect: 'postgres' });
  await seq.authenticate();
  out('authenticate', 'ok');

  const Author = seq.define('Author', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    // unique as a model index: a column's `unique: true` makes sync({ alter: true }) send an
    // unnamed ADD UNIQUE again, which PostgreSQL takes as a second constraint (t_name_key1)
    // and the gateway refuses (42P07: it names the index t_name_key; see test_node_orms.py)
    name: { type: DataTypes.STRING(100), allowNull: false },
    email: { type: DataTypes.STRING },
    born: { type: DataTypes.DATEONLY },
    active: { type: DataTypes.BOOLEAN, defaultValue: true },
  }, { tableName: `${p}_authors`, indexes: [{ unique: true, fields: ['name'] }] });
  const Book = seq.define('Book', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    title: { type: DataTypes.STRING, allowNull: false },
    pages: { type: DataTypes.INTEGER, defaultValue: 0 },
    price: { type: DataTypes.DECIMAL(10, 2) },
    meta: { type: DataTypes.JSONB },
    tags: { type: DataTypes.ARRAY(DataTypes.TEXT) },
    uid: { type: DataTypes.UUID, defaultValue: DataTypes.UUIDV4 },
  }, { tableName: `${p}_books`, indexes: [{ fields: ['title'] }, { unique: true, fields: ['uid'] }] });
  // Sequelize's default ON DELETE SET NULL / ON UPDATE CASCADE is refused by the gateway
  // (DuckDB has no referential actions; see test_node_orms.py): NO ACTION here.
  const fk = { foreignKey: 'authorId', onDelete: 'NO ACTION', onUpdate: 'NO ACTION' };
  Author.hasMany(Book, { ...fk, as: 'books' });
  Book.belongsTo(Author, { ...fk, as: 'author' });

  await seq.sync({ force: true });
  out('sync-force', 'ok');
  const qi = seq.getQueryInterface();
  // (its query has no ORDER BY: sorted here)
  const describe = async t => Object.entries(await qi.describeTable(t)).map(([k, v]) =>
    [k, v.type, v.allowNull, v.primaryKey, v.defaultValue === undefined ? null : String(v.defaultValue)]).sort();
  out('describe-books', await describe(`${p}_books`));
  out('describe-authors', await describe(`${p}_authors`));

  // sync({ alter: true }) after two models gained a column: describeTable, showIndex,
  // getForeignKeyReferencesForTable, ALTER TABLE … ALTER COLUMN for every column, and for
  // Book's foreign key ALTER TABLE … DROP CONSTRAINT, then ADD … REFERENCES again.
  Author.rawAttributes.nick = { type: DataTypes.STRING(20), allowNull: true };
  Author.refreshAttributes();
  Book.rawAttributes.isbn = { type: DataTypes.STRING(20), allowNull: true };
  Book.refreshAttributes();
  await seq.sync({ alter: true });
  out('sync-alter', 'ok');
  out('describe-authors-altered', await describe(`${p}_authors`));
  out('describe-books-altered', await describe(`${p}_books`));
  const idx = await qi.showIndex(`${p}_books`);
  out('show-index', idx.map(i => [i.name.replace(p, 'P'), i.unique, i.primary, i.fields.map(f => f.attribute)])
    .sort((a, b) => a[0] < b[0] ? -1 : 1));
  const fks = await qi.getForeignKeyReferencesForTable(`${p}_books`);
  out('foreign-keys', fks.map(f => [f.columnName, f.referencedTableName.replace(p, 'P'), f.referencedColumnName]));

  // bulkCreate with returning, then create with an association.
  const authors = await Author.bulkCreate([{ name: 'Ann', email: 'ann@x', born: '1970-05-01' },
    { name: 'Bob', born: '1980-01-31', active: false }, { name: 'Cy' }], { returning: true });
  out('bulk-authors', noTimes(plain(authors)));
  await Book.bulkCreate([
    { title: 'A1', pages: 100, price: '9.99', authorId: 1, meta: { lang: 'en', n: [1, 2] }, tags: ['x', 'y'] },
    { title: 'A2', pages: 250, price: '19.50', authorId: 1, tags: [] },
    { title: 'B1', pages: 50, price: null, authorId: 2, meta: { lang: 'de' } },
  ]);
  out('book-count', await Book.count());

  // findAll with include: a LEFT JOIN with aliased columns.
  const withBooks = await Author.findAll({ include: [{ model: Book, as: 'books', attributes: ['title', 'pages', 'price', 'meta', 'tags'] }],
    attributes: ['id', 'name'], order: [['id', 'ASC'], [{ model: Book, as: 'books' }, 'title', 'ASC']] });
  out('include', withBooks.map(a => [a.name, a.books.map(b => [b.title, b.pages, b.price, b.meta, b.tags])]));
  const booksWithAuthor = await Book.findAll({ include: { model: Author, as: 'author', required: true, where: { active: true } },
    order: [['title', 'DESC']] });
  out('include-required', booksWithAuthor.map(b => [b.title, b.author.name]));

  // where with Op.*
  const ops = {
    gt: { pages: { [Op.gt]: 60 } },
    between: { pages: { [Op.between]: [50, 150] } },
    in: { title: { [Op.in]: ['A1', 'B1', 'zz'] } },
    like: { title: { [Op.iLike]: 'a%' } },
    or: { [Op.or]: [{ pages: { [Op.lt]: 60 } }, { price: { [Op.gte]: 19 } }] },
    isnull: { price: { [Op.is]: null } },
    not: { title: { [Op.notIn]: ['A1'] }, pages: { [Op.ne]: 0 } },
    contains: { tags: { [Op.contains]: ['x'] } },
    jsonpath: { 'meta.lang': 'en' },
    startsWith: { title: { [Op.startsWith]: 'A' } },
  };
  for (const [name, where] of Object.entries(ops)) {
    const rows = await Book.findAll({ where, attributes: ['title'], order: [['title', 'ASC']] });
    out('op-' + name, rows.map(r => r.title));
  }
  out('aggregate', await Book.findAll({ attributes: ['authorId', [seq.fn('count', seq.col('id')), 'n'],
    [seq.fn('sum', seq.col('pages')), 'total']], group: ['authorId'], order: [['authorId', 'ASC']], raw: true }));
  out('find-and-count', await Book.findAndCountAll({ where: { pages: { [Op.gte]: 50 } }, limit: 2, offset: 1,
    order: [['id', 'ASC']], attributes: ['id'] }).then(r => [r.count, r.rows.map(x => x.id)]));

  // Managed transaction commits; one that throws rolls back.
  await seq.transaction(async t => {
    const a = await Author.create({ name: 'Dee' }, { transaction: t });
    await Book.create({ title: 'D1', authorId: a.id }, { transaction: t });
  });
  try {
    await seq.transaction(async t => {
      await Author.create({ name: 'Eve' }, { transaction: t });
      await Author.create({ name: 'Ann' }, { transaction: t });  // unique violation
    });
  } catch (e) { out('managed-rollback', [e.name, e.parent && e.parent.code, e.errors && e.errors.map(x => x.path)]); }
  out('after-managed', (await Author.findAll({ order: [['id', 'ASC']], attributes: ['name'] })).map(a => a.name));
  // Unmanaged transaction: commit and rollback by hand.
  const t1 = await seq.transaction();
  await Author.update({ email: 'cy@x' }, { where: { name: 'Cy' }, transaction: t1 });
  await t1.commit();
  const t2 = await seq.transaction();
  await Author.destroy({ where: { name: 'Cy' }, transaction: t2 });
  await t2.rollback();
  out('unmanaged', noTimes(plain(await Author.findAll({ where: { name: 'Cy' }, attributes: ['name', 'email'] }))));

  // Raw queries with replacements (named and positional) and bind parameters.
  out('raw-named', await seq.query(`SELECT name FROM "${p}_authors" WHERE name IN (:names) ORDER BY name`,
    { replacements: { names: ['Ann', 'Cy'] }, type: QueryTypes.SELECT }));
  out('raw-positional', await seq.query(`SELECT count(*)::int AS n FROM "${p}_books" WHERE pages > ? AND title LIKE ?`,
    { replacements: [10, 'A%'], type: QueryTypes.SELECT }));
  out('raw-bind', await seq.query(`SELECT $1::int + $2::int AS s`, { bind: [2, 3], type: QueryTypes.SELECT }));
  const [, meta] = await seq.query(`UPDATE "${p}_books" SET pages = pages + 1 WHERE pages < 200`);
  out('raw-update', meta.rowCount);

  // upsert (INSERT … ON CONFLICT … DO UPDATE … RETURNING) and increment.
  // (Cy: no book references it. DuckDB refuses to update an indexed column, here the unique
  // name, of a row other tables' foreign keys reference, even to the same value: 23503.)
  const [up1, created1] = await Author.upsert({ id: 3, name: 'Cy', email: 'new@x' }, { returning: true });
  const [up2, created2] = await Author.upsert({ id: 50, name: 'Fay' }, { returning: true });
  out('upsert', [up1.email, created1, up2.name, created2]);
  const book = await Book.findOne({ where: { title: 'A1' } });
  await book.increment('pages', { by: 5 });
  await Book.increment({ pages: 2 }, { where: { authorId: 1 } });
  await book.reload();
  out('increment', book.pages);
  await Book.decrement('pages', { by: 1, where: { title: 'B1' } });
  out('decrement', (await Book.findOne({ where: { title: 'B1' }, attributes: ['pages'] })).pages);
  // destroy with cascade-free FK: books first.
  out('destroy', await Book.destroy({ where: { authorId: 2 } }));

  await Book.drop();
  await Author.drop();
  await seq.close();
  out('end', 'ok');
})().catch(e => { console.error(e); process.exit(1); });
