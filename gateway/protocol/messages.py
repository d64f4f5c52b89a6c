"""PostgreSQL v3 wire messages: frontend decoding and backend encoding.

Sans-IO: `FrontendDecoder.feed()` takes bytes, `next()` gives messages; the builders return
bytes. Nothing here touches a socket or knows SQL.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
import pyarrow as pa

PROTOCOL_3_0 = 196608
SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104
CANCEL_REQUEST = 80877102

DEFAULT_MAX_MESSAGE = 64 * 1024 * 1024

_I32 = struct.Struct("!i")
_I16 = struct.Struct("!h")
_HDR = struct.Struct("!ci")
_II = struct.Struct("!ii")


class ProtocolError(Exception):
    """The peer sent bytes that are not a valid message (SQLSTATE 08P01 unless told).

    `recoverable` is set when the framing was intact and only the contents were bad: the
    message has been consumed, and the session answers with an ERROR (skipping to Sync in the
    extended protocol) instead of closing, as PostgreSQL does. `msg_type` is its type byte."""

    def __init__(self, message: str, sqlstate: str = "08P01"):
        super().__init__(message)
        self.sqlstate = sqlstate
        self.recoverable = False
        self.msg_type = 0


# ---------------------------------------------------------------- frontend messages


@dataclass(slots=True)
class Startup:
    version: int
    params: dict[str, str]


@dataclass(slots=True)
class SSLRequest:
    pass


@dataclass(slots=True)
class GSSENCRequest:
    pass


@dataclass(slots=True)
class CancelRequest:
    pid: int
    key: int


@dataclass(slots=True)
class Query:
    sql: str


@dataclass(slots=True)
class Parse:
    name: str
    sql: str
    param_oids: list[int]


@dataclass(slots=True)
class Bind:
    portal: str
    statement: str
    param_formats: list[int]
    params: list[bytes | None]
    result_formats: list[int]


@dataclass(slots=True)
class Describe:
    kind: str  # 'S' statement or 'P' portal
    name: str


@dataclass(slots=True)
class Execute:
    portal: str
    max_rows: int


@dataclass(slots=True)
class Close:
    kind: str
    name: str


@dataclass(slots=True)
class Flush:
    pass


@dataclass(slots=True)
class Sync:
    pass


@dataclass(slots=True)
class Terminate:
    pass


@dataclass(slots=True)
class CopyData:
    data: bytes


@dataclass(slots=True)
class CopyDone:
    pass


@dataclass(slots=True)
class CopyFail:
    message: str


@dataclass(slots=True)
class PasswordMessage:
    data: bytes  # password, SASLInitialResponse or SASLResponse: meaning depends on auth state


@dataclass(slots=True)
class FunctionCall:
    data: bytes


class _Reader:
    """Cursor over one message body."""

    __slots__ = ("buf", "pos", "end")

    def __init__(self, buf: bytes, pos: int = 0):
        self.buf = buf
        self.pos = pos
        self.end = len(buf)

    def cstr(self) -> str:
        buf = self.buf
        i = buf.find(b"\x00", self.pos, self.end)
        if i < 0:
            raise ProtocolError("invalid string in message")
        try:
            s = buf[self.pos : i].decode("utf-8")
        except UnicodeDecodeError:
            raise ProtocolError("invalid byte sequence for encoding \"UTF8\"", "22021") from None
        self.pos = i + 1
        return s

    def i16(self) -> int:
        if self.pos + 2 > self.end:
            raise ProtocolError("insufficient data left in message")
        v = _I16.unpack_from(self.buf, self.pos)[0]
        self.pos += 2
        return v

    def i32(self) -> int:
        if self.pos + 4 > self.end:
            raise ProtocolError("insufficient data left in message")
        v = _I32.unpack_from(self.buf, self.pos)[0]
        self.pos += 4
        return v

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > self.end:
            raise ProtocolError("insufficient data left in message")
        v = bytes(self.buf[self.pos : self.pos + n])
        self.pos += n
        return v

    def rest(self) -> bytes:
        v = bytes(self.buf[self.pos : self.end])
        self.pos = self.end
        return v

    def done(self) -> None:
        if self.pos != self.end:
            raise ProtocolError("invalid message format")


def _decode_startup(body: bytes) -> Startup | SSLRequest | GSSENCRequest | CancelRequest:
    if len(body) < 4:
        raise ProtocolError("invalid startup packet layout")
    code = _I32.unpack_from(body, 0)[0]
    if code == SSL_REQUEST:
        return SSLRequest()
    if code == GSSENC_REQUEST:
        return GSSENCRequest()
    if code == CANCEL_REQUEST:
        if len(body) != 12:
            raise ProtocolError("invalid length of cancel request")
        pid, key = _II.unpack_from(body, 4)
        return CancelRequest(pid, key)
    if code >> 16 != 3:
        raise ProtocolError(
            f"unsupported frontend protocol {code >> 16}.{code & 0xFFFF}: server supports 3.0 to 3.0",
            "0A000",
        )
    params: dict[str, str] = {}
    r = _Reader(body, 4)
    while True:
        if r.pos >= r.end:
            raise ProtocolError("invalid startup packet layout: expected terminator as last byte")
        if body[r.pos] == 0:
            break
        k = r.cstr()
        v = r.cstr()
        params[k] = v
    return Startup(code, params)


def _utf8_name(b: bytes) -> str:
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError("invalid byte sequence for encoding \"UTF8\"", "22021") from None


def _decode_bind(body: bytes) -> Bind:
    """Bind, decoded with plain local arithmetic: executemany sends one per row, so this is
    the protocol's hottest message after DataRow."""
    try:
        i = body.index(0)
        j = body.index(0, i + 1)
        portal = body[:i].decode("utf-8")
        stmt = body[i + 1 : j].decode("utf-8")
        pos = j + 1
        nf = _I16.unpack_from(body, pos)[0]
        pos += 2
        if nf < 0:
            raise ProtocolError("invalid number of parameter formats")
        fmts = list(struct.unpack_from(f"!{nf}h", body, pos)) if nf else []
        pos += 2 * nf
        np_ = _I16.unpack_from(body, pos)[0]
        pos += 2
        if np_ < 0:
            raise ProtocolError("invalid number of parameters")
        end = len(body)
        params: list[bytes | None] = []
        add = params.append
        unpack = _I32.unpack_from
        for _ in range(np_):
            ln = unpack(body, pos)[0]
            pos += 4
            if ln < 0:
                if ln != -1:
                    raise ProtocolError("invalid parameter length")
                add(None)
            else:
                e = pos + ln
                if e > end:
                    raise ProtocolError("insufficient data left in message")
                add(body[pos:e])
                pos = e
        nr = _I16.unpack_from(body, pos)[0]
        pos += 2
        if nr < 0:
            raise ProtocolError("invalid number of result formats")
        rfmts = list(struct.unpack_from(f"!{nr}h", body, pos)) if nr else []
        pos += 2 * nr
    except ValueError:  # no NUL terminator
        raise ProtocolError("invalid string in message") from None
    except UnicodeDecodeError:
        raise ProtocolError("invalid byte sequence for encoding \"UTF8\"", "22021") from None
    except struct.error:
        raise ProtocolError("insufficient data left in message") from None
    if pos != len(body):
        raise ProtocolError("invalid message format")
    for f in fmts:
        if f != 0 and f != 1:
            raise ProtocolError(f"unsupported format code: {f}")
    for f in rfmts:
        if f != 0 and f != 1:
            raise ProtocolError(f"unsupported format code: {f}")
    return Bind(portal, stmt, fmts, params, rfmts)


