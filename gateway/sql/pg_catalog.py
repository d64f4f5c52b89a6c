"""The PostgreSQL compatibility surface installed in DuckDB at startup.

The functions clients call on connect (version(), current_setting()), the macros the rewrite
layer calls, and a PostgreSQL-faithful pg_catalog subset (real OIDs) over the user's tables.
"""

from __future__ import annotations

import datetime

import duckdb

from ..protocol.types import PG_CHAR_LABELS, pg_type_of
from . import numeric_storage

SERVER_VERSION = "15.0"
SERVER_VERSION_NUM = "150000"


def version_string() -> str:
    return (
        f"PostgreSQL {SERVER_VERSION} (Data Forge Gateway on DuckDB {duckdb.__version__}) "
        "on x86_64-pc-linux-gnu, compiled by gcc, 64-bit"
    )


# PostgreSQL settings a client may read with current_setting(); the session overrides some.
STATIC_SETTINGS = {
    "server_version": SERVER_VERSION,
    "server_version_num": SERVER_VERSION_NUM,
    "server_encoding": "UTF8",
    "client_encoding": "UTF8",
    "lc_collate": "C",
    "lc_ctype": "C",
    "integer_datetimes": "on",
    "standard_conforming_strings": "on",
    "datestyle": "ISO, MDY",
    "intervalstyle": "postgres",
    "max_identifier_length": "63",
    "max_connections": "100",
    "search_path": '"$user", public',
    "default_transaction_isolation": "read committed",
    "transaction_isolation": "read committed",
    "default_transaction_read_only": "off",
    "block_size": "8192",
    "is_superuser": "on",
    "application_name": "",
    "extra_float_digits": "1",
    "statement_timeout": "0",
    "jit": "off",
    "max_index_keys": "32",
    "max_function_args": "100",
    "lc_messages": "C",
    "lc_monetary": "C",
    "lc_numeric": "C",
    "lc_time": "C",
    "default_text_search_config": "pg_catalog.simple",
    "search_path": '"$user", public',
    "row_security": "on",
    "bytea_output": "hex",
    "ssl": "off",
    "wal_level": "replica",
    "track_commit_timestamp": "off",
    # settings clients SET and SHOW (pg_dump output, ORMs, psql scripts): PostgreSQL's defaults
    "client_min_messages": "notice",
    "work_mem": "4MB",
    "maintenance_work_mem": "64MB",
    "shared_buffers": "128MB",
    "effective_cache_size": "4GB",
    "synchronous_commit": "on",
    "lock_timeout": "0",
    "idle_session_timeout": "0",
    "check_function_bodies": "on",
    "xmloption": "content",
    "session_replication_role": "origin",
    "escape_string_warning": "on",
    "log_statement": "none",
    "log_min_duration_statement": "-1",
    "default_table_access_method": "heap",
    "max_parallel_workers_per_gather": "2",
    "random_page_cost": "4",
    "enable_seqscan": "on",
    "geqo": "on",
    "timezone_abbreviations": "Default",
    "plan_cache_mode": "auto",
    # pg_dump output SETs these (tablespaces and TOAST do not exist here; the values are kept)
    "default_tablespace": "",
    "temp_tablespaces": "",
    "default_toast_compression": "pglz",
    "synchronize_seqscans": "on",  # pg_dump sets it off
}


COMPAT_DB = "dataforge_compat"
# every cursor resolves unqualified names in the user's database first, then the compat layer
SEARCH_PATH = f"main,{COMPAT_DB}.main"


def install(con: duckdb.DuckDBPyConnection) -> None:
    """Attach an in-memory catalog holding the compatibility functions, so nothing of ours is
    written into the user's database file."""
    values = ", ".join(
        f"('{k}', '{v.replace(chr(39), chr(39) * 2)}')" for k, v in STATIC_SETTINGS.items()
    )
    ver = version_string().replace("'", "''")
    con.execute(f"ATTACH IF NOT EXISTS ':memory:' AS {COMPAT_DB}")
    m = f"{COMPAT_DB}.main"
    labels = ", ".join(f"'{c}'" for c in PG_CHAR_LABELS)
    con.execute(f"DROP TYPE IF EXISTS {m}.pg_char")
    con.execute(f"CREATE TYPE {m}.pg_char AS ENUM ({labels})")
    con.execute(
        f"""
        CREATE OR REPLACE MACRO {m}.pg_version() AS '{ver}';
        CREATE OR REPLACE MACRO {m}.pg_nonzero(x) AS (CASE WHEN x = 0 THEN error('division by zero') ELSE x END);
        CREATE OR REPLACE MACRO {m}.pg_current_setting(n) AS (
            COALESCE(getvariable('dataforge_settings')[lower(n)],
                     (SELECT v FROM (VALUES {values}) s(k, v) WHERE k = lower(n)),
                     error('unrecognized configuration parameter "' || n || '"'))),
            (n, missing_ok) AS (
            COALESCE(getvariable('dataforge_settings')[lower(n)],
                     (SELECT v FROM (VALUES {values}) s(k, v) WHERE k = lower(n))));
        """
    )
    numeric_storage.install(con)  # the UDF its avg macro calls: created first
    con.execute(numeric_storage.MACROS.format(m=m))
    con.execute(_TYPED_MACROS.format(m=m))
    _install_catalog(con, m)
    con.execute(f"SET search_path = '{SEARCH_PATH}'")


# Macros the rewrite layer (sql/rewrite.py) calls. Typed parameters let DuckDB choose the
# PostgreSQL result type at bind time; an unused parameter is only there for its type.
_TYPED_MACROS = """
-- interval / number as PostgreSQL's interval_div: months, days and time divided apart, the
-- fractional months (30 days each, rounded to microseconds) and days cascading down; rint is
-- round_even
CREATE OR REPLACE MACRO {m}.pg_interval_div_out(rm, days, sr, tq) AS
    to_months(CAST(rm AS INTEGER)) + to_days(CAST(days + trunc(sr / 86400) AS INTEGER))
    + to_microseconds(CAST(round_even(tq + (sr - trunc(sr / 86400) * 86400) * 1000000, 0) AS BIGINT));
CREATE OR REPLACE MACRO {m}.pg_interval_div_fin(rm, rd, mrd, dfrac, tq) AS
    {m}.pg_interval_div_out(rm, rd + trunc(mrd), round_even((dfrac + mrd - trunc(mrd)) * 86400, 6), tq);
CREATE OR REPLACE MACRO {m}.pg_interval_div_parts(mo, d, t, f) AS
    {m}.pg_interval_div_fin(trunc(mo / f), trunc(d / f), round_even((mo / f - trunc(mo / f)) * 30, 6),
                           d / f - trunc(d / f), t / f);
CREATE OR REPLACE MACRO {m}.pg_interval_div(iv, f) AS {m}.pg_interval_div_parts(
    datepart('year', iv) * 12 + datepart('month', iv), datepart('day', iv),
    epoch_us(iv) - ((datepart('year', iv) * 12 + datepart('month', iv)) * 30 + datepart('day', iv)) * 86400000000,
    CAST({m}.pg_nonzero(f) AS DOUBLE));
CREATE OR REPLACE MACRO {m}.pg_sum(s, x SMALLINT) AS CAST(s AS BIGINT),
    (s, x INTEGER) AS CAST(s AS BIGINT),
    (s, x) AS s;
CREATE OR REPLACE MACRO {m}.pg_div16(s, c) AS (CASE WHEN c = 0 THEN NULL ELSE
    CAST((abs(CAST(s AS HUGEINT)) * 100000000000000000 // c + 5) // 10 * sign(s) AS DECIMAL(38,0))
    * CAST('0.0000000000000001' AS DECIMAL(17,16)) END);
CREATE OR REPLACE MACRO {m}.pg_avg(a, s, c, x SMALLINT) AS {m}.pg_div16(s, c),
    (a, s, c, x INTEGER) AS {m}.pg_div16(s, c),
    (a, s, c, x BIGINT) AS {m}.pg_div16(s, c),
    (a, s, c, x DECIMAL) AS {m}.pg_numeric_avg(s, c),
    (a, s, c, x) AS a;
CREATE OR REPLACE MACRO {m}.pg_minus(a DATE, b DATE) AS CAST(a - b AS INTEGER),
    (a TIME, b TIME) AS to_microseconds(epoch_us(a) - epoch_us(b)),
    (a, b) AS a - b;
CREATE OR REPLACE MACRO {m}.pg_extract_epoch(x DATE) AS CAST(epoch(x) AS DECIMAL(38,0)),
    (x TIMESTAMP) AS CAST(CAST(epoch_us(x) AS DECIMAL(38,0)) * CAST('0.000001' AS DECIMAL(7,6)) AS DECIMAL(38,6)),
    (x TIMESTAMPTZ) AS CAST(CAST(epoch_us(x) AS DECIMAL(38,0)) * CAST('0.000001' AS DECIMAL(7,6)) AS DECIMAL(38,6)),
    (x INTERVAL) AS CAST(CAST(epoch_us(x) AS DECIMAL(38,0)) * CAST('0.000001' AS DECIMAL(7,6)) AS DECIMAL(38,6)),
    (x TIME) AS CAST(CAST(epoch_us(x) AS DECIMAL(38,0)) * CAST('0.000001' AS DECIMAL(7,6)) AS DECIMAL(38,6)),
    (x) AS extract(epoch FROM x);
CREATE OR REPLACE MACRO {m}.pg_round(x DOUBLE) AS round_even(x, 0),
    (x DECIMAL) AS round(x),
    (x BIGINT) AS round(x),
    (x) AS round(x);
CREATE OR REPLACE MACRO {m}.pg_octet_length(x VARCHAR) AS strlen(x),
    (x BLOB) AS octet_length(x),
    (x) AS octet_length(x);
-- quoted unless a lower-case plain name that is not one of PostgreSQL's keywords other than the
-- unreserved ones (its quote_identifier())
CREATE OR REPLACE MACRO {m}.pg_quote_ident(s) AS (
    CASE WHEN regexp_full_match(s, '[a-z_][a-z0-9_]*') AND s NOT IN ('all', 'analyse', 'analyze', 'and', 'any', 'array', 'as', 'asc', 'asymmetric', 'both', 'case', 'cast', 'check', 'collate', 'column', 'constraint', 'create', 'current_catalog', 'current_date', 'current_role', 'current_time', 'current_timestamp', 'current_user', 'default', 'deferrable', 'desc', 'distinct', 'do', 'else', 'end', 'except', 'false', 'fetch', 'for', 'foreign', 'from', 'grant', 'group', 'having', 'in', 'initially', 'intersect', 'into', 'lateral', 'leading', 'limit', 'localtime', 'localtimestamp', 'not', 'null', 'offset', 'on', 'only', 'or', 'order', 'placing', 'primary', 'references', 'returning', 'select', 'session_user', 'some', 'symmetric', 'table', 'then', 'to', 'trailing', 'true', 'union', 'unique', 'user', 'using', 'variadic', 'when', 'where', 'window', 'with', 'authorization', 'binary', 'collation', 'concurrently', 'cross', 'current_schema', 'freeze', 'full', 'ilike', 'inner', 'is', 'isnull', 'join', 'left', 'like', 'natural', 'notnull', 'outer', 'overlaps', 'right', 'similar', 'tablesample', 'verbose', 'between', 'bigint', 'bit', 'boolean', 'char', 'character', 'coalesce', 'dec', 'decimal', 'exists', 'extract', 'float', 'greatest', 'grouping', 'inout', 'int', 'integer', 'interval', 'least', 'national', 'nchar', 'none', 'normalize', 'nullif', 'numeric', 'out', 'overlay', 'position', 'precision', 'real', 'row', 'setof', 'smallint', 'substring', 'time', 'timestamp', 'treat', 'trim', 'values', 'varchar', 'xmlattributes', 'xmlconcat', 'xmlelement', 'xmlexists', 'xmlforest', 'xmlnamespaces', 'xmlparse', 'xmlpi', 'xmlroot', 'xmlserialize', 'xmltable') THEN s
         ELSE '"' || replace(s, '"', '""') || '"' END);
CREATE OR REPLACE MACRO {m}.pg_json_typeof(j) AS (
    CASE json_type(CAST(j AS JSON)) WHEN 'OBJECT' THEN 'object' WHEN 'ARRAY' THEN 'array'
         WHEN 'VARCHAR' THEN 'string' WHEN 'BOOLEAN' THEN 'boolean' WHEN 'NULL' THEN 'null'
         WHEN 'BIGINT' THEN 'number' WHEN 'UBIGINT' THEN 'number' WHEN 'DOUBLE' THEN 'number' END);
CREATE OR REPLACE MACRO {m}.pg_contains(a JSON, b) AS json_contains(a, b),
    (a, b) AS a @> b;
CREATE OR REPLACE MACRO {m}.pg_date_trunc(u, x DATE) AS date_trunc(u, CAST(x AS TIMESTAMPTZ)),
    (u, x) AS date_trunc(u, x);
CREATE OR REPLACE MACRO {m}.pg_length(x VARCHAR) AS length(x),
    (x BLOB) AS octet_length(x),
    (x) AS length(x);
CREATE OR REPLACE MACRO {m}.pg_upper(s) AS translate(s, 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ');
CREATE OR REPLACE MACRO {m}.pg_lower(s) AS translate(s, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz');
CREATE OR REPLACE MACRO {m}.pg_jsonb_has_key(j, k) AS (
    CASE json_type(CAST(j AS JSON))
         WHEN 'OBJECT' THEN json_exists(CAST(j AS JSON), '/' || replace(replace(k, '~', '~0'), '/', '~1'))
         WHEN 'ARRAY' THEN coalesce(list_contains(json_extract_string(CAST(j AS JSON), '$[*]'), k), false)
         WHEN 'VARCHAR' THEN json_extract_string(CAST(j AS JSON), '$') = k
         ELSE false END);
"""


# --------------------------------------------------------------------------- pg_catalog
#
# PostgreSQL's catalog, as clients read it (psycopg's TypeInfo, asyncpg's type introspection,
# SQLAlchemy's reflection, psql's \d…): the static parts (types, namespaces, access methods…)
# are tables filled here from gateway/protocol/types.py; the user's relations are views over
# duckdb_tables()/duckdb_columns()/duckdb_constraints()/duckdb_indexes() of the current
# database, with DuckDB's object OIDs (>= 16384 like PostgreSQL's user OIDs, stable while the
# process runs). DuckDB's schema `main` is PostgreSQL's `public` (2200). OID columns are
# UINTEGER (unsigned 32-bit, as oid is). sql/rewrite.py points `pg_catalog.X` at these.

PG_CATALOG_NS, PUBLIC_NS, INFORMATION_SCHEMA_NS, PG_TOAST_NS = 11, 2200, 13183, 99
BOOTSTRAP_SUPERUSER = 10

