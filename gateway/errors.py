"""Errors as PostgreSQL reports them: SQLSTATE, message, detail, hint, position.

`PgError` is what every layer raises; `from_duckdb()` maps DuckDB exceptions to it, rewriting
DuckDB's messages into PostgreSQL's wording where a client might match on them.
"""

from __future__ import annotations

import re

import duckdb


class PgError(Exception):
    def __init__(
        self,
        sqlstate: str,
        message: str,
        *,
        detail: str | None = None,
        hint: str | None = None,
        position: int | None = None,
        severity: str = "ERROR",
        context: str | None = None,
    ):
        super().__init__(message)
        self.sqlstate = sqlstate
        self.message = message
        self.detail = detail
        self.hint = hint
        self.position = position
        self.severity = severity
        self.context = context
        # the object a constraint violation names (PostgreSQL's schema/table/column/constraint
        # error fields: psycopg diag.constraint_name, asyncpg constraint_name, node-pg err.table)
        self.schema: str | None = None
        self.table: str | None = None
        self.column: str | None = None
        self.constraint: str | None = None
        self.raw_key: str | None = None  # DuckDB's 'col: value' of a foreign key violation
        self.raw_values: str | None = None  # DuckDB's 'v1, v2' of an in-transaction duplicate
        self.candidates: list[str] | None = None  # DuckDB's guesses for an unknown column

    def fields(self) -> dict:
        return {
            "severity": self.severity,
            "severity_nonlocalized": self.severity,
            "sqlstate": self.sqlstate,
            "message": self.message,
            "detail": self.detail,
            "hint": self.hint,
            "position": self.position,
            "context": self.context,
            "schema": self.schema,
            "table": self.table,
            "column": self.column,
            "constraint": self.constraint,
        }


def feature_not_supported(what: str, hint: str | None = None) -> PgError:
    return PgError("0A000", f"{what} is not supported", hint=hint)


