"""What every benchmark shares: production settings, a throwaway database, timing."""

import contextlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setup_django():
    """Production settings (DEBUG off, hashed static files) on the configured database."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asmpace.settings")
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-" + "x" * 40)
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("DJANGO_STATIC_ROOT", tempfile.mkdtemp(prefix="asmpace-bench-static-"))
    # Always a fresh folder: a benchmark never writes into a real media folder.
    os.environ["DJANGO_MEDIA_ROOT"] = tempfile.mkdtemp(prefix="asmpace-bench-media-")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("collectstatic", "--noinput", verbosity=0)


@contextlib.contextmanager
def throwaway_database():
    """A test database (test_<name>) created for the run and dropped after it.

    BENCH_KEEPDB=1 keeps it, filled, for the next run and for EXPLAIN in psql.
    """
    from django.db import connection

    keep = os.environ.get("BENCH_KEEPDB") == "1"
    original_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=keep)
    try:
        yield connection
    finally:
        if not keep:
            connection.creation.destroy_test_db(original_name, verbosity=0)
            shutil.rmtree(os.environ["DJANGO_MEDIA_ROOT"], ignore_errors=True)


def timings_ms(action, repeat: int, warm_up: int = 5) -> list[float]:
    for _ in range(warm_up):
        action()
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return sorted(timings)


def median(timings):
    return statistics.median(timings)


def p95(timings):
    return sorted(timings)[max(0, int(len(timings) * 0.95) - 1)]
