"""`numeric` without precision (gateway/sql/numeric_storage.py): values round-trip exactly or
are refused with 22003, never silently rounded.

PostgreSQL 15 is the oracle for every value and for the catalog. Text may differ from
PostgreSQL's only in trailing zeros (the gateway prints a value's own digits, 1.50 as 1.5;
PostgreSQL keeps the scale it was written with), so values are compared as Decimals.
"""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.sql.numeric_storage import SCALE
from tests.test_psql import psql

asyncpg = pytest.importorskip("asyncpg")

# up to 28 integer digits and SCALE (10) decimals fit; 38 digits in all
VALUES = [
    Decimal("1.23456"), Decimal("1.50"), Decimal("100"), Decimal("0"), Decimal("-0.05"),
    Decimal("0.0000000001"), Decimal("-1.1234567891"), Decimal("123456789.123456789"),
    Decimal("12345678901234567890.1234567890"), Decimal("-9999999999999999999999999999.9999999999"),
    Decimal("9223372036854775807.5"), Decimal("1E+20"), Decimal("42"),
]
TOO_PRECISE = ["1.12345678901", "0.00000000001", "-3.141592653589793"]


def uniq(prefix: str = "nm") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def make(server, t: str) -> None:
    with psycopg.connect(server.dsn, autocommit=True) as c:
        c.execute(f"CREATE TABLE {t} (id int, n numeric, d decimal, a numeric[], f numeric(12,2))")


def read(server, t: str) -> list:
    with psycopg.connect(server.dsn, autocommit=True) as c:
        return c.execute(f"SELECT id, n FROM {t} ORDER BY id").fetchall()


def both(pg, gateway, fn):
    t = uniq()
    out = []
    for server in (pg, gateway):
        make(server, t)
        fn(server, t)
        out.append(read(server, t))
    return out


def test_simple_query_literals(pg, gateway):
    def fill(server, t):
        with psycopg.connect(server.dsn, autocommit=True) as c:
            for i, v in enumerate(VALUES):
                c.execute(f"INSERT INTO {t} (id, n) VALUES ({i}, {v:f})", prepare=False)
            c.execute(f"INSERT INTO {t} (id, n) VALUES (100, '1.23456'), (101, '-2.5E3')")
    want, got = both(pg, gateway, fill)
    assert got == want
    assert len(got) == len(VALUES) + 2


@pytest.mark.parametrize("binary", [False, True])
def test_psycopg_parameters(pg, gateway, binary):
    def fill(server, t):
        with psycopg.connect(server.dsn, autocommit=True) as c:
            cur = c.cursor(binary=binary)
            for i, v in enumerate(VALUES):
                cur.execute(f"INSERT INTO {t} (id, n) VALUES (%s, %s)", (i, v))
            cur.execute(f"UPDATE {t} SET n = %s WHERE id = 0", (Decimal("7.0000000001"),))
    want, got = both(pg, gateway, fill)
    assert got == want


def test_executemany(pg, gateway):
    rows = [(i, v) for i, v in enumerate(VALUES * 20)]  # past the writer's small-append size

    def fill(server, t):
        with psycopg.connect(server.dsn, autocommit=True) as c:
            c.cursor().executemany(f"INSERT INTO {t} (id, n) VALUES (%s, %s)", rows)
    want, got = both(pg, gateway, fill)
    assert got == want
    assert len(got) == len(rows)


@pytest.mark.parametrize("fmt", ["csv", "text", "binary"])
def test_copy_from(pg, gateway, fmt):
    def fill(server, t):
        with psycopg.connect(server.dsn, autocommit=True) as c:
            cur = c.cursor()
            with cur.copy(f"COPY {t} (id, n) FROM STDIN" + (f" (FORMAT {fmt})" if fmt != "text" else "")) as cp:
                if fmt == "binary":
                    cp.set_types(["int4", "numeric"])
                for i, v in enumerate(VALUES):
                    if fmt == "csv":
                        cp.write(f"{i},{v}\n")
                    else:
                        cp.write_row((i, v))
    want, got = both(pg, gateway, fill)
    assert got == want


