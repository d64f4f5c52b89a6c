"""Unit tests of the sans-IO frontend decoder (gateway/protocol/messages.py).

Messages are built by hand with struct here (not with the code under test), decoded, and
compared field by field. Where the decoder must reject input, the expectation is the one
PostgreSQL 15 applies to the same bytes (checked against a real server with tests/pgwire.py:
e.g. a Sync or Flush with a body, or bytes after a Query's terminator, are "invalid message
format" in PostgreSQL).
"""

from __future__ import annotations

import struct
import tracemalloc

import pytest

from gateway.protocol import messages as m
from gateway.protocol.messages import FrontendDecoder, ProtocolError

V3 = 196608


# --------------------------------------------------------------------------- hand-made bytes

def cs(s: str | bytes) -> bytes:
    return (s.encode() if isinstance(s, str) else s) + b"\x00"


def typed(t: bytes, body: bytes = b"") -> bytes:
    return t + struct.pack("!i", len(body) + 4) + body


def startup_bytes(params: dict[str, str], version: int = V3) -> bytes:
    body = struct.pack("!i", version) + b"".join(cs(k) + cs(v) for k, v in params.items()) + b"\x00"
    return struct.pack("!i", len(body) + 4) + body


def ready_decoder(**kw) -> FrontendDecoder:
    """A decoder past the startup phase."""
    d = FrontendDecoder(**kw)
    d.feed(startup_bytes({"user": "u"}))
    assert isinstance(d.next(), m.Startup)
    return d


def decode_all(data: bytes, startup: bool = False, **kw) -> list:
    d = FrontendDecoder(**kw) if startup else ready_decoder(**kw)
    d.feed(data)
    out = []
    while (msg := d.next()) is not None:
        out.append(msg)
    assert d.pending() == 0, f"{d.pending()} bytes left undecoded"
    return out


def decode_one(data: bytes, **kw):
    msgs = decode_all(data, **kw)
    assert len(msgs) == 1, msgs
    return msgs[0]


BIND_BODY = (cs("portal1") + cs("stmt1")
             + struct.pack("!h", 2) + struct.pack("!hh", 0, 1)
             + struct.pack("!h", 3)
             + struct.pack("!i", 2) + b"42" + struct.pack("!i", -1) + struct.pack("!i", 0)
             + struct.pack("!h", 1) + struct.pack("!h", 1))

# (bytes, expected decoded message): one per frontend message type
ROUND_TRIPS = [
    pytest.param(typed(b"Q", cs("SELECT 1")), m.Query("SELECT 1"), id="Query"),
    pytest.param(typed(b"Q", cs("SELECT 'é€😀'")), m.Query("SELECT 'é€😀'"), id="Query-utf8"),
    pytest.param(typed(b"Q", cs("")), m.Query(""), id="Query-empty"),
    pytest.param(typed(b"P", cs("s1") + cs("SELECT $1, $2") + struct.pack("!hII", 2, 23, 4294967295)),
                 m.Parse("s1", "SELECT $1, $2", [23, 4294967295]), id="Parse"),
    pytest.param(typed(b"P", cs("") + cs("SELECT 1") + struct.pack("!h", 0)),
                 m.Parse("", "SELECT 1", []), id="Parse-unnamed"),
    pytest.param(typed(b"B", BIND_BODY),
                 m.Bind("portal1", "stmt1", [0, 1], [b"42", None, b""], [1]), id="Bind"),
    pytest.param(typed(b"B", cs("") + cs("") + struct.pack("!hhh", 0, 0, 0)),
                 m.Bind("", "", [], [], []), id="Bind-empty"),
    pytest.param(typed(b"D", b"S" + cs("s1")), m.Describe("S", "s1"), id="Describe-S"),
    pytest.param(typed(b"D", b"P" + cs("")), m.Describe("P", ""), id="Describe-P"),
    pytest.param(typed(b"E", cs("p") + struct.pack("!i", 100)), m.Execute("p", 100), id="Execute"),
    pytest.param(typed(b"E", cs("") + struct.pack("!i", 0)), m.Execute("", 0), id="Execute-all"),
    pytest.param(typed(b"C", b"S" + cs("s1")), m.Close("S", "s1"), id="Close-S"),
    pytest.param(typed(b"C", b"P" + cs("p1")), m.Close("P", "p1"), id="Close-P"),
    pytest.param(typed(b"H"), m.Flush(), id="Flush"),
    pytest.param(typed(b"S"), m.Sync(), id="Sync"),
    pytest.param(typed(b"X"), m.Terminate(), id="Terminate"),
    pytest.param(typed(b"d", b"1\t2\n\x00\xff"), m.CopyData(b"1\t2\n\x00\xff"), id="CopyData"),
    pytest.param(typed(b"d"), m.CopyData(b""), id="CopyData-empty"),
    pytest.param(typed(b"c"), m.CopyDone(), id="CopyDone"),
    pytest.param(typed(b"f", cs("client gave up")), m.CopyFail("client gave up"), id="CopyFail"),
    pytest.param(typed(b"p", cs("secret")), m.PasswordMessage(b"secret\x00"), id="PasswordMessage"),
    pytest.param(typed(b"F", struct.pack("!i", 1234) + b"\x00\x00"),
                 m.FunctionCall(struct.pack("!i", 1234) + b"\x00\x00"), id="FunctionCall"),
]


