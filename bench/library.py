"""Search time of the library at scale: BENCH_PUBLICATIONS studies with BENCH_TEXT_KB of PDF text.

`make bench` runs it on the local PostgreSQL (DATABASE_URL overrides). It fills a throwaway
database, builds the search vectors in one UPDATE, then times whole /publications/ requests
(search, ranking, five facets, snippets, pagination) through Django's test client.
"""

import os
import random
import time

from common import median, p95, settle, setup_django, throwaway_database, timings_ms

setup_django()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from publications.models import (  # noqa: E402
    Author,
    Authorship,
    Coverage,
    Kind,
    Publication,
    Topic,
)
from publications.search import index_publications, matching  # noqa: E402
from thesaurus.content import load_thesaurus  # noqa: E402

COUNT = int(os.environ.get("BENCH_PUBLICATIONS", "10000"))
TEXT_KB = int(os.environ.get("BENCH_TEXT_KB", "20"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "30"))
DOMAIN = [
    "mining",
    "artisanal",
    "gold",
    "diamond",
    "mercury",
    "amalgamation",
    "protected",
    "forest",
    "reserve",
    "community",
    "miners",
    "river",
    "sediment",
    "deforestation",
    "livelihoods",
    "governance",
    "licence",
    "cooperative",
    "women",
    "children",
    "conservation",
    "rangers",
    "park",
    "buffer",
    "zone",
    "rehabilitation",
    "supply",
    "chain",
    "traders",
]
FRENCH = [
    "exploitation",
    "minière",
    "orpailleurs",
    "réserve",
    "forêt",
    "communautés",
    "mercure",
    "rivière",
]
SEARCHES = [
    "mercury",
    "mercure",  # the thesaurus's bridge to "mercury"
    "or alluvial",  # French "or" is gold, a word with alternatives
    "aire protegee",  # no accents, a label of two words
    "exploitation minière artisanale",  # a concept of many labels
    "gold mining",
    "amalgamation river sediment",
    "cooperative licence women",
    '"buffer zone"',
    "orpailleurs",
    "communautés minières",
    "Hollestelle",
    "ankarafantsika",  # in no study
    "zzqv",  # in no study either
]


def words(rng, count):
    """Zipf-like text: a few common words, a long tail of rare ones, the domain sprinkled in."""
    tail = [f"w{n}" for n in range(20_000)]
    weights = [1 / (rank + 1) for rank in range(len(tail))]
    body = rng.choices(tail, weights=weights, k=count)
    for position in rng.sample(range(count), k=count // 20):
        body[position] = rng.choice(DOMAIN)
    return body


def fill(rng):
    topics = [Topic.objects.create(slug=f"topic-{n}", name=f"Topic {n}") for n in range(10)]
    authors = Author.objects.bulk_create(
        Author(name=f"Person {n}", slug=f"person-{n}") for n in range(500)
    )
    authors.append(Author.objects.create(name="M. R. Hollestelle", slug="hollestelle"))
    countries = ["MG", "SL", "CD", "LR", "GH", "TZ", "PE", "CO", "ID", "MN"]
    kinds = list(Kind.values)
    words_per_study = TEXT_KB * 1024 // 7
    vocabulary = words(rng, 200_000)
    for start in range(0, COUNT, 500):
        batch = []
        for n in range(start, min(start + 500, COUNT)):
            french = n % 7 == 0
            text = rng.sample(vocabulary, k=words_per_study)
            if french:
                text[::25] = rng.choices(FRENCH, k=len(text[::25]))
            batch.append(
                Publication(
                    title=f"Study {n} of {rng.choice(DOMAIN)} and {rng.choice(DOMAIN)}",
                    slug=f"study-{n}",
                    kind=kinds[n % len(kinds)],
                    language="fr" if french else "en",
                    year=2000 + n % 26,
                    abstract=" ".join(rng.sample(vocabulary, k=150)),
                    text=" ".join(text),
                    is_published=True,
                )
            )
        created = Publication.objects.bulk_create(batch)
        Authorship.objects.bulk_create(
            Authorship(
                publication=p, author=rng.choice(authors), given_names="A.",
                family_name=f"Family{p.pk % 997}", order=0,
            )
            for p in created
        )  # fmt: skip
        Coverage.objects.bulk_create(
            Coverage(publication=p, country=countries[p.pk % len(countries)]) for p in created
        )
        Publication.topics.through.objects.bulk_create(
            Publication.topics.through(publication=p, topic=topics[p.pk // 10 % len(topics)])
            for p in created
        )


def main():
    rng = random.Random(2012)
    with throwaway_database():
        start = time.perf_counter()
        if not Publication.objects.exists():  # BENCH_KEEPDB=1 keeps a filled database
            fill(rng)
        loaded = time.perf_counter() - start
        start = time.perf_counter()
        index_publications(Publication.objects.all())
        indexed = time.perf_counter() - start
        load_thesaurus()  # every search is expanded with it
        settle(connection)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_total_relation_size('publications_publication')"
                if connection.vendor == "postgresql"
                else "SELECT 0"
            )
            table_mb = cursor.fetchone()[0] / 1024 / 1024
        print(
            f"{connection.vendor}: {COUNT} studies x {TEXT_KB} KB of text; loaded in "
            f"{loaded:.0f} s, search vectors built in {indexed:.0f} s; table with indexes "
            f"{table_mb:.0f} MB; {REQUESTS} requests per search, whole page through the client"
        )
        client = Client()
        print(f"{'request':<34}{'found':>7}{'median ms':>10}{'p95 ms':>9}{'queries':>8}")
        every = []
        for params in [{}, {"topic": "topic-3", "country": "MG"}] + [
            {"q": query} for query in SEARCHES
        ]:

            def get(params=params):
                return client.get(reverse("publications:list"), params, secure=True)

            timings = timings_ms(get, REQUESTS, warm_up=2)
            with CaptureQueriesContext(connection) as queries:
                get()
            found = Publication.objects.published().filtered(
                **{k: v for k, v in params.items() if k != "q"}
            )
            if "q" in params:
                found = matching(found, params["q"])
            if "q" in params:
                every += timings
            label = " ".join(f"{k}={v}" for k, v in params.items()) or "(all, newest first)"
            print(
                f"{label[:33]:<34}{found.count():>7}"
                f"{median(timings):>10.1f}{p95(timings):>9.1f}{len(queries):>8}"
            )
        print(f"all searches: median {median(every):.1f} ms, 95th percentile {p95(every):.1f} ms")


if __name__ == "__main__":
    main()