def _decode(t: int, body: bytes):
    if t == 0x42:  # B
        return _decode_bind(body)
    if t == 0x45 and len(body) >= 5 and body[-5] == 0:  # E, the common well-formed case
        i = body.index(0)
        if i == len(body) - 5:
            return Execute(_utf8_name(body[:i]), _I32.unpack_from(body, i + 1)[0])
    r = _Reader(body)
    if t == 0x51:  # Q
        sql = r.cstr()
        r.done()
        return Query(sql)
    if t == 0x50:  # P
        name = r.cstr()
        sql = r.cstr()
        n = r.i16()
        if n < 0:
            raise ProtocolError("invalid number of parameters")
        oids = [r.i32() & 0xFFFFFFFF for _ in range(n)]
        r.done()
        return Parse(name, sql, oids)
    if t == 0x44:  # D
        kind = chr(body[0]) if body else ""
        r.pos = 1
        name = r.cstr()
        r.done()
        if kind not in ("S", "P"):
            raise ProtocolError(f"invalid DESCRIBE message subtype {kind!r}")
        return Describe(kind, name)
    if t == 0x45:  # E
        portal = r.cstr()
        max_rows = r.i32()
        r.done()
        return Execute(portal, max_rows)
    if t == 0x43:  # C
        kind = chr(body[0]) if body else ""
        r.pos = 1
        name = r.cstr()
        r.done()
        if kind not in ("S", "P"):
            raise ProtocolError(f"invalid CLOSE message subtype {kind!r}")
        return Close(kind, name)
    if t == 0x48:  # H
        r.done()
        return Flush()
    if t == 0x53:  # S
        r.done()
        return Sync()
    if t == 0x58:  # X
        return Terminate()
    if t == 0x64:  # d
        return CopyData(body)
    if t == 0x63:  # c
        r.done()
        return CopyDone()
    if t == 0x66:  # f
        return CopyFail(r.cstr())
    if t == 0x70:  # p
        return PasswordMessage(body)
    if t == 0x46:  # F
        return FunctionCall(body)
    raise ProtocolError(f"invalid frontend message type {t}")