# --------------------------------------------------------------------------- round trips

@pytest.mark.parametrize("data, expected", ROUND_TRIPS)
def test_round_trip(data: bytes, expected) -> None:
    assert decode_one(data) == expected


@pytest.mark.parametrize("data, expected", ROUND_TRIPS)
def test_byte_by_byte(data: bytes, expected) -> None:
    d = ready_decoder()
    for i, b in enumerate(data):
        assert d.next() is None, f"message decoded after only {i} of {len(data)} bytes"
        d.feed(bytes([b]))
    assert d.next() == expected
    assert d.next() is None
    assert d.pending() == 0


def test_all_types_in_one_buffer_and_split_anywhere() -> None:
    stream = b"".join(p.values[0] for p in ROUND_TRIPS)
    expected = [p.values[1] for p in ROUND_TRIPS]
    assert decode_all(stream) == expected
    for cut in range(0, len(stream) + 1, 7):
        d = ready_decoder()
        got = []
        for part in (stream[:cut], stream[cut:]):
            d.feed(part)
            while (x := d.next()) is not None:
                got.append(x)
        assert got == expected, f"split at {cut}"


def test_needed_counts_down_to_zero() -> None:
    data = typed(b"Q", cs("SELECT 12345"))
    d = ready_decoder()
    assert d.needed() == 5
    d.feed(data[:3])
    assert d.needed() == 2
    d.feed(data[3:5])
    assert d.needed() == len(data) - 5
    d.feed(data[5:-1])
    assert d.needed() == 1
    assert d.next() is None
    d.feed(data[-1:])
    assert d.needed() == 0
    assert d.next() == m.Query("SELECT 12345")


def test_peek_type_only_for_complete_message() -> None:
    data = typed(b"Q", cs("SELECT 1"))
    d = ready_decoder()
    d.feed(data[:-1])
    assert d.peek_type() is None
    d.feed(data[-1:])
    assert d.peek_type() == ord("Q")
    assert d.next() == m.Query("SELECT 1")


def test_large_stream_compacts_buffer() -> None:
    one = typed(b"Q", cs("SELECT " + "1" * 1000))
    d = ready_decoder()
    for _ in range(500):
        d.feed(one + one[:10])
        assert d.next() == m.Query("SELECT " + "1" * 1000)
        d.feed(one[10:])
        assert d.next() == m.Query("SELECT " + "1" * 1000)
        assert d.next() is None
    assert len(d.buf) < 200_000, "consumed bytes are never released"


# --------------------------------------------------------------------------- startup phase

def test_startup_message() -> None:
    msg = decode_one(startup_bytes({"user": "alice", "database": "db", "application_name": "x y",
                                    "options": "-c search_path=a"}), startup=True)
    assert msg == m.Startup(V3, {"user": "alice", "database": "db", "application_name": "x y",
                                 "options": "-c search_path=a"})


def test_startup_newer_minor_and_pq_options_decoded() -> None:
    version = (3 << 16) | 5
    msg = decode_one(startup_bytes({"user": "u", "_pq_.feature": "on"}, version), startup=True)
    assert msg == m.Startup(version, {"user": "u", "_pq_.feature": "on"})


def test_startup_byte_by_byte_then_typed_messages() -> None:
    data = startup_bytes({"user": "u"}) + typed(b"Q", cs("SELECT 1")) + typed(b"X")
    d = FrontendDecoder()
    out = []
    for b in data:
        d.feed(bytes([b]))
        while (x := d.next()) is not None:
            out.append(x)
    assert out == [m.Startup(V3, {"user": "u"}), m.Query("SELECT 1"), m.Terminate()]


