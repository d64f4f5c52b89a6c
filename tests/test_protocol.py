"""Wire-protocol tests against the live gateway, over raw sockets (tests/pgwire.py).

Where PostgreSQL's behaviour defines the right answer, the test runs against both the real
PostgreSQL 15 (`pg`) and the gateway through the `server` fixture, so the expectation is
checked against the oracle on every run.
"""

from __future__ import annotations

import itertools
import os
import select
import struct
import time

import pytest

from tests import pgwire as w
from tests.pgwire import Msg, PgWire, connect_ready, errors, rows, types

_counter = itertools.count()


def unique(prefix: str = "t") -> str:
    return f"{prefix}_{os.getpid()}_{next(_counter)}_{time.monotonic_ns() % 1_000_000}"


class Endpoint:
    def __init__(self, name: str, host: str, port: int):
        self.name, self.host, self.port = name, host, port

    def connect(self, **params: str) -> PgWire:
        return connect_ready(self.host, self.port, **params)

    def raw(self) -> PgWire:
        return PgWire.connect(self.host, self.port)


@pytest.fixture
def gw(gateway) -> Endpoint:
    return Endpoint("gateway", gateway.host, gateway.port)


@pytest.fixture(params=["pg", "gateway"])
def server(request) -> Endpoint:
    """Runs the test against real PostgreSQL and the gateway: PostgreSQL is the oracle."""
    srv = request.getfixturevalue(request.param)
    return Endpoint(request.param, srv.host, srv.port)


@pytest.fixture
def conn(gw: Endpoint):
    c = gw.connect()
    yield c
    c.close()


@pytest.fixture
def sconn(server: Endpoint):
    c = server.connect()
    yield c
    c.close()


@pytest.fixture
def control(gw: Endpoint):
    """A second connection that must keep working whatever the test does to its own."""
    c = gw.connect()
    assert c.scalar("SELECT 1") == "1"
    yield c
    assert c.scalar("SELECT 2") == "2", "the control connection stopped answering"
    c.close()


def ok(msgs: list[Msg]) -> list[Msg]:
    errs = errors(msgs)
    assert not errs, f"unexpected error(s): {errs}"
    return msgs


def run_ok(c: PgWire, sql: str) -> list[Msg]:
    return ok(c.simple(sql))


def assert_closes(c: PgWire, timeout: float = 5) -> list[Msg]:
    """The server closes the connection (within `timeout`); returns what it sent first."""
    return c.expect_closed(timeout)


def has_data(c: PgWire) -> bool:
    """Whether bytes from the server are waiting right now (a poll, not a wait)."""
    if c.buf:
        return True
    r, _, _ = select.select([c.sock], [], [], 0)
    return bool(r)


# =========================================================================== startup

def test_startup_v3(gw: Endpoint) -> None:
    c = gw.raw()
    try:
        res = c.startup(application_name="proto-test-app")
        t = types(res.messages)
        assert t[0] == "R" and res.messages[0].value[0] == 0, "AuthenticationOk first"
        assert t[-2:] == "KZ", t
        assert set(t[1:-2]) == {"S"}, t
        assert res.status == "I"
        p = res.parameters
        assert p["server_version"].startswith("15."), p
        assert "server_version_num" not in p
        assert p["client_encoding"] == "UTF8"
        assert p["server_encoding"] == "UTF8"
        assert p["DateStyle"] == "ISO, MDY"
        assert p["integer_datetimes"] == "on"
        assert p["standard_conforming_strings"] == "on"
        assert p["TimeZone"]
        assert p["application_name"] == "proto-test-app"
        assert p["IntervalStyle"] == "postgres"
        assert p["is_superuser"] in ("on", "off")
        assert p["session_authorization"] == "postgres"
        assert isinstance(res.pid, int) and isinstance(res.key, int)
        num = c.scalar("SELECT current_setting('server_version_num')")
        assert num is not None and num.isdigit() and 150000 <= int(num) < 160000, num
        assert int(num) // 10000 == 15
    finally:
        c.close()


def test_startup_reports_same_parameters_as_postgres(pg, gw: Endpoint) -> None:
    names = {}
    for name, host, port in (("pg", pg.host, pg.port), ("gateway", gw.host, gw.port)):
        with PgWire.connect(host, port) as c:
            names[name] = set(c.startup().parameters)
    assert names["gateway"] == names["pg"]


def test_startup_timezone_and_application_name_from_startup_packet(gw: Endpoint) -> None:
    with PgWire.connect(gw.host, gw.port) as c:
        res = c.startup(TimeZone="Europe/Paris", application_name="echo me")
        assert res.status == "I", res.messages
        assert res.parameters["TimeZone"] == "Europe/Paris"
        assert res.parameters["application_name"] == "echo me"
        assert c.scalar("SHOW TimeZone") == "Europe/Paris"
        assert c.scalar("SELECT current_setting('application_name')") == "echo me"


def test_newer_minor_version_gets_negotiate_protocol_version(server: Endpoint) -> None:
    with server.raw() as c:
        res = c.startup(version=(3 << 16) | 5)
        assert res.status == "I", res.messages
        assert types(res.messages)[0] == "v", "NegotiateProtocolVersion comes before AuthenticationOk"
        # PostgreSQL sends its newest supported version as a full version code (3.0 = 196608);
        # libpq reads it as major.minor and rejects anything below 3.0.
        assert res.negotiate == (w.PROTOCOL_3_0, [])
        assert c.scalar("SELECT 1") == "1"