# (pattern on DuckDB's message, SQLSTATE, PostgreSQL message template or None to keep DuckDB's)
_RULES: list[tuple[re.Pattern, str, str | None]] = [
    (re.compile(r"^(?P<n>\w+) is not supported in returning statements"), "0A000",
     "{n} in RETURNING is not supported"),  # DuckDB's limit (a subquery), not an unknown column
    (re.compile(r'Table with name (?:"(?P<q>[^"]+)"|(?P<n>[^ ]+)) does not exist'), "42P01",
     'relation "{n}" does not exist'),
    (re.compile(r'View with name (?:"(?P<q>[^"]+)"|(?P<n>[^ ]+)) does not exist'), "42P01",
     'relation "{n}" does not exist'),
    (re.compile(r'Sequence with name (?:"(?P<q>[^"]+)"|(?P<n>[^ ]+)) does not exist'), "42P01",
     'relation "{n}" does not exist'),
    (re.compile(r"Schema with name (?P<n>[^ ]+) does not exist"), "3F000", 'schema "{n}" does not exist'),
    (re.compile(r"Type with name (?P<n>[^ ]+) does not exist"), "42704", 'type "{n}" does not exist'),
    (re.compile(r'^type "[^"]*" does not exist$'), "42704", None),  # 'x'::regtype (pg_catalog.pg_regtype)
    (re.compile(r"Index with name (?P<n>[^ ]+) does not exist"), "42704", 'index "{n}" does not exist'),
    (re.compile(r"(Scalar|Aggregate|Table) Function with name (?P<n>[^ ]+) does not exist"), "42883",
     "function {n} does not exist"),
    (re.compile(r"No function matches the given name and argument types '(?P<n>[^']*)'"), "42883",
     "function {n} does not exist"),
    (re.compile(r"Macro Function with name (?P<n>[^ ]+) does not exist"), "42883", "function {n} does not exist"),
    (re.compile(r'(?:Table|View|Sequence|Index) with name (?:"(?P<q>[^"]+)"|(?P<n>[^ ]+)) already exists'),
     "42P07", 'relation "{n}" already exists'),
    (re.compile(r'Index with name "(?P<n>[^"]+)" already exists'), "42P07", 'relation "{n}" already exists'),
    (re.compile(r'already exists'), "42P07", None),
    (re.compile(r'Referenced column "?(?P<n>[^" ]+)"? not found'), "42703", 'column "{n}" does not exist'),
    (re.compile(r'Referenced column "(?P<n>[^"]+)" was not found because the FROM clause is missing'), "42703",
     'column "{n}" does not exist'),
    (re.compile(r'Table "(?P<t>[^"]+)" does not have a column named "(?P<n>[^"]+)"'), "42703",
     'column {t}.{n} does not exist'),  # a qualified reference in a query: t.col
    (re.compile(r'Table "(?P<t>[^"]+)" does not have a column with name "(?P<n>[^"]+)"'), "42703",
     'column "{n}" of relation "{t}" does not exist'),  # a target column: INSERT (col), ALTER TABLE
    (re.compile(r'Referenced update column (?P<n>\S+) not found in table'), "42703",
     'column "{n}" of relation "{{table}}" does not exist'),  # the table: column_hint()
    (re.compile(r'Values list "(?P<t>[^"]+)" does not have a column named "(?P<n>[^"]+)"'), "42703",
     'column {t}.{n} does not exist'),
    (re.compile(r"Referenced table \"?(?P<n>[^\" ]+)\"? not found"), "42P01",
     'missing FROM-clause entry for table "{n}"'),
    (re.compile(r"Duplicate key|duplicate key|violates (primary key|unique) constraint"), "23505", None),
    (re.compile(r"NOT NULL constraint failed: (?P<t>[^.]+)\.(?P<n>\S+)"), "23502",
     'null value in column "{n}" of relation "{t}" violates not-null constraint'),
    # varchar(n)/char(n) lengths: the CHECK the CREATE TABLE rewrite adds (rewrite._length_check)
    (re.compile(r"CHECK constraint failed .*CHECK\(\(length\(rtrim\(.*\)\) <= (?P<len>\d+)\)\)$", re.I), "22001",
     "value too long for type character varying({len})"),
    (re.compile(r"CHECK constraint failed .*CHECK\(\(char_length\(rtrim\(.*\)\) <= (?P<len>\d+)\)\)$", re.I), "22001",
     "value too long for type character({len})"),
    (re.compile(r"CHECK constraint failed"), "23514", None),
    (re.compile(r"Cannot change the type of a column that has a CHECK constraint"), "0A000",
     "ALTER COLUMN … TYPE of a column with a CHECK constraint is not supported"),
    (re.compile(r"Cannot insert into a generated column"), "428C9",
     "cannot insert a non-DEFAULT value into a generated column"),
    (re.compile(r'Cant update column "(?P<n>[^"]+)" because it is a generated column'), "428C9",
     'column "{n}" can only be updated to DEFAULT'),
    (re.compile(r"FOREIGN KEY constraints cannot use CASCADE, SET NULL or SET DEFAULT"), "0A000",
     "FOREIGN KEY … ON DELETE/UPDATE CASCADE, SET NULL or SET DEFAULT is not supported"),
    (re.compile(r"Adding columns with constraints not yet supported"), "0A000",
     "ALTER TABLE … ADD COLUMN with a constraint (NOT NULL, UNIQUE, REFERENCES…) is not supported"),
    (re.compile(r"automatically install the required extension '(?P<n>[^']+)'"), "0A000",
     'the types and functions of DuckDB extension "{n}" (inet, cidr, macaddr…) are not available'),
    (re.compile(r'Cannot alter entry "(?P<n>[^"]+)" because there are entries that depend on it'), "0A000",
     'ALTER TABLE "{n}" is not supported while an index or another table\'s foreign key depends on it '
     '(DuckDB cannot rename such a table; the gateway rebuilds it for other ALTERs)'),
    (re.compile(r'Cannot drop entry "(?P<n>[^"]+)" because there are entries that depend on it'), "2BP01",
     'cannot drop {n} because other objects depend on it'),
    (re.compile(r"foreign key constraint", re.I), "23503", None),
    (re.compile(r"Division by zero|division by zero"), "22012", "division by zero"),
    (re.compile(r'unrecognized configuration parameter "(?P<n>[^"]*)"'), "42704",
     'unrecognized configuration parameter "{n}"'),
    (re.compile(r"Could not cast value \S+ to DECIMAL\((?P<p>\d+),(?P<s>\d+)\)"), "22003", "numeric field overflow"),
    (re.compile(r"Column name/value mismatch for insert on \S+: expected (?P<c>\d+) columns but (?P<v>\d+) values"),
     "42601", "INSERT has more target columns than expressions"),
    (re.compile(r"table \S+ has \d+ columns but \d+ values were supplied"), "42601",
     "INSERT has more expressions than target columns"),
    # integer overflow, worded as PostgreSQL's int2/int4/int8 operators and casts word it
    (re.compile(r"Overflow in \w+ of (?P<t>INT16|INT32|INT64) "), "22003", "{pgt} out of range"),
    (re.compile(r"can't be cast because the value is out of range for the destination type "
                r"(?P<t>INT16|INT32|INT64)"), "22003", "{pgt} out of range"),
    (re.compile(r"Could not convert string '(?P<v>[+-]?\d+)' to (?P<t>INT16|INT32|INT64)$"), "22003",
     'value "{v}" is out of range for type {pgt}'),
    (re.compile(r'(date|time|timestamp) field value out of range: "(?P<v>[^"]*)"'), "22008",
     'date/time field value out of range: "{v}"'),
    (re.compile(r'invalid (?P<t>date|time|timestamp) field format: "(?P<v>[^"]*)"'), "22007",
     'invalid input syntax for type {t}: "{v}"'),
    # an ENUM column stores UINT8/UINT16 in DuckDB: a value not in the enum fails that cast
    (re.compile(r"Could not convert string '(?P<v>.*)' to UINT(8|16|32)$"), "22P02",
     'invalid input value for enum: "{v}"'),
    (re.compile(r"Could not convert string '(?P<v>.*)' to (?P<t>[A-Z0-9_]+)"), "22P02",
     'invalid input syntax for type {pgt}: "{v}"'),
    (re.compile(r"Could not convert|Conversion Error|invalid input syntax", re.I), "22P02", None),
    (re.compile(r"Conflict|conflict"), "40001", "could not serialize access due to concurrent update"),
    (re.compile(r"Interrupted|interrupted"), "57014", "canceling statement due to user request"),
    (re.compile(r"syntax error at or near (?P<n>.+)"), "42601", "syntax error at or near {n}"),
    (re.compile(r"invalid date field format"), "22007", None),
    (re.compile(r"cannot take logarithm of (zero|a negative number)"), "2201E", None),
    (re.compile(r"cannot take square root of a negative number"), "2201F", None),
    (re.compile(r'(extract specifier|unit) "(?P<u>[^"]*)" not recognized'), "22023", 'unit "{u}" not recognized'),
    (re.compile(r"null character not permitted|requested character too large"), "54000", None),
    (re.compile(r"out of valid range, 0\.\.|number of elements to trim must be between"), "2202E", None),
    (re.compile(r"negative substring length not allowed"), "22011", None),
    (re.compile(r"zero raised to a negative power is undefined"), "2201F", None),
    (re.compile(r"count must be greater than zero|lower bound cannot equal upper bound"), "2201G", None),
    (re.compile(r"Date out of range: (?P<d>\S+)"), "22008", "date field value out of range: {d}"),
    (re.compile(r'Collation with name (?P<n>\S+) does not exist'), "42704",
     'collation "{n}" for encoding "UTF8" does not exist'),
    (re.compile(r"date field value out of range"), "22008", None),
    (re.compile(r'column "?(?P<n>[^" ]+)"? must appear in the GROUP BY clause'), "42803",
     'column "{n}" must appear in the GROUP BY clause or be used in an aggregate function'),
    (re.compile(r"More than one row returned by a subquery"), "21000",
     "more than one row returned by a subquery used as an expression"),
    (re.compile(r"Cannot mix values of type"), "42804", None),
    (re.compile(r'Ambiguous reference to column name "?(?P<n>[^" ]+)"?'), "42702", 'column reference "{n}" is ambiguous'),
    (re.compile(r"ORDER term out of range"), "42P10", None),
    (re.compile(r"out of range|Overflow|overflow", re.I), "22003", None),
]

