"""Harvesting the whole library over OAI-PMH: BENCH_PUBLICATIONS studies (10,000 by default) with
their authors, topics and countries, some withdrawn or deleted since (deleted records) and some
drafts (no record at all), served by gunicorn (2 sync workers, DEBUG off) and harvested by a
real harvester (oaipmh-scythe) across resumption tokens of 100 records.

Prints, for ListIdentifiers and ListRecords in oai_dc and DataCite, the time of the whole
harvest, the records found and the time per page; fails if a harvest found anything but exactly
the published studies and the withdrawn and deleted ones marked deleted. `make bench` runs it on
PostgreSQL.
"""

import logging
import os
import random
import statistics
import sys
import time

from common import database_url, gunicorn, settle, setup_django, throwaway_database

setup_django()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from oaipmh_scythe import Scythe  # noqa: E402
from oaipmh_scythe.config import HTTPConfig  # noqa: E402
from oaipmh_scythe.iterator import OAIResponseIterator  # noqa: E402

from oai.models import DeletedStudy  # noqa: E402
from oai.repository import identifier, namespace  # noqa: E402
from publications.models import (  # noqa: E402
    Author,
    Authorship,
    Coverage,
    Kind,
    Publication,
    Topic,
)

COUNT = int(os.environ.get("BENCH_PUBLICATIONS", "10000"))
WITHDRAWN_EVERY = 20  # one study in 20 was published, then withdrawn
DRAFT_EVERY = 50  # and one in 50 was never published
DELETED_EVERY = 100  # one in 100 was published, then deleted (it leaves a DeletedStudy)


def fill(rng):
    topics = [Topic.objects.create(slug=f"topic-{n}", name=f"Topic {n}") for n in range(10)]
    authors = Author.objects.bulk_create(
        Author(name=f"Person {n}", slug=f"person-{n}") for n in range(500)
    )
    countries = ["MG", "SL", "CD", "LR", "GH", "TZ", "PE", "CO", "ID", "MN"]
    kinds = list(Kind.values)
    now = timezone.now()
    for start in range(0, COUNT, 1000):
        batch = []
        for n in range(start, min(start + 1000, COUNT)):
            draft, withdrawn = n % DRAFT_EVERY == 1, n % WITHDRAWN_EVERY == 0
            batch.append(
                Publication(
                    title=f"Study {n} of artisanal mining",
                    slug=f"study-{n}",
                    kind=kinds[n % len(kinds)],
                    language="fr" if n % 7 == 0 else "en",
                    year=2000 + n % 26,
                    month=1 + n % 12,
                    abstract=" ".join(rng.choices(["gold", "mercury", "forest", "miners"], k=120)),
                    is_published=not (draft or withdrawn),
                    published_at=None if draft else now,
                )
            )
        created = Publication.objects.bulk_create(batch)
        Authorship.objects.bulk_create(
            Authorship(
                publication=p, author=author, given_names="A.", family_name=f"Family{p.pk % 997}",
                order=order,
            )
            for p in created
            for order, author in enumerate(rng.sample(authors, k=2))
        )  # fmt: skip
        Coverage.objects.bulk_create(
            Coverage(publication=p, country=countries[p.pk % len(countries)]) for p in created
        )
        Publication.topics.through.objects.bulk_create(
            Publication.topics.through(publication=p, topic=topics[p.pk // 10 % len(topics)])
            for p in created
        )


def harvest(scythe, verb, prefix):
    """Every page of one list: (records or headers found, seconds for each page)."""
    ask = scythe.list_records if verb == "ListRecords" else scythe.list_identifiers
    found, pages = [], []
    scythe.iterator = OAIResponseIterator
    start = time.perf_counter()
    for response in ask(metadata_prefix=prefix):
        pages.append(time.perf_counter() - start)
        tag = "record" if verb == "ListRecords" else "header"
        for item in response.xml.iter(f"{{http://www.openarchives.org/OAI/2.0/}}{tag}"):
            header = item if tag == "header" else item.find("{*}header")
            found.append((header.findtext("{*}identifier"), header.get("status") == "deleted"))
        start = time.perf_counter()
    return found, pages


def main():
    logging.disable(logging.INFO)  # the HTTP client's line per request
    rng = random.Random(2012)
    with throwaway_database():
        if connection.vendor != "postgresql":
            sys.exit("bench/harvest.py measures PostgreSQL (gunicorn reads the same database)")
        start = time.perf_counter()
        if not Publication.objects.exists():  # BENCH_KEEPDB=1 keeps a filled database
            fill(rng)
            # Deleted one by one through the signal: each leaves its DeletedStudy.
            published = Publication.objects.filter(is_published=True).values_list("pk", flat=True)
            doomed = [pk for pk in published if pk % DELETED_EVERY == 3]
            Publication.objects.filter(pk__in=doomed).delete()
        settle(connection)
        everything = Publication.objects.order_by("pk")
        live = {identifier(p) for p in everything.filter(is_published=True)}
        withdrawn = {
            identifier(p) for p in everything.filter(is_published=False, published_at__isnull=False)
        }
        gone = DeletedStudy.objects.values_list("pk", flat=True)
        deleted = {f"oai:{namespace()}:{pk}" for pk in gone}
        drafts = everything.filter(is_published=False, published_at__isnull=True).count()
        print(
            f"{connection.vendor}: {COUNT:,} studies ({len(live):,} published, {len(withdrawn):,} "
            f"withdrawn, {len(deleted):,} deleted, {drafts:,} drafts); "
            f"ready in {time.perf_counter() - start:.0f} s"
        )
        withdrawn |= deleted
        env = {
            **os.environ,
            "DATABASE_URL": database_url(connection.settings_dict),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
        }
        failures = 0
        with gunicorn("asmpace.wsgi:application", env=env) as base:
            print("gunicorn: 2 sync workers; harvester: oaipmh-scythe, pages of 100")
            print(f"{'list':<26}{'found':>8}{'deleted':>9}{'seconds':>9}{'page ms':>9}{'p95':>7}")
            config = HTTPConfig(timeout=120)
            for verb, prefix in [
                ("ListIdentifiers", "oai_dc"),
                ("ListRecords", "oai_dc"),
                ("ListRecords", "datacite"),
            ]:
                with Scythe(f"{base}/oai/", http_config=config) as scythe:
                    found, pages = harvest(scythe, verb, prefix)
                kept = {i for i, deleted in found if not deleted}
                deleted = {i for i, is_deleted in found if is_deleted}
                exact = len(found) == len(kept | deleted) and (kept, deleted) == (live, withdrawn)
                failures += not exact
                ordered = sorted(pages)
                print(
                    f"{verb + ' ' + prefix:<26}{len(kept):>8,}{len(deleted):>9,}"
                    f"{sum(pages):>9.1f}{statistics.median(pages) * 1000:>9.0f}"
                    f"{ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000:>7.0f}"
                    + ("" if exact else "  NOT the published set")
                )
        if failures:
            sys.exit(f"{failures} harvest(s) did not find exactly the published set")


if __name__ == "__main__":
    main()
