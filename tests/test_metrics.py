"""/metrics and /healthz on the separate HTTP port: the numbers match the work done; one
structured log line per statement and the slow-query log; pg_stat_activity and
pg_cancel_backend / pg_terminate_backend."""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.error
import urllib.request

import psycopg
import pytest

from tests.servers import free_port


def _scrape(port: int) -> dict[str, float]:
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    out = {}
    for line in text.splitlines():
        if line.startswith("dataforge_"):
            name, value = line.rsplit(" ", 1)
            out[name] = float(value)
    return out


def _log_until(gw, marker: str, count: int = 1) -> str:
    """The gateway's log once `marker` appears `count` times in it (its output is copied to the
    file by a thread, so a line can trail the client's answer)."""
    deadline = time.monotonic() + 30
    while True:
        text = gw.log_text()
        if text.count(marker) >= count or time.monotonic() > deadline:
            return text


def _delta(after: dict, before: dict, key: str) -> float:
    return after.get(key, 0.0) - before.get(key, 0.0)


@pytest.fixture
def observed(gateway_factory):
    port = free_port()
    gw = gateway_factory("--metrics-port", str(port), "--log-statements", "--log-min-duration-ms", "200")
    return gw, port


def test_metrics_match_the_work_done(observed) -> None:
    gw, port = observed
    with psycopg.connect(gw.dsn, autocommit=True) as c:
        c.execute("CREATE TABLE m_t (a int)")
        before = _scrape(port)
        assert before["dataforge_connections"] == 1
        for i in range(7):
            assert len(c.execute("SELECT i FROM range(%s) t(i)", (100 + i,)).fetchall()) == 100 + i
        for i in range(5):
            c.execute("INSERT INTO m_t VALUES (%s)", (i,))
        for _ in range(3):
            with pytest.raises(psycopg.Error):
                c.execute("SELECT * FROM no_such_table_m")
        c.execute("SET application_name = 'm'")
        after = _scrape(port)
    rows = sum(100 + i for i in range(7))
    assert _delta(after, before, 'dataforge_statements_total{outcome="ok",route="read"}') == 7
    assert _delta(after, before, 'dataforge_statements_total{outcome="error",route="read"}') == 3
    assert _delta(after, before, 'dataforge_statements_total{outcome="ok",route="write"}') == 5
    assert _delta(after, before, 'dataforge_statements_total{outcome="ok",route="session"}') == 1
    assert _delta(after, before, 'dataforge_statement_duration_seconds_count{route="read"}') == 10
    assert _delta(after, before, "dataforge_rows_sent_total") == rows
    # every DataRow is at least 4 (length) + 1 (type) + 2 (count) + 4 (value length) + 1 byte
    assert _delta(after, before, "dataforge_bytes_sent_total") >= rows * 12
    assert _delta(after, before, "dataforge_group_commit_batch_size_sum") == 5
    assert _delta(after, before, "dataforge_group_commit_batch_size_count") <= 5
    assert after["dataforge_writer_queue_depth"] == 0
    assert after["dataforge_connections_accepted_total"] >= 1


def test_group_commit_batches_seen_in_metrics(observed) -> None:
    gw, port = observed
    with psycopg.connect(gw.dsn, autocommit=True) as c:
        c.execute("CREATE TABLE gc_t (a int)")
    before = _scrape(port)
    n_threads, per = 8, 25

    def writer(k: int) -> None:
        with psycopg.connect(gw.dsn, autocommit=True) as c:
            for i in range(per):
                c.execute("INSERT INTO gc_t VALUES (%s)", (k * 1000 + i,))

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    after = _scrape(port)
    assert _delta(after, before, "dataforge_group_commit_batch_size_sum") == n_threads * per
    assert _delta(after, before, 'dataforge_statements_total{outcome="ok",route="write"}') == n_threads * per


def test_healthz(observed) -> None:
    gw, port = observed
    body = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10).read())
    assert body["status"] == "ok"
    with pytest.raises(urllib.error.HTTPError) as ei:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/nothing", timeout=10)
    assert ei.value.code == 404


def test_one_structured_log_line_per_statement(observed) -> None:
    gw, port = observed
    with psycopg.connect(gw.dsn, autocommit=True) as c:
        c.execute("SELECT 'log-me-1' FROM range(3)")
        with pytest.raises(psycopg.Error):
            c.execute("SELECT 'log-me-2' FROM no_such_table_l")
        c.execute("SELECT 'log-me-3', count(*) FROM range(3000000000)")  # slow: over 200 ms
    lines = [ln for ln in _log_until(gw, "log-me-", 3).splitlines() if "log-me-" in ln]
    assert len(lines) == 3, lines
    fields = [dict(re.findall(r"(\w+)=(\"(?:[^\"\\]|\\.)*\"|\S+)", ln)) for ln in lines]
    assert fields[0]["rows"] == "3" and fields[0]["sqlstate"] == "00000" and fields[0]["route"] == "read"
    assert fields[0]["user"] == '"postgres"' and fields[0]["session"].isdigit()
    assert float(fields[0]["duration_ms"]) >= 0
    assert fields[1]["sqlstate"] == "42P01"
    assert "slow_statement" in lines[2] and "slow_statement" not in lines[0]


def test_slow_query_log_without_statement_log(gateway_factory) -> None:
    gw = gateway_factory("--log-min-duration-ms", "150")
    with psycopg.connect(gw.dsn, autocommit=True) as c:
        c.execute("SELECT 'fast-one'")
        c.execute("SELECT 'slow-one', count(*) FROM range(3000000000)")
    text = _log_until(gw, "slow-one")
    assert "fast-one" not in text
    assert "slow_statement" in text and "slow-one" in text


def test_pg_stat_activity_and_terminate(gateway) -> None:
    with psycopg.connect(gateway.dsn, autocommit=True) as victim, \
            psycopg.connect(gateway.dsn, autocommit=True) as admin:
        victim.execute("SET application_name = 'victim-app'")
        victim.execute("SELECT 'last thing I ran'")
        pid = victim.info.backend_pid
        row = admin.execute("SELECT pid, usename, application_name, state, query, backend_start IS NOT NULL "
                            "FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()
        assert row == (pid, "postgres", "victim-app", "idle", "SELECT 'last thing I ran'", True)
        me = admin.execute("SELECT state FROM pg_stat_activity WHERE query LIKE '%%me-marker%%' "
                           "AND pid = %s", (admin.info.backend_pid,)).fetchone()
        assert me == ("active",)
        assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone() == (True,)
        assert admin.execute("SELECT pg_terminate_backend(0)").fetchone() == (False,)
        with pytest.raises(psycopg.OperationalError, match="terminating connection due to administrator command"):
            victim.execute("SELECT 1")


def test_pg_cancel_backend_cancels_a_running_statement(gateway) -> None:
    with psycopg.connect(gateway.dsn, autocommit=True) as busy, \
            psycopg.connect(gateway.dsn, autocommit=True) as admin:
        pid = busy.info.backend_pid
        errors = []

        def run() -> None:
            try:
                busy.execute("SELECT count(*) FROM range(100000000000) t(i)")
            except psycopg.Error as e:
                errors.append(e)

        t = threading.Thread(target=run)
        t.start()
        for _ in range(200):
            state = admin.execute("SELECT state FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()
            if state == ("active",):
                break
        assert admin.execute("SELECT pg_cancel_backend(%s)", (pid,)).fetchone() == (True,)
        t.join(60)
        assert errors and errors[0].sqlstate == "57014"
        assert busy.execute("SELECT 1").fetchone() == (1,)