_CLASS_STATE: list[tuple[type, str]] = [
    (duckdb.ParserException, "42601"),
    (duckdb.CatalogException, "42P01"),
    (duckdb.BinderException, "42703"),
    (duckdb.ConstraintException, "23000"),
    (duckdb.ConversionException, "22P02"),
    (duckdb.OutOfRangeException, "22003"),
    (duckdb.InterruptException, "57014"),
    (duckdb.TransactionException, "25000"),
    (duckdb.NotImplementedException, "0A000"),
    (duckdb.PermissionException, "42501"),
    (duckdb.OutOfMemoryException, "53200"),
    (duckdb.IOException, "58030"),
    (duckdb.InvalidInputException, "22023"),
    (duckdb.SyntaxException, "42601"),
    (duckdb.TypeMismatchException, "42804"),
    (duckdb.SequenceException, "55000"),
    (duckdb.DataError, "22000"),
    (duckdb.ProgrammingError, "42000"),
    (duckdb.IntegrityError, "23000"),
    (duckdb.InternalError, "XX000"),
]

_DUCK_TO_PG_TYPE = {
    "INT8": "tinyint", "INT16": "smallint", "INT32": "integer", "INT64": "bigint", "INT128": "numeric",
    "TINYINT": "smallint", "SMALLINT": "smallint", "INTEGER": "integer", "BIGINT": "bigint",
    "DOUBLE": "double precision", "FLOAT": "real", "BOOL": "boolean", "BOOLEAN": "boolean",
    "DATE": "date", "TIMESTAMP": "timestamp", "UUID": "uuid", "DECIMAL": "numeric", "DOUBLE_": "double precision",
}