def test_pq_options_get_negotiate_protocol_version(server: Endpoint) -> None:
    with server.raw() as c:
        res = c.startup(**{"_pq_.some_extension": "on", "_pq_.other": "x"})
        assert res.status == "I", res.messages
        assert res.negotiate is not None, "no NegotiateProtocolVersion for _pq_ options"
        version, options = res.negotiate
        assert version == w.PROTOCOL_3_0
        assert sorted(options) == ["_pq_.other", "_pq_.some_extension"]
        assert c.scalar("SELECT 1") == "1"


def test_no_negotiate_for_plain_3_0(gw: Endpoint) -> None:
    with gw.raw() as c:
        res = c.startup()
        assert res.negotiate is None
        assert "v" not in types(res.messages)


def test_ssl_request_answered_n_then_startup(gw: Endpoint) -> None:
    with gw.raw() as c:
        c.send(w.ssl_request())
        assert c.read_byte() == b"N"
        res = c.startup()
        assert res.status == "I"
        assert c.scalar("SELECT 7") == "7"


def test_gssenc_request_answered_n_then_startup(gw: Endpoint) -> None:
    with gw.raw() as c:
        c.send(w.gssenc_request())
        assert c.read_byte() == b"N"
        c.send(w.ssl_request())
        assert c.read_byte() == b"N"
        res = c.startup()
        assert res.status == "I"
        assert c.scalar("SELECT 8") == "8"


def test_unsupported_major_protocol_is_refused(server: Endpoint) -> None:
    with server.raw() as c:
        c.send(w.startup_message({"user": "postgres"}, version=4 << 16))
        msgs = assert_closes(c)
        assert types(msgs) == "E", msgs
        assert msgs[0].value["C"] == "0A000"
        assert msgs[0].value["S"] == "FATAL"


# =========================================================================== simple query

def test_simple_query_round_trip(conn: PgWire) -> None:
    msgs = run_ok(conn, "SELECT 1 AS a, 'x' AS b")
    assert types(msgs) == "TDCZ"
    assert [f.name for f in msgs[0].value] == ["a", "b"]
    assert [f.type_oid for f in msgs[0].value] == [w.OID_INT4, w.OID_TEXT]
    assert rows(msgs) == [["1", "x"]]
    assert msgs[2].value == "SELECT 1"
    assert msgs[3].value == "I"


@pytest.mark.parametrize("sql", ["", "   ", ";", "-- only a comment"])
def test_empty_query(server: Endpoint, sql: str) -> None:
    with server.connect() as c:
        msgs = c.simple(sql)
        assert types(msgs) == "IZ", msgs
        assert c.scalar("SELECT 1") == "1"


def test_empty_query_extended(sconn: PgWire) -> None:
    sconn.send(w.parse("", ""), w.bind("", ""), w.describe("P", ""), w.execute(""), w.sync())
    msgs = sconn.read_until("Z")
    assert types(msgs) == "12nIZ", msgs


def test_1000_statements_in_one_query(conn: PgWire) -> None:
    sql = "".join(f"SELECT {i} AS n;" for i in range(1000))
    msgs = run_ok(conn, sql)
    assert types(msgs) == "TDC" * 1000 + "Z"
    assert [r[0] for r in rows(msgs)] == [str(i) for i in range(1000)]
    assert all(m.value == "SELECT 1" for m in msgs if m.type == "C")
    assert conn.scalar("SELECT 'after'") == "after"


def test_1000_statements_one_query_is_one_implicit_transaction(server: Endpoint) -> None:
    # PostgreSQL runs a multi-statement Query as one implicit transaction: an error rolls
    # back every earlier statement of that message, and later ones are not run.
    t = unique("multi")
    with server.connect() as c:
        run_ok(c, f"CREATE TABLE {t} (id int)")
        sql = "".join(f"INSERT INTO {t} VALUES ({i});" for i in range(500))
        sql += "SELECT * FROM no_such_table_xyz;"
        sql += "".join(f"INSERT INTO {t} VALUES ({i});" for i in range(500, 1000))
        msgs = c.simple(sql)
        assert types(msgs) == "C" * 500 + "EZ", types(msgs)[-10:]
        assert msgs[-2].value["C"] == "42P01"
        assert msgs[-1].value == "I"
        assert c.scalar(f"SELECT count(*) FROM {t}") == "0"
        run_ok(c, f"DROP TABLE {t}")


def test_1mb_query_text(conn: PgWire, control: PgWire) -> None:
    big = "x" * (1 << 20)
    assert conn.scalar(f"SELECT length('{big}')") == str(1 << 20)
    assert conn.scalar(f"SELECT 5 /* {big} */") == "5"


def test_1mb_query_text_value_returned(conn: PgWire, control: PgWire) -> None:
    big = "ab" * (1 << 19)
    msgs = run_ok(conn, f"SELECT '{big}' AS big")
    assert types(msgs) == "TDCZ"
    assert rows(msgs) == [[big]]


