"""Server time of the API's lists at scale: BENCH_POSTS posts and BENCH_PUBLICATIONS studies.

`make bench` runs it on the local PostgreSQL (DATABASE_URL overrides). It fills a throwaway
database with the dialogue's and the library's own fills (bench/dialogue.py, bench/library.py;
their BENCH_* variables size them, and the studies carry BENCH_TEXT_KB=1 of text by default: the
API never reads it), adds a year of daily download counts to some studies and a few sites, then
times each list endpoint through Django's test client as a visitor: its first page of 50, a
page deep in the list (by its cursor) and the filters a harvester uses. The target: p95 <= 50 ms.

A small run: BENCH_POSTS=2000 BENCH_THREADS=100 BENCH_FORUM_PEOPLE=100 BENCH_PUBLICATIONS=500
BENCH_REQUESTS=10 python bench/api_lists.py
"""

import datetime
import os
import random
import time

os.environ.setdefault("BENCH_TEXT_KB", "1")

import dialogue
import library
from common import median, p95, settle, throwaway_database, timings_ms
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from forums.models import Post
from publications.models import DownloadCount, Publication
from sites.models import Mineral, Site, SiteText

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "50"))
API = "/api/v1/"


def fill_more(rng):
    """A year of downloads for one study in ten, and a dozen sites with a mineral each."""
    studies = list(Publication.objects.values_list("pk", flat=True)[::10])
    first = datetime.date(2025, 1, 1)
    batch = []
    for pk in studies:
        for day in range(0, 365, 3):
            batch.append(
                DownloadCount(
                    publication_id=pk,
                    day=first + datetime.timedelta(days=day),
                    count=rng.randint(1, 9),
                )
            )
        if len(batch) > 5000:
            DownloadCount.objects.bulk_create(batch)
            batch = []
    DownloadCount.objects.bulk_create(batch)
    # The programme's content, loaded by bench/throughput.py's fill, may hold gold already.
    gold, _ = Mineral.objects.get_or_create(slug="gold", defaults={"name": "Gold", "name_fr": "Or"})
    for n in range(12):
        site = Site.objects.create(
            slug=f"bench-site-{n}", country="CD", latitude=-3 + n, longitude=28, is_published=True
        )
        site.minerals.add(gold)
        site.publications.add(*studies[n * 3 : n * 3 + 3])
        for language in ("en", "fr"):
            SiteText.objects.create(site=site, language=language, name=f"Site {n} {language}")


def cursor_deep(client, path, params, pages):
    """The cursor of the page `pages` pages in (or the last there is)."""
    cursor = None
    for _ in range(pages):
        answer = client.get(
            API + path, {**params, **({"cursor": cursor} if cursor else {})}, secure=True
        )
        following = answer.json()["next"]
        if following is None:
            break
        cursor = following
    return cursor


def timed(client, label, path, params=None):
    params = params or {}

    def get():
        return client.get(API + path, params, secure=True)

    response = get()
    assert response.status_code == 200, (path, response.status_code, response.content[:200])
    timings = timings_ms(get, REQUESTS, warm_up=3)
    with CaptureQueriesContext(connection) as queries:
        get()
    print(
        f"{label:<40}{median(timings):>10.1f}{p95(timings):>9.1f}{len(queries):>8}"
        f"{len(response.content) / 1024:>9.1f}"
    )
    return p95(timings)


def main():
    settings.API_RATE_LIMIT = 0  # the limit is per address; the bench is one address
    rng = random.Random(2012)
    with throwaway_database():
        start = time.perf_counter()
        # BENCH_KEEPDB=1 keeps a filled database, this benchmark's or bench/throughput.py's.
        if not Post.objects.exists():
            dialogue.fill(rng)
            library.fill(rng)
        if not DownloadCount.objects.exists():
            fill_more(rng)
        loaded = time.perf_counter() - start
        settle(connection)
        print(
            f"{connection.vendor}: {Post.objects.count()} posts, "
            f"{Publication.objects.count()} studies, {DownloadCount.objects.count()} daily "
            f"download counts; loaded in {loaded:.0f} s; {REQUESTS} requests each, visitor"
        )
        client = Client()
        print(f"{'request':<40}{'median ms':>10}{'p95 ms':>9}{'queries':>8}{'KiB':>9}")
        worst = []
        for path, params in [
            ("studies", {}),
            ("studies", {"kind": "case_study", "language": "en"}),
            ("studies", {"topic": "topic-3", "country": "MG"}),
            ("authors", {}),
            ("topics", {}),
            ("sites", {}),
            ("sites.geojson", {}),
            ("minerals", {}),
            ("forums", {}),
            ("threads", {}),
            ("threads", {"forum": "forum-3"}),
            ("posts", {}),
            ("posts", {"forum": "forum-3", "language": "fr"}),
            ("posts", {"stakeholder_group": "miner", "since": "2020-01-01"}),
            ("outcomes", {}),
        ]:
            label = " ".join([path, *(f"{k}={v}" for k, v in params.items())])
            worst.append(timed(client, label[:39], path, params))
        # Counted once per change of the dialogue, kept in the cache (Redis in production; here
        # this process's memory): what a client reads between two changes, then one count.
        settings.PAGE_CACHE_SECONDS = 3600
        worst.append(timed(client, "participation (kept)", "participation"))
        settings.PAGE_CACHE_SECONDS = 0
        print("(not a list, and not in the slowest below: counted at each change of the dialogue)")
        timed(client, "participation (counted)", "participation")
        for path, pages in (("studies", 100), ("posts", 1000), ("threads", 20)):
            cursor = cursor_deep(client, path, {}, pages)
            if cursor:
                worst.append(timed(client, f"{path}, {pages} pages in", path, {"cursor": cursor}))
        print(f"slowest list: p95 {max(worst):.1f} ms (target: 50 ms)")


if __name__ == "__main__":
    main()
