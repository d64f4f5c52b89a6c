"""COPY FROM STDIN differential tests: the same input into PostgreSQL 15 and the gateway gives
the same table contents, and the same bad input the same SQLSTATE and line number."""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from decimal import Decimal

import pytest

psycopg = pytest.importorskip("psycopg")

# every foundation type, in one table
ALL_TYPES = ("b boolean, i2 smallint, i4 integer, i8 bigint, f4 real, f8 double precision, n numeric(12,3), "
             "t text, v varchar(20), d date, ts timestamp, tz timestamptz, iv interval, u uuid, "
             "by bytea, j json, ai integer[], at text[], tm time")

TEXT_ROWS = (
    "t\t1\t2\t3\t1.5\t2.25\t12.345\thello\tworld\t2024-02-29\t2024-01-01 10:00:00\t2024-01-01 10:00:00+02\t"
    "1 day 02:00:00\t6ec0bd7f-11c0-43da-975e-2a8ad9ebae0b\t\\\\x0102ff\t{\"a\": 1}\t{1,2,3}\t{a,\"b c\"}\t12:34:56\n"
    "f\t-32768\t-2147483648\t-9223372036854775808\tNaN\t-Infinity\t-0.001\ttab\\there\\nnl\\\\bs\t\t"
    "1999-12-31\t2000-01-01 00:00:00.123456\t2000-01-01 00:00:00-08\t-1 mons 3 days\t"
    "00000000-0000-0000-0000-000000000000\t\\\\x\t[]\t{}\t{NULL}\t00:00:00\n"
    "\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\n"
    "true\t32767\t2147483647\t9223372036854775807\t1e10\t1.7976931348623157e308\t999999999.999\t"
    "naïve ☃ 日本語 \\101\\x42\tüñí\t0001-01-01\t2262-04-11 23:47:16\t2024-06-30 23:59:59.999999+00\t"
    "1 year 2 mons 3 days 04:05:06.5\tA0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11\t\\\\xDEADBEEF\tnull\t{-1,0}\t{\"\\\\\\\\\"}\t23:59:59.999999\n"
)

CSV_ROWS = (
    't,1,2,3,1.5,2.25,12.345,"a,b","x""y",2024-02-29,2024-01-01 10:00:00,2024-01-01 10:00:00+02,'
    '1 day,6ec0bd7f-11c0-43da-975e-2a8ad9ebae0b,\\x0102,"{""a"": [1, 2]}","{1,2}","{a,""b c""}",01:02:03\n'
    'f,,,,,,,"",,,,,,,,,,,\n'
    'f,0,0,0,0,0,0,"line1\nline2\r\nline3",\\N,2024-01-01,2024-01-01,2024-01-01 00:00:00+00,0,'
    '6ec0bd7f-11c0-43da-975e-2a8ad9ebae0b,\\x,"[1]",{},{},00:00\n'
)


def uniq(prefix: str = "cp") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


@pytest.fixture
def both(pg, gateway):
    a = psycopg.connect(pg.dsn, autocommit=True)
    b = psycopg.connect(gateway.dsn, autocommit=True)
    yield a, b
    a.close()
    b.close()


def norm(v):
    if isinstance(v, float) and math.isnan(v):
        return ("nan",)
    if isinstance(v, Decimal):
        return ("dec", v.normalize() if v.is_finite() else str(v))
    if isinstance(v, (bytes, memoryview, bytearray)):
        return bytes(v)
    if isinstance(v, dt.timedelta):
        return v
    if isinstance(v, list):
        return tuple(norm(x) for x in v)
    if isinstance(v, (dict,)):
        return repr(sorted(v.items()))
    return v


def copy_into(conn, ddl: str, copy_sql: str, data: bytes | str):
    """Run the COPY; return (rows, None) or (rows-after, (sqlstate, line))."""
    name = uniq()
    conn.execute(f"CREATE TABLE {name} ({ddl})")
    err = None
    try:
        with conn.cursor().copy(copy_sql.format(t=name)) as cp:
            cp.write(data)
    except psycopg.Error as e:
        ctx = e.diag.context or ""
        m = re.search(r"COPY \w+, line (\d+)", ctx)
        err = (e.diag.sqlstate, int(m.group(1)) if m else None)
    rows = conn.execute(f"SELECT * FROM {name}").fetchall()
    conn.execute(f"DROP TABLE {name}")
    return sorted((tuple(norm(v) for v in r) for r in rows), key=repr), err


def check(both, ddl, copy_sql, data):
    pg, gw = both
    expected = copy_into(pg, ddl, copy_sql, data)
    got = copy_into(gw, ddl, copy_sql, data)
    assert got == expected
    return expected


def test_text_every_type(both):
    rows, err = check(both, ALL_TYPES, "COPY {t} FROM STDIN", TEXT_ROWS)
    assert err is None and len(rows) == 4


def test_csv_every_type(both):
    rows, err = check(both, ALL_TYPES, "COPY {t} FROM STDIN WITH (FORMAT csv)", CSV_ROWS)
    assert err is None and len(rows) == 3


