"""COPY wire formats (text, csv, binary) ⇄ Arrow.

In: `parse_copy()` reads a COPY statement's options; a decoder (`TextCsvDecoder`,
`BinaryDecoder`) takes the CopyData bytes in chunks and returns Arrow tables of whole records,
typed for the target columns where Arrow's parser agrees with PostgreSQL's input functions and
as strings (cast later, in DuckDB) where it does not. Records never split across chunks: the
decoders cut at a record boundary and keep the rest for the next chunk.

Out: `CopyOutEncoder` turns record batches into CopyData messages, one per row as PostgreSQL
sends them, built for the whole batch at once with Arrow compute.

No SQL runs here; the writer (engine/writer.py) appends the tables in one transaction and maps
its failures to PostgreSQL's errors with a line number.
"""

from __future__ import annotations

import decimal
import re
import struct
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..errors import PgError
from . import types as T
from . import rows as R
from ..sql import numeric_storage
from .rows import DataRowEncoder, pg_text_column

BINARY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
BINARY_HEADER = BINARY_SIGNATURE + b"\x00\x00\x00\x00\x00\x00\x00\x00"
BINARY_TRAILER = b"\xff\xff"
# CopyData gathered into chunks of about this size before parsing. A few chunks are in flight
# (waiting, parsing, queued for DuckDB, kept to locate errors): 1 MB keeps a load's own memory
# to ~15 MB (4 MB chunks: ~50 MB plus allocator slack) at the same speed.
CHUNK_BYTES = 1 << 20

_FILE_HINT = "Anyone can COPY to stdout or from stdin. psql's \\copy command also works for anyone."


# --------------------------------------------------------------------------- the statement

@dataclass(slots=True)
class CopySpec:
    direction: str  # "from" | "to"
    schema: str | None = None
    table: str | None = None  # relation name as written (case folded)
    columns: list[str] | None = None
    query: str | None = None  # COPY (query) TO
    fmt: str = "text"
    delimiter: str | None = None
    null: str | None = None
    quote: str = '"'
    escape: str | None = None
    header: bool | str = False  # False, True or "match"
    force_quote: list[str] | str | None = None  # column names, or "*"
    force_not_null: list[str] = field(default_factory=list)
    force_null: list[str] = field(default_factory=list)
    default: str | None = None
    freeze: bool = False

    @property
    def target_sql(self) -> str:
        """The table as DuckDB SQL (PostgreSQL's `public` is DuckDB's `main`)."""
        t = _quote_ident(self.table or "")
        if self.schema and self.schema != "public":
            return f"{_quote_ident(self.schema)}.{t}"
        return t

    def finish(self) -> None:
        """PostgreSQL's defaults and option checks (ProcessCopyOptions)."""
        csv = self.fmt == "csv"
        binary = self.fmt == "binary"
        if binary and self.delimiter is not None:
            raise PgError("42601", "cannot specify DELIMITER in BINARY mode")
        if binary and self.null is not None:
            raise PgError("42601", "cannot specify NULL in BINARY mode")
        if binary and self.header:
            raise PgError("0A000", "cannot specify HEADER in BINARY mode")
        if self.delimiter is None:
            self.delimiter = "," if csv else "\t"
        if self.null is None:
            self.null = "" if csv else "\\N"
        if self.escape is None:
            self.escape = self.quote
        if len(self.delimiter.encode()) != 1:
            raise PgError("0A000", "COPY delimiter must be a single one-byte character")
        if self.delimiter in "\r\n":
            raise PgError("0A000", "COPY delimiter cannot be newline or carriage return")
        if "\r" in self.null or "\n" in self.null:
            raise PgError("0A000", "COPY null representation cannot use newline or carriage return")
        if not csv and self.delimiter in "\\.abcdefghijklmnopqrstuvwxyz0123456789":
            raise PgError("0A000", f'COPY delimiter cannot be "{self.delimiter}"')
        if not csv and (self.quote != '"' or self.escape != '"'):
            raise PgError("0A000", "COPY quote available only in CSV mode")
        if csv:
            if len(self.quote.encode()) != 1:
                raise PgError("0A000", "COPY quote must be a single one-byte character")
            if len(self.escape.encode()) != 1:
                raise PgError("0A000", "COPY escape must be a single one-byte character")
            if self.delimiter == self.quote:
                raise PgError("0A000", "COPY delimiter and quote must be different")
            if self.delimiter in self.null:
                raise PgError("0A000", "COPY delimiter must not appear in the NULL specification")
            if self.quote in self.null:
                raise PgError("0A000", "CSV quote character must not appear in the NULL specification")
        if self.force_quote and not csv:
            raise PgError("0A000", "COPY force quote available only in CSV mode")
        if self.force_quote and self.direction == "from":
            raise PgError("0A000", "COPY force quote only available using COPY TO")
        if self.force_not_null and not csv:
            raise PgError("0A000", "COPY force not null available only in CSV mode")
        if self.force_not_null and self.direction == "to":
            raise PgError("0A000", "COPY force not null only available using COPY FROM")
        if self.force_null and not csv:
            raise PgError("0A000", "COPY force null available only in CSV mode")
        if self.force_null and self.direction == "to":
            raise PgError("0A000", "COPY force null only available using COPY FROM")
        if self.header == "match" and self.direction == "to":
            raise PgError("0A000", 'cannot use "match" with HEADER in COPY TO')
        if self.default is not None:
            if self.direction == "to":
                raise PgError("0A000", "COPY DEFAULT only available using COPY FROM")
            if binary:
                raise PgError("0A000", "cannot specify DEFAULT in BINARY mode")
            if self.default == self.null:
                raise PgError("0A000", "NULL specification and DEFAULT specification cannot be the same")


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class _Tokens:
    def __init__(self, tokens):
        self.toks = tokens
        self.i = 0

    def peek(self, k: int = 0):
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else None

    def word(self, k: int = 0) -> str:
        t = self.peek(k)
        return t.text.upper() if t is not None and t.token_type.name not in ("STRING", "IDENTIFIER") else ""

    def take(self):
        t = self.peek()
        if t is None:
            raise PgError("42601", "syntax error at end of input")
        self.i += 1
        return t

    def accept(self, *words: str) -> bool:
        if self.word() in words:
            self.i += 1
            return True
        return False

    def expect(self, text: str) -> None:
        t = self.take()
        if t.text.upper() != text:
            raise PgError("42601", f'syntax error at or near "{t.text}"')


def _name(t) -> str:
    if t.token_type.name == "IDENTIFIER":
        return t.text
    if t.token_type.name == "STRING":
        raise PgError("42601", f"syntax error at or near \"'{t.text}'\"")
    return t.text.lower()


def _string(t) -> str:
    if t.token_type.name in ("STRING", "HEREDOC_STRING", "RAW_STRING", "NATIONAL_STRING", "BYTE_STRING"):
        return t.text
    return t.text


def _bool(value: str | None, opt: str) -> bool:
    if value is None:
        return True
    v = value.lower()
    if v in ("true", "on", "1", "t", "yes", "y"):
        return True
    if v in ("false", "off", "0", "f", "no", "n"):
        return False
    raise PgError("22023", f"{opt} requires a Boolean value")


_QUOTED = ("STRING", "IDENTIFIER", "HEREDOC_STRING", "RAW_STRING", "NATIONAL_STRING", "BYTE_STRING")


def _is(t, ch: str) -> bool:
    """Punctuation, not a quoted string that happens to spell it (DELIMITER ',')."""
    return t is not None and t.text == ch and t.token_type.name not in _QUOTED