# the catalog relations' own OIDs in PostgreSQL (pg_class rows, classoid in pg_description…)
CATALOG_RELATIONS = {
    "pg_type": 1247, "pg_attribute": 1249, "pg_proc": 1255, "pg_class": 1259, "pg_authid": 1260,
    "pg_database": 1262, "pg_attrdef": 2604, "pg_constraint": 2606, "pg_description": 2609,
    "pg_index": 2610, "pg_namespace": 2615, "pg_am": 2601, "pg_collation": 3456,
    "pg_enum": 3501, "pg_range": 3541, "pg_sequence": 2224, "pg_opclass": 2616,
    "pg_settings": 0, "pg_roles": 0, "pg_user": 0, "pg_tables": 0, "pg_views": 0, "pg_indexes": 0,
    "pg_stat_activity": 0, "pg_tablespace": 1213, "pg_inherits": 2611, "pg_trigger": 2620,
    "pg_rewrite": 2618, "pg_depend": 2608, "pg_shdescription": 2396, "pg_extension": 3079,
    "pg_foreign_table": 3118, "pg_partitioned_table": 3350, "pg_matviews": 0,
    "pg_policy": 3256, "pg_statistic_ext": 3381, "pg_event_trigger": 3466, "pg_language": 2612,
    "pg_operator": 2617, "pg_cast": 2605, "pg_opfamily": 2753, "pg_aggregate": 2600,
    "pg_auth_members": 1261, "pg_conversion": 2607, "pg_db_role_setting": 2964, "pg_default_acl": 826,
    "pg_foreign_data_wrapper": 2328, "pg_foreign_server": 1417, "pg_init_privs": 3394,
    "pg_largeobject_metadata": 2995, "pg_publication": 6104, "pg_publication_namespace": 6237,
    "pg_publication_rel": 6106, "pg_seclabel": 3596, "pg_shdepend": 1214, "pg_statistic": 2619,
    "pg_statistic_ext_data": 3429, "pg_subscription": 6100, "pg_transform": 3576, "pg_ts_config": 3602,
    "pg_ts_dict": 3600, "pg_ts_parser": 3601, "pg_ts_template": 3764, "pg_user_mapping": 1418,
}

# the catalog columns whose PostgreSQL type is name (19): sql/result_types.py describes them
# so (DuckDB has only VARCHAR), as pgjdbc's ResultSetMetaData and differential checks see them
CATALOG_NAME_COLUMNS = {
    "pg_am": "amname",
    "pg_attribute": "attname",
    "pg_authid": "rolname",
    "pg_class": "relname",
    "pg_collation": "collname",
    "pg_constraint": "conname",
    "pg_conversion": "conname",
    "pg_database": "datname",
    "pg_enum": "enumlabel",
    "pg_event_trigger": "evtname evtevent",
    "pg_extension": "extname",
    "pg_foreign_data_wrapper": "fdwname",
    "pg_foreign_server": "srvname",
    "pg_indexes": "schemaname tablename indexname tablespace",
    "pg_language": "lanname",
    "pg_matviews": "schemaname matviewname matviewowner tablespace",
    "pg_namespace": "nspname",
    "pg_opclass": "opcname",
    "pg_operator": "oprname",
    "pg_opfamily": "opfname",
    "pg_policy": "polname",
    "pg_prepared_xacts": "owner database",
    "pg_proc": "proname",
    "pg_publication": "pubname",
    "pg_rewrite": "rulename",
    "pg_roles": "rolname",
    "pg_shadow": "usename",
    "pg_stat_activity": "datname usename",
    "pg_stat_all_tables": "schemaname relname",
    "pg_stat_user_tables": "schemaname relname",
    "pg_statio_user_tables": "schemaname relname",
    "pg_statio_all_tables": "schemaname relname",
    "pg_statistic_ext": "stxname",
    "pg_subscription": "subname subslotname",
    "pg_tables": "schemaname tablename tableowner tablespace",
    "pg_tablespace": "spcname",
    "pg_trigger": "tgname tgoldtable tgnewtable",
    "pg_ts_config": "cfgname",
    "pg_ts_dict": "dictname",
    "pg_ts_parser": "prsname",
    "pg_ts_template": "tmplname",
    "pg_type": "typname",
    "pg_user": "usename",
    "pg_views": "schemaname viewname viewowner",

}

# typname → (typtype, typcategory, preferred); absent: base type of category 'U'
_KIND = {
    "bool": "bB", "bytea": "bU", "char": "bZ", "name": "bS", "int8": "bN", "int2": "bN",
    "int2vector": "bA", "int4": "bN", "regproc": "bN", "text": "bS*", "oid": "bN*", "tid": "bU",
    "xid": "bU", "cid": "bU", "oidvector": "bA", "json": "bU", "xml": "bU", "pg_node_tree": "bZ",
    "float4": "bN", "float8": "bN*", "unknown": "pX", "money": "bN", "macaddr": "bU",
    "inet": "bI*", "cidr": "bI", "aclitem": "bU", "bpchar": "bS", "varchar": "bS", "date": "bD",
    "time": "bD", "timestamp": "bD", "timestamptz": "bD*", "interval": "bT*", "timetz": "bD",
    "bit": "bV", "varbit": "bV*", "numeric": "bN", "refcursor": "bU", "regprocedure": "bN",
    "regoper": "bN", "regoperator": "bN", "regclass": "bN", "regtype": "bN", "record": "pP",
    "cstring": "pP", "any": "pP", "anyarray": "pP", "void": "pP", "trigger": "pP",
    "anyelement": "pP", "uuid": "bU", "pg_lsn": "bU", "tsvector": "bU", "jsonb": "bU",
    "regnamespace": "bN", "regrole": "bN", "xid8": "bU",
}
# I/O function stems that are not simply typname + in/out/recv/send
_IO_UNDERSCORE = {
    "record", "cstring", "any", "anyarray", "void", "trigger", "anyelement", "uuid", "json",
    "jsonb", "pg_lsn", "pg_node_tree", "interval", "date", "time", "timestamp", "timestamptz",
    "timetz", "numeric", "bit", "varbit", "macaddr", "inet", "cidr", "xml",
}
_TYPMOD_IO = {"bpchar", "varchar", "numeric", "time", "timestamp", "timestamptz", "timetz",
              "interval", "bit", "varbit"}
_COLLATABLE = {"text": 100, "varchar": 100, "bpchar": 100, "name": 950}
_NO_RECV = {"aclitem", "pg_node_tree", "cstring", "any", "anyarray", "void", "trigger",
            "anyelement", "unknown"}
_STORAGE = {"numeric": "m", "inet": "m", "cidr": "m"}
# format_type(): (text before the typmod, text after it, typmod kind)
_FORMAT = {
    "bool": ("boolean", "", ""), "int8": ("bigint", "", ""), "int2": ("smallint", "", ""),
    "int4": ("integer", "", ""), "float4": ("real", "", ""), "float8": ("double precision", "", ""),
    "char": ('"char"', "", ""), "bpchar": ("character", "", "char"),
    "varchar": ("character varying", "", "char"), "numeric": ("numeric", "", "numeric"),
    "time": ("time", " without time zone", "prec"), "timetz": ("time", " with time zone", "prec"),
    "timestamp": ("timestamp", " without time zone", "prec"),
    "timestamptz": ("timestamp", " with time zone", "prec"), "interval": ("interval", "", "prec"),
    "bit": ("bit", "", "bit"), "varbit": ("bit varying", "", "bit"),
}
# spellings to_regtype() accepts besides typname and format_type()'s names
_TYPE_ALIASES = {
    "int": "int4", "integer": "int4", "smallint": "int2", "bigint": "int8", "real": "float4",
    "float": "float8", "double precision": "float8", "boolean": "bool", "decimal": "numeric",
    "dec": "numeric", "character varying": "varchar", "char varying": "varchar",
    "character": "bpchar", "char": "bpchar", '"char"': "char", "timestamp without time zone": "timestamp",
    "timestamp with time zone": "timestamptz", "time without time zone": "time",
    "time with time zone": "timetz", "bit varying": "varbit",
}


def _align(typlen: int, name: str) -> str:
    if typlen in (1, -2) or name in ("name", "uuid", "bool"):
        return "c"
    if typlen == 2 or name == "tid":
        return "s"
    if typlen == 8 or name in ("interval", "timetz", "aclitem"):
        return "d"
    return "i"


def _pg_type_rows() -> list[tuple]:
    """PostgreSQL 15's pg_type rows for every type gateway/protocol/types.py knows."""
    from ..protocol.types import ARRAY_OID, ELEMENT_OID, TYPES_BY_OID

    rows = []
    for oid in sorted(TYPES_BY_OID):
        t = TYPES_BY_OID[oid]
        elem = ELEMENT_OID.get(oid, 0) if oid not in (22, 30) else 0
        if elem:
            et = TYPES_BY_OID[elem]
            ealign = _align(et.typlen, et.name)
            typtype, cat, pref = "b", "A", False
            io = ("array_in", "array_out", "array_recv", "array_send")
            mod = (et.name + "typmodin", et.name + "typmodout") if et.name in _TYPMOD_IO else ("-", "-")
            align = "d" if ealign == "d" else "i"
            storage, subscript, analyze = "x", "array_subscript_handler", "array_typanalyze"
            collation = _COLLATABLE.get(et.name, 0)
        else:
            kind = _KIND.get(t.name, "bU")
            typtype, cat, pref = kind[0], kind[1], kind.endswith("*")
            stem = t.name + "_" if t.name in _IO_UNDERSCORE else t.name
            if t.name == "money":
                stem = "cash_"
            if t.name == "refcursor":
                stem = "text"
            io = (stem + "in", stem + "out", "-" if t.name in _NO_RECV else stem + "recv",
                  "-" if t.name in _NO_RECV else stem + "send")
            mod = (t.name + "typmodin", t.name + "typmodout") if t.name in _TYPMOD_IO else ("-", "-")
            align = _align(t.typlen, t.name)
            storage = "p" if t.typlen > 0 or t.typlen == -2 or t.name in ("int2vector", "oidvector") else _STORAGE.get(t.name, "x")
            subscript = "raw_array_subscript_handler" if t.name in ("name", "int2vector", "oidvector") else "-"
            analyze = "-"
            collation = _COLLATABLE.get(t.name, 0)
            elem = {"name": 18, "int2vector": 21, "oidvector": 26}.get(t.name, 0)
        rows.append((
            oid, t.name, PG_CATALOG_NS, BOOTSTRAP_SUPERUSER, t.typlen, t.typlen in (1, 2, 4, 8),
            typtype, cat, pref, True, ",", 0, subscript, elem, ARRAY_OID.get(oid, 0), *io, *mod,
            analyze, align, storage, False, 0, -1, 0, collation,
        ))
    return rows


# pg_type's typinput/typoutput/typreceive/typsend are regproc: OIDs of pg_proc rows (Npgsql
# joins pg_proc ON proc.oid = typ.typreceive to tell arrays by array_recv). These functions
# exist only in the catalog, with OIDs of their own far from DuckDB's function OIDs.
_IO_PROC_BASE = 4_000_000_000


# libpq's large-object calls (psycopg2's lobject) look these up in pg_proc before calling them
# with the fast-path FunctionCall message; found, the call gets the session's clear 0A000
# (session._function_call) instead of libpq's "cannot determine OID of function lo_open"
LARGE_OBJECT_PROCS = ("lo_open", "lo_close", "lo_creat", "lo_create", "lo_unlink", "lo_lseek",
                      "lo_lseek64", "lo_tell", "lo_tell64", "lo_truncate", "lo_truncate64",
                      "loread", "lowrite")
LARGE_OBJECT_PROC_BASE = _IO_PROC_BASE + 100_000


def _io_proc_oids() -> dict[str, int]:
    names = {"enum_in", "enum_out", "enum_recv", "enum_send"}
    for r in _pg_type_rows():
        names.update(n for n in r[15:19] if n != "-")
    return {**{n: _IO_PROC_BASE + i for i, n in enumerate(sorted(names))},
            **{n: LARGE_OBJECT_PROC_BASE + i for i, n in enumerate(LARGE_OBJECT_PROCS)}}


def _pg_type_rows_with_proc_oids() -> list[tuple]:
    oids = _io_proc_oids()
    return [r[:15] + tuple(oids.get(n, 0) for n in r[15:19]) + r[19:] for r in _pg_type_rows()]


def _type_format_rows() -> list[tuple]:
    """(oid, text before the typmod, text after it, typmod kind) for format_type()."""
    from ..protocol.types import ELEMENT_OID, TYPES_BY_OID

    rows = []
    for oid, t in TYPES_BY_OID.items():
        elem = ELEMENT_OID.get(oid) if oid not in (22, 30) else None
        base = TYPES_BY_OID[elem] if elem else t
        head, tail, kind = _FORMAT.get(base.name, (base.name, "", ""))
        rows.append((oid, head, tail + ("[]" if elem else ""), kind))
    return rows


def _type_name_rows() -> list[tuple]:
    """(spelling, oid) for to_regtype(): typname, the SQL names, their [] forms."""
    from ..protocol.types import ARRAY_OID, TYPES_BY_NAME

    names: dict[str, int] = {}
    for name, t in TYPES_BY_NAME.items():
        names[name] = t.oid
    for oid, head, tail, _ in _type_format_rows():
        if not tail.endswith("[]"):
            names.setdefault(head + tail, oid)
    for alias, target in _TYPE_ALIASES.items():
        names[alias] = TYPES_BY_NAME[target].oid
    for name, oid in list(names.items()):
        if oid in ARRAY_OID:
            names.setdefault(name + "[]", ARRAY_OID[oid])
    return sorted(names.items())


def _values(rows) -> str:
    def lit(v):
        if v is None:
            return "NULL"
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int):
            return str(v)
        return "'" + str(v).replace("'", "''") + "'"
    return ",\n".join("(" + ", ".join(lit(v) for v in r) + ")" for r in rows)


