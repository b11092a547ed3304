"""Reads from a PostgreSQL replica, read-your-writes, a replica that stops or lags
(core/replicas.py).

The real thing: a primary and its streaming replica, clusters of this test's own (initdb,
pg_basebackup -R, pg_ctl on free ports in a temporary folder: tests/engines.py), and the portal
in a process of its own on both (tests/core/replica_portal.py). The replica is shown to answer
reads by what only it holds: with its replay paused, a change made on the primary is not on the
pages it serves. Without DATABASE_REPLICA_URLS nothing of this is installed."""

import json
import os
import subprocess
import sys
import time

import psycopg
import pytest
from django.conf import settings
from django.db import router

from core.replicas import Health, ReplicaRouter, lsn
from tests.engines import primary_and_replica
from tests.project.conftest import ROOT, run_django


def test_without_replicas_there_is_no_router_nor_middleware():
    assert settings.DATABASE_REPLICAS == []
    assert settings.DATABASE_ROUTERS == []
    assert "core.replicas.ReplicaMiddleware" not in settings.MIDDLEWARE
    assert list(settings.DATABASES) == ["default"]


def test_the_settings_make_a_mirrored_replica_per_url_with_the_primarys_engine():
    code = (
        "from django.conf import settings as s; import json; print(json.dumps([s.DATABASES,"
        " s.DATABASE_ROUTERS, s.MIDDLEWARE.index('core.replicas.ReplicaMiddleware')"
        " < s.MIDDLEWARE.index('django.contrib.sessions.middleware.SessionMiddleware')]))"
    )
    done = run_django(
        "-c",
        "import django; django.setup(); " + code,
        env={
            "DJANGO_SETTINGS_MODULE": "asmpace.settings",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/portal",
            "DATABASE_REPLICA_URLS": "postgres://postgres@10.0.0.2:5432/portal,"
            "postgres://postgres@10.0.0.3:5433/portal",
        },
    )
    databases, routers, before_sessions = json.loads(done.stdout)
    assert list(databases) == ["default", "replica1", "replica2"]
    assert databases["replica2"]["HOST"] == "10.0.0.3"
    assert databases["replica2"]["PORT"] == 5433
    for alias in ("replica1", "replica2"):
        replica = databases[alias]
        assert replica["ENGINE"] == "core.postgresql"
        assert replica["TEST"]["MIRROR"] == "default"
        assert replica["CONN_HEALTH_CHECKS"] is True
        assert replica["OPTIONS"]["options"] == databases["default"]["OPTIONS"]["options"]
        assert replica["OPTIONS"]["pool"]["timeout"] == 1
    assert routers == ["core.replicas.ReplicaRouter"]
    assert before_sessions


def test_outside_a_request_everything_is_the_primarys_and_migrations_only_there():
    from accounts.models import User

    replicas = ReplicaRouter()
    assert replicas.db_for_read(User) == "default"
    assert replicas.db_for_write(User) == "default"
    assert replicas.allow_migrate("default", "accounts")
    assert not replicas.allow_migrate("replica1", "accounts")
    assert router.db_for_read(User) == "default"  # no router installed: Django's default


def test_the_lag_is_zero_on_an_idle_primary_and_grows_while_replay_stands_still():
    health = Health()
    position = lsn("0/3000060")
    # An idle primary: the replica replayed everything, however old its last commit is.
    assert health.estimate_lag(100.0, position, position, since_commit=3600) == 0
    assert health.estimate_lag(102.0, position, position, since_commit=3602) == 0
    # A write it has not replayed: at most as old as the last look it had caught up with.
    ahead = lsn("0/3000100")
    assert health.estimate_lag(104.0, ahead, position, since_commit=3604) == 2.0
    assert health.estimate_lag(110.0, lsn("0/3000200"), position, since_commit=3610) == 8.0
    # It replays the first write but not the second: as old as the look it has caught up with.
    assert health.estimate_lag(111.0, lsn("0/3000300"), ahead, since_commit=0.5) == 0.5
    assert health.estimate_lag(112.0, lsn("0/3000300"), ahead, since_commit=None) == 8.0
    # Never seen caught up, nothing replayed: as far behind as can be.
    assert Health().estimate_lag(1.0, ahead, position, since_commit=None) == float("inf")
    assert lsn("16/B374D848") == (0x16 << 32) + 0xB374D848


