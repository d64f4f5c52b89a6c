"""What a network client may not do: touch the host through DuckDB, or change the engine.

`refusal(st)` runs once per statement text (its result is cached on the classified
`Statement`) and returns the 42501 error to raise, or None. It reads the statement's tokens
(comments are already gone; every statement of a multi-statement Query is its own
`Statement`) and its sqlglot tree. The engine lockdown (engine/database.py) is the second
wall: whatever slips past here still cannot open a file, load an extension or change a setting.
"""

from __future__ import annotations

import re

from sqlglot import exp
from sqlglot.tokenizer_core import TokenType

from ..errors import PgError
from .parse import plain_tokens

# leading keywords of DuckDB statements that reach outside the database or change the engine
_REFUSED_COMMANDS = {
    "ATTACH", "DETACH", "INSTALL", "LOAD", "FORCE", "PRAGMA", "EXPORT", "IMPORT", "CALL", "USE",
}

# DuckDB functions that read or list host files, reach the network, run SQL given as text
# (and so would skip this guard), or read the environment; prefixes cover whole families
_REFUSED_FUNCTIONS = {
    "glob", "sniff_csv", "parquet_scan", "query", "query_table", "getenv", "json_execute_serialized_sql",
    "which_secret", "duckdb_secrets", "load_extension", "checkpoint", "force_checkpoint",
    "iceberg_scan", "delta_scan", "arrow_scan", "arrow_scan_dumb", "pandas_scan", "python_map_function",
}
_REFUSED_PREFIXES = ("read_", "parquet_", "sqlite_", "postgres_", "mysql_", "iceberg_", "delta_", "pragma_",
                     "json_execute", "ducklake_")

# a table name DuckDB would read as a file (replacement scan): a path, a URL, or a file name
_FILE_LIKE = re.compile(
    r"[/\\~]|://|\.(csv|tsv|txt|parquet|json|jsonl|ndjson|arrow|feather|ipc|db|duckdb|sqlite|xlsx|gz|zst|"
    r"bz2|xz|zip|tar)$",
    re.IGNORECASE,
)

# PostgreSQL session settings a client may SET/RESET (the session keeps them itself); any other
# name that DuckDB knows as an engine setting is refused here instead of reaching DuckDB
_PG_SETTINGS = {
    "search_path", "extra_float_digits", "application_name", "client_min_messages", "datestyle", "timezone",
    "time", "statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout", "idle_session_timeout",
    "intervalstyle", "client_encoding", "names", "standard_conforming_strings", "default_transaction_isolation",
    "transaction_isolation", "default_transaction_read_only", "transaction_read_only", "transaction",
    "bytea_output", "jit", "work_mem", "maintenance_work_mem", "synchronous_commit", "row_security",
    "lc_messages", "lc_monetary", "lc_numeric", "lc_time", "geqo", "enable_seqscan", "random_page_cost",
    "default_with_oids", "escape_string_warning", "xmloption", "timezone_abbreviations", "check_function_bodies",
    "session_replication_role", "plan_cache_mode", "max_parallel_workers_per_gather", "temp_buffers",
    "cursor_tuple_fraction", "track_io_timing", "log_statement", "log_min_duration_statement",
    "default_table_access_method", "gin_fuzzy_search_limit", "session", "local", "all", "role",
    "session_authorization", "session characteristics", "constraints",
    "default_tablespace", "temp_tablespaces", "default_toast_compression", "synchronize_seqscans",
}
_SET_REFUSED_SCOPES = {"GLOBAL", "VARIABLE"}  # DuckDB-only forms: instance-wide settings, SQL variables

_COPY_HINT = "Anyone can COPY to stdout or from stdin. psql's \\copy command also works for anyone."
_HINT = "The gateway does not let network clients reach the server's files or change the DuckDB engine."

_duckdb_settings: set[str] | None = None


def _engine_settings() -> set[str]:
    """Names of DuckDB's settings (read once from a throwaway in-memory instance)."""
    global _duckdb_settings
    if _duckdb_settings is None:
        import duckdb

        con = duckdb.connect(":memory:")
        try:
            _duckdb_settings = {r[0].lower() for r in con.execute("SELECT name FROM duckdb_settings()").fetchall()}
        finally:
            con.close()
    return _duckdb_settings


def _deny(message: str, hint: str = _HINT) -> PgError:
    return PgError("42501", message, hint=hint)


def refusal(st) -> PgError | None:
    """The 42501 error for a statement the gateway refuses, or None when it may run."""
    words = st.words
    first = words[0] if words else ""
    if first in _REFUSED_COMMANDS:
        return _deny(f"{first} is not allowed through the gateway")
    if first == "UPDATE" and len(words) > 1 and words[1] == "EXTENSIONS":
        return _deny("UPDATE EXTENSIONS is not allowed through the gateway")
    if first in ("CREATE", "DROP") and "SECRET" in words[1:5]:
        return _deny(f"{first} SECRET is not allowed through the gateway")
    if first in ("SET", "RESET"):
        return _set_refusal(st)
    if first == "COPY" or st.kind == "copy":
        err = _copy_refusal(st)
        if err is not None:
            return err
    err = _function_refusal(st)
    if err is not None:
        return err
    err = _file_scan_refusal(st)
    if err is not None:
        return err
    if _passes_text_through(st) and ";" in st.text:
        # DuckDB runs this text as it is: a ';' it might read as a statement break is refused
        return _deny("a statement passed to the engine unparsed may not contain ';'")
    return None


