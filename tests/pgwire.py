"""A small raw-socket PostgreSQL v3 client for protocol tests.

It speaks just enough of the wire to drive a server message by message: startup with trust
auth, any frontend message (well-formed or deliberately broken), and backend messages read
and decoded one at a time. Every read has a timeout, so a server that stops answering makes
the test fail with :class:`WireTimeout` instead of hanging.

    with PgWire.connect(host, port) as c:
        c.startup(user="postgres", database="postgres")
        c.parse("", "SELECT $1::int"); c.bind("", "", params=[b"1"]); c.execute(""); c.sync()
        msgs = c.read_until("Z")

Backend messages come back as :class:`Msg` (``type`` is the one-character type code,
``body`` the raw payload) with a decoded view in ``Msg.value`` (see :func:`decode_backend`).
Frontend builders are plain functions returning bytes, so tests can concatenate them into
pipelines or corrupt them.
"""

from __future__ import annotations

import socket
import struct
import time
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

PROTOCOL_3_0 = 196608
SSL_REQUEST_CODE = 80877103
GSSENC_REQUEST_CODE = 80877104
CANCEL_REQUEST_CODE = 80877102

DEFAULT_TIMEOUT = 10.0

OID_BOOL, OID_INT8, OID_INT2, OID_INT4, OID_TEXT = 16, 20, 21, 23, 25


class WireTimeout(AssertionError):
    """The server sent nothing for `timeout` seconds while we waited for a message."""


class ConnectionClosed(Exception):
    """The server closed the connection (EOF)."""

    def __init__(self, message: str, partial: bytes = b""):
        super().__init__(message)
        self.partial = partial


class BadBackendMessage(AssertionError):
    """The server sent bytes that are not a valid backend message."""


# --------------------------------------------------------------------------- frontend builders

_I16 = struct.Struct("!h")
_I32 = struct.Struct("!i")


def cstr(s: str | bytes) -> bytes:
    if isinstance(s, str):
        s = s.encode("utf-8")
    return s + b"\x00"


def msg(t: bytes | str, body: bytes = b"") -> bytes:
    """One typed frontend message with a correct length word."""
    if isinstance(t, str):
        t = t.encode("ascii")
    return t + _I32.pack(len(body) + 4) + body


def startup_message(params: dict[str, str] | None = None, version: int = PROTOCOL_3_0) -> bytes:
    body = _I32.pack(version)
    for k, v in (params or {}).items():
        body += cstr(k) + cstr(v)
    body += b"\x00"
    return _I32.pack(len(body) + 4) + body


def ssl_request() -> bytes:
    return struct.pack("!ii", 8, SSL_REQUEST_CODE)


def gssenc_request() -> bytes:
    return struct.pack("!ii", 8, GSSENC_REQUEST_CODE)


def cancel_request(pid: int, key: int) -> bytes:
    return struct.pack("!iiii", 16, CANCEL_REQUEST_CODE, pid, key)


def query(sql: str | bytes) -> bytes:
    return msg("Q", cstr(sql))


def parse(name: str, sql: str | bytes, param_oids: Sequence[int] = ()) -> bytes:
    body = cstr(name) + cstr(sql) + _I16.pack(len(param_oids))
    body += b"".join(struct.pack("!I", o & 0xFFFFFFFF) for o in param_oids)
    return msg("P", body)


def bind(portal: str, statement: str, params: Sequence[bytes | None] = (),
         param_formats: Sequence[int] = (), result_formats: Sequence[int] = ()) -> bytes:
    body = cstr(portal) + cstr(statement)
    body += _I16.pack(len(param_formats)) + b"".join(_I16.pack(f) for f in param_formats)
    body += _I16.pack(len(params))
    for p in params:
        body += b"\xff\xff\xff\xff" if p is None else _I32.pack(len(p)) + p
    body += _I16.pack(len(result_formats)) + b"".join(_I16.pack(f) for f in result_formats)
    return msg("B", body)


def describe(kind: str, name: str) -> bytes:
    return msg("D", kind.encode("ascii") + cstr(name))


