"""SQLAlchemy 2 ORM (psycopg and asyncpg drivers), Alembic and pandas against the gateway,
PostgreSQL 15 as the oracle where the answer is the server's (reflection, query results).

SQLAlchemy's create_all reflects first (has_table → pg_class), its ORM relies on RETURNING and
executemany, its Inspector on pg_catalog (pg_index.indkey, pg_constraint, obj_description…);
Alembic's autogenerate compares the reflected schema with the models, so an empty diff after
`upgrade head` means reflection gives back exactly what the DDL created.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import textwrap
import uuid
from decimal import Decimal

import pytest

sa = pytest.importorskip("sqlalchemy")
from sqlalchemy import orm  # noqa: E402


def uniq(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def make_models(p: str):
    """Author 1-n Book, with the column kinds ORMs use; table names prefixed with p."""

    class Base(orm.DeclarativeBase):
        pass

    class Author(Base):
        __tablename__ = f"{p}_author"
        __table_args__ = {"comment": "people who write"}
        id: orm.Mapped[int] = orm.mapped_column(sa.Integer, primary_key=True, autoincrement=False)
        name: orm.Mapped[str] = orm.mapped_column(sa.Text, unique=True, comment="full name")
        born: orm.Mapped[dt.date | None] = orm.mapped_column(sa.Date)
        books: orm.Mapped[list["Book"]] = orm.relationship(back_populates="author", cascade="all, delete-orphan",
                                                           order_by="Book.id")

    class Book(Base):
        __tablename__ = f"{p}_book"
        id: orm.Mapped[int] = orm.mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
        title: orm.Mapped[str] = orm.mapped_column(sa.Text, index=True)
        price: orm.Mapped[Decimal | None] = orm.mapped_column(sa.Numeric(10, 2))
        in_print: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, server_default=sa.true())
        published: orm.Mapped[dt.datetime | None] = orm.mapped_column(sa.DateTime(timezone=True))
        author_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey(f"{p}_author.id"))
        author: orm.Mapped[Author] = orm.relationship(back_populates="books")

    return Base, Author, Book


def _url(server, driver: str) -> str:
    return f"postgresql+{driver}://postgres@{server.host}:{server.port}/postgres"


def _orm_scenario(session_factory, Author, Book):
    """Insert, query through the relationship, update, delete; returns what was seen."""
    seen = {}
    with session_factory() as s:
        a = Author(id=1, name="Ursula", born=dt.date(1929, 10, 21))
        a.books = [Book(id=10, title="Earthsea", price=Decimal("9.99"),
                        published=dt.datetime(1968, 1, 1, tzinfo=dt.timezone.utc)),
                   Book(id=11, title="Dispossessed", price=None)]
        s.add_all([a, Author(id=2, name="Italo")])
        s.commit()
    with session_factory() as s:
        a = s.scalars(sa.select(Author).where(Author.name == "Ursula")).one()
        seen["books"] = [(b.id, b.title, b.price, b.in_print, b.published) for b in a.books]
        seen["join"] = s.execute(sa.select(Author.name, sa.func.count(Book.id)).outerjoin(Book)
                                 .group_by(Author.name).order_by(Author.name)).all()
        b = s.get(Book, 11)
        b.price = Decimal("12.50")
        b.in_print = False
        s.commit()
    with session_factory() as s:
        seen["updated"] = s.execute(sa.select(Book.price, Book.in_print).where(Book.id == 11)).one()
        for b in s.get(Author, 1).books:
            s.delete(b)
        s.commit()  # DuckDB: a parent row can be deleted only after its children's delete commits
        s.delete(s.get(Author, 1))
        s.commit()
        seen["left"] = (s.scalar(sa.select(sa.func.count()).select_from(Author)),
                        s.scalar(sa.select(sa.func.count()).select_from(Book)))
    return seen


def _inspect(conn, p: str):
    insp = sa.inspect(conn)
    a, b = f"{p}_author", f"{p}_book"
    return dict(
        names=sorted(n for n in insp.get_table_names() if n.startswith(p)),
        cols=[(c["name"], str(c["type"]), c["nullable"], c["default"], c.get("comment"))
              for t in (a, b) for c in insp.get_columns(t)],
        pk=[insp.get_pk_constraint(t) for t in (a, b)],
        fks=insp.get_foreign_keys(b),
        idx=sorted(insp.get_indexes(b), key=lambda i: i["name"]),
        uq=insp.get_unique_constraints(a),
        comment=insp.get_table_comment(a),
    )


@pytest.mark.parametrize("driver", ["psycopg", "asyncpg"])
def test_orm_crud_relationships_and_inspect(pg, gateway, driver):
    p = uniq("orm")
    Base, Author, Book = make_models(p)
    results = []
    for server in (pg, gateway):
        if driver == "psycopg":
            eng = sa.create_engine(_url(server, "psycopg"))
            try:
                Base.metadata.create_all(eng)
                seen = _orm_scenario(orm.sessionmaker(eng), Author, Book)
                with eng.connect() as conn:
                    seen["inspect"] = _inspect(conn, p)
                Base.metadata.drop_all(eng)
            finally:
                eng.dispose()
        else:
            seen = asyncio.run(_async_run(server, Base, Author, Book, p))
        results.append(seen)
    exp, got = results
    assert exp["left"] == (1, 0) and len(exp["books"]) == 2
    for k in exp:
        assert got[k] == exp[k], k


async def _async_run(server, Base, Author, Book, p):
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    eng = create_async_engine(_url(server, "asyncpg"))
    try:
        async with eng.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        seen = {}
        Session = async_sessionmaker(eng, expire_on_commit=False)
        async with Session() as s:
            a = Author(id=1, name="Ursula", born=dt.date(1929, 10, 21))
            s.add_all([a, Author(id=2, name="Italo"),
                       Book(id=10, title="Earthsea", price=Decimal("9.99"), author_id=1,
                            published=dt.datetime(1968, 1, 1, tzinfo=dt.timezone.utc)),
                       Book(id=11, title="Dispossessed", price=None, author_id=1)])
            await s.commit()
        async with Session() as s:
            a = (await s.scalars(sa.select(Author).where(Author.name == "Ursula")
                                 .options(orm.selectinload(Author.books)))).one()
            seen["books"] = [(b.id, b.title, b.price, b.in_print, b.published) for b in a.books]
            seen["join"] = (await s.execute(sa.select(Author.name, sa.func.count(Book.id)).outerjoin(Book)
                                            .group_by(Author.name).order_by(Author.name))).all()
            b = await s.get(Book, 11)
            b.price = Decimal("12.50")
            b.in_print = False
            await s.commit()
        async with Session() as s:
            seen["updated"] = (await s.execute(sa.select(Book.price, Book.in_print).where(Book.id == 11))).one()
            for b in (await s.get(Author, 1, options=[orm.selectinload(Author.books)])).books:
                await s.delete(b)
            await s.commit()  # see _orm_scenario
            await s.delete(await s.get(Author, 1))
            await s.commit()
            seen["left"] = (await s.scalar(sa.select(sa.func.count()).select_from(Author)),
                            await s.scalar(sa.select(sa.func.count()).select_from(Book)))
        async with eng.connect() as conn:
            seen["inspect"] = await conn.run_sync(lambda c: _inspect(c, p))
        async with eng.begin() as conn:
            await conn.run_sync(Base.metadata.drop_all)
        return seen
    finally:
        await eng.dispose()


# --------------------------------------------------------------------------- Alembic

ENV_PY = '''
from alembic import context
import models

def run_migrations_online():
    from sqlalchemy import create_engine
    eng = create_engine(context.config.get_main_option("sqlalchemy.url"))
    with eng.connect() as conn:
        context.configure(connection=conn, target_metadata=models.Base.metadata,
                          compare_type=True, compare_server_default=True)
        with context.begin_transaction():
            context.run_migrations()
    eng.dispose()

run_migrations_online()
'''


def test_alembic_autogenerate_is_empty_after_upgrade(gateway_factory, tmp_path):
    alembic = pytest.importorskip("alembic")
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.config import Config
    from alembic.migration import MigrationContext

    # a database of its own, without the example schema tables: autogenerate compares every table
    gw = gateway_factory("--schemas", "")
    p = "alm"
    root = tmp_path / "migrations"
    cfg = Config()
    cfg.set_main_option("script_location", str(root))
    cfg.set_main_option("sqlalchemy.url", _url(gw, "psycopg"))
    template = __import__("pathlib").Path(alembic.__file__).parent / "templates" / "generic" / "script.py.mako"
    (root / "versions").mkdir(parents=True)
    (root / "script.py.mako").write_text(template.read_text())
    (root / "env.py").write_text(ENV_PY)
    (root / "models.py").write_text(textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(__import__('pathlib').Path(__file__).resolve().parent.parent)!r})
        from tests.test_orm import make_models
        Base, Author, Book = make_models({p!r})
    """))
    import sys
    sys.path.insert(0, str(root))
    try:
        rev = command.revision(cfg, autogenerate=True, message="initial")
        script = __import__("pathlib").Path(rev.path).read_text()
        assert "op.create_table" in script and f"{p}_book" in script
        command.upgrade(cfg, "head")
        import models  # noqa: the module env.py loaded
        eng = sa.create_engine(_url(gw, "psycopg"))
        try:
            with eng.connect() as conn:
                diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                        models.Base.metadata)
                version = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        finally:
            eng.dispose()
        assert version == rev.revision
        assert diff == []
    finally:
        sys.path.remove(str(root))
        sys.modules.pop("models", None)
    assert alembic


