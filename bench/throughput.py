"""Throughput of the portal's pages as a share of a bare Django view's, in one run, on one machine.

`make bench` runs it on PostgreSQL (the local server unless DATABASE_URL names another); it needs
Debian's `wrk` and `redis-server`. It fills a throwaway database at scale: BENCH_POSTS posts in
BENCH_THREADS threads by BENCH_FORUM_PEOPLE people, one thread of 50 posts, BENCH_PUBLICATIONS
studies with BENCH_TEXT_KB of text each, and the programme's pages, studies and four sites. Then
it serves that database with gunicorn (2 workers, DEBUG off, a private redis-server as the cache)
beside bench/bare.py (a bare Django view of 42 KB, same gunicorn settings), and:

1. runs wrk (2 threads, 8 connections, BENCH_SECONDS a run) against each page and against the
   bare view in BENCH_ROUNDS interleaved rounds, for a visitor and for a signed-in stakeholder,
   asking for gzip as browsers do: req/s, p50, p99, bytes on the wire, and the ratio of the page's
   req/s to the bare view's (medians of the rounds);
2. times each search (dialogue, library, site-wide; a rare word, a common word, two words, a
   phrase) one request at a time: p50 and p95 of BENCH_SEARCHES requests;
3. runs 64 clients for BENCH_MIXED_SECONDS: 60 visitors reading (wrk) while 4 stakeholders post
   replies, and reports the readers' p50 and p99, the posts written, and every error;
4. times BENCH_WRITES replies in a forum of 10 threads and in one of 10,000.

Absolute figures vary between machines: the ratios are what to compare. BENCH_KEEPDB=1 keeps the
filled database for the next run (the first fill takes a few minutes); BENCH_PARTS=pages,searches
or =mixed,writes runs only those parts.
"""

import datetime
import os
import random
import re
import statistics
import string
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlencode

from common import (
    ROOT,
    database_url,
    gunicorn,
    redis_server,
    session_cookie,
    settle,
    setup_django,
    throwaway_database,
)

setup_django()

import dialogue  # noqa: E402 - fills the dialogue at scale
import library  # noqa: E402 - fills the library at scale
from allauth.account.models import EmailAddress  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db.models import F  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.crypto import get_random_string  # noqa: E402

from accounts.models import StakeholderGroup, User  # noqa: E402
from forums import services  # noqa: E402
from forums.models import Forum, Post, PostStatus, Thread  # noqa: E402
from forums.search import index_posts  # noqa: E402
from publications.models import Publication  # noqa: E402
from publications.search import index_publications  # noqa: E402

SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SEARCH_REQUESTS = int(os.environ.get("BENCH_SEARCHES", "20"))
MIXED_SECONDS = int(os.environ.get("BENCH_MIXED_SECONDS", "60"))
PARTS = os.environ.get("BENCH_PARTS", "pages,searches,mixed,writes").split(",")
WRITES = int(os.environ.get("BENCH_WRITES", "40"))
POSTERS = 4
READERS = 60
RARE = "ankarafantsika"  # in three posts and no study
SEARCHES = {
    # Each query is expanded with the thesaurus: the last ones of each kind through it (French
    # "or" is gold; "aire protegee" is "protected area(s)"; a concept of eight labels).
    "dialogue": (
        "/en/forums/search/",
        [RARE, "mercury", "mercury river", '"buffer zone"', "mercure", "or alluvial"],
    ),
    "library": (
        "/en/publications/",
        [
            "Hollestelle",
            "mining",
            "gold mining",
            '"buffer zone"',
            "mercure",
            "aire protegee",
            "exploitation minière artisanale",
        ],
    ),
    "site-wide": (
        "/en/search/",
        [RARE, "gold", "mercury river", '"buffer zone"', "mercure", "or alluvial"],
    ),
}


@dataclass
class Run:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


UNITS = {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}


def duration_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS[unit]


def wrk(url, *, seconds, connections=8, threads=2, headers=(), script=None) -> Run:
    # A request that takes over 10 s counts as an error (wrk's own default is 2 s).
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    command.append("--latency")
    for header in headers:
        command += ["-H", header]
    if script:
        command += ["-s", script]
    output = subprocess.run(  # noqa: S603
        [*command, url], capture_output=True, text=True, check=True
    ).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.M))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    errors += int(next(iter(re.findall(r"Non-2xx or 3xx responses: (\d+)", output)), 0))
    return Run(
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]),
        # No latency at all when not one request came back in time.
        p50_ms=duration_ms(latency["50"]) if latency else float("nan"),
        p99_ms=duration_ms(latency["99"]) if latency else float("nan"),
        errors=errors,
    )