def test_ssl_and_gssenc_requests_keep_startup_phase() -> None:
    data = (struct.pack("!ii", 8, 80877103) + struct.pack("!ii", 8, 80877104)
            + startup_bytes({"user": "u"}) + typed(b"S"))
    assert decode_all(data, startup=True) == [m.SSLRequest(), m.GSSENCRequest(),
                                              m.Startup(V3, {"user": "u"}), m.Sync()]


def test_cancel_request() -> None:
    data = struct.pack("!iiii", 16, 80877102, 4321, -99)
    assert decode_one(data, startup=True) == m.CancelRequest(4321, -99)


def test_ssl_request_after_startup_is_not_a_startup_message() -> None:
    # After startup every message has a type byte; 00 00 00 08 ... is type 0x00: invalid.
    d = ready_decoder()
    d.feed(struct.pack("!ii", 8, 80877103))
    with pytest.raises(ProtocolError):
        d.next()


@pytest.mark.parametrize("data", [
    pytest.param(struct.pack("!i", 3) + b"\x00" * 4, id="length-below-8"),
    pytest.param(struct.pack("!i", -1) + b"\x00" * 8, id="negative-length"),
    pytest.param(struct.pack("!i", 0x7FFFFFFF), id="2GB-length"),
    pytest.param(struct.pack("!ii", 12, 80877102) + b"\x00" * 4, id="cancel-too-short"),
    pytest.param(struct.pack("!iiiii", 20, 80877102, 1, 2, 3), id="cancel-too-long"),
    pytest.param(struct.pack("!ii", 8, 2 << 16), id="protocol-2.0"),
    pytest.param(struct.pack("!ii", 8, 4 << 16), id="protocol-4.0"),
    pytest.param(struct.pack("!ii", 8, V3), id="no-terminator"),
    pytest.param(struct.pack("!ii", 13, V3) + b"user\x00", id="key-without-value"),
    pytest.param(struct.pack("!ii", 15, V3) + b"user\x00ab", id="value-unterminated"),
    pytest.param(struct.pack("!ii", 16, V3) + b"user\x00\xff\xfe\x00\x00", id="invalid-utf8"),
])
def test_malformed_startup(data: bytes) -> None:
    d = FrontendDecoder()
    d.feed(data)
    with pytest.raises(ProtocolError):
        d.next()


def test_huge_startup_length_refused_at_once() -> None:
    d = FrontendDecoder()
    d.feed(struct.pack("!i", 50_000_000))
    with pytest.raises(ProtocolError):
        d.next()


# --------------------------------------------------------------------------- malformed messages