def execute(portal: str = "", max_rows: int = 0) -> bytes:
    return msg("E", cstr(portal) + _I32.pack(max_rows))


def close(kind: str, name: str) -> bytes:
    return msg("C", kind.encode("ascii") + cstr(name))


def sync() -> bytes:
    return msg("S")


def flush() -> bytes:
    return msg("H")


def terminate() -> bytes:
    return msg("X")


def copy_data(data: bytes) -> bytes:
    return msg("d", data)


def copy_done() -> bytes:
    return msg("c")


def copy_fail(message: str) -> bytes:
    return msg("f", cstr(message))


# --------------------------------------------------------------------------- backend decoding

@dataclass
class Msg:
    type: str
    body: bytes
    value: Any = None

    def __repr__(self) -> str:  # short, readable in assertion messages
        v = self.value if self.value is not None else self.body[:60]
        return f"Msg({self.type!r}, {v!r})"


@dataclass
class FieldDesc:
    name: str
    table_oid: int
    column: int
    type_oid: int
    typlen: int
    typmod: int
    format: int


class _Body:
    def __init__(self, t: str, b: bytes):
        self.t, self.b, self.pos = t, b, 0

    def fail(self, why: str) -> BadBackendMessage:
        return BadBackendMessage(f"backend message {self.t!r}: {why}: {self.b[:200]!r}")

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.b):
            raise self.fail("truncated")
        v = self.b[self.pos:self.pos + n]
        self.pos += n
        return v

    def i16(self) -> int:
        return _I16.unpack(self.take(2))[0]

    def i32(self) -> int:
        return _I32.unpack(self.take(4))[0]

    def u32(self) -> int:
        return struct.unpack("!I", self.take(4))[0]

    def cstr(self) -> str:
        i = self.b.find(b"\x00", self.pos)
        if i < 0:
            raise self.fail("unterminated string")
        s = self.b[self.pos:i]
        self.pos = i + 1
        try:
            return s.decode("utf-8")
        except UnicodeDecodeError:
            raise self.fail("string is not UTF-8") from None

    def end(self) -> None:
        if self.pos != len(self.b):
            raise self.fail(f"{len(self.b) - self.pos} trailing bytes")


_EMPTY_BODY = {"1", "2", "3", "n", "s", "I", "c"}


def decode_backend(t: str, body: bytes) -> Any:
    """Decode and validate one backend message; raise BadBackendMessage if it is malformed.

    Values: E/N → dict of field code → text ('C' SQLSTATE, 'M' message, 'S' severity...);
    T → list[FieldDesc]; D → list[bytes|None]; t → list of OIDs; C → tag; Z → status char;
    S → (name, value); K → (pid, key); R → (code, payload); v → (minor, [options]);
    G/H → (format, [column formats]); d → bytes; A → (pid, channel, payload); others → None.
    """
    r = _Body(t, body)
    if t in ("E", "N"):
        fields: dict[str, str] = {}
        while True:
            code = r.take(1)
            if code == b"\x00":
                break
            fields[code.decode("latin-1")] = r.cstr()
        r.end()
        return fields
    if t == "T":
        n = r.i16()
        if n < 0:
            raise r.fail("negative field count")
        out = []
        for _ in range(n):
            name = r.cstr()
            table_oid, col = r.u32(), r.i16()
            type_oid, typlen, typmod, fmt = r.u32(), r.i16(), r.i32(), r.i16()
            if fmt not in (0, 1):
                raise r.fail(f"format code {fmt}")
            out.append(FieldDesc(name, table_oid, col, type_oid, typlen, typmod, fmt))
        r.end()
        return out
    if t == "D":
        n = r.i16()
        if n < 0:
            raise r.fail("negative column count")
        vals: list[bytes | None] = []
        for _ in range(n):
            ln = r.i32()
            if ln == -1:
                vals.append(None)
            elif ln < -1:
                raise r.fail(f"value length {ln}")
            else:
                vals.append(r.take(ln))
        r.end()
        return vals
    if t == "t":
        n = r.i16()
        if n < 0:
            raise r.fail("negative parameter count")
        oids = [r.u32() for _ in range(n)]
        r.end()
        return oids
    if t == "C":
        tag = r.cstr()
        r.end()
        return tag
    if t == "Z":
        s = r.take(1).decode("latin-1")
        r.end()
        if s not in ("I", "T", "E"):
            raise r.fail(f"transaction status {s!r}")
        return s
    if t == "S":
        name, value = r.cstr(), r.cstr()
        r.end()
        return (name, value)
    if t == "K":
        pid, key = r.i32(), r.i32()
        r.end()
        return (pid, key)
    if t == "R":
        code = r.i32()
        return (code, body[4:])
    if t == "v":
        minor, n = r.i32(), r.i32()
        if n < 0:
            raise r.fail("negative option count")
        opts = [r.cstr() for _ in range(n)]
        r.end()
        return (minor, opts)
    if t in ("G", "H", "W"):
        fmt, n = r.take(1)[0], r.i16()
        cols = [r.i16() for _ in range(n)]
        r.end()
        return (fmt, cols)
    if t == "d":
        return body
    if t == "A":
        pid, channel, payload = r.i32(), r.cstr(), r.cstr()
        r.end()
        return (pid, channel, payload)
    if t in _EMPTY_BODY:
        r.end()
        return None
    raise BadBackendMessage(f"unknown backend message type {t!r} ({body[:100]!r})")