def parse_copy(st) -> CopySpec:
    """A CopySpec from a COPY statement's tokens (PostgreSQL 15 grammar, both option forms)."""
    tk = _Tokens(list(st.tokens))
    tk.expect("COPY")
    spec = CopySpec(direction="")
    tk.accept("BINARY")  # pre-7.3 `COPY BINARY t`
    if tk.peek() is not None and _is(tk.peek(), "("):
        depth = 0
        start = tk.peek()
        while True:
            t = tk.take()
            depth += (_is(t, "(")) - (_is(t, ")"))
            if depth == 0:
                end = t
                break
        inner = st.text[start.end + 1 - st.tokens[0].start: end.start - st.tokens[0].start]
        spec.query = inner.strip()
    else:
        parts = [_name(tk.take())]
        while tk.peek() is not None and _is(tk.peek(), "."):
            tk.take()
            parts.append(_name(tk.take()))
        if len(parts) > 2:
            parts = parts[-2:]
        spec.schema = parts[0] if len(parts) == 2 else None
        spec.table = parts[-1]
        if tk.peek() is not None and _is(tk.peek(), "("):
            tk.take()
            cols = []
            while True:
                cols.append(_name(tk.take()))
                t = tk.take()
                if _is(t, ")"):
                    break
                if not _is(t, ","):
                    raise PgError("42601", f'syntax error at or near "{t.text}"')
            spec.columns = cols
    d = tk.take()
    if d.text.upper() == "FROM":
        spec.direction = "from"
        if spec.query is not None:
            raise PgError("42601", 'syntax error at or near "FROM"')
    elif d.text.upper() == "TO":
        spec.direction = "to"
    else:
        raise PgError("42601", f'syntax error at or near "{d.text}"')
    src = tk.take()
    word = src.text.upper() if src.token_type.name != "STRING" else ""
    if word == "PROGRAM" or src.token_type.name == "STRING":
        verb = "from" if spec.direction == "from" else "to"
        what = "an external program" if word == "PROGRAM" else "a file"
        role = ("pg_execute_server_program" if word == "PROGRAM" else
                "pg_read_server_files" if verb == "from" else "pg_write_server_files")
        raise PgError("42501", f"must be superuser or have privileges of the {role} role to COPY {verb} {what}",
                      hint=_FILE_HINT + " (The gateway never reads or writes its own server's files.)")
    if word not in ("STDIN", "STDOUT"):
        raise PgError("42601", f'syntax error at or near "{src.text}"')
    if (word == "STDIN") != (spec.direction == "from"):
        raise PgError("42601", f'syntax error at or near "{src.text}"')
    tk.accept("WITH")
    if tk.peek() is not None and _is(tk.peek(), "("):
        tk.take()
        seen: set[str] = set()
        while True:
            name = tk.take().text.lower()
            value: Any = None
            nxt = tk.peek()
            if nxt is not None and not (_is(nxt, ",") or _is(nxt, ")")):
                if _is(nxt, "("):
                    tk.take()
                    value = []
                    while True:
                        value.append(_name(tk.take()))
                        t = tk.take()
                        if _is(t, ")"):
                            break
                elif _is(nxt, "*"):
                    tk.take()
                    value = "*"
                else:
                    t = tk.take()
                    value = _string(t) if t.token_type.name != "IDENTIFIER" else t.text
            if name in seen:
                raise PgError("42601", "conflicting or redundant options")
            seen.add(name)
            _option(spec, name, value)
            t = tk.take()
            if _is(t, ")"):
                break
            if not _is(t, ","):
                raise PgError("42601", f'syntax error at or near "{t.text}"')
    else:
        _legacy_options(spec, tk)
    if tk.peek() is not None:
        if tk.word() == "WHERE":
            raise PgError("0A000", "COPY FROM … WHERE is not supported",
                          hint="Load into a staging table and INSERT … SELECT … WHERE.")
        raise PgError("42601", f'syntax error at or near "{tk.peek().text}"')
    spec.finish()
    return spec


def _option(spec: CopySpec, name: str, value: Any) -> None:
    if name == "format":
        v = (value or "").lower()
        if v not in ("text", "csv", "binary"):
            raise PgError("22023", f'COPY format "{value}" not recognized')
        spec.fmt = v
    elif name == "header":
        if isinstance(value, str) and value.lower() == "match":
            spec.header = "match"
        else:
            spec.header = _bool(value, "header")
    elif name == "delimiter":
        spec.delimiter = value
    elif name == "null":
        spec.null = value
    elif name == "quote":
        spec.quote = value
    elif name == "escape":
        spec.escape = value
    elif name == "force_quote":
        spec.force_quote = value if value == "*" else list(value or [])
    elif name == "force_not_null":
        spec.force_not_null = list(value or [])
    elif name == "force_null":
        spec.force_null = list(value or [])
    elif name == "encoding":
        if str(value).lower().replace("-", "").replace("_", "") not in ("utf8", "unicode", "sqlascii"):
            raise PgError("0A000", f'COPY encoding "{value}" is not supported', hint="The gateway speaks UTF8 only.")
    elif name == "freeze":
        spec.freeze = _bool(value, "freeze")  # accepted and ignored: DuckDB appends are already cheap
    elif name == "default":
        spec.default = value
    elif name == "oids":
        if _bool(value, "oids"):
            raise PgError("0A000", "COPY with OIDS is not supported")
    else:
        raise PgError("42601", f'option "{name}" not recognized')


def _legacy_options(spec: CopySpec, tk: _Tokens) -> None:
    """[BINARY] [DELIMITER [AS] 'c'] [NULL [AS] 'n'] [CSV [HEADER] [QUOTE [AS] 'q']
    [ESCAPE [AS] 'e'] [FORCE QUOTE cols|* | FORCE NOT NULL cols]]"""
    while tk.peek() is not None:
        w = tk.word()
        if w == "BINARY":
            tk.take()
            spec.fmt = "binary"
        elif w == "CSV":
            tk.take()
            spec.fmt = "csv"
        elif w == "HEADER":
            tk.take()
            spec.header = True
        elif w in ("DELIMITER", "NULL", "QUOTE", "ESCAPE"):
            tk.take()
            tk.accept("AS")
            v = tk.take().text
            setattr(spec, w.lower(), v)
        elif w == "FREEZE":
            tk.take()
        elif w == "FORCE":
            tk.take()
            if tk.accept("QUOTE"):
                if tk.peek() is not None and _is(tk.peek(), "*"):
                    tk.take()
                    spec.force_quote = "*"
                else:
                    spec.force_quote = _name_list(tk)
            elif tk.accept("NOT"):
                tk.expect("NULL")
                spec.force_not_null = _name_list(tk)
            elif tk.accept("NULL"):
                spec.force_null = _name_list(tk)
            else:
                raise PgError("42601", f'syntax error at or near "{tk.take().text}"')
        else:
            return


def _name_list(tk: _Tokens) -> list[str]:
    out = [_name(tk.take())]
    while tk.peek() is not None and _is(tk.peek(), ","):
        tk.take()
        out.append(_name(tk.take()))
    return out


# --------------------------------------------------------------------------- target columns

@dataclass(slots=True)
class CopyColumn:
    name: str
    duck: str  # DuckDB type, e.g. 'INTEGER', 'DECIMAL(12,2)', 'VARCHAR[]'
    nullable: bool = True
    default: str | None = None

    @property
    def oid(self) -> int:
        return T.pg_type_of(self.duck).oid

    @property
    def pg_name(self) -> str:
        return _PG_NAMES.get(self.oid, T.TYPES_BY_OID.get(self.oid, T.T["text"]).name)


_PG_NAMES = {16: "boolean", 21: "smallint", 23: "integer", 20: "bigint", 700: "real", 701: "double precision",
             1700: "numeric", 1082: "date", 1114: "timestamp without time zone",
             1184: "timestamp with time zone", 1083: "time without time zone", 1266: "time with time zone",
             1186: "interval", 25: "text", 17: "bytea", 2950: "uuid", 114: "json", 3802: "jsonb"}

_ARROW_INT = {"TINYINT": pa.int8(), "SMALLINT": pa.int16(), "INTEGER": pa.int32(), "BIGINT": pa.int64()}
_TRUE = ["t", "true", "y", "yes", "on", "1", "T", "TRUE", "True", "Y", "YES", "Yes", "ON", "On"]
_FALSE = ["f", "false", "n", "no", "off", "0", "F", "FALSE", "False", "N", "NO", "No", "OFF", "Off"]
_DECIMAL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)$")


