"""Server time, queries, weight and memory of the portal's pages, in production settings.

Run with `make bench` (SQLite) or `DATABASE_URL=postgres://... make bench` (PostgreSQL). It builds
a throwaway test database with the programme's content and BENCH_PEOPLE stakeholders, so the
figures show whether a page stays flat as data grows. Not a test: it measures, it never fails.
"""

import gzip
import os
import tracemalloc
from decimal import Decimal

from common import median, p95, setup_django, throwaway_database, timings_ms

setup_django()

from allauth.account.models import EmailAddress  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import StakeholderGroup, User  # noqa: E402
from core.addresses import in_language, language_of  # noqa: E402
from forums.examples import load_examples  # noqa: E402
from forums.models import Thread  # noqa: E402
from publications.models import Publication  # noqa: E402
from sites.models import Mineral, Site, SiteText  # noqa: E402

PEOPLE = int(os.environ.get("BENCH_PEOPLE", "2000"))
# Beyond the programme's four: a portal that grows to tens of sites still draws them on one map.
EXTRA_SITES = int(os.environ.get("BENCH_SITES", "50"))
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


def add_sites(count):
    minerals = list(Mineral.objects.all())
    studies = list(Publication.objects.all())
    sites = Site.objects.bulk_create(
        Site(
            slug=f"bench-site-{n}",
            country="CD",
            latitude=Decimal(-10 + n % 20),
            longitude=Decimal(15 + n % 30),
            is_published=True,
        )
        for n in range(count)
    )
    SiteText.objects.bulk_create(
        SiteText(site=site, language=language, name=f"Site {n}", summary_html="<p>Text.</p>")
        for n, site in enumerate(sites)
        for language in ("en", "fr")
    )
    for n, site in enumerate(sites):
        site.minerals.set(minerals[n % 3 : n % 3 + 2])
        site.publications.set(studies[n % 4 : n % 4 + 2])


def measure(client, url, **headers):
    def get():
        return client.get(url, secure=True, headers=headers)

    timings = timings_ms(get, REQUESTS, warm_up=10)
    response = get()
    # An old address, without a language, answers its permanent redirect.
    expected = 200 if language_of(url.partition("?")[0]) else 301
    assert response.status_code == expected, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        get()
    query_count = len(queries)  # read now: the next request clears the connection's log
    tracemalloc.start()
    get()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {
        "median_ms": median(timings),
        "p95_ms": p95(timings),
        "queries": query_count,
        "html_kb": len(response.content) / 1024,
        "gzip_kb": len(gzip.compress(response.content)) / 1024,
        "peak_kib": peak / 1024,
    }


def main():
    with throwaway_database():
        call_command("load_content", verbosity=0)
        someone = add_people(PEOPLE)
        add_sites(EXTRA_SITES)
        load_examples()
        example = Thread.objects.get(forum__slug="itombwe", is_example=True)
        # Each language at its own addresses (/en/…, /fr/…: core/addresses.py).
        thread = example.get_absolute_url()
        pages = [
            ("home", "/en/", {}),
            ("home (fr)", "/fr/", {}),
            ("old address (301)", "/forums/itombwe/", {"accept-language": "fr"}),
            ("page: objectives", "/en/pages/objectives/", {}),
            ("public profile", f"/en/people/{someone.pk}/", {}),
            ("sign up", "/en/accounts/signup/", {}),
            ("sign in", "/en/accounts/login/", {}),
            ("library", "/en/publications/", {}),
            ("library search", "/en/publications/?q=mining+protected", {}),
            ("study", "/en/publications/global-solutions-study/", {}),
            ("sites map", "/en/sites/", {}),
            ("sites map (fr)", "/fr/sites/", {}),
            ("site", "/en/sites/itombwe/", {}),
            ("sites.geojson", "/en/sites.geojson", {}),
            ("dialogue", "/en/forums/", {}),
            ("forum", "/en/forums/itombwe/", {}),
            ("thread", thread, {}),
            ("thread (fr)", in_language(thread, "fr"), {}),
            ("dialogue search", "/en/forums/search/?q=mercury", {}),
            ("site search", "/en/search/?q=gold+mining", {}),
            ("site search (fr)", "/fr/search/?q=gold+mining", {}),
        ]
        client = Client()
        print(
            f"{connection.vendor}, {PEOPLE} stakeholders, {EXTRA_SITES + 4} sites, "
            f"{REQUESTS} requests per page, "
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


if __name__ == "__main__":
    main()