_PREFIX = re.compile(r"^[A-Za-z ]*Error: ")
_LINE_INFO = re.compile(r"\n\s*LINE \d+:.*", re.S)


def _clean(msg: str) -> tuple[str, str | None]:
    """Strip DuckDB's 'X Error: ' prefix and its LINE excerpt; return (message, detail)."""
    msg = _PREFIX.sub("", msg.strip(), count=1)
    msg = _LINE_INFO.sub("", msg)
    first, _, rest = msg.partition("\n")
    rest = rest.partition("Stack Trace:")[0].strip()  # an internal error's C++ frames: never shown
    return first.strip(), (rest or None)


_UDF_ERROR = re.compile(r"(?:JsonbUdfError|AdvisoryLockError): (?P<state>[0-9A-Z]{5}): (?P<message>[^\n]*)")


def from_duckdb(exc: BaseException, sql: str | None = None) -> PgError:
    if isinstance(exc, PgError):
        return exc
    raw = str(exc)
    udf = _UDF_ERROR.search(raw)
    if udf is not None:  # raised by a gateway UDF (sql/jsonb_functions.py, advisory_locks.py) with its SQLSTATE
        return PgError(udf["state"], udf["message"])
    message, detail = _clean(raw)
    position = None
    m = re.search(r"LINE (\d+):", raw)
    if m is None:
        pm = re.search(r"at position (\d+)", raw)
        if pm:
            position = int(pm.group(1)) + 1
    sqlstate = None
    for cls, state in _CLASS_STATE:
        if isinstance(exc, cls):
            sqlstate = state
            break
    for pat, state, template in _RULES:
        mm = pat.search(message)
        if mm is None:
            continue
        # keep class-derived states that are more specific than a text match on generic words
        if state == "40001" and not isinstance(exc, duckdb.TransactionException):
            continue
        if state == "42P07" and template is None and not isinstance(exc, duckdb.CatalogException):
            continue
        if state == "22003" and isinstance(exc, duckdb.ConstraintException):
            continue
        sqlstate = state
        if template:
            groups = {k: (v or "") for k, v in mm.groupdict().items()}
            if "q" in groups and not groups.get("n"):
                groups["n"] = groups["q"]
            groups.setdefault("pgt", _DUCK_TO_PG_TYPE.get(groups.get("t", ""), groups.get("t", "").lower()))
            try:
                new = template.format(**groups)
            except (KeyError, IndexError):
                new = message
            if new != message:
                detail = detail or None
            message = new
        break
    if sqlstate is None:
        sqlstate = "XX000"
    if sqlstate == "42P01" and message.startswith("Catalog Error"):
        message = message.split(": ", 1)[-1]
    hint = None
    hm = re.search(r"Did you mean \"?([^\"?]+)\"?\?", raw)
    # PostgreSQL guesses for columns, never for relations (the catalog adds its own for
    # the tables it manages)
    if hm and sqlstate != "42P01" and not re.match(r"(pg_|duckdb_|information_schema|sqlite_|dataforge_)", hm.group(1)):
        hint = f'Perhaps you meant to reference "{hm.group(1)}".'
    dm = re.search(r'Duplicate key "(?P<k>[^"]*)"', raw)
    if dm and sqlstate == "23505":
        message = "duplicate key value violates unique constraint"
        cols, vals = _key_columns(dm.group("k"))
        detail = f"Key ({', '.join(cols)})=({', '.join(vals)}) already exists."
    um = re.search(r'PRIMARY KEY or UNIQUE constraint violation: duplicate key "(?P<v>.*)"$', message)
    if um and sqlstate == "23505":  # a key repeated inside one transaction: values, no columns
        message = "duplicate key value violates unique constraint"
    fk = re.search(r'Violates foreign key constraint because key "(?P<k>[^"]*)"', raw)
    if fk and sqlstate == "23503":
        detail = None  # DuckDB's advice on its foreign key limitations
    if detail and detail.startswith("Did you mean"):
        detail = None
    candidates = None
    if detail and detail.startswith(("Candidate bindings:", "Candidate tables:")):
        # DuckDB's guesses: column_hint() words the one PostgreSQL would give, if any
        candidates = re.findall(r'"([^"]+)"', detail) if detail.startswith("Candidate bindings:") else None
        detail = None
    if sqlstate == "40001" and hint is None:
        hint = "The transaction might succeed if retried."
    err = PgError(sqlstate, message, detail=detail, hint=hint, position=position)
    err.candidates = candidates
    if um and sqlstate == "23505":
        err.raw_values = um.group("v")  # named by name_constraint_violation when it can tell
    if fk and sqlstate == "23503":
        err.raw_key = fk.group("k")  # named by name_constraint_violation
    return err