def test_1mb_parameter(conn: PgWire) -> None:
    big = b"y" * (1 << 20)
    conn.send(w.parse("", "SELECT length($1::text), $1::text = repeat('y', 1048576)"),
              w.bind("", "", [big]), w.execute(""), w.sync())
    msgs = ok(conn.read_until("Z"))
    assert rows(msgs) == [[str(1 << 20), "t"]]


# =========================================================================== transaction status

def test_transaction_status_bytes(server: Endpoint) -> None:
    with server.connect() as c:
        assert c.simple("SELECT 1")[-1].value == "I"
        assert run_ok(c, "BEGIN")[-1].value == "T"
        assert run_ok(c, "SELECT 1")[-1].value == "T"
        msgs = c.simple("SELECT * FROM no_such_table_abc")
        assert errors(msgs)[0]["C"] == "42P01"
        assert msgs[-1].value == "E"
        msgs = c.simple("SELECT 1")
        assert errors(msgs)[0]["C"] == "25P02"
        assert msgs[-1].value == "E"
        msgs = run_ok(c, "ROLLBACK")
        assert msgs[-2].value == "ROLLBACK"
        assert msgs[-1].value == "I"
        assert c.scalar("SELECT 3") == "3"


def test_transaction_status_extended(server: Endpoint) -> None:
    with server.connect() as c:
        c.send(w.parse("", "BEGIN"), w.bind("", ""), w.execute(""), w.sync())
        msgs = ok(c.read_until("Z"))
        assert types(msgs) == "12CZ" and msgs[-1].value == "T"
        c.send(w.parse("", "SELECT * FROM no_such_table_def"), w.bind("", ""), w.execute(""), w.sync())
        msgs = c.read_until("Z")
        assert errors(msgs) and msgs[-1].value == "E"
        c.send(w.parse("", "SELECT 1"), w.bind("", ""), w.execute(""), w.sync())
        msgs = c.read_until("Z")
        assert errors(msgs)[0]["C"] == "25P02" and msgs[-1].value == "E"
        c.send(w.parse("", "ROLLBACK"), w.bind("", ""), w.execute(""), w.sync())
        msgs = ok(c.read_until("Z"))
        assert msgs[-1].value == "I"


def test_commit_of_failed_transaction_reports_rollback(server: Endpoint) -> None:
    with server.connect() as c:
        run_ok(c, "BEGIN")
        assert errors(c.simple("SELECT * FROM no_such_table_ghi"))
        msgs = run_ok(c, "COMMIT")
        assert msgs[-2].value == "ROLLBACK"
        assert msgs[-1].value == "I"


# =========================================================================== extended query

def test_parse_bind_execute(conn: PgWire) -> None:
    conn.send(w.parse("", "SELECT $1::int + 1 AS n"), w.bind("", "", [b"41"]), w.execute(""), w.sync())
    msgs = ok(conn.read_until("Z"))
    assert types(msgs) == "12DCZ"
    assert rows(msgs) == [["42"]]
    assert msgs[3].value == "SELECT 1"


def test_pipelined_parse_bind_execute_x100_one_sync(conn: PgWire, control: PgWire) -> None:
    pipe = b"".join(w.parse("", f"SELECT $1::int * 2 + {i}") + w.bind("", "", [str(i).encode()])
                    + w.execute("") for i in range(100))
    conn.send(pipe + w.sync())
    msgs = ok(conn.read_until("Z"))
    assert types(msgs) == "12DC" * 100 + "Z"
    assert [r[0] for r in rows(msgs)] == [str(3 * i) for i in range(100)]
    assert msgs[-1].value == "I"


def test_pipelined_named_statements_and_portals_x100(conn: PgWire) -> None:
    pipe = b"".join(
        w.parse(f"st{i}", f"SELECT $1::text || '-{i}' AS v") + w.bind(f"po{i}", f"st{i}", [b"k"])
        + w.describe("P", f"po{i}") + w.execute(f"po{i}") for i in range(100))
    conn.send(pipe + w.sync())
    msgs = ok(conn.read_until("Z"))
    assert types(msgs) == "12TDC" * 100 + "Z"
    assert [r[0] for r in rows(msgs)] == [f"k-{i}" for i in range(100)]
    # named statements outlive the Sync; rebind one
    conn.send(w.bind("", "st57", [b"again"]), w.execute(""), w.sync())
    assert rows(ok(conn.read_until("Z"))) == [["again-57"]]
    conn.send(*(w.close("S", f"st{i}") for i in range(100)), w.sync())
    assert types(conn.read_until("Z")) == "3" * 100 + "Z"


def test_error_mid_pipeline_skips_to_sync(server: Endpoint) -> None:
    t = unique("pipe")
    with server.connect() as c:
        run_ok(c, f"CREATE TABLE {t} (id int)")
        c.send(
            w.parse("", f"INSERT INTO {t} VALUES (1)"), w.bind("", ""), w.execute(""),
            w.parse("", "SELECT * FROM no_such_table_jkl"), w.bind("", ""), w.execute(""),
            w.parse("", f"INSERT INTO {t} VALUES (2)"), w.bind("", ""), w.execute(""),
            w.parse("", "SELECT 'skipped'"), w.bind("", ""), w.execute(""),
            w.sync(),
            w.parse("", "SELECT 'next'"), w.bind("", ""), w.execute(""),
            w.sync(),
        )
        first = c.read_until("Z")
        t1 = types(first)
        assert t1.startswith("12C"), t1
        assert t1.count("E") == 1 and t1.endswith("EZ"), t1
        assert errors(first)[0]["C"] == "42P01"
        assert "D" not in t1
        second = ok(c.read_until("Z"))
        assert types(second) == "12DCZ"
        assert rows(second) == [["next"]]
        # Everything up to Sync is one implicit transaction: the error rolled back the INSERT
        # before it, and the one after it was skipped.
        assert c.scalar(f"SELECT count(*) FROM {t}") == "0"
        run_ok(c, f"DROP TABLE {t}")


