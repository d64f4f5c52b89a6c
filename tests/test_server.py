"""The server process: command line, configuration, port conflicts, graceful shutdown."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from gateway.config import load_settings
from tests import pgwire as w
from tests.servers import REPO_ROOT, free_port


def test_port_in_use_is_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, "-m", "gateway", "serve", "--port", str(port), "--database",
             str(tmp_path / "x.duckdb")],
            cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
        )
    assert proc.returncode == 1
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    assert f"port {port}" in lines[0] and "already in use" in lines[0]


def test_settings_precedence_flags_env_file(tmp_path: Path, monkeypatch) -> None:
    cfg = tmp_path / "dataforge.toml"
    cfg.write_text('[gateway]\nport = 6001\nreaders = 3\nmax_connections = 7\n')
    monkeypatch.setenv("DATAFORGE_READERS", "5")
    s = load_settings(str(cfg), port=6002)
    assert (s.port, s.readers, s.max_connections) == (6002, 5, 7)
    s = load_settings(str(cfg))
    assert (s.port, s.readers) == (6001, 5)
    monkeypatch.delenv("DATAFORGE_READERS")
    assert load_settings(str(cfg)).readers == 3
    assert load_settings(None).database == "./data/dataforge.duckdb"


def test_unknown_config_key_is_refused(tmp_path: Path) -> None:
    cfg = tmp_path / "dataforge.toml"
    cfg.write_text("prot = 6001\n")
    proc = subprocess.run(
        [sys.executable, "-m", "gateway", "serve", "--config", str(cfg), "--port", str(free_port())],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 2
    assert "prot" in proc.stderr


def test_sigterm_lets_running_statement_finish_then_exits(gateway_factory) -> None:
    gw = gateway_factory()
    idle = psycopg.connect(gw.dsn, autocommit=True)
    n = 200_000_000
    with w.connect_ready(gw.host, gw.port) as c:
        # The long statement travels in the same packet as a first one answered through
        # Flush: once that answer is back, the server has read the long one and runs it.
        c.send(w.parse("", "SELECT 'started'"), w.bind("", ""), w.execute(""), w.flush(),
               w.parse("", f"SELECT sum(i)::text FROM range({n}) t(i)"), w.bind("", ""), w.execute(""),
               w.sync())
        assert w.rows(c.read_until("C")) == [["started"]]
        os.kill(gw.proc.pid, signal.SIGTERM)
        msgs = c.read_until("Z", timeout=60)
    code = gw.proc.wait(60)
    assert code == 0, gw.log_text()
    errs = w.errors(msgs)
    if errs:
        # it outlived the grace period: cancelled with 57014, not cut off mid-answer
        assert errs[0]["C"] == "57014", msgs
    else:
        assert w.rows(msgs) == [[str(n * (n - 1) // 2)]]
    with pytest.raises(psycopg.OperationalError):
        idle.execute("SELECT 1")
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(gw.dsn, connect_timeout=3)
