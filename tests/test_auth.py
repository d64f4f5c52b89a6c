"""Authentication matrix: SCRAM-SHA-256, md5, password; wrong password and unknown user (28P01);
TLS optional and required, verify-full with the development CA; read-only role; host rules.

Every client connects for real: psql, psycopg, asyncpg, pgjdbc and node-postgres.
"""

from __future__ import annotations

import asyncio
import json
import os
import ssl
import subprocess
import sys
from pathlib import Path

import asyncpg
import psycopg
import pytest

from gateway.auth import add_user, load_users, parse_verifier
from gateway.tls import make_dev_certificates
from tests import pgwire as w
from tests.clients import run_java, run_node
from tests.servers import REPO_ROOT, free_port, start_gateway

PASSWORDS = {"scram_u": "Sc-ram pässword", "md5_u": "md5-secret", "pw_u": "clear'text", "reader": "r3ad",
             "admin_u": "adm1n"}


@pytest.fixture(scope="module")
def secure(tmp_path_factory):
    base = tmp_path_factory.mktemp("secure")
    users = base / "users.json"
    add_user(users, "scram_u", "write", PASSWORDS["scram_u"])
    add_user(users, "md5_u", "write", PASSWORDS["md5_u"], md5=True)
    add_user(users, "pw_u", "write", PASSWORDS["pw_u"])
    add_user(users, "reader", "read", PASSWORDS["reader"])
    add_user(users, "admin_u", "admin", PASSWORDS["admin_u"])
    certs = make_dev_certificates(base / "certs", ["localhost", "127.0.0.1"])
    cfg = base / "dataforge.toml"
    cfg.write_text(
        "[gateway]\n"
        f"users = '{users}'\n"
        f"ssl_cert_file = '{certs['server certificate']}'\n"
        f"ssl_key_file = '{certs['server key']}'\n"
        "[[gateway.host_rules]]\nuser = 'md5_u'\nmethod = 'md5'\n"
        "[[gateway.host_rules]]\nuser = 'pw_u'\nmethod = 'password'\n"
        "[[gateway.host_rules]]\naddress = '127.0.0.1/32'\nmethod = 'scram-sha-256'\n"
    )
    optional = start_gateway(base / "optional", "--config", str(cfg))
    required = start_gateway(base / "required", "--config", str(cfg), "--ssl", "require")
    yield {"optional": optional, "required": required, "ca": str(certs["ca certificate"]), "users": users,
           "cfg": cfg}
    optional.stop()
    required.stop()


# (case id, server, user, password, sslmode, expected: "ok" or SQLSTATE)
CASES = [
    ("scram", "optional", "scram_u", PASSWORDS["scram_u"], "disable", "ok"),
    ("md5", "optional", "md5_u", PASSWORDS["md5_u"], "disable", "ok"),
    ("password", "optional", "pw_u", PASSWORDS["pw_u"], "disable", "ok"),
    ("scram-wrong", "optional", "scram_u", "nope", "disable", "28P01"),
    ("md5-wrong", "optional", "md5_u", "nope", "disable", "28P01"),
    ("password-wrong", "optional", "pw_u", "nope", "disable", "28P01"),
    ("unknown-user", "optional", "nobody", "nope", "disable", "28P01"),
    ("tls-optional", "optional", "scram_u", PASSWORDS["scram_u"], "require", "ok"),
    ("tls-required-plaintext", "required", "scram_u", PASSWORDS["scram_u"], "disable", "28000"),
    ("tls-required", "required", "scram_u", PASSWORDS["scram_u"], "require", "ok"),
    ("verify-full", "required", "md5_u", PASSWORDS["md5_u"], "verify-full", "ok"),
]
MESSAGES = {"28P01": "password authentication failed for user", "28000": "SSL connection is required"}


