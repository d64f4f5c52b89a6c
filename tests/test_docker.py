"""docker/: no Docker engine runs here, so the image's ENTRYPOINT and HEALTHCHECK commands are
run as they are written (with `dataforge` as `python -m gateway`, and the image's paths mapped
to a temporary directory)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import psycopg
import pytest

from gateway.auth import add_user
from tests.servers import REPO_ROOT, free_port

DOCKERFILE = REPO_ROOT / "docker" / "Dockerfile"


def _instruction(name: str) -> str:
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    m = re.search(rf"^{name}\s+(.*)$", text, re.MULTILINE)
    assert m, f"no {name} in the Dockerfile"
    return m.group(1).strip()


def _entrypoint(tmp: Path, port: int, metrics: int) -> list[str]:
    argv = json.loads(_instruction("ENTRYPOINT"))
    assert argv[:2] == ["dataforge", "serve"]
    mapped = []
    for a in argv[1:]:
        a = a.replace("/data/", f"{tmp}/data/").replace("/etc/dataforge/", f"{tmp}/etc/")
        mapped.append({"5432": str(port), "9187": str(metrics)}.get(a, a))
    return [sys.executable, "-m", "gateway", *mapped]


def test_image_basics() -> None:
    text = DOCKERFILE.read_text()
    assert text.startswith("#") and re.search(r"^FROM python:3\.\d+-slim$", text, re.MULTILINE)
    assert re.search(r"^USER dataforge$", text, re.MULTILINE)
    assert 'VOLUME ["/data"]' in text and re.search(r"^EXPOSE 5432", text, re.MULTILINE)
    compose = (REPO_ROOT / "docker" / "compose.yaml").read_text()
    assert "postgres:15" in compose and "dockerfile: docker/Dockerfile" in compose


def test_entrypoint_serves_with_passwords_and_healthcheck_passes(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "etc").mkdir()
    add_user(tmp_path / "etc" / "users.json", "admin", "admin", "docker-pw")
    port, metrics = free_port(), free_port()
    cmd = _entrypoint(tmp_path, port, metrics)
    proc = subprocess.Popen(cmd, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    try:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if f"listening on 0.0.0.0:{port}" in line:
                break
        else:
            pytest.fail("".join(lines))
        assert not any("trust" in ln for ln in lines), lines  # SCRAM, no trust warning
        with psycopg.connect(f"host=127.0.0.1 port={port} user=admin password=docker-pw dbname=postgres") as c:
            c.execute("CREATE TABLE IF NOT EXISTS d (a int)")
            c.execute("INSERT INTO d VALUES (1)")
            c.commit()
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            psycopg.connect(f"host=127.0.0.1 port={port} user=admin password=nope dbname=postgres")
        assert (tmp_path / "data" / "dataforge.duckdb").exists()
        # the HEALTHCHECK command, as written (its port mapped)
        health = json.loads(_instruction("HEALTHCHECK").split("CMD", 1)[1].strip())
        health = [sys.executable if a == "python" else a.replace("9187", str(metrics)) for a in health]
        assert subprocess.run(health, timeout=30).returncode == 0
        body = urllib.request.urlopen(f"http://127.0.0.1:{metrics}/healthz", timeout=5).read()
        assert json.loads(body)["status"] == "ok"
    finally:
        proc.terminate()
        proc.wait(30)
    assert proc.returncode == 0


def test_entrypoint_without_users_file_refuses_to_start(tmp_path: Path) -> None:
    # no users file mounted: the image must not fall back to trust on 0.0.0.0
    (tmp_path / "data").mkdir()
    cmd = _entrypoint(tmp_path, free_port(), free_port())
    proc = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "users file" in proc.stderr and "does not exist" in proc.stderr
