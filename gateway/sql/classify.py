"""Classify each statement from its one sqlglot tree: route, command tag, DuckDB text.

The result, a `Statement`, is cached per statement text: sqlglot costs far more than a DuckDB
point lookup and most traffic repeats its statements.
"""

from __future__ import annotations

import logging

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable

from sqlglot import exp
from sqlglot.tokenizer_core import Token

from .. import advisory_locks
from ..errors import PgError
from . import alter_commands, guard, result_types, rewrite, setval
from .parse import Chunk, parse_one, plain_tokens, split

# routes
READ = "read"  # autocommit: reader pool
WRITE = "write"  # autocommit: serialized writer
SESSION = "session"  # handled by the session itself (SET, SHOW, BEGIN, ...)

_PARAM_MARK = "__dataforge_param_"


@dataclass(slots=True)
class InsertShape:
    """`INSERT INTO t [(cols)] VALUES ($a, $b), ($c, $d) …` where every value is a parameter."""

    key: str  # 'INSERT INTO "t" ("a", "b")' in DuckDB SQL
    ncols: int
    rows: list[list[int]]  # per VALUES row, the 0-based parameter index of each column
    table: str = ""  # the target table, DuckDB SQL ('"t"')
    columns: tuple[str, ...] | None = None  # the column list, if the INSERT names one

    def bind(self, values: list) -> list[list]:
        """The VALUES rows with these parameter values in place."""
        return [[values[i] for i in row] for row in self.rows]


@dataclass(slots=True)
class Statement:
    text: str
    kind: str  # select insert update delete ddl begin commit rollback set show reset discard copy …
    route: str
    tag: str  # CommandComplete tag ('SELECT', 'INSERT', 'CREATE TABLE', …)
    duck_sql: str = ""
    nparams: int = 0
    returns_rows: bool = False
    tree: exp.Expression | None = None
    insert: InsertShape | None = None
    # duck_sql split at parameters, for rendering typed values as literals
    parts: list[str] | None = None
    part_params: list[int] | None = None
    words: list[str] = field(default_factory=list)  # leading keywords, upper-cased
    error: PgError | None = None
    ddl: bool = False
    tokens: list[Token] = field(default_factory=list)
    semicolon: int | None = None  # offset of the ';' after it in the Query text (parse.Chunk)
    # result columns per (parameter types, schema version, timezone): Describe without DuckDB
    describe_cache: dict = field(default_factory=dict)
    uses_settings: bool = False  # calls current_setting(): the session's settings go with it
    refused: PgError | None = None  # sql/guard.py: what a network client may not run (42501)
    # (SQLSTATE, text, severity): identifiers truncated to 63 bytes (42622 NOTICE), foreign-key
    # actions not carried out (01000 WARNING)
    notices: list[tuple[str, str, str]] = field(default_factory=list)
    # result columns PostgreSQL describes with typmod -1 (computed values: 1.5, sum(n)…)
    typmod_free: frozenset[int] = frozenset()
    # INSERT … VALUES with quoted literals: (schema, table) whose column types type them
    literal_target: tuple[str, str] | None = None
    typed: tuple[int, "Statement"] | None = None  # (schema version, the typed statement)
    # INSERT/UPDATE: (schema, table) written, whose unconstrained numeric columns check their
    # values (sql/numeric_storage.py)
    store_target: tuple[str, str] | None = None
    # what decides the PostgreSQL types DuckDB cannot express (varchar(n), jsonb…): result_types.py
    result_plan: Any = None
    # creates a temporary table/view/sequence: DuckDB keeps those per connection, so the session
    # runs everything from then on on its own connection (session.py)
    temp: bool = False
    # CREATE TEMP TABLE … ON COMMIT DROP | DELETE ROWS: (action, table) the session carries out at
    # the end of each transaction (DuckDB only knows PRESERVE ROWS)
    on_commit: tuple[str, str] | None = None
    origin: tuple | None = None  # result_types.origin_of: the table its columns come from
    # INSERT without a column list: how many values a row gives (PostgreSQL fills the columns
    # after them with their defaults; the session adds the column list DuckDB needs)
    positional: int | None = None
    # WITH x AS (INSERT|UPDATE|DELETE … RETURNING …) SELECT …: the data-modifying CTE, run first
    # in the same transaction; its rows are registered as `staged_view`, which the outer
    # statement (this one's duck_sql) reads in its place. staged_probe: Describe's SELECT.
    staged: "Statement | None" = None
    # "db"."schema"."table": (database, the dotted name) of each (_without_catalogs)
    catalogs: frozenset[tuple[str, str]] = frozenset()
    staged_view: str = ""
    staged_probe: str = ""

    def pg_fields(self, fields: list) -> list:
        """Result fields with the typmods PostgreSQL reports (see rewrite.typmod_free_columns)."""
        free = self.typmod_free
        if not free:
            return fields
        for i in free:
            if i < len(fields) and fields[i].typmod != -1:
                fields[i].typmod = -1
        return fields

    @property
    def is_transaction_control(self) -> bool:
        return self.kind in ("begin", "commit", "rollback")