# ----------------------------------------------------------------- constraint violations named

CONSTRAINT_STATES = ("23505", "23503", "23514", "23502")

# the constraints of a table and those pointing at it, for naming a violation (run by session)
CONSTRAINTS_SQL = """
SELECT table_name, constraint_type, constraint_column_names, expression, referenced_table,
       referenced_column_names, 'c' AS source
FROM duckdb_constraints()
WHERE database_name = current_database() AND schema_name = $1
  AND (lower(table_name) = lower($2) OR lower(referenced_table) = lower($2))
  AND constraint_type IN ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY', 'CHECK')
UNION ALL
SELECT table_name, 'INDEX', NULL, expressions, index_name, NULL, 'i'
FROM duckdb_indexes()
WHERE database_name = current_database() AND schema_name = $1 AND lower(table_name) = lower($2)
  AND is_unique
UNION ALL
SELECT table_name, 'COLUMN', [column_name], data_type, NULL, NULL, 'd'
FROM duckdb_columns()
WHERE database_name = current_database() AND schema_name = $1 AND lower(table_name) = lower($2)
UNION ALL
SELECT table_name, 'NAME', string_split(cols, ','), contype, name, NULL, 'n'
FROM _dataforge.constraint_names
WHERE schema_name = lower($1) AND table_name = lower($2)
"""