@pytest.mark.parametrize("nrows", [5, 300])  # below and above the gateway's columnar threshold
@pytest.mark.parametrize("in_txn", [False, True])
def test_insert_pipeline_bad_bind_value_aborts_its_unit(server: Endpoint, nrows: int, in_txn: bool) -> None:
    """executemany's shape (Bind/Describe/Execute per row, one Sync) with a malformed binary
    value in the middle: the rows before it report INSERT 0 1, that Bind fails, the
    rest is skipped, and none of the unit's rows are kept; the next unit works.
    (PostgreSQL answers a too-short binary int4 with 08P01: the test runs on it too.)"""
    t = unique("pipebad")
    bad = nrows // 2
    with server.connect() as c:
        run_ok(c, f"CREATE TABLE {t} (id int8, v int4)")
        if in_txn:
            run_ok(c, "BEGIN")
        pipe = [w.parse("ins", f"INSERT INTO {t} VALUES ($1, $2)", [w.OID_INT8, w.OID_INT4])]
        for i in range(nrows):
            v = b"\x00\x01" if i == bad else struct.pack(">i", i)
            pipe += [w.bind("", "ins", [struct.pack(">q", i), v], param_formats=[1, 1]),
                     w.describe("P", ""), w.execute("")]
        c.send(*pipe, w.sync())
        msgs = c.read_until("Z")
        assert types(msgs) == "1" + "2nC" * bad + "EZ", types(msgs)
        assert errors(msgs)[0]["C"] == "08P01"
        assert msgs[-1].value == ("E" if in_txn else "I")
        if in_txn:
            run_ok(c, "ROLLBACK")
        assert c.scalar(f"SELECT count(*) FROM {t}") == "0"
        c.send(*(w.bind("", "ins", [str(i).encode(), b"7"]) + w.execute("") for i in range(3)), w.sync())
        assert types(ok(c.read_until("Z"))) == "2C2C2CZ"
        assert c.scalar(f"SELECT count(*) FROM {t}") == "3"
        run_ok(c, f"DROP TABLE {t}")


def test_sql_move_and_fetch_on_protocol_portal(server: Endpoint) -> None:
    """Protocol portals and SQL cursors share one namespace: MOVE/FETCH by a portal's name
    (asyncpg's cursor.forward) go on from where Execute stopped, and Execute goes on after."""
    with server.connect() as c:
        run_ok(c, "BEGIN")
        c.send(w.parse("mv", "SELECT i FROM generate_series(1, 10) AS g(i)"), w.bind("p1", "mv"),
               w.execute("p1", 3), w.sync())
        msgs = ok(c.read_until("Z"))
        assert types(msgs) == "12DDDsZ" and rows(msgs) == [["1"], ["2"], ["3"]]
        msgs = ok(c.simple("MOVE FORWARD 2 p1"))
        assert msgs[-2].value == "MOVE 2"
        msgs = ok(c.simple("FETCH 2 FROM p1"))
        assert types(msgs) == "TDDCZ" and rows(msgs) == [["6"], ["7"]] and msgs[-2].value == "FETCH 2"
        c.send(w.execute("p1"), w.sync())
        msgs = ok(c.read_until("Z"))
        assert rows(msgs) == [["8"], ["9"], ["10"]] and msgs[-2].value == "SELECT 3"
        assert ok(c.simple("MOVE 5 p1"))[-2].value == "MOVE 0"
        assert errors(c.simple("MOVE 1 no_such_portal"))[0]["C"] == "34000"
        run_ok(c, "ROLLBACK")


def test_implicit_transaction_spans_a_slow_clients_pipeline(server: Endpoint) -> None:
    """The first INSERT's Execute arrives alone; the rest of the pipeline (a failing INSERT,
    then Sync) comes later, as from a slow client. Everything before Sync is one implicit
    transaction, so the first row must not be committed on its own."""
    t = unique("slowpipe")
    with server.connect() as c:
        run_ok(c, f"CREATE TABLE {t} (id int PRIMARY KEY)")
        c.send(w.parse("", f"INSERT INTO {t} VALUES (1)"), w.bind("", ""), w.execute(""))
        time.sleep(0.3)  # the client is slow: not synchronisation, the pause is the scenario
        c.send(w.parse("", f"INSERT INTO {t} VALUES (1)"), w.bind("", ""), w.execute(""), w.sync())
        msgs = c.read_until("Z")
        assert types(msgs) == "12C12EZ", types(msgs)
        assert errors(msgs)[0]["C"] == "23505"
        assert c.scalar(f"SELECT count(*) FROM {t}") == "0"
        run_ok(c, f"DROP TABLE {t}")