def test_asyncpg_round_trip(pg, gateway):
    async def run(server, t):
        c = await asyncpg.connect(server.url)
        try:
            await c.execute(f"CREATE TABLE {t} (id int, n numeric)")
            await c.executemany(f"INSERT INTO {t} VALUES ($1, $2)", list(enumerate(VALUES)))
            rows = await c.fetch(f"SELECT id, n FROM {t} ORDER BY id")
            one = await c.fetchval(f"SELECT n FROM {t} WHERE id = 0")
            return [tuple(r) for r in rows], one
        finally:
            await c.close()
    t = uniq()
    want = asyncio.run(run(pg, t))
    got = asyncio.run(run(gateway, t))
    assert got == want
    assert got[0][1][1] == Decimal("1.50")


def test_output_is_the_values_own_digits(gateway):
    """1.50 reads back as 1.5 (the storage keeps no per-value scale), 100 as 100, in text and
    binary, point (few rows) and bulk (vectorised) reads."""
    t = uniq()
    make(gateway, t)
    with psycopg.connect(gateway.dsn, autocommit=True) as c:
        c.execute(f"INSERT INTO {t} (id, n) SELECT i, CASE i % 4 WHEN 0 THEN 1.50 WHEN 1 THEN 100 "
                  f"WHEN 2 THEN -0.05 ELSE 12345678901234567890.5 END FROM generate_series(1, 40) g(i)")
        for binary in (False, True):
            cur = c.cursor(binary=binary)
            bulk = cur.execute(f"SELECT n FROM {t} ORDER BY id").fetchall()
            point = cur.execute(f"SELECT n FROM {t} WHERE id <= 4 ORDER BY id").fetchall()
            assert [str(r[0]) for r in point] == ["100", "-0.05", "12345678901234567890.5", "1.5"]
            assert [str(r[0]) for r in bulk[:4]] == ["100", "-0.05", "12345678901234567890.5", "1.5"]


ARITH = [
    "SELECT sum(n) AS s, min(n) AS lo, max(n) AS hi, count(n) AS c FROM {t}",
    "SELECT id, n + 1 AS p, n - 2.5 AS m, n * 2 AS d, n * n AS sq, -n AS neg FROM {t} WHERE abs(n) < 1000000 ORDER BY id",
    "SELECT id FROM {t} WHERE n > 1.2 AND n <= 100 ORDER BY id",
    "SELECT n FROM {t} ORDER BY n DESC NULLS LAST, id",
    "SELECT n, count(*) AS c FROM {t} GROUP BY n ORDER BY n",
    "SELECT a.id, b.id FROM {t} a JOIN {t} b ON a.n = b.n WHERE a.id < b.id ORDER BY 1, 2",
    "SELECT n = 1.5 AS eq, n = 1.50 AS eq2 FROM {t} ORDER BY id",
    "SELECT n::numeric(20,4) AS r, round(n, 2) AS r2, n::text::numeric AS t FROM {t} WHERE abs(n) < 1000000 ORDER BY id",
]


def test_arithmetic_and_aggregates(pg, gateway):
    t = uniq()
    vals = [Decimal("1.23456"), Decimal("1.50"), Decimal("1.5"), Decimal("100"), Decimal("-0.05"),
            Decimal("123456789.123456789"), Decimal("0.0000000001"), None]
    results = []
    for server in (pg, gateway):
        make(server, t)
        with psycopg.connect(server.dsn, autocommit=True) as c:
            c.cursor().executemany(f"INSERT INTO {t} (id, n) VALUES (%s, %s)", list(enumerate(vals)))
            results.append([c.execute(q.format(t=t)).fetchall() for q in ARITH])
    want, got = results
    for q, w, g in zip(ARITH, want, got):
        assert g == w, q  # Decimal equality: 1.5 == 1.50


def test_update_and_insert_select_keep_values(pg, gateway):
    def fill(server, t):
        with psycopg.connect(server.dsn, autocommit=True) as c:
            c.execute(f"INSERT INTO {t} (id, n) VALUES (1, 1.25), (2, 3)")
            c.execute(f"UPDATE {t} SET n = n * 1.5 WHERE id = 1")
            c.execute(f"INSERT INTO {t} (id, n) SELECT id + 10, n / 4 FROM {t}")
            c.execute(f"INSERT INTO {t} (id, n) SELECT 20, sum(n) FROM {t}")
    want, got = both(pg, gateway, fill)
    assert got == want


