"""Authentication (trust, password, md5, SCRAM-SHA-256), the users file, host rules, roles.

The users file (JSON, written by `dataforge users add`) holds, per user, a role and a SCRAM
verifier in PostgreSQL's format (`SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`);
never a password. md5 authentication needs md5(password || user), which is as good as the
password for md5 logins, so it is stored only for users added with `--md5`; a user without it
authenticates with SCRAM even where the method is md5, as PostgreSQL does.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import logging
import os
import secrets
import socket
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import scramp

from . import metrics
from .errors import PgError
from .protocol import messages as m
from .sql.classify import WRITE
from .sql.guard import copy_direction

if TYPE_CHECKING:
    from .config import HostRule, Settings
    from .session import Session

log = logging.getLogger("dataforge.auth")

ROLES = ("read", "write", "admin")
SCRAM_ITERATIONS = 4096
_SCRAM = scramp.ScramMechanism("SCRAM-SHA-256")

# AuthenticationRequest codes
_AUTH_CLEARTEXT = 3
_AUTH_MD5 = 5
_AUTH_SASL = 10
_AUTH_SASL_CONTINUE = 11
_AUTH_SASL_FINAL = 12


class ConfigError(Exception):
    """A configuration the gateway refuses to start with."""


@dataclass(slots=True)
class User:
    name: str
    role: str
    scram: str
    md5: str = ""


# ------------------------------------------------------------------ verifiers and the users file


def scram_verifier(password: str, iterations: int = SCRAM_ITERATIONS) -> str:
    salt, stored_key, server_key, i = _SCRAM.make_auth_info(password, iteration_count=iterations)
    b64 = lambda b: base64.b64encode(b).decode()  # noqa: E731
    return f"SCRAM-SHA-256${i}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def parse_verifier(v: str) -> tuple[bytes, bytes, bytes, int]:
    """(salt, StoredKey, ServerKey, iterations) of a SCRAM-SHA-256 verifier."""
    try:
        mech, rest = v.split("$", 1)
        head, keys = rest.split("$", 1)
        iters, salt = head.split(":", 1)
        stored, server = keys.split(":", 1)
        if mech != "SCRAM-SHA-256":
            raise ValueError(mech)
        return base64.b64decode(salt), base64.b64decode(stored), base64.b64decode(server), int(iters)
    except ValueError as e:
        raise ValueError(f"not a SCRAM-SHA-256 verifier: {e}") from None


def md5_hash(user: str, password: str) -> str:
    return "md5" + hashlib.md5((password + user).encode()).hexdigest()


def check_password(user: User, password: str) -> bool:
    """A cleartext password against the stored verifier (the 'password' method)."""
    salt, stored, _server, iters = parse_verifier(user.scram)
    try:
        _, got, _, _ = _SCRAM.make_auth_info(password, iteration_count=iters, salt=salt)
    except scramp.ScramException:
        return False
    return hmac.compare_digest(got, stored)


def load_users(path: str | Path) -> dict[str, User]:
    p = Path(path)
    if not p.exists():
        return {}
    data = json.loads(p.read_text() or "{}")
    users = {}
    for name, u in (data.get("users") or {}).items():
        role = u.get("role", "read")
        if role not in ROLES:
            raise ValueError(f"{path}: user {name!r} has unknown role {role!r}")
        parse_verifier(u["scram"])
        users[name] = User(name, role, u["scram"], u.get("md5", ""))
    return users


def add_user(path: str | Path, name: str, role: str, password: str, md5: bool = False) -> None:
    """Add or replace a user; the file is rewritten atomically, readable by its owner only."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if not name or "\x00" in name:
        raise ValueError("a user name is required")
    if not password:
        raise ValueError("an empty password is not allowed")
    p = Path(path)
    data = json.loads(p.read_text() or "{}") if p.exists() else {}
    users = data.setdefault("users", {})
    entry = {"role": role, "scram": scram_verifier(password)}
    if md5:
        entry["md5"] = md5_hash(name, password)
    users[name] = entry
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=p.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(data, f, indent=2, sort_keys=True)
            f.write("\n")
        os.chmod(tmp, 0o600)
        os.replace(tmp, p)
    except BaseException:
        os.unlink(tmp)
        raise


# ------------------------------------------------------------------ listener checks


def is_loopback_host(host: str) -> bool:
    if host in ("", "0.0.0.0", "::", "*"):
        return False
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(i[4][0].split("%")[0]).is_loopback for i in infos)


def _network(address: str):
    if address in ("all", "*"):
        return None
    if address in ("samehost", "localhost"):
        address = "127.0.0.0/8"
    return ipaddress.ip_network(address, strict=False)


def _loopback_only(net) -> bool:
    if net is None:
        return False
    return net.subnet_of(ipaddress.ip_network("127.0.0.0/8")) if net.version == 4 else net == ipaddress.ip_network("::1/128")