def test_error_then_sync_without_more_messages(sconn: PgWire) -> None:
    sconn.send(w.bind("", "no_such_statement_xyz"), w.execute(""), w.execute(""), w.describe("S", "nope"),
               w.sync())
    msgs = sconn.read_until("Z")
    assert types(msgs) == "EZ", msgs
    assert msgs[0].value["C"] == "26000"
    sconn.send(w.sync())
    assert types(sconn.read_until("Z")) == "Z"


def test_flush_delivers_without_sync(sconn: PgWire) -> None:
    sconn.send(w.parse("f1", "SELECT 11"), w.bind("fp", "f1"), w.execute("fp"), w.flush())
    msgs = sconn.read_n(4)
    assert types(msgs) == "12DC"
    assert rows(msgs) == [["11"]]
    sconn.send(w.sync())
    assert types(sconn.read_until("Z")) == "Z"
    # nothing extra was queued before the Sync's ReadyForQuery
    assert types(sconn.simple("SELECT 12")) == "TDCZ"


def test_describe_statement_infers_parameter_types(conn: PgWire) -> None:
    t = unique("desc")
    run_ok(conn, f"CREATE TABLE {t} (id int, name text, score bigint)")
    conn.send(w.parse("d1", f"SELECT * FROM {t} WHERE id = $1"), w.describe("S", "d1"), w.sync())
    msgs = ok(conn.read_until("Z"))
    assert types(msgs) == "1tTZ"
    assert msgs[1].value == [w.OID_INT4]
    assert [(f.name, f.type_oid) for f in msgs[2].value] == [
        ("id", w.OID_INT4), ("name", w.OID_TEXT), ("score", w.OID_INT8)]
    conn.send(w.parse("d2", f"UPDATE {t} SET name = $1 WHERE score > $2"), w.describe("S", "d2"), w.sync())
    msgs = ok(conn.read_until("Z"))
    assert types(msgs) == "1tnZ"
    assert msgs[1].value == [w.OID_TEXT, w.OID_INT8]


def test_describe_statement_does_not_execute(server: Endpoint) -> None:
    t = unique("noexec")
    with server.connect() as c:
        run_ok(c, f"CREATE TABLE {t} (id int, name text)")
        c.send(w.parse("ins", f"INSERT INTO {t} VALUES ($1, $2) RETURNING id, name"), w.describe("S", "ins"),
               w.sync())
        msgs = ok(c.read_until("Z"))
        assert types(msgs) == "1tTZ"
        assert msgs[1].value == [w.OID_INT4, w.OID_TEXT]
        assert [(f.name, f.type_oid) for f in msgs[2].value] == [("id", w.OID_INT4), ("name", w.OID_TEXT)]
        assert c.scalar(f"SELECT count(*) FROM {t}") == "0", "Describe executed the INSERT"
        # Describe of a bound portal does not execute it either
        c.send(w.bind("pp", "ins", [b"1", b"a"]), w.describe("P", "pp"), w.sync())
        msgs = ok(c.read_until("Z"))
        assert types(msgs) == "2TZ"
        assert c.scalar(f"SELECT count(*) FROM {t}") == "0", "Describe portal executed the INSERT"
        c.send(w.bind("", "ins", [b"2", b"b"]), w.execute(""), w.sync())
        msgs = ok(c.read_until("Z"))
        assert types(msgs) == "2DCZ" and rows(msgs) == [["2", "b"]] and msgs[2].value == "INSERT 0 1"
        assert c.scalar(f"SELECT count(*) FROM {t}") == "1"
        run_ok(c, f"DROP TABLE {t}")


DESCRIBE_CASES = [
    "SELECT * FROM {t} WHERE id = $1",
    "SELECT * FROM {t} WHERE id = $1 AND name = $2",
    "SELECT $1::int + 1, $2::text",
    "SELECT $1::bigint AS b, $2::date AS d, $3::boolean AS f",
    "SELECT id + $1 FROM {t}",
    "INSERT INTO {t} (id, name) VALUES ($1, $2)",
    "UPDATE {t} SET name = $1 WHERE id = $2",
    "DELETE FROM {t} WHERE name = $1",
    "SELECT count(*) FROM {t} WHERE amount > $1",
]


@pytest.mark.parametrize("template", DESCRIBE_CASES)
def test_describe_types_match_postgres(pg, gw: Endpoint, template: str) -> None:
    t = unique("dm")
    got = {}
    for name, host, port in (("pg", pg.host, pg.port), ("gateway", gw.host, gw.port)):
        with connect_ready(host, port) as c:
            run_ok(c, f"CREATE TABLE {t} (id int, name text, amount numeric(12,2))")
            c.send(w.parse("", template.format(t=t)), w.describe("S", ""), w.sync())
            msgs = c.read_until("Z")
            got[name] = (types(msgs), [m.value for m in msgs if m.type == "t"],
                         [[f.type_oid for f in m.value] for m in msgs if m.type == "T"])
            run_ok(c, f"DROP TABLE {t}")
    assert got["gateway"] == got["pg"]