_CACHE: OrderedDict[str | tuple, list[Statement]] = OrderedDict()
_CACHE_MAX = 4096


def parse_query(sql: str, qualify: Callable[[exp.Expression], exp.Expression] | None = None,
                key: tuple = ()) -> list[Statement]:
    """All statements of one Query (or Parse) text, classified; cached per text. `qualify`: for
    a session whose search_path finds relations outside public, each tree is qualified
    (sql/search_path.py) before it is classified, cached per text and `key` (the path, the
    schema version and the session's temporary relations, which decide the qualification)."""
    k: str | tuple = (sql, key) if qualify is not None else sql
    hit = _CACHE.get(k)
    if hit is not None:
        _CACHE.move_to_end(k)
        return hit
    chunks = split(sql)
    if qualify is not None:
        for c in chunks:
            if c.tree is not None:
                c.tree = qualify(c.tree)
    stmts = [classify(c) for c in chunks]
    _CACHE[k] = stmts
    if len(_CACHE) > _CACHE_MAX:
        _CACHE.popitem(last=False)
    return stmts


def _translation_error(e: Exception, text: str) -> PgError:
    """A refusal from the rewrite as it is; a translation bug costs the statement an XX000,
    never the connection."""
    if isinstance(e, PgError):
        return e
    logging.getLogger("dataforge.rewrite").exception("cannot translate %r", text[:200])
    return PgError("XX000", f"internal error translating the statement: {type(e).__name__}: {e}")


def _without_on_commit(chunk: Chunk) -> tuple[Chunk, str | None]:
    """CREATE TEMP TABLE … ON COMMIT {DROP | DELETE ROWS | PRESERVE ROWS}: the statement parsed
    without the clause (DuckDB takes none but PRESERVE ROWS), and which action it named."""
    toks = chunk.tokens
    if len(toks) < 6 or toks[0].text.upper() != "CREATE" or not any(
            t.text.upper() in ("TEMP", "TEMPORARY") for t in toks[1:4]):
        return chunk, None
    words = [t.text.upper() for t in toks]
    for i in range(3, len(words) - 2):
        if words[i] == "ON" and words[i + 1] == "COMMIT":
            if words[i + 2] == "DROP":
                action, n = "drop", 3
            elif words[i + 2:i + 4] in (["DELETE", "ROWS"], ["PRESERVE", "ROWS"]):
                action, n = words[i + 2].lower(), 4
            else:
                return chunk, None
            base = toks[0].start
            text = chunk.text[:toks[i].start - base] + chunk.text[toks[i + n - 1].end + 1 - base:]
            parsed = parse_one(text)
            parsed.semicolon = chunk.semicolon
            return parsed, action
    return chunk, None


def _creates_temp(st: Statement) -> bool:
    tree = st.tree
    if isinstance(tree, exp.Select):
        into = tree.args.get("into")
        return into is not None and bool(into.args.get("temporary"))
    return st.kind == "ddl" and st.words[:1] == ["CREATE"] and any(
        w in ("TEMP", "TEMPORARY") for w in st.words[1:4])