# PostgreSQL catalogs the gateway has no rows for (no policies, publications, foreign
# tables, role memberships…): empty, with PostgreSQL 15's columns, so that psql's describe
# queries and BI tools' browsing queries that join them run. CHAR is PostgreSQL's "char".
_EMPTY_CATALOGS = {
    "pg_policy": "oid OID, polname NAME, polrelid OID, polcmd CHAR, polpermissive BOOL, polroles OID[], "
                 "polqual TEXT, polwithcheck TEXT",
    "pg_statistic_ext": "oid OID, stxrelid OID, stxname NAME, stxnamespace OID, stxowner OID, "
                        "stxstattarget INT4, stxkeys INT2[], stxkind CHAR[], stxexprs TEXT",
    "pg_statistic_ext_data": "stxoid OID, stxdinherit BOOL, stxdndistinct TEXT, stxddependencies TEXT, "
                             "stxdmcv TEXT, stxdexpr TEXT",
    "pg_publication": "oid OID, pubname NAME, pubowner OID, puballtables BOOL, pubinsert BOOL, "
                      "pubupdate BOOL, pubdelete BOOL, pubtruncate BOOL, pubviaroot BOOL",
    "pg_publication_rel": "oid OID, prpubid OID, prrelid OID, prqual TEXT, prattrs INT2[]",
    "pg_publication_namespace": "oid OID, pnpubid OID, pnnspid OID",
    "pg_subscription": "oid OID, subdbid OID, subskiplsn TEXT, subname NAME, subowner OID, subenabled BOOL, "
                       "subbinary BOOL, substream BOOL, subtwophasestate CHAR, subdisableonerr BOOL, "
                       "subconninfo TEXT, subslotname NAME, subsynccommit TEXT, subpublications TEXT[]",
    "pg_auth_members": "roleid OID, member OID, grantor OID, admin_option BOOL",
    "pg_partitioned_table": "partrelid OID, partstrat CHAR, partnatts INT2, partdefid OID, partattrs INT2[], "
                            "partclass OID[], partcollation OID[], partexprs TEXT",
    "pg_foreign_table": "ftrelid OID, ftserver OID, ftoptions TEXT[]",
    "pg_foreign_server": "oid OID, srvname NAME, srvowner OID, srvfdw OID, srvtype TEXT, srvversion TEXT, "
                         "srvacl TEXT[], srvoptions TEXT[]",
    "pg_foreign_data_wrapper": "oid OID, fdwname NAME, fdwowner OID, fdwhandler OID, fdwvalidator OID, "
                               "fdwacl TEXT[], fdwoptions TEXT[]",
    "pg_user_mapping": "oid OID, umuser OID, umserver OID, umoptions TEXT[]",
    "pg_event_trigger": "oid OID, evtname NAME, evtevent NAME, evtowner OID, evtfoid OID, evtenabled CHAR, "
                        "evttags TEXT[]",
    "pg_rewrite": "oid OID, rulename NAME, ev_class OID, ev_type CHAR, ev_enabled CHAR, is_instead BOOL, "
                  "ev_qual TEXT, ev_action TEXT",
    "pg_depend": "classid OID, objid OID, objsubid INT4, refclassid OID, refobjid OID, refobjsubid INT4, "
                 "deptype CHAR",
    "pg_shdepend": "dbid OID, classid OID, objid OID, objsubid INT4, refclassid OID, refobjid OID, deptype CHAR",
    "pg_default_acl": "oid OID, defaclrole OID, defaclnamespace OID, defaclobjtype CHAR, defaclacl TEXT[]",
    "pg_init_privs": "objoid OID, classoid OID, objsubid INT4, privtype CHAR, initprivs TEXT[]",
    "pg_seclabel": "objoid OID, classoid OID, objsubid INT4, provider TEXT, label TEXT",
    "pg_db_role_setting": "setdatabase OID, setrole OID, setconfig TEXT[]",
    "pg_conversion": "oid OID, conname NAME, connamespace OID, conowner OID, conforencoding INT4, "
                     "contoencoding INT4, conproc TEXT, condefault BOOL",
    "pg_opfamily": "oid OID, opfmethod OID, opfname NAME, opfnamespace OID, opfowner OID",
    "pg_aggregate": "aggfnoid TEXT, aggkind CHAR, aggnumdirectargs INT2, aggtransfn TEXT, aggfinalfn TEXT, "
                    "aggtranstype OID, agginitval TEXT",
    "pg_transform": "oid OID, trftype OID, trflang OID, trffromsql TEXT, trftosql TEXT",
    "pg_ts_config": "oid OID, cfgname NAME, cfgnamespace OID, cfgowner OID, cfgparser OID",
    "pg_ts_dict": "oid OID, dictname NAME, dictnamespace OID, dictowner OID, dicttemplate OID, dictinitoption TEXT",
    "pg_ts_parser": "oid OID, prsname NAME, prsnamespace OID, prsstart TEXT, prstoken TEXT, prsend TEXT, "
                    "prsheadline TEXT, prslextype TEXT",
    "pg_ts_template": "oid OID, tmplname NAME, tmplnamespace OID, tmplinit TEXT, tmpllexize TEXT",
    "pg_largeobject_metadata": "oid OID, lomowner OID, lomacl TEXT[]",
    "pg_locks": "locktype TEXT, database OID, relation OID, page INT4, tuple INT2, virtualxid TEXT, "
                "transactionid TEXT, classid OID, objid OID, objsubid INT2, virtualtransaction TEXT, pid INT4, "
                "mode TEXT, granted BOOL, fastpath BOOL, waitstart TIMESTAMPTZ",
    "pg_prepared_xacts": "transaction TEXT, gid TEXT, prepared TIMESTAMPTZ, owner NAME, database NAME",
    "pg_cast": "oid OID, castsource OID, casttarget OID, castfunc OID, castcontext CHAR, castmethod CHAR",
    "pg_operator": "oid OID, oprname NAME, oprnamespace OID, oprowner OID, oprkind CHAR, oprcanmerge BOOL, "
                   "oprcanhash BOOL, oprleft OID, oprright OID, oprresult OID, oprcom OID, oprnegate OID, "
                   "oprcode TEXT, oprrest TEXT, oprjoin TEXT",
    "pg_statistic": "starelid OID, staattnum INT2, stainherit BOOL, stanullfrac FLOAT4, stawidth INT4, "
                    "stadistinct FLOAT4",
}
_EMPTY_TYPES = {"OID": "UINTEGER", "NAME": "VARCHAR", "TEXT": "VARCHAR", "BOOL": "BOOLEAN", "INT2": "SMALLINT",
                "INT4": "INTEGER", "FLOAT4": "REAL", "TIMESTAMPTZ": "TIMESTAMPTZ"}


def _empty_catalog_ddl(m: str) -> str:
    out = []
    for name, cols in _EMPTY_CATALOGS.items():
        defs = []
        for col in cols.split(", "):
            cname, ctype = col.split(" ")
            arr = ctype.endswith("[]")
            base = ctype.removesuffix("[]")
            duck = f"{m}.pg_char" if base == "CHAR" else _EMPTY_TYPES[base]
            defs.append(f"{cname} {duck}{'[]' if arr else ''}")
        out.append(f"CREATE OR REPLACE TABLE {m}.{name} ({', '.join(defs)});")
    return "\n".join(out)


def _install_catalog(con: duckdb.DuckDBPyConnection, m: str) -> None:
    con.execute(_empty_catalog_ddl(m))
    con.execute(f"""
        CREATE OR REPLACE TABLE {m}.pg_df_base_types (
            oid UINTEGER, typname VARCHAR, typnamespace UINTEGER, typowner UINTEGER,
            typlen SMALLINT, typbyval BOOLEAN, typtype {m}.pg_char, typcategory {m}.pg_char,
            typispreferred BOOLEAN, typisdefined BOOLEAN, typdelim {m}.pg_char, typrelid UINTEGER,
            typsubscript VARCHAR, typelem UINTEGER, typarray UINTEGER, typinput UINTEGER,
            typoutput UINTEGER, typreceive UINTEGER, typsend UINTEGER, typmodin VARCHAR,
            typmodout VARCHAR, typanalyze VARCHAR, typalign {m}.pg_char, typstorage {m}.pg_char,
            typnotnull BOOLEAN, typbasetype UINTEGER, typtypmod INTEGER, typndims INTEGER,
            typcollation UINTEGER, typdefaultbin VARCHAR, typdefault VARCHAR, typacl VARCHAR[]);
        INSERT INTO {m}.pg_df_base_types SELECT *, NULL, NULL, NULL FROM (VALUES {_values(_pg_type_rows_with_proc_oids())});
        CREATE OR REPLACE TABLE {m}.pg_df_io_procs (oid UINTEGER, proname VARCHAR);
        INSERT INTO {m}.pg_df_io_procs VALUES {_values(sorted((o, n) for n, o in _io_proc_oids().items()))};
        CREATE OR REPLACE TABLE {m}.pg_df_type_format (oid UINTEGER, head VARCHAR, tail VARCHAR, kind VARCHAR);
        INSERT INTO {m}.pg_df_type_format VALUES {_values(_type_format_rows())};
        CREATE OR REPLACE TABLE {m}.pg_df_type_names (name VARCHAR, oid UINTEGER);
        INSERT INTO {m}.pg_df_type_names VALUES {_values(_type_name_rows())};
        CREATE OR REPLACE TABLE {m}.pg_am (oid UINTEGER, amname VARCHAR, amhandler VARCHAR, amtype {m}.pg_char);
        INSERT INTO {m}.pg_am VALUES (2, 'heap', 'heap_tableam_handler', 't'),
            (403, 'btree', 'bthandler', 'i'), (405, 'hash', 'hashhandler', 'i'),
            (783, 'gist', 'gisthandler', 'i'), (2742, 'gin', 'ginhandler', 'i'),
            (4000, 'spgist', 'spghandler', 'i'), (3580, 'brin', 'brinhandler', 'i');
        CREATE OR REPLACE TABLE {m}.pg_collation (
            oid UINTEGER, collname VARCHAR, collnamespace UINTEGER, collowner UINTEGER,
            collprovider {m}.pg_char, collisdeterministic BOOLEAN, collencoding INTEGER,
            collcollate VARCHAR, collctype VARCHAR, colliculocale VARCHAR, collversion VARCHAR);
        INSERT INTO {m}.pg_collation VALUES
            (100, 'default', 11, 10, 'd', true, -1, NULL, NULL, NULL, NULL),
            (950, 'C', 11, 10, 'c', true, -1, 'C', 'C', NULL, NULL),
            (951, 'POSIX', 11, 10, 'c', true, -1, 'POSIX', 'POSIX', NULL, NULL);
        CREATE OR REPLACE TABLE {m}.pg_opclass (
            oid UINTEGER, opcmethod UINTEGER, opcname VARCHAR, opcnamespace UINTEGER,
            opcowner UINTEGER, opcfamily UINTEGER, opcintype UINTEGER, opcdefault BOOLEAN,
            opckeytype UINTEGER);
        CREATE OR REPLACE TABLE {m}.pg_range (
            rngtypid UINTEGER, rngsubtype UINTEGER, rngmultitypid UINTEGER, rngcollation UINTEGER,
            rngsubopc UINTEGER, rngcanonical VARCHAR, rngsubdiff VARCHAR);
        CREATE OR REPLACE TABLE {m}.pg_inherits (
            inhrelid UINTEGER, inhparent UINTEGER, inhseqno INTEGER, inhdetachpending BOOLEAN);
        CREATE OR REPLACE TABLE {m}.pg_trigger (
            oid UINTEGER, tgrelid UINTEGER, tgparentid UINTEGER, tgname VARCHAR, tgfoid UINTEGER,
            tgtype SMALLINT, tgenabled {m}.pg_char, tgisinternal BOOLEAN, tgconstrrelid UINTEGER,
            tgconstrindid UINTEGER, tgconstraint UINTEGER, tgdeferrable BOOLEAN,
            tginitdeferred BOOLEAN, tgnargs SMALLINT, tgattr SMALLINT[], tgargs BLOB,
            tgqual VARCHAR, tgoldtable VARCHAR, tgnewtable VARCHAR);
        CREATE OR REPLACE TABLE {m}.pg_extension (
            oid UINTEGER, extname VARCHAR, extowner UINTEGER, extnamespace UINTEGER,
            extrelocatable BOOLEAN, extversion VARCHAR, extconfig UINTEGER[], extcondition VARCHAR[]);
        INSERT INTO {m}.pg_extension VALUES (13500, 'plpgsql', 10, 11, false, '1.0', NULL, NULL);
        CREATE OR REPLACE TABLE {m}.pg_language (
            oid UINTEGER, lanname VARCHAR, lanowner UINTEGER, lanispl BOOLEAN, lanpltrusted BOOLEAN,
            lanplcallfoid UINTEGER, laninline UINTEGER, lanvalidator UINTEGER, lanacl VARCHAR[]);
        INSERT INTO {m}.pg_language VALUES (12, 'internal', 10, false, false, 0, 0, 2246, NULL),
            (13, 'c', 10, false, false, 0, 0, 2247, NULL), (14, 'sql', 10, false, true, 0, 0, 2248, NULL),
            (13576, 'plpgsql', 10, true, true, 13573, 13574, 13575, NULL);
        CREATE OR REPLACE TABLE {m}.pg_tablespace (
            oid UINTEGER, spcname VARCHAR, spcowner UINTEGER, spcacl VARCHAR[], spcoptions VARCHAR[]);
        INSERT INTO {m}.pg_tablespace VALUES (1663, 'pg_default', 10, NULL, NULL),
            (1664, 'pg_global', 10, NULL, NULL);
        CREATE OR REPLACE TABLE {m}.pg_shdescription (objoid UINTEGER, classoid UINTEGER, description VARCHAR);
        CREATE OR REPLACE TABLE {m}.pg_df_catalog_relations (relname VARCHAR, oid UINTEGER);
        INSERT INTO {m}.pg_df_catalog_relations VALUES
            {_values(sorted((k, v) for k, v in CATALOG_RELATIONS.items() if v))};
        """)
    settings = [(k, v) for k, v in STATIC_SETTINGS.items()]
    con.execute(f"""
        CREATE OR REPLACE TABLE {m}.pg_settings (
            name VARCHAR, setting VARCHAR, unit VARCHAR, category VARCHAR, short_desc VARCHAR,
            extra_desc VARCHAR, context VARCHAR, vartype VARCHAR, source VARCHAR, min_val VARCHAR,
            max_val VARCHAR, enumvals VARCHAR[], boot_val VARCHAR, reset_val VARCHAR,
            sourcefile VARCHAR, sourceline INTEGER, pending_restart BOOLEAN);
        INSERT INTO {m}.pg_settings SELECT k, v, NULL, 'Ungrouped', '', NULL, 'user', 'string',
            'default', NULL, NULL, NULL, v, v, NULL, NULL, false FROM (VALUES {_values(settings)}) s(k, v);
        """)
    duck_types = con.execute(
        "SELECT DISTINCT type_name FROM duckdb_types() UNION SELECT DISTINCT logical_type FROM duckdb_types()"
    ).fetchall()
    con.execute(f"""
        CREATE OR REPLACE TABLE {m}.pg_df_duck_types (duck VARCHAR, oid UINTEGER);
        INSERT INTO {m}.pg_df_duck_types VALUES {_values(sorted((d, pg_type_of(d).oid) for (d,) in duck_types))};
        """)
    con.execute(_HELPER_MACROS.format(m=m, ns=PUBLIC_NS, storage=numeric_storage.STORAGE))
    con.execute(_CATALOG_VIEWS.format(m=m, ns=PUBLIC_NS, declared=_declared_types_relation(con),
                                      names=_constraint_names_relation(con)))
    # the start time as a constant: a DuckDB variable would be the installing connection's only
    started = datetime.datetime.now(datetime.timezone.utc).isoformat()
    con.execute(_CATALOG_MACROS.format(m=m, ns=PUBLIC_NS, started=started))
    con.execute(_LATE_VIEWS.format(m=m, ns=PUBLIC_NS))


def _declared_types_relation(con: duckdb.DuckDBPyConnection) -> str:
    """The declared PostgreSQL column types (engine/column_types.py)."""
    return _dataforge_relation(con, "column_types", (
        "NULL::VARCHAR AS schema_name, NULL::VARCHAR AS table_name, NULL::VARCHAR AS column_name, "
        "NULL::INTEGER AS type_oid, NULL::INTEGER AS typmod"))


