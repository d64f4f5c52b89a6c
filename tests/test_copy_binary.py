"""Binary COPY FROM: the vectorised decoder (gateway/protocol/copy.py, BinaryDecoder) against a
per-value reference on random records of every type it reads, and against PostgreSQL 15 through
asyncpg and psycopg (edge values, and malformed input: the same SQLSTATE at the same line)."""

from __future__ import annotations

import asyncio
import datetime as dt
import decimal
import math
import re
import struct
import uuid
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.errors import PgError
from gateway.protocol import copy as C
from gateway.protocol import types as T

psycopg = pytest.importorskip("psycopg")

HEADER = C.BINARY_HEADER
TRAILER = b"\xff\xff"
UTC = dt.timezone.utc


# --------------------------------------------------------------------------- the reference

class Overflow(Exception):
    def __init__(self, line: int):
        self.line = line


def reference_decode(stream: bytes, columns: list[C.CopyColumn]) -> list[tuple]:
    """Walk the stream a field at a time, each value through decode_param (the Bind path),
    numeric then rounded to the column's scale as apply_typmod does (Overflow: too large)."""
    assert stream[:19] == HEADER
    pos = 19
    rows = []
    while True:
        (count,) = struct.unpack_from(">h", stream, pos)
        pos += 2
        if count == -1:
            return rows
        assert count == len(columns)
        row = []
        for c in columns:
            (ln,) = struct.unpack_from(">i", stream, pos)
            pos += 4
            if ln == -1:
                row.append(None)
                continue
            v = T.decode_param(c.oid, 1, stream[pos:pos + ln])
            m = re.fullmatch(r"DECIMAL\((\d+),(\d+)\)", c.duck)
            if m:
                prec, scale = int(m.group(1)), int(m.group(2))
                with decimal.localcontext() as ctx:
                    ctx.prec = 200
                    v = v.quantize(Decimal(1).scaleb(-scale), rounding=decimal.ROUND_HALF_UP)
                    if abs(v) >= Decimal(10) ** (prec - scale):
                        raise Overflow(len(rows) + 1)
            row.append(v)
            pos += ln
        rows.append(tuple(row))


def decode(stream: bytes, columns: list[C.CopyColumn], cuts: list[int]) -> list[tuple]:
    """The stream through BinaryDecoder, fed in the pieces `cuts` makes of it."""
    dec = C.BinaryDecoder(C.CopySpec("from", fmt="binary"), columns)
    bounds = sorted({c % (len(stream) + 1) for c in cuts} | {0, len(stream)})
    rows: list[tuple] = []
    line = 0
    for a, b in zip(bounds, bounds[1:]):
        chunk = dec.feed(stream[a:b], b == len(stream))
        if chunk is not None:
            assert chunk.line0 == line
            line += chunk.table.num_rows
            rows.extend(tuple(r.values()) for r in chunk.table.to_pylist())
    return rows


def norm(v):
    if isinstance(v, float) and math.isnan(v):
        return "nan"
    if isinstance(v, uuid.UUID):
        return str(v)
    if isinstance(v, (bytes, bytearray, memoryview)):
        return bytes(v)
    return v


def numeric_raw(value: Decimal, extra_scale: int) -> bytes:
    """numeric_send's form of value with `extra_scale` more display digits than it needs
    (clients differ in the dscale they send: Decimal('1.50') says 2, '1.5' says 1); fewer
    hide digits, which numeric_recv truncates away."""
    raw = T.numeric_send(value)
    nd, weight, sign, dscale = struct.unpack_from(">hhHh", raw)
    return struct.pack(">hhHh", nd, weight, sign, max(dscale + extra_scale, 0)) + raw[8:]


# --------------------------------------------------------------------------- random records

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)


def _decimal(prec: int, scale: int, extra_digits: int):
    """Values of DECIMAL(prec, scale), some with more fractional digits than the column keeps
    (PostgreSQL rounds those), sent with varying dscale."""
    lim = 10 ** prec - 1
    return st.builds(
        lambda unscaled, more, extra: (Decimal(f"{unscaled}E-{scale + more}"), extra),
        st.integers(-lim, lim), st.integers(0, extra_digits), st.integers(-2, 3))


