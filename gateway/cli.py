"""`dataforge` command line: serve (and, later, schemas / users / bench)."""

from __future__ import annotations

import argparse
import logging
import sys

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
    serve.set_defaults(func=_serve)
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