def _constraint_names_relation(con: duckdb.DuckDBPyConnection) -> str:
    """The constraint names CREATE TABLE gave (engine/column_types.py CONSTRAINT_NAMES)."""
    return _dataforge_relation(con, "constraint_names", (
        "NULL::VARCHAR AS schema_name, NULL::VARCHAR AS table_name, NULL::VARCHAR AS contype, "
        "NULL::VARCHAR AS cols, NULL::VARCHAR AS name"))


def _dataforge_relation(con: duckdb.DuckDBPyConnection, table: str, empty_columns: str) -> str:
    """The gateway's own table `_dataforge.<table>`, named with the user's database (a view
    here binds in the compat catalog); an empty relation of those columns when absent."""
    db = con.execute("SELECT current_database()").fetchone()[0]
    found = con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND schema_name = '_dataforge' "
                        "AND table_name = ?", [db, table]).fetchone()[0]
    if found:
        return '"' + db.replace('"', '""') + f'"._dataforge.{table}'
    return f"(SELECT {empty_columns} WHERE false)"


# The user's objects. `pg_df_*` are the gateway's own helpers (full rows, PG names), the
# `pg_*` views select PostgreSQL's columns from them.
_CATALOG_VIEWS = """
CREATE OR REPLACE VIEW {m}.pg_namespace AS
SELECT * FROM (VALUES
    (11::UINTEGER, 'pg_catalog', 10::UINTEGER, NULL::VARCHAR[]),
    (99::UINTEGER, 'pg_toast', 10::UINTEGER, NULL::VARCHAR[]),
    (13183::UINTEGER, 'information_schema', 10::UINTEGER, NULL::VARCHAR[]),
    ({ns}::UINTEGER, 'public', 10::UINTEGER, NULL::VARCHAR[])) v(oid, nspname, nspowner, nspacl)
UNION ALL
SELECT s.oid::UINTEGER, CASE WHEN s.database_name = 'temp' THEN 'pg_temp_3' ELSE s.schema_name END,
    10::UINTEGER, NULL::VARCHAR[]
FROM duckdb_schemas() s
WHERE (s.database_name = current_database() AND s.schema_name NOT IN ('main', 'pg_catalog', 'information_schema', '_dataforge'))
   OR (s.database_name = 'temp' AND s.schema_name = 'main');


-- PostgreSQL's built-in types, then the user's ENUM types (CREATE TYPE … AS ENUM)
CREATE OR REPLACE VIEW {m}.pg_type AS
SELECT * FROM {m}.pg_df_base_types
UNION ALL
SELECT t.type_oid::UINTEGER, t.type_name, {m}.pg_df_nsp(t.database_name, t.schema_name, t.schema_oid),
    10::UINTEGER, 4::SMALLINT, true, 'e'::{m}.pg_char, 'E'::{m}.pg_char, false, true, ','::{m}.pg_char,
    0::UINTEGER, '-', 0::UINTEGER, 0::UINTEGER,
    (SELECT p.oid FROM {m}.pg_df_io_procs p WHERE p.proname = 'enum_in'),
    (SELECT p.oid FROM {m}.pg_df_io_procs p WHERE p.proname = 'enum_out'),
    (SELECT p.oid FROM {m}.pg_df_io_procs p WHERE p.proname = 'enum_recv'),
    (SELECT p.oid FROM {m}.pg_df_io_procs p WHERE p.proname = 'enum_send'), '-', '-',
    '-', 'i'::{m}.pg_char, 'p'::{m}.pg_char, false, 0::UINTEGER, -1, 0, 0::UINTEGER, NULL, NULL, NULL
FROM duckdb_types() t
WHERE t.database_name IN (current_database(), 'temp') AND NOT t.internal AND t.logical_type = 'ENUM';

CREATE OR REPLACE VIEW {m}.pg_enum AS
SELECT (t.type_oid * 1024 + e.i)::UINTEGER AS oid, t.type_oid::UINTEGER AS enumtypid,
    e.i::REAL AS enumsortorder, t.labels[e.i] AS enumlabel
FROM duckdb_types() t, (SELECT unnest(range(1, 1025)) AS i) e
WHERE t.database_name IN (current_database(), 'temp') AND NOT t.internal AND t.logical_type = 'ENUM'
  AND e.i <= len(t.labels);

CREATE OR REPLACE VIEW {m}.pg_df_constraints AS
WITH base AS (
    SELECT c.*, row_number() OVER (PARTITION BY c.table_oid ORDER BY c.constraint_index) AS n,
        row_number() OVER (PARTITION BY c.table_oid, c.constraint_type ORDER BY c.constraint_index) AS tn,
        CASE c.constraint_type WHEN 'PRIMARY KEY' THEN 'p' WHEN 'UNIQUE' THEN 'u'
             WHEN 'FOREIGN KEY' THEN 'f' WHEN 'CHECK' THEN 'c' END AS contype
    FROM duckdb_constraints() c
    WHERE c.database_name IN (current_database(), 'temp')
      AND c.constraint_type IN ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY', 'CHECK')
      -- not the CHECKs the CREATE TABLE rewrite adds for varchar(n)/char(n) (rewrite._length_check)
      AND NOT (c.constraint_type = 'CHECK' AND coalesce(regexp_full_match(c.expression, '\\((char_)?length\\(rtrim\\(.*, '' ''\\)\\) <= \\d+\\)'), false))),
cols AS (
    SELECT col.database_name, col.schema_name, col.table_name,
        list(lower(col.column_name) ORDER BY col.column_index) AS names
    FROM duckdb_columns() col WHERE col.database_name IN (current_database(), 'temp')
    GROUP BY col.database_name, col.schema_name, col.table_name),
tabs AS (
    SELECT t.database_name, t.schema_name, t.table_name, t.table_oid
    FROM duckdb_tables() t WHERE t.database_name IN (current_database(), 'temp')),
uk AS (  -- the unique index a foreign key references
    SELECT b.database_name, b.schema_name, b.table_name, b.constraint_column_names,
        min(b.table_oid * 64 + 32 + b.n)::UINTEGER AS index_oid
    FROM base b WHERE b.contype IN ('p', 'u')
    GROUP BY b.database_name, b.schema_name, b.table_name, b.constraint_column_names),
k AS (
    SELECT base.*, cols.names AS ref_cols, tabs.table_oid AS ref_oid, uk.index_oid AS ref_index
    FROM base
    LEFT JOIN cols ON base.contype = 'f' AND cols.table_name = base.referenced_table
        AND cols.schema_name = base.schema_name AND cols.database_name = base.database_name
    LEFT JOIN tabs ON base.contype = 'f' AND tabs.table_name = base.referenced_table
        AND tabs.schema_name = base.schema_name AND tabs.database_name = base.database_name
    LEFT JOIN uk ON base.contype = 'f' AND uk.table_name = base.referenced_table
        AND uk.schema_name = base.schema_name AND uk.database_name = base.database_name
        AND uk.constraint_column_names = base.referenced_column_names)
SELECT (k.table_oid * 64 + k.n)::UINTEGER AS oid,
    coalesce(nm.name,  -- the name CREATE TABLE gave it (engine/column_types.py CONSTRAINT_NAMES)
    CASE k.contype WHEN 'p' THEN k.table_name || '_pkey'
         WHEN 'f' THEN k.table_name || '_' || array_to_string(k.constraint_column_names, '_') || '_fkey'
         ELSE k.constraint_name END) AS conname,
    {m}.pg_df_nsp(k.database_name, k.schema_name, k.schema_oid) AS relnamespace,
    k.contype, k.table_oid::UINTEGER AS conrelid,
    CASE WHEN k.contype IN ('p', 'u') THEN (k.table_oid * 64 + 32 + k.n)::UINTEGER
         WHEN k.contype = 'f' THEN k.ref_index
         ELSE 0::UINTEGER END AS index_oid,
    CASE WHEN k.contype = 'f' THEN k.ref_oid::UINTEGER ELSE 0::UINTEGER END AS confrelid,
    list_transform(k.constraint_column_indexes, x -> (x + 1)::SMALLINT) AS conkey,
    CASE WHEN k.contype = 'f' THEN list_transform(k.referenced_column_names,
        x -> list_position(k.ref_cols, lower(x))::SMALLINT) END AS confkey,
    CASE k.contype
         WHEN 'p' THEN 'PRIMARY KEY (' || array_to_string(k.constraint_column_names, ', ') || ')'
         WHEN 'u' THEN 'UNIQUE (' || array_to_string(k.constraint_column_names, ', ') || ')'
         WHEN 'f' THEN 'FOREIGN KEY (' || array_to_string(k.constraint_column_names, ', ') || ') REFERENCES '
              || k.referenced_table || '(' || array_to_string(k.referenced_column_names, ', ') || ')'
         ELSE CASE WHEN k.expression LIKE '(%)' THEN 'CHECK ' || k.expression  -- DuckDB parenthesises it
                   ELSE 'CHECK (' || k.expression || ')' END END AS condef,
    k.database_name AS db, k.schema_name AS sch, k.table_name,
    k.constraint_column_names AS colnames, k.expression AS check_expr  -- for engine/rebuild.py
FROM k
LEFT JOIN {names} nm ON k.database_name = current_database()
    AND nm.schema_name = lower(k.schema_name) AND nm.table_name = lower(k.table_name) AND nm.contype = k.contype
    AND nm.cols = CASE WHEN k.contype = 'c' THEN '#' || k.tn  -- a CHECK by its place
                       ELSE lower(array_to_string(k.constraint_column_names, ',')) END;

CREATE OR REPLACE VIEW {m}.pg_df_relations AS
SELECT t.table_oid::UINTEGER AS oid, t.table_name AS relname,
    {m}.pg_df_nsp(t.database_name, t.schema_name, t.schema_oid) AS relnamespace,
    'r' AS relkind, t.column_count AS relnatts, t.check_constraint_count - coalesce(lc.n, 0) AS relchecks,
    (t.index_count > 0 OR t.has_primary_key) AS relhasindex,
    CASE WHEN t.temporary THEN 't' ELSE 'p' END AS relpersistence,
    t.estimated_size AS reltuples, 2 AS relam, t.comment AS description,
    t.database_name AS db, t.schema_name AS sch, NULL AS sql
FROM duckdb_tables() t
LEFT JOIN (SELECT lc.table_oid, count(*) AS n FROM duckdb_constraints() lc
           WHERE lc.constraint_type = 'CHECK' AND regexp_full_match(lc.expression, '\\((char_)?length\\(rtrim\\(.*, '' ''\\)\\) <= \\d+\\)')
           GROUP BY lc.table_oid) lc ON lc.table_oid = t.table_oid
WHERE t.database_name IN (current_database(), 'temp')
  AND t.schema_name <> '_dataforge'  -- the gateway's own records (catalog/ddl.py, engine/column_types.py)
UNION ALL
SELECT v.view_oid::UINTEGER, v.view_name, {m}.pg_df_nsp(v.database_name, v.schema_name, v.schema_oid),
    'v', v.column_count, 0, false, CASE WHEN v.temporary THEN 't' ELSE 'p' END, 0, 0, v.comment,
    v.database_name, v.schema_name, v.sql
FROM duckdb_views() v
WHERE v.database_name IN (current_database(), 'temp') AND NOT v.internal
UNION ALL
SELECT i.index_oid::UINTEGER, i.index_name, {m}.pg_df_nsp(i.database_name, i.schema_name, i.schema_oid),
    'i', len({m}.pg_df_index_keys(i.expressions)), 0, false, 'p', 0, 403, i.comment,
    i.database_name, i.schema_name, i.sql
FROM duckdb_indexes() i
WHERE i.database_name IN (current_database(), 'temp')
UNION ALL
SELECT c.index_oid, c.conname, c.relnamespace, 'i', len(c.conkey), 0, false, 'p', 0, 403, NULL,
    c.db, c.sch, NULL
FROM {m}.pg_df_constraints c WHERE c.contype IN ('p', 'u')
UNION ALL
SELECT s.sequence_oid::UINTEGER, s.sequence_name, {m}.pg_df_nsp(s.database_name, s.schema_name, s.schema_oid),
    'S', 3, 0, false, CASE WHEN s.temporary THEN 't' ELSE 'p' END, 1, 0, s.comment,
    s.database_name, s.schema_name, s.sql
FROM duckdb_sequences() s
WHERE s.database_name IN (current_database(), 'temp')
UNION ALL
SELECT r.oid, r.relname, 11::UINTEGER, 'r', 0, 0, true, 'p', 0, 2, NULL, NULL, 'pg_catalog', NULL
FROM {m}.pg_df_catalog_relations r;

CREATE OR REPLACE VIEW {m}.pg_class AS
SELECT oid, relname, relnamespace, 0::UINTEGER AS reltype, 0::UINTEGER AS reloftype,
    10::UINTEGER AS relowner, relam::UINTEGER AS relam, oid AS relfilenode,
    0::UINTEGER AS reltablespace, 0::INTEGER AS relpages, reltuples::REAL AS reltuples,
    0::INTEGER AS relallvisible, 0::UINTEGER AS reltoastrelid, relhasindex,
    false AS relisshared, relpersistence::{m}.pg_char AS relpersistence,
    relkind::{m}.pg_char AS relkind, relnatts::SMALLINT AS relnatts,
    relchecks::SMALLINT AS relchecks, false AS relhasrules,
    -- PostgreSQL implements foreign keys with triggers on both tables; psql asks for FKs only then
    relkind = 'r' AND oid IN (SELECT fk.conrelid FROM {m}.pg_df_constraints fk WHERE fk.contype = 'f'
                              UNION ALL SELECT fk.confrelid FROM {m}.pg_df_constraints fk WHERE fk.contype = 'f')
        AS relhastriggers,
    false AS relhassubclass, false AS relrowsecurity, false AS relforcerowsecurity,
    true AS relispopulated, (CASE WHEN relkind = 'r' THEN 'd' ELSE 'n' END)::{m}.pg_char AS relreplident,
    false AS relispartition, 0::UINTEGER AS relrewrite, 0::UINTEGER AS relfrozenxid,
    0::UINTEGER AS relminmxid, NULL::VARCHAR[] AS relacl, NULL::VARCHAR[] AS reloptions,
    NULL::VARCHAR AS relpartbound
FROM {m}.pg_df_relations;

CREATE OR REPLACE VIEW {m}.pg_df_columns AS
WITH c AS (
    SELECT col.table_oid, col.column_name, col.column_index, col.is_nullable, col.column_default,
        col.comment, col.data_type, col.data_type LIKE '%[]' AS is_array, col.database_name, col.schema_name,
        col.table_name,
        CASE WHEN col.data_type LIKE '%[]' THEN col.data_type[1:-3] ELSE col.data_type END AS base
    FROM duckdb_columns() col WHERE col.database_name IN (current_database(), 'temp')),
e AS (  -- a user's enum type: DuckDB names a column's type by its labels
    SELECT et.type_oid::UINTEGER AS oid, 'ENUM(' || array_to_string(list_transform(et.labels,
            x -> chr(39) || replace(x, chr(39), chr(39) || chr(39)) || chr(39)), ', ') || ')' AS sig
    FROM duckdb_types() et
    WHERE et.logical_type = 'ENUM' AND NOT et.internal AND et.database_name IN (current_database(), 'temp')),
t AS (
    SELECT c.*, coalesce(CASE WHEN c.base LIKE 'DECIMAL(%' THEN 1700 END, d.oid, e.oid,
            CASE WHEN c.base LIKE 'STRUCT(%' OR c.base LIKE 'MAP(%' OR c.base LIKE 'UNION(%' THEN 114
                 WHEN c.base LIKE 'TIMESTAMP WITH TIME ZONE%' THEN 1184 ELSE 25 END)::UINTEGER AS scalar_oid
    FROM c LEFT JOIN {m}.pg_df_duck_types d ON d.duck = c.base LEFT JOIN e ON e.sig = c.base),
u0 AS (
    SELECT t.*, (CASE WHEN NOT t.is_array THEN t.scalar_oid
                      ELSE coalesce(nullif(b.typarray, 0), 114) END)::UINTEGER AS duck_oid
    FROM t LEFT JOIN {m}.pg_df_base_types b ON b.oid = t.scalar_oid),
u AS (  -- the PostgreSQL type the column was declared with where DuckDB does not keep it
    SELECT u0.*, coalesce(d.type_oid, u0.duck_oid)::UINTEGER AS type_oid, d.typmod AS declared_typmod
    FROM u0 LEFT JOIN {declared} d
      ON u0.database_name = current_database() AND d.schema_name = lower(u0.schema_name)
     AND d.table_name = lower(u0.table_name) AND d.column_name = lower(u0.column_name)
     AND u0.duck_oid IN (25, 114, 1114, 1184, 1009, 199, 1115, 1185, 1700, 1231))
SELECT u.table_oid::UINTEGER AS attrelid, u.column_name AS attname, u.type_oid AS atttypid,
    u.column_index::SMALLINT AS attnum,
    coalesce(u.declared_typmod, {m}.pg_df_duck_typmod(u.data_type)) AS atttypmod,
    NOT u.is_nullable AS attnotnull,
    CASE WHEN regexp_full_match(u.column_default, '''-?[0-9]+(\\.[0-9]+)?''')
              AND u.type_oid IN (20, 21, 23, 700, 701, 1700)
         THEN trim(u.column_default, '''')  -- PostgreSQL folds '1.5' into the numeric constant
         WHEN u.column_default LIKE '''%''' AND u.type_oid = 25
         THEN u.column_default || '::text'
         -- a quoted constant keeps its type in pg_get_expr(): '2024-01-01'::date
         WHEN u.column_default LIKE '''%''' AND u.type_oid IN (1082, 2950, 1043, 1042, 114, 3802)
         THEN u.column_default || CASE u.type_oid WHEN 1082 THEN '::date' WHEN 2950 THEN '::uuid'
              WHEN 1043 THEN '::character varying' WHEN 1042 THEN '::bpchar' WHEN 114 THEN '::json'
              ELSE '::jsonb' END
         -- DuckDB's spelling of a default -> pg_get_expr()'s
         WHEN u.column_default = 'CAST(''t'' AS BOOLEAN)' THEN 'true'
         WHEN u.column_default = 'CAST(''f'' AS BOOLEAN)' THEN 'false'
         WHEN regexp_full_match(u.column_default, 'nextval\\(''[^'']+''\\)')
         THEN replace(u.column_default, ''')', '''::regclass)')
         WHEN u.column_default = 'CURRENT_TIMESTAMP' THEN 'CURRENT_TIMESTAMP'
         WHEN u.column_default = 'uuid()' THEN 'gen_random_uuid()'  -- DuckDB's name for it (TypeORM diffs by text)
         ELSE u.column_default END AS adbin, u.comment AS description,
    u.data_type AS duck_type
FROM u;

CREATE OR REPLACE VIEW {m}.pg_attrdef AS
SELECT (a.attrelid * 64 + a.attnum)::UINTEGER AS oid, a.attrelid AS adrelid, a.attnum AS adnum,
    a.adbin
FROM {m}.pg_df_columns a WHERE a.adbin IS NOT NULL;

CREATE OR REPLACE VIEW {m}.pg_constraint AS
SELECT c.oid, c.conname, c.relnamespace AS connamespace, c.contype::{m}.pg_char AS contype, false AS condeferrable,
    false AS condeferred, true AS convalidated, c.conrelid, 0::UINTEGER AS contypid,
    CASE WHEN c.contype IN ('p', 'u', 'f') THEN c.index_oid ELSE 0::UINTEGER END AS conindid,
    0::UINTEGER AS conparentid, c.confrelid,
    (CASE WHEN c.contype = 'f' THEN 'a' ELSE ' ' END)::{m}.pg_char AS confupdtype,
    (CASE WHEN c.contype = 'f' THEN 'a' ELSE ' ' END)::{m}.pg_char AS confdeltype,
    (CASE WHEN c.contype = 'f' THEN 's' ELSE ' ' END)::{m}.pg_char AS confmatchtype,
    true AS conislocal, 0::INTEGER AS coninhcount, false AS connoinherit, c.conkey, c.confkey,
    NULL::UINTEGER[] AS conpfeqop, NULL::UINTEGER[] AS conppeqop, NULL::UINTEGER[] AS conffeqop,
    NULL::SMALLINT[] AS confdelsetcols, NULL::UINTEGER[] AS conexclop,
    CASE WHEN c.contype = 'c' THEN c.condef END AS conbin
FROM {m}.pg_df_constraints c;

CREATE OR REPLACE VIEW {m}.pg_df_indexes AS
WITH tc AS (
    SELECT table_oid, list(lower(column_name) ORDER BY column_index) AS cols,
        list(column_name ORDER BY column_index) AS names
    FROM duckdb_columns() WHERE database_name IN (current_database(), 'temp') GROUP BY table_oid)
SELECT i.index_oid::UINTEGER AS indexrelid, i.table_oid::UINTEGER AS indrelid,
    list_transform({m}.pg_df_index_keys(i.expressions),
        x -> coalesce(list_position(tc.cols, lower(x)), 0)::SMALLINT) AS indkey,
    i.is_unique AS indisunique, i.is_primary AS indisprimary,
    {m}.pg_df_index_keys(i.expressions) AS keys,
    CASE WHEN i.is_unique THEN 'CREATE UNIQUE INDEX ' ELSE 'CREATE INDEX ' END || i.index_name
        || ' ON ' || CASE WHEN i.schema_name = 'main' THEN 'public' ELSE i.schema_name END || '.'
        || i.table_name || ' USING btree (' || array_to_string({m}.pg_df_index_keys(i.expressions), ', ')
        || ')' AS indexdef
FROM duckdb_indexes() i LEFT JOIN tc ON tc.table_oid = i.table_oid
WHERE i.database_name IN (current_database(), 'temp')
UNION ALL
SELECT c.index_oid, c.conrelid, c.conkey, true, c.contype = 'p',
    list_transform(c.conkey, x -> tc.names[x]),
    'CREATE UNIQUE INDEX ' || c.conname || ' ON '
        || CASE WHEN c.sch = 'main' THEN 'public' ELSE c.sch END || '.' || c.table_name
        || ' USING btree (' || array_to_string(list_transform(c.conkey, x -> tc.names[x]), ', ') || ')'
FROM {m}.pg_df_constraints c LEFT JOIN tc ON tc.table_oid = c.conrelid WHERE c.contype IN ('p', 'u');

CREATE OR REPLACE VIEW {m}.pg_index AS
SELECT i.indexrelid, i.indrelid, len(i.indkey)::SMALLINT AS indnatts,
    len(i.indkey)::SMALLINT AS indnkeyatts, i.indisunique, false AS indnullsnotdistinct,
    i.indisprimary, false AS indisexclusion, true AS indimmediate, false AS indisclustered,
    true AS indisvalid, false AS indcheckxmin, true AS indisready, true AS indislive,
    false AS indisreplident, i.indkey::USMALLINT[] AS indkey,  -- USMALLINT[] is int2vector (protocol/types.py)
    list_transform(i.indkey, x -> 0::UINTEGER) AS indcollation,
    list_transform(i.indkey, x -> 0::UINTEGER) AS indclass,
    list_transform(i.indkey, x -> 0::USMALLINT) AS indoption,  -- all ascending, NULLS LAST
    NULL::VARCHAR AS indexprs, NULL::VARCHAR AS indpred
FROM {m}.pg_df_indexes i;

CREATE OR REPLACE VIEW {m}.pg_description AS
SELECT r.oid AS objoid, 1259::UINTEGER AS classoid, 0::INTEGER AS objsubid, r.description
FROM {m}.pg_df_relations r WHERE r.description IS NOT NULL AND r.relkind IN ('r', 'v', 'S')
UNION ALL
SELECT a.attrelid, 1259::UINTEGER, a.attnum::INTEGER, a.description
FROM {m}.pg_df_columns a WHERE a.description IS NOT NULL
UNION ALL  -- the built-in objects' comments (psql's \\dn+, \\dL, \\dx show them)
SELECT * FROM (VALUES (11::UINTEGER, 2615::UINTEGER, 0, 'system catalog schema'),
    (99::UINTEGER, 2615::UINTEGER, 0, 'reserved schema for TOAST tables'),
    ({ns}::UINTEGER, 2615::UINTEGER, 0, 'standard public schema'),
    (12::UINTEGER, 2612::UINTEGER, 0, 'built-in functions'),
    (13::UINTEGER, 2612::UINTEGER, 0, 'dynamically-loaded C functions'),
    (14::UINTEGER, 2612::UINTEGER, 0, 'SQL-language functions'),
    (13576::UINTEGER, 2612::UINTEGER, 0, 'PL/pgSQL procedural language'),
    (13500::UINTEGER, 3079::UINTEGER, 0, 'PL/pgSQL procedural language')) v(objoid, classoid, objsubid, description);

CREATE OR REPLACE VIEW {m}.pg_sequence AS
SELECT s.sequence_oid::UINTEGER AS seqrelid, 20::UINTEGER AS seqtypid, s.start_value AS seqstart,
    s.increment_by AS seqincrement, s.max_value AS seqmax, s.min_value AS seqmin,
    1::BIGINT AS seqcache, s.cycle AS seqcycle
FROM duckdb_sequences() s WHERE s.database_name IN (current_database(), 'temp');

-- the gateway's database, and PostgreSQL's two templates (no connections allowed), which
-- psql's \\l and tools listing databases expect to see and filter out
CREATE OR REPLACE VIEW {m}.pg_database AS
SELECT oid::UINTEGER AS oid, datname, 10::UINTEGER AS datdba,
    6 AS encoding, 'c'::{m}.pg_char AS datlocprovider, datistemplate, datallowconn,
    -1 AS datconnlimit, 0::UINTEGER AS datfrozenxid, 0::UINTEGER AS datminmxid,
    1663::UINTEGER AS dattablespace, 'C' AS datcollate, 'C' AS datctype,
    NULL::VARCHAR AS daticulocale, NULL::VARCHAR AS datcollversion, datacl
FROM (VALUES (16384, current_database(), false, true, NULL::VARCHAR[]),
             (1, 'template1', true, true, ['=c/postgres', 'postgres=CTc/postgres']),
             (4, 'template0', true, false, ['=c/postgres', 'postgres=CTc/postgres']))
     d(oid, datname, datistemplate, datallowconn, datacl);

-- PostgreSQL's bootstrap superuser (the gateway enforces its own users and roles, auth.py)
CREATE OR REPLACE VIEW {m}.pg_authid AS
SELECT 10::UINTEGER AS oid, 'postgres' AS rolname, true AS rolsuper, true AS rolinherit,
    true AS rolcreaterole, true AS rolcreatedb, true AS rolcanlogin, true AS rolreplication,
    true AS rolbypassrls, -1 AS rolconnlimit, NULL::VARCHAR AS rolpassword,
    NULL::TIMESTAMPTZ AS rolvaliduntil;

CREATE OR REPLACE VIEW {m}.pg_roles AS
SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication,
    rolconnlimit, '********' AS rolpassword, rolvaliduntil, rolbypassrls,
    NULL::VARCHAR[] AS rolconfig, oid
FROM {m}.pg_authid;

CREATE OR REPLACE VIEW {m}.pg_shadow AS
SELECT rolname AS usename, oid AS usesysid, rolcreatedb AS usecreatedb, rolsuper AS usesuper,
    rolreplication AS userepl, rolbypassrls AS usebypassrls, rolpassword AS passwd,
    rolvaliduntil AS valuntil, NULL::VARCHAR[] AS useconfig
FROM {m}.pg_authid;

CREATE OR REPLACE VIEW {m}.pg_user AS
SELECT 'postgres' AS usename, 10::UINTEGER AS usesysid, true AS usecreatedb, true AS usesuper,
    true AS userepl, true AS usebypassrls, '********' AS passwd,
    NULL::TIMESTAMPTZ AS valuntil, NULL::VARCHAR[] AS useconfig;

CREATE OR REPLACE VIEW {m}.pg_proc AS
SELECT (CASE WHEN f.function_oid <> 0 AND row_number() OVER overloads = 1 THEN f.function_oid
    ELSE 3000000000 + f.function_oid * 256 + row_number() OVER overloads END)::UINTEGER AS oid,
    f.function_name AS proname, 11::UINTEGER AS pronamespace,
    10::UINTEGER AS proowner, 12::UINTEGER AS prolang, 1::REAL AS procost, 0::REAL AS prorows,
    0::UINTEGER AS provariadic, '-' AS prosupport,
    (CASE f.function_type WHEN 'aggregate' THEN 'a' ELSE 'f' END)::{m}.pg_char AS prokind,
    false AS prosecdef, false AS proleakproof, false AS proisstrict,
    f.function_type = 'table' AS proretset, (CASE WHEN f.stability = 'CONSISTENT' THEN 'i' ELSE 'v' END)::{m}.pg_char AS provolatile,
    's'::{m}.pg_char AS proparallel, len(f.parameters)::SMALLINT AS pronargs, 0::SMALLINT AS pronargdefaults,
    25::UINTEGER AS prorettype, []::UINTEGER[] AS proargtypes, NULL::UINTEGER[] AS proallargtypes,
    NULL::VARCHAR[] AS proargmodes, f.parameters AS proargnames, NULL::VARCHAR AS proargdefaults,
    NULL::UINTEGER[] AS protrftypes, coalesce(f.macro_definition, f.function_name) AS prosrc,
    NULL::VARCHAR AS probin, NULL::VARCHAR AS prosqlbody, NULL::VARCHAR[] AS proconfig,
    NULL::VARCHAR[] AS proacl
FROM duckdb_functions() f
WHERE f.function_type IN ('scalar', 'aggregate', 'macro', 'table') AND NOT starts_with(f.function_name, 'pg_df_')
-- DuckDB's overloads share one function OID; each is its own pg_proc row (a join on oid must
-- not multiply): the first keeps DuckDB's OID, the others get their own above 3e9
WINDOW overloads AS (PARTITION BY f.function_oid ORDER BY f.function_name, f.function_type,
    f.parameter_types::VARCHAR, f.parameters::VARCHAR, f.return_type, f.schema_name, f.database_name)
UNION ALL
SELECT io.oid, io.proname, 11, 10, 12, 1, 0, 0, '-', 'f', false, false, true, false, 'i', 's', 1, 0,
    0, [], NULL, NULL, NULL, NULL, NULL, io.proname, NULL, NULL, NULL, NULL
FROM {m}.pg_df_io_procs io;

CREATE OR REPLACE VIEW {m}.pg_tables AS
SELECT n.nspname AS schemaname, r.relname AS tablename, 'postgres' AS tableowner,
    NULL::VARCHAR AS tablespace, r.relhasindex AS hasindexes, false AS hasrules,
    false AS hastriggers, false AS rowsecurity
FROM {m}.pg_df_relations r JOIN {m}.pg_namespace n ON n.oid = r.relnamespace WHERE r.relkind = 'r';

CREATE OR REPLACE VIEW {m}.pg_views AS
SELECT n.nspname AS schemaname, r.relname AS viewname, 'postgres' AS viewowner, r.sql AS definition
FROM {m}.pg_df_relations r JOIN {m}.pg_namespace n ON n.oid = r.relnamespace WHERE r.relkind = 'v';

CREATE OR REPLACE VIEW {m}.pg_indexes AS
SELECT n.nspname AS schemaname, t.relname AS tablename, ic.relname AS indexname,
    NULL::VARCHAR AS tablespace, i.indexdef
FROM {m}.pg_df_indexes i JOIN {m}.pg_df_relations t ON t.oid = i.indrelid
JOIN {m}.pg_df_relations ic ON ic.oid = i.indexrelid
JOIN {m}.pg_namespace n ON n.oid = t.relnamespace;

-- statistics: the live-row estimate DuckDB keeps, no scan counters
CREATE OR REPLACE VIEW {m}.pg_stat_user_tables AS
SELECT t.table_oid::UINTEGER AS relid, CASE WHEN t.schema_name = 'main' THEN 'public' ELSE t.schema_name END AS schemaname,
    t.table_name AS relname, 0::BIGINT AS seq_scan, 0::BIGINT AS seq_tup_read, 0::BIGINT AS idx_scan,
    0::BIGINT AS idx_tup_fetch, 0::BIGINT AS n_tup_ins, 0::BIGINT AS n_tup_upd, 0::BIGINT AS n_tup_del,
    0::BIGINT AS n_tup_hot_upd, t.estimated_size::BIGINT AS n_live_tup, 0::BIGINT AS n_dead_tup,
    0::BIGINT AS n_mod_since_analyze, 0::BIGINT AS n_ins_since_vacuum, NULL::TIMESTAMPTZ AS last_vacuum,
    NULL::TIMESTAMPTZ AS last_autovacuum, NULL::TIMESTAMPTZ AS last_analyze,
    NULL::TIMESTAMPTZ AS last_autoanalyze, 0::BIGINT AS vacuum_count, 0::BIGINT AS autovacuum_count,
    0::BIGINT AS analyze_count, 0::BIGINT AS autoanalyze_count
FROM duckdb_tables() t WHERE t.database_name = current_database();

CREATE OR REPLACE VIEW {m}.pg_stat_all_tables AS SELECT * FROM {m}.pg_stat_user_tables;

CREATE OR REPLACE VIEW {m}.pg_statio_user_tables AS
SELECT relid, schemaname, relname, 0::BIGINT AS heap_blks_read, 0::BIGINT AS heap_blks_hit,
    0::BIGINT AS idx_blks_read, 0::BIGINT AS idx_blks_hit, 0::BIGINT AS toast_blks_read,
    0::BIGINT AS toast_blks_hit, 0::BIGINT AS tidx_blks_read, 0::BIGINT AS tidx_blks_hit
FROM {m}.pg_stat_user_tables;

-- Sequelize's describeTable joins it to pg_description for column comments
CREATE OR REPLACE VIEW {m}.pg_statio_all_tables AS SELECT * FROM {m}.pg_statio_user_tables;

CREATE OR REPLACE VIEW {m}.pg_matviews AS
SELECT NULL::VARCHAR AS schemaname, NULL::VARCHAR AS matviewname, NULL::VARCHAR AS matviewowner,
    NULL::VARCHAR AS tablespace, NULL::BOOLEAN AS hasindexes, NULL::BOOLEAN AS ispopulated,
    NULL::VARCHAR AS definition WHERE false;

CREATE OR REPLACE VIEW {m}.pg_stat_activity AS
SELECT 16384::UINTEGER AS datid, current_database() AS datname, 0 AS pid,
    10::UINTEGER AS usesysid, 'postgres' AS usename, '' AS application_name,
    NULL::VARCHAR AS client_addr, 'active' AS state, NULL::VARCHAR AS query WHERE false;
"""