def _passes_text_through(st) -> bool:
    return st.tree is None or isinstance(st.tree, exp.Command)


def _set_refusal(st) -> PgError | None:
    toks = st.tokens[1:]
    names = [t.text for t in toks]
    if not names:
        return None
    if names[0].upper() in _SET_REFUSED_SCOPES:
        return _deny(f"SET {names[0].upper()} is not allowed through the gateway")
    if names[0].upper() in ("SESSION", "LOCAL") and len(names) > 1:
        names = names[1:]
    name = names[0].lower()
    if name in _PG_SETTINGS or "." in names[:2]:
        return None  # a PostgreSQL setting, or a custom 'ext.name' placeholder: the session's business
    if name in _engine_settings():
        return _deny(f'permission denied to set parameter "{names[0]}"',
                     hint="DuckDB engine settings are fixed by the gateway's configuration.")
    return None


def copy_direction(st):
    """('FROM' | 'TO' | None, the token naming the source or target) of a COPY statement."""
    words = [t.text.upper() for t in st.tokens]
    depth = 0
    for i, t in enumerate(st.tokens):
        if t.token_type == TokenType.L_PAREN:
            depth += 1
        elif t.token_type == TokenType.R_PAREN:
            depth -= 1
        elif depth == 0 and i > 0 and words[i] in ("FROM", "TO"):
            return words[i], (st.tokens[i + 1] if i + 1 < len(st.tokens) else None)
    return None, None


def _copy_refusal(st) -> PgError | None:
    """COPY may only move data over the connection (FROM STDIN / TO STDOUT)."""
    words = [t.text.upper() for t in st.tokens]
    direction, target = copy_direction(st)
    if "PROGRAM" in words:
        return _deny("permission denied to COPY to or from an external program", hint=_COPY_HINT)
    if target is None:
        return None  # incomplete: the COPY code reports the syntax error
    if target.token_type != TokenType.STRING and target.text.upper() in ("STDIN", "STDOUT"):
        return None
    if direction == "TO":
        return _deny("must be superuser or have privileges of the pg_write_server_files role to COPY to a file",
                     hint=_COPY_HINT)
    return _deny("must be superuser or have privileges of the pg_read_server_files role to COPY from a file",
                 hint=_COPY_HINT)


def _is_refused_function(name: str) -> bool:
    n = name.lower()
    return n in _REFUSED_FUNCTIONS or n.startswith(_REFUSED_PREFIXES)


def _function_refusal(st) -> PgError | None:
    # tokens catch every call, parsed or not: a name directly followed by '(' (commands such as
    # EXPLAIN are one opaque token to sqlglot: re-tokenize them plainly)
    toks = plain_tokens(st.tokens, st.text)
    for i in range(len(toks) - 1):
        t = toks[i]
        if toks[i + 1].token_type == TokenType.L_PAREN and t.token_type != TokenType.STRING and (
            _is_refused_function(t.text)
        ):
            return _deny(f"function {t.text.lower()}() is not allowed through the gateway")
    if st.tree is not None:
        for f in st.tree.find_all(exp.Func):
            name = f.name if isinstance(f, exp.Anonymous) else f.sql_name()
            if name and _is_refused_function(name):
                return _deny(f"function {name.lower()}() is not allowed through the gateway")
    return None


def _file_scan_refusal(st) -> PgError | None:
    """`FROM '/etc/passwd'`, `FROM 'x.csv'`, `FROM "s3://…"`: DuckDB would read a file."""
    if st.tree is not None and not isinstance(st.tree, exp.Command):
        for t in st.tree.find_all(exp.Table):
            if isinstance(t.this, exp.Identifier) and _FILE_LIKE.search(t.name or ""):
                return _deny(f'relation "{t.name}" names a file; reading files is not allowed through the gateway')
            if isinstance(t.this, exp.Literal):
                return _deny("a string in FROM names a file; reading files is not allowed through the gateway")
        return None
    toks = plain_tokens(st.tokens, st.text)
    for i in range(1, len(toks)):
        prev = toks[i - 1].text.upper()
        t = toks[i]
        if prev in ("FROM", "JOIN", ",") and (
            (t.token_type == TokenType.STRING and (prev != "," or _FILE_LIKE.search(t.text)))
            or (t.token_type in (TokenType.IDENTIFIER, TokenType.VAR) and _FILE_LIKE.search(t.text))
        ):
            return _deny(f'"{t.text}" names a file; reading files is not allowed through the gateway')
    return None


NAMEDATALEN = 64  # PostgreSQL's identifier limit: 63 bytes


def truncate_identifiers(tree: exp.Expression) -> list[str]:
    """Truncate identifiers longer than 63 bytes in place, as PostgreSQL does (at a character
    boundary), and return the NOTICE texts PostgreSQL sends for them (SQLSTATE 42622)."""
    notices = []
    for ident in tree.find_all(exp.Identifier):
        name = ident.this
        if not isinstance(name, str):
            continue
        raw = name.encode("utf-8")
        if len(raw) < NAMEDATALEN:
            continue
        cut = raw[: NAMEDATALEN - 1].decode("utf-8", "ignore")
        notices.append(f'identifier "{name}" will be truncated to "{cut}"')
        ident.set("this", cut)
    return notices
