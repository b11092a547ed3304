"""Server time of the dialogue at scale: BENCH_POSTS posts in BENCH_THREADS threads.

`make bench` runs it on the local PostgreSQL (DATABASE_URL overrides). It fills a throwaway
database (authors of every stakeholder group, posts in English and French), builds the search
vectors, then times whole pages through Django's test client: the forum index, a forum, a thread
page of 50 posts (first and last page of a long thread) and post searches; then, as a
moderator, the admin's dashboard (its waiting counts, and its charts kept or drawn anew), the
review queue (BENCH_PENDING pending posts and BENCH_FLAGGED flagged ones waiting), the flags and
the moderation log.
"""

import itertools
import os
import random
import time

from common import median, p95, settle, setup_django, throwaway_database, timings_ms

setup_django()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, OuterRef, Subquery  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from accounts.models import StakeholderGroup, User  # noqa: E402
from audit.models import Action, ModerationLogEntry  # noqa: E402
from forums.models import (  # noqa: E402
    Flag,
    FlagReason,
    Forum,
    Post,
    PostStatus,
    Thread,
)
from forums.search import index_posts  # noqa: E402
from forums.services import forum_refresh  # noqa: E402
from portal import dashboard  # noqa: E402
from thesaurus.content import load_thesaurus  # noqa: E402