def arrow_parse_type(duck: str) -> pa.DataType:
    """The type Arrow's CSV parser can read a column as with PostgreSQL's meaning, or string
    (then DuckDB casts it, or a per-value decoder reads it)."""
    if duck in _ARROW_INT:
        return _ARROW_INT[duck]
    if duck == "DOUBLE":
        return pa.float64()
    if duck == "FLOAT":
        return pa.float32()
    if duck == "BOOLEAN":
        return pa.bool_()
    if duck == "DATE":
        return pa.date32()
    if duck == "TIMESTAMP":
        return pa.timestamp("us")
    m = _DECIMAL.match(duck)
    if m and int(m.group(1)) <= 38:
        return pa.decimal128(int(m.group(1)), int(m.group(2)))
    return pa.string()


# --------------------------------------------------------------------------- text / csv in

class CopyError(PgError):
    """An error in COPY input at a known line: the session adds `CONTEXT: COPY t, line N`."""

    def __init__(self, sqlstate: str, message: str, context_line: int | None = None, **kw):
        super().__init__(sqlstate, message, **kw)
        self.context_line = context_line


@dataclass(slots=True)
class Chunk:
    """Whole records of one COPY, parsed: `table` has one column per listed target column
    (c0, c1, …), typed or string; `line0` is the line number before its first record."""

    table: pa.Table
    line0: int
    raw: bytes | None = None  # unused: kept None so chunks hold no copy of their input
    strings: bool = False  # every column is a string (Arrow could not parse it typed)
    record_lines: np.ndarray | None = None  # PostgreSQL's line count at the end of each record

    def line_of(self, row: int) -> int:
        """PostgreSQL's line number of record `row` (0-based) of this chunk."""
        if self.record_lines is not None and row < len(self.record_lines):
            return self.line0 + int(self.record_lines[row])
        return self.line0 + row + 1


class TextCsvDecoder:
    """COPY text and csv input: chunks of CopyData bytes → Arrow tables of whole records."""

    def __init__(self, spec: CopySpec, columns: Sequence[CopyColumn]):
        self.spec = spec
        self.columns = list(columns)
        self.names = [f"c{i}" for i in range(len(self.columns))]
        self.csv = spec.fmt == "csv"
        self.rest = b""
        self.lines = 0  # records consumed so far (the header counts)
        self.header_pending = bool(spec.header)
        self.done = False
        self.delim = spec.delimiter.encode()
        self.quote = spec.quote.encode() if self.csv else b""
        types = {n: arrow_parse_type(c.duck) for n, c in zip(self.names, self.columns)}
        if spec.default is not None:
            types = {n: pa.string() for n in self.names}
        self.typed = types
        self.string_types = {n: pa.string() for n in self.names}

    # ---- record boundaries

    def _cut(self, buf: bytes) -> int:
        """Length of the longest prefix of buf made of whole records."""
        pos = buf.rfind(b"\n")
        while pos >= 0:
            if self.csv:
                head = buf[: pos]
                q = head.count(self.quote)
                if self.spec.escape != self.spec.quote:
                    q -= head.count(self.spec.escape.encode() + self.quote)
                if q % 2 == 0:
                    return pos + 1
            else:
                k = pos
                while k > 0 and buf[k - 1] == 0x5C:  # backslash-newline is a data newline
                    k -= 1
                if (pos - k) % 2 == 0:
                    return pos + 1
            pos = buf.rfind(b"\n", 0, pos)
        return 0

    def feed(self, data: bytes, final: bool) -> Chunk | None:
        buf = self.rest + data if self.rest else bytes(data)
        self.rest = b""
        if self.done:
            return None
        if final:
            cut = len(buf)
        else:
            cut = self._cut(buf)
            if cut == 0:
                self.rest = buf
                return None
        head, self.rest = buf[:cut], buf[cut:]
        if final or b"\\." in head:
            # clients send `\.` last, if at all; pg_restore sends blank lines after it
            head = self._end_marker(head)
        if self.header_pending and head:
            end = self._cut_first(head)
            if end is None:
                if not final:
                    self.rest = head + self.rest
                    return None
                end = len(head)
            self._check_header(head[:end])
            head = head[end:]
            self.header_pending = False
            self.lines += 1
        if not head:
            return None
        if final and not head.endswith((b"\n", b"\r")):
            head += b"\n"
        return self.parse(head)

    def _end_marker(self, head: bytes) -> bytes:
        r"""`\.` alone on a line ends the data (old clients send it); the rest is ignored."""
        idx = head.find(b"\\.")
        while idx >= 0:
            at_line_start = idx == 0 or head[idx - 1] in b"\n\r"
            after = head[idx + 2: idx + 4]
            if at_line_start and (after[:1] in (b"\n", b"\r", b"") or after == b"\r\n"):
                if not self.csv or head[:idx].count(self.quote) % 2 == 0:
                    self.done = True
                    return head[:idx]
            idx = head.find(b"\\.", idx + 2)
        return head

    def _cut_first(self, head: bytes) -> int | None:
        pos = head.find(b"\n")
        while pos >= 0:
            if not self.csv or head[:pos].count(self.quote) % 2 == 0:
                return pos + 1
            pos = head.find(b"\n", pos + 1)
        return None

    def _check_header(self, line: bytes) -> None:
        if self.spec.header != "match":
            return
        tbl = self._read(line, None)
        got = [v for v in tbl.to_pylist()[0].values()] if tbl.num_rows else []
        if tbl.num_columns != len(self.columns):
            raise CopyError("22P04", f"wrong number of fields in header line: got {tbl.num_columns}, "
                                   f"expected {len(self.columns)}", context_line=1)
        for i, (g, c) in enumerate(zip(got, self.columns)):
            if g is None or g != c.name:
                raise CopyError("22P04", f'column name mismatch in header line field {i + 1}: got "{g}", '
                                       f'expected "{c.name}"', context_line=1)

    # ---- parsing

    def _read(self, data: bytes, types: dict | None, handler=None, use_threads: bool = True) -> pa.Table:
        """Arrow's CSV reader over whole records; types None: every field a string, as many
        columns as the first record has (the header)."""
        spec = self.spec
        if types is None:
            read = pacsv.ReadOptions(autogenerate_column_names=True, use_threads=use_threads,
                                     block_size=max(1 << 20, len(data) + 1))
        else:
            read = pacsv.ReadOptions(column_names=list(types), use_threads=use_threads,
                                     block_size=max(1 << 20, len(data) + 1))
        if self.csv:
            parse = pacsv.ParseOptions(
                delimiter=spec.delimiter, quote_char=spec.quote,
                double_quote=spec.escape == spec.quote,
                escape_char=False if spec.escape == spec.quote else spec.escape,
                newlines_in_values=self.quote in data, ignore_empty_lines=False, invalid_row_handler=handler)
        else:
            parse = pacsv.ParseOptions(delimiter=spec.delimiter, quote_char=False, escape_char=False,
                                       ignore_empty_lines=False, invalid_row_handler=handler)
        if types is None:
            convert = pacsv.ConvertOptions(null_values=[], strings_can_be_null=False, check_utf8=True)
        else:
            convert = pacsv.ConvertOptions(
                column_types=types, null_values=[spec.null], strings_can_be_null=True,
                quoted_strings_can_be_null=False, true_values=_TRUE, false_values=_FALSE, check_utf8=True)
        return pacsv.read_csv(pa.py_buffer(data), read_options=read, parse_options=parse, convert_options=convert)

    def parse(self, head: bytes) -> Chunk:
        line0 = self.lines
        if not self.csv and (b"\\" + self.delim in head or b"\\\n" in head or b"\\\r" in head):
            tbl = self._parse_text_slow(head, line0)  # escaped delimiters / newlines: Arrow can't
            self.lines += tbl.num_rows
            return Chunk(self._post(tbl, line0), line0, None, True)
        try:
            tbl = self._read(head, self.typed)
            strings = False
        except pa.ArrowInvalid:
            tbl = None
        if tbl is None:
            tbl = self.parse_strings(head, line0)
            strings = True
        lines = None
        if self.csv and head.count(b"\n") != tbl.num_rows:  # newlines inside quoted values
            lines = self._record_lines(head, line0)
        chunk = Chunk(self._post(tbl, line0), line0, None, strings, lines)
        self.lines += tbl.num_rows if chunk.record_lines is None else int(chunk.record_lines[-1])
        return chunk

    def _record_lines(self, head: bytes, line0: int) -> np.ndarray | None:
        """CSV records can hold newlines inside quotes, and PostgreSQL counts those as lines too
        (except in the first record, read before it knows the file's end-of-line style)."""
        if not self.csv or self.quote not in head or self.spec.escape != self.spec.quote:
            return None
        b = np.frombuffer(head, dtype=np.uint8)
        nl = np.flatnonzero(b == 10)
        if len(nl) == 0:
            return None
        quotes = np.cumsum(b == self.quote[0], dtype=np.int32)
        ends = np.flatnonzero(quotes[nl] % 2 == 0)  # newlines outside quotes end records
        if len(ends) == len(nl) or len(ends) == 0:
            return None
        lines = ends + 1
        if line0 == 0 and len(ends):
            lines = lines - ends[0]  # the first record's own embedded newlines are not counted
        return lines

    def parse_strings(self, head: bytes, line0: int) -> pa.Table:
        """Every column as a string; a record with the wrong number of fields raises 22P04
        (after any earlier value that is itself invalid, as PostgreSQL reads in order)."""
        bad: list = []

        def handler(row):
            bad.append(row)
            return "skip"

        try:
            tbl = self._read(head, self.string_types, handler=handler, use_threads=False)
        except pa.ArrowInvalid as e:
            if "UTF8" in str(e) or "utf8" in str(e).lower():
                raise CopyError("22021", 'invalid byte sequence for encoding "UTF8"', context_line=line0 + 1) from None
            raise CopyError("22P04", str(e), context_line=line0 + 1) from None
        if bad:
            row = bad[0]
            idx = (row.number - 1) if row.number is not None else 0
            if row.actual_columns > row.expected_columns:
                err = CopyError("22P04", "extra data after last expected column")
            else:
                col = self.columns[row.actual_columns].name if row.actual_columns < len(self.columns) else "?"
                err = CopyError("22P04", f'missing data for column "{col}"')
            # an invalid value in an earlier record is reported first
            early = first_bad_value(self._post(tbl.slice(0, idx), line0), self.columns)
            if early is not None:
                r, e2 = early
                raise CopyError(e2.sqlstate, e2.message, detail=e2.detail, context_line=line0 + r + 1)
            err.context_line = line0 + (row.number if row.number is not None else idx + 1)
            raise err
        return tbl

    def _parse_text_slow(self, head: bytes, line0: int) -> pa.Table:
        """Text format, per record: for chunks where a backslash escapes a delimiter or a
        newline (PostgreSQL's own output never does; hand-made files may)."""
        try:
            text = head.decode("utf-8")
        except UnicodeDecodeError:
            raise CopyError("22021", 'invalid byte sequence for encoding "UTF8"', context_line=line0 + 1) from None
        d = self.spec.delimiter
        tokens = re.compile(r"\\.|[^\\" + re.escape(d) + r"\r\n]+|" + re.escape(d) + r"|\r\n|\n|\r", re.S)
        cols: list[list] = [[] for _ in self.columns]
        fields: list[str] = [""]
        n = len(self.columns)
        line = line0
        for tok in tokens.findall(text):
            if tok == d:
                fields.append("")
            elif tok in ("\n", "\r\n", "\r"):
                line += 1
                if len(fields) > n:
                    raise CopyError("22P04", "extra data after last expected column", context_line=line)
                if len(fields) < n:
                    raise CopyError("22P04", f'missing data for column "{self.columns[len(fields)].name}"',
                                    context_line=line)
                for i, f in enumerate(fields):
                    cols[i].append(None if f == self.spec.null else f)
                fields = [""]
            else:
                fields[-1] += tok
        return pa.table([pa.array(c, type=pa.string()) for c in cols], names=self.names)

    def _post(self, tbl: pa.Table, line0: int) -> pa.Table:
        """Text format backslash escapes; FORCE_NULL / FORCE_NOT_NULL; columns read per value."""
        cols = []
        for i, (name, c) in enumerate(zip(self.names, self.columns)):
            arr = tbl.column(i)
            if pa.types.is_string(arr.type):
                if not self.csv:
                    arr = _unescape_text(arr, line0)
                elif c.name in self.spec.force_null:
                    arr = pc.if_else(pc.equal(arr, self.spec.null), pa.scalar(None, pa.string()), arr)
                if self.csv and c.name in self.spec.force_not_null:
                    arr = arr.fill_null(self.spec.null)
            cols.append(arr)
        return pa.table(cols, names=self.names)