FRONTEND_TYPES = frozenset(b"QPBDECHSXdcfpF")
# Describe portal "" and Execute portal "" with no row limit, whole messages (executemany's rows)
_DESCRIBE_UNNAMED_RAW = b"D\x00\x00\x00\x06P\x00"
_EXECUTE_UNNAMED_RAW = b"E\x00\x00\x00\x09\x00\x00\x00\x00\x00"
# after authentication 'p' (password / SASL response) has no meaning: a session narrows to these
SESSION_TYPES = frozenset(b"QPBDECHSXdcfF")


def decode_body(t: int, body: bytes):
    """A message body → its message. Bad contents in intact framing are recoverable."""
    try:
        return _decode(t, body)
    except ProtocolError as e:
        e.recoverable = True
        e.msg_type = t
        raise


BindRowShape = tuple  # (Bind body head, Bind body tail, Describe+Execute bytes, nparams, first Bind)


def bind_row_shape(first: Bind, describe: bool) -> BindRowShape:
    """What take_bind_executes compares each row's bytes with: the first row's Bind."""
    nf, nr = len(first.param_formats), len(first.result_formats)
    head = (b"\x00" + first.statement.encode() + b"\x00" + _I16.pack(nf)
            + struct.pack(f"!{nf}h", *first.param_formats) + _I16.pack(len(first.params)))
    tail = _I16.pack(nr) + struct.pack(f"!{nr}h", *first.result_formats)
    after = (_DESCRIBE_UNNAMED_RAW if describe else b"") + _EXECUTE_UNNAMED_RAW
    return head, tail, after, len(first.params), first


class BindBlock:
    """Consecutive executemany rows of one shape (see take_bind_block), their parameters
    held a column at a time: column i is an Arrow binary array of every row's parameter i
    (null for SQL NULL). Stands in for the rows' Binds; `binds()` builds them when a slow path
    needs them one by one (always the same objects)."""

    __slots__ = ("statement", "param_formats", "result_formats", "columns", "n", "_binds")

    def __init__(self, statement: str, param_formats: list[int], result_formats: list[int],
                 columns: list, n: int):
        self.statement, self.param_formats, self.result_formats = statement, param_formats, result_formats
        self.columns, self.n, self._binds = columns, n, None

    def __len__(self) -> int:
        return self.n

    def binds(self) -> list[Bind]:
        if self._binds is None:
            cols = [c.to_pylist() for c in self.columns]
            st, fm, rf = self.statement, self.param_formats, self.result_formats
            self._binds = [Bind("", st, fm, list(vals), rf) for vals in zip(*cols)] if cols \
                else [Bind("", st, fm, [], rf) for _ in range(self.n)]
        return self._binds

    def last(self) -> Bind:
        if self._binds is not None:
            return self._binds[-1]
        return Bind("", self.statement, self.param_formats, [c[self.n - 1].as_py() for c in self.columns],
                    self.result_formats)