POSTS = int(os.environ.get("BENCH_POSTS", "100000"))
THREADS = int(os.environ.get("BENCH_THREADS", "2000"))
PEOPLE = int(os.environ.get("BENCH_FORUM_PEOPLE", "1000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "50"))
PENDING = int(os.environ.get("BENCH_PENDING", "1000"))
FLAGGED = int(os.environ.get("BENCH_FLAGGED", "500"))
ENGLISH = [
    "gold",
    "mercury",
    "river",
    "cooperative",
    "permit",
    "buffer",
    "zone",
    "rangers",
    "community",
    "women",
    "children",
    "traders",
    "licence",
    "rehabilitation",
    "forest",
    "miners",
    "sediment",
    "pits",
    "road",
    "village",
    "chief",
]
FRENCH = [
    "orpailleurs",
    "mercure",
    "rivière",
    "coopérative",
    "permis",
    "zone",
    "tampon",
    "communauté",
    "femmes",
    "enfants",
    "négociants",
    "exploitation",
    "minière",
    "forêt",
    "village",
    "chef",
    "puits",
    "réhabilitation",
]
SEARCHES = [
    "mercury river",
    "cooperative permit",
    "orpailleurs",
    "exploitation minière",
    "zzqv",
    "mercure",
    "or alluvial",
    "aire protegee",
    "exploitation minière artisanale",
]


def fill(rng):
    groups = itertools.cycle(StakeholderGroup.values)
    unusable = make_password(None)
    people = User.objects.bulk_create(
        User(
            email=f"bench-forum-{n}@example.org",
            name=f"Stakeholder {n}",
            stakeholder_group=next(groups),
            organisation=f"Organisation {n % 97}",
            country="CD",
            password=unusable,
        )
        for n in range(PEOPLE)
    )
    forums = [Forum.objects.create(slug=f"forum-{n}", name=f"Forum {n}", order=n) for n in range(9)]
    threads = Thread.objects.bulk_create(
        Thread(
            forum=forums[n % len(forums)],
            title=f"Thread {n} about {rng.choice(ENGLISH)}",
            author=people[n % PEOPLE],
            is_visible=True,
        )
        for n in range(THREADS)
    )
    # One long thread of 50 posts is what the thread page is timed on; the rest share the others.
    long_thread, others = threads[0], threads[1:]
    per_thread = (POSTS - 50) // len(others)
    batch = []
    for thread in [long_thread] * 50 + [t for t in others for _ in range(per_thread)]:
        french = rng.random() < 0.3
        words = rng.choices(FRENCH if french else ENGLISH, k=60)
        text = " ".join(words)
        batch.append(
            Post(
                thread=thread,
                author=people[rng.randrange(PEOPLE)],
                body=text,
                body_html=f"<p>{text}</p>",
                text=text,
                language="fr" if french else "en",
                status=PostStatus.APPROVED,
            )
        )
        if len(batch) == 5000:
            Post.objects.bulk_create(batch)
            batch = []
    Post.objects.bulk_create(batch)
    # What refresh_counts does for one thread, for all of them in one statement.
    approved = Post.objects.filter(thread=OuterRef("pk"), status=PostStatus.APPROVED)
    latest = approved.order_by("-created_at", "-pk")
    count = approved.order_by().values("thread").annotate(n=Count("pk")).values("n")
    Thread.objects.update(
        reply_count=Subquery(count) - 1,
        last_post=Subquery(latest.values("pk")[:1]),
        last_post_at=Subquery(latest.values("created_at")[:1]),
    )
    for forum in forums:
        forum_refresh(forum=forum)
    return long_thread


def fill_queue(rng):
    """Posts waiting for a decision: some pending, some flagged by two readers, and a log."""
    people = list(User.objects.order_by("pk")[:PEOPLE])
    posts = list(Post.objects.order_by("?")[: PENDING + FLAGGED])
    Post.objects.filter(pk__in=[p.pk for p in posts[:PENDING]]).update(status=PostStatus.PENDING)
    reasons = itertools.cycle(FlagReason.values)
    Flag.objects.bulk_create(
        Flag(post=post, user=reader, reason=next(reasons))
        for post in posts[PENDING:]
        for reader in rng.sample(people, 2)
        if reader.pk != post.author_id
    )
    moderator = User.objects.create(
        email="bench-moderator@example.org", name="Moderator", is_staff=True
    )
    moderator.groups.add(Group.objects.get(name="Moderators"))
    ModerationLogEntry.objects.bulk_create(
        ModerationLogEntry(
            actor=moderator,
            actor_name=moderator.name,
            action=Action.APPROVE,
            target_type="post",
            target_id=post.pk,
            target_repr=str(post.pk),
            forum_id=post.thread.forum_id,
        )
        for post in Post.objects.select_related("thread")[:5000]
    )
    return moderator


def timed(client, label, url, params=None, before=None):
    def get():
        if before:
            before()
        return client.get(url, params or {}, secure=True)

    response = get()
    assert response.status_code == 200, (url, response.status_code)
    timings = timings_ms(get, REQUESTS, warm_up=3)
    with CaptureQueriesContext(connection) as queries:
        get()
    print(
        f"{label:<34}{median(timings):>10.1f}{p95(timings):>9.1f}{len(queries):>8}"
        f"{len(response.content) / 1024:>9.1f}"
    )
    return timings


def main():
    settings.FORUM_POSTS_PER_PAGE = 50
    rng = random.Random(2012)
    with throwaway_database():
        start = time.perf_counter()
        # BENCH_KEEPDB=1 keeps a filled database for the next run.
        kept = Post.objects.exists()
        long_thread = Thread.objects.order_by("pk").first() if kept else fill(rng)
        loaded = time.perf_counter() - start
        start = time.perf_counter()
        index_posts(Post.objects.values_list("pk", flat=True))
        indexed = time.perf_counter() - start
        load_thesaurus()  # every search is expanded with it
        settle(connection)
        print(
            f"{connection.vendor}: {Post.objects.count()} posts in {THREADS} threads by {PEOPLE} "
            f"people; loaded in {loaded:.0f} s, search vectors in {indexed:.0f} s; "
            f"{REQUESTS} requests each, whole page through the client, visitor"
        )
        client = Client()
        print(f"{'request':<34}{'median ms':>10}{'p95 ms':>9}{'queries':>8}{'KiB':>9}")
        timed(client, "forum index", reverse("forums:index"))
        timed(client, "a forum (25 threads)", reverse("forums:forum", args=["forum-0"]))
        timed(client, "thread page, 50 posts", long_thread.get_absolute_url())
        searches = []
        for query in SEARCHES:
            searches += timed(client, f"search {query!r}", reverse("forums:search"), {"q": query})
        print(f"all searches: median {median(searches):.1f} ms, p95 {p95(searches):.1f} ms")

        moderator = fill_queue(rng)
        waiting = Post.objects.filter(status=PostStatus.PENDING).count() + FLAGGED
        print(f"moderator, about {waiting} posts waiting, 5,000 log entries")
        client.force_login(moderator)
        timed(client, "admin dashboard (charts kept)", "/admin/")
        # The dashboard's charts are kept for minutes: drawn anew, each is one grouped query over
        # every post of the last twelve months, and pygal's drawing (the target: under 200 ms).
        timed(client, "dashboard, charts drawn anew", "/admin/", before=dashboard.forget)
        timed(client, "review queue (50 a page)", "/admin/forums/post/", {"waiting": "yes"})
        timed(client, "open flags", "/admin/forums/flag/", {"resolved": "no"})
        timed(client, "moderation log", "/admin/audit/moderationlogentry/")


if __name__ == "__main__":
    main()