_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_ESCAPE_RE = re.compile(r"\\(x[0-9A-Fa-f]{1,2}|[0-7]{1,3}|.)", re.S)


def _unescape_one(s: str) -> str:
    def rep(m: re.Match) -> str:
        g = m.group(1)
        if g in _ESCAPES:
            return _ESCAPES[g]
        if g[0] == "x" and len(g) > 1:
            return chr(int(g[1:], 16))
        if g[0] in "01234567":
            return chr(int(g, 8) & 0xFF)
        return g
    return _ESCAPE_RE.sub(rep, s)


def _unescape_text(arr: pa.ChunkedArray | pa.Array, line0: int) -> pa.Array:
    """Text format: backslash sequences (\\t, \\n, \\\\, octal, hex) → characters. Only values
    holding a backslash are touched, per value."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    has = pc.match_substring(arr, "\\")
    if not pc.any(has).as_py():
        return arr
    idx = np.flatnonzero(has.fill_null(False).to_numpy(zero_copy_only=False))
    vals = arr.to_pylist()
    for i in idx.tolist():
        v = _unescape_one(vals[i])
        if "\x00" in v:
            raise CopyError("22021", 'invalid byte sequence for encoding "UTF8": 0x00', context_line=line0 + i + 1)
        vals[i] = v
    return pa.array(vals, type=pa.string())


def first_bad_value(tbl: pa.Table, columns: Sequence[CopyColumn]) -> tuple[int, PgError] | None:
    """The first (row, column) value PostgreSQL's input function rejects, with its error:
    used after DuckDB refused a chunk, to name the value and line as PostgreSQL would."""
    best: tuple[int, int, PgError] | None = None
    n = tbl.num_rows
    for ci, c in enumerate(columns):
        arr = tbl.column(ci)
        if not pa.types.is_string(arr.type):
            continue
        oid = c.oid
        if oid in (25, 1043, 1042, 19):
            continue
        limit = best[0] if best is not None else n
        vals = arr.slice(0, limit).to_pylist()
        dm = _DECIMAL.match(c.duck)
        prec = (int(dm.group(1)), int(dm.group(2))) if dm else None
        for r, v in enumerate(vals):
            if v is None:
                continue
            try:
                val = T.decode_param(oid, 0, v.encode())
                if prec is not None and isinstance(val, Decimal) and val.is_finite():
                    q = round(val, prec[1])
                    if q != 0 and q.adjusted() >= prec[0] - prec[1]:
                        raise T.ParamError("22003", "numeric field overflow", detail=(
                            f"A field with precision {prec[0]}, scale {prec[1]} must round to an absolute "
                            f"value less than 10^{prec[0] - prec[1]}."))
            except T.ParamError as e:
                msg = e.message
                if e.sqlstate == "22P02" and oid in _INT_OIDS | {700, 701, 1700, 16}:
                    msg = f'invalid input syntax for type {c.pg_name}: "{v}"'
                err = PgError(e.sqlstate, msg, detail=e.detail)
                if best is None or r < best[0]:
                    best = (r, ci, err)
                break
    if best is None:
        return None
    return best[0], best[2]


_INT_OIDS = {20, 21, 23}


# --------------------------------------------------------------------------- binary in

class BinaryDecoder:
    """PostgreSQL binary COPY: header, tuples (int16 count, then int32 length + bytes per
    field), trailer -1. Row boundaries and field positions are found with NumPy for all rows
    of a chunk at once (`_walk`); fixed-width types become Arrow arrays by one gather of
    big-endian values and a byte swap, text by one gather of its bytes, numeric by digit
    arithmetic; only rare types are decoded per value. A record PostgreSQL would refuse stops
    the decoding with PostgreSQL's error at its line (`_bad_row`)."""

    def __init__(self, spec: CopySpec, columns: Sequence[CopyColumn]):
        self.columns = list(columns)
        self.n = len(self.columns)
        self.names = [f"c{i}" for i in range(self.n)]
        self.oids = [c.oid for c in self.columns]
        # a fixed-width column's length word is its width or -1: the walk uses that to drop
        # byte offsets that only look like the start of a row
        self.widths = [_BIN_FIXED[o][0] if o in _BIN_FIXED else None for o in self.oids]
        self.rest = b""
        self.header_done = False
        self.lines = 0
        self.done = False

    def feed(self, data: bytes, final: bool) -> Chunk | None:
        buf = self.rest + data if self.rest else bytes(data)
        self.rest = b""
        if self.done:
            if buf:
                raise CopyError("22P04", "received copy data after EOF marker", context_line=self.lines + 1)
            return None
        if not self.header_done:  # read before any row: PostgreSQL's errors here have no line
            if len(buf) < 19:
                if final:
                    raise CopyError("22P04", "COPY file signature not recognized" if len(buf) < 11 else
                                    "invalid COPY file header (missing flags)" if len(buf) < 15 else
                                    "invalid COPY file header (missing length)")
                self.rest = buf
                return None
            if buf[:11] != BINARY_SIGNATURE:
                raise CopyError("22P04", "COPY file signature not recognized")
            flags, ext = struct.unpack_from(">ii", buf, 11)
            if flags & (1 << 16):
                raise CopyError("22P04", "invalid COPY file header (WITH OIDS)")
            if flags & ~0xFFFF & ~(1 << 16):
                raise CopyError("22P04", "unrecognized critical flags in COPY file header")
            if ext < 0:
                raise CopyError("22P04", "invalid COPY file header (missing length)")
            if len(buf) < 19 + ext:
                if final:
                    raise CopyError("22P04", "invalid COPY file header (wrong length)")
                self.rest = buf
                return None
            buf = buf[19 + ext:]
            self.header_done = True
        walk = self._walk(buf)
        line0 = self.lines
        nrows = len(walk.starts)
        table = self._columns(buf, walk, line0) if nrows else None  # errors in earlier rows first
        at = walk.end
        size = len(buf)
        if at < size:
            count = int.from_bytes(buf[at:at + 2], "big", signed=True) if size - at >= 2 else None
            if count == -1:
                self.done = True
                if size - at > 2:
                    raise CopyError("22P04", "received copy data after EOF marker", context_line=line0 + nrows + 1)
            elif not self._bad_row(buf, at, line0 + nrows + 1, final):
                self.rest = buf[at:]  # a row that is not all here yet
        if nrows == 0:
            return None
        self.lines += nrows
        return Chunk(table, line0)

    # ---- rows

    def _walk(self, buf: bytes) -> "_Walk":
        """The whole rows at the front of buf that pass the walk's checks: their starts, each
        column's length word offsets and lengths, and where the last one ends.

        Every byte offset holding the int16 field count is a candidate row start; all
        candidates are walked field by field in lockstep (a fixed-width column's length must
        be its width or -1, which rules out nearly every false candidate at the first
        column); the rows are then the chain of candidates from offset 0 where each starts
        where the one before ends."""
        size = len(buf)
        if size < 2 + 4 * self.n or int.from_bytes(buf[:2], "big", signed=True) != self.n:
            return _Walk(_NO_ROWS, [], [], 0)  # not even one row of NULLs
        b = np.frombuffer(buf, dtype=np.uint8)
        hi, lo = (self.n >> 8) & 0xFF, self.n & 0xFF
        cand = np.flatnonzero((b[:-1] == hi) & (b[1:] == lo))
        if self.widths and self.widths[0] is not None and len(cand) > 1:
            # most candidates fail on the low byte of the first length word alone: 0xff or
            # the width (one byte gathered costs a quarter of a big-endian word)
            low = b[np.minimum(cand + 5, size - 1)]
            cand = cand[(low == self.widths[0]) | (low == 0xFF) | (cand == 0)]
        be32 = _be_view(buf, ">i4")
        pos = cand + 2
        ok = None
        offs: list[np.ndarray] = []
        lens: list[np.ndarray] = []
        for k, width in enumerate(self.widths):
            inside = pos <= size - 4
            ln = be32[np.where(inside, pos, 0)].astype(np.int64)
            good = inside & ((ln == width) | (ln == -1) if width is not None else ln >= -1)
            if ok is None:  # the first column: keep only the candidates it allows
                keep = np.flatnonzero(good)
                cand, pos, ln = cand[keep], pos[keep], ln[keep]
                ok = np.ones(len(cand), dtype=bool)
            else:
                ok &= good
            offs.append(pos)
            lens.append(ln)
            pos = pos + 4 + np.maximum(ln, 0)
        if ok is None:
            ok = np.ones(len(cand), dtype=bool)
        ok &= pos <= size
        sel = None if ok.all() else np.flatnonzero(ok)
        c, e = (cand, pos) if sel is None else (cand[sel], pos[sel])
        if len(c) == 0 or c[0] != 0:
            return _Walk(_NO_ROWS, [], [], 0)
        links = e[:-1] == c[1:]
        if links.all():
            idx = None
            end = int(e[-1])
        else:
            # a false candidate that passed every check sits inside a row: hop over it
            breaks = np.flatnonzero(~links)
            parts = []
            i = 0
            while True:
                nb = np.searchsorted(breaks, i)
                j = int(breaks[nb]) if nb < len(breaks) else len(c) - 1
                parts.append(np.arange(i, j + 1))
                end = int(e[j])
                k = int(np.searchsorted(c, end))
                if k >= len(c) or c[k] != end:
                    break
                i = k
            idx = np.concatenate(parts)
        if idx is None:  # the usual case: the rows are all the candidates that passed
            if sel is None:
                return _Walk(cand, offs, lens, end)
            if sel[-1] == len(sel) - 1:  # … and the rest were after them
                k = len(sel)
                return _Walk(cand[:k], [o[:k] for o in offs], [ln[:k] for ln in lens], end)
            return _Walk(cand[ok], [o[ok] for o in offs], [ln[ok] for ln in lens], end)
        if sel is not None:
            idx = sel[idx]
        return _Walk(cand[idx], [o[idx] for o in offs], [ln[idx] for ln in lens], end)

    def _bad_row(self, buf: bytes, at: int, line: int, final: bool) -> bool:
        """The row at `at` did not pass the walk: raise PostgreSQL's error for it, reading its
        fields in order as CopyReadBinaryAttribute does; False if it only needs more bytes."""
        size = len(buf)
        if size - at < 2:
            if final:
                return True  # PostgreSQL takes a missing field count as the end of the data
            return False
        count = int.from_bytes(buf[at:at + 2], "big", signed=True)
        if count != self.n:
            raise CopyError("22P04", f"row field count is {count}, expected {self.n}", context_line=line)
        pos = at + 2
        for c, oid, width in zip(self.columns, self.oids, self.widths):
            if pos + 4 > size:
                break
            ln = int.from_bytes(buf[pos:pos + 4], "big", signed=True)
            pos += 4
            if ln == -1:
                continue
            if ln < -1:
                raise CopyError("22P04", "invalid field size", context_line=line)
            if pos + ln > size:
                break
            if width is not None and ln < width:
                raise CopyError("08P01", "insufficient data left in message", context_line=line)
            if width is not None and ln > width:
                raise CopyError("22P03", "incorrect binary data format", context_line=line)
            try:
                T.decode_param(oid, 1, buf[pos:pos + ln])
            except T.ParamError as e:
                raise CopyError(e.sqlstate, e.message.replace(" in bind parameter", ""), context_line=line) from None
            pos += ln
        else:
            raise CopyError("22P04", "invalid field size", context_line=line)  # not reached: the walk takes such rows
        if final:
            raise CopyError("22P04", "unexpected EOF in COPY data", context_line=line)
        return False

    # ---- columns

    def _columns(self, buf: bytes, walk: "_Walk", line0: int) -> pa.Table:
        arrays = [self._column(c, buf, walk.offs[i] + 4, walk.lens[i], line0) for i, c in enumerate(self.columns)]
        return pa.table(arrays, names=self.names)

    def _column(self, c: CopyColumn, buf: bytes, data: np.ndarray, ln: np.ndarray, line0: int) -> pa.Array:
        oid = c.oid
        valid = ln >= 0
        n = len(ln)
        nulls = n - int(np.count_nonzero(valid))
        mask = ~valid if nulls else None
        fixed = _BIN_FIXED.get(oid)
        if fixed is not None:  # the walk checked every length: the width, or -1
            width, dtype, arrow = fixed
            if nulls == n:  # (the buffer may be shorter than one value)
                raw = np.zeros(n, dtype=dtype)
            else:
                raw = _be_view(buf, dtype.str)[np.where(valid, data, 0) if nulls else data]
            arr = None
            if oid == 16:
                arr = pa.array(raw != 0, type=pa.bool_(), mask=mask)
            elif oid == 1082:
                vals = raw.astype(np.int32)
                if not ((vals == 0x7FFFFFFF) | (vals == -0x80000000))[valid].any():
                    arr = pa.array(vals + np.int32(T._PG_EPOCH_DAYS), type=pa.date32(), mask=mask)
            elif oid in (1114, 1184):
                vals = raw.astype(np.int64)
                if not ((vals > T._TS_INF - T._PG_EPOCH_US) | (vals < -T._TS_INF + T._PG_EPOCH_US))[valid].any():
                    arr = pa.array(vals + T._PG_EPOCH_US, type=arrow, mask=mask)
            else:
                arr = pa.array(raw.astype(dtype.newbyteorder("=")), type=arrow, mask=mask)
            if arr is not None:
                return arr
            # infinities and instants past DuckDB's range: per value, as decode_param reads them
        elif oid in (25, 1043, 1042, 19, 17, 114, 3802):
            return _binary_text(oid, buf, data, ln, valid, nulls, line0)
        elif oid == 1700:
            arr = _binary_numeric(c.duck, buf, data, ln, valid)
            if arr is not None:
                return arr
        # per value: numeric that needs rounding or is too wide, uuid, interval, time, arrays…
        dm = _DECIMAL.match(c.duck) if oid == 1700 else None
        out: list = []
        for r in range(n):
            if not valid[r]:
                out.append(None)
                continue
            s = int(data[r])
            try:
                v = T.decode_param(oid, 1, buf[s: s + int(ln[r])])
                if dm is not None and v.is_finite():
                    if c.duck == T.UNCONSTRAINED_NUMERIC and not numeric_storage.decimal_fits(v):
                        # a numeric column without precision: refused, never rounded
                        err = numeric_storage.overflow(str(v))
                        raise CopyError(err.sqlstate, err.message, detail=err.detail, hint=err.hint,
                                        context_line=line0 + r + 1)
                    v = _numeric_typmod(v, int(dm.group(1)), int(dm.group(2)))
            except T.ParamError as e:
                raise CopyError(e.sqlstate, e.message.replace(" in bind parameter", ""), detail=e.detail,
                                context_line=line0 + r + 1) from None
            out.append(v)
        try:
            if dm is not None and int(dm.group(1)) <= 38:
                return pa.array(out, type=pa.decimal128(int(dm.group(1)), int(dm.group(2))))
            return pa.array(out)
        except (pa.ArrowException, TypeError, ValueError, OverflowError):
            return pa.array([None if v is None else str(v) for v in out], type=pa.string())