def violation_target(tree) -> tuple[str, str, set[str] | None] | None:
    """(DuckDB schema, table, columns an UPDATE sets or None) of an INSERT/UPDATE/DELETE:
    where its violations happen."""
    from sqlglot import exp  # sql/ depends on errors, not the other way round: import late

    if not isinstance(tree, (exp.Insert, exp.Update, exp.Delete)):
        return None
    t = tree.this
    if isinstance(t, exp.Schema):
        t = t.this
    if not isinstance(t, exp.Table) or not t.name:
        return None
    schema = t.db or "main"
    updated = None
    if isinstance(tree, exp.Update):
        updated = {eq.this.name.lower() for eq in tree.expressions if isinstance(eq, exp.EQ)}
    conflict = tree.args.get("conflict") if isinstance(tree, exp.Insert) else None
    if conflict is not None:  # INSERT … ON CONFLICT DO UPDATE SET …: the columns it sets
        updated = {eq.this.name.lower() for eq in conflict.expressions or [] if isinstance(eq, exp.EQ)}
    return ("main" if schema.lower() == "public" else schema), t.name, updated


def _key_columns(raw_key: str) -> tuple[list[str], list[str]]:
    """DuckDB's 'a: 1, b: x' → (['a', 'b'], ['1', 'x'])."""
    cols, vals = [], []
    for part in re.split(r", (?=[^,:]+: )", raw_key):
        k, _, v = part.partition(": ")
        cols.append(k)
        vals.append(v)
    return cols, vals


def _same_columns(a, b) -> bool:
    return [x.lower() for x in a or []] == [x.lower() for x in b or []]


_LENGTH_CHECK = re.compile(r"\((char_)?length\(rtrim\(.*, ' '\)\) <= \d+\)")  # rewrite._length_check


def _given_name(own: list[tuple], contype: str, cols, default: str | None) -> str | None:
    """The name CREATE TABLE gave the constraint (CONSTRAINTS_SQL's NAME rows), else default."""
    for r in own:
        if r[1] == "NAME" and r[3] == contype and _same_columns(r[2], cols):
            return r[4]
    return default


def name_constraint_violation(e: PgError, schema: str, table: str, rows: list[tuple],
                              updated: set[str] | None = None) -> None:
    """A unique/foreign-key/check/not-null violation as PostgreSQL reports it: the message names
    the constraint with PostgreSQL's generated name (t_pkey, t_col_key, t_col_fkey, t_col_check,
    or the unique index), the detail names the key, and the schema/table/column/constraint
    fields are set. `rows` are CONSTRAINTS_SQL's rows for the table written. Left as it is
    when the constraint cannot be told."""
    pg_schema = "public" if schema == "main" else schema
    own = [r for r in rows if r[0].lower() == table.lower()]
    table = own[0][0] if own else table
    e.schema, e.table = pg_schema, table
    if e.sqlstate == "23502":
        m = re.match(r'null value in column "(?P<c>[^"]+)"', e.message)
        if m:
            e.column = m["c"]
        return
    if e.sqlstate == "23505":
        km = re.search(r"Key \((?P<c>[^)]*)\)=", e.detail or "")
        if km is None:
            return _unnamed_duplicate(e, table, own)
        cols = [c.strip() for c in km["c"].split(",")]
        name = None
        for r in own:
            if r[1] == "PRIMARY KEY" and _same_columns(r[2], cols):
                name = _given_name(own, "p", cols, f"{table}_pkey")
            elif r[1] == "UNIQUE" and _same_columns(r[2], cols) and name is None:
                name = _given_name(own, "u", cols, f"{table}_{'_'.join(cols)}_key")
        if name is None:
            idx = [r for r in own if r[1] == "INDEX" and _same_columns(
                [x.strip().strip("'").strip('"') for x in (r[3] or "").strip("[]").split(",")], cols)]
            if idx:
                name = idx[0][4]
        if name is not None:
            e.constraint = name
            e.message = f'duplicate key value violates unique constraint "{name}"'
        return
    if e.sqlstate == "23503":
        return _foreign_key(e, table, rows, own, updated)
    if e.sqlstate == "23514":
        m = re.search(r"with expression CHECK\((?P<x>.*)\)$", e.message)
        if m is None:
            return
        checks = [r for r in own if r[1] == "CHECK"]
        seen: dict[str, int] = {}
        place = 0  # among the table's own CHECKs, not the varchar(n) length checks: CREATE TABLE's names
        for r in checks:  # PostgreSQL: t_col_check for one column, t_check for more; then 1, 2…
            given = None
            if not _LENGTH_CHECK.fullmatch(r[3] or ""):
                place += 1
                given = _given_name(own, "c", [f"#{place}"], None)
            name = given
            if given is None:  # (a named CHECK takes no number of the generated ones)
                cols = list(dict.fromkeys(c.lower() for c in (r[2] or [])))
                base = f"{table}_{cols[0]}_check" if len(cols) == 1 else f"{table}_check"
                n = seen.get(base, 0)
                seen[base] = n + 1
                name = base if n == 0 else f"{base}{n}"
            if r[3] == m["x"]:
                e.constraint = name
                e.message = f'new row for relation "{table}" violates check constraint "{name}"'
                return