@pytest.fixture
def clusters():
    if settings.DATABASES["default"]["ENGINE"] != "core.postgresql":
        pytest.skip("a PostgreSQL test: the portal on a replica of its own clusters")
    with primary_and_replica() as (primary, replica):
        yield primary, replica


def portal_url(cluster):
    return cluster.url.rsplit("/", 1)[0] + "/portal"


def sql(cluster, query, *args):
    with psycopg.connect(portal_url(cluster), autocommit=True) as db:
        cursor = db.execute(query, args)
        return cursor.fetchone()[0] if cursor.description else None


def primary_reads(page):
    return [
        query
        for query in page["primary_sql"]
        if query.lstrip().startswith("SELECT") and "pg_current_wal_lsn" not in query
    ]


def wait_until_replayed(primary, replica, seconds=30):
    target = lsn(sql(primary, "SELECT pg_current_wal_lsn()::text"))
    deadline = time.monotonic() + seconds
    while lsn(sql(replica, "SELECT pg_last_wal_replay_lsn()::text")) < target:
        assert time.monotonic() < deadline, "the replica did not catch up"
        time.sleep(0.05)


@pytest.mark.timeout(300)
def test_reads_go_to_the_replica_writers_read_their_writes_and_a_bad_replica_is_avoided(
    clusters, tmp_path
):
    primary, replica = clusters
    with psycopg.connect(primary.url, autocommit=True) as db:
        db.execute("CREATE DATABASE portal")
    env = {
        "DJANGO_DEBUG": "1",  # each connection keeps its queries: the answers count them
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": portal_url(primary),
        "DATABASE_REPLICA_URLS": portal_url(replica),
        "REPLICA_PIN_SECONDS": "2",
        "REPLICA_MAX_LAG_SECONDS": "600",
        "REPLICA_CHECK_SECONDS": "0.2",
        "DATABASE_RETRY_SECONDS": "1",
        "FORUM_TRUSTED_AFTER_POSTS": "0",
        "FORUM_SECONDS_BETWEEN_POSTS": "0",
    }
    done = run_django(
        "manage.py", "migrate", "--noinput", "-v", "0", env=env, check=False, timeout=240
    )
    assert done.returncode == 0, done.stderr[:2500]
    own = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    portal = subprocess.Popen(
        [sys.executable, "-m", "tests.core.replica_portal"],
        cwd=ROOT,
        env={**own, **env},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=(tmp_path / "portal.log").open("w"),
        text=True,
    )

    def ask(**command):
        portal.stdin.write(json.dumps(command) + "\n")
        portal.stdin.flush()
        line = portal.stdout.readline()
        assert line, (tmp_path / "portal.log").read_text()[-3000:]
        return json.loads(line)

    def health():
        answer = ask(path="/healthz")
        assert answer["status"] == 200
        state = json.loads(answer["body"])
        return state["status"], state["replicas"]["replica1"]["state"]

    def get(path, **cookies):
        return ask(method="GET", path=path, cookies={**member, **cookies})

    try:
        made = ask(setup=True)
        member = {settings.SESSION_COOKIE_NAME: made["session"]}
        wait_until_replayed(primary, replica)
        assert health() == ("ok", "up")
        page = get(made["thread"])
        assert page["status"] == 200
        assert "Mercury in the river" in page["body"]
        assert page["queries"]["replica1"] > 3
        # The primary: the look at its WAL position, and the member's read mark (a write that
        # pins no one to the primary: REPLICA_UNPINNED_MODELS).
        assert primary_reads(page) == [], page["primary_sql"]
        assert any("forums_readmark" in query for query in page["primary_sql"])
        assert "asmpace_primary" not in page["cookies"]

        # Replay paused: what the primary changes now is not on the replica.
        sql(replica, "SELECT pg_wal_replay_pause()")
        sql(primary, "UPDATE forums_thread SET title = 'On the primary only' WHERE id = %s",
            made["thread_id"])  # fmt: skip
        page = get(made["thread"])
        assert page["status"] == 200
        assert "Mercury in the river" in page["body"], "read from the replica"
        assert "On the primary only" not in page["body"]

        # The admin reads the primary, whatever the replica holds.
        staff = {settings.SESSION_COOKIE_NAME: made["staff_session"]}
        page = ask(path=f"/admin/forums/thread/{made['thread_id']}/change/", cookies=staff)
        assert page["status"] == 200
        assert "<title>On the primary only" in page["body"]
        assert page["queries"]["replica1"] <= 1, "at most the look at its replay"

        # A reply: its POST and the page after it read the primary, and show the reply.
        posted = ask(
            method="POST",
            path=made["reply"],
            cookies=member,
            data={"body": "Read your own writes, please.", "language": "en"},
        )
        assert posted["status"] == 302, [
            line for line in posted["body"].splitlines() if "alert" in line
        ]
        pin = posted["cookies"]
        assert list(pin) == ["asmpace_primary"]
        page = get(made["thread"], **pin)
        assert "Read your own writes, please." in page["body"]
        assert "On the primary only" in page["body"]
        assert page["queries"]["replica1"] == 0
        assert len(primary_reads(page)) > 3
        # Without the cookie (another reader), or once it is stale: the replica again.
        assert "Read your own writes, please." not in get(made["thread"])["body"]
        time.sleep(2.1)
        page = get(made["thread"], **pin)
        assert "Read your own writes, please." not in page["body"]
        assert "Mercury in the river" in page["body"]

        # A lag bound shorter than the replica's pause: it is left aside, with no error.
        ask(set="REPLICA_MAX_LAG_SECONDS", value=1)
        time.sleep(0.3)
        page = get(made["thread"])
        assert page["status"] == 200
        assert "Read your own writes, please." in page["body"], "read from the primary"
        assert page["queries"]["replica1"] <= 1, "at most the look at its replay"
        assert health() == ("degraded", "aside")

        # Replay resumed and caught up: the replica is read again.
        ask(set="REPLICA_MAX_LAG_SECONDS", value=600)
        sql(replica, "SELECT pg_wal_replay_resume()")
        wait_until_replayed(primary, replica)
        time.sleep(0.3)
        sql(replica, "SELECT pg_wal_replay_pause()")
        sql(primary, "UPDATE forums_thread SET title = 'Changed again' WHERE id = %s",
            made["thread_id"])  # fmt: skip
        page = get(made["thread"])
        assert "On the primary only" in page["body"], "read from the replica"
        assert "Changed again" not in page["body"]

        # The replica (still paused, within the bound) ends the connection of a page being
        # made: the same page again from the primary, and the replica is left aside.
        page = ask(path=made["thread"], cookies=member, cut=portal_url(replica))
        assert page["status"] == 200
        assert "Changed again" in page["body"], "read from the primary"
        log = (tmp_path / "portal.log").read_text()
        assert "Replica replica1 left aside: its connection failed during a request" in log

        # It answers again: read again at its next look.
        time.sleep(0.3)
        assert "Changed again" not in get(made["thread"])["body"], "read from the replica"

        # The replica stops under the running portal: every page is still served.
        before_stop = len((tmp_path / "portal.log").read_text())
        replica.stop()
        started = time.monotonic()
        pages = [get(made["thread"]) for _ in range(10)]
        ten_pages_in = time.monotonic() - started
        posted = ask(
            method="POST",
            path=made["reply"],
            cookies=member,
            data={"body": "Still here without the replica.", "language": "en"},
        )
        pages += [get(made["thread"]) for _ in range(5)]
        stopped_health = health()
    finally:
        portal.stdin.close()
        portal.wait(timeout=30)
    assert [page["status"] for page in pages] == [200] * 15
    assert all("Changed again" in page["body"] for page in pages), "read from the primary"
    assert posted["status"] == 302
    assert "Still here without the replica." in pages[-1]["body"]
    log = (tmp_path / "portal.log").read_text()[before_stop:]
    assert "Replica replica1 left aside" in log
    assert "Internal Server Error" not in log
    assert "Service Unavailable" not in log
    # One page waits for the replica's pool (DATABASE_REPLICA_POOL_TIMEOUT, 1 s) at most; the
    # others go to the primary at once.
    assert ten_pages_in < 5
    assert stopped_health == ("degraded", "aside")
