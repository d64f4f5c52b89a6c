"""Run real non-Python clients from tests: pgjdbc (Java) and node-postgres (npm `pg`).

- ``run_java(source, *args)``: compiles one Java source file (its public class is named in
  ``public class X``) against Debian's pgjdbc jar (``libpostgresql-jdbc-java``) into a cache
  directory keyed by the source's hash, then runs it. Skips the test when java/javac or the jar
  is missing.
- ``run_node(script, *args)``: runs a node script with ``tests/node/node_modules`` (``pg``,
  ``pg-copy-streams``; installed by ``.ci/run`` with ``npm install`` there) on its module path.
  Skips when node or the modules are missing.

Both return the CompletedProcess (text mode); a non-zero exit fails the test with the
program's output, so callers only assert on stdout.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
NODE_DIR = TESTS / "node"
JDBC_JARS = (Path("/usr/share/java/postgresql.jar"),)
_CACHE = Path(tempfile.gettempdir()) / "dataforge-client-cache"


def jdbc_jar() -> Path | None:
    return next((j for j in JDBC_JARS if j.exists()), None)


def run_java(source: str, *args: str, timeout: float = 120, check: bool = True,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    jar = jdbc_jar()
    if not (shutil.which("javac") and shutil.which("java") and jar):
        pytest.skip("java/javac or pgjdbc (apt-get install libpostgresql-jdbc-java) missing")
    m = re.search(r"public\s+class\s+(\w+)", source)
    assert m, "the Java source needs a public class"
    name = m.group(1)
    out = _CACHE / "java" / hashlib.sha256(source.encode()).hexdigest()[:16]
    if not (out / f"{name}.class").exists():
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{name}.java").write_text(source)
        comp = subprocess.run(["javac", "-cp", str(jar), "-d", str(out), str(out / f"{name}.java")],
                              capture_output=True, text=True, timeout=timeout)
        assert comp.returncode == 0, f"javac failed:\n{comp.stderr}"
    proc = subprocess.run(["java", "-cp", f"{out}{os.pathsep}{jar}", name, *args],
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})
    if check:
        assert proc.returncode == 0, f"{name} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
    return proc


def run_node(script: str, *args: str, timeout: float = 120, check: bool = True,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    if not shutil.which("node"):
        pytest.skip("node is not installed")
    if not (NODE_DIR / "node_modules" / "pg").exists():
        pytest.skip("node-postgres missing: run `npm install` in tests/node (.ci/run does)")
    proc = subprocess.run(["node", "-e", script, "--", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=NODE_DIR,
                          env={**os.environ, "NODE_PATH": str(NODE_DIR / "node_modules"), **(env or {})})
    if check:
        assert proc.returncode == 0, f"node exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
    return proc