@pytest.mark.parametrize("how", ["literal", "text", "param", "param_binary", "executemany", "executemany_text", "update",
                                 "update_expr", "insert_select", "on_conflict", "copy_csv", "copy_binary",
                                 "cast"])
def test_too_precise_is_refused_never_rounded(gateway, how):
    """A value the storage cannot hold exactly: 22003, and nothing written. (PostgreSQL would
    store it: this is the documented limit, an error where it would otherwise round.)"""
    t = uniq()
    make(gateway, t)
    v = TOO_PRECISE[0]
    with psycopg.connect(gateway.dsn, autocommit=True) as c:
        c.execute(f"INSERT INTO {t} (id, n) VALUES (0, 1)")
        with pytest.raises(psycopg.errors.NumericValueOutOfRange) as e:
            if how == "literal":
                c.execute(f"INSERT INTO {t} (id, n) VALUES (1, {v})")
            elif how == "text":
                c.execute(f"INSERT INTO {t} (id, n) VALUES (1, '{v}')")
            elif how in ("param", "param_binary"):
                c.cursor(binary=how == "param_binary").execute(
                    f"INSERT INTO {t} (id, n) VALUES (%s, %s)", (1, Decimal(v)))
            elif how == "executemany":
                c.cursor().executemany(f"INSERT INTO {t} (id, n) VALUES (%s, %s)",
                                       [(i, Decimal("1.5")) for i in range(1, 200)] + [(200, Decimal(v))])
            elif how == "executemany_text":  # untyped text parameters: the text check of the batch
                c.cursor().executemany(f"INSERT INTO {t} (id, n) VALUES (%s, %s)",
                                       [(i, "1.5") for i in range(1, 200)] + [(200, v)])
            elif how == "update":
                c.execute(f"UPDATE {t} SET n = %s WHERE id = 0", (Decimal(v),))
            elif how == "update_expr":
                c.execute(f"UPDATE {t} SET n = n * 1.00000000001 WHERE id = 0")
            elif how == "insert_select":
                c.execute(f"INSERT INTO {t} (id, n) SELECT 5, n + 0.00000000001 FROM {t}")
            elif how == "on_conflict":
                c.execute(f"CREATE UNIQUE INDEX ON {t} (id)")
                c.execute(f"INSERT INTO {t} (id, n) VALUES (0, 2) ON CONFLICT (id) DO UPDATE SET n = {t}.n + {v}")
            elif how == "cast":
                c.execute(f"SELECT '{v}'::text::numeric")
            else:
                fmt = how.split("_")[1]
                with c.cursor().copy(f"COPY {t} (id, n) FROM STDIN (FORMAT {fmt})") as cp:
                    if fmt == "binary":
                        cp.set_types(["int4", "numeric"])
                        cp.write_row((1, Decimal("2.5")))
                        cp.write_row((2, Decimal(v)))
                    else:
                        cp.write(f"1,2.5\n2,{v}\n")
        assert e.value.sqlstate == "22003"
        assert c.execute(f"SELECT id, n FROM {t} ORDER BY id").fetchall() == [(0, Decimal(1))]


def test_declared_numeric_p_s_unchanged(pg, gateway):
    """numeric(12,2) and numeric(38,10) keep their fixed scale, as PostgreSQL prints them.
    (numeric(38,10) is the unconstrained storage's DuckDB type: its ::text is the value's own
    digits, a documented difference not checked here.)"""
    t = uniq()
    texts = []
    for server in (pg, gateway):
        with psycopg.connect(server.dsn, autocommit=True) as c:
            c.execute(f"CREATE TABLE {t} (id int, f numeric(12,2), w numeric(38,10))")
            c.execute(f"INSERT INTO {t} VALUES (1, 1.5, 1.5), (2, 2, 100)")
            texts.append(c.execute(f"SELECT f::text AS ft, f, w FROM {t} ORDER BY id").fetchall())
            cur = c.cursor(binary=True)
            texts.append([str(x) for r in cur.execute(f"SELECT f, w FROM {t} ORDER BY id").fetchall() for x in r])
    assert texts[2] == texts[0]
    assert texts[3] == texts[1]