# (DuckDB type, value strategy, encoder: value -> field bytes)
TYPES = {
    "SMALLINT": (st.integers(-2 ** 15, 2 ** 15 - 1), lambda v: struct.pack(">h", v)),
    "INTEGER": (st.integers(-2 ** 31, 2 ** 31 - 1), lambda v: struct.pack(">i", v)),
    "BIGINT": (st.integers(-2 ** 63, 2 ** 63 - 1), lambda v: struct.pack(">q", v)),
    "FLOAT": (st.floats(width=32), lambda v: struct.pack(">f", v)),
    "DOUBLE": (st.floats(), lambda v: struct.pack(">d", v)),
    "BOOLEAN": (st.booleans(), lambda v: b"\x01" if v else b"\x00"),
    "DATE": (st.dates(), lambda v: T.format_binary_value(1082, v)),
    "TIMESTAMP": (st.datetimes(), lambda v: T.format_binary_value(1114, v)),
    "TIMESTAMP WITH TIME ZONE": (st.datetimes(timezones=st.just(UTC)), lambda v: T.format_binary_value(1184, v)),
    "VARCHAR": (TEXT, lambda v: v.encode()),
    "BLOB": (st.binary(max_size=40), bytes),
    "UUID": (st.uuids(), lambda v: v.bytes),
    "DECIMAL(12,2)": (_decimal(12, 2, 2), lambda v: numeric_raw(*v)),
    "DECIMAL(18,0)": (_decimal(18, 0, 1), lambda v: numeric_raw(*v)),
    "DECIMAL(18,18)": (_decimal(18, 18, 1), lambda v: numeric_raw(*v)),
    "DECIMAL(5,5)": (_decimal(5, 5, 0), lambda v: numeric_raw(*v)),
    "DECIMAL(4,1)": (_decimal(4, 1, 4), lambda v: numeric_raw(*v)),
    "DECIMAL(30,6)": (_decimal(30, 6, 1), lambda v: numeric_raw(*v)),
}


@st.composite
def tables(draw):
    names = draw(st.lists(st.sampled_from(sorted(TYPES)), min_size=1, max_size=6))
    nullable = st.sampled_from([0.0, 0.3, 1.0])  # no NULLs, some, only NULLs
    fractions = [draw(nullable) for _ in names]
    nrows = draw(st.integers(0, 60))
    rows = []
    for _ in range(nrows):
        row = []
        for name, frac in zip(names, fractions):
            null = frac == 1.0 or (frac > 0 and draw(st.integers(0, 9)) < 3)
            row.append(None if null else draw(TYPES[name][0]))
        rows.append(row)
    return names, rows


def encode(names, rows) -> bytes:
    out = bytearray(HEADER)
    for row in rows:
        out += struct.pack(">h", len(names))
        for name, v in zip(names, row):
            if v is None:
                out += struct.pack(">i", -1)
            else:
                raw = TYPES[name][1](v)
                out += struct.pack(">i", len(raw)) + raw
    return bytes(out + TRAILER)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(table=tables(), cuts=st.lists(st.integers(0, 1 << 16), max_size=5))
def test_decoder_equals_per_value_reference(table, cuts):
    names, rows = table
    columns = [C.CopyColumn(f"c{i}", n) for i, n in enumerate(names)]
    stream = encode(names, rows)
    try:
        expected = reference_decode(stream, columns)
    except Overflow as e:  # a value too large for its column: 22003 at its line
        with pytest.raises(C.CopyError) as err:
            decode(stream, columns, cuts)
        assert (err.value.sqlstate, err.value.context_line) == ("22003", e.line)
        return
    got = decode(stream, columns, cuts)
    assert [tuple(map(norm, r)) for r in got] == [tuple(map(norm, r)) for r in expected]