def _words(tokens: list[Token], n: int = 4) -> list[str]:
    return [t.text.upper() for t in tokens[:n]]


def classify(chunk: Chunk) -> Statement:
    chunk, on_commit = _without_on_commit(chunk)
    notices = guard.truncate_identifiers(chunk.tree) if chunk.tree is not None else []
    catalogs = _without_catalogs(chunk.tree) if chunk.tree is not None else frozenset()
    st = _classify(chunk)
    st.catalogs = catalogs
    st.temp = _creates_temp(st)
    if on_commit is not None and st.temp and on_commit != "preserve":
        target = st.tree.this if isinstance(st.tree, exp.Create) else None
        table = target.this if isinstance(target, exp.Schema) else target
        if isinstance(table, exp.Table):
            st.on_commit = (on_commit, table.name)
    st.tokens = plain_tokens(chunk.tokens, chunk.text) if st.route == SESSION else chunk.tokens
    st.semicolon = chunk.semicolon
    st.refused = guard.refusal(st)
    st.notices = [("42622", text, "NOTICE") for text in notices]
    st.notices += [("01000", text, "WARNING") for text in rewrite.referential_action_warnings(st.tree)]
    return st


def _without_catalogs(tree: exp.Expression) -> frozenset[tuple[str, str]]:
    """"db"."schema"."table" (dbt names every relation so): the database names, taken off the
    tree; the session accepts the statement only if they name its own database (PostgreSQL's
    rule, checked in session._catalog_check), which is the same for every session here."""
    names = set()
    for t in tree.find_all(exp.Table):
        if t.catalog and t.args.get("db") is not None:
            names.add((t.catalog, f"{t.catalog}.{t.db}.{t.name}"))
            t.set("catalog", None)
    return frozenset(names)


