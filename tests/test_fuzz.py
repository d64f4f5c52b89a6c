"""Fuzz tests: the sans-IO frontend decoder, and a live gateway over raw sockets.

Decoder: arbitrary bytes, well-formed messages (which must round-trip, however the stream is
split), and well-formed streams with mutations. Only ProtocolError may escape.

Live: after a valid startup, generated message sequences (framed correctly, contents
anything) are sent to a dedicated gateway; it must answer with valid backend messages or
close the connection, never hang (every read has a timeout), a separate control connection
must keep answering, and the gateway's RSS must stay bounded. Raw garbage (framing included)
is sent too, followed by a half-close: the server must then close the connection.

Example counts come from a hypothesis profile: `dataforge-fuzz` by default (10,000 decoder
examples per test, a live run under a minute), `dataforge-fuzz-slow` with `--runslow`.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

from gateway.protocol import messages as m
from gateway.protocol.messages import FrontendDecoder, ProtocolError
from tests import pgwire as w

settings.register_profile(
    "dataforge-fuzz", max_examples=10_000, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "dataforge-fuzz-slow", max_examples=100_000, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

LIVE_EXAMPLES = {"dataforge-fuzz": 1500, "dataforge-fuzz-slow": 15_000}
RAW_LIVE_EXAMPLES = {"dataforge-fuzz": 1000, "dataforge-fuzz-slow": 10_000}
RSS_GROWTH_LIMIT = 256 * 1024 * 1024
LIVE_READ_TIMEOUT = 5.0


@pytest.fixture
def profile(request) -> str:
    return "dataforge-fuzz-slow" if request.config.getoption("--runslow") else "dataforge-fuzz"


def run_with(profile: str, test, **overrides) -> None:
    """Run a @given test under the chosen profile (chosen at run time from --runslow)."""
    settings(settings.get_profile(profile), **overrides)(test)()


V3 = 196608
MESSAGE_TYPES = (m.Startup, m.SSLRequest, m.GSSENCRequest, m.CancelRequest, m.Query, m.Parse, m.Bind,
                 m.Describe, m.Execute, m.Close, m.Flush, m.Sync, m.Terminate, m.CopyData, m.CopyDone,
                 m.CopyFail, m.PasswordMessage, m.FunctionCall)


# =========================================================================== encoders (by hand)

def cs(s: str) -> bytes:
    return s.encode() + b"\x00"


def typed(t: bytes, body: bytes = b"") -> bytes:
    return t + struct.pack("!i", len(body) + 4) + body


def encode(msg) -> bytes:
    """Encode a frontend message object independently of the decoder under test."""
    if isinstance(msg, m.Startup):
        body = struct.pack("!i", msg.version) + b"".join(cs(k) + cs(v) for k, v in msg.params.items()) + b"\x00"
        return struct.pack("!i", len(body) + 4) + body
    if isinstance(msg, m.SSLRequest):
        return struct.pack("!ii", 8, 80877103)
    if isinstance(msg, m.GSSENCRequest):
        return struct.pack("!ii", 8, 80877104)
    if isinstance(msg, m.CancelRequest):
        return struct.pack("!iiii", 16, 80877102, msg.pid, msg.key)
    if isinstance(msg, m.Query):
        return typed(b"Q", cs(msg.sql))
    if isinstance(msg, m.Parse):
        return typed(b"P", cs(msg.name) + cs(msg.sql) + struct.pack("!h", len(msg.param_oids))
                     + b"".join(struct.pack("!I", o) for o in msg.param_oids))
    if isinstance(msg, m.Bind):
        body = cs(msg.portal) + cs(msg.statement)
        body += struct.pack("!h", len(msg.param_formats)) + b"".join(struct.pack("!h", f) for f in msg.param_formats)
        body += struct.pack("!h", len(msg.params))
        for p in msg.params:
            body += struct.pack("!i", -1) if p is None else struct.pack("!i", len(p)) + p
        body += struct.pack("!h", len(msg.result_formats)) + b"".join(struct.pack("!h", f) for f in msg.result_formats)
        return typed(b"B", body)
    if isinstance(msg, m.Describe):
        return typed(b"D", msg.kind.encode() + cs(msg.name))
    if isinstance(msg, m.Execute):
        return typed(b"E", cs(msg.portal) + struct.pack("!i", msg.max_rows))
    if isinstance(msg, m.Close):
        return typed(b"C", msg.kind.encode() + cs(msg.name))
    if isinstance(msg, m.Flush):
        return typed(b"H")
    if isinstance(msg, m.Sync):
        return typed(b"S")
    if isinstance(msg, m.Terminate):
        return typed(b"X")
    if isinstance(msg, m.CopyData):
        return typed(b"d", msg.data)
    if isinstance(msg, m.CopyDone):
        return typed(b"c")
    if isinstance(msg, m.CopyFail):
        return typed(b"f", cs(msg.message))
    if isinstance(msg, m.PasswordMessage):
        return typed(b"p", msg.data)
    if isinstance(msg, m.FunctionCall):
        return typed(b"F", msg.data)
    raise TypeError(msg)


# =========================================================================== strategies

names = st.text(alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=12)
texts = st.text(alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=80)
i16 = st.integers(-(2 ** 15), 2 ** 15 - 1)
i32 = st.integers(-(2 ** 31), 2 ** 31 - 1)
u32 = st.integers(0, 2 ** 32 - 1)
fmt = st.sampled_from([0, 1])
param = st.one_of(st.none(), st.binary(max_size=64))

typed_messages = st.one_of(
    st.builds(m.Query, texts),
    st.builds(m.Parse, names, texts, st.lists(u32, max_size=8)),
    st.builds(m.Bind, names, names, st.lists(fmt, max_size=6), st.lists(param, max_size=6),
              st.lists(fmt, max_size=6)),
    st.builds(m.Describe, st.sampled_from("SP"), names),
    st.builds(m.Execute, names, i32),
    st.builds(m.Close, st.sampled_from("SP"), names),
    st.builds(m.Flush), st.builds(m.Sync), st.builds(m.Terminate),
    st.builds(m.CopyData, st.binary(max_size=100)), st.builds(m.CopyDone),
    st.builds(m.CopyFail, texts),
    st.builds(m.PasswordMessage, st.binary(max_size=40)),
    st.builds(m.FunctionCall, st.binary(max_size=40)),
)

startup_messages = st.one_of(
    st.builds(m.Startup, st.sampled_from([V3, V3 | 1, V3 | 5]),
              st.dictionaries(names.filter(bool), names, max_size=5)),
    st.builds(m.SSLRequest), st.builds(m.GSSENCRequest),
    st.builds(m.CancelRequest, i32, i32),
)


def chunked(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    out, prev = [], 0
    for p in points + [len(data)]:
        out.append(data[prev:p])
        prev = p
    return out


def drain(d: FrontendDecoder, chunks: list[bytes]) -> list:
    """Feed chunks, collect messages; only ProtocolError may escape (it ends decoding)."""
    out = []
    for c in chunks:
        d.feed(c)
        while True:
            before = d.pos
            msg = d.next()
            if msg is None:
                break
            assert isinstance(msg, MESSAGE_TYPES), msg
            assert d.pos > before, "a message was returned without consuming input"
            out.append(msg)
    assert 0 <= d.pos <= len(d.buf)
    assert d.needed() >= 0
    return out


def after_startup() -> FrontendDecoder:
    d = FrontendDecoder()
    d.feed(encode(m.Startup(V3, {"user": "u"})))
    assert isinstance(d.next(), m.Startup)
    return d


# =========================================================================== decoder fuzz

def test_decoder_arbitrary_bytes(profile: str) -> None:
    @given(data=st.binary(max_size=600), cuts=st.lists(st.integers(0, 600), max_size=6),
           in_startup=st.booleans(), max_message=st.sampled_from([64, 4096, m.DEFAULT_MAX_MESSAGE]))
    def check(data: bytes, cuts: list[int], in_startup: bool, max_message: int) -> None:
        d = FrontendDecoder(max_message) if in_startup else after_startup()
        d.max_message = max_message
        try:
            drain(d, chunked(data, cuts))
        except ProtocolError as e:
            assert e.sqlstate and len(e.sqlstate) == 5

    run_with(profile, check)


def test_decoder_round_trip_any_split(profile: str) -> None:
    @given(first=startup_messages, msgs=st.lists(typed_messages, max_size=8),
           cuts=st.lists(st.integers(0, 5000), max_size=8))
    def check(first, msgs: list, cuts: list[int]) -> None:
        stream = encode(first) + encode(m.Startup(V3, {"user": "u"})) if not isinstance(first, m.Startup) \
            else encode(first)
        expected = [first] if isinstance(first, m.Startup) else [first, m.Startup(V3, {"user": "u"})]
        if isinstance(first, m.CancelRequest):
            stream, expected = encode(first), [first]  # a cancel connection carries nothing else
            msgs = []
        stream += b"".join(encode(x) for x in msgs)
        expected += msgs
        got = drain(FrontendDecoder(), chunked(stream, cuts))
        assert got == expected

    run_with(profile, check)


@dataclass
class Mutation:
    kind: str
    pos: int
    value: bytes


mutations = st.builds(
    Mutation, st.sampled_from(["flip", "insert", "delete", "truncate", "length", "type"]),
    st.integers(0, 10_000), st.binary(min_size=1, max_size=4))


def mutate(data: bytes, mut: Mutation) -> bytes:
    if not data:
        return mut.value
    p = mut.pos % len(data)
    if mut.kind == "flip":
        return data[:p] + bytes([data[p] ^ (mut.value[0] or 1)]) + data[p + 1:]
    if mut.kind == "insert":
        return data[:p] + mut.value + data[p:]
    if mut.kind == "delete":
        return data[:p] + data[p + len(mut.value):]
    if mut.kind == "truncate":
        return data[:p]
    if mut.kind == "length":  # overwrite 4 bytes with an interesting length word
        word = struct.pack("!i", [0, 3, 4, 5, -1, 2 ** 31 - 1, -(2 ** 31), 10_001, 65_536][mut.value[0] % 9])
        return data[:p] + word + data[p + 4:]
    if mut.kind == "type":
        return data[:p] + bytes([mut.value[0]]) + data[p + 1:]
    raise AssertionError(mut.kind)


def test_decoder_mutated_streams(profile: str) -> None:
    @given(first=startup_messages, msgs=st.lists(typed_messages, min_size=1, max_size=6),
           muts=st.lists(mutations, min_size=1, max_size=4), cuts=st.lists(st.integers(0, 3000), max_size=5))
    def check(first, msgs: list, muts: list[Mutation], cuts: list[int]) -> None:
        stream = encode(first) + b"".join(encode(x) for x in msgs)
        for mu in muts:
            stream = mutate(stream, mu)
        try:
            drain(FrontendDecoder(), chunked(stream, cuts))
        except ProtocolError as e:
            assert e.sqlstate and len(e.sqlstate) == 5

    run_with(profile, check)


def test_executemany_scanner_agrees_with_the_decoder(profile: str) -> None:
    """take_bind_executes (executemany's row scanner) on any stream, cut anywhere, with
    rows mutated at random: it returns exactly the Binds the ordinary decoder would, consumes
    nothing past the last complete Bind/[Describe]/Execute of the first Bind's shape, and
    whatever it leaves decodes the ordinary way."""
    @given(first=st.builds(m.Bind, st.just(""), names, st.lists(fmt, max_size=4),
                           st.lists(param, min_size=0, max_size=4), st.lists(fmt, max_size=3)),
           rows=st.lists(st.lists(param, min_size=0, max_size=4), max_size=8),
           describe=st.booleans(), tail=st.lists(typed_messages, max_size=3),
           cut=st.integers(0, 4000), flip=st.tuples(st.integers(0, 4000), st.integers(0, 255)) | st.none())
    def check(first, rows, describe, tail, cut, flip) -> None:
        stream = b""
        for params in rows:
            stream += encode(m.Bind("", first.statement, first.param_formats, params, first.result_formats))
            if describe:
                stream += encode(m.Describe("P", ""))
            stream += encode(m.Execute("", 0))
        stream += b"".join(encode(x) for x in tail)
        if flip is not None and stream:
            i = flip[0] % len(stream)
            stream = stream[:i] + bytes([flip[1]]) + stream[i + 1:]
        stream = stream[:cut]
        d = after_startup()
        d.feed(stream)
        binds, partial = d.take_bind_executes(m.bind_row_shape(first, describe), 1000)
        taken = stream[:len(stream) - d.pending()]
        # what it took is whole rows, the same the ordinary decoder sees in those bytes
        ref = after_startup()
        msgs = drain(ref, [taken])
        assert ref.pending() == 0
        expect = [x for x in msgs if isinstance(x, m.Bind)]
        assert binds == expect
        assert all(b.statement == first.statement and b.param_formats == first.param_formats
                   and len(b.params) == len(first.params) and b.result_formats == first.result_formats
                   for b in binds)
        assert len(msgs) == len(binds) * (3 if describe else 2)
        if partial:
            assert d.pending() > 0
        try:  # and the rest still decodes (or fails) the ordinary way
            drain(d, [b""])
        except ProtocolError:
            pass

    run_with(profile, check)


def test_executemany_block_scanner_agrees_with_the_row_scanner(profile: str) -> None:
    """take_bind_block (the column-at-a-time scanner) on any stream of executemany rows, cut
    anywhere, with bytes flipped and lengths rewritten: its block's rows plus the Binds it
    returns after them are exactly what take_bind_executes returns on the same bytes, it
    consumes exactly as much, and says `partial` when that one does."""
    @given(first=st.builds(m.Bind, st.just(""), names, st.lists(fmt, max_size=4),
                           st.lists(param, min_size=0, max_size=4), st.lists(fmt, max_size=3)),
           rows=st.lists(st.lists(param, min_size=0, max_size=4), min_size=0, max_size=40),
           same=st.booleans(), describe=st.booleans(), tail=st.lists(typed_messages, max_size=2),
           cut=st.integers(0, 6000), muts=st.lists(mutations, max_size=2), limit=st.integers(1, 60))
    def check(first, rows, same, describe, tail, cut, muts, limit) -> None:
        stream = b""
        for params in rows:
            if same:  # mostly rows of the first Bind's shape, as executemany sends them
                params = (params + first.params)[:len(first.params)]
            stream += encode(m.Bind("", first.statement, first.param_formats, params, first.result_formats))
            if describe:
                stream += encode(m.Describe("P", ""))
            stream += encode(m.Execute("", 0))
        stream += b"".join(encode(x) for x in tail)
        for mu in muts:
            stream = mutate(stream, mu)
        stream = stream[:cut]
        shape = m.bind_row_shape(first, describe)
        ref = after_startup()
        ref.feed(stream)
        expect, ref_partial = ref.take_bind_executes(shape, limit)
        d = after_startup()
        d.feed(stream)
        block, rest, partial = d.take_bind_block(shape, limit)
        last = block.last() if block is not None else None  # built from the columns
        got = (block.binds() if block is not None else []) + rest
        assert got == expect
        assert d.pos == ref.pos and partial == ref_partial
        if block is not None:
            assert len(block) >= d.BLOCK_MIN_ROWS
            assert last == block.binds()[-1]
            assert all(len(c) == len(block) for c in block.columns)

    run_with(profile, check)


def test_executemany_wait_for_more_rows_never_waits_on_a_complete_message(profile: str) -> None:
    """bind_rows_pending (the run waits for more rows before scanning them) on any stream of
    executemany rows, mutated, fed in pieces with a call after each: when it says wait, every
    complete message in the buffer is a Bind, Describe or Execute (so a Sync, a Flush or
    anything else the client sent is never left waiting for bytes that will not come; a row
    that is bad inside is reported once the client's Sync arrives), and there are fewer
    complete rows than asked for; and its answer after the pieces is the
    answer of a fresh decoder given the whole buffer at once (its resumed walk agrees)."""
    @given(first=st.builds(m.Bind, st.just(""), names, st.lists(fmt, max_size=4),
                           st.lists(param, min_size=0, max_size=4), st.lists(fmt, max_size=3)),
           rows=st.lists(st.lists(param, min_size=0, max_size=4), min_size=0, max_size=30),
           describe=st.booleans(), tail=st.lists(typed_messages, max_size=2),
           cuts=st.lists(st.integers(0, 6000), max_size=6), muts=st.lists(mutations, max_size=2),
           want=st.integers(1, 40), nbytes=st.integers(1, 4000))
    def check(first, rows, describe, tail, cuts, muts, want, nbytes) -> None:
        stream = b""
        for params in rows:
            params = (params + first.params)[:len(first.params)]
            stream += encode(m.Bind("", first.statement, first.param_formats, params, first.result_formats))
            if describe:
                stream += encode(m.Describe("P", ""))
            stream += encode(m.Execute("", 0))
        stream += b"".join(encode(x) for x in tail)
        for mu in muts:
            stream = mutate(stream, mu)
        shape = m.bind_row_shape(first, describe)
        d = after_startup()
        waits = None
        for piece in chunked(stream, cuts):
            d.feed(piece)
            waits = d.bind_rows_pending(shape, want, nbytes)
        fresh = after_startup()
        fresh.feed(stream)
        assert waits == fresh.bind_rows_pending(shape, want, nbytes)
        if waits:  # the whole messages in the buffer, framed by their lengths
            types, at = [], 0
            while len(stream) - at >= 5:
                ln = struct.unpack_from("!i", stream, at + 1)[0]
                if ln < 4 or len(stream) - at < ln + 1:
                    break
                types.append(stream[at])
                at += 1 + ln
            assert set(types) <= set(b"BDE"), types
            assert types.count(ord("E")) < want

    run_with(profile, check)


def test_decoder_bounded_memory_for_any_header(profile: str) -> None:
    # Whatever the header says, a decoder fed 5 bytes either waits (length within the
    # limit, and then only for the declared bytes) or raises; it never decodes past them.
    @given(t=st.integers(0, 255), ln=i32, max_message=st.integers(5, 2 ** 31 - 1))
    def check(t: int, ln: int, max_message: int) -> None:
        d = after_startup()
        d.max_message = max_message
        d.feed(bytes([t]) + struct.pack("!i", ln))
        try:
            msg = d.next()
        except ProtocolError:
            return
        if msg is None:
            assert 4 < ln <= max_message, f"waiting for an invalid length {ln}"
            assert d.needed() == ln - 4
        else:
            assert ln == 4

    run_with(profile, check)


# =========================================================================== live fuzz

SQL_POOL = [
    "SELECT 1", "SELECT $1::int", "SELECT $1::text, $2::int", "", " ", ";", "BEGIN", "COMMIT", "ROLLBACK",
    "SELECT * FROM fuzz_t WHERE id = $1", "INSERT INTO fuzz_t VALUES ($1, $2)",
    "INSERT INTO fuzz_t VALUES (1, 'a') RETURNING *", "UPDATE fuzz_t SET name = $1 WHERE id = $2",
    "DELETE FROM fuzz_t WHERE id > 1000", "SELECT * FROM no_such_table", "SELECT nosuchcolumn",
    "SELECT x FROM (VALUES (1), (2), (3)) AS v(x)", "SET application_name = 'fuzz'", "SHOW TimeZone",
    "SELECT 1; SELECT 2", "SELEC garbage", "COPY (SELECT 1) TO STDOUT", "SELECT $1", "SELECT $2",
    "DECLARE fc CURSOR WITH HOLD FOR SELECT 1", "FETCH 1 FROM fc", "CLOSE fc", "SAVEPOINT s", "RELEASE s",
    "SELECT 'é€😀'", "SELECT repeat('x', 10000)", "SELECT pg_sleep(0)",
]
STMT_NAMES = ["", "a", "b"]
PARAM_VALUES = [b"1", b"0", b"-5", b"abc", b"", b"\x00\x00\x00\x01", b"\xff\xfe", b"99999999999999999999", None]

live_bodies = st.binary(max_size=48)
oids = st.sampled_from([0, 16, 20, 23, 25, 1043, 1700, 3802, 2 ** 32 - 1, 123456])
live_message = st.one_of(
    st.builds(lambda s: w.query(s), st.sampled_from(SQL_POOL)),
    st.builds(lambda n, s, o: w.parse(n, s, o), st.sampled_from(STMT_NAMES), st.sampled_from(SQL_POOL),
              st.lists(oids, max_size=3)),
    st.builds(lambda p, s, v, pf, rf: w.bind(p, s, v, pf, rf), st.sampled_from(["", "p"]),
              st.sampled_from(STMT_NAMES), st.lists(st.sampled_from(PARAM_VALUES), max_size=3),
              st.lists(st.sampled_from([0, 1, 2, -1]), max_size=3), st.lists(st.sampled_from([0, 1, 7]), max_size=3)),
    st.builds(lambda k, n: w.describe(k, n), st.sampled_from("SPX"), st.sampled_from(["", "a", "p"])),
    st.builds(lambda p, n: w.execute(p, n), st.sampled_from(["", "p"]), st.sampled_from([0, 1, 2, -1, 2 ** 31 - 1])),
    st.builds(lambda k, n: w.close(k, n), st.sampled_from("SPZ"), st.sampled_from(["", "a", "p"])),
    st.just(w.sync()), st.just(w.flush()), st.just(w.copy_done()),
    st.builds(w.copy_data, live_bodies), st.builds(w.copy_fail, st.sampled_from(["x", ""])),
    # well-framed message of any type with any body
    st.builds(lambda t, b: w.msg(bytes([t]), b), st.integers(0, 255), live_bodies),
    # a valid message with its body corrupted (the frame stays intact)
    st.builds(lambda t, b: w.msg(t, b), st.sampled_from([b"Q", b"P", b"B", b"D", b"E", b"C", b"S", b"H", b"f"]),
              live_bodies),
)


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS line")


@pytest.fixture
def fuzz_gateway(gateway_factory):
    srv = gateway_factory()
    with w.connect_ready(srv.host, srv.port) as c:
        c.scalar("SELECT 1")
        msgs = c.simple("CREATE TABLE fuzz_t (id int, name text)")
        assert not w.errors(msgs), msgs
    return srv


def finish_and_check(c: w.PgWire, tag: str) -> str:
    """After a fuzz sequence: Sync, ROLLBACK, and a sentinel query. Returns how it ended.

    The server must answer the sentinel (or close the connection); every message it sends
    on the way is decoded and validated by the client.
    """
    if not c.try_send(w.sync(), w.query("ROLLBACK"), w.query(f"SELECT '{tag}'")):
        c.expect_closed(LIVE_READ_TIMEOUT)
        return "closed"
    seen_sentinel = False
    while True:
        try:
            msg = c.read(LIVE_READ_TIMEOUT)
        except w.ConnectionClosed as e:
            assert not e.partial, f"connection closed in the middle of a message: {e.partial[:80]!r}"
            return "closed"
        if msg.type == "D" and msg.value == [tag.encode()]:
            seen_sentinel = True
        elif msg.type == "Z" and seen_sentinel:
            return "answered"


def test_live_message_sequences(fuzz_gateway, profile: str) -> None:
    srv = fuzz_gateway
    pid = srv.proc.pid
    control = w.connect_ready(srv.host, srv.port)
    counter = [0]
    outcomes = {"answered": 0, "closed": 0}
    rss_start = [0]

    @given(seq=st.lists(live_message, min_size=1, max_size=12))
    def check(seq: list[bytes]) -> None:
        counter[0] += 1
        note(f"sequence: {b''.join(seq)!r}")
        with w.connect_ready(srv.host, srv.port, timeout=LIVE_READ_TIMEOUT) as c:
            if c.try_send(*seq):
                outcomes[finish_and_check(c, f"sentinel-{counter[0]}")] += 1
            else:
                c.expect_closed(LIVE_READ_TIMEOUT)
                outcomes["closed"] += 1
        assert srv.proc.poll() is None, f"gateway exited with {srv.proc.returncode}"
        assert control.scalar("SELECT 1") == "1"
        if counter[0] == 20:
            rss_start[0] = rss_bytes(pid)

    try:
        run_with(profile, check, max_examples=LIVE_EXAMPLES[profile])
        rss_end = rss_bytes(pid)
        assert rss_start[0], "too few examples ran to measure memory"
        assert rss_end - rss_start[0] < RSS_GROWTH_LIMIT, (
            f"gateway RSS grew from {rss_start[0] >> 20} MiB to {rss_end >> 20} MiB")
        print(f"live fuzz outcomes: {outcomes}, RSS {rss_start[0] >> 20} -> {rss_end >> 20} MiB")
        assert outcomes["answered"] > 0, outcomes
    finally:
        control.close()


def test_live_raw_bytes_then_half_close(fuzz_gateway, profile: str) -> None:
    srv = fuzz_gateway
    control = w.connect_ready(srv.host, srv.port)

    @given(garbage=st.binary(min_size=1, max_size=2000), do_startup=st.booleans())
    def check(garbage: bytes, do_startup: bool) -> None:
        c = w.connect_ready(srv.host, srv.port, timeout=LIVE_READ_TIMEOUT) if do_startup \
            else w.PgWire.connect(srv.host, srv.port, timeout=LIVE_READ_TIMEOUT)
        try:
            if c.try_send(garbage):
                try:
                    c.sock.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
            # Every byte the server sends is a valid message (or the one-byte 'N' answer to
            # an SSL/GSS request before startup), and it closes once it sees our EOF.
            while True:
                try:
                    c.read(LIVE_READ_TIMEOUT)
                except w.ConnectionClosed as e:
                    assert not e.partial or (not do_startup and set(e.partial) <= {ord("N")}), e.partial
                    break
                except w.BadBackendMessage:
                    if do_startup:
                        raise
                    assert c.buf[:1] == b"N"  # SSLRequest/GSSENCRequest answer, then messages
                    del c.buf[:1]
        finally:
            c.close()
        assert srv.proc.poll() is None, f"gateway exited with {srv.proc.returncode}"
        assert control.scalar("SELECT 1") == "1"

    try:
        run_with(profile, check, max_examples=RAW_LIVE_EXAMPLES[profile])
    finally:
        control.close()


PERSISTENT_EXAMPLES = {"dataforge-fuzz": 10_000, "dataforge-fuzz-slow": 100_000}


def test_live_sequences_on_a_persistent_connection(fuzz_gateway, profile: str) -> None:
    """10,000 generated sequences per run (100,000 with --runslow) against the live server,
    on one connection for as long as the server keeps it: the state a sequence leaves behind
    (open transactions, portals, failed pipelines) is what the next one starts from."""
    srv = fuzz_gateway
    pid = srv.proc.pid
    control = w.connect_ready(srv.host, srv.port)
    conn: list = [None]
    counter = [0]
    outcomes = {"answered": 0, "closed": 0}
    rss_start = [0]

    @given(seq=st.lists(live_message, min_size=1, max_size=8))
    def check(seq: list[bytes]) -> None:
        counter[0] += 1
        note(f"sequence: {b''.join(seq)!r}")
        if conn[0] is None:
            conn[0] = w.connect_ready(srv.host, srv.port, timeout=LIVE_READ_TIMEOUT)
        c = conn[0]
        if c.try_send(*seq):
            how = finish_and_check(c, f"p-{counter[0]}")
        else:
            c.expect_closed(LIVE_READ_TIMEOUT)
            how = "closed"
        outcomes[how] += 1
        if how == "closed":
            c.close()
            conn[0] = None
        if counter[0] % 500 == 0:
            assert srv.proc.poll() is None, f"gateway exited with {srv.proc.returncode}"
            assert control.scalar("SELECT 1") == "1"
        if counter[0] == 200:
            rss_start[0] = rss_bytes(pid)

    try:
        run_with(profile, check, max_examples=PERSISTENT_EXAMPLES[profile],
                 phases=[Phase.generate])  # every example is new traffic; no shrinking replays
        assert counter[0] >= PERSISTENT_EXAMPLES[profile] * 0.9, counter[0]
        assert control.scalar("SELECT 1") == "1"
        rss_end = rss_bytes(pid)
        assert rss_end - rss_start[0] < RSS_GROWTH_LIMIT, (rss_start[0] >> 20, rss_end >> 20)
        print(f"persistent live fuzz: {counter[0]} sequences, {outcomes}, RSS {rss_start[0] >> 20} -> "
              f"{rss_end >> 20} MiB")
    finally:
        if conn[0] is not None:
            conn[0].close()
        control.close()
