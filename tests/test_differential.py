"""Differential tests: PostgreSQL 15 is the oracle, the gateway must answer the same.

Every statement of the corpus runs on PostgreSQL and on the gateway (or, with
``--diff-target=pg``, on a second PostgreSQL: the harness self-check, where everything must be
identical) through psycopg 3 autocommit connections, and the two answers are compared.

Compared, per statement (a *difference* is named by its aspect):
  sqlstate  both succeed, or both fail with the same SQLSTATE (messages are not compared)
  names     result column names
  types     result column type OIDs (cursor.description type_code)
  typmods   result column type modifiers (e.g. numeric(12,2), varchar(10))
  rows      the values exactly as the server sent them (bytes; NULL as NULL), in order when the
            statement has a top-level ORDER BY, as multisets otherwise
  tag       the CommandComplete tag (cursor.statusmessage: 'SELECT 3', 'INSERT 0 1', ...)
  txstatus  the transaction status reported by ReadyForQuery afterwards (idle/intrans/inerror)

Protocol modes. Every statement runs in ``simple`` mode: psycopg sends a statement without
parameters in text format as a simple Query message. Statements marked ``-- extended`` (or all
reads of a file whose header says ``-- extended: reads``) also run, on the same connection,
  ext-text    named prepared statement (Parse/Describe/Bind/Execute), text results
  ext-binary  unnamed statement, binary results (values compared byte for byte: PostgreSQL's
              send functions are the expectation)
Differences in those modes are reported as ``ext-text:rows``, ``ext-binary:types``, etc.
Only reads (SELECT/VALUES/WITH/TABLE) may be run more than once.

Corpus format (tests/differential/*.sql; each file is a scenario run in order, on fresh
connections, on both servers; its tables carry a file-unique prefix and its last statements
drop them):
  * A statement is the run of lines up to and including the first line that ends with ``;``
    (so a statement may span lines; a line inside a statement must not end with ``;``).
  * Comment lines (``-- ...``) directly above a statement are its directives; other comment
    lines are documentation. Directives:
      -- error: SQLSTATE       the statement is meant to fail, on PostgreSQL with this SQLSTATE
                               (checked, so the corpus cannot silently stop covering an error
                               case); a statement PostgreSQL rejects must carry it
      -- extended              also run in ext-text and ext-binary modes (reads only)
      -- ordered / -- unordered  override the top-level-ORDER-BY detection
      -- diff: ASPECTS reason: WHY
                               a KNOWN, justified difference: e.g.
                               ``-- diff: types,typmods reason: DuckDB has no varchar(n)``.
                               ASPECTS is a comma list of aspect names, either bare (any mode)
                               or mode-qualified (``ext-binary:rows``). Differences in those
                               aspects make the test xfail (reported, counted as expected-diff);
                               a difference in any other aspect still fails.
  * File header directives (comment lines before the first statement): ``-- extended: reads``.
  * Rows whose order PostgreSQL does not define must not be compared in order: give ordered
    statements a total ORDER BY, and avoid LIMIT without ORDER BY, now(), random().

Each statement is its own test (id ``<file>:<line>``); the whole file is run once, lazily, the
first time one of its statements is tested, so ``-k`` on one id still runs the scenario that
leads to it. A summary (identical / expected-diff / failed) is printed at the end of the run.

Run:  .venv/bin/python -m pytest tests/test_differential.py -q
      .venv/bin/python -m pytest tests/test_differential.py -q --diff-target=pg   # self-check
"""

from __future__ import annotations

import json
import re
import socket
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from psycopg import pq

from tests.servers import PostgresUnavailable, start_postgres

CORPUS_DIR = Path(__file__).parent / "differential"
STATEMENT_TIMEOUT = 20.0  # seconds; past it the connection is cut and the statement fails
ASPECTS = ("sqlstate", "names", "types", "typmods", "rows", "tag", "txstatus")
MODES = ("simple", "ext-text", "ext-binary")
_READ_RE = re.compile(r"^\s*(select|values|with|table)\b", re.I)
_TX = {pq.TransactionStatus.IDLE: "idle", pq.TransactionStatus.INTRANS: "intrans",
       pq.TransactionStatus.INERROR: "inerror", pq.TransactionStatus.ACTIVE: "active",
       pq.TransactionStatus.UNKNOWN: "unknown"}