def _dsn(secure, server, user, password, sslmode) -> str:
    gw = secure[server]
    host = "localhost" if sslmode == "verify-full" else gw.host
    extra = f" sslrootcert={secure['ca']}" if sslmode == "verify-full" else ""
    pw = password.replace("\\", "\\\\").replace("'", "\\'")
    return f"host={host} port={gw.port} user={user} password='{pw}' dbname=postgres sslmode={sslmode}{extra}"


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_psycopg(secure, case) -> None:
    _, server, user, password, sslmode, want = case
    dsn = _dsn(secure, server, user, password, sslmode)
    if want == "ok":
        with psycopg.connect(dsn) as c:
            assert c.execute("SELECT current_setting('session_authorization')").fetchone() == (user,)
            assert bool(c.pgconn.ssl_in_use) == (sslmode != "disable")
    else:
        with pytest.raises(psycopg.OperationalError) as ei:
            psycopg.connect(dsn)
        assert MESSAGES[want] in str(ei.value)
        if want == "28P01":
            assert f'for user "{user}"' in str(ei.value)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_psql(secure, case) -> None:
    _, server, user, password, sslmode, want = case
    dsn = _dsn(secure, server, user, "", sslmode).replace(" password=''", "")
    proc = subprocess.run(["psql", "-X", "-A", "-t", dsn, "-c", "SELECT 'in'"], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "PGPASSWORD": password, "PGCONNECT_TIMEOUT": "10"})
    if want == "ok":
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip() == "in"
    else:
        assert proc.returncode == 2
        assert MESSAGES[want] in proc.stderr


async def _asyncpg(secure, server, user, password, sslmode):
    gw = secure[server]
    if sslmode == "disable":
        sslarg, host = False, gw.host
    elif sslmode == "require":
        sslarg, host = "require", gw.host
    else:
        sslarg, host = ssl.create_default_context(cafile=secure["ca"]), "localhost"
    try:
        c = await asyncpg.connect(host=host, port=gw.port, user=user, password=password, database="postgres",
                                  ssl=sslarg, timeout=30)
    except asyncpg.PostgresError as e:
        return e.sqlstate
    try:
        assert await c.fetchval("SELECT 1") == 1
        tls = c._transport.get_extra_info("ssl_object") is not None
        assert tls == (sslmode != "disable")
        return "ok"
    finally:
        await c.close()


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_asyncpg(secure, case) -> None:
    _, server, user, password, sslmode, want = case
    assert asyncio.run(_asyncpg(secure, server, user, password, sslmode)) == want


JAVA = r"""
import java.sql.*;
import java.util.Properties;
public class JdbcAuth {
    public static void main(String[] a) throws Exception {
        for (int i = 0; i + 2 < a.length; i += 3) {
            Properties p = new Properties();
            p.setProperty("user", a[i + 1]);
            p.setProperty("password", a[i + 2]);
            try (Connection c = DriverManager.getConnection(a[i], p);
                 ResultSet rs = c.createStatement().executeQuery("SELECT 1")) {
                rs.next();
                System.out.println("ok");
            } catch (SQLException e) {
                System.out.println(e.getSQLState());
            }
        }
    }
}
"""


def test_pgjdbc(secure) -> None:
    args, wants = [], []
    for _, server, user, password, sslmode, want in CASES:
        gw = secure[server]
        if sslmode == "verify-full":
            url = (f"jdbc:postgresql://localhost:{gw.port}/postgres?sslmode=verify-full"
                   f"&sslrootcert={secure['ca']}")
        else:
            url = f"jdbc:postgresql://{gw.host}:{gw.port}/postgres?sslmode={sslmode}"
        args += [url, user, password]
        wants.append(want)
    out = run_java(JAVA, *args).stdout.split()
    assert out == wants


NODE = r"""
const { Client } = require('pg');
const fs = require('fs');
(async () => {
  const cases = JSON.parse(process.argv[1]);
  const out = [];
  for (const k of cases) {
    let ssl = false;
    if (k.sslmode === 'require') ssl = { rejectUnauthorized: false };
    if (k.sslmode === 'verify-full') ssl = { ca: fs.readFileSync(k.ca), rejectUnauthorized: true };
    const c = new Client({ host: k.host, port: k.port, user: k.user, password: k.password,
                           database: 'postgres', ssl });
    try {
      await c.connect();
      const r = await c.query('SELECT 1 AS n');
      out.push(r.rows[0].n === 1 ? 'ok' : 'bad');
      await c.end();
    } catch (e) {
      out.push(e.code || String(e));
    }
  }
  console.log(JSON.stringify(out));
})().catch(e => { console.error(e); process.exit(1); });
"""


def test_node_postgres(secure) -> None:
    cases, wants = [], []
    for _, server, user, password, sslmode, want in CASES:
        gw = secure[server]
        cases.append({"host": "localhost" if sslmode == "verify-full" else gw.host, "port": gw.port, "user": user,
                      "password": password, "sslmode": sslmode, "ca": secure["ca"]})
        wants.append(want)
    assert json.loads(run_node(NODE, json.dumps(cases)).stdout) == wants


# ------------------------------------------------------------------ details of the exchange


