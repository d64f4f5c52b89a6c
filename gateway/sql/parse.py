"""Tokenize and parse PostgreSQL text ONCE with sqlglot; split a Query into statements.

Everything later (classify, guard, rewrite, parameter inference) reads the trees made here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlglot import exp
from sqlglot.dialects.postgres import Postgres
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokenizer_core import Token, TokenizerCore, TokenType

from ..errors import PgError


class _PgTokenizerCore(TokenizerCore):
    __slots__ = ()

    def _scan_string(self, start: str) -> bool:
        # '$' followed by a digit is a positional parameter ($1), never a dollar-quote tag:
        # sqlglot would read '$1,$' in 'VALUES ($1,$2)' as a tag and fail.
        if start == "$" and self._peek.isdigit():
            self._add(TokenType.PARAMETER)
            return True
        return super()._scan_string(start)


class PgDialect(Postgres):
    """PostgreSQL as clients send it."""

    class Parser(Postgres.Parser):
        # to_char / to_timestamp(text, fmt) / to_date keep PostgreSQL's template text:
        # sqlglot's own translation to strftime codes loses FM, "quoted text", D, Q, Month
        # padding…; sql/rewrite.py translates them (to_char_template, to_timestamp_template).
        FUNCTIONS = {
            **Postgres.Parser.FUNCTIONS,
            "TO_CHAR": lambda args, **_: exp.Anonymous(this="to_char", expressions=args),
            "TO_DATE": lambda args, **_: exp.Anonymous(this="to_date", expressions=args),
            "DIV": lambda args, **_: exp.Anonymous(this="div", expressions=args),
            # date_part() is float8, extract() numeric: keep them apart (rewrite.date_part_float8)
            "DATE_PART": lambda args, **_: exp.Anonymous(this="date_part", expressions=args),
            "TO_TIMESTAMP": lambda args, **kw: (
                exp.Anonymous(this="to_timestamp", expressions=args) if len(args) == 2
                else Postgres.Parser.FUNCTIONS["TO_TIMESTAMP"](args, **kw)),
        }
        FUNCTION_PARSERS = {k: v for k, v in Postgres.Parser.FUNCTION_PARSERS.items() if k != "DATE_PART"}

        def _parse_unary(self):
            # @ x is PostgreSQL's absolute-value prefix operator (sqlglot reads '@' as a parameter)
            if self._curr and self._curr.token_type == TokenType.PARAMETER and self._curr.text == "@":
                self._advance()
                return exp.Abs(this=self._parse_unary())
            return super()._parse_unary()

        def _parse_interval(self, require_interval: bool = True, parse_function_unit: bool = True):
            # INTERVAL '1 day 02:00' / '2 mons' is PostgreSQL's typed literal: the whole string is
            # interval input. sqlglot splits it into a number and one unit (dropping '02:00', and
            # writing MONS, which DuckDB cannot read); keep it as CAST('…' AS INTERVAL) unless a
            # field list (INTERVAL '1' DAY) follows.
            if (require_interval and self._curr and self._curr.token_type == TokenType.INTERVAL
                    and self._next and self._next.token_type == TokenType.STRING):
                after = self._tokens[self._index + 2] if self._index + 2 < len(self._tokens) else None
                if after is None or after.text.upper() not in self.dialect.VALID_INTERVAL_UNITS:
                    text = self._next.text
                    self._advance(2)
                    return exp.Cast(this=exp.Literal.string(text), to=exp.DataType.build("interval"))
            return super()._parse_interval(require_interval, parse_function_unit)

        def _parse_drop(self, *args, **kwargs):
            # DROP INDEX CONCURRENTLY IF EXISTS (Django/Alembic migrations; sqlglot reads only
            # DROP INDEX CONCURRENTLY name): nothing to wait for here, so the word is dropped
            if (self._curr and self._curr.text.upper() == "INDEX" and self._next
                    and self._next.text.upper() == "CONCURRENTLY"):
                self._tokens = self._tokens[:self._index + 1] + self._tokens[self._index + 2:]
                self._tokens_size = len(self._tokens)
                self._advance(0)  # re-read _next from the edited tokens
            return super()._parse_drop(*args, **kwargs)

        def _parse_types(self, *args, **kwargs):
            # x::pg_catalog.text (psql's describe queries): the built-in types live in pg_catalog
            if (self._curr and self._next and self._curr.text.lower() == "pg_catalog"
                    and self._next.token_type == TokenType.DOT):
                self._advance(2)
            # sqlglot stops at `oid` in `$1::oid[]` (asyncpg's type lookup): read the brackets
            this = super()._parse_types(*args, **kwargs)
            if isinstance(this, exp.ObjectIdentifier):
                while self._match_pair(TokenType.L_BRACKET, TokenType.R_BRACKET):
                    this = exp.DataType(this=exp.DataType.Type.ARRAY, expressions=[this], nested=True)
            return this

    class Tokenizer(Postgres.Tokenizer):
        def _init_core(self):
            core = super()._init_core()
            core.__class__ = _PgTokenizerCore
            return core


DIALECT = PgDialect()


class _PlainTokens(PgDialect):
    """Tokenizes statements sqlglot treats as opaque commands (DECLARE, FETCH, SHOW …) into
    ordinary tokens, for the session statements that read their words."""

    class Tokenizer(PgDialect.Tokenizer):
        COMMANDS: set = set()


_PLAIN = _PlainTokens()


def plain_tokens(tokens: list[Token], sql: str) -> list[Token]:
    if tokens and tokens[0].token_type in PgDialect.Tokenizer.COMMANDS:
        try:
            return _PLAIN.tokenize(sql)
        except TokenError:
            return tokens
    return tokens


@dataclass(slots=True)
class Chunk:
    """One statement of a Query message: its text, tokens, and tree (None if sqlglot can't parse)."""

    text: str
    tokens: list[Token]
    tree: exp.Expression | None
    parse_error: str | None = None
    parse_position: int | None = None  # 1-based character offset in the Query text, as PostgreSQL's
    semicolon: int | None = None  # offset of the ';' that ended it, if one did


def tokenize(sql: str) -> list[Token]:
    try:
        return DIALECT.tokenize(sql)
    except TokenError as e:
        msg = str(e)
        if "Missing" in msg or "unterminated" in msg.lower() or "Error tokenizing" in msg:
            raise PgError("42601", f"unterminated quoted string or comment: {msg}") from None
        raise PgError("42601", f"syntax error: {msg}") from None


def split(sql: str) -> list[Chunk]:
    """Split a Query message into statements (empty statements dropped) and parse each."""
    tokens = tokenize(sql)
    chunks: list[Chunk] = []
    cur: list[Token] = []
    for tok in tokens:
        if tok.token_type == TokenType.SEMICOLON:
            if cur:
                chunks.append(_parse_chunk(sql, cur))
                chunks[-1].semicolon = tok.start
                cur = []
            continue
        cur.append(tok)
    if cur:
        chunks.append(_parse_chunk(sql, cur))
    return chunks


def parse_one(text: str) -> Chunk:
    """One statement's text (no ';'), tokenized and parsed."""
    return _parse_chunk(text, tokenize(text))


# words a statement can begin with (PostgreSQL 15's grammar, and DuckDB's own statements the
# gateway passes on or refuses by name); any other first word is PostgreSQL's syntax error at it
_STATEMENT_WORDS = frozenset((
    "ABORT", "ALTER", "ANALYSE", "ANALYZE", "BEGIN", "CALL", "CHECKPOINT", "CLOSE", "CLUSTER", "COMMENT",
    "COMMIT", "COPY", "CREATE", "DEALLOCATE", "DECLARE", "DELETE", "DISCARD", "DO", "DROP", "END",
    "EXECUTE", "EXPLAIN", "FETCH", "GRANT", "IMPORT", "INSERT", "LISTEN", "LOAD", "LOCK", "MERGE", "MOVE",
    "NOTIFY", "PREPARE", "REASSIGN", "REFRESH", "REINDEX", "RELEASE", "RESET", "REVOKE", "ROLLBACK",
    "SAVEPOINT", "SECURITY", "SELECT", "SET", "SHOW", "START", "TABLE", "TRUNCATE", "UNLISTEN", "UPDATE",
    "VACUUM", "VALUES", "WITH",
    "ATTACH", "DESCRIBE", "DETACH", "EXPORT", "FORCE", "FROM", "INSTALL", "PIVOT", "PRAGMA", "SUMMARIZE",
    "UNPIVOT", "USE",
))


def _parse_chunk(sql: str, tokens: list[Token]) -> Chunk:
    text = sql[tokens[0].start : tokens[-1].end + 1]
    first = tokens[0]
    if first.token_type in (TokenType.VAR, TokenType.IDENTIFIER) and (
            first.token_type == TokenType.IDENTIFIER or first.text.upper() not in _STATEMENT_WORDS):
        # `SELEC 1`, `FOO BAR`: sqlglot would read an expression or alias and name a later token
        return Chunk(text, tokens, None, f'syntax error at or near "{sql[first.start:first.end + 1]}"',
                     first.start + 1)
    try:
        arrays = _ddl_spellings(text, tokens) if first.text.upper() in ("CREATE", "ALTER") else None
        if arrays is not None:
            trees = DIALECT.parser().parse(DIALECT.tokenize(arrays), arrays)
        else:
            trees = DIALECT.parser().parse(_without_overriding(tokens) if first.text.upper() == "INSERT" else tokens, sql)
        tree = trees[0] if trees else None
        if isinstance(tree, exp.Command) and _UNNAMED_CHECK.match(text):
            tree = _named_check(text) or tree
        return Chunk(text, tokens, tree)
    except ParseError as e:
        return Chunk(text, tokens, None, _parse_error_message(e))
    except (TokenError, ValueError, TypeError, KeyError, IndexError, AttributeError) as e:
        return Chunk(text, tokens, None, str(e))


def _without_overriding(tokens: list[Token]) -> list[Token]:
    """INSERT … OVERRIDING SYSTEM VALUE VALUES …: sqlglot cannot read the clause. An identity
    column here takes a given value anyway (its sequence is only the default), so the clause
    changes nothing and is left out of the tree."""
    words = [t.text.upper() for t in tokens]
    for i in range(len(words) - 2):
        if words[i:i + 3] == ["OVERRIDING", "SYSTEM", "VALUE"]:
            return tokens[:i] + tokens[i + 3:]
    return tokens
def _ddl_spellings(text: str, tokens: list[Token]) -> str | None:
    """PostgreSQL spellings sqlglot misreads, as ones it reads; the text, or None if none:
    - `tags text ARRAY` (TypeORM's array columns) → `text[]`: sqlglot takes what follows for
      the array's bounds, or drops ARRAY in ALTER TABLE … ADD COLUMN;
    - ALTER TABLE t RENAME a TO b (Knex's renameColumn, COLUMN being optional) → RENAME COLUMN
      a TO b: sqlglot reads a rename of the table to "a"."""
    base = tokens[0].start
    edits = []  # (token, replacement text, keep the token)
    for i, t in enumerate(tokens):
        word = t.text.upper()
        if word == "ARRAY" and i > 1 and tokens[i - 1].token_type not in (TokenType.COMMA, TokenType.L_PAREN) and (
                i + 1 == len(tokens) or tokens[i + 1].token_type not in (TokenType.L_BRACKET, TokenType.L_PAREN)):
            edits.append((t, "[]", False))
        elif word == "RENAME" and i + 2 < len(tokens) and \
                tokens[i + 1].text.upper() not in ("TO", "COLUMN", "CONSTRAINT") and tokens[i + 2].text.upper() == "TO":
            edits.append((tokens[i + 1], "COLUMN ", True))
    if not edits:
        return None
    out, at = [], 0
    for t, new, keep in edits:
        out += [text[at:t.start - base], new]
        at = (t.start if keep else t.end + 1) - base
    return "".join(out) + text[at:]


# ALTER TABLE t ADD CHECK (…): sqlglot reads only the named form
_UNNAMED_CHECK = re.compile(r"(?is)^\s*ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(\S+)\s+ADD\s+CHECK\b")


def _named_check(text: str) -> exp.Expression | None:
    """The statement with PostgreSQL's name for the constraint (<table>_check) spelled out."""
    m = _UNNAMED_CHECK.match(text)
    table = m.group(1).split(".")[-1].strip('"')
    named = text[:m.end() - len("CHECK")] + f'CONSTRAINT "{table}_check" ' + text[m.end() - len("CHECK"):]
    try:
        trees = DIALECT.parser().parse(DIALECT.tokenize(named), named)
    except (ParseError, TokenError):
        return None
    tree = trees[0] if trees else None
    return None if tree is None or isinstance(tree, exp.Command) else tree


def _parse_error_message(e: ParseError) -> str:
    errs = getattr(e, "errors", None) or []
    if errs:
        err = errs[0]
        hl = err.get("highlight") or ""
        if hl:
            return f'syntax error at or near "{hl}"'
    return "syntax error"