def _classify(chunk: Chunk) -> Statement:
    words = _words(chunk.tokens, 6)
    tree = chunk.tree
    first = words[0] if words else ""
    text = chunk.text

    # two-phase commit: COMMIT PREPARED 'x' must not read as COMMIT, nor PREPARE TRANSACTION as
    # PREPARE name AS …
    # (as PostgreSQL's default max_prepared_transactions = 0 answers: there are none)
    if words[:2] == ["PREPARE", "TRANSACTION"]:
        return Statement(text, "other", WRITE, "PREPARE TRANSACTION", words=words, error=PgError(
            "55000", "prepared transactions are disabled",
            hint="DuckDB has no two-phase commit; commit or roll back the transaction."))
    if words[:2] in (["COMMIT", "PREPARED"], ["ROLLBACK", "PREPARED"]):
        gid = chunk.tokens[2].text if len(chunk.tokens) > 2 else ""
        return Statement(text, "other", WRITE, " ".join(words[:2]), words=words, error=PgError(
            "42704", f'prepared transaction with identifier "{gid}" does not exist'))

    # statements the session handles itself, recognised by their leading keywords
    session_kind = _session_kind(words)
    if session_kind is not None:
        return Statement(text, session_kind, SESSION, _session_tag(session_kind, words), tree=tree, words=words)

    if first == "ALTER" and isinstance(tree, exp.Command):  # pg_dump's ALTER forms (sql/alter_commands.py)
        altered = _alter_command(chunk, words)
        if altered is not None:
            return altered

    refused = rewrite.unsupported_statement(words)
    if refused is not None:
        return Statement(text, "other", WRITE, _ddl_tag(words), words=words, ddl=True, error=refused)

    if tree is None:
        if chunk.parse_position is not None:  # not a statement at all (parse.py's first-word check)
            return Statement(text, "other", WRITE, _ddl_tag(words), words=words,
                             error=PgError("42601", chunk.parse_error or "syntax error",
                                           position=chunk.parse_position))
        # sqlglot can't parse it: hand DuckDB the text if it is a plain read or write it may know
        if first in ("SELECT", "WITH", "VALUES", "TABLE", "EXPLAIN", "DESCRIBE", "SUMMARIZE", "FROM", "PIVOT", "UNPIVOT"):
            return Statement(text, "select", READ, "SELECT", duck_sql=text, returns_rows=True, words=words,
                             nparams=_count_params(chunk.tokens))
        return Statement(
            text, "other", WRITE, _ddl_tag(words), duck_sql=text, words=words, ddl=True,
            nparams=_count_params(chunk.tokens),
            error=None if first in ("CREATE", "DROP", "ALTER", "INSERT", "UPDATE", "DELETE", "COMMENT", "TRUNCATE")
            else PgError("42601", chunk.parse_error or "syntax error", position=chunk.parse_position),
        )

    nparams = _max_param(tree)
    if setval.is_setval_select(tree):  # a write: it moves sequences (sql/setval.py)
        st = Statement(text, "select", WRITE, "SELECT", returns_rows=True, tree=tree, words=words,
                       nparams=nparams)
        try:
            st.duck_sql = setval.marker(tree)
        except Exception as e:
            st.error = _translation_error(e, text)
        return st
    if _data_modifying_cte(tree) is not None:
        return _staged_statement(text, tree, words, nparams)
    if isinstance(tree, exp.Select) and tree.args.get("into") is not None:
        # SELECT … INTO t: CREATE TABLE t AS SELECT …, a write like it (tag `SELECT n`)
        st = Statement(text, "ddl", WRITE, "SELECT", tree=tree, words=words, nparams=nparams, ddl=True)
    elif isinstance(tree, (exp.Select, exp.SetOperation, exp.Values)) or (
        isinstance(tree, exp.Subquery)
    ):
        st = Statement(text, "select", READ, "SELECT", returns_rows=True, tree=tree, words=words, nparams=nparams)
    elif isinstance(tree, exp.Insert):
        st = Statement(text, "insert", WRITE, "INSERT", tree=tree, words=words, nparams=nparams,
                       returns_rows=tree.args.get("returning") is not None)
        st.insert = _insert_shape(tree)
        st.literal_target = _literal_target(tree) if not nparams else None
        st.store_target = table_of(tree)
        st.positional = _positional_width(tree)
    elif isinstance(tree, exp.Update):
        st = Statement(text, "update", WRITE, "UPDATE", tree=tree, words=words, nparams=nparams,
                       returns_rows=tree.args.get("returning") is not None)
        st.literal_target = _literal_target(tree) if not nparams else None
        st.store_target = table_of(tree)
    elif isinstance(tree, exp.Delete):
        st = Statement(text, "delete", WRITE, "DELETE", tree=tree, words=words, nparams=nparams,
                       returns_rows=tree.args.get("returning") is not None)
    elif isinstance(tree, exp.Merge):
        st = Statement(text, "merge", WRITE, "MERGE", tree=tree, words=words, nparams=nparams)
    elif isinstance(tree, exp.Copy):
        return Statement(text, "copy", SESSION, "COPY", tree=tree, words=words)
    elif isinstance(tree, exp.Command) and first in ("EXPLAIN", "SHOW", "DESCRIBE", "SUMMARIZE"):
        st = Statement(text, "select", READ, "SELECT" if first != "EXPLAIN" else "EXPLAIN",
                       duck_sql=text, returns_rows=True, words=words, nparams=nparams)
        return st
    elif isinstance(tree, exp.Create) and isinstance(tree.expression, (exp.Select, exp.SetOperation, exp.Subquery)) and (
        str(tree.args.get("kind") or "").upper() == "TABLE"
    ):
        st = Statement(text, "ddl", WRITE, "SELECT", tree=tree, words=words, nparams=nparams, ddl=True)
        props = tree.args.get("properties")
        if props is not None and any(isinstance(p, exp.WithDataProperty) and p.args.get("no")
                                     for p in props.expressions):
            st.tag = "CREATE TABLE AS"  # WITH NO DATA: PostgreSQL's tag carries no count
    else:
        st = Statement(text, "ddl", WRITE, _ddl_tag(words), tree=tree, words=words, nparams=nparams, ddl=True)
        if isinstance(tree, exp.Command):
            st.duck_sql = text
            return st

    try:
        rewritten = rewrite.to_duckdb(tree)
    except Exception as e:
        st.error = _translation_error(e, text)
        return st
    st.duck_sql = rewritten.sql
    # the compat macros that read the session's settings (sql/pg_catalog.py) need them sent along
    st.uses_settings = any(f.name.lower() in _SETTINGS_MACROS for f in rewritten.tree.find_all(exp.Anonymous))
    if st.returns_rows:
        st.typmod_free = rewrite.typmod_free_columns(tree)
        st.result_plan = result_types.plan_of(tree)
        st.origin = result_types.origin_of(tree)
    if nparams:
        _make_template(st, rewritten.tree)
    return st