def _unique_keys(table: str, own: list[tuple]) -> list[tuple[str, list[str]]]:
    """(PostgreSQL's name, columns) of each primary key, unique constraint and unique index."""
    keys = []
    for r in own:
        if r[1] == "PRIMARY KEY":
            keys.append((_given_name(own, "p", r[2], f"{table}_pkey"), list(r[2])))
        elif r[1] == "UNIQUE":
            keys.append((_given_name(own, "u", r[2], f"{table}_{'_'.join(r[2])}_key"), list(r[2])))
        elif r[1] == "INDEX":
            keys.append((r[4], [x.strip().strip("'").strip('"') for x in (r[3] or "").strip("[]").split(",")]))
    return keys


def _unnamed_duplicate(e: PgError, table: str, own: list[tuple]) -> None:
    """DuckDB's in-transaction duplicate ('duplicate key "1, x"') gives the values only: the
    key is named when one unique key of the table has that many columns."""
    raw = e.raw_values
    if raw is None:
        return
    types = {r[2][0].lower(): r[3] for r in own if r[1] == "COLUMN"}
    def could_hold(cols: list[str], vals: list[str]) -> bool:  # '1' fits an integer key, 'x' no
        return all(not re.match(r"(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|U?INT)", types.get(c.lower(), "VARCHAR"))
                   or re.fullmatch(r"-?\d+", v) for c, v in zip(cols, vals))
    keys = _unique_keys(table, own)
    parts = raw.split(", ")
    fits = [k for k in keys if len(parts) == len(k[1]) and could_hold(k[1], parts)]  # a value may hold ", "
    if len(fits) != 1:
        fits = [k for k in keys if (len(k[1]) == 1 and could_hold(k[1], [raw]))
                or (len(parts) == len(k[1]) and could_hold(k[1], parts))]
    if len(fits) != 1:
        return
    name, cols = fits[0]
    vals = [raw] if len(cols) == 1 else raw.split(", ")
    e.constraint = name
    e.message = f'duplicate key value violates unique constraint "{name}"'
    e.detail = f"Key ({', '.join(cols)})=({', '.join(vals)}) already exists."


