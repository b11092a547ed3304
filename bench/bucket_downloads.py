"""A large study downloaded from an S3-compatible bucket by several clients at once, under
gunicorn: the extra memory of each worker and the time to the first byte.

Run with `make bench`, or alone: `.venv/bin/python bench/bucket_downloads.py`. It starts moto's
S3 server and gunicorn (2 sync workers) on free local ports (both stopped by their PID), on a
SQLite file of its own, and puts a BENCH_BUCKET_MB object (200 by default) in the bucket with a
streamed multipart upload. Then BENCH_BUCKET_CLIENTS clients (4) at once:

1. download the published study: the portal checks, counts and redirects (302) to a signed
   address, and the client reads the file from the bucket;
2. download it as an editor while it is unpublished: the portal streams it from the bucket
   itself, by ranged GETs (core.storage.ObjectReader), the path that costs the worker memory.

A worker's extra memory is its peak resident size (VmHWM) during the round less its resident
size before it (after a warm-up request). Not a test: it measures, it never fails (it only
checks that every client got the whole file, byte for byte by SHA-256).
"""

import contextlib
import hashlib
import os
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from common import ROOT, free_port, started, wait_for_port, wait_until_answers

MEGABYTES = int(os.environ.get("BENCH_BUCKET_MB", "200"))
CLIENTS = int(os.environ.get("BENCH_BUCKET_CLIENTS", "4"))
MIB = 1024 * 1024
CHUNK = 256 * 1024
BUCKET = "bench-media"


def filler_blocks(megabytes):
    block = bytes(range(256)) * (MIB // 256)
    yield b"%PDF-1.7\n" + block[9:]
    for _ in range(megabytes - 1):
        yield block


class BlockReader:
    """The filler as a file object, for a streamed upload that never holds the whole file."""

    def __init__(self, megabytes):
        self.blocks, self.pending, self.digest = filler_blocks(megabytes), b"", hashlib.sha256()

    def read(self, size=-1):
        while size < 0 or len(self.pending) < size:
            block = next(self.blocks, None)
            if block is None:
                break
            self.digest.update(block)
            self.pending += block
        if size < 0:
            size = len(self.pending)
        data, self.pending = self.pending[:size], self.pending[size:]
        return data


def memory_kib(pid, field):
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", status, re.MULTILINE)[1])


def reset_peak(pid):
    """Linux 4.0+: writing 5 to clear_refs resets VmHWM to the current RSS."""
    with contextlib.suppress(OSError):
        Path(f"/proc/{pid}/clear_refs").write_text("5")


def workers(master_pid):
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    return [int(pid) for pid in children]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url, headers, result):
    """One client: the portal's answer, then (after a redirect) the bucket's, read and dropped."""
    opener = urllib.request.build_opener(NoRedirect)
    start = time.perf_counter()
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - our own servers
    try:
        response = opener.open(request, timeout=600)
    except urllib.error.HTTPError as error:  # the 302 arrives as an "error" without redirects
        if error.code != 302:
            raise
        result["portal_ms"] = (time.perf_counter() - start) * 1000
        location = error.headers["Location"]
        response = urllib.request.urlopen(location, timeout=600)  # noqa: S310
    else:
        result["portal_ms"] = None
    digest, received, first = hashlib.sha256(), 0, None
    with response:
        while chunk := response.read(CHUNK):
            if first is None:
                first = time.perf_counter()
            digest.update(chunk)
            received += len(chunk)
    end = time.perf_counter()
    result.update(
        ttfb_ms=(first - start) * 1000, seconds=end - start, bytes=received, sha=digest.hexdigest()
    )


def round_of(base, path, headers, master_pid, expected_sha):
    pids = workers(master_pid)
    # Warm each worker (imports, connections) outside the figures, then note its memory.
    for _ in range(len(pids) * 2):
        fetch(base + path, {**headers, "Range": "bytes=0-0"}, {})
    before = {pid: memory_kib(pid, "VmRSS") for pid in pids}
    for pid in pids:
        reset_peak(pid)
    results = [{} for _ in range(CLIENTS)]
    threads = [threading.Thread(target=fetch, args=(base + path, headers, r)) for r in results]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    extra = {pid: (memory_kib(pid, "VmHWM") - before[pid]) / 1024 for pid in pids}
    for result in results:
        assert result["sha"] == expected_sha, "a client got other bytes"
    return results, wall, extra