def _numeric_typmod(v: Decimal, prec: int, scale: int) -> Decimal:
    """apply_typmod: round half away from zero to the column's scale; 22003 if the result
    needs more than prec - scale integer digits."""
    with decimal.localcontext() as ctx:
        ctx.prec = max(prec, v.adjusted() + scale + 2, 1)
        q = v.quantize(Decimal(1).scaleb(-scale), rounding=decimal.ROUND_HALF_UP)
    if q != 0 and q.adjusted() >= prec - scale:
        raise T.ParamError("22003", "numeric field overflow", detail=(
            f"A field with precision {prec}, scale {scale} must round to an absolute value less than "
            f"10^{prec - scale}."))
    return q


@dataclass(slots=True)
class _Walk:
    starts: np.ndarray  # byte offset of each row
    offs: list  # per column: the byte offset of each row's length word
    lens: list  # per column: each row's field length (-1: NULL), int64
    end: int  # where the last row ends


_NO_ROWS = np.empty(0, dtype=np.int64)


def _be_view(buf, dtype: str) -> np.ndarray:
    """The value of this (big-endian) dtype at every byte offset of buf, as a zero-copy view
    with one-byte strides: `view[offsets]` gathers the values at any offsets in one step."""
    width = np.dtype(dtype).itemsize
    count = len(buf) - width + 1
    if count <= 0:
        return np.empty(0, dtype=dtype)
    return np.ndarray((count,), dtype=dtype, buffer=buf, strides=(1,))


