"""Arrow RecordBatch → PostgreSQL DataRow bytes, vectorised, text and binary formats.

Per-value Python is the enemy here. Each column is encoded to *parts*, every part holding one
piece of every row's value:

  * a fixed-width part: an (n, w) uint8 NumPy matrix, row i's bytes in row i;
  * a variable part: an (n, 4) int32 matrix of Arrow binary-view structs (length, then 12
    inline bytes, or a 4-byte prefix, buffer index and offset) plus the data buffers they
    point into.

A batch is then the row-major sequence [header, prefix, column 1 parts, prefix, column 2
parts, …]. When everything is fixed width (binary results of numbers and dates) the
concatenated matrix *is* the DataRow stream. Otherwise the parts become one binary-view array
of n × K views, interleaved row-major with NumPy (runs of neighbouring fixed-width bytes go
inline, 12 bytes a view, copied in 1/2/4/8-byte words), and a single Arrow cast to `binary`
copies all those pieces, in order, into one contiguous buffer: the DataRow messages for the
whole batch. K is about 1 + 2 × (variable-width columns) + 1 per run of fixed-width bytes.

Values are formatted with Arrow compute casts where Arrow's text matches PostgreSQL's, with
NumPy table look-ups for dates and times, and with per-value Python only for rows Arrow gets
wrong (float8 values whose exponent is in [10, 15), …) and for rare types (intervals,
structs, maps, BIT, BIGNUM). See `types.py` for the per-value forms.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Sequence

import struct

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import types as T
from .types import ELEMENT_OID, pg_type_of

__all__ = ["DataRowEncoder", "pg_text_column", "pg_binary_column"]

_I32 = np.int32
_MASKS = np.array([0, 0xFF, 0xFFFF, 0xFFFFFF, 0xFFFFFFFF], dtype=np.uint32).view(np.int32)
_PG_EPOCH_DAYS = 10957
_PG_EPOCH_US = _PG_EPOCH_DAYS * 86_400_000_000
_DATE_INF = 2147483647
_TS_INF = 9223372036854775807
_MIN_US = -62135596800 * 1_000_000   # 0001-01-01 00:00:00
_MAX_US = 253402300800 * 1_000_000   # 10000-01-01 00:00:00
_CHUNK_ROWS = 65536
_LATE_US = 2114380800 * 1_000_000    # 2037-01-01: Arrow's time zone data ends around here
_MIN_DAY = -719162                   # 0001-01-01
_MAX_DAY = 2932896                   # 9999-12-31


class _Var:
    """A variable-width part: binary-view structs (n, 4) int32 and their data buffers."""
    __slots__ = ("views", "bufs")

    def __init__(self, views: np.ndarray, bufs: list):
        self.views = views
        self.bufs = bufs


class _Col:
    """One encoded column: its parts (fixed matrices or _Var) and validity (None: no nulls)."""
    __slots__ = ("parts", "valid")

    def __init__(self, parts: list, valid: np.ndarray | None):
        self.parts = parts
        self.valid = valid


# --------------------------------------------------------------------------- view helpers

def _matrix_views(mat: np.ndarray, lens: np.ndarray | None = None, bufidx: int = 0) -> _Var:
    """Views of each row of an (n, w) uint8 matrix, cut to `lens` (default w)."""
    n, w = mat.shape
    if w <= 12:
        s = np.zeros((n, 16), dtype=np.uint8)
        s[:, 4:4 + w] = mat
        views = s.view(_I32)
        if lens is None:
            views[:, 0] = w
        else:
            views[:, 0] = lens
            if w and n and lens.min() < w:
                s[:, 4:4 + w] *= np.arange(w, dtype=_I32)[None, :] < lens[:, None]
        return _Var(views, [])
    mat = np.ascontiguousarray(mat)
    views = np.empty((n, 4), dtype=_I32)
    views[:, 0] = w if lens is None else lens
    if n:  # each row's first four bytes, read in place
        views[:, 1] = np.ndarray((n,), dtype="<i4", buffer=mat, strides=(w,))
    views[:, 2] = bufidx
    views[:, 3] = np.arange(0, n * w, w, dtype=_I32)
    if lens is not None and n and lens.min() <= 12:
        small = np.flatnonzero(lens <= 12)
        sub = _matrix_views(mat[small, :12], lens[small])
        views[small] = sub.views
    return _Var(views, [pa.py_buffer(mat)])


def _offset_views(data: pa.Buffer, starts: np.ndarray, lens: np.ndarray) -> _Var:
    """Views of data[starts[i] : starts[i] + lens[i]] (any starts, e.g. to trim values)."""
    n = len(starts)
    raw = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    padded = np.zeros(len(raw) + 16, dtype=np.uint8)
    padded[: len(raw)] = raw
    u = np.ndarray(shape=(len(padded) - 3,), dtype="<i4", buffer=padded, strides=(1,))
    starts = starts.astype(np.int64, copy=False)
    lens = lens.astype(_I32, copy=False)
    views = np.empty((n, 4), dtype=_I32)
    views[:, 0] = lens
    views[:, 1] = u[starts] & _MASKS[np.clip(lens, 0, 4)]
    big = lens > 12
    views[:, 2] = np.where(big, 0, u[starts + 4] & _MASKS[np.clip(lens - 4, 0, 4)])
    views[:, 3] = np.where(big, starts.astype(_I32), u[starts + 8] & _MASKS[np.clip(lens - 8, 0, 4)])
    return _Var(views, [data if data is not None else pa.py_buffer(b"")])


def _binary_views(arr: pa.Array) -> _Var:
    """Views of a string/binary-like Arrow array (nulls are not cleared here)."""
    t = arr.type
    if not (pa.types.is_binary_view(t) or pa.types.is_string_view(t)):
        arr = arr.cast(pa.binary_view())
    bufs = arr.buffers()
    views = np.frombuffer(bufs[1], dtype=_I32).reshape(-1, 4)[arr.offset: arr.offset + len(arr)]
    return _Var(views, [b for b in bufs[2:] if b is not None] if len(bufs) > 2 else [])


def _strings_var(values: list) -> _Var:
    """Views of a short Python list of str/bytes (per-value fallbacks)."""
    return _binary_views(pa.array([v.encode() if isinstance(v, str) else v for v in values], pa.binary()))


def _patch(var: _Var, idx: np.ndarray, values: list) -> _Var:
    """Replace rows `idx` of a variable part with the given str/bytes values."""
    if len(idx) == 0:
        return var
    sub = _strings_var(values)
    views = var.views.copy() if not var.views.flags.writeable else var.views
    sv = sub.views.copy()
    big = sv[:, 0] > 12
    sv[big, 2] += len(var.bufs)
    views[idx] = sv
    return _Var(views, var.bufs + sub.bufs)


def _to_var(part) -> _Var:
    return part if isinstance(part, _Var) else _matrix_views(part)


def _part_lens(part, n: int) -> np.ndarray:
    if isinstance(part, _Var):
        return part.views[:, 0]
    return np.full(n, part.shape[1], dtype=_I32)


def _col_lens(col: _Col, n: int) -> np.ndarray:
    """Byte length of each row's value, -1 for NULL."""
    if not col.parts:
        lens = np.zeros(n, dtype=_I32)
    else:
        lens = _part_lens(col.parts[0], n).astype(_I32, copy=True)
        for p in col.parts[1:]:
            lens += _part_lens(p, n)
    if col.valid is not None:
        lens[~col.valid] = -1
    return lens


def _clear_nulls(col: _Col) -> list:
    """The column's parts with every NULL row made empty (fixed parts become variable)."""
    if col.valid is None:
        return col.parts
    out = []
    invalid = ~col.valid
    for p in col.parts:
        v = _to_var(p)
        views = v.views.copy() if not v.views.flags.writeable or v.views.base is not None else v.views
        views[invalid] = 0
        out.append(_Var(views, v.bufs))
    return out


def _join(parts: list, n: int, large: bool = False):
    """Concatenate, row by row, the given parts. Returns (matrix, None) when every part is
    fixed width (row i is the matrix's row i), else (binary array of n*K pieces, K)."""
    runs: list = []  # lists of fixed matrices, or _Var
    for p in parts:
        if isinstance(p, np.ndarray):
            if runs and isinstance(runs[-1], list):
                runs[-1].append(p)
            else:
                runs.append([p])
        else:
            runs.append(p)
    if len(runs) == 1 and isinstance(runs[0], list):
        mats = runs[0]
        return (np.ascontiguousarray(mats[0]) if len(mats) == 1 else np.concatenate(mats, axis=1)), None
    # one 16-byte binary-view slot per piece; a short fixed run goes inline, 12 bytes a slot
    slots: list = []
    for r in runs:
        if isinstance(r, _Var):
            slots.append(r)
            continue
        w = sum(m.shape[1] for m in r)
        if w > 36:
            slots.append(_matrix_views(np.concatenate(r, axis=1)))
            continue
        cur: list = []
        used = 0
        for m in r:
            a = 0
            while a < m.shape[1]:
                take = min(12 - used, m.shape[1] - a)
                cur.append((m, a, a + take, used))
                used += take
                a += take
                if used == 12:
                    slots.append((12, cur))
                    cur, used = [], 0
        if used:
            slots.append((used, cur))
    k = len(slots)
    # (unused inline bytes of fixed slots stay uninitialised: only `len` bytes are read)
    out = np.empty((n, k), dtype=np.complex128)
    out32 = out.view(_I32).reshape(n, k, 4)
    bufs: list = []
    for j, sl in enumerate(slots):
        if isinstance(sl, _Var):
            views = sl.views
            if bufs and sl.bufs:
                big = views[:, 0] > 12
                if big.any():
                    views = views.copy()
                    views[:, 2] += big.astype(_I32) * _I32(len(bufs))
            out[:, j] = np.ascontiguousarray(views).view(np.complex128)[:, 0]
            bufs.extend(sl.bufs)
        else:
            width, pieces = sl
            out32[:, j, 0] = width
            for m, a, b, dst in pieces:
                _copy_columns(out, j * 16 + 4 + dst, k * 16, m, a, b)
    if not bufs:
        bufs = [pa.py_buffer(b"")]
    arr = pa.Array.from_buffers(pa.binary_view(), n * k, [None, pa.py_buffer(out)] + bufs)
    return arr.cast(pa.large_binary() if large else pa.binary()), k