# --------------------------------------------------------------------------- corpus


class CorpusError(ValueError):
    pass


@dataclass
class Statement:
    file: str
    line: int
    sql: str
    expect_error: str | None = None  # SQLSTATE the corpus says PostgreSQL raises
    extended: bool = False
    ordered: bool | None = None  # None: detect
    diff_aspects: frozenset[str] = frozenset()
    diff_reason: str | None = None

    @property
    def id(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def is_read(self) -> bool:
        return bool(_READ_RE.match(self.sql))

    @property
    def modes(self) -> tuple[str, ...]:
        return MODES if self.extended else ("simple",)

    @property
    def is_ordered(self) -> bool:
        return self.ordered if self.ordered is not None else has_top_level_order_by(self.sql)


_DIFF_RE = re.compile(r"^diff:\s*(?P<aspects>[\w:,\s-]+?)\s+reason:\s*(?P<reason>\S.*)$")


def _check_aspect(aspect: str, where: str) -> str:
    mode, _, base = aspect.rpartition(":")
    if base not in ASPECTS or (mode and mode not in MODES):
        raise CorpusError(f"{where}: unknown aspect {aspect!r} (aspects: {', '.join(ASPECTS)}; "
                          f"optionally prefixed by one of {', '.join(MODES)} and ':')")
    return aspect


def parse_corpus(text: str, name: str) -> list[Statement]:
    """Split a corpus file into statements with their directives (see the module doc)."""
    statements: list[Statement] = []
    directives: list[tuple[int, str]] = []
    header_done = False
    file_extended_reads = False
    buf: list[str] = []
    start = 0
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        stripped = line.strip()
        if not buf:
            if not stripped:
                # a blank line detaches the comments above it from the next statement
                for dl, d in directives:
                    if not header_done and d.replace(" ", "") == "extended:reads":
                        file_extended_reads = True
                    elif not _is_doc(d):
                        raise CorpusError(f"{name}:{dl}: directive {d!r} is not directly above "
                                          f"a statement (nor a header directive)")
                if directives:
                    header_done = True
                directives = []
                continue
            if stripped.startswith("--"):
                directives.append((lineno, stripped[2:].strip()))
                continue
            start = lineno
        buf.append(line)
        if line.endswith(";"):
            header_done = True
            st = Statement(file=name, line=start, sql="\n".join(buf))
            for dl, d in directives:
                _apply_directive(st, d, f"{name}:{dl}")
            if file_extended_reads and st.is_read:
                st.extended = True
            if st.extended and not st.is_read:
                raise CorpusError(f"{st.id}: only reads may run in extended modes")
            statements.append(st)
            buf, directives = [], []
    if buf:
        raise CorpusError(f"{name}:{start}: statement not terminated by a line ending with ';'")
    ids = Counter(s.id for s in statements)
    assert max(ids.values(), default=1) == 1
    return statements


def _is_doc(d: str) -> bool:
    """A comment that is documentation, not a directive."""
    head = d.split(":", 1)[0].strip().lower() if ":" in d else d.strip().lower()
    return head not in {"error", "extended", "ordered", "unordered", "diff"}


def _apply_directive(st: Statement, d: str, where: str) -> None:
    low = d.lower()
    if low.startswith("error:") or low == "error":
        code = d.split(":", 1)[1].strip() if ":" in d else ""
        if not re.fullmatch(r"[0-9A-Z]{5}", code):
            raise CorpusError(f"{where}: '-- error: SQLSTATE' needs a 5-character SQLSTATE")
        st.expect_error = code
    elif low == "extended":
        st.extended = True
    elif low == "ordered":
        st.ordered = True
    elif low == "unordered":
        st.ordered = False
    elif low.startswith("diff:") or low == "diff":
        m = _DIFF_RE.match(d)
        if not m:
            raise CorpusError(f"{where}: expected '-- diff: ASPECT[,ASPECT] reason: WHY'")
        aspects = {_check_aspect(a.strip(), where) for a in m["aspects"].split(",") if a.strip()}
        st.diff_aspects = frozenset(aspects)
        st.diff_reason = m["reason"].strip()
    elif not _is_doc(d):
        raise CorpusError(f"{where}: malformed directive {d!r}")


def has_top_level_order_by(sql: str) -> bool:
    """Whether ORDER BY appears outside parentheses, string literals and quoted names."""
    depth = 0
    out: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if c in ("'", '"'):
            j = i + 1
            while j < n:
                if sql[j] == c:
                    if j + 1 < n and sql[j + 1] == c:
                        j += 2
                        continue
                    break
                j += 1
            i = j + 1
            out.append(" ")
            continue
        if c == "-" and sql.startswith("--", i):
            j = sql.find("\n", i)
            i = n if j < 0 else j
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif depth == 0:
            out.append(c)
            i += 1
            continue
        out.append(" ")
        i += 1
    return re.search(r"\border\s+by\b", "".join(out), re.I) is not None


def load_corpus() -> list[Statement]:
    statements: list[Statement] = []
    for path in sorted(CORPUS_DIR.glob("*.sql")):
        statements.extend(parse_corpus(path.read_text(), path.name))
    return statements


# --------------------------------------------------------------------------- execution


@dataclass
class Outcome:
    """What one server answered to one statement in one mode."""

    sqlstate: str | None = None  # None: success
    message: str | None = None
    names: list[str] = field(default_factory=list)
    types: list[int] = field(default_factory=list)
    typmods: list[int] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    has_rows: bool = False  # the statement returned a row description
    tag: str | None = None
    txstatus: str = "idle"
    binary: bool = False

    def describe(self, limit: int = 12) -> str:
        if self.sqlstate is not None:
            head = f"ERROR {self.sqlstate}: {self.message}"
        else:
            head = f"tag={self.tag!r}"
        lines = [f"{head}  [txstatus={self.txstatus}]"]
        if self.has_rows:
            lines.append("  columns: " + ", ".join(
                f"{n}:{t}" + (f"({m})" if m != -1 else "")
                for n, t, m in zip(self.names, self.types, self.typmods)))
            for r in self.rows[:limit]:
                lines.append("  " + format_row(r, self.binary))
            if len(self.rows) > limit:
                lines.append(f"  ... {len(self.rows) - limit} more rows")
        return "\n".join(lines)

    def to_json(self) -> dict:
        return {"sqlstate": self.sqlstate, "message": self.message, "names": self.names,
                "types": self.types, "typmods": self.typmods, "tag": self.tag,
                "txstatus": self.txstatus,
                "rows": [[_show_value(v, self.binary) for v in r] for r in self.rows[:50]],
                "nrows": len(self.rows)}


def _show_value(v: bytes | None, binary: bool) -> str | None:
    if v is None:
        return None
    if binary:
        return "0x" + v.hex()
    return v.decode("utf-8", "backslashreplace")


def format_row(row: tuple, binary: bool = False) -> str:
    return "(" + ", ".join("NULL" if v is None else repr(_show_value(v, binary)) for v in row) + ")"


class Client:
    """One autocommit psycopg connection that records raw answers, with a per-statement timeout."""

    def __init__(self, dsn: str, label: str) -> None:
        self.dsn = dsn
        self.label = label
        self.conn: psycopg.Connection | None = None
        self.connect_error: str | None = None
        self._connect()

    def _connect(self) -> None:
        try:
            self.conn = psycopg.connect(self.dsn, autocommit=True, connect_timeout=10)
            self.connect_error = None
        except psycopg.Error as exc:
            self.conn = None
            self.connect_error = f"{type(exc).__name__}: {exc}"

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()

    def run(self, sql: str, mode: str) -> Outcome:
        if self.conn is None or self.conn.closed:
            self._connect()
            if self.conn is None:
                return Outcome(sqlstate="CONNECT", message=self.connect_error, txstatus="unknown")
        conn = self.conn
        binary = mode == "ext-binary"
        timed_out = threading.Event()

        def cut() -> None:  # wake the blocked client: the server did not answer in time
            timed_out.set()
            try:
                s = socket.socket(fileno=socket.dup(conn.pgconn.socket))
                try:
                    s.shutdown(socket.SHUT_RDWR)
                finally:
                    s.close()
            except OSError:
                pass

        timer = threading.Timer(STATEMENT_TIMEOUT, cut)
        timer.start()
        out = Outcome(binary=binary)
        try:
            cur = conn.cursor()  # closed with the connection; its pgresult is read below
            if mode == "simple":
                cur.execute(sql)  # no parameters, text: psycopg uses the simple query protocol
            elif mode == "ext-text":
                cur.execute(sql, prepare=True)  # named Parse + Bind/Execute, text results
            elif mode == "ext-binary":
                cur.execute(sql, binary=True)  # unnamed Parse/Bind/Execute, binary results
            else:
                raise ValueError(mode)
            res = cur.pgresult
            assert res is not None
            out.tag = cur.statusmessage
            if res.status == pq.ExecStatus.TUPLES_OK:
                out.has_rows = True
                nf = res.nfields
                out.names = [(res.fname(i) or b"").decode("utf-8", "backslashreplace")
                             for i in range(nf)]
                out.types = [res.ftype(i) for i in range(nf)]
                out.typmods = [res.fmod(i) for i in range(nf)]
                out.rows = [tuple(res.get_value(r, i) for i in range(nf))
                            for r in range(res.ntuples)]
        except psycopg.Error as exc:
            if timed_out.is_set():
                out.sqlstate, out.message = "TIMEOUT", f"no answer within {STATEMENT_TIMEOUT}s"
            else:
                out.sqlstate = exc.sqlstate or f"CLIENT:{type(exc).__name__}"
                out.message = (exc.diag.message_primary if exc.sqlstate else None) or str(exc)
        finally:
            timer.cancel()
        if conn.closed or conn.pgconn.status != pq.ConnStatus.OK:
            out.txstatus = "unknown"
            out.message = (out.message or "") + " [connection lost]"
            conn.close()
            self.conn = None
        else:
            out.txstatus = _TX.get(conn.info.transaction_status, "?")
        return out


@dataclass
class Difference:
    aspect: str  # "rows" or "ext-binary:rows"
    detail: str


@dataclass
class StatementResult:
    statement: Statement
    expected: dict[str, Outcome]  # mode -> PostgreSQL's answer
    actual: dict[str, Outcome]
    differences: list[Difference]
    corpus_problem: str | None = None

    @property
    def unexpected(self) -> list[Difference]:
        aspects = self.statement.diff_aspects
        return [d for d in self.differences
                if d.aspect not in aspects and d.aspect.rpartition(":")[2] not in aspects]

    @property
    def status(self) -> str:
        if self.corpus_problem or self.unexpected:
            return "failed"
        if self.differences:
            return "expected-diff"
        return "identical"


def _first_row_difference(exp: list[tuple], act: list[tuple], ordered: bool, binary: bool) -> str | None:
    if ordered:
        if exp == act:
            return None
        for i, (e, a) in enumerate(zip(exp, act)):
            if e != a:
                cols = [j for j in range(max(len(e), len(a)))
                        if j >= len(e) or j >= len(a) or e[j] != a[j]]
                return (f"row {i} (ordered) first differs in column {cols[0]}:\n"
                        f"    expected {format_row(e, binary)}\n    actual   {format_row(a, binary)}")
        n = min(len(exp), len(act))
        which, row = ("missing", exp[n]) if len(exp) > len(act) else ("unexpected", act[n])
        return (f"row counts differ (ordered): expected {len(exp)}, actual {len(act)}; "
                f"first {which} row (row {n}): {format_row(row, binary)}")
    ce, ca = Counter(exp), Counter(act)
    if ce == ca:
        return None
    missing = list((ce - ca).elements())
    extra = list((ca - ce).elements())
    missing.sort(key=_row_key)
    extra.sort(key=_row_key)
    parts = [f"rows differ (as multisets): {len(exp)} expected, {len(act)} actual"]
    if missing and extra and len(missing[0]) == len(extra[0]):
        col = next(j for j in range(len(missing[0])) if missing[0][j] != extra[0][j])
        parts[0] += f"; the first missing and first unexpected row differ in column {col}"
    if missing:
        parts.append(f"    missing ({len(missing)}), e.g. {format_row(missing[0], binary)}")
    if extra:
        parts.append(f"    unexpected ({len(extra)}), e.g. {format_row(extra[0], binary)}")
    return "\n".join(parts)


def _row_key(row: tuple) -> tuple:
    return tuple((v is None, v or b"") for v in row)


def compare(exp: Outcome, act: Outcome, ordered: bool, mode: str) -> list[Difference]:
    prefix = "" if mode == "simple" else f"{mode}:"
    diffs: list[Difference] = []

    def add(aspect: str, detail: str) -> None:
        diffs.append(Difference(prefix + aspect, detail))

    if exp.sqlstate != act.sqlstate:
        e = f"error {exp.sqlstate} ({exp.message})" if exp.sqlstate else f"success ({exp.tag})"
        a = f"error {act.sqlstate} ({act.message})" if act.sqlstate else f"success ({act.tag})"
        add("sqlstate", f"expected {e}, actual {a}")
    if exp.txstatus != act.txstatus:
        add("txstatus", f"expected {exp.txstatus}, actual {act.txstatus}")
    if exp.sqlstate is not None or act.sqlstate is not None:
        return diffs  # no result to compare
    if exp.has_rows != act.has_rows:
        add("rows", f"expected {'a' if exp.has_rows else 'no'} result set, "
                    f"actual {'a' if act.has_rows else 'no'} result set")
    if exp.names != act.names:
        add("names", f"expected {exp.names}, actual {act.names}")
    if exp.types != act.types:
        add("types", f"expected OIDs {exp.types}, actual {act.types}")
    if exp.typmods != act.typmods:
        add("typmods", f"expected {exp.typmods}, actual {act.typmods}")
    if exp.has_rows and act.has_rows:
        d = _first_row_difference(exp.rows, act.rows, ordered, exp.binary)
        if d:
            add("rows", d)
    if exp.tag != act.tag:
        add("tag", f"expected {exp.tag!r}, actual {act.tag!r}")
    return diffs


def run_file(statements: list[Statement], oracle_dsn: str, target_dsn: str,
             target_label: str) -> dict[str, StatementResult]:
    oracle = Client(oracle_dsn, "postgresql")
    if oracle.conn is None:
        raise RuntimeError(f"cannot connect to PostgreSQL: {oracle.connect_error}")
    target = Client(target_dsn, target_label)
    results: dict[str, StatementResult] = {}
    try:
        for st in statements:
            expected, actual, diffs = {}, {}, []
            for mode in st.modes:
                expected[mode] = oracle.run(st.sql, mode)
                actual[mode] = target.run(st.sql, mode)
                diffs.extend(compare(expected[mode], actual[mode], st.is_ordered, mode))
            problem = None
            pg_state = expected["simple"].sqlstate
            if pg_state != st.expect_error:
                problem = (f"corpus problem: the corpus says PostgreSQL "
                           f"{'fails with ' + st.expect_error if st.expect_error else 'succeeds'}"
                           f", but PostgreSQL "
                           f"{'failed with ' + pg_state + ': ' + str(expected['simple'].message) if pg_state else 'succeeded'}"
                           f" (add or fix the '-- error: SQLSTATE' directive)")
            results[st.id] = StatementResult(st, expected, actual, diffs, problem)
    finally:
        oracle.close()
        target.close()
    return results


# --------------------------------------------------------------------------- pytest glue

_CORPUS = load_corpus()
_FILES: dict[str, list[Statement]] = {}
for _st in _CORPUS:
    _FILES.setdefault(_st.file, []).append(_st)

# test id -> StatementResult, for the summary (filled as statements are tested)
RESULTS: dict[str, StatementResult] = {}


@pytest.fixture(scope="session")
def diff_target(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """(label, dsn) of what PostgreSQL is compared against."""
    if request.config.getoption("--diff-target") == "pg":
        try:
            server = start_postgres(tmp_path_factory.mktemp("pg-target"))
        except PostgresUnavailable as exc:
            pytest.skip(f"PostgreSQL is not available: {exc}")
        yield ("postgresql-2", server.dsn)
        server.stop()
    else:
        gw = request.getfixturevalue("gateway")
        yield ("gateway", gw.dsn)


@pytest.fixture(scope="session")
def file_results(pg, diff_target):
    cache: dict[str, dict[str, StatementResult] | BaseException] = {}

    def get(file: str) -> dict[str, StatementResult]:
        if file not in cache:
            label, dsn = diff_target
            try:
                cache[file] = run_file(_FILES[file], pg.dsn, dsn, label)
            except BaseException as exc:  # e.g. pytest-timeout: do not rerun it for every id
                cache[file] = exc
                raise
        got = cache[file]
        if isinstance(got, BaseException):
            pytest.fail(f"the scenario {file} did not complete: {type(got).__name__}: {got}",
                        pytrace=False)
        return got

    return get


def failure_report(r: StatementResult, target_label: str) -> str:
    st = r.statement
    out = [f"{st.id}: {st.sql}"]
    if r.corpus_problem:
        out.append(r.corpus_problem)
    for d in r.unexpected:
        out.append(f"DIFFERENCE [{d.aspect}] {d.detail}")
    for d in r.differences:
        if d not in r.unexpected:
            out.append(f"expected difference [{d.aspect}] {d.detail}")
    for mode in st.modes:
        out.append(f"--- postgresql ({mode}) ---\n{r.expected[mode].describe()}")
        out.append(f"--- {target_label} ({mode}) ---\n{r.actual[mode].describe()}")
    return "\n".join(out)


@pytest.mark.parametrize("statement", _CORPUS, ids=[s.id for s in _CORPUS])
def test_statement(statement: Statement, file_results, diff_target) -> None:
    result = file_results(statement.file)[statement.id]
    RESULTS[statement.id] = result
    if result.status == "failed":
        pytest.fail(failure_report(result, diff_target[0]), pytrace=False)
    if result.status == "expected-diff":
        pytest.xfail(f"known difference [{','.join(sorted({d.aspect for d in result.differences}))}]: "
                     f"{statement.diff_reason}")


def test_corpus_size() -> None:
    """The corpus keeps covering what the foundation issue promises."""
    assert len(_CORPUS) >= 500  # issue 4: a differential suite of at least 500 statements
    covered = {s.expect_error for s in _CORPUS}
    for code in ("42P01", "42703", "42601", "42883", "23505", "23502", "22P02", "22012", "25P02",
                 "23514", "23503", "42P07", "42803", "42702", "21000", "22003", "2201E", "22008"):
        assert code in covered, f"no statement covers SQLSTATE {code}"
    assert any(s.extended for s in _CORPUS)


# --------------------------------------------------------------------------- harness self-tests
# Pure functions, no servers: the comparison must see what it claims to see.


def _oc(rows, types=(23,), tag="SELECT 1", **kw) -> Outcome:
    return Outcome(names=["a"] * len(types), types=list(types), typmods=[-1] * len(types),
                   rows=rows, has_rows=True, tag=tag, **kw)


def test_harness_parse_corpus() -> None:
    text = ("-- extended: reads\n\n-- a comment\nselect 1\n  as a;\n"
            "-- error: 22012\nselect 1/0;\n"
            "-- diff: types, ext-binary:rows reason: because\ncreate table t (a int);\n")
    a, b, c = parse_corpus(text, "x.sql")
    assert (a.line, a.sql, a.extended, a.modes) == (4, "select 1\n  as a;", True, MODES)
    assert (b.expect_error, b.extended) == ("22012", True)
    assert (c.extended, c.diff_aspects, c.diff_reason) == (False, {"types", "ext-binary:rows"}, "because")
    with pytest.raises(CorpusError):
        parse_corpus("-- diff: colour reason: x\nselect 1;\n", "y.sql")
    with pytest.raises(CorpusError):
        parse_corpus("-- extended\ninsert into t values (1);\n", "y.sql")
    with pytest.raises(CorpusError):
        parse_corpus("select 1\n", "y.sql")


def test_harness_order_detection() -> None:
    assert has_top_level_order_by("select a from t order by a;")
    assert has_top_level_order_by("with x as (select 1) select * from x ORDER\n BY 1;")
    assert not has_top_level_order_by("select row_number() over (order by a) from t;")
    assert not has_top_level_order_by("select * from (select a from t order by a) s;")
    assert not has_top_level_order_by("select 'order by' as x;")


def test_harness_compare() -> None:
    r1, r2 = (b"1",), (b"2",)
    assert compare(_oc([r1, r2]), _oc([r2, r1]), ordered=False, mode="simple") == []
    assert [d.aspect for d in compare(_oc([r1, r2]), _oc([r2, r1]), True, "simple")] == ["rows"]
    assert [d.aspect for d in compare(_oc([r1, r1]), _oc([r1]), False, "simple")] == ["rows"]
    assert [d.aspect for d in compare(_oc([(None,)]), _oc([(b"",)]), False, "simple")] == ["rows"]
    diffs = compare(_oc([r1], types=(23,)), _oc([r1], types=(20,), tag="SELECT 2"), False, "ext-binary")
    assert [d.aspect for d in diffs] == ["ext-binary:types", "ext-binary:tag"]
    err = Outcome(sqlstate="22012", message="division by zero")
    assert [d.aspect for d in compare(err, _oc([r1]), False, "simple")] == ["sqlstate"]
    assert compare(err, Outcome(sqlstate="22012", message="other words"), False, "simple") == []
    st = Statement("f", 1, "select 1;", diff_aspects=frozenset({"types"}), diff_reason="r")
    res = StatementResult(st, {}, {}, [Difference("ext-text:types", ""), Difference("types", "")])
    assert res.status == "expected-diff"
    res.differences.append(Difference("rows", ""))
    assert res.status == "failed"


# --------------------------------------------------------------------------- summary


def write_summary(terminalreporter, config: pytest.Config) -> None:
    if not RESULTS:
        return
    target = config.getoption("--diff-target")
    counts = Counter(r.status for r in RESULTS.values())
    total = len(RESULTS)
    tr = terminalreporter
    tr.section(f"differential: PostgreSQL vs {target}")
    per_file: dict[str, Counter] = {}
    for r in RESULTS.values():
        per_file.setdefault(r.statement.file, Counter())[r.status] += 1
    for f in sorted(per_file):
        c = per_file[f]
        tr.write_line(f"  {f:<32} identical {c['identical']:>4}  expected-diff "
                      f"{c['expected-diff']:>3}  failed {c['failed']:>4}")
    stale = [r.statement.id for r in RESULTS.values()
             if r.statement.diff_aspects and not r.differences]
    aspects = Counter(d.aspect.rpartition(":")[2] for r in RESULTS.values() for d in r.unexpected)
    if aspects:
        tr.write_line("  unexpected differences by aspect: " +
                      ", ".join(f"{a} {n}" for a, n in aspects.most_common()))
    if stale and target == "pg":
        tr.write_line(f"  ({len(stale)} '-- diff:' annotations did not occur: expected against PostgreSQL)")
    elif stale:
        tr.write_line(f"  annotated differences that did not occur (stale '-- diff:'): {', '.join(stale)}")
    tr.write_line(
        f"differential summary: {total} statements: identical {counts['identical']} "
        f"({100 * counts['identical'] / total:.1f}%), expected-diff {counts['expected-diff']}, "
        f"failed {counts['failed']}")
    path = config.getoption("--diff-report")
    if path:
        report = {
            "target": target,
            "summary": {"total": total, **{k: counts[k] for k in ("identical", "expected-diff", "failed")}},
            "statements": [
                {"id": r.statement.id, "sql": r.statement.sql, "status": r.status,
                 "differences": [{"aspect": d.aspect, "detail": d.detail,
                                  "expected": d not in r.unexpected} for d in r.differences],
                 "corpus_problem": r.corpus_problem,
                 "postgresql": {m: o.to_json() for m, o in r.expected.items()},
                 "target": {m: o.to_json() for m, o in r.actual.items()}}
                for r in RESULTS.values()],
        }
        Path(path).write_text(json.dumps(report, indent=1))
        tr.write_line(f"differential report written to {path}")