def _binary_text(oid: int, buf: bytes, data: np.ndarray, ln: np.ndarray, valid: np.ndarray, nulls: int,
                 line0: int) -> pa.Array:
    """text, varchar, bpchar, name, json, jsonb and bytea fields → one Arrow array whose data
    buffer is the fields' bytes gathered in one step; text checked as PostgreSQL's
    pg_verify_mbstr does (valid UTF-8, no NUL)."""
    n = len(ln)
    lens = np.maximum(ln, 0) if nulls else ln
    if oid == 3802:  # jsonb: a version byte, then the text
        lens = np.maximum(lens - 1, 0)
        data = data + 1
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lens, out=offsets[1:])
    total = int(offsets[-1])
    b = np.frombuffer(buf, dtype=np.uint8)
    if total <= 64 * n:  # short values: one gather of their bytes by index
        b = np.frombuffer(buf, dtype=np.uint8)
        values = b[np.arange(total, dtype=np.int64) + np.repeat(data - offsets[:-1], lens)]
    else:  # long values: a slice each
        view = memoryview(buf)
        values = np.frombuffer(b"".join([view[s:s + k] for s, k in zip(data.tolist(), lens.tolist())]), np.uint8)
    typ = pa.large_binary() if oid == 17 else pa.large_string()
    validity = None if not nulls else pa.array(valid).buffers()[1]
    arr = pa.Array.from_buffers(typ, n, [validity, pa.py_buffer(offsets), pa.py_buffer(values)], null_count=nulls)
    if oid != 17:
        nul = values.tobytes().find(b"\x00") if total else -1
        try:
            arr.validate(full=True)
            bad = None if nul < 0 else int(np.searchsorted(offsets, nul, side="right")) - 1
        except pa.ArrowInvalid:
            bad = next(r for r in range(n) if not _utf8_ok(values[offsets[r]:offsets[r + 1]].tobytes()))
        if bad is not None:
            raise CopyError("22021", 'invalid byte sequence for encoding "UTF8"', context_line=line0 + bad + 1)
    return arr


def _utf8_ok(b: bytes) -> bool:
    try:
        b.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in b


