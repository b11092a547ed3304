"""The database goes away under a running portal, and comes back (core.errors, core.health).

The test starts a PostgreSQL cluster of its own (initdb and pg_ctl in a temporary folder, on a
free port, as the postgres user since PostgreSQL refuses to run as root), stops it while the
portal runs, and starts it again. It never touches the machine's shared PostgreSQL."""

import json
import os
import subprocess
import sys
import time

import pytest

from bench.common import PostgresCluster

from .conftest import ROOT, run_django

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def own_postgres():
    try:
        cluster = PostgresCluster()  # the soak benchmark's (bench/soak.py) as well
    except FileNotFoundError:
        if os.environ.get("CI"):
            pytest.fail("CI needs PostgreSQL's initdb and pg_ctl")
        pytest.skip("needs PostgreSQL's initdb and pg_ctl")
    try:
        cluster.init()
        cluster.start()
        yield {"url": cluster.url, "start": cluster.start, "stop": cluster.stop}
    finally:
        cluster.destroy()


def test_a_database_outage_is_a_503_page_and_the_portal_recovers_by_itself(
    own_postgres, production_env, tmp_path
):
    env = {
        **production_env,
        "DATABASE_URL": own_postgres["url"],
        "DATABASE_POOL_TIMEOUT": "1",
        "DATABASE_RETRY_SECONDS": "5",
        "DJANGO_ALLOWED_HOSTS": "portal.example.org",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
    }
    run_django("manage.py", "migrate", "--noinput", "-v", "0", env=env, timeout=240)
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    portal = subprocess.Popen(
        [sys.executable, "-m", "tests.project.serve_lines"],
        cwd=ROOT,
        env={**full_env, **env},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=(tmp_path / "portal.log").open("w"),
        text=True,
    )

    def get(path):
        portal.stdin.write(path + "\n")
        portal.stdin.flush()
        return json.loads(portal.stdout.readline())

    try:
        assert get("/en/")["status"] == 200
        assert get("/healthz")["status"] == 200

        own_postgres["stop"]()
        down = get("/en/")
        # The database did not answer: for a moment it is not asked again, and the next
        # pages are refused at once instead of each waiting the pool's timeout.
        started = time.monotonic()
        refused = [get(path) for path in ("/en/forums/", "/en/publications/", "/en/")]
        refused_in = time.monotonic() - started
        health = get("/healthz")

        own_postgres["start"]()
        # Asked again DATABASE_RETRY_SECONDS after it last did not answer, the database
        # answers, and the portal is back with a fresh pool, with nothing restarted.
        restarted = time.monotonic()
        deadline = restarted + 30
        back = get("/en/")
        while back["status"] != 200 and time.monotonic() < deadline:
            assert back["status"] == 503
            time.sleep(0.2)
            back = get("/en/")
        back_in = time.monotonic() - restarted
    finally:
        portal.stdin.close()
        portal.wait(timeout=30)

    assert down["status"] == 503
    assert down["retry_after"] == "60"
    assert "The portal is unavailable" in down["body"]
    assert "Traceback" not in down["body"]
    assert [page["status"] for page in refused] == [503, 503, 503]
    assert refused_in < 0.9, "three pages refused in less than one pool timeout"
    assert health["status"] == 503
    assert back["status"] == 200
    # The outage in the log: its start, the one page that waited for the pool, and its end;
    # not a traceback for each page refused meanwhile.
    log = (tmp_path / "portal.log").read_text()
    assert log.count("The database did not answer") == 1, log
    refusals = [line for line in log.splitlines() if line.startswith("Service Unavailable: /")]
    assert [line for line in refusals if "healthz" not in line] == ["Service Unavailable: /en/"]
    assert "The database answers again" in log
    assert back_in < 5 + 1, "back within DATABASE_RETRY_SECONDS of the database"