def _alter_command(chunk: Chunk, words: list[str]) -> Statement | None:
    """ALTER … OWNER TO / OWNED BY (nothing to do), ADD GENERATED … AS IDENTITY (the ALTER it
    becomes), ALTER SEQUENCE … RESTART (setval): see sql/alter_commands.py."""
    text = chunk.text
    tag = alter_commands.noop_tag(text)
    if tag is not None:
        return Statement(text, "noop", SESSION, tag, words=words)
    restart = alter_commands.restart_setval(text)
    if restart is not None:
        return Statement(text, "other", WRITE, "ALTER SEQUENCE", duck_sql=setval.restart_marker(*restart),
                         words=words)
    try:
        identity = alter_commands.identity_chunk(text)
    except PgError as e:
        return Statement(text, "other", WRITE, "ALTER TABLE", words=words, ddl=True, error=e)
    if identity is None:
        return None
    st = _classify(identity)
    st.text = text
    return st


def _data_modifying_cte(tree: exp.Expression) -> exp.CTE | None:
    """The one INSERT/UPDATE/DELETE … RETURNING CTE of a SELECT (the form carried out here:
    `WITH ins AS (INSERT … RETURNING id) SELECT … FROM ins`); None for anything else (other
    forms stay refused by rewrite.untranslatable_constructs)."""
    if isinstance(tree, exp.Select):
        if tree.args.get("into") is not None:
            return None
    elif not isinstance(tree, (exp.Insert, exp.Update, exp.Delete)) or tree.args.get("returning") is not None:
        return None  # an outer write is carried out without RETURNING only
    with_ = tree.args.get("with_")
    ctes = with_.expressions if with_ is not None else []
    dml = [c for c in ctes if isinstance(c.this, (exp.Insert, exp.Update, exp.Delete))]
    if len(dml) != 1 or dml[0].this.args.get("returning") is None or with_.args.get("recursive"):
        return None
    if any(n is not dml[0].this and n.find_ancestor(exp.CTE) is not dml[0]
           for n in tree.find_all(exp.Insert, exp.Update, exp.Delete) if n is not tree):
        return None
    names = {c.alias_or_name.lower() for c in ctes}
    if any(t.name.lower() in names for t in dml[0].this.find_all(exp.Table) if not t.db):
        return None  # the DML reads another CTE of the statement
    return dml[0]