def test_describe_portal(conn: PgWire) -> None:
    conn.send(w.parse("", "SELECT $1::int AS a, 'z'::text AS b"), w.bind("p1", "", [b"5"], result_formats=[1, 0]),
              w.describe("P", "p1"), w.execute("p1"), w.sync())
    msgs = ok(conn.read_until("Z"))
    assert types(msgs) == "12TDCZ"
    fields = msgs[2].value
    assert [(f.name, f.type_oid, f.format) for f in fields] == [("a", w.OID_INT4, 1), ("b", w.OID_TEXT, 0)]
    assert msgs[3].value == [struct.pack("!i", 5), b"z"]


def test_describe_portal_without_rows_is_nodata(sconn: PgWire) -> None:
    sconn.send(w.parse("", "SET application_name = 'x'"), w.bind("", ""), w.describe("P", ""), w.execute(""),
               w.sync())
    msgs = ok(sconn.read_until("Z"))
    # ParameterStatus for application_name may come anywhere before ReadyForQuery
    assert ("S", ("application_name", "x")) in [(m.type, m.value) for m in msgs]
    msgs = [m for m in msgs if m.type != "S"]
    assert types(msgs) == "12nCZ", msgs
    assert msgs[3].value == "SET"


FIVE_ROWS = "SELECT x FROM (VALUES (1), (2), (3), (4), (5)) AS v(x) ORDER BY x"
FOUR_ROWS = "SELECT x FROM (VALUES (1), (2), (3), (4)) AS v(x) ORDER BY x"


def test_execute_row_limit_suspends_and_resumes(server: Endpoint) -> None:
    with server.connect() as c:
        c.send(w.parse("", FIVE_ROWS), w.bind("", ""),
               w.execute("", 2), w.execute("", 2), w.execute("", 2), w.sync())
        msgs = ok(c.read_until("Z"))
        assert types(msgs) == "12DDsDDsDCZ", msgs
        assert [r[0] for r in rows(msgs)] == ["1", "2", "3", "4", "5"]
        # PostgreSQL's tag counts the rows of the Execute that completed the portal
        assert msgs[-2].value == "SELECT 1"


def test_execute_row_limit_exact_boundary(server: Endpoint) -> None:
    with server.connect() as c:
        c.send(w.parse("", FOUR_ROWS), w.bind("", ""),
               w.execute("", 2), w.execute("", 2), w.execute("", 2), w.sync())
        msgs = ok(c.read_until("Z"))
        # PostgreSQL cannot know the portal is exhausted after exactly 2 rows and suspends
        # (then completes with "SELECT 0"); completing it at once is also within the protocol.
        assert types(msgs) in ("12DDsDDsCZ", "12DDsDDCCZ"), msgs
        assert [r[0] for r in rows(msgs)] == ["1", "2", "3", "4"]
        assert msgs[-2].value == "SELECT 0"


def test_named_portal_survives_sync_in_transaction(server: Endpoint) -> None:
    with server.connect() as c:
        run_ok(c, "BEGIN")
        c.send(w.parse("", FIVE_ROWS), w.bind("cur", ""), w.execute("cur", 3),
               w.sync())
        msgs = ok(c.read_until("Z"))
        assert types(msgs) == "12DDDsZ" and msgs[-1].value == "T"
        c.send(w.execute("cur", 3), w.sync())
        msgs = ok(c.read_until("Z"))
        assert types(msgs) == "DDCZ"
        assert [r[0] for r in rows(msgs)] == ["4", "5"]
        run_ok(c, "COMMIT")
        c.send(w.execute("cur", 1), w.sync())
        msgs = c.read_until("Z")
        assert errors(msgs)[0]["C"] == "34000", "portal must be gone after COMMIT"


def test_close_statement_and_portal(server: Endpoint) -> None:
    with server.connect() as c:
        c.send(w.parse("cs", "SELECT 1"), w.bind("cp", "cs"), w.close("P", "cp"), w.close("S", "cs"),
               w.close("S", "never_existed"), w.close("P", "never_existed"), w.sync())
        msgs = ok(c.read_until("Z"))
        assert types(msgs) == "123333Z"
        c.send(w.bind("", "cs"), w.sync())
        msgs = c.read_until("Z")
        assert types(msgs) == "EZ" and msgs[0].value["C"] == "26000"
        c.send(w.parse("cs2", "SELECT 2"), w.bind("cp2", "cs2"), w.close("P", "cp2"), w.execute("cp2"), w.sync())
        msgs = c.read_until("Z")
        assert types(msgs) == "123EZ" and msgs[3].value["C"] == "34000"
        # a closed name can be reused
        c.send(w.parse("cs", "SELECT 3"), w.bind("", "cs"), w.execute(""), w.sync())
        assert rows(ok(c.read_until("Z"))) == [["3"]]


def test_named_and_unnamed_statements(server: Endpoint) -> None:
    with server.connect() as c:
        c.send(w.parse("named", "SELECT $1::int * 10"), w.parse("", "SELECT 'unnamed-1'"),
               w.parse("", "SELECT 'unnamed-2'"),  # replaces the first unnamed statement
               w.bind("", ""), w.execute(""),
               w.bind("", "named", [b"4"]), w.execute(""),
               w.bind("", "named", [b"5"]), w.execute(""),
               w.sync())
        msgs = ok(c.read_until("Z"))
        assert types(msgs) == "1112DC2DC2DCZ"
        assert rows(msgs) == [["unnamed-2"], ["40"], ["50"]]
        c.send(w.parse("named", "SELECT 1"), w.sync())
        msgs = c.read_until("Z")
        assert types(msgs) == "EZ" and msgs[0].value["C"] == "42P05"