def report(label, results, wall, extra):
    portal = [r["portal_ms"] for r in results if r["portal_ms"] is not None]
    ttfb = [r["ttfb_ms"] for r in results]
    total = sum(r["bytes"] for r in results) / MIB
    print(f"{label}")
    if portal:
        median, most = statistics.median(portal), max(portal)
        print(f"  portal's redirect: median {median:.0f} ms, max {most:.0f} ms")
    print(f"  time to first byte: median {statistics.median(ttfb):.0f} ms, max {max(ttfb):.0f} ms")
    print(f"  {CLIENTS} x {MEGABYTES} MiB in {wall:.1f} s ({total / wall:.0f} MiB/s in all)")
    print("  extra memory per worker: " + ", ".join(f"{mib:.1f} MiB" for mib in extra.values()))


def main():
    folder = Path(tempfile.mkdtemp(prefix="asmpace-bench-bucket-"))
    s3_port = free_port()
    endpoint = f"http://127.0.0.1:{s3_port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "asmpace.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-only-secret-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_STATIC_ROOT": str(folder / "static"),
        "DJANGO_MEDIA_ROOT": str(folder / "media"),
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "MEDIA_STORAGE_URL": f"s3://bench:bench@{BUCKET}?endpoint_url={endpoint}",
    }
    for name in ("REDIS_URL", "CELERY_BROKER_URL"):
        env.pop(name, None)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    moto = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(s3_port)]
    try:
        with started(moto, ready=lambda p: wait_for_port(s3_port, seconds=60)):
            run(env, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(env, folder):
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    call_command("create_bucket", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115

    from django.core.files.storage import default_storage

    from accounts.models import User
    from publications.models import Kind, Publication

    start = time.perf_counter()
    reader = BlockReader(MEGABYTES)
    name = "publications/bench-study.pdf"
    default_storage.client.upload_fileobj(
        reader, default_storage.bucket_name, default_storage.key(name)
    )
    upload = time.perf_counter() - start
    sha = reader.digest.hexdigest()
    study = Publication.objects.create(
        title="A very large study",
        slug="bench-study",
        kind=Kind.GLOBAL_STUDY,
        language="en",
        year=2012,
        is_published=True,
        file=name,
        file_size=MEGABYTES * MIB,
        file_sha256=sha,
    )
    editor = User.objects.create(email="editor@example.org", is_staff=True, is_superuser=True)
    from common import session_cookie

    cookie = session_cookie(editor)
    from django.conf import settings

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [
        sys.executable, "-m", "gunicorn", "asmpace.wsgi:application",
        "--workers", "2", "--bind", f"127.0.0.1:{port}", "--timeout", "600",
        "--worker-tmp-dir", "/dev/shm",  # noqa: S108
    ]  # fmt: skip
    ready = lambda p: wait_until_answers(base + "/healthz", p)  # noqa: E731
    print(
        f"moto S3 server, a {MEGABYTES} MiB study (uploaded in {upload:.1f} s, streamed in "
        f"parts), {CLIENTS} clients at once, gunicorn with 2 sync workers, DEBUG off"
    )
    with started(command, env=env, ready=ready, log=str(folder / "gunicorn.log")) as master:
        path = study.get_download_url()
        browser = {"User-Agent": "Mozilla/5.0 (bench) Firefox/128.0"}
        results, wall, extra = round_of(base, path, browser, master.pid, sha)
        report("published: checked, counted, redirected to the bucket", results, wall, extra)
        Publication.objects.filter(pk=study.pk).update(is_published=False)
        editor_headers = {**browser, "Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"}
        results, wall, extra = round_of(base, path, editor_headers, master.pid, sha)
        report(
            "unpublished, an editor's: streamed by the portal from the bucket", results, wall, extra
        )


if __name__ == "__main__":
    main()
