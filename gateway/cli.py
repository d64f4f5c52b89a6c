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
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