_UINT = {8: np.dtype("<u8"), 4: np.dtype("<u4"), 2: np.dtype("<u2"), 1: np.dtype("u1")}


def _copy_columns(out: np.ndarray, offset: int, stride: int, m: np.ndarray, a: int, b: int) -> None:
    """out's bytes [offset + i*stride, +b-a) ← m[i, a:b] for every row i, in 1/2/4/8-byte
    words (NumPy copies those strided far faster than byte slices)."""
    n = m.shape[0]
    while a < b and n:
        size = 8 if b - a >= 8 else 4 if b - a >= 4 else 2 if b - a >= 2 else 1
        dt = _UINT[size]
        dst = np.ndarray((n,), dtype=dt, buffer=out, offset=offset, strides=(stride,))
        dst[:] = m[:, a:a + size].view(dt)[:, 0]
        a += size
        offset += size


def _col_to_array(col: _Col, n: int) -> pa.Array:
    """An encoded column as a binary array (nulls kept)."""
    parts = _clear_nulls(col)
    validity = None if col.valid is None else pa.py_buffer(np.packbits(col.valid, bitorder="little"))
    if not parts:
        offsets = np.zeros(n + 1, dtype=_I32)
        return pa.Array.from_buffers(pa.binary(), n, [validity, pa.py_buffer(offsets), pa.py_buffer(b"")])
    total = int(np.maximum(_col_lens(col, n), 0).sum(dtype=np.int64))
    large = total >= 2**31 - 1
    data, k = _join(parts, n, large)
    if k is None:
        w = data.shape[1]
        offsets = np.arange(n + 1, dtype=np.int64 if large else _I32) * w
        buf = pa.py_buffer(data)
    else:
        b = data.buffers()
        otype = np.int64 if large else _I32
        offsets = np.frombuffer(b[1], dtype=otype)[: n * k + 1][::k].copy()
        buf = b[2] if b[2] is not None else pa.py_buffer(b"")
    return pa.Array.from_buffers(pa.large_binary() if large else pa.binary(), n,
                                 [validity, pa.py_buffer(offsets), buf])


def _word_views(words: np.ndarray, lens: np.ndarray) -> _Var:
    """Inline views of the first lens[i] (<= 8) bytes of each little-endian 8-byte word."""
    data = words & _LOW_BYTES[lens]
    views = np.empty((len(words), 2), dtype="<u8")
    views[:, 0] = lens.astype(np.uint64) | (data << 32)
    views[:, 1] = data >> 32
    return _Var(views.view(_I32), [])


_LOW_BYTES = np.array([(1 << 8 * k) - 1 for k in range(9)], dtype=np.uint64)
_SMALL_INT = 10 ** 8


