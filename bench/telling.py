"""What telling people costs: one reply in a thread with BENCH_FOLLOWERS followers (a third on
the site only, a third by email, a third daily), and the header's unread count of a reader with
BENCH_NOTICES notices (kept with the reader's facts; counted again when their notices change).

`make bench` runs it on the local PostgreSQL (DATABASE_URL overrides), in a throwaway database.
The fan-out is timed as the outbox runs it, in a transaction that is then rolled back (so no
email leaves and each round starts alike): choosing who is told, writing their notices, and
rendering and recording the emails.
"""

import os
import time

from common import median, setup_django, throwaway_database, timings_ms

setup_django()

from allauth.account.models import EmailAddress  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from forums.models import Delivery, Forum, Post, PostStatus, Subscription, Thread  # noqa: E402
from forums.services import refresh_counts  # noqa: E402
from forums.tasks import notify_subscribers  # noqa: E402
from notices.models import Kind, Notice  # noqa: E402
from notices.views import COUNT_AT_MOST  # noqa: E402

FOLLOWERS = int(os.environ.get("BENCH_FOLLOWERS", "1000"))
NOTICES = int(os.environ.get("BENCH_NOTICES", "10000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))


def fill():
    password = make_password("bench-only-password")
    people = User.objects.bulk_create(
        User(
            email=f"follower{n}@example.org",
            name=f"Follower {n}",
            password=password,
            stakeholder_group="ngo",
            country="CD",
            handle=f"follower{n}",
        )
        for n in range(FOLLOWERS + 1)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=person, email=person.email, verified=True, primary=True)
        for person in people
    )
    author, followers = people[0], people[1:]
    forum = Forum.objects.create(slug="bench", name="Bench")
    thread = Thread.objects.create(forum=forum, title="Where may we dig?", author=author)
    Post.objects.create(thread=thread, author=author, body="Where?", status=PostStatus.APPROVED)
    refresh_counts(thread=thread)
    deliveries = [Delivery.SITE, Delivery.IMMEDIATE, Delivery.DAILY]
    Subscription.objects.bulk_create(
        Subscription(user=person, thread=thread, delivery=deliveries[n % 3])
        for n, person in enumerate(followers)
    )
    return author, thread


def fan_out(thread, author):
    """One reply's notices and emails, as its outbox job makes them; then undone."""
    with transaction.atomic():
        post = Post.objects.create(
            thread=thread,
            author=author,
            body="At the park's office.",
            status=PostStatus.APPROVED,
            approved_at=timezone.now(),
        )
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            emails = notify_subscribers(post_id=post.pk)
            elapsed = (time.perf_counter() - start) * 1000
        told = Notice.objects.filter(cause=f"post:{post.pk}").count()
        transaction.set_rollback(True)
    return elapsed, len(captured), told, emails


def main():
    with throwaway_database():
        author, thread = fill()
        runs = [fan_out(thread, author) for _ in range(ROUNDS)]
        _, queries, told, emails = runs[-1]
        print(
            f"fan-out of one reply to {FOLLOWERS} followers: median "
            f"{median([run[0] for run in runs]):.0f} ms over {ROUNDS} rounds, {queries} queries, "
            f"{told} notices written, {emails} emails recorded"
        )

        reader = User.objects.exclude(pk=author.pk).first()
        Notice.objects.bulk_create(
            Notice(
                user=reader,
                kind=Kind.FOLLOWED,
                cause=f"n:{n}",
                target_type="post",
                target_id=n,
                topic=f"thread:{n % 50}",
            )
            for n in range(NOTICES)
        )
        with CaptureQueriesContext(connection) as captured:
            Notice.objects.unread_count_of(reader.pk, at_most=COUNT_AT_MOST + 1)
        timings = timings_ms(
            lambda: Notice.objects.unread_count_of(reader.pk, at_most=COUNT_AT_MOST + 1),
            repeat=200,
        )
        print(
            f"header count with {NOTICES} unread notices: median {median(timings):.2f} ms, "
            f"{len(captured)} query, when the reader's facts are renewed (a notice written or "
            "read); none on the pages between, with a shared cache (core.memberpages)"
        )


if __name__ == "__main__":
    main()
