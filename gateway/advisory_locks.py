"""PostgreSQL's advisory locks: one in-process lock table shared by every session.

The gateway is one process, so the table is a dict under one condition variable. The SQL
functions (pg_advisory_lock(k), pg_try_advisory_xact_lock(a, b), …) are DuckDB macros over two
Python UDFs that run on the statement's worker thread and know the calling session by the pid
the session sends with its settings (getvariable('dataforge_settings'), as current_setting()
does). A lock that must wait blocks that worker thread, never the event loop: the session runs
such statements on its own DuckDB connection and on `EXECUTOR`, so waiting sessions take
neither a shared reader nor one of the engine's workers. Cancel, statement_timeout and a
client hanging up wake the wait through `interrupt()`; lock_timeout ends it inside the UDF.

As in PostgreSQL: exclusive and shared modes, one bigint key or two int4 keys (separate key
spaces), re-entrant counts per session, session-level locks until unlocked or the session
ends, transaction-level locks until COMMIT/ROLLBACK (an autocommit statement's at the end of
its Query or Sync), waiters granted in arrival order, and a deadlock check after
deadlock_timeout (1 s) of waiting.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone

import duckdb

# workers for statements that may wait on an advisory lock: a waiting statement holds its
# thread, so these are kept apart from the engine's executor (threads start on demand)
EXECUTOR = ThreadPoolExecutor(max_workers=256, thread_name_prefix="advisory")

DEADLOCK_TIMEOUT_S = 1.0  # PostgreSQL's deadlock_timeout default
_MODE_NAMES = {"x": "ExclusiveLock", "s": "ShareLock"}

# the functions that may wait: statements calling them run apart (see the module docstring);
# pg_sleep() waits the same way, so cancel and statement_timeout end it too
WAITING_FUNCTIONS = frozenset(("pg_advisory_lock", "pg_advisory_lock_shared", "pg_advisory_xact_lock",
                               "pg_advisory_xact_lock_shared", "pg_sleep"))
FUNCTIONS = WAITING_FUNCTIONS | frozenset(("pg_df_sleep",)) | frozenset((
    "pg_try_advisory_lock", "pg_try_advisory_lock_shared", "pg_try_advisory_xact_lock",
    "pg_try_advisory_xact_lock_shared", "pg_advisory_unlock", "pg_advisory_unlock_shared",
    "pg_advisory_unlock_all"))


class AdvisoryLockError(Exception):
    """Raised in the UDF as 'SQLSTATE: message'; errors.from_duckdb gives it back its SQLSTATE."""


Key = tuple[int, int, int]  # (objsubid: 1 one bigint key, 2 two int4 keys; classid; objid)


@dataclass(eq=False)
class _Waiter:
    pid: int
    key: Key
    mode: str
    since: float = field(default_factory=time.time)


@dataclass
class _Lock:
    held: dict[tuple[int, str, str], int] = field(default_factory=dict)  # (pid, scope, mode) → count
    queue: list[_Waiter] = field(default_factory=list)


def _conflicts(a: str, b: str) -> bool:
    return a == "x" or b == "x"


class AdvisoryLocks:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._locks: dict[Key, _Lock] = {}
        self._waiting: dict[int, _Waiter] = {}
        self._interrupted: dict[int, str] = {}  # pid → why its statement was interrupted
        self._warnings: dict[int, list[str]] = {}  # pid → WARNINGs for the session to send

    # ---- the UDFs' side (worker threads)

    def lock(self, pid: int, key: Key, mode: str, scope: str, wait: bool, timeout_ms: int = 0) -> bool:
        with self._cond:
            lock = self._locks.setdefault(key, _Lock())
            mine = any(h[0] == pid for h in lock.held)
            if self._grantable(lock, pid, mode, None if mine else len(lock.queue)):
                self._grant(lock, pid, scope, mode)
                return True
            if not wait:
                self._drop_if_unused(key, lock)
                return False
            if pid in self._interrupted:
                self._drop_if_unused(key, lock)
                raise AdvisoryLockError(f"57014: {self._interrupted[pid]}")
            me = _Waiter(pid, key, mode)
            # a session that already holds the key is not queued behind waiters it blocks
            lock.queue.insert(0 if mine else len(lock.queue), me)
            self._waiting[pid] = me
            start = time.monotonic()
            deadline = start + timeout_ms / 1000 if timeout_ms > 0 else None
            checked = False
            try:
                while True:
                    if pid in self._interrupted:
                        raise AdvisoryLockError(f"57014: {self._interrupted[pid]}")
                    if self._grantable(lock, pid, mode, lock.queue.index(me)):
                        self._grant(lock, pid, scope, mode)
                        return True
                    now = time.monotonic()
                    if deadline is not None and now >= deadline:
                        raise AdvisoryLockError("55P03: canceling statement due to lock timeout")
                    if not checked and now - start >= DEADLOCK_TIMEOUT_S:
                        checked = True
                        cycle = self._deadlock(me)
                        if cycle:
                            raise AdvisoryLockError(f"40P01: deadlock detected ({cycle})")
                    waits = [t for t in (deadline, None if checked else start + DEADLOCK_TIMEOUT_S) if t is not None]
                    self._cond.wait(max(0.0, min(waits) - now) if waits else None)
            finally:
                lock.queue.remove(me)
                self._waiting.pop(pid, None)
                self._drop_if_unused(key, lock)
                self._cond.notify_all()  # waiters behind this one may go now

    def sleep(self, pid: int, seconds: float) -> None:
        """pg_sleep(): wait, ended early only by an interrupt of the session's statement."""
        deadline = time.monotonic() + max(0.0, seconds)
        with self._cond:
            while True:
                if pid in self._interrupted:
                    raise AdvisoryLockError(f"57014: {self._interrupted[pid]}")
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                self._cond.wait(left)

    def unlock(self, pid: int, key: Key, mode: str) -> bool:
        """Release one session-level hold; False and a WARNING when there is none."""
        with self._cond:
            lock = self._locks.get(key)
            h = (pid, "session", mode)
            if lock is None or h not in lock.held:
                self._warnings.setdefault(pid, []).append(f"you don't own a lock of type {_MODE_NAMES[mode]}")
                return False
            lock.held[h] -= 1
            if lock.held[h] == 0:
                del lock.held[h]
                self._drop_if_unused(key, lock)
                self._cond.notify_all()
            return True

    def unlock_all(self, pid: int) -> None:
        """pg_advisory_unlock_all(): the session-level locks only."""
        self.release(pid, ("session",))

    # ---- the sessions' side (event loop)

    def release(self, pid: int, scopes: tuple[str, ...] = ("session", "xact")) -> None:
        """Transaction end (('xact',)) or session end (both): drop every hold of those scopes."""
        with self._cond:
            freed = False
            for key, lock in list(self._locks.items()):
                for h in [h for h in lock.held if h[0] == pid and h[1] in scopes]:
                    del lock.held[h]
                    freed = True
                self._drop_if_unused(key, lock)
            if freed:
                self._cond.notify_all()

    def holds(self, pid: int, scope: str) -> bool:
        with self._cond:
            return any(h[0] == pid and h[1] == scope for lock in self._locks.values() for h in lock.held)

    def interrupt(self, pid: int, reason: str | None) -> None:
        """Cancel, statement_timeout or a hang-up: a wait of this session's statement (now or
        about to start) ends with 57014."""
        with self._cond:
            self._interrupted[pid] = reason or "canceling statement due to user request"
            self._cond.notify_all()

    def statement_starts(self, pid: int) -> None:
        with self._cond:
            self._interrupted.pop(pid, None)

    def take_warnings(self, pid: int) -> list[str]:
        with self._cond:
            return self._warnings.pop(pid, [])

    def forget(self, pid: int) -> None:
        """The session ended: its locks go, and whoever waited for them may go on."""
        self.release(pid)
        with self._cond:
            self._interrupted.pop(pid, None)
            self._warnings.pop(pid, None)

    def rows(self) -> list[dict]:
        """pg_locks rows: one per session and mode held, one per waiting session."""
        out = []
        with self._cond:
            for key, lock in self._locks.items():
                per: dict[tuple[int, str], None] = {}
                for pid, _scope, mode in lock.held:
                    per[(pid, mode)] = None
                for pid, mode in per:
                    out.append(_row(key, pid, mode, True, None))
                for w in lock.queue:
                    out.append(_row(key, w.pid, w.mode, False, w.since))
        return out

    # ---- under the condition's lock

    def _grantable(self, lock: _Lock, pid: int, mode: str, ahead: int | None) -> bool:
        """No other session holds a conflicting mode, and (ahead = how many queued waiters
        come first, None to ignore the queue) no conflicting waiter of another session is
        ahead. A mode the session already holds is granted again at once."""
        if any(h[0] == pid and h[2] == mode for h in lock.held):
            return True
        if any(h[0] != pid and _conflicts(mode, h[2]) for h in lock.held):
            return False
        if ahead:
            return not any(w.pid != pid and _conflicts(mode, w.mode) for w in lock.queue[:ahead])
        return True

    def _grant(self, lock: _Lock, pid: int, scope: str, mode: str) -> None:
        h = (pid, scope, mode)
        lock.held[h] = lock.held.get(h, 0) + 1

    def _drop_if_unused(self, key: Key, lock: _Lock) -> None:
        if not lock.held and not lock.queue and self._locks.get(key) is lock:
            del self._locks[key]

    def _blockers(self, w: _Waiter) -> set[int]:
        lock = self._locks.get(w.key)
        if lock is None:
            return set()
        out = {h[0] for h in lock.held if h[0] != w.pid and _conflicts(w.mode, h[2])}
        if w in lock.queue:
            out |= {o.pid for o in lock.queue[:lock.queue.index(w)] if o.pid != w.pid and _conflicts(w.mode, o.mode)}
        return out

    def _deadlock(self, me: _Waiter) -> str | None:
        """A wait-for cycle back to this session (each session waits for one lock at most)."""
        seen: set[int] = set()
        stack = [(b, [me.pid, b]) for b in self._blockers(me)]
        while stack:
            pid, path = stack.pop()
            if pid == me.pid:
                return " waits for ".join(f"process {p}" for p in path)
            if pid in seen:
                continue
            seen.add(pid)
            w = self._waiting.get(pid)
            if w is not None:
                stack.extend((b, path + [b]) for b in self._blockers(w))
        return None


