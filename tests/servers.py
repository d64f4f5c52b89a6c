"""Real servers for tests and benchmarks: a throwaway PostgreSQL 15 and the gateway.

Both helpers start a real process, wait for it to be *ready* (PostgreSQL: ``pg_ctl -w``;
gateway: its ``listening on 127.0.0.1:<port>`` log line, read from its output pipe) and
return a handle with ``host``/``port``/``dsn`` and a ``stop()``. No fixed sleeps anywhere.

Used by ``tests/conftest.py`` (fixtures ``pg``, ``gateway``, ``gateway_factory``) and by
``benchmarks/`` (``from tests.servers import start_postgres, start_gateway``).
"""

from __future__ import annotations

import atexit
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

PG_MAJOR = "15"
PG_FALLBACK_BINDIR = Path(f"/usr/lib/postgresql/{PG_MAJOR}/bin")
# postgres refuses to run as root; as root we run it as this unprivileged system user.
PG_OS_USER = os.environ.get("DATAFORGE_TEST_PG_OS_USER", "dfpg")

# Test defaults: fast and deterministic. Benchmarks pass ``settings`` to override these
# (e.g. {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}).
PG_TEST_SETTINGS: dict[str, str] = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "timezone": "UTC",
    "log_timezone": "UTC",
    "datestyle": "ISO, MDY",
    "intervalstyle": "postgres",
    "lc_messages": "C",
    "max_connections": "100",
}

GATEWAY_READY_TIMEOUT = 30.0
# The longest unix socket path the kernel accepts is 107 bytes; PostgreSQL appends
# "/.s.PGSQL.<port>" (and ".lock") to unix_socket_directories.
_MAX_SOCKET_DIR_LEN = 80


class PostgresUnavailable(RuntimeError):
    """PostgreSQL cannot be started here (binaries missing, initdb/pg_ctl failed...).

    The ``pg`` fixture turns this into a skip carrying the message.
    """


