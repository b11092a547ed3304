"""Memory and time of sending a large study through the download view, in production settings.

Run with `make bench`, or alone: `.venv/bin/python bench/downloads.py`. It writes a
BENCH_DOWNLOAD_MB file (200 by default) to a temporary MEDIA_ROOT, then streams it whole and as a
range of half its size from the middle, through Django's test client, reading the streamed chunks
one by one without keeping them. Peak Python memory should stay near the chunk size whatever the
file. Not a test: it measures, it never fails.
"""

import hashlib
import os
import resource
import statistics
import time
import tracemalloc
from pathlib import Path

from common import setup_django, throwaway_database

setup_django()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from publications.models import Kind, Publication  # noqa: E402

MEGABYTES = int(os.environ.get("BENCH_DOWNLOAD_MB", "200"))
RUNS = int(os.environ.get("BENCH_DOWNLOAD_RUNS", "3"))
MIB = 1024 * 1024


def write_study(megabytes):
    """A PDF header followed by filler: the view never parses the file, it only sends it."""
    name = "publications/bench-study.pdf"
    path = Path(settings.MEDIA_ROOT) / name
    path.parent.mkdir(parents=True)
    digest = hashlib.sha256()
    filler = bytes(range(256)) * (MIB // 256)
    with path.open("wb") as stream:
        for block in [b"%PDF-1.7\n" + filler[9:]] + [filler] * (megabytes - 1):
            stream.write(block)
            digest.update(block)
    # Fields set directly: upload validation and text extraction are not what is measured.
    return Publication.objects.create(
        title="A very large study",
        slug="bench-study",
        kind=Kind.GLOBAL_STUDY,
        language="en",
        year=2012,
        is_published=True,
        file=name,
        file_size=megabytes * MIB,
        file_sha256=digest.hexdigest(),
    )


def stream(client, url, headers):
    """Send one request and read the body chunk by chunk, keeping only the count of bytes."""
    response = client.get(url, secure=True, headers=headers)
    received = 0
    for chunk in response.streaming_content:
        received += len(chunk)
    response.close()
    return response, received


def measure(client, url, headers, expected_status, expected_bytes):
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response, received = stream(client, url, headers)
        timings.append(time.perf_counter() - start)
        assert (response.status_code, received) == (expected_status, expected_bytes)
    tracemalloc.start()
    stream(client, url, headers)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    seconds = statistics.median(timings)
    return {"seconds": seconds, "mib_s": expected_bytes / MIB / seconds, "peak_kib": peak / 1024}


def max_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main():
    with throwaway_database():
        size = MEGABYTES * MIB
        study = write_study(MEGABYTES)
        url = study.get_download_url()
        half = size // 2
        first = size // 4
        cases = [
            ("whole file", {}, 200, size),
            ("middle range", {"range": f"bytes={first}-{first + half - 1}"}, 206, half),
        ]
        client = Client()
        stream(client, url, {"range": "bytes=0-0"})  # imports and connection, outside the figures
        rss_before = max_rss_mib()
        print(
            f"{connection.vendor}, a {MEGABYTES} MiB file, median of {RUNS} runs, DEBUG off, "
            "test client (no network), chunks read and dropped"
        )
        print(f"{'request':<14}{'MiB':>6}{'seconds':>9}{'MiB/s':>8}{'peak KiB':>10}")
        for label, headers, status, length in cases:
            row = measure(client, url, headers, status, length)
            print(
                f"{label:<14}{length / MIB:>6.0f}{row['seconds']:>9.3f}{row['mib_s']:>8.0f}"
                f"{row['peak_kib']:>10.0f}"
            )
        growth = max_rss_mib() - rss_before
        print(f"ru_maxrss: {rss_before:.0f} MiB before the downloads, grew by {growth:.1f} MiB")


if __name__ == "__main__":
    main()