# views over the macros above (DuckDB binds a view when it is created)
_LATE_VIEWS = """
-- an index's own columns (psql's \\d index, pgjdbc's getIndexInfo read them)
CREATE OR REPLACE VIEW {m}.pg_df_index_columns AS
WITH k AS (
    SELECT i.indexrelid, i.indrelid, unnest(i.keys) AS attname, unnest(i.indkey) AS tabnum,
        unnest(range(1, len(i.keys) + 1)) AS attnum
    FROM {m}.pg_df_indexes i)
SELECT k.indexrelid AS attrelid, k.attname, c.atttypid, k.attnum::SMALLINT AS attnum, c.atttypmod,
    false AS attnotnull, NULL::VARCHAR AS adbin
FROM k LEFT JOIN {m}.pg_df_columns c ON c.attrelid = k.indrelid AND c.attnum = k.tabnum;

CREATE OR REPLACE VIEW {m}.pg_attribute AS
SELECT a.attrelid, a.attname, a.atttypid, -1::INTEGER AS attstattarget, t.typlen AS attlen,
    a.attnum, CASE WHEN t.typcategory = 'A' THEN 1 ELSE 0 END::INTEGER AS attndims,
    -1::INTEGER AS attcacheoff, a.atttypmod, t.typbyval AS attbyval, t.typalign AS attalign,
    t.typstorage AS attstorage, ''::{m}.pg_char AS attcompression, a.attnotnull,
    a.adbin IS NOT NULL AS atthasdef, false AS atthasmissing, ''::{m}.pg_char AS attidentity,
    ''::{m}.pg_char AS attgenerated, false AS attisdropped, true AS attislocal, 0::INTEGER AS attinhcount,
    t.typcollation AS attcollation, NULL::VARCHAR[] AS attacl, NULL::VARCHAR[] AS attoptions,
    NULL::VARCHAR[] AS attfdwoptions, NULL::VARCHAR AS attmissingval
FROM (SELECT attrelid, attname, atttypid, attnum, atttypmod, attnotnull, adbin FROM {m}.pg_df_columns
      UNION ALL
      SELECT attrelid, attname, atttypid, attnum, atttypmod, attnotnull, adbin FROM {m}.pg_df_index_columns) a
LEFT JOIN {m}.pg_type t ON t.oid = a.atttypid;

CREATE OR REPLACE VIEW {m}.pg_df_procs AS
SELECT p.oid, {m}.format_type(p.prorettype, NULL) AS prorettype_name,
    array_to_string(coalesce(p.proargnames, []), ', ') AS args
FROM {m}.pg_proc p;
CREATE OR REPLACE MACRO {m}.pg_get_function_result(o) AS (
    SELECT df_p.prorettype_name FROM {m}.pg_df_procs df_p WHERE df_p.oid = o LIMIT 1);
CREATE OR REPLACE MACRO {m}.pg_get_function_arguments(o) AS (
    SELECT df_p.args FROM {m}.pg_df_procs df_p WHERE df_p.oid = o LIMIT 1);
CREATE OR REPLACE MACRO {m}.pg_get_function_identity_arguments(o) AS (
    SELECT df_p.args FROM {m}.pg_df_procs df_p WHERE df_p.oid = o LIMIT 1);

-- information_schema (PostgreSQL's, over the catalog above; DuckDB has its own, with schema
-- `main` and DuckDB's constraint names and type names). sql/rewrite.py points
-- information_schema.X here.
CREATE OR REPLACE VIEW {m}.information_schema_schemata AS
SELECT current_database() AS catalog_name, n.nspname AS schema_name, 'postgres' AS schema_owner,
    NULL::VARCHAR AS default_character_set_catalog, NULL::VARCHAR AS default_character_set_schema,
    NULL::VARCHAR AS default_character_set_name, NULL::VARCHAR AS sql_path
FROM {m}.pg_namespace n;

CREATE OR REPLACE VIEW {m}.information_schema_tables AS
SELECT current_database() AS table_catalog, n.nspname AS table_schema, c.relname AS table_name,
    CASE WHEN n.nspname = 'pg_temp_3' THEN 'LOCAL TEMPORARY' WHEN c.relkind IN ('r', 'p') THEN 'BASE TABLE'
         WHEN c.relkind = 'v' THEN 'VIEW' WHEN c.relkind = 'f' THEN 'FOREIGN' END AS table_type,
    NULL::VARCHAR AS self_referencing_column_name, NULL::VARCHAR AS reference_generation,
    NULL::VARCHAR AS user_defined_type_catalog, NULL::VARCHAR AS user_defined_type_schema,
    NULL::VARCHAR AS user_defined_type_name,
    CASE WHEN c.relkind IN ('r', 'p') THEN 'YES' ELSE 'NO' END AS is_insertable_into,
    'NO' AS is_typed, NULL::VARCHAR AS commit_action
FROM {m}.pg_class c JOIN {m}.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'v', 'p', 'f');

CREATE OR REPLACE VIEW {m}.information_schema_columns AS
SELECT current_database() AS table_catalog, n.nspname AS table_schema, c.relname AS table_name,
    a.attname AS column_name, a.attnum::INTEGER AS ordinal_position,
    {m}.pg_get_expr(d.adbin, d.adrelid) AS column_default,
    CASE WHEN a.attnotnull THEN 'NO' ELSE 'YES' END AS is_nullable,
    CASE WHEN t.typcategory = 'A' THEN 'ARRAY' WHEN t.typtype = 'e' THEN 'USER-DEFINED'
         WHEN t.oid = 1042 THEN 'character' ELSE coalesce(f.head || f.tail, t.typname) END AS data_type,
    CASE WHEN a.atttypid IN (1042, 1043) AND a.atttypmod > 4 THEN a.atttypmod - 4 END::INTEGER AS character_maximum_length,
    CASE WHEN a.atttypid IN (25, 1042, 1043) THEN 1073741824 END::INTEGER AS character_octet_length,
    CASE a.atttypid WHEN 21 THEN 16 WHEN 23 THEN 32 WHEN 20 THEN 64 WHEN 700 THEN 24 WHEN 701 THEN 53
         WHEN 1700 THEN CASE WHEN a.atttypmod > 4 THEN (a.atttypmod - 4) >> 16 END END::INTEGER AS numeric_precision,
    CASE WHEN a.atttypid IN (21, 23, 20, 700, 701) THEN 2 WHEN a.atttypid = 1700 THEN 10 END::INTEGER AS numeric_precision_radix,
    CASE WHEN a.atttypid IN (21, 23, 20) THEN 0
         WHEN a.atttypid = 1700 AND a.atttypmod > 4 THEN (a.atttypmod - 4) & 65535 END::INTEGER AS numeric_scale,
    CASE WHEN a.atttypid = 1082 THEN 0 WHEN a.atttypid IN (1083, 1114, 1184, 1266) AND a.atttypmod >= 0 THEN a.atttypmod
         WHEN a.atttypid IN (1083, 1114, 1184, 1266, 1186) THEN 6 END::INTEGER AS datetime_precision,
    NULL::VARCHAR AS interval_type, NULL::INTEGER AS interval_precision,
    NULL::VARCHAR AS character_set_catalog, NULL::VARCHAR AS character_set_schema,
    NULL::VARCHAR AS character_set_name, NULL::VARCHAR AS collation_catalog,
    NULL::VARCHAR AS collation_schema, NULL::VARCHAR AS collation_name, NULL::VARCHAR AS domain_catalog,
    NULL::VARCHAR AS domain_schema, NULL::VARCHAR AS domain_name, current_database() AS udt_catalog,
    tn.nspname AS udt_schema, t.typname AS udt_name, NULL::VARCHAR AS scope_catalog,
    NULL::VARCHAR AS scope_schema, NULL::VARCHAR AS scope_name, NULL::INTEGER AS maximum_cardinality,
    a.attnum::VARCHAR AS dtd_identifier, 'NO' AS is_self_referencing, 'NO' AS is_identity,
    NULL::VARCHAR AS identity_generation, NULL::VARCHAR AS identity_start,
    NULL::VARCHAR AS identity_increment, NULL::VARCHAR AS identity_maximum,
    NULL::VARCHAR AS identity_minimum, 'NO' AS identity_cycle, 'NEVER' AS is_generated,
    NULL::VARCHAR AS generation_expression,
    CASE WHEN c.relkind IN ('r', 'p') THEN 'YES' ELSE 'NO' END AS is_updatable
FROM {m}.pg_attribute a JOIN {m}.pg_class c ON c.oid = a.attrelid
JOIN {m}.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN {m}.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
LEFT JOIN {m}.pg_type t ON t.oid = a.atttypid
LEFT JOIN {m}.pg_namespace tn ON tn.oid = t.typnamespace
LEFT JOIN {m}.pg_df_type_format f ON f.oid = a.atttypid
WHERE a.attnum > 0 AND c.relkind IN ('r', 'v', 'p', 'f');

CREATE OR REPLACE VIEW {m}.information_schema_table_constraints AS
SELECT current_database() AS constraint_catalog, n.nspname AS constraint_schema, k.conname AS constraint_name,
    current_database() AS table_catalog, n.nspname AS table_schema, c.relname AS table_name,
    CASE k.contype WHEN 'p' THEN 'PRIMARY KEY' WHEN 'u' THEN 'UNIQUE' WHEN 'f' THEN 'FOREIGN KEY'
         ELSE 'CHECK' END AS constraint_type,
    'NO' AS is_deferrable, 'NO' AS initially_deferred, 'YES' AS enforced,
    CASE WHEN k.contype IN ('p', 'u') THEN 'YES' END AS nulls_distinct
FROM {m}.pg_constraint k JOIN {m}.pg_class c ON c.oid = k.conrelid
JOIN {m}.pg_namespace n ON n.oid = c.relnamespace;

CREATE OR REPLACE VIEW {m}.information_schema_key_column_usage AS
WITH k AS (
    SELECT k.oid, k.conname, k.contype, k.conrelid, k.confrelid, k.conindid,
        unnest(k.conkey) AS attnum, unnest(range(1, len(k.conkey) + 1)) AS pos, k.confkey
    FROM {m}.pg_constraint k WHERE k.contype IN ('p', 'u', 'f'))
SELECT current_database() AS constraint_catalog, n.nspname AS constraint_schema, k.conname AS constraint_name,
    current_database() AS table_catalog, n.nspname AS table_schema, c.relname AS table_name,
    a.attname AS column_name, k.pos::INTEGER AS ordinal_position,
    CASE WHEN k.contype = 'f' THEN k.pos END::INTEGER AS position_in_unique_constraint
FROM k JOIN {m}.pg_class c ON c.oid = k.conrelid JOIN {m}.pg_namespace n ON n.oid = c.relnamespace
JOIN {m}.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.attnum;

-- the columns a constraint uses: its own for primary key, unique and check, the referenced
-- ones (of the other table) for a foreign key (Sequelize's getForeignKeyReferencesForTable)
CREATE OR REPLACE VIEW {m}.information_schema_constraint_column_usage AS
WITH k AS (
    SELECT k.conname, CASE WHEN k.contype = 'f' THEN k.confrelid ELSE k.conrelid END AS relid,
        unnest(CASE WHEN k.contype = 'f' THEN k.confkey ELSE k.conkey END) AS attnum, k.connamespace
    FROM {m}.pg_constraint k WHERE k.contype IN ('p', 'u', 'f', 'c'))
SELECT DISTINCT current_database() AS table_catalog, n.nspname AS table_schema, c.relname AS table_name,
    a.attname AS column_name, current_database() AS constraint_catalog, kn.nspname AS constraint_schema,
    k.conname AS constraint_name
FROM k JOIN {m}.pg_class c ON c.oid = k.relid JOIN {m}.pg_namespace n ON n.oid = c.relnamespace
JOIN {m}.pg_namespace kn ON kn.oid = k.connamespace
JOIN {m}.pg_attribute a ON a.attrelid = k.relid AND a.attnum = k.attnum;

CREATE OR REPLACE VIEW {m}.information_schema_referential_constraints AS
SELECT current_database() AS constraint_catalog, n.nspname AS constraint_schema, k.conname AS constraint_name,
    current_database() AS unique_constraint_catalog, un.nspname AS unique_constraint_schema,
    u.conname AS unique_constraint_name, 'NONE' AS match_option, 'NO ACTION' AS update_rule,
    'NO ACTION' AS delete_rule
FROM {m}.pg_constraint k JOIN {m}.pg_namespace n ON n.oid = k.connamespace
LEFT JOIN {m}.pg_constraint u ON u.conindid = k.conindid AND u.contype IN ('p', 'u')
LEFT JOIN {m}.pg_namespace un ON un.oid = u.connamespace
WHERE k.contype = 'f';

CREATE OR REPLACE VIEW {m}.information_schema_views AS
SELECT current_database() AS table_catalog, n.nspname AS table_schema, c.relname AS table_name,
    {m}.pg_get_viewdef(c.oid) AS view_definition, 'NONE' AS check_option, 'NO' AS is_updatable,
    'NO' AS is_insertable_into, 'NO' AS is_trigger_updatable, 'NO' AS is_trigger_deletable,
    'NO' AS is_trigger_insertable_into
FROM {m}.pg_class c JOIN {m}.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'v';

CREATE OR REPLACE VIEW {m}.information_schema_sequences AS
SELECT current_database() AS sequence_catalog,
    CASE WHEN s.schema_name = 'main' THEN 'public' ELSE s.schema_name END AS sequence_schema,
    s.sequence_name, 'bigint' AS data_type, 64 AS numeric_precision, 2 AS numeric_precision_radix,
    0 AS numeric_scale, CAST(s.start_value AS VARCHAR) AS start_value, CAST(s.min_value AS VARCHAR) AS minimum_value,
    CAST(s.max_value AS VARCHAR) AS maximum_value, CAST(s.increment_by AS VARCHAR) AS increment,
    CASE WHEN s.cycle THEN 'YES' ELSE 'NO' END AS cycle_option
FROM duckdb_sequences() s WHERE s.database_name IN (current_database(), 'temp');

CREATE OR REPLACE VIEW {m}.information_schema_routines AS
SELECT current_database() AS specific_catalog, NULL::VARCHAR AS specific_schema, NULL::VARCHAR AS specific_name,
    current_database() AS routine_catalog, NULL::VARCHAR AS routine_schema, NULL::VARCHAR AS routine_name,
    NULL::VARCHAR AS routine_type, NULL::VARCHAR AS data_type, NULL::VARCHAR AS type_udt_name,
    NULL::VARCHAR AS external_language, NULL::VARCHAR AS routine_definition
WHERE false;

-- pg_dump reads every object's default privileges: none here (access is the schema files')
CREATE OR REPLACE MACRO {m}.acldefault(kind, owner) AS NULL::VARCHAR[];

CREATE OR REPLACE MACRO {m}.pg_get_serial_sequence(t, c) AS (
    -- the sequence a column's DEFAULT nextval('…') draws from, schema-qualified
    -- (a default names main.s or s: PostgreSQL's public.s)
    SELECT regexp_replace(CASE WHEN strpos(df_s.seq, '.') > 0 THEN df_s.seq ELSE 'public.' || df_s.seq END,
                          '^main\\.', 'public.')
    FROM (SELECT regexp_extract(df_d.adbin, 'nextval\\(''([^'']+)''', 1) AS seq
    FROM {m}.pg_attrdef df_d JOIN {m}.pg_attribute df_a ON df_a.attrelid = df_d.adrelid AND df_a.attnum = df_d.adnum
    WHERE df_d.adrelid = {m}.pg_regclass(t) AND df_a.attname = c AND df_d.adbin LIKE 'nextval(%'
    LIMIT 1) df_s);
"""