def test_bind_parameter_count_mismatch(server: Endpoint) -> None:
    with server.connect() as c:
        c.send(w.parse("", "SELECT $1::int"), w.bind("", "", [b"1", b"2"]), w.sync())
        msgs = c.read_until("Z")
        assert types(msgs) == "1EZ" and msgs[1].value["C"] == "08P01"
        c.send(w.parse("", "SELECT $1::int, $2::int"), w.bind("", "", [b"1", b"2"], param_formats=[0, 0, 0]),
               w.sync())
        msgs = c.read_until("Z")
        assert types(msgs) == "1EZ" and msgs[1].value["C"] == "08P01"
        assert c.scalar("SELECT 1") == "1"


def test_binary_parameters_and_results(server: Endpoint) -> None:
    with server.connect() as c:
        c.send(w.parse("", "SELECT $1::int8 + 1, $2::text"),
               w.bind("", "", [struct.pack("!q", 2 ** 40), b"bin"], param_formats=[1, 0], result_formats=[1]),
               w.execute(""), w.sync())
        msgs = ok(c.read_until("Z"))
        assert types(msgs) == "12DCZ"
        assert msgs[2].value == [struct.pack("!q", 2 ** 40 + 1), b"bin"]


# =========================================================================== termination, cancel

def test_terminate_closes_cleanly(gw: Endpoint, control: PgWire) -> None:
    c = gw.connect()
    try:
        c.send(w.terminate())
        assert c.is_closed(), "Terminate must close the connection without a reply"
    finally:
        c.close()


def test_terminate_inside_transaction_rolls_back(gw: Endpoint, control: PgWire) -> None:
    t = unique("term")
    run_ok(control, f"CREATE TABLE {t} (id int)")
    c = gw.connect()
    try:
        run_ok(c, "BEGIN")
        run_ok(c, f"INSERT INTO {t} VALUES (1)")
        c.send(w.terminate())
        assert c.is_closed()
    finally:
        c.close()
    # the abandoned transaction must not hold the writer: a new write goes through
    run_ok(control, f"INSERT INTO {t} VALUES (2)")
    assert control.scalar(f"SELECT string_agg(id::text, ',') FROM {t}") == "2"


def start_long_query(c: PgWire, sleep_s: float) -> None:
    """Start `pg_sleep` on `c` and return once the server is past reading it.

    A first statement is answered through Flush; the sleep was sent in the same packet, so
    by the time that answer arrives the server has read the sleep and is about to run it.
    """
    c.send(w.parse("", "SELECT 'started'"), w.bind("", ""), w.execute(""), w.flush(),
           w.parse("", f"SELECT pg_sleep({sleep_s}), 'finished'"), w.bind("", ""), w.execute(""), w.sync())
    msgs = ok(c.read_until("C"))
    assert rows(msgs) == [["started"]]


def test_cancel_with_wrong_key_does_nothing(server: Endpoint) -> None:
    with server.connect() as c:
        assert c.pid is not None and c.key is not None
        start_long_query(c, 1.5)
        for pid, key in ((c.pid, c.key ^ 0x5A5A5A5A), (c.pid + 1, c.key), (0, 0)):
            with server.raw() as x:
                x.send(w.cancel_request(pid, key))
                assert x.is_closed(), "a CancelRequest gets no reply, only a close"
        assert not has_data(c), "the query ended before the wrong-key cancels were processed"
        msgs = c.read_until("Z")
        assert not errors(msgs), f"a wrong-key CancelRequest cancelled the query: {errors(msgs)}"
        assert len(rows(msgs)) == 1 and rows(msgs)[0][1] == "finished"


def test_cancel_with_right_key_cancels(server: Endpoint) -> None:
    with server.connect() as c:
        start_long_query(c, 20)
        begin = time.monotonic()
        # The server may not have started the sleep when the first cancel arrives (PostgreSQL
        # ignores a cancel between statements too): repeat it until the query answers.
        while True:
            with server.raw() as x:
                x.send(w.cancel_request(c.pid, c.key))
                assert x.is_closed()
            if c.buf or select.select([c.sock], [], [], 0.5)[0]:
                break
            assert time.monotonic() - begin < 10, "the query ran on: every cancel was lost"
        msgs = c.read_until("Z", timeout=25)
        assert time.monotonic() - begin < 10, "the query ran to the end: the cancel was lost"
        assert errors(msgs)[0]["C"] == "57014"
        assert c.scalar("SELECT 'alive'") == "alive"


# =========================================================================== malformed input

def test_huge_declared_length_error_and_close(gw: Endpoint, control: PgWire) -> None:
    with gw.connect() as c:
        c.send(b"Q" + struct.pack("!i", 0x7FFFFFFF) + b"SELECT 1")
        msgs = assert_closes(c)
        assert types(msgs) == "E", msgs
        assert msgs[0].value["S"] == "FATAL"
        assert msgs[0].value["C"] in ("08P01", "54000")
    assert control.scalar("SELECT 'still here'") == "still here"