def _foreign_key(e: PgError, table: str, rows: list[tuple], own: list[tuple],
                 updated: set[str] | None) -> None:
    raw = e.raw_key
    if raw is None:
        return
    cols, vals = _key_columns(raw)
    if "does not exist in the referenced table" in e.message:  # a child row without a parent
        for r in own:
            if r[1] == "FOREIGN KEY" and _same_columns(r[5], cols):
                name = _given_name(own, "f", r[2], f"{table}_{'_'.join(r[2])}_fkey")
                e.constraint = name
                e.message = f'insert or update on table "{table}" violates foreign key constraint "{name}"'
                e.detail = (f"Key ({', '.join(r[2])})=({', '.join(vals)}) is not present in table "
                            f'"{r[4]}".')
                return
    elif "is still referenced" in e.message:  # a parent row its children still point to
        for r in rows:
            if r[1] == "FOREIGN KEY" and (r[4] or "").lower() == table.lower() and _same_columns(r[2], cols):
                name = f"{r[0]}_{'_'.join(r[2])}_fkey"
                if updated is not None and not updated & {c.lower() for c in r[5]}:
                    # DuckDB updates an indexed column as delete + insert, and its eager check
                    # sees the delete: PostgreSQL would have succeeded, so this is no violation
                    e.sqlstate = "0A000"
                    e.message = (f'UPDATE of a unique or primary key column of "{table}" while table '
                                 f'"{r[0]}" references it is not supported')
                    e.detail = f'Foreign key "{name}" references "{table}"; DuckDB checks it as if the row were deleted.'
                    e.hint = "Update the referencing rows' key in a separate step, or drop the foreign key."
                    return
                e.constraint, e.table = name, r[0]  # PostgreSQL: the referencing table
                e.message = (f'update or delete on table "{table}" violates foreign key constraint '
                             f'"{name}" on table "{r[0]}"')
                e.detail = (f"Key ({', '.join(r[5])})=({', '.join(vals)}) is still referenced from "
                            f'table "{r[0]}".')
                e.hint = ("The gateway does not carry out ON DELETE/UPDATE CASCADE or SET NULL: change or "
                          "delete the referencing rows first.")
                return


# ----------------------------------------------------------------- unknown columns


def _table_key(t) -> tuple[str, str]:
    schema = (t.db or "main").lower()
    return ("main" if schema == "public" else schema), t.name.lower()


def _levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def column_hint(e: PgError, tree, tables: dict | None = None) -> None:
    """42703 as PostgreSQL words it: 'Perhaps you meant to reference the column "t.name".' when
    a column of the query's tables is close (at most half the typed name's letters differ, as
    PostgreSQL's errorMissingColumn), else no hint; DuckDB's candidate list is not shown."""
    from sqlglot import exp

    if "{table}" in e.message:
        target = violation_target(tree)
        if target is None:
            e.message = e.message.replace(' of relation "{table}"', "")
        else:
            e.message = e.message.replace("{table}", target[1])
        return
    m = re.match(r'column (?:"(?P<n>[^"]+)"|(?P<t>[^." ]+)\.(?P<q>[^ ]+)) does not exist$', e.message)
    if m is None or not e.candidates or e.hint:
        return
    typed = m["n"] or m["q"]
    scored = []
    for c in e.candidates:
        d = _levenshtein(typed, c.rsplit(".", 1)[-1])
        if d <= len(typed) // 2:
            scored.append((d, c))
    if not scored:
        return
    best = min(d for d, _ in scored)
    names = [c for d, c in scored if d == best]
    if m["t"]:  # t.col: the columns of t
        names = [f'{m["t"]}.{c.rsplit(".", 1)[-1]}' for c in names[:1]]
    elif any("." not in c for c in names):
        sources = []
        sel = tree.find(exp.Select) if tree is not None else None
        if sel is not None:
            sources = [t for t in sel.find_all(exp.Table) if t.find_ancestor(exp.Select) is sel]
        if len(sources) == 1:
            qual = sources[0].alias_or_name
            names = [c if "." in c else f"{qual}.{c}" for c in names]
        else:  # the FROM item whose table has the column (server.SchemaCache.table_origins)
            qualified = []
            for c in names:
                if "." in c:
                    qualified.append(c)
                    continue
                having = [t.alias_or_name for t in sources
                          if c.lower() in dict((tables or {}).get(_table_key(t), (0, []))[1])]
                if len(having) != 1:
                    return  # not known which: no guess rather than a wrong one
                qualified.append(f"{having[0]}.{c}")
            names = qualified
    if len(names) == 1:
        e.hint = f'Perhaps you meant to reference the column "{names[0]}".'
    elif len(names) == 2:
        sel = tree.find(exp.Select) if tree is not None else None
        order = [t.alias_or_name for t in sel.find_all(exp.Table)] if sel is not None else []
        names.sort(key=lambda c: order.index(c.split(".")[0]) if c.split(".")[0] in order else len(order))
        e.hint = f'Perhaps you meant to reference the column "{names[0]}" or the column "{names[1]}".'