def wire_bytes(url, headers) -> int:
    request = urllib.request.Request(url, headers=dict(h.split(": ", 1) for h in headers))  # noqa: S310
    with urllib.request.urlopen(request) as response:  # noqa: S310 - our own local server
        assert response.status == 200, (url, response.status)
        return len(response.read())


def fill(rng):
    """The programme's content, the dialogue and the library at scale; people to sign in as."""
    long_thread = dialogue.fill(rng)
    library.fill(rng)
    # After the library's fill, whose invented authors include one of the catalogue's.
    call_command("load_content", verbosity=0)
    index_publications(Publication.objects.all())
    rare = list(Post.objects.order_by("?")[:3])
    for post in rare:
        post.body = f"{post.body} {RARE}"
        post.save()
    index_posts(Post.objects.values_list("pk", flat=True))
    year_ago = timezone.now() - datetime.timedelta(days=365)
    people = User.objects.bulk_create(
        User(
            email=f"bench-http-{n}@example.org",
            name=f"Signed-in stakeholder {n}",
            stakeholder_group=StakeholderGroup.MINER,
            country="CD",
            password=make_password(None),
            date_joined=year_ago,
            affiliation_verified_at=year_ago,
        )
        for n in range(1 + POSTERS * 10)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=person, email=person.email, verified=True, primary=True)
        for person in people
    )
    return long_thread


def pages(long_thread):
    last = (long_thread.posts.count() - 1) // settings.FORUM_POSTS_PER_PAGE + 1
    study = Publication.objects.published().filter(sites__isnull=False).first()
    return [
        ("home", "/en/"),
        ("forum index", "/en/forums/"),
        ("a forum", f"/en/forums/{long_thread.forum.slug}/"),
        ("thread, first page", long_thread.get_absolute_url()),
        ("thread, last page", f"{long_thread.get_absolute_url()}?page={last}"),
        (f"library, {Publication.objects.published().count():,} studies", "/en/publications/"),
        ("a study", study.get_absolute_url()),
        ("a site", "/en/sites/itombwe/"),
        ("the map", "/en/sites/"),
    ]


def throughput(portal, bare, pages, *, headers, who):
    print(f"\n{who}: req/s as a share of the bare view's, medians of {ROUNDS} rounds")
    print(f"{'page':<26}{'req/s':>8}{'bare':>8}{'ratio':>8}{'p50 ms':>8}{'p99 ms':>8}{'bytes':>8}")
    for label, path in pages:
        page_runs, bare_runs = [], []
        for _ in range(ROUNDS):
            bare_runs.append(wrk(bare + "/", seconds=SECONDS))
            page_runs.append(wrk(portal + path, seconds=SECONDS, headers=headers))
        rate = statistics.median(run.requests_per_second for run in page_runs)
        bare_rate = statistics.median(run.requests_per_second for run in bare_runs)
        errors = sum(run.errors for run in page_runs)
        print(
            f"{label:<26}{rate:>8.0f}{bare_rate:>8.0f}{rate / bare_rate:>8.1%}"
            f"{statistics.median(run.p50_ms for run in page_runs):>8.1f}"
            f"{statistics.median(run.p99_ms for run in page_runs):>8.1f}"
            f"{wire_bytes(portal + path, headers):>8}" + (f"  {errors} errors" if errors else "")
        )


# Each gunicorn worker reads the library's catalogue (publications/catalogue.py) at its first
# search: the warm-up reaches both workers, so the figures are of searches in steady state.
WARM_UP = 6


def searches(portal, bare):
    """Each search one request at a time; first the bare view the same way, whose time says how
    fast the machine is in this run (on this shared machine, it varied by half within an hour)."""
    print(f"\nsearches, one client, {SEARCH_REQUESTS} requests each (ms, whole response)")
    print(f"{'search':<40}{'p50':>8}{'p95':>8}")
    timed_one_by_one(bare, "/", "the bare view (42 KB)")
    for kind, (path, queries) in SEARCHES.items():
        for query in queries:
            url = f"{path}?{urlencode({'q': query})}"
            timed_one_by_one(portal, url, f"{kind} {query!r}")


