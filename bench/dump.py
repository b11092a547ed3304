"""The open-data dump at scale: build time, peak memory and size with BENCH_POSTS posts (the
dialogue's fill) and BENCH_PUBLICATIONS studies (the library's).

`make bench` runs it on the local PostgreSQL (DATABASE_URL overrides). Peak memory is
tracemalloc's (Python's allocations) and the process's maximum resident size; building streams,
so neither should grow with the data: a second build at a tenth of the posts shows it.
"""

import os
import random
import resource
import shutil
import time
import tracemalloc

from common import settle, setup_django, throwaway_database

os.environ.setdefault("BENCH_TEXT_KB", "1")  # the studies' PDF text is never in the dump
setup_django()

import dialogue  # noqa: E402 - its fill: BENCH_POSTS posts in BENCH_THREADS threads
import library  # noqa: E402 - its fill: BENCH_PUBLICATIONS studies
from django.conf import settings  # noqa: E402
from django.core.files.storage import default_storage  # noqa: E402
from django.db import connection  # noqa: E402

from forums.models import Post  # noqa: E402
from opendata import dumps  # noqa: E402
from publications.models import Publication  # noqa: E402


def build() -> tuple[float, int, dict]:
    tracemalloc.start()
    start = time.perf_counter()
    descriptor = dumps.dump_build()
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return seconds, peak, descriptor


def report(label, seconds, peak, descriptor):
    rows = {resource["name"]: resource["rows"] for resource in descriptor["resources"]}
    size = default_storage.size(dumps.NAME)
    print(
        f"{label:<28}{seconds:>8.1f} s{peak / 2**20:>10.1f} MiB{size / 2**20:>10.1f} MiB"
        f"{rows['posts']:>10}{rows['studies']:>9}"
    )


def main():
    rng = random.Random(2012)
    with throwaway_database():
        if not Post.objects.exists():  # BENCH_KEEPDB=1 keeps a filled database
            dialogue.fill(rng)
        if not Publication.objects.exists():
            library.fill(rng)
        settle(connection)
        print(f"{connection.vendor}: the open-data dump, built once untimed, then timed")
        print(
            f"{'build':<28}{'time':>10}{'peak (Python)':>14}{'ZIP':>10}{'posts':>10}{'studies':>9}"
        )
        dumps.dump_build()
        report("everything", *build())
        # A tenth of the posts: the peak should stay where it was.
        keep = Post.objects.order_by("pk").values_list("pk", flat=True)[
            max(Post.objects.count() // 10, 1)
        ]
        Post.objects.filter(pk__gt=keep).update(status="hidden")
        report("a tenth of the posts", *build())
        max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"process's maximum resident size: {max_rss:.0f} MiB (the fills included)")


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)