class Authenticator:
    """The server's authentication policy: users, host rules, default method."""

    def __init__(self, settings: "Settings"):
        self.settings = settings
        self.users_path = settings.users
        self.method = settings.auth or ("scram-sha-256" if settings.users else "trust")
        self.rules = [(r, _network(r.address)) for r in settings.host_rules]
        self._users: dict[str, User] = {}
        self._mtime: float | None = None
        self.secret = secrets.token_bytes(16)  # mock salts for unknown users: stable per process
        # the server certificate, for SCRAM channel binding over TLS
        self.cert_pem = Path(settings.ssl_cert_file).read_text() \
            if settings.ssl != "off" and settings.ssl_cert_file and Path(settings.ssl_cert_file).exists() else None
        self.warnings: list[str] = []
        loopback = is_loopback_host(settings.host)
        methods = {r.method for r, _ in self.rules} if self.rules else {self.method}
        if methods - {"trust", "reject"} and not settings.users:
            raise ConfigError(f"authentication method {sorted(methods - {'trust', 'reject'})[0]} needs a users file "
                              f"(--users FILE; create it with `dataforge users add`)")
        if settings.users:
            self.users()  # a broken users file stops the start, not the first login
        if not loopback:
            open_trust = (not self.rules and self.method == "trust") or any(
                r.method == "trust" and not _loopback_only(net) for r, net in self.rules)
            if open_trust:
                raise ConfigError(
                    f"trust authentication is only allowed on a loopback listener, not on {settings.host!r}: "
                    "give --users FILE (scram-sha-256) or listen on 127.0.0.1")
        if "trust" in methods:
            self.warnings.append(
                "WARNING: trust authentication: clients connect as any user without a password "
                "(allowed because they come from loopback only); use --users FILE for passwords")

    def users(self) -> dict[str, User]:
        """The users file, re-read when it changes (`dataforge users add` on a running server)."""
        if not self.users_path:
            return {}
        try:
            mtime = os.stat(self.users_path).st_mtime
        except FileNotFoundError:
            raise ConfigError(f"users file {self.users_path} does not exist") from None
        if mtime != self._mtime:
            try:
                self._users = load_users(self.users_path)
            except (ValueError, KeyError, OSError) as e:
                if self._mtime is None:
                    raise ConfigError(f"users file {self.users_path}: {e}") from None
                # a file being edited by hand: keep the users we had
                log.error("users file %s cannot be read (%s): keeping the previous users", self.users_path, e)
            self._mtime = mtime
        return self._users

    def method_for(self, addr: str | None, user: str, database: str, ssl: bool) -> str:
        if not self.rules:
            return self.method
        ip = None
        if addr:
            try:
                ip = ipaddress.ip_address(addr.split("%")[0])
                if ip.version == 6 and ip.ipv4_mapped is not None:
                    ip = ip.ipv4_mapped
            except ValueError:
                ip = None
        for rule, net in self.rules:
            if rule.type == "hostssl" and not ssl or rule.type == "hostnossl" and ssl:
                continue
            if rule.user != "all" and user not in [u.strip() for u in rule.user.split(",")]:
                continue
            if net is not None and (ip is None or ip.version != net.version or ip not in net):
                continue
            return rule.method
        raise PgError("28000", f'no pg_hba.conf entry for host "{addr}", user "{user}", database "{database}", '
                               f'{"SSL encryption" if ssl else "no encryption"}', severity="FATAL")

    def mock_scram(self, name: str) -> tuple[bytes, bytes, bytes, int]:
        """Salt and keys for a user that does not exist: the exchange runs and then fails like a
        wrong password, so a client cannot tell unknown users from wrong passwords."""
        salt = hashlib.sha256(self.secret + name.encode()).digest()[:16]
        return salt, secrets.token_bytes(32), secrets.token_bytes(32), SCRAM_ITERATIONS


# ------------------------------------------------------------------ the exchange


def _failed(user: str) -> PgError:
    return PgError("28P01", f'password authentication failed for user "{user}"', severity="FATAL")


async def _password_message(session: "Session") -> bytes:
    while True:
        msg = session.decoder.next()
        if msg is not None:
            break
        if session.out:
            await session.flush()
        await session._read_more()
    if not isinstance(msg, m.PasswordMessage):
        raise PgError("08P01", f"expected password response, got message type {type(msg).__name__}",
                      severity="FATAL")
    return msg.data


async def authenticate(session: "Session") -> tuple[str, ...]:
    """Run the configured exchange for session.user; returns the user's roles or raises a
    FATAL PgError (28P01 wrong password or unknown user, 28000 refused by the host rules)."""
    try:
        return await _authenticate(session)
    except PgError as e:
        metrics.AUTH_FAILURES.inc()
        log.info("session %s: authentication failed for user %r: %s", session.pid, session.user, e.message)
        raise