def timed_one_by_one(server, url, label):
    host = server.removeprefix("http://")
    connection = HTTPConnection(host, timeout=30)
    timings = []
    for attempt in range(SEARCH_REQUESTS + WARM_UP):
        start = time.perf_counter()
        connection.request("GET", url, headers={"Host": host})
        response = connection.getresponse()
        response.read()
        assert response.status == 200, (url, response.status)
        if attempt >= WARM_UP:
            timings.append((time.perf_counter() - start) * 1000)
    connection.close()
    timings.sort()
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    print(f"{label:<40}{statistics.median(timings):>8.1f}{p95:>8.1f}")


class Poster(threading.Thread):
    """Stakeholders replying in threads, each account once per FORUM_SECONDS_BETWEEN_POSTS."""

    def __init__(self, portal, people, threads, stop):
        super().__init__(daemon=True)
        self.host = portal.removeprefix("http://")
        self.accounts = [(session_cookie(person), 0.0) for person in people]
        self.threads, self.stop = threads, stop
        self.written, self.errors, self.timings = 0, [], []
        self.csrf = get_random_string(32, string.ascii_letters + string.digits)

    def run(self):
        connection = HTTPConnection(self.host, timeout=30)
        wait = settings.FORUM_SECONDS_BETWEEN_POSTS + 1
        number = 0
        while not self.stop.is_set():
            index = min(range(len(self.accounts)), key=lambda i: self.accounts[i][1])
            session, last = self.accounts[index]
            pause = last + wait - time.monotonic()
            if pause > 0:
                self.stop.wait(pause)
                continue
            thread = random.choice(self.threads)
            number += 1
            body = urlencode(
                {
                    "csrfmiddlewaretoken": self.csrf,
                    "body": f"Bench reply {number} from {self.name} about gold and the river.",
                    "language": "en",
                }
            )
            headers = {
                "Host": self.host,
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}; "
                f"{settings.CSRF_COOKIE_NAME}={self.csrf}",
            }
            start = time.perf_counter()
            connection.request("POST", f"{thread}reply/", body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            self.timings.append((time.perf_counter() - start) * 1000)
            self.accounts[index] = (session, time.monotonic())
            if response.status == 302:
                self.written += 1
            else:
                self.errors.append(response.status)


def mixed(portal, pages, people):
    print(
        f"\n{READERS + POSTERS} clients for {MIXED_SECONDS} s: {READERS} visitors reading the "
        f"pages above, {POSTERS} stakeholders replying"
    )
    script = Path(tempfile.mkdtemp(prefix="asmpace-bench-")) / "readers.lua"
    paths = ", ".join(f'"{path}"' for _label, path in pages)
    script.write_text(
        f"local paths = {{{paths}}}\nlocal i = 0\n"
        "request = function()\n  i = i % #paths + 1\n"
        '  return wrk.format("GET", paths[i], {["Accept-Encoding"] = "gzip"})\nend\n'
    )
    stop = threading.Event()
    threads = [t.get_absolute_url() for t in Thread.objects.order_by("?")[:200]]
    posters = [Poster(portal, people[n * 10 : (n + 1) * 10], threads, stop) for n in range(POSTERS)]
    for poster in posters:
        poster.start()
    try:
        readers = wrk(
            portal + "/",
            seconds=MIXED_SECONDS,
            connections=READERS,
            script=str(script),
        )
    finally:
        stop.set()
        for poster in posters:
            poster.join(timeout=60)
    timings = sorted(t for poster in posters for t in poster.timings)
    errors = [status for poster in posters for status in poster.errors]
    print(
        f"readers: {readers.requests_per_second:.0f} req/s, p50 {readers.p50_ms:.0f} ms, "
        f"p99 {readers.p99_ms:.0f} ms, {readers.errors} errors"
    )
    if timings:
        p99 = timings[max(0, int(len(timings) * 0.99) - 1)]
        print(
            f"posters: {sum(p.written for p in posters)} replies written, "
            f"p50 {statistics.median(timings):.0f} ms, p99 {p99:.0f} ms, "
            f"{len(errors)} errors {sorted(set(errors)) if errors else ''}"
        )


def forum_of(size, people):
    """A forum of `size` threads of one post each (kept with BENCH_KEEPDB)."""
    forum, created = Forum.objects.get_or_create(
        slug=f"bench-writes-{size}", defaults={"name": f"{size:,} threads", "order": 100}
    )
    if created:
        threads = Thread.objects.bulk_create(
            Thread(forum=forum, title=f"Thread {n}", author=people[n % len(people)])
            for n in range(size)
        )
        Post.objects.bulk_create(
            Post(
                thread=thread,
                author=thread.author,
                body="An opening post.",
                body_html="<p>An opening post.</p>",
                text="An opening post.",
                status=PostStatus.APPROVED,
            )
            for thread in threads
        )
        for thread in threads[:20]:
            services.refresh_counts(thread=thread)
        Thread.objects.filter(forum=forum, last_post__isnull=True).update(
            is_visible=True, last_post_at=F("created_at")
        )
        services.forum_refresh(forum=forum)
    return forum


def writes(people):
    """A reply's server time (services.post_reply, in this process, notifications inline) in a
    forum of 10 threads and in one of 10,000: the forum's counts move by increments."""
    print(f"\nwriting a reply, {WRITES} each (ms, in-process)")
    settings.FORUM_SECONDS_BETWEEN_POSTS = 0
    forums = {size: forum_of(size, people) for size in (10, 10_000)}
    # Fresh objects: a person remembers the forums they may see (forums.permissions).
    people = list(User.objects.filter(pk__in=[person.pk for person in people]))
    for size, forum in forums.items():
        threads = list(forum.threads.order_by("pk")[:10])
        timings = []
        for n in range(WRITES):
            start = time.perf_counter()
            services.post_reply(
                author=people[n % len(people)],
                thread=threads[n % len(threads)],
                body=f"Bench reply {n} in a forum of {size}, at {time.time()}.",
                language="en",
            )
            timings.append((time.perf_counter() - start) * 1000)
        timings.sort()
        p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
        median = statistics.median(timings)
        print(f"forum of {size:>6,} threads          p50 {median:6.1f}  p95 {p95:6.1f}")


def main():
    for tool in ("wrk", "redis-server"):
        if subprocess.run(["which", tool], capture_output=True).returncode:  # noqa: S603, S607
            sys.exit(f"bench/throughput.py needs {tool}: apt-get install -y {tool}")
    rng = random.Random(2012)
    with throwaway_database() as connection:
        if connection.vendor != "postgresql":
            sys.exit("bench/throughput.py measures PostgreSQL: set DATABASE_URL")
        start = time.perf_counter()
        # BENCH_KEEPDB=1 keeps what this benchmark filled (and only that) for the next run.
        kept = User.objects.filter(email__startswith="bench-http-").exists()
        long_thread = Thread.objects.order_by("pk").first() if kept else fill(rng)
        settle(connection)
        people = list(User.objects.filter(email__startswith="bench-http-").order_by("pk"))
        stakeholder, posters = people[0], people[1:]
        print(
            f"{Post.objects.count():,} posts in {Thread.objects.count():,} threads, "
            f"{Publication.objects.count():,} studies; ready in {time.perf_counter() - start:.0f} s"
        )
        cookie = f"Cookie: {settings.SESSION_COOKIE_NAME}={session_cookie(stakeholder)}"
        gzip = "Accept-Encoding: gzip"
        with redis_server() as redis_url:
            env = {
                **os.environ,
                "DATABASE_URL": database_url(connection.settings_dict),
                "REDIS_URL": redis_url,
                "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
                "DJANGO_SECURE_SSL_REDIRECT": "0",
            }
            bare_env = {**os.environ, "PYTHONPATH": str(ROOT / "bench")}
            with (
                gunicorn("asmpace.wsgi:application", env=env) as portal,
                gunicorn("bare:application", env=bare_env, cwd=ROOT / "bench") as bare,
            ):
                print(f"gunicorn: 2 sync workers each; wrk -t2 -c8 -d{SECONDS}s")
                listed = pages(long_thread)
                if "pages" in PARTS:
                    throughput(portal, bare, listed, headers=[gzip], who="visitor")
                    signed_in = [gzip, cookie]
                    throughput(portal, bare, listed, headers=signed_in, who="signed-in stakeholder")
                if "searches" in PARTS:
                    searches(portal, bare)
                if "mixed" in PARTS:
                    mixed(portal, listed, posters)
        if "writes" in PARTS:
            writes(posters)


if __name__ == "__main__":
    main()