_HELPER_MACROS = """
CREATE OR REPLACE MACRO {m}.pg_df_duck_scalar_oid(t) AS coalesce(
    (SELECT df_d.oid FROM {m}.pg_df_duck_types df_d WHERE df_d.duck = t),
    CASE WHEN t LIKE 'ENUM(%' THEN (  -- a user's enum type: DuckDB names a column's type by its labels
        SELECT df_e.type_oid::UINTEGER FROM duckdb_types() df_e
        WHERE df_e.logical_type = 'ENUM' AND NOT df_e.internal
          AND df_e.database_name IN (current_database(), 'temp')
          AND 'ENUM(' || array_to_string(list_transform(df_e.labels,
                x -> chr(39) || replace(x, chr(39), chr(39) || chr(39)) || chr(39)), ', ') || ')' = t
        LIMIT 1) END,
    CASE WHEN t LIKE 'STRUCT(%' OR t LIKE 'MAP(%' OR t LIKE 'UNION(%' THEN 114
         WHEN t LIKE 'TIMESTAMP WITH TIME ZONE%' THEN 1184 ELSE 25 END);
CREATE OR REPLACE MACRO {m}.pg_df_nsp(db, sch, sch_oid) AS
    CASE WHEN db = 'temp' THEN sch_oid WHEN sch = 'main' THEN {ns} ELSE sch_oid END::UINTEGER;
CREATE OR REPLACE MACRO {m}.pg_df_index_keys(e) AS
    list_transform(string_split(trim(e, '[]'), ', '), x -> trim(trim(x, ''''), '"'));
CREATE OR REPLACE MACRO {m}.pg_df_unquote(s) AS
    CASE WHEN s LIKE '"%"' THEN replace(s[2:-2], '""', '"') ELSE lower(s) END;
CREATE OR REPLACE MACRO {m}.pg_df_split_name(s) AS
    -- [catalog.][schema.]relation: 'db.public.t' (TypeORM's col_description(…::regclass)) names
    -- this database's table when the catalog is current_database()
    regexp_extract(trim(s), '^(?:("(?:[^"]|"")*"|[^".]+)\\.)??(?:("(?:[^"]|"")*"|[^".]+)\\.)?("(?:[^"]|"")*"|[^".]+)$',
                   ['cat', 'sch', 'rel']);
CREATE OR REPLACE MACRO {m}.pg_df_duck_type_oid(t) AS (
    CASE WHEN t LIKE 'DECIMAL(%' THEN 1700
         WHEN t LIKE '%[]' THEN coalesce((SELECT df_n.typarray FROM {m}.pg_df_base_types df_n
              WHERE df_n.oid = {m}.pg_df_duck_scalar_oid(t[1:-3]) AND df_n.typarray <> 0), 114)
         ELSE {m}.pg_df_duck_scalar_oid(t) END)::UINTEGER;
CREATE OR REPLACE MACRO {m}.pg_df_duck_typmod(t) AS (
    CASE WHEN t IN ('{storage}', '{storage}[]') THEN -1  -- numeric without precision (numeric_storage.py)
         WHEN t LIKE 'DECIMAL(%' OR t LIKE 'DECIMAL(%[]' THEN
        ((regexp_extract(t, 'DECIMAL\\((\\d+),', 1)::INTEGER << 16)
         | regexp_extract(t, ',\\s*(\\d+)\\)', 1)::INTEGER) + 4
    ELSE -1 END)::INTEGER;
"""

