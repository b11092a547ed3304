"""Where each reader stopped reading each thread: "N new" beside a thread in a forum's list, and
the way back to the first post they have not read. One mark per reader and thread, moved
forward by the thread pages they are shown (a hole of the page, core.memberpages: a kept page
is the same for everyone, its hole writes this reader's mark)."""

import contextlib
import datetime
import logging

from django.core.cache import cache
from django.db import DatabaseError, connections, router
from django.db.models import Count, Q
from django.template.loader import render_to_string

from .models import Post, ReadMark

logger = logging.getLogger(__name__)
# How long the cache remembers a reader's mark in a thread (the database always holds it).
MARK_KEPT_SECONDS = 7 * 24 * 3600


def stamp(moment: datetime.datetime) -> str:
    """A time as a hole's argument: whole microseconds since the epoch."""
    return str(int(moment.timestamp() * 1_000_000))


def moment(stamp_text: str) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(int(stamp_text) / 1_000_000, tz=datetime.UTC)


def arguments(text: str):
    """(thread id, time) from "<thread id>:<stamp>"; None from anything else."""
    thread_id, _, when = text.partition(":")
    if not (thread_id.isdigit() and when.isdigit()):
        return None
    return int(thread_id), moment(when)


# One statement, in PostgreSQL's and SQLite's shared dialect: a thread page read costs one
# query whether the mark is new, moves, or stays (an earlier page read again leaves it).
MARK_SQL = """
    INSERT INTO forums_readmark (user_id, thread_id, read_until) VALUES (%s, %s, %s)
    ON CONFLICT (user_id, thread_id) DO UPDATE SET read_until = excluded.read_until
    WHERE forums_readmark.read_until < excluded.read_until
"""


def mark_read(user, thread_id: int, until: datetime.datetime) -> None:
    """Move the reader's mark in this thread forward to `until`, never back."""
    connection = connections[router.db_for_write(ReadMark)]
    value = connection.ops.adapt_datetimefield_value(until)
    with connection.cursor() as cursor:
        cursor.execute(MARK_SQL, [user.pk, thread_id, value])


def read_mark_hole(request, argument):
    """The "read-mark" hole of a thread page: "<thread id>:<newest post shown>". Fills nothing;
    moves the mark if the page shows something newer. The mark last seen is also kept in the
    cache: a page read again (the usual return) then costs one cache read, where the database
    cost a query, and a write would wait for its disk. A database that refuses leaves the page
    as it is."""
    parsed = arguments(argument)
    if not request.user.is_authenticated or parsed is None:
        return ""
    thread_id, until = parsed
    key = f"read-mark:{request.user.pk}:{thread_id}"
    if (kept_mark(key) or 0) >= until.timestamp():
        return ""
    try:
        mark = read_marks(request.user, [thread_id]).get(thread_id)
        if mark is None or mark < until:
            mark_read(request.user, thread_id, until)
    except DatabaseError:
        logger.warning("the read mark of %s could not be written", request.user.pk)
        return ""
    with contextlib.suppress(Exception):  # a cache away is the database's to answer
        cache.set(key, max(until, mark or until).timestamp(), MARK_KEPT_SECONDS)
    return ""


def kept_mark(key):
    try:
        return cache.get(key)
    except Exception:  # a cache away: the database answers
        return None


def read_marks(user, thread_ids) -> dict:
    """{thread id: read until} of the reader's marks in these threads. Raw: on every forum page a
    signed-in reader sees, the ORM's query cost 3 ms of Python, this a tenth of it."""
    if not thread_ids:
        return {}
    connection = connections[router.db_for_read(ReadMark)]
    places = ", ".join(["%s"] * len(thread_ids))
    # Only placeholders are formatted in; the values go as parameters.
    sql = f"SELECT thread_id, read_until FROM forums_readmark WHERE user_id = %s AND thread_id IN ({places})"  # noqa: S608, E501
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, *thread_ids])
        rows = cursor.fetchall()
    return {thread_id: aware(until) for thread_id, until in rows}


def aware(value) -> datetime.datetime:
    """SQLite gives back naive UTC times, PostgreSQL aware ones."""
    return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)


def new_counts(user, threads: dict) -> dict:
    """{thread id: how many posts were approved after the reader's mark} for the threads given
    as {id: newest post's time} that the reader has opened and that have news: two queries at
    most, one if nothing is new."""
    marks = read_marks(user, list(threads))
    stale = {thread_id: until for thread_id, until in marks.items() if threads[thread_id] > until}
    if not stale:
        return {}
    after_marks = Q()
    for thread_id, until in stale.items():
        after_marks |= Q(thread_id=thread_id, created_at__gt=until)
    counted = (
        Post.objects.approved()
        .filter(after_marks)
        .values("thread_id")
        .annotate(new=Count("pk"))
        .order_by()
    )
    return {row["thread_id"]: row["new"] for row in counted if row["new"]}


def prepare_unread(request, given):
    """Before the "unread" holes of a forum's list are filled: what is new in all its threads."""
    threads = dict(filter(None, map(arguments, given)))
    request._new_in_threads = new_counts(request.user, threads) if threads else {}


def unread_hole(request, argument):
    """The "unread" hole beside a thread of a forum's list: "N new", linking to the first."""
    parsed = arguments(argument)
    if parsed is None or not request.user.is_authenticated:
        return ""
    if not hasattr(request, "_new_in_threads"):
        prepare_unread(request, [argument])
    count = request._new_in_threads.get(parsed[0])
    if not count:
        return ""
    return render_to_string("forums/includes/unread.html", {"count": count, "thread_id": parsed[0]})