def test_decoder_equals_reference_on_many_rows():
    """Several internal chunks' worth of rows: every chunk cut falls inside some record."""
    names = ["INTEGER", "BIGINT", "VARCHAR", "DOUBLE", "TIMESTAMP", "BOOLEAN", "DECIMAL(12,2)", "DATE"]
    base = dt.datetime(2024, 1, 1)
    rows = [[i, i * 7, f"name {i % 1000}" * (i % 3), i * 0.5, base + dt.timedelta(seconds=i), i % 2 == 0,
             (Decimal(i % 10000) / 100, i % 2), dt.date(2000, 1, 1) + dt.timedelta(days=i % 9000)]
            for i in range(40_000)]
    for r in rows[::7]:
        r[r[0] % 8] = None
    columns = [C.CopyColumn(f"c{i}", n) for i, n in enumerate(names)]
    stream = encode(names, rows)
    cuts = list(range(0, len(stream), 300_007))
    expected = reference_decode(stream, columns)
    got = decode(stream, columns, cuts)
    assert [tuple(map(norm, r)) for r in got] == [tuple(map(norm, r)) for r in expected]
    # and every column took the vectorised path (the types the INSERT stream expects)
    chunk = C.BinaryDecoder(C.CopySpec("from", fmt="binary"), columns).feed(stream, True)
    assert chunk.table.schema.types == [C.binary_arrow_type(c.duck, c.oid) for c in columns]


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.binary(max_size=200), table=tables())
def test_decoder_refuses_garbage_with_a_copy_error(body, table):
    """Arbitrary bytes after the header, or a valid stream with its tail replaced: only a
    CopyError (a PostgreSQL error with a line) may come out, never another exception."""
    names, rows = table
    columns = [C.CopyColumn(f"c{i}", n) for i, n in enumerate(names)]
    valid = encode(names, rows)
    for stream in (HEADER + body, valid[: max(19, len(valid) - len(body))] + body):
        dec = C.BinaryDecoder(C.CopySpec("from", fmt="binary"), columns)
        try:
            dec.feed(stream, True)
        except C.CopyError as e:
            assert re.fullmatch(r"[0-9A-Z]{5}", e.sqlstate) and e.context_line is not None
        except PgError as e:
            assert re.fullmatch(r"[0-9A-Z]{5}", e.sqlstate)


# --------------------------------------------------------------------------- against PostgreSQL

EDGE_DDL = ("i2 smallint, i4 integer, i8 bigint, f4 real, f8 double precision, b boolean, t text, "
            "v varchar(50), d date, ts timestamp, tz timestamptz, n numeric(12,2), n0 numeric(18,0), "
            "nw numeric(30,6), by bytea, u uuid")