def test_raw_cleartext_exchange_sqlstates(secure) -> None:
    gw = secure["optional"]
    with w.PgWire.connect(gw.host, gw.port) as c:
        c.send(w.startup_message({"user": "pw_u", "database": "postgres"}))
        req = c.read()
        assert req.type == "R"
        c.send(w.msg("p", w.cstr("wrong")))
        msgs = c.expect_closed()
        errs = w.errors(msgs)
        assert errs and errs[0]["C"] == "28P01" and errs[0]["S"] == "FATAL"
        assert errs[0]["M"] == 'password authentication failed for user "pw_u"'


def test_unknown_user_gets_a_scram_challenge_like_a_known_one(secure) -> None:
    # no user enumeration: an unknown user is asked for SCRAM exactly like a real one
    gw = secure["optional"]
    seen = []
    for user in ("scram_u", "nobody_at_all"):
        with w.PgWire.connect(gw.host, gw.port) as c:
            c.send(w.startup_message({"user": user, "database": "postgres"}))
            seen.append(c.read().body[:4])
    assert seen[0] == seen[1] == (10).to_bytes(4, "big")


def test_read_role_may_not_write(secure) -> None:
    gw = secure["optional"]
    dsn = _dsn(secure, "optional", "admin_u", PASSWORDS["admin_u"], "disable")
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute("CREATE TABLE IF NOT EXISTS ro_t (a int)")
        c.execute("INSERT INTO ro_t VALUES (1)")
    dsn = _dsn(secure, "optional", "reader", PASSWORDS["reader"], "disable")
    with psycopg.connect(dsn, autocommit=True) as c:
        assert c.execute("SELECT count(*) FROM ro_t").fetchone() == (1,)
        for sql in ("INSERT INTO ro_t VALUES (2)", "UPDATE ro_t SET a = 3", "DELETE FROM ro_t",
                    "CREATE TABLE ro_t2 (a int)", "DROP TABLE ro_t", "COPY ro_t FROM STDIN",
                    "SELECT pg_terminate_backend(1)"):
            with pytest.raises(psycopg.Error) as ei:
                c.execute(sql)
            assert ei.value.sqlstate == "42501", sql
        with pytest.raises(psycopg.Error) as ei:
            c.execute("INSERT INTO ro_t VALUES (%s)", (9,))  # the prepared-INSERT fast path too
        assert "read-only" in str(ei.value)
        with c.transaction():
            with pytest.raises(psycopg.Error):
                c.execute("INSERT INTO ro_t VALUES (4)")
            raise psycopg.Rollback()
        assert c.execute("SELECT count(*) FROM ro_t").fetchone() == (1,)


def test_host_rules_refuse_unlisted_networks(tmp_path: Path) -> None:
    users = tmp_path / "users.json"
    add_user(users, "u", "read", "pw")
    cfg = tmp_path / "dataforge.toml"
    cfg.write_text(f"[gateway]\nusers = '{users}'\n[[gateway.host_rules]]\naddress = '10.0.0.0/8'\n"
                   "method = 'scram-sha-256'\n")
    gw = start_gateway(tmp_path / "gw", "--config", str(cfg))
    try:
        with pytest.raises(psycopg.OperationalError, match="no pg_hba.conf entry for host \"127.0.0.1\""):
            psycopg.connect(f"host={gw.host} port={gw.port} user=u password=pw dbname=postgres sslmode=disable")
    finally:
        gw.stop()


def test_users_file_never_holds_the_password(tmp_path: Path) -> None:
    f = tmp_path / "users.json"
    proc = subprocess.run([sys.executable, "-m", "gateway", "users", "add", "eve", "--role", "write", "--file",
                           str(f)], input="Very secret 1\n", capture_output=True, text=True, cwd=REPO_ROOT,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    text = f.read_text()
    assert "Very secret" not in text
    assert oct(f.stat().st_mode & 0o777) == "0o600"
    u = load_users(f)["eve"]
    assert u.role == "write" and not u.md5
    salt, stored, server, iters = parse_verifier(u.scram)
    assert iters >= 4096 and len(salt) >= 16 and len(stored) == len(server) == 32


def test_trust_refused_on_a_non_loopback_listener(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "gateway", "serve", "--host", "0.0.0.0", "--port",
                           str(free_port()), "--database", str(tmp_path / "x.duckdb")],
                          capture_output=True, text=True, cwd=REPO_ROOT, timeout=60)
    assert proc.returncode == 2
    assert "trust authentication is only allowed on a loopback listener" in proc.stderr


