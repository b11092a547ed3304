"""Server time, queries, weight and memory of the portal's pages, in production settings.

Run with `make bench` (SQLite) or `DATABASE_URL=postgres://... make bench` (PostgreSQL). It builds
a throwaway test database with the programme's content and BENCH_PEOPLE stakeholders, so the
figures show whether a page stays flat as data grows. Not a test: it measures, it never fails.
"""

import gzip
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asmpace.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-" + "x" * 40)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
os.environ.setdefault("DJANGO_STATIC_ROOT", tempfile.mkdtemp(prefix="asmpace-bench-static-"))

import django  # noqa: E402

django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import StakeholderGroup, User  # noqa: E402

PEOPLE = int(os.environ.get("BENCH_PEOPLE", "2000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))


def add_people(count):
    groups = list(StakeholderGroup.values)
    unusable = make_password(None)  # nobody signs in as these people
    users = User.objects.bulk_create(
        User(
            email=f"bench{n}@example.org",
            name=f"Stakeholder {n}",
            stakeholder_group=groups[n % len(groups)],
            organisation=f"Organisation {n % 97}",
            country="CD",
            password=unusable,
        )
        for n in range(count)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
    )
    return users[-1]


def measure(client, url, **headers):
    for _ in range(10):
        client.get(url, secure=True, headers=headers)
    timings = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        response = client.get(url, secure=True, headers=headers)
        timings.append((time.perf_counter() - start) * 1000)
    assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url, secure=True, headers=headers)
    query_count = len(queries)  # read now: the next request clears the connection's log
    tracemalloc.start()
    client.get(url, secure=True, headers=headers)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    timings.sort()
    return {
        "median_ms": statistics.median(timings),
        "p95_ms": timings[int(len(timings) * 0.95) - 1],
        "queries": query_count,
        "html_kb": len(response.content) / 1024,
        "gzip_kb": len(gzip.compress(response.content)) / 1024,
        "peak_kib": peak / 1024,
    }


def main():
    call_command("collectstatic", "--noinput", verbosity=0)
    original_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        call_command("load_content", verbosity=0)
        someone = add_people(PEOPLE)
        pages = [
            ("home", "/", {}),
            ("home (fr)", "/", {"accept-language": "fr"}),
            ("page: objectives", "/pages/objectives/", {}),
            ("public profile", f"/people/{someone.pk}/", {}),
            ("sign up", "/accounts/signup/", {}),
            ("sign in", "/accounts/login/", {}),
        ]
        client = Client()
        print(
            f"{connection.vendor}, {PEOPLE} stakeholders, {REQUESTS} requests per page, "
            "DEBUG off, test client (no network)"
        )
        header = f"{'page':<18}{'median ms':>10}{'p95 ms':>9}{'queries':>8}"
        print(header + f"{'HTML KiB':>9}{'gzip KiB':>9}{'peak KiB':>9}")
        for label, url, headers in pages:
            row = measure(client, url, **headers)
            print(
                f"{label:<18}{row['median_ms']:>10.2f}{row['p95_ms']:>9.2f}{row['queries']:>8}"
                f"{row['html_kb']:>9.1f}{row['gzip_kb']:>9.1f}{row['peak_kib']:>9.0f}"
            )
    finally:
        connection.creation.destroy_test_db(original_name, verbosity=0)


if __name__ == "__main__":
    main()