def _binary_numeric(duck: str, buf: bytes, data: np.ndarray, ln: np.ndarray, valid: np.ndarray):
    """PostgreSQL's numeric send format (int16 ndigits, weight, sign, dscale, then base-10000
    digits) → decimal128 of the target DECIMAL(p,s), for all rows at once. None when some value
    needs what only the per-value path does (digits to round or truncate away, NaN,
    infinities, malformed values, overflow, more than 18 digits)."""
    m = _DECIMAL.match(duck)
    if not m:
        return None
    prec, scale = int(m.group(1)), int(m.group(2))
    n = len(ln)
    if prec > 18 or n == 0 or len(buf) < 8:
        return None
    nulls = not valid.all()
    if (ln[valid] < 8).any() if nulls else (ln < 8).any():
        return None
    at = np.where(valid, data, 0) if nulls else data
    head = _be_view(buf, ">i8")[at]  # ndigits, weight, sign, dscale: four int16 in one word
    nd = head >> 48
    if nulls:
        nd = np.where(valid, nd, 0)
    weight = (head >> 32).astype(np.int16).astype(np.int64)
    sign = (head >> 16) & 0xFFFF
    dscale = (head & 0xFFFF).astype(np.int16).astype(np.int64)
    if nulls:  # a NULL's head was read at offset 0: neutral values instead
        sign = np.where(valid, sign, 0)
        dscale = np.where(valid, dscale, scale)
    if ((sign != 0) & (sign != 0x4000)).any() or (nd < 0).any() or (dscale < 0).any():
        return None  # NaN, infinities, malformed
    if (valid & (ln != 8 + 2 * nd)).any():
        return None
    # digits below min(dscale, scale) must be zero: numeric_recv truncates digits below the
    # value's dscale, and the column's scale rounds: both are the per-value path's job
    keep = np.minimum(dscale, scale)
    low = int(keep.min()) if n else scale
    one_keep = low == int(keep.max())
    be16 = _be_view(buf, ">i2")
    last = len(be16) - 1
    total = np.zeros(n, dtype=np.int64)
    # digit group j (worth 10000^j) of each row is its digit number weight - j: one pass per
    # group position, so that every power of ten is one scalar for all rows
    some = nd > 0
    top = int(weight[some].max()) if some.any() else 0
    bottom = int((weight - nd + 1)[some].min()) if some.any() else 0
    if top - bottom > 8:
        return None  # wider than any DECIMAL(18, s) value: the per-value path
    for j in range(top, bottom - 1, -1):
        k = weight - j
        has = (k >= 0) & (k < nd)
        if not has.any():
            continue
        d = be16[np.minimum(at + 8 + 2 * np.maximum(k, 0), last)].astype(np.int64)
        d = np.where(has, d, 0)
        if ((d < 0) | (d > 9999)).any():
            return None
        e = 4 * j + scale  # this group's power of ten in the scaled integer
        if e >= prec:
            if d.any():
                return None  # |value| >= 10^(p-s): the per-value path reports the overflow
            continue
        if e > 0 and (d >= 10 ** (prec - e)).any():
            return None
        drop = -(4 * j + low)  # decimal digits of this group below what may be nonzero
        if drop > 0:
            if not one_keep:
                drop_each = np.clip(-(4 * j + keep), 0, 4)
                if (d % _POW10[drop_each] != 0).any():
                    return None
            elif (d % 10 ** min(drop, 4)).any():
                return None
        if e >= 0:
            total += d * 10 ** e
        elif e > -4:
            total += d // 10 ** -e
    if (np.abs(total) >= 10 ** prec).any():
        return None
    total = np.where(sign == 0x4000, -total, total)
    words = np.empty((n, 2), dtype=np.int64)
    words[:, 0] = total
    words[:, 1] = total >> 63
    validity = pa.array(valid).buffers()[1] if nulls else None
    return pa.Array.from_buffers(pa.decimal128(prec, scale), n, [validity, pa.py_buffer(words)],
                                 null_count=int(n - np.count_nonzero(valid)))


_POW10 = 10 ** np.arange(19, dtype=np.int64)


_BIN_FIXED = {
    16: (1, np.dtype("u1"), pa.bool_()),
    21: (2, np.dtype(">i2"), pa.int16()),
    23: (4, np.dtype(">i4"), pa.int32()),
    20: (8, np.dtype(">i8"), pa.int64()),
    700: (4, np.dtype(">f4"), pa.float32()),
    701: (8, np.dtype(">f8"), pa.float64()),
    1082: (4, np.dtype(">i4"), pa.date32()),
    1114: (8, np.dtype(">i8"), pa.timestamp("us")),
    1184: (8, np.dtype(">i8"), pa.timestamp("us", tz="UTC")),
}


def binary_arrow_type(duck: str, oid: int) -> pa.DataType | None:
    """The Arrow type BinaryDecoder gives a column without per-value decoding; None if none."""
    if oid in _BIN_FIXED:
        return _BIN_FIXED[oid][2]
    if oid in (25, 1043, 1042, 19, 114, 3802):
        return pa.large_string()
    if oid == 17:
        return pa.large_binary()
    m = _DECIMAL.match(duck)
    if oid == 1700 and m and int(m.group(1)) <= 18:
        return pa.decimal128(int(m.group(1)), int(m.group(2)))
    return None


def decoder_for(spec: CopySpec, columns: Sequence[CopyColumn]):
    if spec.fmt == "binary":
        return BinaryDecoder(spec, columns)
    return TextCsvDecoder(spec, columns)


# --------------------------------------------------------------------------- out

_HDR = np.dtype([("t", "u1"), ("len", ">i4")])
# COPY TO reads batches of at least this many rows: the encoder's fixed cost per batch (its
# NumPy/Arrow calls per column) then weighs less — ~15% less CPU than 16,384-row batches
COPY_OUT_BATCH_ROWS = 65536
_NEWLINE = np.frombuffer(b"\n", dtype=np.uint8)