def _be32(data: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The big-endian int32 at each offset (offsets already clamped into data)."""
    return data[at[:, None] + _ARANGE4].view(">i4").ravel().astype(np.int64)


_ARANGE4 = np.arange(4)


def _rows_equal(data: np.ndarray, at: np.ndarray, expect: bytes) -> np.ndarray:
    if not expect:
        return np.ones(len(at), dtype=bool)
    idx = np.minimum(at[:, None] + np.arange(len(expect)), len(data) - 1)
    return (data[idx] == np.frombuffer(expect, dtype=np.uint8)).all(axis=1)


def _binary_column(data: np.ndarray, start: np.ndarray, length: np.ndarray, null: np.ndarray) -> pa.Array:
    """Arrow binary array of data[start[k]:start[k]+length[k]] (None where null)."""
    n = len(start)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(length, out=offsets[1:])
    total = int(offsets[-1])
    if total:
        values = data[np.repeat(start - offsets[:-1], length) + np.arange(total)]
    else:
        values = np.zeros(0, dtype=np.uint8)
    validity = pa.py_buffer(np.packbits(~null, bitorder="little")) if null.any() else None
    return pa.Array.from_buffers(pa.large_binary(), n, [validity, pa.py_buffer(offsets), pa.py_buffer(values)],
                                 null_count=int(null.sum()) if validity is not None else 0)


class FrontendDecoder:
    """Incremental decoder. `feed(data)`, then call `next()` until it returns None."""

    def __init__(self, max_message: int = DEFAULT_MAX_MESSAGE):
        self.buf = bytearray()
        self.pos = 0
        self.startup = True  # the first message(s) have no type byte
        self.max_message = max_message
        self.allowed = FRONTEND_TYPES  # message types accepted; others are refused from the header
        self._rows_memo = None  # bind_rows_pending's scan: (pos, shape, rows, where it stopped)

    def feed(self, data: bytes) -> None:
        if self.pos and self.pos == len(self.buf):
            self.buf.clear()
            self.pos = 0
            self._rows_memo = None
        elif self.pos > 65536:
            del self.buf[: self.pos]
            self.pos = 0
            self._rows_memo = None
        self.buf += data

    def pending(self) -> int:
        return len(self.buf) - self.pos

    def needed(self) -> int:
        """Bytes still missing for the next message (0 when unknown or complete)."""
        avail = len(self.buf) - self.pos
        if self.startup:
            if avail < 4:
                return 4 - avail
            ln = _I32.unpack_from(self.buf, self.pos)[0]
            return max(0, ln - avail)
        if avail < 5:
            return 5 - avail
        ln = _I32.unpack_from(self.buf, self.pos + 1)[0]
        return max(0, ln + 1 - avail)

    def next(self):
        buf = self.buf
        pos = self.pos
        avail = len(buf) - pos
        if self.startup:
            if avail < 4:
                return None
            ln = _I32.unpack_from(buf, pos)[0]
            if ln < 8 or ln > 10000:
                raise ProtocolError("invalid length of startup packet")
            if avail < ln:
                return None
            body = bytes(buf[pos + 4 : pos + ln])
            self.pos = pos + ln
            msg = _decode_startup(body)
            if isinstance(msg, Startup):
                self.startup = False
            return msg
        raw = self.next_raw()
        return None if raw is None else decode_body(*raw)

    def next_raw(self) -> tuple[int, bytes] | None:
        """After startup: the next complete message as (type byte, body), not decoded (for
        loops that recognise their few common messages by their bytes); None if incomplete."""
        buf = self.buf
        pos = self.pos
        avail = len(buf) - pos
        if avail < 1:
            return None
        t = buf[pos]
        if t not in self.allowed:
            # refuse at once: waiting for a body of a made-up length would park the connection
            raise ProtocolError(f"invalid frontend message type {t}")
        if avail < 5:
            return None
        ln = _I32.unpack_from(buf, pos + 1)[0]
        if ln < 4:
            raise ProtocolError(f"invalid message length {ln}")
        if ln > self.max_message:
            raise ProtocolError(f"message length {ln} exceeds the maximum of {self.max_message}", "54000")
        if avail < ln + 1:
            return None
        self.pos = pos + 1 + ln
        return t, bytes(buf[pos + 5 : pos + 1 + ln])

    def take_bind_executes(self, shape: "BindRowShape", limit: int) -> tuple[list[Bind], bool]:
        """executemany's stream, a row at a time: Bind (portal "", the shape's statement,
        parameter formats, parameter count and result formats), [Describe portal ""], Execute
        portal "" with no row limit. Consumes as many complete such triples as the buffer
        holds (at most `limit`) and returns their Binds, and whether the buffer ends inside one
        more (so waiting for the rest of it beats decoding it the slow way); stops, consuming
        nothing more, at the first message of any other shape or length, which the caller
        then decodes the ordinary way (and so reports errors the ordinary way)."""
        head, tail, after, np_, first = shape
        hl, tl, al = len(head), len(tail), len(after)
        stmt, fmts, rfmts = first.statement, first.param_formats, first.result_formats
        buf = self.buf
        pos = self.pos
        end = len(buf)
        unpack = _I32.unpack_from
        out: list[Bind] = []
        add = out.append
        partial = False
        while len(out) < limit and end - pos > 0 and buf[pos] == 0x42:
            if end - pos < 5 + hl:
                partial = buf[pos + 5 : end] == head[: end - pos - 5]
                break
            bend = pos + 1 + unpack(buf, pos + 1)[0]
            if bend - pos > self.max_message or buf[pos + 5 : pos + 5 + hl] != head:
                break
            if bend + al > end:
                partial = end <= bend or buf[bend:end] == after[: end - bend]
                break
            if buf[bend : bend + al] != after:
                break
            body = bytes(buf[pos + 5 : bend])
            p = hl
            bl = len(body) - tl
            params: list[bytes | None] = []
            for _ in range(np_):
                if p + 4 > bl:
                    break
                ln = unpack(body, p)[0]
                p += 4
                if ln == -1:
                    params.append(None)
                elif 0 <= ln <= bl - p:
                    params.append(body[p : p + ln])
                    p += ln
                else:
                    break
            if len(params) != np_ or p != bl or body[bl:] != tail:
                break
            add(Bind("", stmt, fmts, params, rfmts))
            pos = bend + al
        self.pos = pos
        return out, partial

    def bind_rows_pending(self, shape: "BindRowShape", rows: int, nbytes: int) -> bool:
        """Whether the buffer ends inside executemany's rows with fewer than `rows` complete
        ones (and fewer than `nbytes` of them) at its front: nothing but rows so far, the
        client still sending. Then reading on before take_bind_block pays that scan's fixed
        cost once per many rows instead of once per socket read (psycopg sends a row or
        two per send()). A message of another kind or length after the rows (Sync, Flush,
        another statement) makes it False: those rows are then taken at once. Walks only
        the message lengths, resuming where its previous call stopped."""
        head, tail, after, np_, first = shape
        al = len(after)
        small = 5 + len(head) + len(tail)
        buf = self.buf
        end = len(buf)
        memo = self._rows_memo
        if memo is not None and memo[0] == self.pos and memo[1] is shape:
            n, pos = memo[2], memo[3]
        else:
            n, pos = 0, self.pos
        unpack = _I32.unpack_from
        biggest = self.max_message
        limit = self.pos + nbytes
        while True:
            if n >= rows or pos >= limit:
                self._rows_memo = None
                return False
            if pos == end:
                break  # the buffer ends at a row's end
            if buf[pos] != 0x42:
                self._rows_memo = None
                return False
            if end - pos < 5:
                break
            ln = unpack(buf, pos + 1)[0]
            if ln + 1 < small or ln + 1 > biggest:
                self._rows_memo = None
                return False  # not a row: take_bind_block stops there (and reports it)
            bend = pos + 1 + ln
            if bend + al > end:
                # the Bind or its Describe/Execute still arriving; anything else is taken now
                if end <= bend or buf[bend:end] == after[: end - bend]:
                    break
                self._rows_memo = None
                return False
            if buf[bend: bend + al] != after:
                self._rows_memo = None
                return False
            n += 1
            pos = bend + al
        self._rows_memo = (self.pos, shape, n, pos)
        return True

    # fewer rows than this are not worth the fixed cost of the column-at-a-time scan
    BLOCK_MIN_ROWS = 8

    def take_bind_block(self, shape: "BindRowShape", limit: int) -> tuple[BindBlock | None, list[Bind], bool]:
        """take_bind_executes, a column at a time: the same rows, consumed the same way, but
        their parameters come back as a BindBlock of Arrow columns (no Python object per row or
        value) found with NumPy over the rows' bytes. Returns (block or None, Binds of any rows
        after the block that only the row-by-row scan accepts, partial)."""
        head, tail, after, np_, first = shape
        hl, tl, al = len(head), len(tail), len(after)
        buf = self.buf
        start = pos = self.pos
        end = len(buf)
        unpack = _I32.unpack_from
        starts: list[int] = []
        add = starts.append
        # the chain of message lengths (all the per-row Python there is); each row's
        # contents are checked below, for all rows at once
        small = 5 + hl + tl
        biggest = self.max_message
        while len(starts) < limit and end - pos >= 5 and buf[pos] == 0x42:
            ln = unpack(buf, pos + 1)[0]
            nxt = pos + 1 + ln + al
            if ln + 1 < small or ln + 1 > biggest or nxt > end:
                break
            add(pos)
            pos = nxt
        n = len(starts)
        block = None
        if n >= self.BLOCK_MIN_ROWS:
            data = np.frombuffer(bytes(buf[start:pos]), dtype=np.uint8)
            last = len(data) - 4
            s = np.array(starts, dtype=np.int64) - start
            e = s + 1 + _be32(data, s + 1)  # each Bind's end: its Describe/Execute begin there
            t = e - tl
            ok = _rows_equal(data, s + 5, head) & _rows_equal(data, e, after)
            p = s + 5 + hl
            cols = []
            for _ in range(np_):
                ok &= p + 4 <= t
                ln = _be32(data, np.minimum(p, last))
                null = ln == -1
                ok &= (ln >= -1) & (p + 4 + np.maximum(ln, 0) <= t)
                length = np.where(ok & ~null, ln, 0)
                cols.append((p + 4, length, null))
                p = p + 4 + length
            ok &= (p == t) & _rows_equal(data, t, tail)
            good = n if ok.all() else int(np.argmin(ok))
            if good >= self.BLOCK_MIN_ROWS:
                block = BindBlock(first.statement, first.param_formats, first.result_formats,
                                  [_binary_column(data, c[0][:good], c[1][:good], c[2][:good]) for c in cols],
                                  good)
                self.pos = start + (int(s[good]) if good < n else pos - start)
                limit -= good
        # whatever the block did not take (a row of another shape, one cut short): row by row
        rest, partial = self.take_bind_executes(shape, limit)
        return block, rest, partial

    def take_copy_data(self, out: bytearray) -> int:
        """Append the bodies of the complete CopyData messages at the front of the buffer to
        `out`, without building message objects (COPY FROM sends millions); returns how many."""
        buf = self.buf
        pos = self.pos
        end = len(buf)
        n = 0
        limit = self.max_message
        with memoryview(buf) as view:  # one copy, straight into `out`
            while end - pos >= 5 and buf[pos] == 0x64:
                ln = _I32.unpack_from(buf, pos + 1)[0]
                if ln < 4 or ln > limit or end - pos < ln + 1:
                    break
                out += view[pos + 5: pos + 1 + ln]
                pos += 1 + ln
                n += 1
        self.pos = pos
        return n

    def peek_type(self) -> int | None:
        """Type byte of the next complete message, or None."""
        if self.startup:
            return None
        avail = len(self.buf) - self.pos
        if avail < 5:
            return None
        ln = _I32.unpack_from(self.buf, self.pos + 1)[0]
        if ln < 4 or avail < ln + 1:
            return None
        return self.buf[self.pos]


# ---------------------------------------------------------------- backend builders


def _msg(t: bytes, body: bytes) -> bytes:
    return t + _I32.pack(len(body) + 4) + body


def _cstr(s: str) -> bytes:
    return s.encode("utf-8").replace(b"\x00", b"") + b"\x00"


AUTH_OK = _msg(b"R", _I32.pack(0))
PARSE_COMPLETE = b"1\x00\x00\x00\x04"
BIND_COMPLETE = b"2\x00\x00\x00\x04"
CLOSE_COMPLETE = b"3\x00\x00\x00\x04"
NO_DATA = b"n\x00\x00\x00\x04"
PORTAL_SUSPENDED = b"s\x00\x00\x00\x04"
EMPTY_QUERY = b"I\x00\x00\x00\x04"
COPY_DONE = b"c\x00\x00\x00\x04"


def auth_request(code: int, payload: bytes = b"") -> bytes:
    return _msg(b"R", _I32.pack(code) + payload)


def parameter_status(name: str, value: str) -> bytes:
    return _msg(b"S", _cstr(name) + _cstr(value))


def backend_key_data(pid: int, key: int) -> bytes:
    return _msg(b"K", _II.pack(pid, key))


def ready_for_query(status: str) -> bytes:
    return _msg(b"Z", status.encode())


def command_complete(tag: str) -> bytes:
    return _msg(b"C", _cstr(tag))


def negotiate_protocol_version(minor: int, unsupported: Sequence[str]) -> bytes:
    body = _I32.pack(minor) + _I32.pack(len(unsupported)) + b"".join(_cstr(o) for o in unsupported)
    return _msg(b"v", body)


@dataclass(slots=True)
class Field:
    name: str
    type_oid: int
    typlen: int = -1
    typmod: int = -1
    format: int = 0
    table_oid: int = 0
    column: int = 0


_FIELD = struct.Struct("!ihihih")


def row_description(fields: Iterable[Field]) -> bytes:
    fields = list(fields)
    parts = [_I16.pack(len(fields))]
    for f in fields:
        parts.append(_cstr(f.name))
        parts.append(_FIELD.pack(f.table_oid, f.column, f.type_oid, f.typlen, f.typmod, f.format))
    return _msg(b"T", b"".join(parts))


def parameter_description(oids: Sequence[int]) -> bytes:
    return _msg(b"t", _I16.pack(len(oids)) + b"".join(struct.pack("!I", o & 0xFFFFFFFF) for o in oids))


def data_row(values: Sequence[bytes | None]) -> bytes:
    parts = [_I16.pack(len(values))]
    for v in values:
        if v is None:
            parts.append(b"\xff\xff\xff\xff")
        else:
            parts.append(_I32.pack(len(v)))
            parts.append(v)
    return _msg(b"D", b"".join(parts))


# Error and notice field codes, in PostgreSQL's order.
_FIELD_CODES = (
    ("severity", b"S"),
    ("severity_nonlocalized", b"V"),
    ("sqlstate", b"C"),
    ("message", b"M"),
    ("detail", b"D"),
    ("hint", b"H"),
    ("position", b"P"),
    ("context", b"W"),
    ("schema", b"s"),
    ("table", b"t"),
    ("column", b"c"),
    ("constraint", b"n"),
    ("file", b"F"),
    ("line", b"L"),
    ("routine", b"R"),
)


def _fields_body(fields: dict) -> bytes:
    parts = []
    for key, code in _FIELD_CODES:
        v = fields.get(key)
        if v is None or v == "":
            continue
        parts.append(code + _cstr(str(v)))
    parts.append(b"\x00")
    return b"".join(parts)


def error_response(fields: dict) -> bytes:
    return _msg(b"E", _fields_body(fields))


def notice_response(fields: dict) -> bytes:
    return _msg(b"N", _fields_body(fields))


def notification_response(pid: int, channel: str, payload: str) -> bytes:
    return _msg(b"A", _I32.pack(pid) + _cstr(channel) + _cstr(payload))


def copy_in_response(fmt: int, ncols: int) -> bytes:
    return _msg(b"G", struct.pack("!bh", fmt, ncols) + _I16.pack(fmt) * ncols)


def copy_out_response(fmt: int, ncols: int) -> bytes:
    return _msg(b"H", struct.pack("!bh", fmt, ncols) + _I16.pack(fmt) * ncols)


def copy_data(data: bytes) -> bytes:
    return _msg(b"d", data)
