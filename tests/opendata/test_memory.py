"""Building streams: its peak memory does not grow with the data (bench/dump.py measures
it at 100,000 posts)."""

import tracemalloc

import pytest

from forums.models import Post, PostStatus
from opendata import dumps, rows
from tests.factories import ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db


def add_posts(thread, people, count):
    text = "Mercury in the river below the pits, and what the cooperative did about it. " * 4
    Post.objects.bulk_create(
        Post(
            thread=thread,
            author=people[n % len(people)],
            body=text,
            body_html=f"<p>{text}</p>",
            text=text,
            status=PostStatus.APPROVED,
        )
        for n in range(count)
    )


def peak_of_a_build() -> int:
    tracemalloc.start()
    try:
        dumps.dump_build()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_ten_times_the_posts_take_no_more_memory_to_build(monkeypatch):
    # Chunks smaller than both sizes, as 2,000-row chunks are to 100,000 posts.
    monkeypatch.setattr(rows, "CHUNK_ROWS", 200)
    thread = ThreadFactory()
    people = UserFactory.create_batch(5)
    add_posts(thread, people, 1_000)
    peak_of_a_build()  # the first build imports and caches what every build uses
    small = peak_of_a_build()
    add_posts(thread, people, 9_000)
    large = peak_of_a_build()

    posts = next(r for r in dumps.stored_dump().descriptor["resources"] if r["name"] == "posts")
    assert posts["rows"] == 10_001
    assert large < small * 1.2, (small, large)
