"""`dataforge` command line: serve (and, later, schemas / users / bench)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from pydantic import ValidationError

from .config import load_settings


def _serve(args: argparse.Namespace) -> int:
    from .server import run_server

    try:
        settings = load_settings(
            args.config,
            host=args.host,
            port=args.port,
            database=args.database,
            readers=args.readers,
            log_statements=True if args.log_statements else None,
            log_min_duration_ms=args.log_min_duration_ms,
            users=args.users,
            auth=args.auth,
            ssl=args.ssl,
            ssl_cert_file=args.ssl_cert,
            ssl_key_file=args.ssl_key,
            metrics_port=args.metrics_port,
            schemas=args.schemas,
        )
    except (ValidationError, OSError, ValueError) as e:
        print(f"dataforge: invalid configuration: {e}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=getattr(logging, settings.log_level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    return run_server(settings)


def _users_add(args: argparse.Namespace) -> int:
    import getpass

    from .auth import add_user

    if sys.stdin.isatty():
        password = getpass.getpass(f"Password for {args.name}: ")
        if getpass.getpass("Again: ") != password:
            print("dataforge: passwords do not match", file=sys.stderr)
            return 1
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        add_user(args.file, args.name, args.role, password, md5=args.md5)
    except (ValueError, OSError) as e:
        print(f"dataforge: {e}", file=sys.stderr)
        return 1
    print(f"dataforge: user {args.name} ({args.role}) saved in {args.file}", file=sys.stderr)
    return 0


def _cert(args: argparse.Namespace) -> int:
    from .tls import make_dev_certificates

    paths = make_dev_certificates(args.dir, args.hosts or ["localhost", "127.0.0.1", "::1"], args.days)
    for what, path in paths.items():
        print(f"{what}: {path}")
    return 0


def _schemas(args: argparse.Namespace) -> int:
    """`dataforge schemas check [DIR] | diff | apply [--allow-destructive]`."""
    import duckdb

    from catalog import ddl
    from catalog.loader import load_with_problems

    try:
        settings = load_settings(args.config, schemas=getattr(args, "dir", None) or args.schemas,
                                 database=getattr(args, "database", None))
    except (ValidationError, OSError, ValueError) as e:
        print(f"dataforge: invalid configuration: {e}", file=sys.stderr)
        return 2
    catalog, problems = load_with_problems(settings.schemas)
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} problem(s) in {settings.schemas}", file=sys.stderr)
        return 1
    if args.action == "check":
        print(f"{settings.schemas}: {len(catalog.tables)} table(s), no problems")
        return 0
    fresh = args.action == "diff" and settings.database != ":memory:" and not Path(settings.database).exists()
    try:  # diff never creates the database file: a missing one is an empty database
        con = duckdb.connect(":memory:" if fresh else settings.database, read_only=args.action == "diff" and not fresh)
    except duckdb.Error as e:
        print(f"dataforge: cannot open {settings.database} (is a gateway running on it? stop it first): "
              f"{str(e).splitlines()[0]}", file=sys.stderr)
        return 1
    try:
        plan = ddl.plan(catalog, con)
        print(plan.describe())
        if args.action == "diff":
            if args.sql and plan.statements:
                print("\n-- the statements `dataforge schemas apply` runs, in one transaction:")
                print(";\n".join(plan.statements) + ";")
            return 0
        if plan.destructive and not args.allow_destructive:
            print(f"refused: {len(plan.destructive)} destructive change(s) (marked above); "
                  f"run again with --allow-destructive to apply them", file=sys.stderr)
            return 1
        ddl.apply(plan, con)
        print(f"applied {len(plan.changes)} change(s) in one transaction")
        return 0
    except (ddl.CatalogDrift, ddl.ApplyError) as e:
        print(f"dataforge: {e}", file=sys.stderr)
        return 1
    finally:
        con.close()


def _load(args: argparse.Namespace) -> int:
    from .errors import PgError
    from .load import load_file

    try:
        database = args.database or load_settings(args.config).database
        rows = load_file(database, args.file, args.table, fmt=args.format, header=not args.no_header,
                         delimiter=args.delimiter, null=args.null)
    except PgError as e:
        where = f" (line {e.context_line})" if getattr(e, "context_line", None) else ""
        print(f"dataforge load: ERROR {e.sqlstate}: {e.message}{where}", file=sys.stderr)
        return 1
    except Exception as e:  # duckdb: the file is locked by a running gateway, …
        print(f"dataforge load: {e}", file=sys.stderr)
        return 1
    print(f"loaded {rows} rows into {args.table}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dataforge", description="Data Forge Gateway")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the PostgreSQL protocol in front of DuckDB")
    serve.add_argument("--host", help="listen address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="listen port (default 5432)")
    serve.add_argument("--database", help="DuckDB file (default ./data/dataforge.duckdb) or :memory:")
    serve.add_argument("--config", help="dataforge.toml config file")
    serve.add_argument("--readers", type=int, help="reader pool size (default: CPU cores)")
    serve.add_argument("--log-statements", action="store_true", help="log one line per statement")
    serve.add_argument("--log-min-duration-ms", type=int, help="log statements slower than this (slow-query log)")
    serve.add_argument("--users", help="users file (dataforge users add); enables password authentication")
    serve.add_argument("--auth", choices=("scram-sha-256", "md5", "password", "trust"),
                       help="authentication method (default: scram-sha-256 with --users, else trust on loopback)")
    serve.add_argument("--ssl", choices=("off", "allow", "require"), help="TLS policy (default allow)")
    serve.add_argument("--ssl-cert", help="server certificate (PEM)")
    serve.add_argument("--ssl-key", help="server private key (PEM)")
    serve.add_argument("--metrics-port", type=int, help="HTTP port for /metrics and /healthz (default off)")
    serve.add_argument("--schemas", help="schema directory (default ./schemas; '' = no catalog)")
    serve.set_defaults(func=_serve)
    users = sub.add_parser("users", help="manage the users file").add_subparsers(dest="users_command", required=True)
    add = users.add_parser("add", help="add or update a user (password from the terminal, or stdin)")
    add.add_argument("name")
    add.add_argument("--role", choices=("read", "write", "admin"), default="read")
    add.add_argument("--file", required=True, help="users file to create or update")
    add.add_argument("--md5", action="store_true",
                     help="also store the md5 hash md5 authentication needs (password-equivalent for md5 logins)")
    add.set_defaults(func=_users_add)
    cert = sub.add_parser("cert", help="make a development CA and a server certificate signed by it")
    cert.add_argument("--dir", default="certs", help="output directory (default ./certs)")
    cert.add_argument("--host", action="append", dest="hosts",
                      help="server name or IP for the certificate (repeatable; default localhost, 127.0.0.1, ::1)")
    cert.add_argument("--days", type=int, default=365)
    cert.set_defaults(func=_cert)
    schemas = sub.add_parser("schemas", help="check, diff and apply the schema files (the catalog)")
    ssub = schemas.add_subparsers(dest="action", required=True)
    check = ssub.add_parser("check", help="report every problem in the schema files (file:line: message)")
    check.add_argument("dir", nargs="?", help="schema directory (default: the configured one)")
    for name, helptext in (("diff", "print the migration plan: schema files vs the database"),
                           ("apply", "apply the migration plan in one transaction")):
        p = ssub.add_parser(name, help=helptext)
        p.add_argument("--database", help="DuckDB file (default: the configured one)")
        if name == "diff":
            p.add_argument("--sql", action="store_true", help="also print the SQL statements")
        else:
            p.add_argument("--allow-destructive", action="store_true",
                           help="also drop columns/tables and narrow types")
    for p in (check, *[ssub.choices[n] for n in ("diff", "apply")]):
        p.add_argument("--schemas", help="schema directory (default ./schemas)")
        p.add_argument("--config", help="dataforge.toml config file")
    schemas.set_defaults(func=_schemas)
    load = sub.add_parser("load", help="load a local CSV / Parquet / NDJSON file into a table (one transaction)")
    load.add_argument("file", help="the file to load")
    load.add_argument("table", help="target table (it must exist)")
    load.add_argument("--database", help="DuckDB file (default: the configured database)")
    load.add_argument("--config", help="dataforge.toml config file")
    load.add_argument("--format", choices=["csv", "parquet", "ndjson"], help="default: from the file name")
    load.add_argument("--no-header", action="store_true", help="CSV: the first line is data")
    load.add_argument("--delimiter", default=",", help="CSV field delimiter (default ,)")
    load.add_argument("--null", default="", help="CSV: the string that means NULL (default: empty)")
    load.set_defaults(func=_load)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