EDGE_ROWS = [
    (0, 0, 0, 0.0, 0.0, False, "", "", dt.date(2000, 1, 1), dt.datetime(2000, 1, 1), dt.datetime(2000, 1, 1, tzinfo=UTC),
     Decimal("0"), Decimal("0"), Decimal("0"), b"", uuid.UUID(int=0)),
    (-32768, -2 ** 31, -2 ** 63, -3.4028234663852886e38, -1.7976931348623157e308, True, "naïve ☃ 日本語 🎉",
     "ü" * 50, dt.date(1, 1, 1), dt.datetime(1, 1, 1), dt.datetime(1970, 1, 1, tzinfo=UTC),
     Decimal("-9999999999.99"), Decimal("-999999999999999999"), Decimal("-123456789012345678901234.123456"),
     b"\x00\xff" * 20, uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")),
    (32767, 2 ** 31 - 1, 2 ** 63 - 1, 3.4028234663852886e38, 1.7976931348623157e308, True, "tab\there\nnl\\bs",
     "quote ' \" ,", dt.date(9999, 12, 31), dt.datetime(9999, 12, 31, 23, 59, 59, 999999),
     dt.datetime(2262, 4, 11, 23, 47, 16, tzinfo=UTC), Decimal("9999999999.99"), Decimal("999999999999999999"),
     Decimal("0.000001"), bytes(range(256)), uuid.UUID(int=2 ** 128 - 1)),
    (1, -1, 1, float("nan"), float("inf"), False, " ", "x", dt.date(1999, 12, 31), dt.datetime(1999, 12, 31, 23, 59, 59),
     dt.datetime(1901, 12, 13, 20, 45, 52, tzinfo=UTC), Decimal("-0.01"), Decimal("1"), Decimal("-0.5"), b"x", uuid.uuid4()),
    (-1, 7, -7, float("-inf"), float("nan"), True, "x" * 3000, "", dt.date(1600, 2, 29), dt.datetime(1600, 2, 29, 12),
     dt.datetime(3000, 1, 1, tzinfo=UTC), Decimal("1234.5"), Decimal("-1"), Decimal("99999999.999999"), b"\\x00",
     uuid.uuid4()),
    (None,) * 16,
    (5, None, 5, None, 5.5, None, "", None, dt.date(2024, 2, 29), None, dt.datetime(2024, 2, 29, 1, 2, 3, 4, tzinfo=UTC),
     None, Decimal("100"), None, b"", None),
]


def _norm_row(row) -> tuple:
    out = []
    for v in row:
        if isinstance(v, float) and math.isnan(v):
            v = "nan"
        elif isinstance(v, Decimal):
            v = ("dec", v.normalize())
        elif isinstance(v, (memoryview, bytearray)):
            v = bytes(v)
        out.append(v)
    return tuple(out)


def _rows(dsn: str, table: str) -> list[tuple]:
    """The table's rows; dates and timestamps as text (asyncpg sends date.min and
    datetime.max as ±infinity, which psycopg cannot load as Python values)."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        cols = conn.execute(f"SELECT * FROM {table} LIMIT 0").description
        exprs = [f"{c.name}::text" if c.type_code in (1082, 1114, 1184) else c.name for c in cols]
        conn.execute("SET TimeZone = 'UTC'")
        rows = conn.execute(f"SELECT {', '.join(exprs)} FROM {table}").fetchall()
        conn.execute(f"DROP TABLE {table}")
    return sorted((_norm_row(r) for r in rows), key=repr)


def _create(dsn: str, table: str, ddl: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {table} ({ddl})")


def _asyncpg_url(server) -> str:
    return f"postgres://postgres@{server.host}:{server.port}/postgres"


def test_asyncpg_copy_records_edge_values_match_postgres(pg, gateway):
    asyncpg = pytest.importorskip("asyncpg")
    results = []
    for server in (pg, gateway):
        table = f"cb_{uuid.uuid4().hex[:10]}"
        _create(server.dsn, table, EDGE_DDL)

        async def load():
            conn = await asyncpg.connect(_asyncpg_url(server))
            try:
                await conn.copy_records_to_table(table, records=EDGE_ROWS * 3)
            finally:
                await conn.close()

        asyncio.run(load())
        results.append(_rows(server.dsn, table))
    assert results[1] == results[0]
    assert len(results[0]) == 3 * len(EDGE_ROWS)


def test_psycopg_binary_write_row_edge_values_match_postgres(pg, gateway):
    results = []
    for server in (pg, gateway):
        table = f"cb_{uuid.uuid4().hex[:10]}"
        _create(server.dsn, table, EDGE_DDL)
        with psycopg.connect(server.dsn, autocommit=True) as conn:
            cur = conn.cursor()
            with cur.copy(f"COPY {table} FROM STDIN (FORMAT binary)") as cp:
                cp.set_types(["int2", "int4", "int8", "float4", "float8", "bool", "text", "varchar", "date",
                              "timestamp", "timestamptz", "numeric", "numeric", "numeric", "bytea", "uuid"])
                for _ in range(2):
                    for row in EDGE_ROWS:
                        cp.write_row(row)
        results.append(_rows(server.dsn, table))
    assert results[1] == results[0]


def test_numeric_rounding_and_overflow_match_postgres(pg, gateway):
    """Values with more fractional digits than the column keeps are rounded as PostgreSQL
    rounds them; one too large for the column fails the COPY with 22003 at its line."""
    asyncpg = pytest.importorskip("asyncpg")
    good = [(Decimal("1.005"),), (Decimal("-1.005"),), (Decimal("2.5"),), (Decimal("0.004"),), (Decimal("-0.005"),),
            (Decimal("12345.6789"),), (None,)]
    bad = good + [(Decimal("123456.78"),)]
    for records, expect_error in ((good, False), (bad, True)):
        outcomes = []
        for server in (pg, gateway):
            table = f"cb_{uuid.uuid4().hex[:10]}"
            _create(server.dsn, table, "n numeric(7,2)")

            async def load():
                conn = await asyncpg.connect(_asyncpg_url(server))
                try:
                    await conn.copy_records_to_table(table, records=records)
                    return None
                except asyncpg.PostgresError as e:
                    m = re.search(r"line (\d+)", getattr(e, "context", "") or "")
                    return e.sqlstate, int(m.group(1)) if m else None
                finally:
                    await conn.close()

            err = asyncio.run(load())
            outcomes.append((err, _rows(server.dsn, table)))
        assert outcomes[1] == outcomes[0]
        assert (outcomes[0][0] is not None) == expect_error


def _field(v: bytes | None) -> bytes:
    return struct.pack(">i", -1) if v is None else struct.pack(">i", len(v)) + v


def _row(*fields: bytes | None) -> bytes:
    return struct.pack(">h", len(fields)) + b"".join(_field(f) for f in fields)


def _int_text(i: int) -> bytes:
    return _row(struct.pack(">i", i), f"row {i}".encode())


GOOD = b"".join(_int_text(i) for i in range(1, 4))

BAD_STREAMS = {
    "field count 3": HEADER + GOOD + _row(struct.pack(">i", 4), b"x", b"y") + TRAILER,
    "field count 1": HEADER + GOOD + _row(struct.pack(">i", 4)) + TRAILER,
    "int4 too long": HEADER + GOOD + _row(struct.pack(">q", 4), b"x") + TRAILER,
    "int4 too short": HEADER + GOOD + _row(b"\x00\x04", b"x") + TRAILER,
    "negative length": HEADER + GOOD + struct.pack(">hi", 2, -2) + TRAILER,
    "bad utf8": HEADER + GOOD + _row(struct.pack(">i", 4), b"\xc3\x28") + TRAILER,
    "nul in text": HEADER + GOOD + _row(struct.pack(">i", 4), b"a\x00b") + TRAILER,
    "truncated row": HEADER + GOOD + _int_text(4)[:-2],
    "truncated length": HEADER + GOOD + _int_text(4)[:5],
    "no trailer": HEADER + GOOD,
    "half a field count": HEADER + GOOD + b"\x00",
    "data after trailer": HEADER + GOOD + TRAILER + b"\x00",
    "bad signature": b"PGCOPY\n\xff\r\n\x01" + HEADER[11:] + GOOD + TRAILER,
    "short header": HEADER[:15],
    "oids flag": HEADER[:11] + struct.pack(">ii", 1 << 16, 0) + GOOD + TRAILER,
    "critical flag": HEADER[:11] + struct.pack(">ii", 1 << 17, 0) + GOOD + TRAILER,
    "header extension": HEADER[:11] + struct.pack(">ii", 0, 3) + b"abc" + GOOD + TRAILER,
}


def _copy_outcome(dsn: str, data: bytes) -> tuple:
    table = f"cb_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {table} (a integer, b text)")
        err = None
        try:
            with conn.cursor().copy(f"COPY {table} FROM STDIN (FORMAT binary)") as cp:
                cp.write(data)
        except psycopg.Error as e:
            m = re.search(r"COPY \w+, line (\d+)", e.diag.context or "")
            err = (e.diag.sqlstate, int(m.group(1)) if m else None)
        rows = conn.execute(f"SELECT * FROM {table} ORDER BY a").fetchall()
        conn.execute(f"DROP TABLE {table}")
    return err, rows


@pytest.mark.parametrize("case", sorted(BAD_STREAMS))
def test_malformed_binary_input_matches_postgres(pg, gateway, case):
    expected = _copy_outcome(pg.dsn, BAD_STREAMS[case])
    got = _copy_outcome(gateway.dsn, BAD_STREAMS[case])
    assert got == expected
