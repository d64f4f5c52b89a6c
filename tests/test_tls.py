"""TLS: `dataforge cert`, the SSLRequest upgrade, ssl = require, and what must be refused."""

from __future__ import annotations

import socket
import ssl
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from tests import pgwire as w
from tests.servers import REPO_ROOT, free_port


@pytest.fixture(scope="module")
def certs(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("certs")
    proc = subprocess.run([sys.executable, "-m", "gateway", "cert", "--dir", str(d), "--host", "localhost",
                           "--host", "127.0.0.1"], capture_output=True, text=True, cwd=REPO_ROOT, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return d


@pytest.fixture
def tls_gateway(gateway_factory, certs):
    return gateway_factory("--ssl-cert", str(certs / "server.crt"), "--ssl-key", str(certs / "server.key"))


def test_cert_command_writes_private_keys_owner_only(certs: Path) -> None:
    for name in ("ca.crt", "ca.key", "server.crt", "server.key"):
        assert (certs / name).exists()
    assert (certs / "server.key").stat().st_mode & 0o077 == 0
    assert (certs / "ca.key").stat().st_mode & 0o077 == 0


def test_verify_full_by_ip_and_by_name(tls_gateway, certs: Path) -> None:
    for host in ("127.0.0.1", "localhost"):
        dsn = (f"host={host} port={tls_gateway.port} user=postgres dbname=postgres sslmode=verify-full "
               f"sslrootcert={certs / 'ca.crt'}")
        with psycopg.connect(dsn) as c:
            assert c.pgconn.ssl_in_use
            assert c.execute("SELECT 1").fetchone() == (1,)


def test_verify_full_fails_with_another_ca(tls_gateway, tmp_path: Path) -> None:
    other = tmp_path / "other"
    subprocess.run([sys.executable, "-m", "gateway", "cert", "--dir", str(other)], check=True, cwd=REPO_ROOT,
                   capture_output=True, timeout=60)
    dsn = (f"host=127.0.0.1 port={tls_gateway.port} user=postgres dbname=postgres sslmode=verify-full "
           f"sslrootcert={other / 'ca.crt'}")
    with pytest.raises(psycopg.OperationalError, match="certificate verify failed"):
        psycopg.connect(dsn)


def test_plaintext_sent_before_the_handshake_is_refused(tls_gateway) -> None:
    # CVE-2021-23214: bytes pipelined after SSLRequest must not be read as if they came over TLS
    with socket.create_connection((tls_gateway.host, tls_gateway.port), timeout=10) as s:
        s.sendall(w.ssl_request() + w.startup_message({"user": "postgres", "database": "postgres"}))
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    assert not data.startswith(b"S")
    assert b"received unencrypted data after SSL request" in data


def test_raw_tls_upgrade_then_protocol(tls_gateway, certs: Path) -> None:
    ctx = ssl.create_default_context(cafile=str(certs / "ca.crt"))
    with socket.create_connection((tls_gateway.host, tls_gateway.port), timeout=10) as raw:
        raw.sendall(w.ssl_request())
        assert raw.recv(1) == b"S"
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s:
            c = w.PgWire(s)
            c.send(w.startup_message({"user": "postgres", "database": "postgres"}))
            c.read_until("Z")
            assert c.scalar("SELECT 'over tls'") == "over tls"


def test_no_certificate_answers_n(gateway) -> None:
    with socket.create_connection((gateway.host, gateway.port), timeout=10) as s:
        s.sendall(w.ssl_request())
        assert s.recv(1) == b"N"


def test_ssl_require_without_certificate_refuses_to_start(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "gateway", "serve", "--port", str(free_port()), "--database",
                           str(tmp_path / "x.duckdb"), "--ssl", "require"],
                          capture_output=True, text=True, cwd=REPO_ROOT, timeout=60)
    assert proc.returncode == 2
    assert "ssl = require needs ssl_cert_file and ssl_key_file" in proc.stderr


def test_ssl_require_refuses_plaintext_clearly(gateway_factory, certs: Path) -> None:
    gw = gateway_factory("--ssl-cert", str(certs / "server.crt"), "--ssl-key", str(certs / "server.key"),
                         "--ssl", "require")
    with w.PgWire.connect(gw.host, gw.port) as c:
        c.send(w.startup_message({"user": "postgres", "database": "postgres"}))
        errs = w.errors(c.expect_closed())
    assert [(e["S"], e["C"]) for e in errs] == [("FATAL", "28000")]
    assert "SSL connection is required" in errs[0]["M"]