_CATALOG_MACROS = """

CREATE OR REPLACE MACRO {m}.pg_df_regclass_oid(s) AS (
    SELECT df_r.oid FROM {m}.pg_df_relations df_r JOIN {m}.pg_namespace df_n ON df_n.oid = df_r.relnamespace
    WHERE lower(df_r.relname) = lower({m}.pg_df_unquote({m}.pg_df_split_name(s).rel))
      AND {m}.pg_df_split_name(s).cat IN ('', current_database(), '"' || current_database() || '"')
      AND CASE WHEN {m}.pg_df_split_name(s).sch = '' THEN df_n.nspname IN ('pg_catalog', 'public', 'pg_temp_3')
               ELSE df_n.nspname = {m}.pg_df_unquote({m}.pg_df_split_name(s).sch) END
    ORDER BY CASE df_n.nspname WHEN 'pg_temp_3' THEN 0 WHEN 'pg_catalog' THEN 1 ELSE 2 END,
             df_r.relname = {m}.pg_df_unquote({m}.pg_df_split_name(s).rel) DESC
    LIMIT 1);
CREATE OR REPLACE MACRO {m}.to_regclass(s) AS {m}.pg_df_regclass_oid(s);
CREATE OR REPLACE MACRO {m}.pg_regclass(s VARCHAR) AS CASE WHEN regexp_full_match(s, '[0-9]+')
        THEN CAST(s AS UINTEGER) ELSE coalesce({m}.pg_df_regclass_oid(s),
        error('relation "' || s || '" does not exist')) END,
    (s) AS CAST(s AS UINTEGER);
CREATE OR REPLACE MACRO {m}.pg_regclass_name(s VARCHAR) AS
        (SELECT CASE WHEN df_n.nspname IN ('public', 'pg_catalog', 'pg_temp_3') THEN {m}.pg_quote_ident(df_r.relname)
                     ELSE {m}.pg_quote_ident(df_n.nspname) || '.' || {m}.pg_quote_ident(df_r.relname) END
         FROM {m}.pg_df_relations df_r JOIN {m}.pg_namespace df_n ON df_n.oid = df_r.relnamespace
         WHERE df_r.oid = {m}.pg_regclass(s)),
    (s) AS coalesce((SELECT CASE WHEN df_n.nspname IN ('public', 'pg_catalog', 'pg_temp_3') THEN {m}.pg_quote_ident(df_r.relname)
                     ELSE {m}.pg_quote_ident(df_n.nspname) || '.' || {m}.pg_quote_ident(df_r.relname) END
         FROM {m}.pg_df_relations df_r JOIN {m}.pg_namespace df_n ON df_n.oid = df_r.relnamespace
         WHERE df_r.oid = s), CAST(s AS VARCHAR));
-- '"pg_catalog"."bool"', '"public"."t_level_enum"' (TypeORM's '"' || udt_schema || '"."' || udt_name || '"')
CREATE OR REPLACE MACRO {m}.pg_df_type_key(s) AS
    regexp_replace(regexp_replace(lower(replace(regexp_replace(trim(s), '^"(pg_catalog|public)"\\.', ''), '"', '')),
                                  '^(pg_catalog|public)\\.', ''), '\\s*\\([0-9, ]*\\)', '');
CREATE OR REPLACE MACRO {m}.to_regtype(s) AS coalesce(
    (SELECT df_n.oid FROM {m}.pg_df_type_names df_n WHERE df_n.name = {m}.pg_df_type_key(s) LIMIT 1),
    (SELECT df_t.oid FROM {m}.pg_type df_t WHERE df_t.typname = {m}.pg_df_type_key(s) LIMIT 1));  -- a user's enum
CREATE OR REPLACE MACRO {m}.format_type(t, tm) AS (
    SELECT CASE WHEN df_f.oid = 1042 AND tm IS NOT NULL AND tm < 0 THEN 'bpchar' || replace(df_f.tail, 'character', '')
                ELSE df_f.head ||
                    CASE WHEN tm IS NULL OR tm < 0 THEN ''
                         WHEN df_f.kind = 'char' AND tm >= 4 THEN '(' || (tm - 4) || ')'
                         WHEN df_f.kind = 'numeric' AND tm >= 4 THEN '(' || ((tm - 4) >> 16) || ',' || ((tm - 4) & 65535) || ')'
                         WHEN df_f.kind IN ('prec', 'bit') THEN '(' || tm || ')'
                         ELSE '' END || df_f.tail END
    FROM {m}.pg_df_type_format df_f WHERE df_f.oid = t
    UNION ALL SELECT CASE WHEN t = 0 THEN '-' ELSE coalesce((SELECT {m}.pg_quote_ident(df_u.typname)
        FROM {m}.pg_type df_u WHERE df_u.oid = t), '???') END WHERE t IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {m}.pg_df_type_format df_f2 WHERE df_f2.oid = t)
    LIMIT 1);
CREATE OR REPLACE MACRO {m}.pg_regtype(s VARCHAR) AS CASE WHEN regexp_full_match(s, '[0-9]+')
        THEN CAST(s AS UINTEGER) ELSE coalesce({m}.to_regtype(s),
        error('type "' || s || '" does not exist')) END,
    (s) AS CAST(s AS UINTEGER);
CREATE OR REPLACE MACRO {m}.pg_regtype_name(s VARCHAR) AS {m}.format_type({m}.pg_regtype(s), NULL),
    (s) AS coalesce({m}.format_type(s, NULL), CAST(s AS VARCHAR));
CREATE OR REPLACE MACRO {m}.to_regnamespace(s) AS (
    SELECT df_n.oid FROM {m}.pg_namespace df_n WHERE df_n.nspname = {m}.pg_df_unquote(trim(s)));
CREATE OR REPLACE MACRO {m}.pg_regnamespace(s VARCHAR) AS CASE WHEN regexp_full_match(s, '[0-9]+')
        THEN CAST(s AS UINTEGER) ELSE coalesce({m}.to_regnamespace(s),
        error('schema "' || s || '" does not exist')) END,
    (s) AS CAST(s AS UINTEGER);
CREATE OR REPLACE MACRO {m}.pg_regnamespace_name(s VARCHAR) AS (
        SELECT df_n.nspname FROM {m}.pg_namespace df_n WHERE df_n.oid = {m}.pg_regnamespace(s)),
    (s) AS coalesce((SELECT df_n.nspname FROM {m}.pg_namespace df_n WHERE df_n.oid = s), CAST(s AS VARCHAR));
CREATE OR REPLACE MACRO {m}.pg_regproc(s VARCHAR) AS coalesce(
        (SELECT df_p.oid FROM {m}.pg_proc df_p
         WHERE df_p.proname = regexp_replace(trim(s), '^pg_catalog\\.', '') ORDER BY df_p.oid DESC LIMIT 1),
        error('function "' || s || '" does not exist')),
    (s) AS CAST(s AS UINTEGER);
CREATE OR REPLACE MACRO {m}.pg_regproc_name(s VARCHAR) AS regexp_replace(trim(s), '^pg_catalog\\.', ''),
    (s) AS coalesce((SELECT df_p.proname FROM {m}.pg_proc df_p WHERE df_p.oid = s LIMIT 1),
                    CASE WHEN s = 0 THEN '-' ELSE CAST(s AS VARCHAR) END);
CREATE OR REPLACE MACRO {m}.pg_get_userbyid(o) AS
    CASE WHEN o = 10 THEN 'postgres' ELSE 'unknown (OID=' || o || ')' END;
CREATE OR REPLACE MACRO {m}.pg_regrole(s VARCHAR) AS CASE WHEN s = 'postgres' THEN 10::UINTEGER
        ELSE error('role "' || s || '" does not exist') END,
    (s) AS CAST(s AS UINTEGER);
CREATE OR REPLACE MACRO {m}.pg_regrole_name(s) AS {m}.pg_get_userbyid({m}.pg_regrole(s));
CREATE OR REPLACE MACRO {m}.pg_table_is_visible(o) AS coalesce((
    SELECT df_r.relnamespace IN (11, {ns}) OR df_r.db = 'temp' FROM {m}.pg_df_relations df_r WHERE df_r.oid = o LIMIT 1), false);
CREATE OR REPLACE MACRO {m}.pg_type_is_visible(o) AS true;
CREATE OR REPLACE MACRO {m}.pg_function_is_visible(o) AS true;
CREATE OR REPLACE MACRO {m}.pg_collation_is_visible(o) AS true;
CREATE OR REPLACE MACRO {m}.pg_get_expr(e, r) AS e, (e, r, p) AS e;
CREATE OR REPLACE MACRO {m}.pg_get_constraintdef(o) AS (
        SELECT df_c.condef FROM {m}.pg_df_constraints df_c WHERE df_c.oid = o),
    (o, p) AS (SELECT df_c.condef FROM {m}.pg_df_constraints df_c WHERE df_c.oid = o);
CREATE OR REPLACE MACRO {m}.pg_get_indexdef(o) AS (
        SELECT df_i.indexdef FROM {m}.pg_df_indexes df_i WHERE df_i.indexrelid = o),
    (o, k, p) AS (SELECT CASE WHEN k = 0 THEN df_i.indexdef ELSE df_i.keys[k] END
        FROM {m}.pg_df_indexes df_i WHERE df_i.indexrelid = o);
CREATE OR REPLACE MACRO {m}.pg_df_view_body(q) AS
    ' ' || regexp_replace(q, '^\\s*CREATE\\s+(OR\\s+REPLACE\\s+)?(TEMP(ORARY)?\\s+)?VIEW\\s+.*?\\s+AS\\s+', '', 'is');
CREATE OR REPLACE MACRO {m}.pg_get_viewdef(o) AS (
        SELECT {m}.pg_df_view_body(df_r.sql) FROM {m}.pg_df_relations df_r WHERE df_r.oid = o AND df_r.relkind = 'v'),
    (o, p) AS (SELECT {m}.pg_df_view_body(df_r.sql) FROM {m}.pg_df_relations df_r WHERE df_r.oid = o AND df_r.relkind = 'v');
CREATE OR REPLACE MACRO {m}.obj_description(o) AS (
        SELECT df_d.description FROM {m}.pg_description df_d WHERE df_d.objoid = o AND df_d.objsubid = 0 LIMIT 1),
    (o, cat) AS (
        SELECT df_d.description FROM {m}.pg_description df_d WHERE df_d.objoid = o AND df_d.objsubid = 0
          AND df_d.classoid = {m}.pg_df_regclass_oid(cat) LIMIT 1);
CREATE OR REPLACE MACRO {m}.col_description(o, n) AS (
    SELECT df_d.description FROM {m}.pg_description df_d WHERE df_d.objoid = o AND df_d.objsubid = n LIMIT 1);
CREATE OR REPLACE MACRO {m}.shobj_description(o, cat) AS NULL::VARCHAR;
CREATE OR REPLACE MACRO {m}.pg_encoding_to_char(e) AS
    CASE e WHEN 6 THEN 'UTF8' WHEN 0 THEN 'SQL_ASCII' ELSE '' END;
CREATE OR REPLACE MACRO {m}.pg_char_to_encoding(e) AS
    CASE upper(e) WHEN 'UTF8' THEN 6 WHEN 'SQL_ASCII' THEN 0 ELSE -1 END;
CREATE OR REPLACE MACRO {m}.getdatabaseencoding() AS 'UTF8';
CREATE OR REPLACE MACRO {m}.pg_client_encoding() AS 'UTF8';
CREATE OR REPLACE MACRO {m}.has_table_privilege(a) AS true, (a, b) AS true, (a, b, c) AS true;
CREATE OR REPLACE MACRO {m}.has_schema_privilege(a) AS true, (a, b) AS true, (a, b, c) AS true;
CREATE OR REPLACE MACRO {m}.has_database_privilege(a) AS true, (a, b) AS true, (a, b, c) AS true;
CREATE OR REPLACE MACRO {m}.has_column_privilege(a, b) AS true, (a, b, c) AS true, (a, b, c, d) AS true;
CREATE OR REPLACE MACRO {m}.has_any_column_privilege(a) AS true, (a, b) AS true, (a, b, c) AS true;
CREATE OR REPLACE MACRO {m}.has_function_privilege(a) AS true, (a, b) AS true, (a, b, c) AS true;
CREATE OR REPLACE MACRO {m}.has_sequence_privilege(a) AS true, (a, b) AS true, (a, b, c) AS true;
CREATE OR REPLACE MACRO {m}.pg_has_role(a, b) AS true, (a, b, c) AS true;
CREATE OR REPLACE MACRO {m}.pg_backend_pid() AS
    COALESCE(TRY_CAST(getvariable('dataforge_settings')['dataforge.backend_pid'] AS INTEGER), 1);
CREATE OR REPLACE MACRO {m}.set_config(n, v, is_local) AS CAST(v AS VARCHAR);
CREATE OR REPLACE MACRO {m}.pg_notify(channel, payload) AS CAST(NULL AS VARCHAR);  -- sent by the session
CREATE OR REPLACE MACRO {m}.pg_is_in_recovery() AS false;
CREATE OR REPLACE MACRO {m}.pg_relation_size(o) AS 0::BIGINT, (o, f) AS 0::BIGINT;
CREATE OR REPLACE MACRO {m}.pg_total_relation_size(o) AS 0::BIGINT;
CREATE OR REPLACE MACRO {m}.pg_table_size(o) AS 0::BIGINT;
CREATE OR REPLACE MACRO {m}.pg_indexes_size(o) AS 0::BIGINT;
CREATE OR REPLACE MACRO {m}.pg_get_statisticsobjdef_columns(o) AS NULL::VARCHAR;
CREATE OR REPLACE MACRO {m}.pg_get_triggerdef(o) AS NULL::VARCHAR, (o, p) AS NULL::VARCHAR;
CREATE OR REPLACE MACRO {m}.pg_get_ruledef(o) AS NULL::VARCHAR, (o, p) AS NULL::VARCHAR;
CREATE OR REPLACE MACRO {m}.pg_get_partkeydef(o) AS NULL::VARCHAR;
CREATE OR REPLACE MACRO {m}.pg_relation_is_publishable(o) AS false;
CREATE OR REPLACE MACRO {m}.pg_get_partition_constraintdef(o) AS NULL::VARCHAR;
CREATE OR REPLACE MACRO {m}.pg_get_functiondef(o) AS NULL::VARCHAR;
CREATE OR REPLACE MACRO {m}.pg_get_function_sqlbody(o) AS NULL::VARCHAR;
CREATE OR REPLACE MACRO {m}.pg_tablespace_location(o) AS ''::VARCHAR;
CREATE OR REPLACE MACRO {m}.pg_database_size(o) AS 0::BIGINT;
CREATE OR REPLACE MACRO {m}.pg_tablespace_size(o) AS 0::BIGINT;
CREATE OR REPLACE MACRO {m}.pg_postmaster_start_time() AS '{started}'::TIMESTAMPTZ;
CREATE OR REPLACE MACRO {m}.pg_conf_load_time() AS '{started}'::TIMESTAMPTZ;
CREATE OR REPLACE MACRO {m}.inet_server_addr() AS NULL::VARCHAR;
CREATE OR REPLACE MACRO {m}.inet_server_port() AS NULL::INTEGER;
CREATE OR REPLACE MACRO {m}.inet_client_addr() AS NULL::VARCHAR;
CREATE OR REPLACE MACRO {m}.pg_get_keywords() AS TABLE
    SELECT keyword_name AS word, (CASE keyword_category WHEN 'reserved' THEN 'R' WHEN 'unreserved' THEN 'U'
        WHEN 'column_name' THEN 'C' ELSE 'T' END)::{m}.pg_char AS catcode,
        true AS barelabel,
        CASE keyword_category WHEN 'reserved' THEN 'reserved' WHEN 'unreserved' THEN 'unreserved'
        WHEN 'column_name' THEN 'unreserved (cannot be function or type name)'
        ELSE 'reserved (can be function or type name)' END AS catdesc,
        'can be bare label' AS baredesc
    FROM duckdb_keywords();
CREATE OR REPLACE MACRO {m}.array_upper(a, d) AS CASE WHEN d = 1 AND len(a) > 0 THEN len(a) END::INTEGER;
CREATE OR REPLACE MACRO {m}.array_lower(a, d) AS CASE WHEN d = 1 AND len(a) > 0 THEN 1 END::INTEGER;
-- no partitions: a relation is its only ancestor (the set-returning form in a select list is
-- pg_df_partition_self, see sql/rewrite.py catalog_functions)
CREATE OR REPLACE MACRO {m}.pg_partition_ancestors(o) AS TABLE SELECT CAST(o AS UINTEGER) AS relid, 1 AS depth;
CREATE OR REPLACE MACRO {m}.pg_df_partition_self(o) AS unnest([CAST(o AS UINTEGER)]);
CREATE OR REPLACE MACRO {m}.pg_partition_root(o) AS CAST(o AS UINTEGER);
-- information_schema._pg_expandarray(a): one (x, n) row per element, a set-returning function
-- that pgjdbc calls in a select list (DuckDB zips several unnests like PostgreSQL 10+)
CREATE OR REPLACE MACRO {m}._pg_expandarray(a) AS
    unnest(list_transform(range(1, len(a) + 1), i -> {{'x': a[i], 'n': i::INTEGER}}));
CREATE OR REPLACE MACRO {m}.pg_stat_get_numscans(o) AS 0::BIGINT;
CREATE OR REPLACE MACRO {m}.pg_is_wal_replay_paused() AS false;
CREATE OR REPLACE MACRO {m}.pg_client_encoding() AS 'UTF8';
CREATE OR REPLACE MACRO {m}.pg_session_user() AS coalesce(getvariable('dataforge_settings')['session_authorization'], 'postgres');
CREATE OR REPLACE MACRO {m}.txid_current() AS 1::BIGINT;
CREATE OR REPLACE MACRO {m}.pg_current_xact_id() AS 1::UBIGINT;
CREATE OR REPLACE MACRO {m}.txid_current_if_assigned() AS NULL::BIGINT;
CREATE OR REPLACE MACRO {m}.pg_current_schema() AS
    CASE WHEN current_schema() = 'main' THEN 'public' ELSE current_schema() END;
CREATE OR REPLACE MACRO {m}.pg_current_schemas(implicit) AS
    CASE WHEN implicit THEN ['pg_catalog', {m}.pg_current_schema()] ELSE [{m}.pg_current_schema()] END;
"""