CATALOG = [
    "SELECT attname, format_type(atttypid, atttypmod) AS t, atttypid, atttypmod FROM pg_attribute "
    "WHERE attrelid = '{t}'::regclass AND attnum > 0 ORDER BY attnum",
    "SELECT column_name, data_type, udt_name, numeric_precision, numeric_precision_radix, numeric_scale "
    "FROM information_schema.columns WHERE table_name = '{t}' ORDER BY ordinal_position",
]


def test_catalog_says_numeric(pg, gateway):
    t = uniq()
    out = []
    for server in (pg, gateway):
        make(server, t)
        with psycopg.connect(server.dsn, autocommit=True) as c:
            c.execute(f"ALTER TABLE {t} ADD COLUMN later numeric")
            c.execute(f"CREATE TABLE {t}_ctas AS SELECT n, id::numeric AS c FROM {t}")
            rows = [c.execute(q.format(t=t)).fetchall() for q in CATALOG]
            rows.append(c.execute(CATALOG[0].format(t=t + "_ctas")).fetchall())
            cur = c.execute(f"SELECT n, d, a, f, later FROM {t}")
            rows.append([(d.type_code, d.precision, d.scale) for d in cur.description])
            out.append(rows)
        d = psql(server.dsn, "-c", f"\\d {t}")
        assert d.returncode == 0, d.stderr
        out[-1].append([line for line in d.stdout.splitlines() if "|" in line])
    assert out[1] == out[0]


def test_sqlalchemy_reflection(pg, gateway):
    sa = pytest.importorskip("sqlalchemy")
    t = uniq()
    found = []
    for server in (pg, gateway):
        make(server, t)
        eng = sa.create_engine(server.url.replace("postgresql://", "postgresql+psycopg://"))
        try:
            cols = sa.inspect(eng).get_columns(t)
            found.append([(c["name"], repr(c["type"])) for c in cols])
            tbl = sa.Table(t, sa.MetaData(), autoload_with=eng)
            with eng.begin() as conn:
                conn.execute(tbl.insert(), [{"id": 1, "n": Decimal("1.23456")}, {"id": 2, "n": Decimal("-7.5")}])
                found.append(conn.execute(sa.select(tbl.c.n).order_by(tbl.c.id)).scalars().all())
        finally:
            eng.dispose()
    assert found[2:] == found[:2]


def test_literal_casts_keep_their_scale(pg, gateway):
    q = "SELECT 1.23456::numeric AS a, '1.50'::numeric AS b, 0.1::numeric + 0.2::numeric AS c, 5::numeric AS d"
    texts = []
    for server in (pg, gateway):
        with psycopg.connect(server.dsn, autocommit=True) as c:
            texts.append(c.execute(q.replace("AS", "::text AS", 0)).fetchall())
            texts.append(c.execute(f"SELECT a::text, b::text, c::text, d::text FROM ({q}) s").fetchall())
    assert texts[2:] == texts[:2]


_decimals = st.decimals(min_value=Decimal("-1E27"), max_value=Decimal("1E27"), allow_nan=False,
                        allow_infinity=False, places=SCALE)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(_decimals | st.decimals(min_value=-1000, max_value=1000, places=3), min_size=1, max_size=30))
def test_random_decimals_round_trip(gateway, values):
    t = uniq("nh")
    with psycopg.connect(gateway.dsn, autocommit=True) as c:
        c.execute(f"CREATE TABLE {t} (id int, n numeric)")
        c.cursor().executemany(f"INSERT INTO {t} VALUES (%s, %s)", list(enumerate(values)))
        got = [r[0] for r in c.execute(f"SELECT n FROM {t} ORDER BY id").fetchall()]
        got_bin = [r[0] for r in c.cursor(binary=True).execute(f"SELECT n FROM {t} ORDER BY id").fetchall()]
        c.execute(f"DROP TABLE {t}")
    assert got == values
    assert got_bin == values