def test_message_over_max_message_size_refused(gateway_factory) -> None:
    srv = gateway_factory(env={"DATAFORGE_MAX_MESSAGE_SIZE": "100000"})
    with connect_ready(srv.host, srv.port) as c:
        assert c.scalar("SELECT length('" + "a" * 90_000 + "')") == "90000"
        # refused from the header alone: the body is never sent
        c.send(b"Q" + struct.pack("!i", 200_000))
        msgs = assert_closes(c)
        assert types(msgs) == "E" and msgs[0].value["C"] in ("08P01", "54000"), msgs
    with connect_ready(srv.host, srv.port) as c2:
        assert c2.scalar("SELECT 1") == "1"


@pytest.mark.parametrize("length", [0, 2, 3, -1, -(2 ** 31)])
def test_malformed_length_closes(server: Endpoint, length: int) -> None:
    with server.connect() as c:
        c.send(b"Q" + struct.pack("!i", length) + w.query("SELECT 1"))
        msgs = assert_closes(c)
        assert types(msgs) in ("", "E"), msgs
        if msgs:
            assert msgs[0].value["S"] == "FATAL" and msgs[0].value["C"] == "08P01"
    with server.connect() as c2:
        assert c2.scalar("SELECT 1") == "1"


@pytest.mark.parametrize("body_sent", [True, False], ids=["with-body", "header-only"])
@pytest.mark.parametrize("type_byte", [b"z", b"\x00", b"p", b"!"])
def test_unknown_message_type(server: Endpoint, type_byte: bytes, body_sent: bool) -> None:
    # PostgreSQL rejects an unknown (or, after startup, unexpected) type byte at once, before
    # reading the body, with a FATAL 08P01 and a close. 'p' (password) is only valid during
    # authentication.
    with server.connect() as c:
        body = b"0123456789" * 10
        if body_sent:  # a complete frame
            c.send(type_byte + struct.pack("!i", 4 + len(body)) + body)
        else:  # the header announces a body that never comes
            c.send(type_byte + struct.pack("!i", 4 + len(body)))
        msgs = assert_closes(c)
        assert types(msgs) == "E", msgs
        assert msgs[0].value["S"] == "FATAL"
        assert msgs[0].value["C"] == "08P01"
    with server.connect() as c2:
        assert c2.scalar("SELECT 1") == "1"


@pytest.mark.parametrize("bad, code", [
    (w.msg("D", b"Zname\x00"), "08P01"),
    (w.msg("C", b"Qname\x00"), "08P01"),
    (w.msg("P", b"no terminator"), "08P01"),
    (w.msg("E", b"\x00\x00"), "08P01"),
    (w.msg("S", b"junk"), "08P01"),
    (w.query(b"SELECT '\xff\xfe'"), "22021"),
    (w.parse("", b"SELECT '\xc3'"), "22021"),
], ids=["describe-subtype", "close-subtype", "parse-unterminated", "execute-short", "sync-with-body",
        "query-invalid-utf8", "parse-invalid-utf8"])
def test_malformed_message_body_is_an_error_not_a_disconnect(server: Endpoint, bad: bytes, code: str) -> None:
    # A message whose frame is intact but whose contents are wrong is an ERROR in PostgreSQL:
    # the connection survives, skips to Sync, and serves the next query.
    with server.connect() as c:
        c.send(bad, w.sync(), w.query("SELECT 'survived'"))
        msgs = c.read_until("E")
        assert msgs[-1].value["C"] == code, msgs
        assert msgs[-1].value["S"] == "ERROR", msgs
        rest = c.read_until("D")
        assert rows(rest) == [["survived"]]
        c.read_until("Z")


def test_startup_message_after_startup_is_refused(server: Endpoint) -> None:
    with server.connect() as c:
        c.send(w.startup_message({"user": "postgres"}))
        msgs = assert_closes(c)
        assert types(msgs) == "E", msgs
        assert msgs[0].value["C"] == "08P01"


def test_garbage_before_startup_is_refused(server: Endpoint) -> None:
    with server.raw() as c:
        c.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        msgs = assert_closes(c)
        assert types(msgs) in ("", "E"), msgs
    with server.connect() as c2:
        assert c2.scalar("SELECT 1") == "1"


def test_client_disconnect_mid_message_does_not_hurt_others(gw: Endpoint, control: PgWire) -> None:
    for cut in (1, 3, 5, 9):
        c = gw.connect()
        c.send(w.query("SELECT 123")[:cut])
        c.close()
    c = gw.raw()
    c.send(w.startup_message({"user": "postgres"})[:7])
    c.close()
    assert control.scalar("SELECT 'fine'") == "fine"


def test_many_connections_keep_being_served_after_abuse(gw: Endpoint) -> None:
    abusers = []
    for payload in (b"Q" + struct.pack("!i", 1), w.msg("z"), b"\xff" * 64):
        c = gw.connect()
        c.send(payload)
        abusers.append(c)
    try:
        clients = [gw.connect() for _ in range(10)]
        try:
            for i, c in enumerate(clients):
                c.send(w.query(f"SELECT {i}"))
            for i, c in enumerate(clients):
                assert rows(ok(c.read_until("Z"))) == [[str(i)]]
        finally:
            for c in clients:
                c.close()
        for a in abusers:
            assert_closes(a)
    finally:
        for a in abusers:
            a.close()
