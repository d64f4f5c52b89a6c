"""SQLAlchemy 2 Core with the psycopg (3) driver against the gateway, PostgreSQL as the oracle.

On connect SQLAlchemy's PostgreSQL dialect runs its own probes (version(), current_schema(),
standard_conforming_strings…); `create_all` checks table existence through pg_catalog.
Each scenario runs on both servers and the results are compared.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest

sa = pytest.importorskip("sqlalchemy")
pytest.importorskip("psycopg")

from sqlalchemy import (  # noqa: E402
    Boolean, Column, Date, DateTime, Integer, MetaData, Numeric, String, Table, Text, func, insert, select,
    text, update, delete,
)
from sqlalchemy.exc import DBAPIError, IntegrityError  # noqa: E402


def uniq(prefix: str = "t") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def engine_for(server):
    return sa.create_engine(f"postgresql+psycopg://postgres@{server.host}:{server.port}/postgres",
                            connect_args={"connect_timeout": 10}, pool_pre_ping=False)


@pytest.fixture
def engines(pg, gateway):
    pe, ge = engine_for(pg), engine_for(gateway)
    yield pe, ge
    pe.dispose()
    ge.dispose()


def make_table(name: str) -> tuple[MetaData, Table]:
    md = MetaData()
    t = Table(
        name, md,
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("name", String(50), nullable=False),
        Column("note", Text),
        Column("amount", Numeric(12, 2)),
        Column("active", Boolean, default=True),
        Column("born", Date),
        Column("seen_at", DateTime(timezone=True)),
    )
    return md, t


ROWS = [
    {"id": 1, "name": "ada", "note": None, "amount": Decimal("10.50"), "active": True,
     "born": dt.date(1815, 12, 10), "seen_at": dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)},
    {"id": 2, "name": "bob", "note": "n", "amount": Decimal("-3.25"), "active": False,
     "born": dt.date(2000, 2, 29), "seen_at": None},
    {"id": 3, "name": "cy", "note": "x'y", "amount": None, "active": True,
     "born": None, "seen_at": dt.datetime(1999, 12, 31, 23, 59, 59, tzinfo=dt.timezone.utc)},
]


def test_connect_and_dialect_probes(engines):
    res = []
    for eng in engines:
        with eng.connect() as conn:
            res.append((conn.dialect.server_version_info[0], conn.execute(text("SELECT 1 + 1")).scalar(),
                        conn.dialect.default_schema_name))
    assert res[1] == res[0]
    assert res[1][0] == 15


def test_create_table_insert_select(engines):
    name = uniq()
    res = []
    for eng in engines:
        md, t = make_table(name)
        md.create_all(eng)
        try:
            with eng.begin() as conn:
                r = conn.execute(insert(t), ROWS)
                inserted = r.rowcount
            with eng.connect() as conn:
                rows = [tuple(r) for r in conn.execute(select(t).order_by(t.c.id))]
                filtered = conn.execute(
                    select(t.c.name, t.c.amount).where(t.c.amount > 0).where(t.c.active.is_(True))
                ).all()
                agg = conn.execute(select(func.count(), func.sum(t.c.amount))).one()
                param = conn.execute(select(t.c.id).where(t.c.name.in_(["bob", "cy"])).order_by(t.c.id)).all()
            res.append((inserted, rows, [tuple(r) for r in filtered], tuple(agg), [tuple(r) for r in param]))
        finally:
            md.drop_all(eng)
    assert res[1] == res[0]
    assert len(res[1][1]) == 3
    assert res[1][3] == (3, Decimal("7.25"))


def test_create_all_is_idempotent_and_detects_table(engines):
    name = uniq()
    res = []
    for eng in engines:
        md, t = make_table(name)
        md.create_all(eng)
        try:
            md.create_all(eng)  # checkfirst: must see the table and not CREATE it again
            exists = sa.inspect(eng).has_table(name)
        finally:
            md.drop_all(eng)
        res.append((exists, sa.inspect(eng).has_table(name)))
    assert res[1] == res[0] == (True, False)


def test_insert_returning_update_delete(engines):
    name = uniq()
    res = []
    for eng in engines:
        md, t = make_table(name)
        md.create_all(eng)
        try:
            with eng.begin() as conn:
                ret = conn.execute(insert(t).returning(t.c.id, t.c.active),
                                   [{"id": 10, "name": "r1"}, {"id": 11, "name": "r2"}]).all()
                up = conn.execute(update(t).where(t.c.id == 10).values(note="updated"))
                de = conn.execute(delete(t).where(t.c.id == 11))
                counts = (up.rowcount, de.rowcount)
            with eng.connect() as conn:
                rows = conn.execute(select(t.c.id, t.c.note, t.c.active)).all()
            res.append((sorted(tuple(r) for r in ret), counts, [tuple(r) for r in rows]))
        finally:
            md.drop_all(eng)
    assert res[1] == res[0]
    assert res[1][1] == (1, 1)


def test_transaction_commit_and_rollback(engines):
    name = uniq()
    res = []
    for eng in engines:
        md, t = make_table(name)
        md.create_all(eng)
        try:
            with eng.connect() as conn:
                conn.execute(insert(t), [{"id": 1, "name": "keep"}])
                conn.commit()
                conn.execute(insert(t), [{"id": 2, "name": "drop"}])
                inside = conn.execute(select(func.count()).select_from(t)).scalar()  # own writes
                conn.rollback()
                after_rollback = conn.execute(select(func.count()).select_from(t)).scalar()
                conn.rollback()
            # a failing statement inside engine.begin() rolls the whole block back
            with pytest.raises(IntegrityError) as ei:
                with eng.begin() as conn:
                    conn.execute(insert(t), [{"id": 3, "name": "x"}])
                    conn.execute(insert(t), [{"id": 1, "name": "duplicate"}])
            code = ei.value.orig.sqlstate
            with eng.connect() as conn:
                names = conn.execute(select(t.c.name).order_by(t.c.id)).scalars().all()
            res.append((inside, after_rollback, code, names))
        finally:
            md.drop_all(eng)
    assert res[1] == res[0]
    assert res[1] == (2, 1, "23505", ["keep"])


def test_not_null_violation_and_recovery(engines):
    name = uniq()
    res = []
    for eng in engines:
        md, t = make_table(name)
        md.create_all(eng)
        try:
            with eng.connect() as conn:
                with pytest.raises(DBAPIError) as ei:
                    conn.execute(insert(t), [{"id": 1, "name": None}])
                conn.rollback()
                ok = conn.execute(text("SELECT 5")).scalar()
            res.append((ei.value.orig.sqlstate, ok))
        finally:
            md.drop_all(eng)
    assert res[1] == res[0] == ("23502", 5)


def test_text_with_bound_parameters(engines):
    res = []
    for eng in engines:
        with eng.connect() as conn:
            rows = conn.execute(
                text("SELECT CAST(:a AS int) * 2 AS x, CAST(:b AS text) AS y, CAST(:c AS date) AS d"),
                {"a": 21, "b": "héllo", "c": dt.date(2024, 2, 29)},
            ).mappings().all()
            res.append([dict(r) for r in rows])
    assert res[1] == res[0]
    assert res[1] == [{"x": 42, "y": "héllo", "d": dt.date(2024, 2, 29)}]


def test_stream_results_server_side(engines):
    res = []
    for eng in engines:
        with eng.connect() as conn:
            result = conn.execution_options(stream_results=True, max_row_buffer=100).execute(
                text("SELECT i::int4 AS i FROM generate_series(1, 1000) AS g(i)"))
            total = 0
            n = 0
            for part in result.partitions(250):
                n += 1
                total += sum(r.i for r in part)
            conn.rollback()
        res.append((n, total))
    assert res[1] == res[0] == (4, 500500)