class CopyOutEncoder:
    """Record batches → CopyData messages in text, csv or binary COPY format."""

    def __init__(self, spec: CopySpec, duck_types: Sequence, names: Sequence[str]):
        self.spec = spec
        self.types = [str(t) for t in duck_types]
        self.names = list(names)
        self.ncols = len(self.types)
        self.header_due = False
        # the text of numbers, dates, booleans and uuids never needs quoting with these
        self.plain_safe = not any(ch in _PLAIN_CHARS for ch in (spec.delimiter or "") + (spec.quote or "")) \
            and (not spec.null or any(ch not in _PLAIN_CHARS for ch in spec.null))
        if spec.fmt == "binary":
            self.rows = DataRowEncoder(self.types, [1] * self.ncols)
        fq = spec.force_quote
        self.force = set(range(self.ncols)) if fq == "*" else {
            i for i, n in enumerate(self.names) if fq and n in fq}
        if fq and fq != "*":
            for n in fq:
                if n not in self.names:
                    raise PgError("42703", f'FORCE_QUOTE column "{n}" not referenced by COPY')

    def start(self) -> bytes:
        if self.spec.fmt == "binary":
            self.header_due = True  # goes in the first row's message, as PostgreSQL sends it
            return b""
        if self.spec.header:
            vals = pa.array(self.names, type=pa.string())
            if self.spec.fmt == "csv":
                vals = self._csv_quote(vals, force=False, nulls_match=True)
            else:
                vals = self._text_escape(vals)
            line = self.spec.delimiter.encode().join(v.as_py() for v in vals) + b"\n"
            return _msg_d(line)
        return b""

    def end(self) -> bytes:
        if self.spec.fmt == "binary":
            if self.header_due:
                return _msg_d(BINARY_HEADER + BINARY_TRAILER)
            return _msg_d(BINARY_TRAILER)
        return b""

    def encode(self, batch: pa.RecordBatch) -> bytes | pa.Buffer:
        if batch.num_rows == 0:
            return b""
        if self.spec.fmt == "binary":
            data = self.rows.encode(batch)
            # a binary COPY tuple is a DataRow's body: same length word, same fields; only the
            # message type differs ('d' for CopyData instead of 'D')
            buf = bytearray(data)
            _retag(buf, batch.num_rows)
            if self.header_due:
                self.header_due = False
                first = 1 + int.from_bytes(buf[1:5], "big")
                buf[0:first] = _msg_d(BINARY_HEADER + bytes(buf[5:first]))
            return bytes(buf)
        return self._encode_lines(batch)

    def _encode_lines(self, batch: pa.RecordBatch) -> pa.Buffer:
        """Text/csv rows as CopyData messages, assembled in one pass (rows.py's part joiner):
        per row 'd', length, then each column's text with the delimiter between and a newline.
        Columns that may need quoting/escaping, or hold NULLs, go through Arrow compute first."""
        n = batch.num_rows
        csv = self.spec.fmt == "csv"
        delim = np.frombuffer(self.spec.delimiter.encode(), dtype=np.uint8)
        null = pa.scalar(self.spec.null.encode(), pa.binary())
        parts: list = []
        total = np.full(n, 4 + (self.ncols - 1) * len(delim) + 1, dtype=np.int64)
        for i, t in enumerate(self.types):
            arr = batch.column(i)
            col = None
            if csv:
                direct = i not in self.force and self.plain_safe and _plain(t)
            else:
                direct = _plain(t)
            if direct:
                col = R._encode_text(arr, t)
            elif i not in self.force:
                col = self._plain_strings(arr, t)  # text that needs no quoting/escaping: as is
            if col is not None:
                if col.valid is None:
                    parts.extend(col.parts)
                    total += R._col_lens(col, n)
                else:  # NULL rows: their parts emptied, the NULL string in a part of its own
                    parts.extend(R._clear_nulls(col))
                    lens = R._col_lens(col, n)
                    if self.spec.null:
                        parts.append(_null_part(col.valid, self.spec.null.encode()))
                        lens[~col.valid] = len(self.spec.null.encode())
                    else:
                        lens[~col.valid] = 0
                    total += lens
            else:
                txt = pg_text_column(arr, t)
                if csv:
                    txt = self._csv_quote(txt, force=i in self.force, nulls_match=True)
                elif not _plain(t):
                    txt = self._text_escape(txt)
                txt = txt.cast(pa.binary()) if not pa.types.is_binary(txt.type) else txt
                if txt.null_count:
                    txt = txt.fill_null(null)
                parts.append(R._binary_views(txt))
                total += pc.binary_length(txt).to_numpy(zero_copy_only=False)
            sep = delim if i < self.ncols - 1 else _NEWLINE
            parts.append(np.broadcast_to(sep, (n, len(sep))))
        hdr = np.empty(n, dtype=_HDR)
        hdr["t"] = ord("d")
        hdr["len"] = total
        parts.insert(0, hdr.view(np.uint8).reshape(n, 5))
        size = int(total.sum()) + n
        data, k = R._join(parts, n, large=size >= 2**31 - 1)
        if k is None:
            return pa.py_buffer(data)
        return data.buffers()[2].slice(0, size)  # written as it is: no copy into bytes

    def _plain_strings(self, arr: pa.Array, duck: str) -> "R._Col | None":
        """A text column whose values all go out as they are — no value holds a byte that
        needs quoting (csv: delimiter, quote, CR, LF) or escaping (text: backslash, CR, LF,
        tab, delimiter), and in csv none equals the NULL string (or is '\\.' alone on its
        line) — as its Arrow data, found with one scan of the data buffer; None otherwise."""
        if duck != "VARCHAR" or not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
            return None
        n = len(arr)
        offs = np.frombuffer(arr.buffers()[1], dtype=np.int64 if pa.types.is_large_string(arr.type) else np.int32,
                             count=n + 1, offset=arr.offset * (8 if pa.types.is_large_string(arr.type) else 4))
        data = arr.buffers()[2]
        raw = data[int(offs[0]): int(offs[-1])].to_pybytes() if data is not None else b""
        d = self.spec.delimiter.encode()
        if self.spec.fmt == "csv":
            special = (d, self.spec.quote.encode(), b"\n", b"\r")
        else:
            special = (b"\\", b"\n", b"\r", b"\t", b"\b", b"\f", b"\v", d)
        if any(raw.find(ch) >= 0 for ch in special):
            return None
        valid = R._valid(arr)
        if self.spec.fmt == "csv":
            null = self.spec.null.encode()
            lens = np.diff(offs)
            # values PostgreSQL quotes: the NULL string itself, and '\\.' as a single column
            for word in ((null,) if self.ncols > 1 else (null, b"\\.")):
                if len(word) and raw.find(word) < 0:
                    continue
                hit = lens == len(word)
                if word and hit.any():
                    hit &= np.asarray(pc.equal(arr.cast(pa.binary()), pa.scalar(word, pa.binary()))
                                      .fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)
                if valid is not None:
                    hit &= valid
                if hit.any():
                    return None
        return R._Col([R._binary_views(arr)], valid)

    def _text_escape(self, arr: pa.Array) -> pa.Array:
        arr = arr.cast(pa.binary()) if not pa.types.is_binary(arr.type) else arr
        d = self.spec.delimiter
        if not pc.any(_contains_any(arr, ("\\", "\n", "\r", "\t", "\b", "\f", "\v", d))).as_py():
            return arr
        arr = pc.replace_substring(arr, "\\", "\\\\")
        arr = pc.replace_substring(arr, "\n", "\\n")
        arr = pc.replace_substring(arr, "\r", "\\r")
        arr = pc.replace_substring(arr, "\t", "\\t")
        arr = pc.replace_substring(arr, "\b", "\\b")  # as PostgreSQL's text output escapes them
        arr = pc.replace_substring(arr, "\f", "\\f")
        arr = pc.replace_substring(arr, "\v", "\\v")
        if d != "\t":
            arr = pc.replace_substring(arr, d, "\\" + d)
        return arr

    def _csv_quote(self, arr: pa.Array, force: bool, nulls_match: bool) -> pa.Array:
        arr = arr.cast(pa.binary()) if not pa.types.is_binary(arr.type) else arr
        q = self.spec.quote
        e = self.spec.escape
        if force:
            need = pc.is_valid(arr)
        else:
            need = _contains_any(arr, (self.spec.delimiter, q, "\n", "\r"))
            if nulls_match:
                need = pc.or_(need, pc.equal(arr, pa.scalar(self.spec.null.encode(), pa.binary())))
            if self.ncols == 1:  # '\.' alone on a line would read as the end of data
                need = pc.or_(need, pc.equal(arr, pa.scalar(b"\\.", pa.binary())))
        if not pc.any(need).as_py():
            return arr
        inner = arr
        if e != q:
            inner = pc.replace_substring(inner, e, e + e)
        inner = pc.replace_substring(inner, q, e + q)
        qb = pa.scalar(q.encode(), pa.binary())
        quoted = pc.binary_join_element_wise(qb, inner, qb, pa.scalar(b"", pa.binary()))
        return pc.if_else(need.fill_null(False), quoted, arr)


_PLAIN_CHARS = set("0123456789-+.:eEaAbBcCdDfFtTnNiIyY \\")


def _contains_any(arr: pa.Array, needles) -> pa.Array:
    """Which values contain any of the literal needles (literal searches beat a regex)."""
    out = None
    for nd in dict.fromkeys(needles):
        hit = pc.match_substring(arr, nd)
        out = hit if out is None else pc.or_(out, hit)
    return out


def _plain(duck: str) -> bool:
    """Types whose PostgreSQL text never holds a delimiter, quote, backslash or newline."""
    return duck in ("BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE",
                    "DATE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "UUID") or duck.startswith("DECIMAL")


def _null_part(valid: np.ndarray, null: bytes) -> "R._Var":
    """A variable part holding the NULL string in the rows that are NULL, nothing elsewhere."""
    n = len(valid)
    views = np.zeros((n, 4), dtype=np.int32)
    bufs: list = []
    if len(null) <= 12:
        inline = np.zeros(16, dtype=np.uint8)
        inline[:4] = np.frombuffer(np.int32(len(null)).tobytes(), np.uint8)
        inline[4:4 + len(null)] = np.frombuffer(null, np.uint8)
        views[~valid] = inline.view(np.int32)
    else:
        views[~valid] = (len(null), int.from_bytes(null[:4], "little", signed=True), 0, 0)
        bufs = [pa.py_buffer(null)]
    return R._Var(views, bufs)


def _msg_d(data: bytes) -> bytes:
    return b"d" + struct.pack("!i", len(data) + 4) + data


def _retag(buf: bytearray, nrows: int) -> None:
    """DataRow → CopyData: change each message's type byte (walks the length words)."""
    pos = 0
    size = len(buf)
    mv = memoryview(buf)
    while pos < size:
        buf[pos] = 0x64
        pos += 1 + int.from_bytes(mv[pos + 1: pos + 5], "big")