@pytest.mark.parametrize("copy_sql,data", [
    ("COPY {t} FROM STDIN WITH CSV HEADER", "a,b\n1,x\n2,\"\"\n3,\n"),
    ("COPY {t} FROM STDIN WITH (FORMAT csv, HEADER true, DELIMITER '|', NULL 'NULL')", "a|b\n1|NULL\n2|\n3|\"NULL\"\n"),
    ("COPY {t} FROM STDIN WITH (FORMAT csv, QUOTE '''', ESCAPE '\\')", "1,'it\\'s'\n2,'a,b'\n"),
    ("COPY {t} FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL (b))", "1,\n2,x\n"),
    ("COPY {t} FROM STDIN WITH (FORMAT csv, FORCE_NULL (b))", "1,\"\"\n2,x\n"),
    ("COPY {t} FROM STDIN WITH (FORMAT csv, HEADER match)", "a,b\n1,x\n"),
    ("COPY {t} FROM STDIN WITH (FORMAT text, DELIMITER ',', NULL '')", "1,\n2,x\\,y\n"),
    ("COPY {t} FROM STDIN", "1\t\\\\N\n2\t\\N\n3\t\n"),
    ("COPY {t} FROM STDIN", "1\tend\n\\.\n"),
    ("COPY {t} FROM STDIN WITH (FORMAT csv)", "1,x\n\\.\n"),
    ("COPY {t} FROM STDIN", "1\t\\101\\x41\\0\\b\\f\\v\\r\\q\n"),
    ("COPY {t} (b, a) FROM STDIN WITH (FORMAT csv)", "x,1\ny,2\n"),
    ("COPY {t} FROM STDIN WITH (FORMAT csv)", "1,\"" + "long" * 250_000 + "\"\n"),
    ("COPY {t} FROM STDIN WITH (FORMAT csv)", "1,x\r\n2,y\r\n"),
])
def test_options(both, copy_sql, data):
    check(both, "a int, b text", copy_sql, data)


@pytest.mark.parametrize("ddl,copy_sql,data", [
    ("a int, b text", "COPY {t} FROM STDIN", "1\tx\n2\ty\nabc\tz\n"),  # 22P02 line 3
    ("a int, b text", "COPY {t} FROM STDIN WITH (FORMAT csv)", "1,x\n2,y\n3.5,z\n"),
    ("a smallint, b text", "COPY {t} FROM STDIN", "1\tx\n70000\ty\n"),  # 22003 line 2
    ("a int, b text", "COPY {t} FROM STDIN", "1\tx\n2\ty\textra\n"),  # 22P04 extra data line 2
    ("a int, b text", "COPY {t} FROM STDIN", "1\tx\n2\n"),  # 22P04 missing data line 2
    ("a int, b text", "COPY {t} FROM STDIN WITH (FORMAT csv)", "1,x\n2,y,z\n"),
    ("a int, b text", "COPY {t} FROM STDIN WITH (FORMAT csv, HEADER)", "a,b\n1,x\n2,y,z\n"),
    ("a int not null, b text", "COPY {t} FROM STDIN", "1\tx\n\\N\ty\n"),  # 23502 line 2
    ("a int not null, b text", "COPY {t} (b) FROM STDIN", "x\n"),  # 23502 line 1
    ("a int primary key, b text", "COPY {t} FROM STDIN", "1\tx\n2\ty\n1\tz\n"),  # 23505 line 3
    ("a date, b text", "COPY {t} FROM STDIN", "2024-01-01\tx\n2024-13-01\ty\n"),
    ("a boolean, b text", "COPY {t} FROM STDIN", "t\tx\nmaybe\ty\n"),
    ("a numeric(5,2), b text", "COPY {t} FROM STDIN", "1.5\tx\n12345.5\ty\n"),
    ("a int, b text", "COPY {t} FROM STDIN WITH (FORMAT csv)", '1,x\n"",y\n'),
    ("a int, b text", "COPY {t} FROM STDIN WITH (FORMAT csv, HEADER match)", "a,c\n1,x\n"),
    ("a uuid, b text", "COPY {t} FROM STDIN", "not-a-uuid\tx\n"),
    ("a int[], b text", "COPY {t} FROM STDIN", "{1,2}\tx\n{1,x}\ty\n"),
    ("a json, b text", "COPY {t} FROM STDIN", "{\"a\":1}\tx\n{bad\ty\n"),
])
def test_bad_input(both, ddl, copy_sql, data):
    rows, err = check(both, ddl, copy_sql, data)
    assert err is not None and rows == []


def test_bad_row_in_later_chunk(both):
    """Line numbers stay right across the gateway's internal chunks (several MB)."""
    n = 300_000
    good = "".join(f"{i}\trow number {i} padding padding\n" for i in range(n))
    rows, err = check(both, "a int, b text", "COPY {t} FROM STDIN", good + "x\ty\n")
    assert err[1] == n + 1


def test_csv_quoted_newlines_line_numbers(both):
    data = '1,"a\nb"\n2,"c\nd"\nx,e\n'
    rows, err = check(both, "a int, b text", "COPY {t} FROM STDIN WITH (FORMAT csv)", data)
    assert err is not None


def test_freeze_accepted(gateway):
    """FREEZE is accepted and ignored (pgbench -i sends it; PostgreSQL only allows it on a
    table created or truncated in the same transaction, which pgbench does)."""
    with psycopg.connect(gateway.dsn, autocommit=True) as c:
        name = uniq()
        c.execute(f"CREATE TABLE {name} (a int, b text)")
        for sql in (f"COPY {name} FROM STDIN WITH (FREEZE on)", f"copy {name} from stdin with (freeze)",
                    f"COPY {name} FROM STDIN FREEZE"):
            with c.cursor().copy(sql) as cp:
                cp.write("1\tfrozen\n")
        assert c.execute(f"SELECT count(*) FROM {name}").fetchone()[0] == 3