# --------------------------------------------------------------------------- the client

@dataclass
class StartupResult:
    messages: list[Msg]
    parameters: dict[str, str] = field(default_factory=dict)
    pid: int | None = None
    key: int | None = None
    negotiate: tuple[int, list[str]] | None = None
    status: str | None = None
    error: dict[str, str] | None = None


class PgWire:
    """One raw connection. All reads time out after `timeout` seconds (WireTimeout)."""

    def __init__(self, sock: socket.socket, timeout: float = DEFAULT_TIMEOUT):
        self.sock = sock
        self.timeout = timeout
        self.buf = bytearray()
        self.eof = False
        self.pid: int | None = None
        self.key: int | None = None
        self.parameters: dict[str, str] = {}

    @classmethod
    def connect(cls, host: str, port: int, timeout: float = DEFAULT_TIMEOUT) -> "PgWire":
        sock = socket.create_connection((host, port), timeout=timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return cls(sock, timeout)

    def __enter__(self) -> "PgWire":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    # ----------------------------------------------------------------- sending

    def send(self, *parts: bytes) -> None:
        """Send raw bytes (one or several already-built messages)."""
        data = b"".join(parts)
        self.sock.settimeout(self.timeout)
        try:
            self.sock.sendall(data)
        except socket.timeout:
            raise WireTimeout(f"could not send {len(data)} bytes within {self.timeout}s") from None

    def try_send(self, *parts: bytes) -> bool:
        """Send, but return False instead of raising if the server already closed."""
        try:
            self.send(*parts)
            return True
        except (BrokenPipeError, ConnectionResetError):
            return False

    # ----------------------------------------------------------------- receiving

    def _fill(self, n: int, deadline: float) -> None:
        while len(self.buf) < n:
            if self.eof:
                raise ConnectionClosed(f"server closed the connection (wanted {n} bytes, "
                                       f"have {len(self.buf)})", bytes(self.buf))
            left = deadline - time.monotonic()
            if left <= 0:
                raise WireTimeout(f"no complete message from the server within {self.timeout}s "
                                  f"(buffered: {bytes(self.buf[:100])!r})")
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(1 << 20)
            except socket.timeout:
                continue
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                self.eof = True
            else:
                self.buf += chunk

    def read_byte(self, timeout: float | None = None) -> bytes:
        """One raw byte (the answer to SSLRequest / GSSENCRequest)."""
        self._fill(1, time.monotonic() + (timeout or self.timeout))
        b = bytes(self.buf[:1])
        del self.buf[:1]
        return b

    def read(self, timeout: float | None = None) -> Msg:
        """The next backend message, decoded and validated."""
        deadline = time.monotonic() + (timeout or self.timeout)
        self._fill(5, deadline)
        t = chr(self.buf[0])
        ln = _I32.unpack_from(self.buf, 1)[0]
        if ln < 4 or ln > (1 << 30):
            raise BadBackendMessage(f"backend message {t!r} with length {ln}")
        self._fill(1 + ln, deadline)
        body = bytes(self.buf[5:1 + ln])
        del self.buf[:1 + ln]
        return Msg(t, body, decode_backend(t, body))

    def read_until(self, types: str | Iterable[str] = "Z", timeout: float | None = None) -> list[Msg]:
        """Messages up to and including the first one whose type is in `types`."""
        stop = set(types)
        out = []
        while True:
            m = self.read(timeout)
            out.append(m)
            if m.type in stop:
                return out

    def read_n(self, n: int, timeout: float | None = None) -> list[Msg]:
        return [self.read(timeout) for _ in range(n)]

    def expect_closed(self, timeout: float | None = None) -> list[Msg]:
        """Read until the server closes the connection; return what it sent before.

        Raises WireTimeout if the server keeps the connection open.
        """
        out = []
        while True:
            try:
                out.append(self.read(timeout))
            except ConnectionClosed as e:
                if e.partial:
                    raise BadBackendMessage(f"connection closed mid-message: {e.partial[:100]!r}")
                return out

    def is_closed(self, timeout: float | None = None) -> bool:
        """True if the server closes the connection without sending anything more."""
        try:
            m = self.read(timeout)
        except ConnectionClosed as e:
            return not e.partial
        raise AssertionError(f"expected the connection to close, got {m!r}")

    # ----------------------------------------------------------------- conveniences

    def startup(self, user: str = "postgres", database: str = "postgres",
                version: int = PROTOCOL_3_0, **params: str) -> StartupResult:
        """Send a StartupMessage and read up to ReadyForQuery (or an ErrorResponse)."""
        p = {"user": user, "database": database, **params}
        self.send(startup_message(p, version))
        res = StartupResult(messages=[])
        while True:
            m = self.read()
            res.messages.append(m)
            if m.type == "R":
                if m.value[0] != 0:
                    raise AssertionError(f"server asked for authentication {m.value[0]} (trust expected)")
            elif m.type == "S":
                res.parameters[m.value[0]] = m.value[1]
            elif m.type == "K":
                res.pid, res.key = m.value
            elif m.type == "v":
                res.negotiate = m.value
            elif m.type == "E":
                res.error = m.value
                return res
            elif m.type == "Z":
                res.status = m.value
                self.pid, self.key, self.parameters = res.pid, res.key, res.parameters
                return res

    def simple(self, sql: str) -> list[Msg]:
        """Send one Query message and read up to ReadyForQuery."""
        self.send(query(sql))
        return self.read_until("Z")

    def scalar(self, sql: str) -> str | None:
        """Run a one-row one-column query; return the text value (raise on error)."""
        msgs = self.simple(sql)
        errs = [m.value for m in msgs if m.type == "E"]
        if errs:
            raise AssertionError(f"{sql!r} failed: {errs[0]}")
        rows = [m.value for m in msgs if m.type == "D"]
        assert len(rows) == 1 and len(rows[0]) == 1, f"{sql!r}: expected one value, got {msgs}"
        v = rows[0][0]
        return None if v is None else v.decode()


def connect_ready(host: str, port: int, timeout: float = DEFAULT_TIMEOUT, **params: str) -> PgWire:
    """Connect and complete startup; fails the test if the server does not become ready."""
    c = PgWire.connect(host, port, timeout)
    res = c.startup(**params)
    if res.status != "I":
        c.close()
        raise AssertionError(f"startup did not reach ReadyForQuery 'I': {res.messages}")
    return c


def types(msgs: Iterable[Msg]) -> str:
    """The message type codes as one string, e.g. '12TDCZ' (compact for assertions)."""
    return "".join(m.type for m in msgs)


def errors(msgs: Iterable[Msg]) -> list[dict[str, str]]:
    return [m.value for m in msgs if m.type == "E"]


def rows(msgs: Iterable[Msg]) -> list[list[str | None]]:
    return [[None if v is None else v.decode() for v in m.value] for m in msgs if m.type == "D"]