def _staged_statement(text: str, tree: exp.Expression, words: list[str], nparams: int) -> Statement:
    """WITH x AS (DML … RETURNING …) SELECT …: DuckDB has no data-modifying CTEs, so the DML
    runs first (its own DuckDB statement) and the SELECT reads its RETURNING rows, both in one
    transaction (engine/results.execute_staged). The tag is the SELECT's, as PostgreSQL's."""
    cte = _data_modifying_cte(tree)
    outer_kind = {exp.Insert: "insert", exp.Update: "update", exp.Delete: "delete"}.get(type(tree))
    if outer_kind is None:
        st = Statement(text, "staged", WRITE, "SELECT", returns_rows=True, tree=tree, words=words, nparams=nparams)
    else:  # WITH moved AS (DELETE … RETURNING …) INSERT INTO archive SELECT … FROM moved
        st = Statement(text, outer_kind, WRITE, outer_kind.upper(), tree=tree, words=words, nparams=nparams)
    dml = cte.this.copy()
    view = f"__dataforge_staged_{cte.alias_or_name.lower()}"
    kind = {exp.Insert: "insert", exp.Update: "update", exp.Delete: "delete"}[type(dml)]
    inner = Statement(text, kind, WRITE, kind.upper(), returns_rows=True, tree=dml, words=words, nparams=nparams)
    outer = tree.copy()
    probe_tree = tree.copy()
    for t, body in ((outer, exp.select("*").from_(exp.to_identifier(view, quoted=True))),
                    (probe_tree, _returning_select(dml))):
        for c in t.args["with_"].expressions:
            if c.alias_or_name == cte.alias_or_name and isinstance(c.this, (exp.Insert, exp.Update, exp.Delete)):
                c.set("this", body)
    try:
        inner_sql = rewrite.to_duckdb(dml)
        outer_sql = rewrite.to_duckdb(outer)
        probe = probe_tree.copy()
        for p in list(probe.find_all(exp.Parameter)):
            p.replace(exp.Null())
        st.staged_probe = rewrite.to_duckdb(probe).sql
    except Exception as e:
        st.error = _translation_error(e, text)
        return st
    inner.duck_sql, st.duck_sql = inner_sql.sql, outer_sql.sql
    st.staged, st.staged_view = inner, view
    if st.returns_rows:
        st.typmod_free = rewrite.typmod_free_columns(probe_tree)
        st.result_plan = result_types.plan_of(probe_tree)
    if nparams:
        _make_template(inner, inner_sql.tree)
        _make_template(st, outer_sql.tree)
    return st


def _returning_select(dml: exp.Expression) -> exp.Select:
    """SELECT <the RETURNING list> FROM <the target> LIMIT 0: the columns the DML returns."""
    target = dml.this
    if isinstance(target, exp.Schema):
        target = target.this
    ret = dml.args["returning"]
    return exp.select(*[e.copy() for e in ret.expressions]).from_(target.copy()).limit(0)


_SETTINGS_MACROS = frozenset(("pg_current_setting", "pg_backend_pid", "pg_session_user")) | advisory_locks.FUNCTIONS


def _session_kind(words: list[str]) -> str | None:
    if not words:
        return None
    w0 = words[0]
    w1 = words[1] if len(words) > 1 else ""
    if w0 in ("BEGIN", "START"):
        return "begin"
    if w0 in ("COMMIT", "END"):
        return "commit"
    if w0 in ("ROLLBACK", "ABORT"):
        if w1 == "TO" or (w1 in ("WORK", "TRANSACTION") and len(words) > 2 and words[2] == "TO"):
            return "rollback_to"
        return "rollback"
    if w0 == "SAVEPOINT":
        return "savepoint"
    if w0 == "RELEASE":
        return "release"
    if w0 == "SET":
        return "set"
    if w0 == "SHOW":
        return "show"
    if w0 == "RESET":
        return "reset"
    if w0 == "DISCARD":
        return "discard"
    if w0 == "DECLARE":
        return "declare"
    if w0 in ("FETCH", "MOVE"):
        return "fetch"
    if w0 == "CLOSE":
        return "close"
    if w0 in ("LISTEN", "UNLISTEN", "NOTIFY"):
        return w0.lower()
    if w0 in ("PREPARE", "EXECUTE", "DEALLOCATE") and w1 != "TRANSACTION":
        return w0.lower()
    if w0 == "COPY":
        return "copy"  # read from its tokens (gateway/protocol/copy.py): sqlglot misses PG's options
    if w0 in ("VACUUM", "ANALYZE", "CHECKPOINT", "LOCK", "DO", "LOAD", "ATTACH", "DETACH", "INSTALL",
              "PRAGMA", "EXPORT", "IMPORT", "CALL", "USE"):
        return w0.lower()
    return None