def test_trust_on_loopback_warns(gateway) -> None:
    assert "WARNING: trust authentication" in gateway.log_text()


def test_authentication_timeout(gateway_factory) -> None:
    gw = gateway_factory("--config", str(_cfg(gateway_factory.base, "authentication_timeout_s = 0.5")))
    with w.PgWire.connect(gw.host, gw.port) as c:
        c.send(b"\x00\x00")  # half a startup packet, then nothing
        msgs = c.expect_closed(timeout=10)
    assert [e["M"] for e in w.errors(msgs)] == ["canceling authentication due to timeout"]


def test_idle_session_timeout(gateway_factory) -> None:
    gw = gateway_factory("--config", str(_cfg(gateway_factory.base, "idle_session_timeout_ms = 300")))
    with w.connect_ready(gw.host, gw.port) as c:
        assert c.scalar("SELECT 1") == "1"
        msgs = c.expect_closed(timeout=10)
    assert [e["C"] for e in w.errors(msgs)] == ["57P05"]


def _cfg(base: Path, line: str) -> Path:
    base.mkdir(parents=True, exist_ok=True)
    p = base / f"cfg-{abs(hash(line))}.toml"
    p.write_text(f"[gateway]\n{line}\n")
    return p


def test_scram_channel_binding_over_tls(secure) -> None:
    # libpq with channel_binding=require only accepts SCRAM-SHA-256-PLUS (tls-server-end-point)
    dsn = _dsn(secure, "required", "scram_u", PASSWORDS["scram_u"], "verify-full") + " channel_binding=require"
    with psycopg.connect(dsn) as c:
        assert c.execute("SELECT 1").fetchone() == (1,)
    proc = subprocess.run(["psql", "-X", "-A", "-t", dsn.replace(f" password='{PASSWORDS['scram_u']}'", ""), "-c",
                           "SELECT 'bound'"], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PGPASSWORD": PASSWORDS["scram_u"]})
    assert proc.returncode == 0 and proc.stdout.strip() == "bound", proc.stderr
    # and a wrong password is still refused on the bound exchange
    bad = _dsn(secure, "required", "scram_u", "wrong", "require") + " channel_binding=require"
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(bad)


def test_users_add_prompts_on_a_terminal(tmp_path: Path) -> None:
    import pty
    import select

    f = tmp_path / "users.json"
    pid, fd = pty.fork()
    if pid == 0:  # the child: its controlling terminal is the pty
        os.chdir(REPO_ROOT)
        os.execv(sys.executable, [sys.executable, "-m", "gateway", "users", "add", "tty_user", "--role", "admin",
                                  "--file", str(f)])
    out = b""

    def expect(text: bytes) -> None:
        nonlocal out
        while text not in out:
            r, _, _ = select.select([fd], [], [], 30)
            assert r, f"no {text!r} prompt; got {out!r}"
            out += os.read(fd, 1024)

    expect(b"Password for tty_user:")
    os.write(fd, b"typed-secret\n")
    expect(b"Again:")
    os.write(fd, b"typed-secret\n")
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert b"typed-secret" not in out  # getpass does not echo
    from gateway.auth import check_password

    u = load_users(f)["tty_user"]
    assert u.role == "admin" and check_password(u, "typed-secret") and not check_password(u, "other")


def test_users_file_changes_apply_to_new_logins(tmp_path: Path) -> None:
    users = tmp_path / "users.json"
    add_user(users, "first", "write", "one")
    gw = start_gateway(tmp_path / "gw", "--users", str(users))
    try:
        dsn = f"host={gw.host} port={gw.port} dbname=postgres sslmode=disable"
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            psycopg.connect(dsn + " user=second password=two")
        subprocess.run([sys.executable, "-m", "gateway", "users", "add", "second", "--role", "read", "--file",
                        str(users)], input="two\n", text=True, check=True, cwd=REPO_ROOT, capture_output=True)
        with psycopg.connect(dsn + " user=second password=two") as c:
            assert c.execute("SELECT 1").fetchone() == (1,)
        # a broken file (a hand edit in progress) keeps the previous users working
        users.write_text("{not json")
        with psycopg.connect(dsn + " user=first password=one") as c:
            assert c.execute("SELECT 1").fetchone() == (1,)
        users.unlink()
        with pytest.raises(psycopg.OperationalError, match="authentication is unavailable"):
            psycopg.connect(dsn + " user=first password=one")
    finally:
        gw.stop()
    assert "keeping the previous users" in gw.log_text()