MALFORMED = [
    # framing
    pytest.param(b"Q" + struct.pack("!i", 3), id="length-3"),
    pytest.param(b"Q" + struct.pack("!i", 0), id="length-0"),
    pytest.param(b"Q" + struct.pack("!i", -4), id="negative-length"),
    pytest.param(b"Q" + struct.pack("!i", -(2 ** 31)), id="min-int-length"),
    # unknown types (PostgreSQL answers "invalid frontend message type N")
    pytest.param(typed(b"z", b"abc"), id="unknown-type-z"),
    pytest.param(typed(b"\x00"), id="unknown-type-0"),
    pytest.param(typed(b"\xff", b"x"), id="unknown-type-ff"),
    # missing terminators
    pytest.param(typed(b"Q", b"SELECT 1"), id="Query-no-terminator"),
    pytest.param(typed(b"Q"), id="Query-empty-body"),
    pytest.param(typed(b"P", cs("s") + b"SELECT 1"), id="Parse-sql-no-terminator"),
    pytest.param(typed(b"P", b"s"), id="Parse-name-no-terminator"),
    pytest.param(typed(b"B", cs("p") + b"s"), id="Bind-stmt-no-terminator"),
    pytest.param(typed(b"D", b"S" + b"name"), id="Describe-no-terminator"),
    pytest.param(typed(b"D"), id="Describe-empty"),
    pytest.param(typed(b"C", b"S"), id="Close-no-name"),
    pytest.param(typed(b"E", b"p" + struct.pack("!i", 0)), id="Execute-no-terminator"),
    pytest.param(typed(b"f", b"oops"), id="CopyFail-no-terminator"),
    # trailing bytes (PostgreSQL: "invalid message format")
    pytest.param(typed(b"Q", cs("SELECT 1") + b"junk"), id="Query-trailing"),
    pytest.param(typed(b"P", cs("") + cs("SELECT 1") + struct.pack("!h", 0) + b"x"), id="Parse-trailing"),
    pytest.param(typed(b"B", cs("") + cs("") + struct.pack("!hhh", 0, 0, 0) + b"x"), id="Bind-trailing"),
    pytest.param(typed(b"E", cs("") + struct.pack("!i", 0) + b"x"), id="Execute-trailing"),
    pytest.param(typed(b"D", b"S" + cs("a") + b"x"), id="Describe-trailing"),
    pytest.param(typed(b"S", b"x"), id="Sync-with-body"),
    pytest.param(typed(b"H", b"x"), id="Flush-with-body"),
    # short fixed-size fields
    pytest.param(typed(b"E", cs("") + b"\x00\x00"), id="Execute-short-maxrows"),
    pytest.param(typed(b"P", cs("") + cs("SELECT 1")), id="Parse-missing-count"),
    pytest.param(typed(b"P", cs("") + cs("SELECT $1") + struct.pack("!h", 2) + struct.pack("!I", 23)),
                 id="Parse-fewer-oids-than-count"),
    pytest.param(typed(b"B", cs("") + cs("") + struct.pack("!h", 1)), id="Bind-missing-formats"),
    pytest.param(typed(b"B", cs("") + cs("") + struct.pack("!hh", 0, 1) + struct.pack("!i", 10) + b"abc"
                       + struct.pack("!h", 0)), id="Bind-param-longer-than-message"),
    pytest.param(typed(b"B", cs("") + cs("") + struct.pack("!hh", 0, 1) + struct.pack("!i", 0x7FFFFFFF)
                       + struct.pack("!h", 0)), id="Bind-param-2GB"),
    pytest.param(typed(b"B", cs("") + cs("") + struct.pack("!hh", 0, 0)), id="Bind-missing-result-count"),
    # negative counts and lengths
    pytest.param(typed(b"P", cs("") + cs("SELECT 1") + struct.pack("!h", -1)), id="Parse-negative-count"),
    pytest.param(typed(b"B", cs("") + cs("") + struct.pack("!h", -1) + struct.pack("!hh", 0, 0)),
                 id="Bind-negative-format-count"),
    pytest.param(typed(b"B", cs("") + cs("") + struct.pack("!hh", 0, -2) + struct.pack("!h", 0)),
                 id="Bind-negative-param-count"),
    pytest.param(typed(b"B", cs("") + cs("") + struct.pack("!hh", 0, 1) + struct.pack("!i", -2)
                       + struct.pack("!h", 0)), id="Bind-param-length-minus-2"),
    pytest.param(typed(b"B", cs("") + cs("") + struct.pack("!hhh", 0, 0, -1)), id="Bind-negative-result-count"),
    # invalid format codes and subtypes
    pytest.param(typed(b"B", cs("") + cs("") + struct.pack("!hhhh", 1, 2, 0, 0)), id="Bind-param-format-2"),
    pytest.param(typed(b"B", cs("") + cs("") + struct.pack("!hhhhh", 1, -1, 1, -1, 0)), id="Bind-param-format-neg"),
    pytest.param(typed(b"B", cs("") + cs("") + struct.pack("!hhhh", 0, 0, 1, 7)), id="Bind-result-format-7"),
    pytest.param(typed(b"D", b"X" + cs("a")), id="Describe-subtype-X"),
    pytest.param(typed(b"C", b"Q" + cs("a")), id="Close-subtype-Q"),
    # encoding
    pytest.param(typed(b"Q", cs(b"SELECT '\xff'")), id="Query-invalid-utf8"),
    pytest.param(typed(b"Q", cs(b"SELECT '\xc3'")), id="Query-truncated-utf8"),
    pytest.param(typed(b"P", cs(b"\xed\xa0\x80") + cs("SELECT 1") + struct.pack("!h", 0)), id="Parse-surrogate-name"),
]


@pytest.mark.parametrize("data", MALFORMED)
def test_malformed_message_raises_protocol_error(data: bytes) -> None:
    d = ready_decoder()
    d.feed(data)
    with pytest.raises(ProtocolError) as ei:
        d.next()
    assert ei.value.sqlstate in ("08P01", "22021", "54000")


def test_invalid_utf8_is_22021() -> None:
    d = ready_decoder()
    d.feed(typed(b"Q", cs(b"SELECT '\xff'")))
    with pytest.raises(ProtocolError) as ei:
        d.next()
    assert ei.value.sqlstate == "22021"