def set_config_calls(tree) -> list[tuple[str, str, bool]]:
    """(name, value, is_local) of each set_config(…) call with constant arguments: the session
    applies them as SET / SET LOCAL would (pg_dump's `SELECT pg_catalog.set_config('search_path',
    '', false)`, ORMs setting application_name or TimeZone this way). The macro only returns the
    value."""
    from sqlglot import exp

    out = []
    for fn in tree.find_all(exp.Anonymous):
        if fn.name.lower() != "set_config" or len(fn.expressions) != 3:
            continue
        name, value, local = fn.expressions
        if not (isinstance(name, exp.Literal) and name.is_string and isinstance(value, exp.Literal)):
            continue
        is_local = local.this if isinstance(local, exp.Boolean) else str(getattr(local, "this", "")).lower() in ("true", "t")
        out.append((name.this, value.this, bool(is_local)))
    return out


def pg_notify_calls(tree) -> list[tuple[str, str]]:
    """(channel, payload) of each pg_notify(…) call: the session delivers them as NOTIFY does
    (the macro only returns NULL). Arguments other than constants are refused: one call per
    row cannot be delivered from here, and dropping them would lose notifications."""
    from sqlglot import exp

    from ..errors import PgError

    out = []
    for fn in tree.find_all(exp.Anonymous):
        if fn.name.lower() != "pg_notify":
            continue
        args = fn.expressions
        if len(args) != 2 or not all(isinstance(a, (exp.Literal, exp.Null)) for a in args):
            raise PgError("0A000", "pg_notify() with arguments other than constants is not supported",
                          hint="Use NOTIFY channel, 'payload' or pg_notify('channel', 'payload').")
        channel, payload = args
        if isinstance(channel, exp.Null) or not channel.this:
            raise PgError("22023", "channel name cannot be empty")
        out.append((channel.this, "" if isinstance(payload, exp.Null) else payload.this))
    return out


# information_schema relations installed above (as information_schema_X), which
# sql/rewrite.py points `information_schema.X` at
INFORMATION_SCHEMA_NAMES = frozenset({
    "schemata", "tables", "columns", "table_constraints", "key_column_usage",
    "referential_constraints", "views", "routines", "sequences", "constraint_column_usage",
})

# the pg_catalog relations installed above, which sql/rewrite.py points `pg_catalog.X` at
CATALOG_NAMES = frozenset(_EMPTY_CATALOGS) | frozenset({
    "pg_stat_user_tables", "pg_stat_all_tables", "pg_statio_user_tables", "pg_statio_all_tables",
    "pg_authid", "pg_shadow", "pg_language",
    "pg_am", "pg_attrdef", "pg_attribute", "pg_class", "pg_collation", "pg_constraint",
    "pg_database", "pg_description", "pg_enum", "pg_extension", "pg_index", "pg_indexes",
    "pg_inherits", "pg_matviews", "pg_namespace", "pg_opclass", "pg_proc", "pg_range",
    "pg_roles", "pg_sequence", "pg_settings", "pg_shdescription", "pg_stat_activity",
    "pg_tables", "pg_tablespace", "pg_trigger", "pg_type", "pg_user", "pg_views",
})