class GatewayStartError(RuntimeError):
    """The gateway process exited or never announced that it was listening."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _dsn(host: str, port: int) -> str:
    return f"host={host} port={port} user=postgres dbname=postgres"


def _url(host: str, port: int) -> str:
    return f"postgresql://postgres@{host}:{port}/postgres"


# --------------------------------------------------------------------------- PostgreSQL


def find_pg_bindir() -> Path:
    """The directory holding initdb, pg_ctl and postgres (PATH first, then Debian's dir)."""
    names = ("initdb", "pg_ctl", "postgres")
    found = shutil.which("initdb")
    candidates = []
    if found:
        candidates.append(Path(found).resolve().parent)
        candidates.append(Path(found).parent)
    candidates.append(PG_FALLBACK_BINDIR)
    for d in candidates:
        if all((d / n).is_file() and os.access(d / n, os.X_OK) for n in names):
            return d
    raise PostgresUnavailable(
        "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found on PATH nor in "
        f"{PG_FALLBACK_BINDIR}; install them with `apt-get install postgresql-{PG_MAJOR}`"
    )


def _ensure_os_user(name: str) -> pwd.struct_passwd:
    """Create (idempotently) the unprivileged system user postgres runs as when we are root."""
    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    proc = subprocess.run(
        [useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
        capture_output=True,
        text=True,
    )
    try:  # another process may have created it concurrently: the lookup is the truth
        return pwd.getpwnam(name)
    except KeyError:
        raise PostgresUnavailable(
            f"cannot create system user {name!r} to run postgres as non-root: "
            f"{useradd} exited {proc.returncode}: {proc.stderr.strip()}"
        ) from None


def _as_user_prefix(user: str | None) -> list[str]:
    if user is None:
        return []
    runuser = shutil.which("runuser") or "/usr/sbin/runuser"
    if os.path.exists(runuser):
        return [runuser, "-u", user, "--"]
    setpriv = shutil.which("setpriv")
    if setpriv:
        pw = pwd.getpwnam(user)
        return [setpriv, f"--reuid={pw.pw_uid}", f"--regid={pw.pw_gid}", "--init-groups", "--"]
    raise PostgresUnavailable("running as root but neither runuser nor setpriv is available")


def _run(cmd: list[str], what: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise PostgresUnavailable(
            f"{what} failed (exit {proc.returncode}): {' '.join(cmd)}\n"
            f"--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}"
        )
    return proc


def _user_can_use(prefix: list[str], path: Path) -> bool:
    """Whether the (possibly different) OS user can create files in ``path``."""
    if not prefix:
        return os.access(path, os.W_OK | os.X_OK)
    return subprocess.run([*prefix, "test", "-w", str(path), "-a", "-x", str(path)]).returncode == 0


def _quote_conf(value: str) -> str:
    return "'" + str(value).replace("\\", "\\\\").replace("'", "''") + "'"


@dataclass
class PgServer:
    """A running throwaway PostgreSQL instance (see :func:`start_postgres`)."""

    host: str
    port: int
    datadir: Path
    socket_dir: Path
    log_path: Path
    bindir: Path
    os_user: str | None = None
    _owned_dirs: list[Path] = field(default_factory=list, repr=False)
    _stopped: bool = field(default=False, repr=False)

    @property
    def dsn(self) -> str:
        """libpq conninfo string (TCP, user postgres, database postgres)."""
        return _dsn(self.host, self.port)

    @property
    def url(self) -> str:
        """The same as ``dsn`` as a postgresql:// URL (asyncpg, SQLAlchemy)."""
        return _url(self.host, self.port)

    def stop(self) -> None:
        """Fast shutdown (``pg_ctl -m fast -w stop``); idempotent."""
        if self._stopped:
            return
        self._stopped = True
        _live_servers.discard(self)
        env = _pg_env()
        cmd = [*_as_user_prefix(self.os_user), str(self.bindir / "pg_ctl"), "-D", str(self.datadir),
               "-m", "fast", "-w", "-t", "60", "stop"]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        for d in self._owned_dirs:
            shutil.rmtree(d, ignore_errors=True)
        if proc.returncode != 0 and self.datadir.exists() and (self.datadir / "postmaster.pid").exists():
            raise RuntimeError(f"pg_ctl stop failed: {proc.stdout}{proc.stderr}")

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    __hash__ = object.__hash__
    __eq__ = object.__eq__


def _pg_env() -> dict[str, str]:
    env = dict(os.environ)
    # Deterministic server environment: no locale or PG* variables leaking in from the caller.
    for k in list(env):
        if k.startswith("PG") or k.startswith("LC_"):
            del env[k]
    env["LANG"] = "C"
    env["TZ"] = "UTC"
    return env


def start_postgres(base_dir: Path, *, settings: dict[str, str] | None = None) -> PgServer:
    """Initialise and start a throwaway PostgreSQL 15 under ``base_dir``.

    The server listens on 127.0.0.1 on a free port, trusts every local connection, and uses
    :data:`PG_TEST_SETTINGS` (fsync off...) overridden by ``settings``. Raises
    :class:`PostgresUnavailable` when PostgreSQL cannot be started.
    """
    base_dir = Path(base_dir).resolve()
    base_dir.mkdir(parents=True, exist_ok=True)
    bindir = find_pg_bindir()
    env = _pg_env()

    os_user: str | None = None
    owner: pwd.struct_passwd | None = None
    if os.geteuid() == 0:
        owner = _ensure_os_user(PG_OS_USER)
        os_user = owner.pw_name
    prefix = _as_user_prefix(os_user)

    owned: list[Path] = []
    root = base_dir / "pg"
    root.mkdir(parents=True, exist_ok=True)
    if owner is not None:
        os.chown(root, owner.pw_uid, owner.pw_gid)
    if not _user_can_use(prefix, root) or len(str(root / "sock")) > _MAX_SOCKET_DIR_LEN:
        # base_dir is not reachable by the postgres OS user (e.g. pytest's 0700 /tmp/pytest-of-root)
        # or too deep for a unix socket path: use a private directory in the system temp dir.
        root = Path(tempfile.mkdtemp(prefix="dfpg-"))
        owned.append(root)
        if owner is not None:
            os.chown(root, owner.pw_uid, owner.pw_gid)
        (base_dir / "pg" / "WHERE").write_text(f"the server's files are in {root}\n")

    datadir = root / "data"
    socket_dir = root / "sock"
    log_path = root / "postgres.log"
    for d in (socket_dir,):
        d.mkdir(exist_ok=True)
        if owner is not None:
            os.chown(d, owner.pw_uid, owner.pw_gid)
    if owner is not None:
        log_path.touch()
        os.chown(log_path, owner.pw_uid, owner.pw_gid)

    _run([*prefix, str(bindir / "initdb"), "-D", str(datadir), "-U", "postgres", "--auth=trust",
          "-E", "UTF8", "--locale=C", "--no-sync"], "initdb", env)

    conf = dict(PG_TEST_SETTINGS)
    conf.update(settings or {})
    conf["listen_addresses"] = "127.0.0.1"
    conf["unix_socket_directories"] = str(socket_dir)

    last_error: PostgresUnavailable | None = None
    for _attempt in range(3):  # the free port can be taken between free_port() and bind()
        port = free_port()
        conf["port"] = str(port)
        lines = "".join(f"{k} = {_quote_conf(v)}\n" for k, v in conf.items())
        # postgresql.auto.conf is read last: our values win over the initdb-generated ones.
        auto_conf = datadir / "postgresql.auto.conf"
        auto_conf.write_text("# written by tests/servers.py\n" + lines)
        if owner is not None:
            os.chown(auto_conf, owner.pw_uid, owner.pw_gid)
        try:
            _run([*prefix, str(bindir / "pg_ctl"), "-D", str(datadir), "-l", str(log_path),
                  "-w", "-t", "60", "start"], "pg_ctl start", env)
        except PostgresUnavailable as exc:
            log = log_path.read_text(errors="replace") if log_path.exists() else ""
            last_error = PostgresUnavailable(f"{exc}\n--- server log ---\n{log[-4000:]}")
            if "could not bind" in log or "already in use" in log:
                continue
            break
        server = PgServer(host="127.0.0.1", port=port, datadir=datadir, socket_dir=socket_dir,
                          log_path=log_path, bindir=bindir, os_user=os_user, _owned_dirs=owned)
        _live_servers.add(server)
        return server
    for d in owned:
        shutil.rmtree(d, ignore_errors=True)
    assert last_error is not None
    raise last_error


# --------------------------------------------------------------------------- gateway


@dataclass
class GatewayServer:
    """A running ``python -m gateway serve`` process (see :func:`start_gateway`)."""

    host: str
    port: int
    database: Path
    proc: subprocess.Popen
    log_path: Path
    _pump: threading.Thread | None = field(default=None, repr=False)

    @property
    def dsn(self) -> str:
        """libpq conninfo string (user postgres, database postgres)."""
        return _dsn(self.host, self.port)

    @property
    def url(self) -> str:
        return _url(self.host, self.port)

    def stop(self, timeout: float = 10) -> int:
        """SIGTERM, wait up to ``timeout`` seconds, return the exit code.

        A gateway that does not exit in time is SIGKILLed and ``TimeoutError`` is raised
        (a graceful shutdown that hangs is a bug worth seeing).
        """
        _live_servers.discard(self)
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                raise TimeoutError(
                    f"gateway (pid {self.proc.pid}) did not exit within {timeout}s of SIGTERM; "
                    f"killed. Log tail:\n{self.log_text()[-3000:]}"
                ) from None
        self._join_pump()
        return self.proc.returncode

    def kill(self) -> None:
        """SIGKILL (crash tests) and reap the process."""
        _live_servers.discard(self)
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self._join_pump()

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def _join_pump(self) -> None:
        if self._pump is not None:
            self._pump.join(5)

    __hash__ = object.__hash__
    __eq__ = object.__eq__


def gateway_command(port: int, database: Path, *args: str, host: str = "127.0.0.1") -> list[str]:
    return [sys.executable, "-m", "gateway", "serve", "--host", host, "--port", str(port),
            "--database", str(database), *args]


def start_gateway(base_dir: Path, *args: str, database: Path | None = None,
                  env: dict | None = None, port: int | None = None) -> GatewayServer:
    """Start the gateway on 127.0.0.1 and return once it says it is listening.

    Output (stdout and stderr) goes to ``base_dir/gateway-<port>.log``. Readiness is the
    line ``listening on 127.0.0.1:<port>``; if the process exits first or the line does not
    come within 30 s, :class:`GatewayStartError` is raised with the log.
    """
    base_dir = Path(base_dir).resolve()
    base_dir.mkdir(parents=True, exist_ok=True)
    port = port if port is not None else free_port()
    database = Path(database) if database is not None else base_dir / "gw.duckdb"
    log_path = base_dir / f"gateway-{port}.log"
    host = "127.0.0.1"
    ready_marker = f"listening on {host}:{port}"

    proc_env = dict(os.environ)
    proc_env["PYTHONUNBUFFERED"] = "1"
    proc_env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(REPO_ROOT), proc_env.get("PYTHONPATH", "")) if p)
    if env:
        proc_env.update({k: str(v) for k, v in env.items()})

    cmd = gateway_command(port, database, *args, host=host)
    proc = subprocess.Popen(cmd, cwd=REPO_ROOT, env=proc_env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    ready = threading.Event()
    seen = threading.Event()  # the marker line was seen (ready is also set at EOF)
    log_file = open(log_path, "wb")
    log_file.write(("$ " + " ".join(cmd) + "\n").encode())
    log_file.flush()

    def pump() -> None:
        # Copies the gateway's output into the log for its whole life; flags readiness.
        # At EOF (the process exited) it sets `ready` too, so the waiter wakes at once.
        assert proc.stdout is not None
        try:
            for line in iter(proc.stdout.readline, b""):
                log_file.write(line)
                log_file.flush()
                if not seen.is_set() and ready_marker.encode() in line:
                    seen.set()
                    ready.set()
        finally:
            log_file.close()
            ready.set()

    thread = threading.Thread(target=pump, name=f"gateway-log-{port}", daemon=True)
    thread.start()
    server = GatewayServer(host=host, port=port, database=database, proc=proc,
                           log_path=log_path, _pump=thread)

    ready.wait(GATEWAY_READY_TIMEOUT)
    if not seen.is_set():
        if ready.is_set():  # output closed: the process is exiting
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            thread.join(5)
            raise GatewayStartError(
                f"gateway exited with code {proc.returncode} before listening "
                f"({' '.join(cmd)}).\n--- log {log_path} ---\n{server.log_text()[-6000:]}")
        server.kill()
        raise GatewayStartError(
            f"gateway did not print {ready_marker!r} within {GATEWAY_READY_TIMEOUT:.0f}s "
            f"({' '.join(cmd)}).\n--- log {log_path} ---\n{server.log_text()[-6000:]}")
    _live_servers.add(server)
    return server


# --------------------------------------------------------------------------- safety net

_live_servers: set = set()


@atexit.register
def _stop_leftovers() -> None:
    """Do not leave servers running if the caller forgot (or crashed before) stop()."""
    for server in list(_live_servers):
        try:
            if isinstance(server, GatewayServer):
                server.kill()
            else:
                server.stop()
        except Exception:  # noqa: BLE001 - best effort at interpreter exit
            pass