def _row(key: Key, pid: int, mode: str, granted: bool, since: float | None) -> dict:
    sub, classid, objid = key
    return {"classid": classid, "objid": objid, "objsubid": sub, "pid": pid, "mode": _MODE_NAMES[mode],
            "granted": granted,
            "waitstart": datetime.fromtimestamp(since, timezone.utc) if since is not None else None}


def _key(k1: int, k2: int | None) -> Key:
    if k2 is None:  # one bigint key: PostgreSQL shows its halves as classid and objid
        return (1, (k1 >> 32) & 0xFFFFFFFF, k1 & 0xFFFFFFFF)
    return (2, k1 & 0xFFFFFFFF, k2 & 0xFFFFFFFF)


_LOCKS_TYPE = ("STRUCT(classid UINTEGER, objid UINTEGER, objsubid SMALLINT, pid INTEGER, mode VARCHAR, "
               "granted BOOLEAN, waitstart TIMESTAMPTZ)[]")

# op: lock | lock_shared | xact | xact_shared (waiting), try… (not waiting), unlock…
_OPS = {
    "lock": ("x", "session"), "lock_shared": ("s", "session"),
    "xact": ("x", "xact"), "xact_shared": ("s", "xact"),
}


def install(con: duckdb.DuckDBPyConnection, table: AdvisoryLocks) -> None:
    """The UDFs, the SQL functions over them, and pg_locks over the table."""

    def call(op: str, k1: int, k2: int | None, pid: int | None, timeout_ms: int | None):
        if pid is None:  # the session always sends it (classify marks these statements)
            raise AdvisoryLockError("XX000: advisory lock call without its session")
        key = _key(k1, k2)
        if op.startswith("unlock"):
            return table.unlock(pid, key, "s" if op.endswith("shared") else "x")
        wait = not op.startswith("try_")
        mode, scope = _OPS[op.removeprefix("try_")]
        got = table.lock(pid, key, mode, scope, wait, timeout_ms or 0)
        return "" if wait else got

    # NULL keys: PostgreSQL's functions are strict (NULL result, nothing locked); k2 is NULL in
    # the one-key form (the two-key macros test their own NULLs), so NULLs are handled here
    def waiting(op, k1, k2, pid, timeout_ms):
        return None if k1 is None else call(op, k1, k2, pid, timeout_ms)

    def trying(op, k1, k2, pid):
        return None if k1 is None else call(op, k1, k2, pid, 0)

    def unlock_all(pid):
        if pid is None:
            raise AdvisoryLockError("XX000: advisory lock call without its session")
        table.unlock_all(pid)
        return ""

    con.create_function("pg_df_advisory_wait", waiting, ["VARCHAR", "BIGINT", "BIGINT", "INTEGER", "INTEGER"],
                        "VARCHAR", null_handling="special", side_effects=True)
    con.create_function("pg_df_advisory_try", trying, ["VARCHAR", "BIGINT", "BIGINT", "INTEGER"],
                        "BOOLEAN", null_handling="special", side_effects=True)
    con.create_function("pg_df_advisory_unlock_all", unlock_all, ["INTEGER"], "VARCHAR",
                        null_handling="special", side_effects=True)
    def sleep(seconds, pid):
        if seconds is None:
            return None
        if pid is None:
            raise AdvisoryLockError("XX000: pg_sleep() call without its session")
        table.sleep(pid, seconds)
        return ""

    con.create_function("dataforge_advisory_locks", table.rows, [], _LOCKS_TYPE, side_effects=True)
    con.create_function("pg_df_advisory_sleep", sleep, ["DOUBLE", "INTEGER"], "VARCHAR",
                        null_handling="special", side_effects=True)
    from .sql.pg_catalog import COMPAT_DB

    m = f"{COMPAT_DB}.main"
    pid = "TRY_CAST(getvariable('dataforge_settings')['dataforge.backend_pid'] AS INTEGER)"
    timeout = "TRY_CAST(getvariable('dataforge_settings')['lock_timeout'] AS INTEGER)"
    macros = []
    for name, op in (("pg_advisory_lock", "lock"), ("pg_advisory_lock_shared", "lock_shared"),
                     ("pg_advisory_xact_lock", "xact"), ("pg_advisory_xact_lock_shared", "xact_shared")):
        macros.append(
            f"CREATE OR REPLACE MACRO {m}.{name}(k) AS pg_df_advisory_wait('{op}', CAST(k AS BIGINT), NULL, {pid}, {timeout}),"
            f" (a, b) AS CASE WHEN a IS NULL OR b IS NULL THEN NULL ELSE "
            f"pg_df_advisory_wait('{op}', CAST(a AS INTEGER), CAST(b AS INTEGER), {pid}, {timeout}) END;")
    for name, op in (("pg_try_advisory_lock", "try_lock"), ("pg_try_advisory_lock_shared", "try_lock_shared"),
                     ("pg_try_advisory_xact_lock", "try_xact"), ("pg_try_advisory_xact_lock_shared", "try_xact_shared"),
                     ("pg_advisory_unlock", "unlock"), ("pg_advisory_unlock_shared", "unlock_shared")):
        macros.append(
            f"CREATE OR REPLACE MACRO {m}.{name}(k) AS pg_df_advisory_try('{op}', CAST(k AS BIGINT), NULL, {pid}),"
            f" (a, b) AS CASE WHEN a IS NULL OR b IS NULL THEN NULL ELSE "
            f"pg_df_advisory_try('{op}', CAST(a AS INTEGER), CAST(b AS INTEGER), {pid}) END;")
    macros.append(f"CREATE OR REPLACE MACRO {m}.pg_advisory_unlock_all() AS pg_df_advisory_unlock_all({pid});")
    # DuckDB's own pg_sleep() returns at once: sql/rewrite.py calls this one
    macros.append(f"CREATE OR REPLACE MACRO {m}.pg_df_sleep(s) AS pg_df_advisory_sleep(CAST(s AS DOUBLE), {pid});")
    con.execute("\n".join(macros))
    con.execute(f"DROP TABLE IF EXISTS {m}.pg_locks")
    con.execute(f"""
        CREATE OR REPLACE VIEW {m}.pg_locks AS
        SELECT 'advisory' AS locktype, 16384::UINTEGER AS database, NULL::UINTEGER AS relation,
            NULL::INTEGER AS page, NULL::SMALLINT AS tuple, NULL::VARCHAR AS virtualxid,
            NULL::VARCHAR AS transactionid, l.classid, l.objid, l.objsubid,
            l.pid || '/1' AS virtualtransaction, l.pid, l.mode, l.granted, false AS fastpath, l.waitstart
        FROM (SELECT unnest(dataforge_advisory_locks(), recursive := true)) l""")


def may_wait(tree) -> bool:
    """Whether a statement calls an advisory lock function that waits."""
    from sqlglot import exp

    return any(fn.name.lower() in WAITING_FUNCTIONS for fn in tree.find_all(exp.Anonymous))