@lru_cache(maxsize=1)
def _digit_tables() -> tuple[np.ndarray, np.ndarray]:
    """For 0..9999: the four digits with leading zeros (first digit in the lowest byte) as an
    8-byte word, and how many digits the number has (1 for 0)."""
    k = np.arange(10000)
    d = np.stack([48 + k // 1000, 48 + k // 100 % 10, 48 + k // 10 % 10, 48 + k % 10], axis=1).astype(np.uint8)
    return d.view("<u4")[:, 0].astype(np.uint64), (1 + (k >= 10) + (k >= 100) + (k >= 1000)).astype(np.int64)


def _small_int_views(mag: np.ndarray, neg: np.ndarray | None) -> _Var:
    """Inline views of the decimal text of integers 0 <= mag < 10**8, '-' first where neg.
    Two four-digit table words side by side make the eight digits with leading zeros in one
    little-endian word; shifting it right by a byte per leading zero leaves the digits at its
    front. No text conversion, no data buffer (Arrow's int → string, then to views, costs
    twice as much)."""
    four, nd4 = _digit_tables()
    hi = mag // 10000
    lo = mag - hi * 10000
    nd = np.where(hi > 0, nd4[hi] + 4, nd4[lo])
    w = four[hi] | (four[lo] << 32)
    w >>= ((8 - nd) * 8).astype(np.uint64)
    views = np.empty((len(mag), 2), dtype="<u8")
    if neg is None or not neg.any():
        views[:, 0] = nd.astype(np.uint64) | (w << 32)
        views[:, 1] = w >> 32
    else:  # '-' then up to eight digits: nine bytes, over the two words
        first = np.where(neg, (w << 8) | 0x2D, w)
        views[:, 0] = (nd + neg).astype(np.uint64) | (first << 32)
        views[:, 1] = (first >> 32) | np.where(neg, w >> 56, 0) << 32
    return _Var(views.view(_I32), [])


def _int_text(v: np.ndarray, valid: np.ndarray | None) -> _Var | None:
    """Views of the text of integers (any NumPy integer dtype), when all (non-null) lie
    within ±10**8; None otherwise."""
    if len(v) == 0:
        return None
    if valid is not None:
        v = np.where(valid, v, 0)
    if v.dtype.itemsize >= 4 and not (int(v.min()) > -_SMALL_INT and int(v.max()) < _SMALL_INT):
        return None
    v = v.astype(np.int64, copy=False)
    neg = v < 0
    return _small_int_views(np.abs(v), neg)


# --------------------------------------------------------------------------- Arrow access

def _valid(arr: pa.Array) -> np.ndarray | None:
    if arr.null_count == 0:
        return None
    if arr.type == pa.null():
        return np.zeros(len(arr), dtype=bool)
    buf = arr.buffers()[0]
    if buf is None:  # unions and such carry no validity bitmap
        return np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    bits = np.unpackbits(np.frombuffer(buf, dtype=np.uint8), bitorder="little")
    return bits[arr.offset: arr.offset + len(arr)].astype(bool)


def _values(arr: pa.Array, dtype) -> np.ndarray:
    dt = np.dtype(dtype)
    buf = arr.buffers()[1]
    return np.frombuffer(buf, dtype=dt, count=len(arr), offset=arr.offset * dt.itemsize)


def _bools(arr: pa.Array) -> np.ndarray:
    bits = np.unpackbits(np.frombuffer(arr.buffers()[1], dtype=np.uint8), bitorder="little")
    return bits[arr.offset: arr.offset + len(arr)]


def _storage(arr: pa.Array) -> pa.Array:
    return arr.storage if isinstance(arr.type, pa.ExtensionType) or hasattr(arr, "storage") else arr


def _bool8(arr: pa.Array) -> pa.Array:
    """arrow.bool8 (int8 storage, DuckDB's lossless export) as a plain boolean array."""
    return pc.not_equal(arr.storage, 0)


def _ext_name(t: pa.DataType) -> str:
    if isinstance(t, pa.BaseExtensionType):
        name = getattr(t, "extension_name", "")
        if name == "arrow.opaque":
            return "opaque:" + getattr(t, "type_name", "")
        return name
    return ""


def _be_matrix(values: np.ndarray, dtype: str) -> np.ndarray:
    b = np.ascontiguousarray(values.astype(dtype, copy=False))
    return b.view(np.uint8).reshape(len(values), b.dtype.itemsize)


# --------------------------------------------------------------------------- lookup tables

@lru_cache(maxsize=1)
def _tables():
    """Look-up tables for times: 'HH:MM:SS' per second of the day (as 8-byte words), and for
    a microsecond fraction f = hi * 1000 + lo: '.ddd' per hi (bytes 0..3 of an 8-byte word),
    'ddd' per lo (bytes 4..6), and the fraction's text length once PostgreSQL has trimmed its
    trailing zeros, by hi when lo is 0 (0 when f is 0: no fraction) and by lo otherwise.
    Tables of a thousand entries stay in cache (one of a million entries would not)."""
    secs = np.arange(86401)
    digits = np.frombuffer(b"0123456789", np.uint8)
    tod = np.empty((86401, 8), dtype=np.uint8)
    for col, val in ((0, secs // 36000), (1, secs // 3600 % 10), (3, secs // 600 % 6), (4, secs // 60 % 10),
                     (6, secs % 60 // 10), (7, secs % 10)):
        tod[:, col] = digits[val]
    tod[:, 2] = tod[:, 5] = ord(":")
    k = np.arange(1000)
    three = np.stack([digits[k // 100], digits[k // 10 % 10], digits[k % 10]], axis=1)
    hi = np.zeros((1000, 8), dtype=np.uint8)
    hi[:, 0] = ord(".")
    hi[:, 1:4] = three
    lo = np.zeros((1000, 8), dtype=np.uint8)
    lo[:, 4:7] = three
    zeros = (k % 10 == 0).astype(_I32) + (k % 100 == 0) + (k % 1000 == 0)
    len_hi = np.where(k == 0, 0, 4 - zeros).astype(_I32)
    len_lo = (7 - zeros).astype(_I32)
    return (tod.view("<u8")[:, 0].copy(), hi.view("<u8")[:, 0].copy(), lo.view("<u8")[:, 0].copy(),
            len_hi, len_lo)


def _fraction(f: np.ndarray, base: int) -> tuple[np.ndarray, np.ndarray]:
    """Microsecond fractions 0..999999 → '.ffffff' as 8-byte words, and base + the length
    PostgreSQL prints of it (trailing zeros trimmed)."""
    _, hi_w, lo_w, len_hi, len_lo = _tables()
    hi = f // 1000
    lo = f - hi * 1000
    lens = np.where(lo != 0, len_lo[lo], len_hi[hi])
    lens += base
    return hi_w[hi] | lo_w[lo], lens


_DAY_BLOCK = 4096  # date tables cover whole blocks of days, so neighbouring batches share one


@lru_cache(maxsize=16)
def _date_table(lo: int, hi: int) -> np.ndarray:
    """'YYYY-MM-DD' for days lo..hi (all within years 1..9999), 16 bytes a day, as complex128
    items: NumPy gathers those as single 16-byte words (rows of a 2-D table go one by one)."""
    m = hi - lo + 1
    s = pc.cast(pa.array(np.arange(lo, hi + 1, dtype=_I32), pa.date32()), pa.string())
    t = np.zeros((m, 16), dtype=np.uint8)
    t[:, :10] = np.frombuffer(s.buffers()[2], dtype=np.uint8, count=10 * m).reshape(m, 10)
    t = t.view(np.complex128)[:, 0]
    t.flags.writeable = False  # shared by every batch (and thread) that reads this range
    return t


def _date_words(days: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """'YYYY-MM-DD' as (n, 2) <u8 words (bytes 10..15 zero) for each day where ok (others:
    arbitrary)."""
    n = len(days)
    all_ok = bool(ok.all())
    if n == 0 or not all_ok and not ok.any():
        return np.zeros((n, 2), dtype="<u8")
    lo, hi = (int(days.min()), int(days.max())) if all_ok else (int(days[ok].min()), int(days[ok].max()))
    if hi - lo + 1 <= max(4096, 2 * n):
        blo = max(lo - lo % _DAY_BLOCK, _MIN_DAY)
        bhi = min(hi - hi % _DAY_BLOCK + _DAY_BLOCK - 1, _MAX_DAY)
        items = _date_table(blo, bhi)[days - blo if all_ok else np.where(ok, days - blo, 0)]
        return items.view("<u8").reshape(n, 2)
    s = pc.cast(pa.array(np.where(ok, days, 0).astype(_I32), pa.date32()), pa.string())
    out = np.zeros((n, 16), dtype=np.uint8)
    out[:, :10] = np.frombuffer(s.buffers()[2], dtype=np.uint8, count=10 * n).reshape(n, 10)
    return out.view("<u8")


def _time_parts(tod_us: np.ndarray):
    """Microseconds within a day → (n, 16) 'HH:MM:SS.ffffff' matrix and trimmed lengths."""
    secs = tod_us // 1_000_000
    fr, lens = _fraction(tod_us - secs * 1_000_000, 8)
    rows = np.empty((len(tod_us), 2), dtype="<u8")
    rows[:, 0] = _tables()[0][secs]
    rows[:, 1] = fr
    return rows.view(np.uint8), lens


def _timestamp_parts(us: np.ndarray, ok: np.ndarray):
    """µs since 1970 (naive, years 1..9999 where ok) → (n, 32) matrix of
    'YYYY-MM-DD HH:MM:SS.ffffff' and the trimmed lengths. Each row is built as four
    little-endian words from the date, time-of-day and fraction tables' words, by shifts."""
    if not ok.all():
        us = np.where(ok, us, 0)
    days = us // 86_400_000_000
    rest = us - days * 86_400_000_000
    secs = rest // 1_000_000
    fr, lens = _fraction(rest - secs * 1_000_000, 19)
    date = _date_words(days, ok)
    t = _tables()[0][secs]
    out = np.empty((len(us), 4), dtype="<u8")
    out[:, 0] = date[:, 0]                            # YYYY-MM-
    out[:, 1] = date[:, 1] | 0x200000 | (t << 24)    # DD, ' ', HH:MM
    out[:, 2] = (t >> 40) | (fr << 24)                # :SS, .ffff
    out[:, 3] = fr >> 40                              # ff
    return out.view(np.uint8), lens


def _offset_suffix(offsets_s: np.ndarray) -> _Var:
    """Inline views of '+00', '+05:30', … for UTC offsets in seconds (few distinct values)."""
    if len(offsets_s) == 0:
        return _Var(np.zeros((0, 4), dtype=_I32), [])
    lo, hi = int(offsets_s.min()), int(offsets_s.max())
    used = np.zeros(hi - lo + 1, dtype=bool)
    used[offsets_s - lo] = True
    table = np.zeros((hi - lo + 1, 16), dtype=np.uint8)
    for i in np.flatnonzero(used):
        s = T.offset_text(int(i) + lo).encode()
        table[i, :4] = np.frombuffer(np.int32(len(s)).tobytes(), np.uint8)
        table[i, 4:4 + len(s)] = np.frombuffer(s, np.uint8)
    return _Var(table.view(_I32)[offsets_s - lo], [])


# --------------------------------------------------------------------------- type helpers

def _unit_us(arr_type) -> tuple[int, int]:
    """(multiplier, divisor) taking a timestamp/time unit to microseconds."""
    return {"s": (1_000_000, 1), "ms": (1000, 1), "us": (1, 1), "ns": (1, 1000)}[arr_type.unit]


def _to_us(raw: np.ndarray, unit) -> np.ndarray:
    mul, div = _unit_us(unit)
    v = raw.astype(np.int64, copy=False)
    if mul == 1 and div == 1:
        return v
    inf = (v == _TS_INF) | (v == -_TS_INF)
    with np.errstate(over="ignore"):
        conv = v * mul if div == 1 else np.floor_divide(v, div)
    return np.where(inf, v, conv)


def _list_elem_type(duck: str) -> str:
    elem = T._split_list(duck)
    return elem if elem is not None else "VARCHAR"


def _python_values(arr: pa.Array) -> list:
    try:
        return arr.to_pylist()
    except Exception:  # e.g. nanosecond timestamps without pandas
        return [None if not x.is_valid else str(x) for x in arr]


def _fallback(arr: pa.Array, fmt, valid=None) -> _Col:
    """Per-value Python: fmt(value) → str/bytes for each non-null value."""
    valid = _valid(arr) if valid is None else valid
    vals = _python_values(arr)
    out = [b"" if v is None else fmt(v) for v in vals]
    return _Col([_strings_var(out)], valid)


# --------------------------------------------------------------------------- text encoders

def _text_float(arr: pa.Array, single: bool) -> _Col:
    valid = _valid(arr)
    x = _values(arr, np.float32 if single else np.float64)
    if not single:
        col = _text_float8_fixed(x, valid)
        if col is not None:
            return col
    var = _binary_views(pc.cast(arr, pa.string()))
    a = np.abs(x)
    with np.errstate(invalid="ignore"):
        # where Arrow's shortest-digit text has PostgreSQL's layout (fixed for exponents in
        # [-4, 15) — [-4, 6) for float4 — else d.dddde±XX); everything else goes per value
        hi = 0.999e6 if single else 0.999e10
        ok = (a >= 1.001e-4) & (a < hi)
        if not ok.all():
            ok |= ((a >= 1.001e15) & (a < np.inf)) | ((a > 0) & (a < 0.999e-10))
            ok |= (x == 0) & ~np.signbit(x)
    bad = ~ok if valid is None else (~ok & valid)
    idx = np.flatnonzero(bad)
    if len(idx):
        f = T.float4_text if single else T.float8_text
        var = _patch(var, idx, [f(float(v)) for v in x[idx]])
    return _Col([var], valid)


_FIXED_MAX = 4294967296.0  # 2**32: below it neighbouring doubles are less than 1e-6 apart
_FIXED_PROBE = 64


def _micro_units(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x * 10**6 rounded to an integer (as float64), and where that is exactly x's value in
    PostgreSQL's fixed layout: v / 10**6 rounds back to x, 1e-4 <= |x| < 2**32 (or x is +0)."""
    with np.errstate(invalid="ignore", over="ignore"):
        a = np.abs(x)
        v = np.rint(x * 1e6)
        good = (v / 1e6 == x) & (a >= 1e-4) & (a < _FIXED_MAX)
        good |= (x == 0) & ~np.signbit(x)
    return v, good


def _text_float8_fixed(x: np.ndarray, valid: np.ndarray | None) -> _Col | None:
    """float8out for a batch whose every value has at most six decimals (prices, rounded
    measurements…), without formatting floats: PostgreSQL prints the shortest digits that
    read back as x; when x = v / 10**6 for an integer v and |x| < 2**32, no other number with
    six decimals or fewer reads back as x (the doubles there are < 1e-6 apart) and any
    shorter digit string would be one of those, so the shortest digits are v's own with
    trailing zeros dropped: an integer part and a trimmed fraction, as a timestamp's. Within
    [1e-4, 1e15) PostgreSQL writes them without an exponent. None when a value is not of that
    form (the caller formats the batch as floats)."""
    n = len(x)
    if n == 0:
        return None
    probe = slice(0, min(n, _FIXED_PROBE))  # random doubles fail at once: skip the full check
    _, good = _micro_units(x[probe])
    if not (good if valid is None else good | ~valid[probe]).all():
        return None
    v, good = _micro_units(x)
    if valid is not None:
        good |= ~valid
        v = np.where(valid, v, 0.0)
    if not good.all():
        return None
    vi = v.astype(np.int64)
    neg = vi < 0
    mag = np.abs(vi)
    q = mag // 1_000_000
    words, lens = _fraction(mag - q * 1_000_000, 0)
    if int(q.max()) < _SMALL_INT:
        whole = _small_int_views(q, neg)  # '-0' for -0.5, as PostgreSQL prints it
    else:
        whole = _binary_views(pc.cast(pa.array(np.where(neg, -q, q)), pa.string()))
        negzero = neg & (q == 0)
        if negzero.any():
            whole = _set_inline(whole, negzero, b"-0")
    return _Col([whole, _word_views(words, lens)], valid)


def _set_inline(var: _Var, rows: np.ndarray, value: bytes) -> _Var:
    """The part with the rows where `rows` is true replaced by one short value (<= 12 bytes,
    held in the views themselves)."""
    item = np.zeros(16, dtype=np.uint8)
    item[:4] = np.frombuffer(np.int32(len(value)).tobytes(), np.uint8)
    item[4:4 + len(value)] = np.frombuffer(value, np.uint8)
    views = var.views.copy()
    views[rows] = item.view(_I32)
    return _Var(views, var.bufs)


def _text_date(arr: pa.Array) -> _Col:
    valid = _valid(arr)
    days = _values(arr, np.int32)
    ok = (days >= _MIN_DAY) & (days <= _MAX_DAY)
    if valid is not None:
        ok &= valid
    mat = _date_words(days, ok).view(np.uint8)[:, :10]
    bad = np.flatnonzero(~ok if valid is None else (~ok & valid))
    if len(bad) == 0:
        return _Col([mat], valid)
    var = _patch(_matrix_views(mat), bad, [T.date_text(int(d)) for d in days[bad]])
    return _Col([var], valid)


def _text_timestamp(arr: pa.Array, tz: str | None, with_offset: bool) -> _Col:
    valid = _valid(arr)
    us = _to_us(_values(arr, np.int64), arr.type)
    offsets = None
    if with_offset and tz and T._zone(tz) is not T._zone("UTC"):
        fine = (us > -_TS_INF) & (us < _TS_INF)
        safe = np.where(fine & (us >= _MIN_US) & (us < _MAX_US), us, 0)
        local = pc.local_timestamp(pa.array(safe, pa.timestamp("us", tz))).cast(pa.int64())
        local = np.asarray(local.to_numpy(zero_copy_only=False), dtype=np.int64)
        offsets = ((local - safe) // 1_000_000).astype(_I32)
        # Arrow only knows the zone's listed transitions (they stop in 2037); later instants
        # follow the zone's rule, which zoneinfo (like PostgreSQL) applies
        late = np.flatnonzero(safe >= _LATE_US)
        if len(late):
            minutes, inverse = np.unique(safe[late] // 60_000_000, return_inverse=True)
            offs = np.array([T.utc_offset_at(int(m) * 60_000_000, tz) for m in minutes], dtype=_I32)
            offsets[late] = offs[inverse]
            local = local.copy()
            local[late] = safe[late] + offsets[late].astype(np.int64) * 1_000_000
        us = np.where(safe == us, local, us)
    ok = (us >= _MIN_US) & (us < _MAX_US)  # years 1..9999, which excludes ±infinity
    if valid is not None:
        ok &= valid
    mat, lens = _timestamp_parts(us, ok)
    var = _matrix_views(mat, lens)
    bad = np.flatnonzero(~ok if valid is None else (~ok & valid))
    if not with_offset:
        if len(bad):
            var = _patch(var, bad, [T.timestamp_text(int(v)) for v in us[bad]])
        return _Col([var], valid)
    if offsets is None:
        suffix = np.broadcast_to(np.frombuffer(b"+00", np.uint8), (len(us), 3))
        if len(bad) == 0:
            return _Col([var, suffix], valid)
        suffix = _matrix_views(np.ascontiguousarray(suffix))
    else:
        suffix = _offset_suffix(np.where(ok, offsets, 0))
    if len(bad):
        raw = _to_us(_values(arr, np.int64), arr.type)
        var = _patch(var, bad, [T.timestamptz_text(int(v), tz) for v in raw[bad]])
        sv = suffix.views.copy()
        sv[bad] = 0
        suffix = _Var(sv, suffix.bufs)
    return _Col([var, suffix], valid)


def _time_us_of(arr: pa.Array) -> np.ndarray:
    raw = _values(arr, np.int64 if arr.type.bit_width == 64 else np.int32).astype(np.int64)
    return _to_us(raw, arr.type)


def _text_time(arr: pa.Array) -> _Col:
    valid = _valid(arr)
    us = _time_us_of(arr)
    ok = (us >= 0) & (us <= 86_400_000_000)
    mat, lens = _time_parts(np.where(ok, us, 0))
    var = _matrix_views(mat, lens)
    bad = np.flatnonzero(~ok if valid is None else (~ok & valid))
    if len(bad):
        var = _patch(var, bad, [T.time_text(int(v)) for v in us[bad]])
    return _Col([var], valid)


def _timetz_values(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """TIMETZ → (µs of local time, UTC offset seconds). DuckDB's lossless export packs both in
    a 64-bit word (µs << 24 | 57599 - offset); the plain export is time64 and drops the offset."""
    s = _storage(arr)
    if pa.types.is_fixed_size_binary(s.type):
        bits = np.frombuffer(s.buffers()[1], dtype="<u8", count=len(s), offset=s.offset * 8)
        us = (bits >> np.uint64(24)).astype(np.int64)
        off = 57599 - (bits & np.uint64(0xFFFFFF)).astype(np.int64)
        return us, off.astype(_I32)
    return _time_us_of(s), np.zeros(len(s), dtype=_I32)


def _text_timetz(arr: pa.Array) -> _Col:
    valid = _valid(arr)
    us, off = _timetz_values(arr)
    ok = (us >= 0) & (us <= 86_400_000_000)
    mat, lens = _time_parts(np.where(ok, us, 0))
    return _Col([_matrix_views(mat, lens), _offset_suffix(np.where(ok, off, 0))], valid)


def _hex_var(data: np.ndarray, offsets: np.ndarray, prefix: bytes) -> _Var:
    """prefix + lowercase hex of each value of a binary array given as (data, offsets)."""
    lut = np.frombuffer(b"".join(f"{i:02x}".encode() for i in range(256)), dtype="<u2")
    n = len(offsets) - 1
    p = len(prefix)
    lens = (offsets[1:] - offsets[:-1]) * 2 + p
    new_off = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lens, out=new_off[1:])
    out = np.empty(int(new_off[-1]), dtype=np.uint8)
    keep = np.ones(len(out), dtype=bool)
    for k, ch in enumerate(prefix):
        out[new_off[:-1] + k] = ch
        keep[new_off[:-1] + k] = False
    out[keep] = lut[data[offsets[0]: offsets[-1]]].view(np.uint8)
    return _offset_views(pa.py_buffer(out), new_off[:-1], lens.astype(_I32))


def _bin_data_offsets(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    if pa.types.is_binary_view(arr.type) or pa.types.is_string_view(arr.type):
        arr = arr.cast(pa.large_binary())
    large = pa.types.is_large_binary(arr.type) or pa.types.is_large_string(arr.type)
    b = arr.buffers()
    offsets = np.frombuffer(b[1], dtype=np.int64 if large else _I32)[arr.offset: arr.offset + len(arr) + 1]
    data = np.frombuffer(b[2], dtype=np.uint8) if b[2] is not None else np.zeros(0, np.uint8)
    return data, offsets.astype(np.int64)


def _text_bytea(arr: pa.Array) -> _Col:
    valid = _valid(arr)
    data, offsets = _bin_data_offsets(arr)
    return _Col([_hex_var(data, offsets, b"\\x")], valid)


def _uuid_matrix_from_bytes(mat16: np.ndarray) -> np.ndarray:
    lut = np.frombuffer(b"".join(f"{i:02x}".encode() for i in range(256)), dtype=np.uint8).reshape(256, 2)
    n = len(mat16)
    hexm = lut[mat16].reshape(n, 32)
    out = np.empty((n, 36), dtype=np.uint8)
    out[:, 0:8], out[:, 9:13], out[:, 14:18] = hexm[:, 0:8], hexm[:, 8:12], hexm[:, 12:16]
    out[:, 19:23], out[:, 24:36] = hexm[:, 16:20], hexm[:, 20:32]
    out[:, [8, 13, 18, 23]] = ord("-")
    return out


def _fsb_matrix(arr: pa.Array, width: int) -> np.ndarray:
    s = _storage(arr)
    return np.frombuffer(s.buffers()[1], dtype=np.uint8, count=len(s) * width,
                         offset=s.offset * width).reshape(len(s), width)


def _uuid_bytes_from_text(arr: pa.Array) -> np.ndarray:
    """Canonical 36-character UUID strings → (n, 16) bytes (NULL rows give zeros)."""
    n = len(arr)
    filled = pc.fill_null(arr.cast(pa.string()), "00000000-0000-0000-0000-000000000000")
    data, offsets = _bin_data_offsets(filled)
    if not np.all(offsets[1:] - offsets[:-1] == 36):
        import uuid as _uuid
        return np.frombuffer(b"".join(_uuid.UUID(v).bytes for v in filled.to_pylist()), np.uint8).reshape(n, 16)
    chars = data[offsets[0]: offsets[0] + 36 * n].reshape(n, 36)
    hexc = np.concatenate([chars[:, 0:8], chars[:, 9:13], chars[:, 14:18], chars[:, 19:23], chars[:, 24:36]],
                          axis=1)
    lut = np.zeros(256, dtype=np.uint8)
    for i, c in enumerate(b"0123456789abcdef"):
        lut[c] = i
    for i, c in enumerate(b"ABCDEF"):
        lut[c] = 10 + i
    nib = lut[hexc]
    return (nib[:, 0::2] << 4) | nib[:, 1::2]


def _interval_fields(arr: pa.Array):
    dt = np.dtype([("months", "<i4"), ("days", "<i4"), ("nanos", "<i8")])
    rec = np.frombuffer(arr.buffers()[1], dtype=dt, count=len(arr), offset=arr.offset * 16)
    return rec["months"], rec["days"], np.floor_divide(rec["nanos"], 1000)


def _text_interval(arr: pa.Array) -> _Col:
    valid = _valid(arr)
    months, days, us = _interval_fields(arr)
    cache: dict = {}
    out = []
    for i, key in enumerate(zip(months.tolist(), days.tolist(), us.tolist())):
        if valid is not None and not valid[i]:
            out.append(b"")
            continue
        s = cache.get(key)
        if s is None:
            s = cache[key] = T.interval_text(*key).encode()
        out.append(s)
    return _Col([_strings_var(out)], valid)


@lru_cache(maxsize=8)
def _fraction_table(scale: int) -> np.ndarray:
    """'.ddd' (scale digits) for every remainder 0..10**scale-1, as V(scale+1) items."""
    r = np.arange(10 ** scale)
    digits = np.frombuffer(b"0123456789", np.uint8)
    m = np.empty((10 ** scale, scale + 1), dtype=np.uint8)
    m[:, 0] = ord(".")
    for i in range(scale):
        m[:, 1 + i] = digits[r // 10 ** (scale - 1 - i) % 10]
    return m.view(np.dtype(f"V{scale + 1}"))[:, 0]


def _decimal_int64(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Unscaled decimal values as int64, and where they fit in it."""
    t = arr.type
    n = len(arr)
    if t.bit_width == 128:
        w = np.frombuffer(arr.buffers()[1], dtype="<i8", count=2 * n, offset=arr.offset * 16).reshape(n, 2)
        lo = w[:, 0]
        return lo, w[:, 1] == (lo >> 63)
    if t.bit_width == 64:
        return _values(arr, "<i8"), np.ones(n, dtype=bool)
    if t.bit_width == 32:
        return _values(arr, "<i4").astype(np.int64), np.ones(n, dtype=bool)
    return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)


def _text_decimal(arr: pa.Array) -> _Col:
    """numeric_out: the integer part with Arrow's int64 → text, then '.' and exactly `scale`
    digits (Arrow's own decimal text switches to exponents for small values)."""
    valid = _valid(arr)
    scale = arr.type.scale
    if scale > 18:  # 10 ** scale is past int64: the whole text per value (DECIMAL(38,20)…)
        return _Col([_binary_views(pa.array(["" if v is None else f"{v:f}" for v in arr.to_pylist()],
                                            pa.string()))], valid)
    lo, fits = _decimal_int64(arr)
    if valid is not None:
        fits = fits | ~valid
    n = len(arr)
    neg = lo < 0
    mag = np.abs(lo if fits.all() else np.where(fits, lo, 0))
    p10 = 10 ** scale
    q = mag // p10 if scale else mag
    # (mag is negative for -2**63 alone: Arrow's text of it is right)
    small = n > 0 and int(q.min()) >= 0 and int(q.max()) < _SMALL_INT
    # (the small integers' views put '-' before a zero integer part too: -0.05)
    parts: list = [_small_int_views(q, neg) if small else
                   _binary_views(pc.cast(pa.array(np.where(neg, -q, q)), pa.string()))]
    trim = _is_unconstrained(arr.type)
    if scale:
        r = mag - q * p10
        if scale <= 6:
            frac = _fraction_table(scale)[r].view(np.uint8).reshape(-1, scale + 1)
        elif scale == 10:  # the unconstrained storage: two lookups of five digits
            five = _fraction_table(5).view(np.uint8).reshape(-1, 6)
            frac = np.empty((n, 11), dtype=np.uint8)
            frac[:, :6] = five[r // 100000]
            frac[:, 6:] = five[r % 100000, 1:]
        else:
            frac = np.empty((n, scale + 1), dtype=np.uint8)
            frac[:, 0] = ord(".")
            for i in range(scale):
                frac[:, 1 + i] = 48 + (r // 10 ** (scale - 1 - i)) % 10
        # an unconstrained numeric: the value's own digits, no '.' for a whole number
        parts.append(_matrix_views(frac, (_value_scale(r, scale) + (r != 0)).astype(_I32)) if trim else frac)
    negzero = neg & (q == 0)
    if valid is not None:
        negzero &= valid
    if not small and negzero.any():  # -0.05: the integer part's text is '-0'
        parts[0] = _set_inline(parts[0], negzero, b"-0")
    big = np.flatnonzero(~fits)
    if len(big):  # beyond int64: the whole text per value
        if trim:
            return _Col([_binary_views(_text_unconstrained_wide(arr))], valid)
        vals = arr.take(pa.array(big)).to_pylist()
        return _Col([_patch(_join_var(parts, n), big, [f"{v:f}" for v in vals])], valid)
    return _Col(parts, valid)


def _unscaled_text(arr: pa.Array) -> tuple[pa.Array, pa.Array]:
    """A decimal128's unscaled integers as text (Arrow's decimal → string of scale 0 never
    uses an exponent), without the sign, and where they are negative."""
    digits = pc.cast(pa.Array.from_buffers(pa.decimal128(38, 0), len(arr), arr.buffers()[:2], offset=arr.offset),
                     pa.string())
    neg = pc.starts_with(digits, "-")
    return pc.utf8_ltrim(digits, "-"), neg


def _text_unconstrained_wide(arr: pa.Array) -> pa.Array:
    """numeric_out of the unconstrained storage for a batch holding values past int64
    (unscaled): Arrow string kernels over the unscaled digits, no per-value Python."""
    scale = arr.type.scale
    digits, neg = _unscaled_text(arr)
    digits = pc.utf8_lpad(digits, scale + 1, "0")
    whole = pc.utf8_slice_codeunits(digits, 0, -scale)
    frac = pc.utf8_rtrim(pc.utf8_slice_codeunits(digits, -scale), "0")
    point = pc.if_else(pc.equal(frac, ""), "", ".")
    text = pc.binary_join_element_wise(whole, point, frac, "")
    negative = pc.and_(neg, pc.not_equal(text, "0"))
    return pc.if_else(negative, pc.binary_join_element_wise("-", text, ""), text)


def _binary_unconstrained_wide(arr: pa.Array) -> list:
    """numeric_send of the unconstrained storage (precision 38, scale 10) for a batch holding
    values past int64 (unscaled): every value's 38 digits as a matrix, base-10000 groups."""
    n = len(arr)
    scale = arr.type.scale
    int_digits = 38 - scale
    lead = (-int_digits) % 4  # zeros before the integer digits, to whole groups
    width = lead + 38
    width += (-width) % 4
    digits, neg = _unscaled_text(arr)
    padded = pc.utf8_lpad(pc.fill_null(digits, "0"), 38, "0").cast(pa.binary())
    raw = np.frombuffer(padded.buffers()[2], dtype=np.uint8)[: 38 * n].reshape(n, 38) - 48
    d = np.zeros((n, width), dtype=np.int32)
    d[:, lead:lead + 38] = raw
    groups = d[:, 0::4] * 1000 + d[:, 1::4] * 100 + d[:, 2::4] * 10 + d[:, 3::4]
    g = groups.shape[1]
    nz = groups != 0
    first = np.where(nz.any(axis=1), nz.argmax(axis=1), g)
    last = np.where(nz.any(axis=1), g - 1 - nz[:, ::-1].argmax(axis=1), -1)
    ndig = np.maximum(last - first + 1, 0)
    frac = raw[:, int_digits:]
    zeros = np.zeros(n, dtype=np.int32)
    for k in range(scale, 0, -1):  # trailing zeros of the fraction: the value's own scale
        zeros += (frac[:, k - 1:] == 0).all(axis=1)
    head = np.empty(n, dtype=_NUMERIC_HEAD)
    head["ndigits"] = ndig
    head["weight"] = np.where(ndig > 0, (lead + int_digits) // 4 - 1 - first, 0)
    head["sign"] = np.where(np.asarray(pc.fill_null(neg, False)) & (ndig > 0), 0x4000, 0)
    head["dscale"] = scale - zeros
    idx = np.minimum(first[:, None] + np.arange(g)[None, :], g - 1)
    shifted = np.take_along_axis(groups, idx, axis=1)
    shifted[np.arange(g)[None, :] >= ndig[:, None]] = 0
    body = shifted.astype(">u2").view(np.uint8).reshape(n, 2 * g)
    return [head.view(np.uint8).reshape(n, 8), _matrix_views(body, (2 * ndig).astype(_I32))]


def _is_unconstrained(t: pa.DataType) -> bool:
    """The storage type of `numeric` without precision (types.UNCONSTRAINED_NUMERIC)."""
    return pa.types.is_decimal(t) and t.precision == 38 and t.scale == T.UNCONSTRAINED_NUMERIC_SCALE


def _value_scale(r: np.ndarray, scale: int) -> np.ndarray:
    """The scale a value of fraction digits r (0 <= r < 10**scale) needs: its trailing zeros
    dropped."""
    if scale == 10:
        r = r.astype(np.int64, copy=False)
        lo, hi = r % 100000, r // 100000
        tz = _trailing_zeros5()
        return (scale - np.where(lo == 0, 5 + tz[hi], tz[lo])).astype(np.int32)
    zeros = np.zeros(len(r), dtype=np.int32)
    for k in range(1, scale + 1):
        zeros += (r % (10 ** k)) == 0
    return scale - zeros


@lru_cache(maxsize=1)
def _trailing_zeros5() -> np.ndarray:
    """Trailing zero digits of every five-digit group 0..99999 (5 for 0)."""
    r = np.arange(100000)
    zeros = np.zeros(100000, dtype=np.int32)
    for k in range(1, 6):
        zeros += (r % (10 ** k)) == 0
    return zeros


def _join_var(parts: list, n: int) -> _Var:
    """Several parts of one column as a single variable part (for patching whole values)."""
    if len(parts) == 1:
        return _to_var(parts[0])
    data, k = _join(parts, n)
    if k is None:
        return _matrix_views(data)
    b = data.buffers()
    offsets = np.frombuffer(b[1], dtype=_I32)[: n * k + 1][::k].astype(np.int64)
    return _offset_views(b[2], offsets[:-1], (offsets[1:] - offsets[:-1]).astype(_I32))


def _text_list(arr: pa.Array, duck: str) -> _Col:
    valid = _valid(arr)
    child, offsets = _list_child(arr)
    elem_duck = _list_elem_type(duck)
    etext = pg_text_column(child, elem_duck).cast(pa.string())
    if pg_type_of(elem_duck).oid not in (16, 20, 21, 23, 26, 700, 701, 1700):
        need = pc.match_substring_regex(etext, r'[{}",\\ \t\n\r\v\f]|^$|^(?i:null)$')
        need = pc.fill_null(need, False)
        if pc.any(need).as_py():
            esc = pc.replace_substring_regex(etext, r'(["\\])', r'\\\1')
            quoted = pc.binary_join_element_wise('"', esc, '"', "")
            etext = pc.if_else(need, quoted, etext)
    etext = pc.fill_null(etext, "NULL")
    la = pa.ListArray.from_arrays(pa.array(offsets.astype(_I32)), etext)
    joined = pc.binary_join(la, ",")
    wrapped = pc.binary_join_element_wise("{", joined, "}", "")
    return _Col([_binary_views(wrapped)], valid)


def _list_child(arr: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """A list array's elements (only those of this slice) and 0-based offsets (n+1)."""
    t = arr.type
    n = len(arr)
    if pa.types.is_fixed_size_list(t):
        size = t.list_size
        child = arr.values.slice(arr.offset * size, n * size) if arr.offset or len(arr.values) != n * size \
            else arr.values
        return child, np.arange(n + 1, dtype=np.int64) * size
    if pa.types.is_list_view(t) or pa.types.is_large_list_view(t):
        arr = pa.array(arr.to_pylist(), pa.list_(t.value_type))
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64 if pa.types.is_large_list(arr.type) else _I32)
    offsets = offsets[arr.offset: arr.offset + n + 1].astype(np.int64)
    start = int(offsets[0])
    child = arr.values.slice(start, int(offsets[-1]) - start)
    return child, offsets - start


def _int128_words(arr: pa.Array) -> np.ndarray:
    s = _storage(arr)
    return np.frombuffer(s.buffers()[1], dtype="<i8", count=2 * len(s), offset=s.offset * 16).reshape(len(s), 2)


def _int128_fits_int64(arr: pa.Array, unsigned: bool) -> bool:
    """Whether every (non-null) HUGEINT/UHUGEINT of DuckDB's lossless export fits in int64."""
    w = _int128_words(arr)
    fits = (w[:, 1] == 0) & (w[:, 0] >= 0) if unsigned else w[:, 1] == (w[:, 0] >> 63)
    valid = _valid(arr)
    return bool((fits | ~valid).all() if valid is not None else fits.all())


def _int128_as_decimal(arr: pa.Array) -> pa.Array:
    """The 16-byte little-endian integers read as decimal128(38, 0) (the same layout)."""
    s = _storage(arr)
    return pa.Array.from_buffers(pa.decimal128(38, 0), len(s), s.buffers()[:2], offset=s.offset)


def _is_nested(t: pa.DataType) -> bool:
    return pa.types.is_nested(t) and not (pa.types.is_list(t) or pa.types.is_large_list(t)
                                          or pa.types.is_fixed_size_list(t))


def _json_col(arr: pa.Array) -> _Col:
    return _fallback(arr, lambda v: T.json_text(v).encode())


# --------------------------------------------------------------------------- dispatch

def _encode_text(arr: pa.Array, duck: str) -> _Col:
    """Column → PostgreSQL text form parts."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    t = arr.type
    pgt = pg_type_of(duck)
    oid = pgt.oid
    ext = _ext_name(t)
    n = len(arr)
    if pa.types.is_null(t):
        return _Col([], np.zeros(n, dtype=bool))
    if ext == "opaque:time_tz" or oid == 1266:
        return _text_timetz(arr)
    if ext in ("opaque:hugeint", "opaque:uhugeint") and _int128_fits_int64(arr, ext == "opaque:uhugeint"):
        return _text_decimal(_int128_as_decimal(arr))
    if ext == "opaque:hugeint":
        return _fallback(arr, lambda v: str(int.from_bytes(v, "little", signed=True)).encode())
    if ext == "opaque:uhugeint":
        return _fallback(arr, lambda v: str(int.from_bytes(v, "little", signed=False)).encode())
    if ext.startswith("opaque:bignum") or ext.startswith("opaque:varint"):
        return _fallback(arr, lambda v: str(T.bignum_value(v)).encode())
    if ext == "arrow.uuid" or (oid == 2950 and pa.types.is_fixed_size_binary(_storage(arr).type)):
        return _Col([_uuid_matrix_from_bytes(_fsb_matrix(arr, 16))], _valid(arr))
    if ext == "arrow.bool8":  # lossless export: booleans as int8 storage, read as they are
        st = arr.storage
        return _Col([np.where(_values(st, np.int8) != 0, np.uint8(116), np.uint8(102)).reshape(-1, 1)], _valid(st))
    if isinstance(t, pa.BaseExtensionType):
        arr = arr.storage
        t = arr.type
    if pa.types.is_dictionary(t):
        return _take(_encode_text(arr.dictionary, duck), arr)
    if oid == 114 and not (pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t)):
        return _json_col(arr)
    if pa.types.is_boolean(t):
        return _Col([np.where(_bools(arr), np.uint8(116), np.uint8(102)).astype(np.uint8).reshape(-1, 1)],
                    _valid(arr))
    if pa.types.is_integer(t):
        valid = _valid(arr)
        var = _int_text(_values(arr, t.to_pandas_dtype()), valid)
        return _Col([var if var is not None else _binary_views(pc.cast(arr, pa.string()))], valid)
    if pa.types.is_floating(t):
        if t.bit_width == 16:
            arr = arr.cast(pa.float32())
        return _text_float(arr, arr.type.bit_width == 32 or oid == 700)
    if pa.types.is_decimal(t):
        return _text_decimal(arr)
    if pa.types.is_date32(t):
        return _text_date(arr)
    if pa.types.is_date64(t):
        return _text_date(arr.cast(pa.date32()))
    if pa.types.is_timestamp(t):
        return _text_timestamp(arr, t.tz, oid == 1184 or t.tz is not None)
    if pa.types.is_time(t):
        return _text_time(arr)
    if t == pa.month_day_nano_interval():
        return _text_interval(arr)
    if pa.types.is_duration(t):
        return _fallback(arr, lambda v: T.interval_text(0, v.days, v.seconds * 1_000_000 + v.microseconds).encode())
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return _Col([_binary_views(arr)], _valid(arr))
    if pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_binary_view(t):
        if duck == "BIT":
            return _fallback(arr, lambda v: T.bit_text(v).encode())
        return _text_bytea(arr)
    if pa.types.is_fixed_size_binary(t):
        if oid == 2950 and t.byte_width == 16:
            return _Col([_uuid_matrix_from_bytes(_fsb_matrix(arr, 16))], _valid(arr))
        return _fallback(arr, lambda v: T.bytea_text(v).encode())
    if (pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t)
            or pa.types.is_list_view(t) or pa.types.is_large_list_view(t)):
        if oid == 22:  # int2vector (pg_index.indkey): space separated, no braces
            return _fallback(arr, lambda v: " ".join(str(x) for x in v).encode())
        if oid in ELEMENT_OID and T._split_list(_list_elem_type(duck)) is not None:
            # a multidimensional array: rare, so per value ({{1,2},{3,4}})
            return _fallback(arr, lambda v: T.array_text(ELEMENT_OID[oid], v).encode())
        if oid in ELEMENT_OID:
            return _text_list(arr, duck)
        return _json_col(arr)
    if _is_nested(t):
        return _json_col(arr)
    return _fallback(arr, lambda v: T.format_text_value(oid, v).encode())


def _take(col: _Col, indices_arr: pa.DictionaryArray) -> _Col:
    """Dictionary-encoded column: the dictionary's encoded parts, taken by index."""
    idx_arr = indices_arr.indices
    n = len(idx_arr)
    valid = _valid(idx_arr)
    idx = _values(idx_arr, idx_arr.type.to_pandas_dtype()).astype(np.int64)
    if valid is not None:
        idx = np.where(valid, idx, 0)
    if col.valid is not None:
        dv = col.valid[idx] if len(col.valid) else np.zeros(n, dtype=bool)
        valid = dv if valid is None else (valid & dv)
    parts = []
    for p in col.parts:
        if isinstance(p, _Var):
            parts.append(_Var(p.views[idx] if len(p.views) else np.zeros((n, 4), _I32), p.bufs))
        else:
            parts.append(p[idx] if len(p) else np.zeros((n, p.shape[1]), np.uint8))
    return _Col(parts, valid)


# --------------------------------------------------------------------------- binary encoders

_INT_WIDTH = {21: ">i2", 23: ">i4", 20: ">i8", 26: ">u4", 28: ">u4"}


_NUMERIC_HEAD = np.dtype([("ndigits", ">i2"), ("weight", ">i2"), ("sign", ">u2"), ("dscale", ">i2")])


def _numeric_parts(mag: np.ndarray, neg: np.ndarray, scale: int, int_digits: int,
                   dscale: np.ndarray | None = None) -> list:
    """numeric_send of |value| = mag / 10**scale (mag < 2**64), vectorised: an 8-byte header
    (a fixed part) and the base-10000 digits, leading and trailing zero digits dropped."""
    n = len(mag)
    shift = (-scale) % 4
    nfrac = (scale + shift) // 4
    nint = (min(max(int_digits, 0), 20) + 3) // 4
    g = max(nint + nfrac, 1)
    m = mag.astype(np.uint64)
    groups = []  # most significant first
    for k in range(g - 1, -1, -1):
        e = 4 * k - shift
        if k == 0:
            grp = (m % np.uint64(10 ** (4 - shift))) * np.uint64(10 ** shift)
        elif e >= 20:
            grp = np.zeros(n, dtype=np.uint64)
        else:
            grp = (m // np.uint64(10 ** e)) % np.uint64(10000)
        groups.append(grp.astype(np.int32))
    first = np.full(n, g, dtype=np.int32)
    last = np.full(n, -1, dtype=np.int32)
    for k in range(g - 1, -1, -1):
        first = np.where(groups[k] != 0, k, first)
    for k in range(g):
        last = np.where(groups[k] != 0, k, last)
    ndig = np.maximum(last - first + 1, 0)
    head = np.empty(n, dtype=_NUMERIC_HEAD)
    head["ndigits"] = ndig
    head["weight"] = np.where(ndig > 0, nint - 1 - first, 0)
    head["sign"] = np.where(neg & (ndig > 0), 0x4000, 0)
    head["dscale"] = scale if dscale is None else dscale
    # digits, left-aligned at the first non-zero group, straight into binary-view structs
    # when they fit inline (zeros after the last digit are part of the zero padding)
    width = 2 * g
    if width <= 12:
        views = np.zeros((n, 4), dtype=_I32)
        views[:, 0] = 2 * ndig
        mat_out = views.view(np.uint8)[:, 4:4 + width]
    else:
        mat_out = np.zeros((n, width), dtype=np.uint8)
    be = mat_out.view(">u2")  # the last axis is contiguous in both cases
    for d in range(g):
        col = np.zeros(n, dtype=np.int32)
        for k in range(d, g):
            col = np.where(first + d == k, groups[k], col)
        be[:, d] = col
    if width <= 12:
        return [head.view(np.uint8).reshape(n, 8), _Var(views, [])]
    return [head.view(np.uint8).reshape(n, 8), _matrix_views(mat_out, (2 * ndig).astype(_I32))]


def _binary_decimal(arr: pa.Array) -> _Col:
    valid = _valid(arr)
    t = arr.type
    n = len(arr)
    if t.bit_width not in (32, 64, 128):
        return _fallback(arr, T.numeric_send)
    lo, fits = _decimal_int64(arr)
    if valid is not None:
        fits |= ~valid
    neg = lo < 0
    u = lo.view(np.uint64)
    mag = np.where(neg, (~u) + np.uint64(1), u)
    trim = _is_unconstrained(t)
    # an unconstrained numeric is sent with its value's own scale (dscale), not the storage's
    dscale = _value_scale(mag % np.uint64(10 ** t.scale), t.scale) if trim else None
    # mag < 2**64 < 10**20: no more than 20 - scale integer digits (fewer groups to place)
    parts = _numeric_parts(mag, neg, t.scale, min(t.precision, 20) - t.scale, dscale)
    bad = np.flatnonzero(~fits)
    if len(bad):
        if trim:
            return _Col(_binary_unconstrained_wide(arr), valid)
        vals = arr.take(pa.array(bad)).to_pylist()
        return _Col([_patch(_join_var(parts, n), bad, [T.numeric_send(v) for v in vals])], valid)
    return _Col(parts, valid)


def _binary_date(arr: pa.Array) -> _Col:
    d = _values(arr, np.int32).astype(np.int64)
    out = np.where(d >= _DATE_INF, 2147483647, np.where(d <= -_DATE_INF, -2147483648, d - _PG_EPOCH_DAYS))
    return _Col([_be_matrix(out, ">i4")], _valid(arr))


def _binary_ts(us: np.ndarray) -> np.ndarray:
    out = np.where(us >= _TS_INF, _TS_INF, np.where(us <= -_TS_INF, -_TS_INF - 1, us - _PG_EPOCH_US))
    return _be_matrix(out, ">i8")


def _binary_list(arr: pa.Array, duck: str) -> _Col:
    valid = _valid(arr)
    n = len(arr)
    child, offsets = _list_child(arr)
    elem_duck = _list_elem_type(duck)
    elem_oid = ELEMENT_OID[pg_type_of(duck).oid]
    ccol = _encode_binary(child, elem_duck)
    m = len(child)
    clens = _col_lens(ccol, m)
    prefix = _be_matrix(clens, ">i4")
    cells, k = _join([prefix] + _clear_nulls(ccol), m)
    if k is None:
        w = cells.shape[1]
        cells = pa.Array.from_buffers(pa.binary(), m, [None, pa.py_buffer(np.arange(m + 1, dtype=_I32) * w),
                                                      pa.py_buffer(cells)])
    else:
        b = cells.buffers()
        coff = np.frombuffer(b[1], dtype=_I32)[: m * k + 1][::k].copy()
        cells = pa.Array.from_buffers(pa.binary(), m, [None, pa.py_buffer(coff), b[2] or pa.py_buffer(b"")])
    body = pc.binary_join(pa.ListArray.from_arrays(pa.array(offsets.astype(_I32)), cells), b"")
    sizes = offsets[1:] - offsets[:-1]
    cnull = np.zeros(m + 1, dtype=np.int64)
    if ccol.valid is not None:
        np.cumsum(~ccol.valid, out=cnull[1:])
    hasnull = (cnull[offsets[1:]] - cnull[offsets[:-1]]) > 0
    head = np.empty((n, 5), dtype=">i4")
    head[:, 0] = np.where(sizes > 0, 1, 0)
    head[:, 1] = hasnull
    head[:, 2] = elem_oid
    head[:, 3] = sizes
    head[:, 4] = 1
    hv = _matrix_views(head.view(np.uint8).reshape(n, 20), np.where(sizes > 0, 20, 12).astype(_I32))
    return _Col([hv, _binary_views(body)], valid)


def _encode_binary(arr: pa.Array, duck: str) -> _Col:
    """Column → PostgreSQL binary (send) form parts."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    t = arr.type
    pgt = pg_type_of(duck)
    oid = pgt.oid
    ext = _ext_name(t)
    n = len(arr)
    if pa.types.is_null(t):
        return _Col([], np.zeros(n, dtype=bool))
    if ext == "opaque:time_tz" or oid == 1266:
        us, off = _timetz_values(arr)
        return _Col([_be_matrix(us, ">i8"), _be_matrix(-off.astype(np.int64), ">i4")], _valid(arr))
    if ext in ("opaque:hugeint", "opaque:uhugeint") and _int128_fits_int64(arr, ext == "opaque:uhugeint"):
        return _binary_decimal(_int128_as_decimal(arr))
    if ext == "opaque:hugeint":
        return _fallback(arr, lambda v: T.numeric_send(int.from_bytes(v, "little", signed=True)))
    if ext == "opaque:uhugeint":
        return _fallback(arr, lambda v: T.numeric_send(int.from_bytes(v, "little", signed=False)))
    if ext.startswith("opaque:bignum") or ext.startswith("opaque:varint"):
        return _fallback(arr, lambda v: T.numeric_send(T.bignum_value(v)))
    if ext == "arrow.uuid" or (oid == 2950 and pa.types.is_fixed_size_binary(_storage(arr).type)):
        return _Col([_fsb_matrix(arr, 16).copy()], _valid(arr))
    if ext == "arrow.bool8":
        arr = _bool8(arr)
        t = arr.type
    if isinstance(t, pa.BaseExtensionType):
        arr = arr.storage
        t = arr.type
    if pa.types.is_dictionary(t):
        return _take(_encode_binary(arr.dictionary, duck), arr)
    if oid == 18:  # "char": one byte, and the empty "char" is the byte 0 (PostgreSQL's charsend)
        return _fallback(arr, lambda v: v.encode()[:1] or b"\x00")
    if oid in (114, 25) and not (pa.types.is_dictionary(t) or pa.types.is_binary(t)
                                 or pa.types.is_large_binary(t) or pa.types.is_binary_view(t)):
        # json and text go out as their text bytes (text of a struct/map/union is JSON)
        return _encode_text(arr, duck)
    if pa.types.is_boolean(t):
        return _Col([_bools(arr).astype(np.uint8).reshape(-1, 1)], _valid(arr))
    if pa.types.is_integer(t):
        if oid == 1700:  # UBIGINT
            v = _values(arr, np.uint64 if not pa.types.is_signed_integer(t) else np.int64)
            neg = v < 0 if v.dtype.kind == "i" else np.zeros(n, dtype=bool)
            mag = np.where(neg, (~v.view(np.uint64)) + np.uint64(1), v.view(np.uint64)) \
                if v.dtype.kind == "i" else v
            return _Col(_numeric_parts(mag, neg, 0, 20), _valid(arr))
        return _Col([_be_matrix(_values(arr, t.to_pandas_dtype()), _INT_WIDTH.get(oid, ">i8"))], _valid(arr))
    if pa.types.is_floating(t):
        x = _values(arr, t.to_pandas_dtype()) if t.bit_width != 16 else _values(arr.cast(pa.float32()), np.float32)
        return _Col([_be_matrix(x, ">f4" if oid == 700 else ">f8")], _valid(arr))
    if pa.types.is_decimal(t):
        return _binary_decimal(arr)
    if pa.types.is_date32(t) or pa.types.is_date64(t):
        return _binary_date(arr if pa.types.is_date32(t) else arr.cast(pa.date32()))
    if pa.types.is_timestamp(t):
        return _Col([_binary_ts(_to_us(_values(arr, np.int64), t))], _valid(arr))
    if pa.types.is_time(t):
        return _Col([_be_matrix(_time_us_of(arr), ">i8")], _valid(arr))
    if t == pa.month_day_nano_interval():
        months, days, us = _interval_fields(arr)
        return _Col([_be_matrix(us, ">i8"), _be_matrix(days, ">i4"), _be_matrix(months, ">i4")], _valid(arr))
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        if oid == 2950:
            return _Col([_uuid_bytes_from_text(arr)], _valid(arr))
        if oid == 3802:  # jsonb_send: version 1, then the text
            arr = pc.binary_join_element_wise(pa.scalar(b"\x01"), arr.cast(pa.binary()), b"")
        return _Col([_binary_views(arr)], _valid(arr))
    if pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_binary_view(t):
        if duck == "BIT":
            return _fallback(arr, lambda v: T.bit_text(v).encode())
        return _Col([_binary_views(arr)], _valid(arr))
    if pa.types.is_fixed_size_binary(t):
        return _Col([_fsb_matrix(arr, t.byte_width).copy()], _valid(arr))
    if (pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t)
            or pa.types.is_list_view(t) or pa.types.is_large_list_view(t)) and oid in ELEMENT_OID:
        if T._split_list(_list_elem_type(duck)) is not None:  # multidimensional: per value
            return _fallback(arr, lambda v: T.array_send(ELEMENT_OID[oid], v))
        return _binary_list(arr, duck)
    if pa.types.is_nested(t):
        return _json_col(arr)
    return _fallback(arr, lambda v: T.format_binary_value(oid, v))


# --------------------------------------------------------------------------- public API

def pg_text_column(array: pa.Array | pa.ChunkedArray, duck_type: Any) -> pa.Array:
    """PostgreSQL text form of every value, as a binary array (NULLs stay NULL)."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return _col_to_array(_encode_text(array, str(duck_type)), len(array))


def pg_binary_column(array: pa.Array | pa.ChunkedArray, duck_type: Any) -> pa.Array:
    """PostgreSQL binary (send) form of every value, as a binary array (NULLs stay NULL)."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return _col_to_array(_encode_binary(array, str(duck_type)), len(array))


_SMALL_ROWS = 8
# Arrow types whose to_pylist() values format_text_value / format_binary_value take as they are,
# for the PostgreSQL types they are sent as
_SMALL_TYPES = {
    16: (pa.types.is_boolean,),
    21: (pa.types.is_integer,), 23: (pa.types.is_integer,), 20: (pa.types.is_integer,),
    700: (pa.types.is_floating,), 701: (pa.types.is_floating,),
    25: (pa.types.is_string, pa.types.is_large_string, pa.types.is_string_view),
    1700: (pa.types.is_decimal,),
    1082: (pa.types.is_date32,),
    1042: (pa.types.is_string,), 1043: (pa.types.is_string,), 3802: (pa.types.is_string,),
    17: (pa.types.is_binary, pa.types.is_large_binary),
}


def _small_type_ok(t: pa.DataType, oid: int) -> bool:
    if isinstance(t, pa.BaseExtensionType):
        return oid == 16 and getattr(t, "extension_name", "") == "arrow.bool8"
    if oid == 1114:
        return pa.types.is_timestamp(t) and t.tz is None and t.unit == "us"
    checks = _SMALL_TYPES.get(oid)
    return checks is not None and any(c(t) for c in checks)


def _data_row(values: list) -> bytes:
    parts = [struct.pack("!h", len(values))]
    for v in values:
        if v is None:
            parts.append(b"\xff\xff\xff\xff")
        else:
            parts.append(struct.pack("!i", len(v)))
            parts.append(v)
    body = b"".join(parts)
    return b"D" + struct.pack("!i", len(body) + 4) + body


# pseudo DuckDB type names for PostgreSQL types DuckDB lacks (protocol/types.py maps them)
_PSEUDO = {1043: "PG_VARCHAR", 1042: "PG_BPCHAR", 3802: "PG_JSONB", 2278: "PG_VOID"}
_LIST_OF = {1015: 1043, 1014: 1042, 3807: 3802}


def pg_type_preparation(duck_types: list[str], pg_types: Sequence) -> dict:
    """{column: (element oid, typmod, is a list)} for the overridden string/json columns; their
    duck_types entries are replaced by the pseudo type names."""
    prep = {}
    for i, o in enumerate(pg_types):
        if o is None or i >= len(duck_types):
            continue
        oid, typmod = o[0], o[-1]  # a third item: the typmod to encode with (result_types.resolve)
        elem = _LIST_OF.get(oid, oid)
        if oid == 1700 and typmod >= 0:  # numeric(38,10): the storage of `numeric`, fixed scale
            prep[i] = (1700, typmod, False)
            continue
        pseudo = _PSEUDO.get(elem)
        if pseudo is None:
            continue  # timestamp(p): only the typmod differs
        is_list = elem != oid
        duck_types[i] = pseudo + "[]" if is_list else pseudo
        prep[i] = (elem, typmod, is_list)
    return prep


def _prepare_values(arr: pa.Array, elem: int, typmod: int) -> pa.Array:
    if isinstance(arr.type, pa.BaseExtensionType):
        arr = arr.storage
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = arr.cast(pa.string())
    if elem == 3802:
        from .jsonb import canonical_jsonb_array
        try:
            return canonical_jsonb_array(arr)
        except ValueError:  # not JSON text after all (a result typed jsonb by mistake): as it is
            return arr
    if typmod <= 4:
        return arr
    n = typmod - 4
    if elem == 1042:  # char(n): blank-padded to n (DuckDB keeps the value unpadded)
        return pc.utf8_rpad(pc.utf8_slice_codeunits(pc.utf8_rtrim(arr, " "), 0, n), n, " ")
    return pc.utf8_slice_codeunits(arr, 0, n)  # varchar(n): blanks past n are not kept


def apply_pg_types(batch: pa.RecordBatch, prep: dict) -> pa.RecordBatch:
    cols = batch.columns
    for i, (elem, typmod, is_list) in prep.items():
        arr = cols[i]
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        if elem == 1700:
            if _is_unconstrained(arr.type):  # same layout, another precision: printed as stored
                cols[i] = arr.view(pa.decimal128(37, arr.type.scale))
            continue
        if is_list:
            if isinstance(arr.type, pa.BaseExtensionType):
                arr = arr.storage
            if not (pa.types.is_list(arr.type) or pa.types.is_large_list(arr.type)):
                continue
            cls = pa.LargeListArray if pa.types.is_large_list(arr.type) else pa.ListArray
            arr = cls.from_arrays(arr.offsets, _prepare_values(arr.values, elem, typmod),
                                  mask=arr.is_null() if arr.null_count else None)
        else:
            arr = _prepare_values(arr, elem, typmod)
        cols[i] = arr
    return pa.RecordBatch.from_arrays(cols, names=batch.schema.names)


class DataRowEncoder:
    """Encodes record batches of one result into DataRow messages."""

    def __init__(self, duck_types: Sequence, formats: Sequence[int], pg_types: Sequence | None = None):
        self.duck_types = [str(t) for t in duck_types]
        # columns PostgreSQL types as varchar(n)/char(n)/jsonb (sql/result_types.py): encoded
        # under a pseudo DuckDB type of that OID, their values brought to PostgreSQL's form first
        self._prep = pg_type_preparation(self.duck_types, pg_types) if pg_types else {}
        formats = list(formats)
        if len(formats) <= 1:  # Bind's shorthands: none = all text, one = for every column
            formats = formats * len(self.duck_types) if formats else [0] * len(self.duck_types)
        if len(formats) != len(self.duck_types):
            raise ValueError("one format per column expected")
        self.formats = formats
        self.ncols = len(self.duck_types)
        self._oids = [T.pg_type_of(d).oid for d in self.duck_types]
        self._small_ok: bool | None = None  # decided on the first batch's Arrow types

    def encode(self, batch: pa.RecordBatch) -> bytes | pa.Buffer:
        """DataRow messages for every row of the batch, as one contiguous buffer."""
        n = batch.num_rows
        if n == 0:
            return b""
        if self._prep:
            batch = apply_pg_types(batch, self._prep)
        if n <= _SMALL_ROWS:
            if self._small_ok is None:
                self._small_ok = all(_small_type_ok(f.type, oid) for f, oid in zip(batch.schema, self._oids))
            if self._small_ok:
                try:
                    return self._encode_small(batch)
                except (OverflowError, ValueError):
                    pass  # values Python can't hold (infinite dates…): the vectorised path can
        if n > 2 * _CHUNK_ROWS:
            # a few tens of thousands of rows keep the working set in cache; one copy to join
            return b"".join([memoryview(self._encode(batch.slice(i, _CHUNK_ROWS)))
                             for i in range(0, n, _CHUNK_ROWS)])
        return self._encode(batch)

    def _encode_small(self, batch: pa.RecordBatch) -> bytes:
        """A few rows (point queries): per value, which costs far less than setting up the
        vectorised path. Only for Arrow types whose Python values the single-value formatters
        take as they are (see _small_type_ok); the results are the same bytes."""
        columns = []
        for i in range(self.ncols):
            col = batch.column(i)
            if isinstance(col.type, pa.BaseExtensionType):  # arrow.bool8 (see _small_type_ok)
                col = _bool8(col)
            values = col.to_pylist()
            if _is_unconstrained(col.type):
                values = [None if v is None else T.unconstrained_value(v) for v in values]
            columns.append(values)
        out = []
        for r in range(batch.num_rows):
            vals = []
            for c in range(self.ncols):
                v = columns[c][r]
                if v is None:
                    vals.append(None)
                elif self.formats[c] == 1:
                    vals.append(T.format_binary_value(self._oids[c], v))
                else:
                    vals.append(T.format_text_value(self._oids[c], v).encode())
            out.append(_data_row(vals))
        return b"".join(out)

    def _encode(self, batch: pa.RecordBatch) -> bytes | pa.Buffer:
        n = batch.num_rows
        cols = []
        for i, (duck, fmt) in enumerate(zip(self.duck_types, self.formats)):
            arr = batch.column(i)
            cols.append(_encode_binary(arr, duck) if fmt == 1 else _encode_text(arr, duck))
        lens = [_col_lens(c, n) for c in cols]
        total = np.full(n, 4 + 2 + 4 * self.ncols, dtype=np.int64)
        for ln in lens:
            total += np.maximum(ln, 0)
        header = np.empty(n, dtype=np.dtype([("t", "u1"), ("len", ">i4"), ("nc", ">i2")]))
        header["t"] = ord("D")
        header["len"] = total
        header["nc"] = self.ncols
        parts: list = [header.view(np.uint8).reshape(n, 7)]
        for c, ln in zip(cols, lens):
            parts.append(_be_matrix(ln, ">i4"))
            parts.extend(_clear_nulls(c))
        size = int(total.sum()) + n
        data, k = _join(parts, n, large=size >= 2**31 - 1)
        if k is None:
            return pa.py_buffer(data)
        b = data.buffers()
        return b[2].slice(0, size)