@pytest.mark.parametrize("t", [b"z", b"\x00", b"A", b"\xff"])
def test_unknown_type_rejected_from_header_alone(t: bytes) -> None:
    # PostgreSQL rejects an unknown type byte before reading the body; a decoder that waits
    # for the declared body first lets a client park a connection (and a buffer) forever.
    d = ready_decoder()
    d.feed(t + struct.pack("!i", 60_000_000))
    with pytest.raises(ProtocolError):
        d.next()


@pytest.mark.parametrize("declared", [0x7FFFFFFF, 2 ** 31 - 5, 64 * 1024 * 1024 + 1])
def test_huge_declared_length_raises_at_once_without_allocating(declared: int) -> None:
    d = ready_decoder()
    tracemalloc.start()
    try:
        d.feed(b"Q" + struct.pack("!i", declared) + b"SELECT")
        with pytest.raises(ProtocolError) as ei:
            d.next()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000, f"decoder allocated {peak} bytes for a refused message"
    assert ei.value.sqlstate in ("08P01", "54000")


def test_max_message_is_configurable() -> None:
    small = typed(b"Q", cs("SELECT 1"))
    assert decode_one(small, max_message=len(small) - 1) == m.Query("SELECT 1")
    d = ready_decoder(max_message=100)
    d.feed(typed(b"Q", cs("x" * 200))[:5])  # the header alone must be enough to refuse
    with pytest.raises(ProtocolError):
        d.next()


def test_large_message_under_limit_waits_without_preallocating() -> None:
    d = ready_decoder(max_message=64 * 1024 * 1024)
    tracemalloc.start()
    try:
        d.feed(b"Q" + struct.pack("!i", 50_000_000) + b"SELECT")
        assert d.next() is None
        assert d.needed() == 50_000_000 + 1 - 11
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000


def test_one_megabyte_query_decodes() -> None:
    sql = "SELECT '" + "x" * (1 << 20) + "'"
    assert decode_one(typed(b"Q", cs(sql))) == m.Query(sql)


def test_error_does_not_consume_following_messages_before_it() -> None:
    d = ready_decoder()
    d.feed(typed(b"S") + typed(b"z", b"bad") + typed(b"S"))
    assert d.next() == m.Sync()
    with pytest.raises(ProtocolError):
        d.next()


# --------------------------------------------------------------------------- backend builders

def test_backend_builders_frame_correctly() -> None:
    def parse_one(data: bytes) -> tuple[bytes, bytes]:
        t, ln = data[:1], struct.unpack("!i", data[1:5])[0]
        assert len(data) == 1 + ln, (t, ln, len(data))
        return t, data[5:]

    assert parse_one(m.ready_for_query("T")) == (b"Z", b"T")
    assert parse_one(m.command_complete("SELECT 3")) == (b"C", b"SELECT 3\x00")
    assert parse_one(m.parameter_status("TimeZone", "UTC")) == (b"S", b"TimeZone\x00UTC\x00")
    assert parse_one(m.backend_key_data(7, -8)) == (b"K", struct.pack("!ii", 7, -8))
    assert parse_one(m.data_row([b"1", None, b""])) == (
        b"D", struct.pack("!h", 3) + struct.pack("!i", 1) + b"1" + struct.pack("!i", -1) + struct.pack("!i", 0))
    assert parse_one(m.parameter_description([23, 4294967295])) == (b"t", struct.pack("!hII", 2, 23, 4294967295))
    t, body = parse_one(m.row_description([m.Field("a", 23, 4)]))
    assert t == b"T" and body == struct.pack("!h", 1) + b"a\x00" + struct.pack("!ihihih", 0, 0, 23, 4, -1, 0)
    t, body = parse_one(m.error_response({"severity": "ERROR", "sqlstate": "42601", "message": "bad\x00x"}))
    assert t == b"E" and body == b"SERROR\x00C42601\x00Mbadx\x00\x00"
    t, body = parse_one(m.negotiate_protocol_version(0, ["_pq_.a"]))
    assert t == b"v" and body[4:] == struct.pack("!i", 1) + b"_pq_.a\x00"
    for const, t in ((m.PARSE_COMPLETE, b"1"), (m.BIND_COMPLETE, b"2"), (m.CLOSE_COMPLETE, b"3"),
                     (m.NO_DATA, b"n"), (m.PORTAL_SUSPENDED, b"s"), (m.EMPTY_QUERY, b"I")):
        assert parse_one(const) == (t, b"")