def _session_tag(kind: str, words: list[str]) -> str:
    return {
        "begin": "BEGIN" if words[0] == "BEGIN" else "START TRANSACTION",
        "commit": "COMMIT",
        "rollback": "ROLLBACK",
        "rollback_to": "ROLLBACK",
        "savepoint": "SAVEPOINT",
        "release": "RELEASE",
        "set": "SET CONSTRAINTS" if words[1:2] == ["CONSTRAINTS"] else "SET",
        "show": "SHOW",
        "reset": "RESET",
        "discard": "DISCARD ALL",
        "declare": "DECLARE CURSOR",
        "fetch": "FETCH" if words[0] == "FETCH" else "MOVE",
        "close": "CLOSE CURSOR",
        "listen": "LISTEN",
        "unlisten": "UNLISTEN",
        "notify": "NOTIFY",
        "prepare": "PREPARE",
        "execute": "EXECUTE",
        "deallocate": "DEALLOCATE",
        "vacuum": "VACUUM",
        "analyze": "ANALYZE",
        "checkpoint": "CHECKPOINT",
        "lock": "LOCK TABLE",
        "do": "DO",
    }.get(kind, kind.upper())


_TWO_WORD = {"TABLE", "INDEX", "VIEW", "SCHEMA", "SEQUENCE", "FUNCTION", "TYPE", "DATABASE", "ROLE", "USER",
             "EXTENSION", "TRIGGER", "MACRO", "DOMAIN", "AGGREGATE", "COLLATION"}


def _ddl_tag(words: list[str]) -> str:
    if not words:
        return ""
    w0 = words[0]
    if w0 in ("CREATE", "DROP", "ALTER"):
        rest = [w for w in words[1:] if w not in ("OR", "REPLACE", "UNIQUE", "TEMP", "TEMPORARY", "UNLOGGED",
                                                   "MATERIALIZED", "GLOBAL", "LOCAL", "IF", "NOT", "EXISTS")]
        if words[1:2] == ["MATERIALIZED"]:
            return f"{w0} MATERIALIZED VIEW"
        if rest and rest[0] in _TWO_WORD:
            return f"{w0} {rest[0]}"
        return w0
    if w0 == "TRUNCATE":
        return "TRUNCATE TABLE"
    if w0 == "COMMENT":
        return "COMMENT"
    if w0 == "GRANT":
        return "GRANT"
    if w0 == "REVOKE":
        return "REVOKE"
    return w0


def _count_params(tokens: list[Token]) -> int:
    n = 0
    for i, t in enumerate(tokens[:-1]):
        if t.text == "$" and tokens[i + 1].text.isdigit():
            n = max(n, int(tokens[i + 1].text))
    return n


def _param_index(node: exp.Parameter) -> int | None:
    this = node.this
    if isinstance(this, exp.Literal) and not this.is_string and str(this.this).isdigit():
        return int(this.this)
    return None


def _max_param(tree: exp.Expression) -> int:
    n = 0
    for p in tree.find_all(exp.Parameter):
        i = _param_index(p)
        if i is not None and i > n:
            n = i
    return n


def _insert_shape(tree: exp.Insert) -> InsertShape | None:
    if any(tree.args.get(k) for k in ("returning", "conflict", "where", "with", "overwrite", "alternative")):
        return None
    values = tree.expression
    if not isinstance(values, exp.Values):
        return None
    target = tree.this
    cols: list[str] | None = None
    if isinstance(target, exp.Schema):
        cols = [c.name for c in target.expressions]
        table = target.this
    else:
        table = target
    if not isinstance(table, exp.Table):
        return None
    rows: list[list[int]] = []
    width = None
    for tup in values.expressions:
        if not isinstance(tup, exp.Tuple):
            return None
        idx = []
        for v in tup.expressions:
            if not isinstance(v, exp.Parameter):
                return None
            i = _param_index(v)
            if i is None:
                return None
            idx.append(i - 1)
        if width is None:
            width = len(idx)
        elif width != len(idx):
            return None
        rows.append(idx)
    if not rows or (cols is not None and len(cols) != width):
        return None
    if table.db and table.db.lower() == "public":  # PostgreSQL's public is DuckDB's main
        table = table.copy()
        table.set("db", exp.to_identifier("main"))
    key = "INSERT INTO " + table.sql("duckdb")
    if cols is not None:
        key += " (" + ", ".join(exp.to_identifier(c).sql("duckdb") for c in cols) + ")"
    return InsertShape(key, width or 0, rows, table.sql("duckdb"), tuple(cols) if cols is not None else None)


