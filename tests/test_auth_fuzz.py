"""Fuzz the authentication phase of a live gateway with a users file: generated SASL, md5 and
cleartext responses, garbage and early hang-ups. The server answers with an ErrorResponse or
closes; it never hangs or authenticates anyone without the password, and other sessions keep
working."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from gateway.auth import add_user
from tests import pgwire as w
from tests.test_fuzz import LIVE_READ_TIMEOUT, rss_bytes, run_with  # noqa: F401 - profile helpers

AUTH_EXAMPLES = {"dataforge-fuzz": 1500, "dataforge-fuzz-slow": 15_000}


@pytest.fixture
def profile(request) -> str:
    return "dataforge-fuzz-slow" if request.config.getoption("--runslow") else "dataforge-fuzz"


@pytest.fixture
def auth_gateway(gateway_factory, tmp_path):
    users = tmp_path / "users.json"
    add_user(users, "fz", "write", "right-password", md5=True)
    add_user(users, "pw", "write", "right-password")
    cfg = tmp_path / "auth.toml"
    cfg.write_text(f"[gateway]\nusers = '{users}'\nauthentication_timeout_s = 3\n"
                   "[[gateway.host_rules]]\nuser = 'fz'\nmethod = 'md5'\n"
                   "[[gateway.host_rules]]\nuser = 'pw'\nmethod = 'password'\n"
                   "[[gateway.host_rules]]\nmethod = 'scram-sha-256'\n")
    return gateway_factory("--config", str(cfg))


def _sasl_initial(mech: bytes, data: bytes | None) -> bytes:
    n = -1 if data is None else len(data)
    return w.msg("p", mech + b"\x00" + struct.pack("!i", n) + (data or b""))


client_first = st.one_of(
    st.just(b"n,,n=,r=abcdefghijklmnop"), st.just(b"y,,n=,r=x"), st.just(b"p=tls-server-end-point,,n=,r=x"),
    st.binary(max_size=80), st.builds(lambda r: b"n,,n=,r=" + r, st.binary(max_size=40)),
)
auth_reply = st.one_of(
    st.builds(_sasl_initial, st.sampled_from([b"SCRAM-SHA-256", b"SCRAM-SHA-256-PLUS", b"PLAIN", b""]),
              st.one_of(st.none(), client_first)),
    st.builds(lambda b: w.msg("p", b), st.binary(max_size=120)),
    st.builds(lambda b: w.msg("p", b"c=biws,r=" + b + b",p=AAAA"), st.binary(max_size=60)),
    st.builds(lambda s: w.msg("p", w.cstr(s)), st.sampled_from(["md5" + "0" * 32, "right-password", "", "x" * 500])),
    st.builds(lambda t, b: w.msg(bytes([t]), b), st.integers(0, 255), st.binary(max_size=40)),
    st.just(w.query("SELECT 1")), st.just(w.terminate()),
)


def test_live_authentication_fuzz(auth_gateway, profile: str) -> None:
    srv = auth_gateway
    counter = [0]
    authenticated = [0]

    @given(user=st.sampled_from(["fz", "pw", "nobody", "", "fz\x01"]), replies=st.lists(auth_reply, max_size=4),
           hang_up=st.booleans())
    def check(user: str, replies: list[bytes], hang_up: bool) -> None:
        counter[0] += 1
        note(f"user={user!r} replies={replies!r}")
        with w.PgWire.connect(srv.host, srv.port, timeout=LIVE_READ_TIMEOUT) as c:
            sent = c.try_send(w.startup_message({"user": user, "database": "postgres"}), *replies)
            if sent and hang_up:
                try:
                    c.sock.shutdown(__import__("socket").SHUT_WR)
                except OSError:
                    pass
            msgs = []
            while True:
                try:
                    msg = c.read(LIVE_READ_TIMEOUT + 5)
                except w.ConnectionClosed:
                    break
                except w.WireTimeout:
                    if hang_up:
                        raise
                    break  # waiting for our next reply, which we never send (the server times out)
                msgs.append(msg)
                if msg.type == "E" or msg.type == "Z":
                    break
            # nobody gets in without the right password
            if any(m.type == "Z" for m in msgs):
                authenticated[0] += 1
                assert any(r.endswith(w.cstr("right-password")[4:]) or b"right-password" in r for r in replies), msgs

    run_with(profile, check, max_examples=AUTH_EXAMPLES[profile])
    assert srv.proc.poll() is None
    with w.PgWire.connect(srv.host, srv.port) as c:
        c.send(w.startup_message({"user": "pw", "database": "postgres"}))
        assert c.read().type == "R"
        c.send(w.msg("p", w.cstr("right-password")))
        c.read_until("Z")
        assert c.scalar("SELECT 'alive'") == "alive"
    print(f"auth fuzz: {counter[0]} sequences, {authenticated[0]} authenticated with the right password")