# --------------------------------------------------------------------------- pandas

def test_pandas_to_sql_and_read_sql(pg, gateway):
    pd = pytest.importorskip("pandas")
    t = uniq("pd")
    df = pd.DataFrame({
        "id": [1, 2, 3],
        "name": ["a", "b", None],
        "score": [1.5, None, -2.25],
        "ok": [True, False, True],
        "at": pd.to_datetime(["2024-01-02 03:04:05", "2024-02-29 00:00:00", None]),
    })
    out = []
    for server in (pg, gateway):
        eng = sa.create_engine(_url(server, "psycopg"))
        try:
            df.to_sql(t, eng, index=False)
            df.iloc[:1].assign(id=4).to_sql(t, eng, index=False, if_exists="append")
            got = pd.read_sql(f"SELECT * FROM {t} ORDER BY id", eng)
            q = pd.read_sql(sa.text(f"SELECT count(*) AS n, sum(score) AS s FROM {t} WHERE id > :m"), eng,
                            params={"m": 1})
            with eng.begin() as conn:
                conn.execute(sa.text(f"DROP TABLE {t}"))
            out.append((got, q))
        finally:
            eng.dispose()
    (exp, exp_q), (got, got_q) = out
    assert list(got.dtypes) == list(exp.dtypes)
    pd.testing.assert_frame_equal(got, exp)
    pd.testing.assert_frame_equal(got_q, exp_q)
    assert len(exp) == 4