def table_of(tree: exp.Insert | exp.Update | exp.Delete) -> tuple[str, str] | None:
    """The (DuckDB schema, table) an INSERT/UPDATE/DELETE writes."""
    target = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
    if not isinstance(target, exp.Table) or target.catalog:
        return None
    schema = target.db or "main"
    return ("main" if schema.lower() == "public" else schema, target.name)


def _positional_width(tree: exp.Insert) -> int | None:
    """INSERT INTO t VALUES (…) / SELECT …: the number of values per row (None when the
    INSERT names its columns, or a SELECT * hides the number)."""
    if not isinstance(tree.this, exp.Table):
        return None
    source = tree.expression
    if isinstance(source, exp.Values):
        row = source.expressions[0] if source.expressions else None
        return len(row.expressions) if isinstance(row, exp.Tuple) else None
    if isinstance(source, exp.Select) and not any(
            isinstance(e, exp.Star) or (isinstance(e, exp.Column) and e.is_star) for e in source.expressions):
        return len(source.expressions)
    return None


def _literal_target(tree: exp.Insert | exp.Update) -> tuple[str, str] | None:
    """The (schema, table) of an INSERT … VALUES / UPDATE … SET holding quoted literals."""
    if isinstance(tree, exp.Update):
        if not any(isinstance(eq, exp.EQ) and isinstance(eq.expression, exp.Literal) and eq.expression.is_string
                   for eq in tree.expressions):
            return None
    else:
        values = tree.expression
        if not isinstance(values, exp.Values) or not any(
            isinstance(v, exp.Literal) and v.is_string
            for row in values.expressions if isinstance(row, exp.Tuple) for v in row.expressions
        ):
            return None
    return table_of(tree)


def typed_insert(st: Statement, columns: list[tuple[str, str]]) -> Statement:
    """The statement again, its quoted literals cast to their columns' types
    (rewrite.insert_literal_types); `columns` is the target's (name, DuckDB type) in order."""
    if not columns or st.tree is None:
        return st
    tree = rewrite.insert_literal_types(st.tree.copy(), dict(columns), [c for c, _ in columns])
    typed = Statement(st.text, st.kind, st.route, st.tag, returns_rows=st.returns_rows, tree=st.tree,
                      words=st.words, ddl=st.ddl, tokens=st.tokens, typmod_free=st.typmod_free,
                      result_plan=st.result_plan, origin=st.origin, uses_settings=st.uses_settings, store_target=st.store_target,
                      nparams=st.nparams)
    try:
        rewritten = rewrite.to_duckdb(tree)
    except PgError as e:
        typed.error = e
        return typed
    typed.duck_sql = rewritten.sql
    if st.nparams and st.parts is not None:
        _make_template(typed, rewritten.tree)
    return typed


def _make_template(st: Statement, tree: exp.Expression) -> None:
    """Split the DuckDB text at each parameter so values can be rendered in as typed literals."""
    if _PARAM_MARK in st.text:
        return
    marked = tree.copy()
    for p in list(marked.find_all(exp.Parameter)):
        i = _param_index(p)
        if i is None:
            return
        p.replace(exp.var(f"{_PARAM_MARK}{i}__"))
    sql = marked.sql("duckdb")
    parts: list[str] = []
    idx: list[int] = []
    rest = sql
    while True:
        k = rest.find(_PARAM_MARK)
        if k < 0:
            parts.append(rest)
            break
        parts.append(rest[:k])
        end = rest.index("__", k + len(_PARAM_MARK))
        idx.append(int(rest[k + len(_PARAM_MARK) : end]) - 1)
        rest = rest[end + 2 :]
    st.parts = parts
    st.part_params = idx