async def _authenticate(session: "Session") -> tuple[str, ...]:
    a: Authenticator = session.server.authenticator
    peer = session.client_addr[0] if isinstance(session.client_addr, tuple) else None
    name = session.user
    method = a.method_for(peer, name, session.database, session.ssl)
    if method == "reject":
        raise PgError("28000", f'pg_hba.conf rejects connection for host "{peer}", user "{name}", '
                               f'database "{session.database}", {"SSL encryption" if session.ssl else "no encryption"}',
                      severity="FATAL")
    try:
        users = a.users()
    except ConfigError as e:
        log.error("%s", e)
        raise PgError("28000", "authentication is unavailable: the users file cannot be read",
                      severity="FATAL") from None
    user = users.get(name)
    if method == "trust":
        # an unlisted trust user has no declared role: it may write and signal sessions (trust
        # secures nothing), while the catalog's per-table access rules still see its name
        return (user.role,) if user is not None else (TRUST_ROLE,)
    if method == "password":
        session.send(m.auth_request(_AUTH_CLEARTEXT))
        await session.flush()
        body = await _password_message(session)
        password = body.split(b"\x00", 1)[0].decode("utf-8", "replace")
        if user is None or not check_password(user, password):
            raise _failed(name)
        return (user.role,)
    if method == "md5" and (user is None or user.md5):
        salt = secrets.token_bytes(4)
        session.send(m.auth_request(_AUTH_MD5, salt))
        await session.flush()
        body = await _password_message(session)
        got = body.split(b"\x00", 1)[0].decode("ascii", "replace")
        if user is None:
            raise _failed(name)
        want = "md5" + hashlib.md5(user.md5[3:].encode() + salt).hexdigest()
        if not hmac.compare_digest(got, want):
            raise _failed(name)
        return (user.role,)
    await _scram(session, name, user)
    assert user is not None
    return (user.role,)


async def _scram(session: "Session", name: str, user: User | None) -> None:
    a: Authenticator = session.server.authenticator
    keys = parse_verifier(user.scram) if user is not None else a.mock_scram(name)
    # over TLS, SCRAM-SHA-256-PLUS binds the exchange to the server certificate
    # (tls-server-end-point), so a man in the middle with another certificate cannot relay it
    binding = ("tls-server-end-point", a.cert_pem) if session.ssl and a.cert_pem else None
    session.send(m.auth_request(_AUTH_SASL, (b"SCRAM-SHA-256-PLUS\x00" if binding else b"") + b"SCRAM-SHA-256\x00\x00"))
    await session.flush()
    body = await _password_message(session)
    try:
        end = body.index(b"\x00")
        mech = body[:end].decode()
        (n,) = struct.unpack_from("!i", body, end + 1)
        first = body[end + 5: end + 5 + n] if n >= 0 else b""
    except (ValueError, struct.error):
        raise PgError("08P01", "malformed SASLInitialResponse message", severity="FATAL") from None
    if mech not in ("SCRAM-SHA-256", "SCRAM-SHA-256-PLUS") or (mech.endswith("PLUS") and binding is None):
        raise PgError("28000", "client selected an invalid SASL authentication mechanism", severity="FATAL")
    try:
        server = scramp.ScramMechanism(mech).make_server(lambda _username: keys, channel_binding=binding)
        client_first = first.decode("utf-8")
        # libpq and most drivers send an empty user name ('n=,'): the user is the startup
        # packet's. scramp refuses an empty attribute, so it gets a placeholder, and then the
        # original message back, which is what the client's proof signs.
        head, sep, bare = client_first.partition("n=,")
        server.set_client_first(head + "n=*," + bare if sep and head.count(",") == 2 else client_first)
        if sep and head.count(",") == 2:
            server.client_first_bare = "n=," + bare
        session.send(m.auth_request(_AUTH_SASL_CONTINUE, server.get_server_first().encode()))
        await session.flush()
        final = await _password_message(session)
        server.set_client_final(final.decode("utf-8"))
        server_final = server.get_server_final()
    except (scramp.ScramException, UnicodeDecodeError):
        raise _failed(name) from None
    if user is None:
        raise _failed(name)  # unreachable in practice: random keys never verify
    session.send(m.auth_request(_AUTH_SASL_FINAL, server_final.encode()))


# ------------------------------------------------------------------ roles


TRUST_ROLE = "trust"


def may_write(session: "Session") -> bool:
    roles = getattr(session, "auth_roles", ("admin",))
    return "write" in roles or "admin" in roles or TRUST_ROLE in roles


_ADMIN_FUNCTIONS = ("pg_cancel_backend", "pg_terminate_backend")


def check_role(session: "Session", st) -> None:
    """Refuse what the session's role may not do: the read role writes nothing; only admins
    signal other sessions."""
    roles = getattr(session, "auth_roles", ("admin",))
    if "admin" in roles or TRUST_ROLE in roles:
        return
    for t in st.tokens:  # a token scan: no tree walk per statement
        name = t.text.lower()
        if name in _ADMIN_FUNCTIONS:
            raise PgError("42501", f"permission denied to call {name}()",
                          detail="Only gateway admins may signal other sessions.")
    if may_write(session):
        return
    is_copy = st.kind == "copy" or st.words[:1] == ["COPY"]
    writes = st.route == WRITE or (is_copy and copy_direction(st)[0] == "FROM")
    if writes:
        raise PgError("42501", f"permission denied: user {session.user} is read-only",
                      hint="The user's role in the users file is 'read'.")
