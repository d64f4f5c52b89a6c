"""Shared fixtures: real PostgreSQL and real gateway processes (see tests/servers.py).

Fixtures
  pg               session  PgServer: throwaway PostgreSQL 15 (skips, with the reason, if it
                            cannot be started here)
  pg_dsn           session  pg.dsn
  gateway          session  GatewayServer on a fresh temporary DuckDB database. One process
                            shared by all tests: use unique table names.
  gw_dsn           session  gateway.dsn
  gateway_factory  function start_gateway(*args, database=None, env=None, port=None) -> extra
                            gateways with custom args/databases; all stopped at teardown.

Options
  --runslow        run tests marked @pytest.mark.slow (skipped otherwise)
  --diff-target    gateway (default) | pg: what tests/test_differential.py compares
                   PostgreSQL against; `pg` runs the corpus on a second PostgreSQL to
                   validate the harness itself (everything must come out identical).
  --diff-report    PATH: also write the differential results as JSON
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.servers import (  # noqa: E402
    GatewayServer,
    PgServer,
    PostgresUnavailable,
    start_gateway,
    start_postgres,
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--runslow", action="store_true", default=False,
                     help="run tests marked @pytest.mark.slow")
    parser.addoption("--diff-target", choices=("gateway", "pg"), default="gateway",
                     help="differential tests: compare PostgreSQL against the gateway "
                          "(default) or against a second PostgreSQL (harness self-check)")
    parser.addoption("--diff-report", metavar="PATH", default=None,
                     help="differential tests: write per-statement results as JSON to PATH")


KNOWN_GAPS = Path(__file__).with_name("known_gaps.txt")


def _known_gaps() -> list[tuple[str, str]]:
    """tests/known_gaps.txt: `<test id>  # why` per line (exact ids). Each is a
    PostgreSQL behaviour the gateway does not have yet, tracked by an open issue."""
    gaps = []
    if KNOWN_GAPS.exists():
        for line in KNOWN_GAPS.read_text().splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            pattern, _, why = line.partition("#")
            gaps.append((pattern.strip(), why.strip() or "known gap"))
    return gaps


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Known gaps run and must still fail (strict xfail): a gap that starts passing fails the
    # run until its line is removed, so the list never hides a fixed behaviour.
    gaps = dict(_known_gaps())
    for item in items:
        why = gaps.get(item.nodeid)
        if why is not None:
            item.add_marker(pytest.mark.xfail(strict=True, reason=f"known gap: {why}"))
    if config.getoption("--runslow"):
        return
    skip_slow = pytest.mark.skip(reason="slow test: run with --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip_slow)


# --------------------------------------------------------------------------- PostgreSQL

@pytest.fixture(scope="session")
def pg(tmp_path_factory: pytest.TempPathFactory):
    try:
        server = start_postgres(tmp_path_factory.mktemp("pg"))
    except PostgresUnavailable as exc:
        pytest.skip(f"PostgreSQL is not available: {exc}")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pg_dsn(pg: PgServer) -> str:
    return pg.dsn


# --------------------------------------------------------------------------- gateway

@pytest.fixture(scope="session")
def gateway(tmp_path_factory: pytest.TempPathFactory):
    # A gateway that cannot start is a failure of the thing under test, never a skip.
    base = tmp_path_factory.mktemp("gateway")
    server = start_gateway(base, database=base / "gw.duckdb")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def gw_dsn(gateway: GatewayServer) -> str:
    return gateway.dsn


class GatewayFactory:
    """Starts extra gateways for one test; :meth:`stop_all` runs at teardown."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.servers: list[GatewayServer] = []

    def __call__(self, *args: str, database: Path | None = None, env: dict | None = None,
                 port: int | None = None) -> GatewayServer:
        n = len(self.servers)
        base = self.base / f"gw{n}"
        server = start_gateway(base, *args, database=database if database is not None
                               else base / "gw.duckdb", env=env, port=port)
        self.servers.append(server)
        return server

    def stop_all(self) -> None:
        errors = []
        for server in self.servers:
            try:
                server.stop()
            except Exception as exc:  # stop the others anyway, report afterwards
                errors.append(exc)
        if errors:
            raise errors[0]


@pytest.fixture
def gateway_factory(tmp_path: Path):
    factory = GatewayFactory(tmp_path)
    yield factory
    factory.stop_all()


# --------------------------------------------------------------------------- differential summary

def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    # The registry is filled by tests/test_differential.py (only if it ran).
    mod = sys.modules.get("tests.test_differential")
    if mod is None:
        return
    mod.write_summary(terminalreporter, config)
