"""The soak: the portal under load while Redis and then PostgreSQL fail and come back (issue 14).

`make soak` runs it. Every engine is its own, started on free local ports and stopped by its
PID at the end whatever happens: a PostgreSQL cluster (initdb and pg_ctl in a temporary folder),
a redis-server (the cache and the Celery broker), gunicorn (2 sync workers, DEBUG off), a Celery
worker with beat inside it (`-B --concurrency 2`: beat runs the outbox's relay) and an SMTP sink
(aiosmtpd, in this process) that records every message's Message-ID.

It fills a modest dataset (the programme's content, the example dialogue, SOAK_STAKEHOLDERS
confirmed and verified stakeholders, each subscribed to one of the threads posted in, some to
their forum too), then runs 64 clients for SOAK_SECONDS (60):

- 48 visitors and 8 signed-in stakeholders read public pages (home, forum index, forums,
  thread pages, the library, a study, the sites), a short pause between requests;
- 8 posters, each signed in through the real login form as 3 stakeholders, reply through the
  real reply form (GET the form, POST it with its csrfmiddlewaretoken and a unique marker in the
  body); a post is acknowledged when the answer is the form's redirect to the post. Each account
  posts at most once per FORUM_SECONDS_BETWEEN_POSTS (the portal's own limit); meanwhile its
  poster reads.

Timeline (seconds since the clients started): Redis is killed (SIGKILL) at 10 and a new
redis-server started on the same port at 30; PostgreSQL is stopped (`pg_ctl stop -m fast`) at 38
and started again at 48. The outages are recorded as they happened. A request belongs to the
database outage when it was in flight at any moment between the stop and SOAK_GRACE (2) seconds
after PostgreSQL answered again (the pool reconnects in the background).

Then it waits (up to SOAK_DRAIN_SECONDS, 120) for the outbox to have nothing waiting, and
prints requests by kind, 5xx outside the database outage (must be 0), 5xx during it (must all be
503), posts acknowledged vs rows saved (must match), and notifications due (the outbox's email
entries) vs delivered (distinct Message-IDs at the sink; must match, no duplicates). It exits
with status 1 when a must fails. Logs of gunicorn, the worker and PostgreSQL are kept in the
folder it names.

The relay hands an entry over again when it was handed over OUTBOX_REDELIVER_SECONDS ago and not
done (a broker that restarted empty lost it): the soak sets that to SOAK_REDELIVER_SECONDS (30)
instead of the production default (15 min), so that what the killed Redis lost is delivered
within the drain.
"""

import contextlib
import datetime
import email
import io
import logging
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from common import (
    PostgresCluster,
    RedisServer,
    free_port,
    gunicorn,
    postgres_tool,
    session_cookie,
    started,
)

SECONDS = 60
REDIS_DOWN = (10, 30)
DATABASE_DOWN = (38, 48)
GRACE = float(os.environ.get("SOAK_GRACE", "2"))
DRAIN_SECONDS = int(os.environ.get("SOAK_DRAIN_SECONDS", "120"))
REDELIVER_SECONDS = int(os.environ.get("SOAK_REDELIVER_SECONDS", "30"))
STAKEHOLDERS = int(os.environ.get("SOAK_STAKEHOLDERS", "32"))
VISITORS = 48
MEMBERS = 8
POSTERS = 8
ACCOUNTS_PER_POSTER = 3
TARGET_THREADS = 6
CLIENT_TIMEOUT = 120  # a request waiting in gunicorn's backlog through the outage still counts
PASSWORD = "soak-" + uuid.uuid4().hex
RUN = uuid.uuid4().hex[:10]
MARKER = f"soak-{RUN}-"
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
POST_REDIRECT = re.compile(r"^(https?://[^/]+)?/forums/posts/\d+/$|#post-\d+$")
FORM_ERROR = re.compile(
    r'class="[^"]*(?:alert-danger|invalid-feedback|errorlist)[^"]*"[^>]*>(.{0,400})', re.S
)


# The SMTP sink


class Sink:
    """aiosmtpd on a free port, in this process: every message's Message-ID, in arrival order."""

    def __init__(self):
        self.port = free_port()
        self.lock = threading.Lock()
        self.messages = []  # (Message-ID, recipients)
        self.controller = None

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        with self.lock:
            self.messages.append((message.get("Message-ID", "").strip(), tuple(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def start(self):
        from aiosmtpd.controller import Controller

        # aiosmtpd tells each SMTP command at INFO: not wanted in the soak's output.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()

    def received(self):
        with self.lock:
            return list(self.messages)


# The clients


@dataclass
class Answer:
    kind: str
    path: str
    start: float  # seconds since the clients started
    end: float
    status: int  # 0: no answer (refused, reset, timed out)
    note: str = ""


@dataclass
class Browser:
    """One person's cookies, as a browser keeps them."""

    cookies: dict = field(default_factory=dict)

    def header(self):
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def keep(self, response):
        for line in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(line)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value


class Client(threading.Thread):
    def __init__(self, soak, number):
        super().__init__(daemon=True, name=f"client-{number}")
        self.soak = soak
        self.rng = random.Random(number)
        self.answers = []

    def request(self, browser, method, path, *, kind, form=None):
        """One request with a fresh connection (gunicorn's sync workers close each one); its
        answer recorded whatever it is. Returns (status, location, body)."""
        soak = self.soak
        headers = {"Host": soak.host, "Accept-Encoding": "identity"}
        if browser.cookies:
            headers["Cookie"] = browser.header()
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = soak.clock()
        connection = HTTPConnection(soak.host, timeout=CLIENT_TIMEOUT)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        except OSError as error:  # refused, reset, timed out
            self.answers.append(Answer(kind, path, start, soak.clock(), 0, type(error).__name__))
            return 0, "", b""
        finally:
            connection.close()
        browser.keep(response)
        location = response.getheader("Location", "")
        self.answers.append(Answer(kind, path, start, soak.clock(), response.status, location))
        return response.status, location, content

    def pause(self):
        self.soak.stop.wait(self.rng.uniform(0.1, 0.4))


class Reader(Client):
    def __init__(self, soak, number, session=None):
        super().__init__(soak, number)
        self.browser = Browser()
        self.kind = "visitor read"
        if session:
            self.browser.cookies[soak.session_cookie_name] = session
            self.kind = "member read"

    def run(self):
        while not self.soak.stop.is_set():
            self.request(self.browser, "GET", self.rng.choice(self.soak.pages), kind=self.kind)
            self.pause()


@dataclass
class Account:
    email: str
    browser: Browser = field(default_factory=Browser)
    last_post: float = -1e9


class Poster(Client):
    """Stakeholders replying through the real forms; reading while none of them may post."""

    def __init__(self, soak, number, emails):
        super().__init__(soak, number)
        self.accounts = [Account(address) for address in emails]
        self.acknowledged = {}  # marker -> the answer's Location
        self.refused = []  # (marker, status, what the form said)
        self.signed_in = 0
        self.written = 0

    def sign_in(self):
        """Through allauth's login form, as a person does."""
        for account in self.accounts:
            status, _location, content = self.request(
                account.browser, "GET", "/en/accounts/login/", kind="sign in"
            )
            token = CSRF_FIELD.search(content.decode(errors="replace"))
            if status != 200 or not token:
                continue
            form = {"csrfmiddlewaretoken": token[1], "login": account.email, "password": PASSWORD}
            status, location, _content = self.request(
                account.browser, "POST", "/en/accounts/login/", kind="sign in", form=form
            )
            if status == 302 and "/login/" not in location:
                self.signed_in += 1

    def run(self):
        self.soak.ready.wait()
        wait = self.soak.seconds_between_posts + 0.5
        while not self.soak.stop.is_set():
            account = min(self.accounts, key=lambda a: a.last_post)
            if self.soak.clock() - account.last_post < wait:
                path = self.rng.choice(self.soak.thread_pages)
                self.request(account.browser, "GET", path, kind="member read")
                self.pause()
                continue
            self.reply(account, self.rng.choice(self.soak.reply_forms))
            self.pause()

    def reply(self, account, path):
        status, _location, content = self.request(account.browser, "GET", path, kind="reply form")
        token = CSRF_FIELD.search(content.decode(errors="replace"))
        if status != 200 or not token:
            return
        self.written += 1
        marker = f"{MARKER}{self.name}-{self.written}"
        form = {
            "csrfmiddlewaretoken": token[1],
            "body": f"Soak reply {marker}: gold, mercury and the river.",
            "language": "en",
            "reply_to": "",
        }
        status, location, content = self.request(
            account.browser, "POST", path, kind="reply post", form=form
        )
        # From the answer: the post's time is when the server wrote it, before it answered.
        account.last_post = self.soak.clock()
        if status == 302 and POST_REDIRECT.search(location):
            self.acknowledged[marker] = location
        else:
            said = FORM_ERROR.search(content.decode(errors="replace"))
            said = " ".join(re.sub(r"<[^>]+>", " ", said[1]).split()) if said else ""
            self.refused.append((marker, status, location or said[:120]))


# The run


class Soak:
    def __init__(self, portal, *, pages, thread_pages, reply_forms, seconds_between_posts):
        self.host = portal.removeprefix("http://")
        self.pages, self.thread_pages, self.reply_forms = pages, thread_pages, reply_forms
        self.seconds_between_posts = seconds_between_posts
        self.stop = threading.Event()
        self.ready = threading.Event()
        self.started_at = time.monotonic()
        from django.conf import settings

        self.session_cookie_name = settings.SESSION_COOKIE_NAME

    def clock(self):
        return time.monotonic() - self.started_at


def fill():
    """The programme's content, the example dialogue, confirmed and verified stakeholders
    subscribed to the threads they will reply in. Returns what the clients need."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import AnonymousUser
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import StakeholderGroup, User
    from forums import permissions, services
    from forums.examples import load_examples
    from forums.models import Delivery, Forum, Thread
    from publications.models import Publication

    call_command("migrate", "--noinput", verbosity=0)
    call_command("load_content", verbosity=0, stdout=io.StringIO())
    # What `manage.py load_examples` loads (the command itself refuses DEBUG off).
    load_examples()
    year_ago = timezone.now() - datetime.timedelta(days=365)
    password = make_password(PASSWORD)
    groups = list(StakeholderGroup.values)
    people = User.objects.bulk_create(
        User(
            email=f"soak-{n}@example.org",
            name=f"Soak stakeholder {n}",
            stakeholder_group=groups[n % len(groups)],
            country="CD",
            password=password,
            date_joined=year_ago,
            # Verified: their posts are approved at once, not held for a moderator.
            affiliation_verified_at=year_ago,
        )
        for n in range(STAKEHOLDERS)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=person, email=person.email, verified=True, primary=True)
        for person in people
    )
    people = list(User.objects.filter(email__startswith="soak-").order_by("pk"))
    visitor = AnonymousUser()
    # The threads replied in: new ones in the first three public forums open to everyone,
    # started an hour ago by the last stakeholders (who read, and do not post, in the run).
    open_forums = [
        forum
        for forum in Forum.objects.order_by("pk")
        if permissions.can_view_forum(visitor, forum)
        and permissions.can_start_thread(people[0], forum)
        and not forum.pre_moderated
    ][:3]
    hour_ago = timezone.now() - datetime.timedelta(hours=1)
    targets = [
        services.thread_start(
            author=people[-1 - n],
            forum=open_forums[n % len(open_forums)],
            title=f"Soak thread {n}: the river below the mine",
            body=f"An opening post of the soak's thread {n}, about gold and the river.",
            language="en",
            now=hour_ago,
        )
        for n in range(TARGET_THREADS)
    ]
    threads = [
        thread
        for thread in Thread.objects.select_related("forum").order_by("-pk")
        if permissions.can_view_thread(visitor, thread)
    ]
    for n, person in enumerate(people):
        services.subscription_set(
            user=person, target=targets[n % len(targets)], delivery=Delivery.IMMEDIATE
        )
    # A few follow a whole forum as well: one email each all the same.
    for person in people[:4]:
        services.subscription_set(user=person, target=targets[0].forum, delivery=Delivery.IMMEDIATE)
    study = Publication.objects.published().first()
    forums = [f"/en/forums/{forum.slug}/" for forum in Forum.objects.filter(threads__in=threads)]
    thread_pages = [thread.get_absolute_url() for thread in threads[: TARGET_THREADS + 6]]
    pages = ["/en/", "/en/forums/", "/en/publications/", "/en/sites/", *sorted(set(forums))]
    if study:
        pages.append(study.get_absolute_url())
    pages += thread_pages * 2  # thread pages are read most
    return {
        "pages": pages,
        "thread_pages": [thread.get_absolute_url() for thread in targets],
        "reply_forms": [f"{thread.get_absolute_url()}reply/" for thread in targets],
        "posters": [person.email for person in people[: POSTERS * ACCOUNTS_PER_POSTER]],
        "members": people[POSTERS * ACCOUNTS_PER_POSTER :][:MEMBERS] or people[:MEMBERS],
        "counts": {
            "threads": Thread.objects.count(),
            "forums": Forum.objects.count(),
            "studies": Publication.objects.count(),
            "stakeholders": len(people),
            "targets": len(targets),
        },
    }


# What the run left behind


def outbox_model():
    """(Entry, the email job's name), or None when the portal has no outbox yet."""
    from django.apps import apps

    if not apps.is_installed("outbox"):
        return None
    from outbox.models import Entry

    try:
        from core.tasks import send_email

        job = send_email.job_name
    except (ImportError, AttributeError):
        job = "core.send_email"
    return Entry, job


def waiting(entries):
    if hasattr(entries, "waiting"):
        return entries.waiting()
    return entries.filter(done_at__isnull=True)


def drain(outbox, sink):
    """Wait until the outbox has nothing waiting (every job run, including the notifications
    that record the emails), then until the sink has heard nothing new for 3 s. Returns the
    seconds waited and what still waits."""
    from django.db import DatabaseError

    start = time.monotonic()
    left = None
    while outbox is not None and time.monotonic() - start < DRAIN_SECONDS:
        with contextlib.suppress(DatabaseError):
            left = waiting(outbox[0].objects.all()).count()
        if left == 0:
            break
        time.sleep(2)
    heard, quiet_since = len(sink.received()), time.monotonic()
    while time.monotonic() - quiet_since < (3 if outbox is not None else 10):
        time.sleep(0.5)
        if time.monotonic() - start > DRAIN_SECONDS + 15:
            break
        if len(sink.received()) != heard:
            heard, quiet_since = len(sink.received()), time.monotonic()
    return time.monotonic() - start, left


def expected_notifications(posts):
    """For each post: the people subscribed (immediate) to its thread or its forum, once each,
    never its author. The soak's forums are public and its people confirmed: all may read."""
    from django.db.models import Q

    from forums.models import Delivery, Subscription

    due = 0
    for post in posts:
        covering = Subscription.objects.filter(
            Q(thread_id=post.thread_id) | Q(forum_id=post.thread.forum_id),
            delivery=Delivery.IMMEDIATE,
        ).exclude(user_id=post.author_id)
        due += covering.values("user_id").distinct().count()
    return due


def log_lines(path, limit=8, *, stamped=False):
    """A log's distinct messages above INFO, most frequent first, with their counts: each
    message with the last exception of its traceback, if it has one (numbers as N, the page
    cache's tags as ...). `stamped`: only lines that start with a timestamp are messages (the
    Celery worker's banner is not one)."""
    if not Path(path).exists():
        return []
    counts = Counter()
    message = exception = None
    in_traceback = False

    def count():
        if message is not None:
            text = message + (f" <- {exception}" if exception else "")
            text = re.sub(r"\('[^)]*\)", "(...)", text)
            counts[re.sub(r"\d+", "N", text)[:200]] += 1

    for line in Path(path).read_text(errors="replace").splitlines():
        if not line.strip() or line.startswith(("During handling", "The above exception")):
            continue
        if line.startswith("Traceback (most recent call last)"):
            in_traceback = True
        elif line[0].isspace():
            continue
        elif in_traceback:
            exception, in_traceback = line, False
        elif stamped and not re.match(r"\[|\d{4}-", line):
            continue
        else:
            count()
            exception = None
            # gunicorn's, PostgreSQL's and Celery's own timestamps and PIDs go.
            message = re.sub(r"^(\[[^\]]*\]\s*)+|^\d{4}-\d\d-\d\d [\d:.]+ \w+ \[\d+\] ", "", line)
            if re.search(r"\[INFO\]|: INFO/", line) or re.match(
                r"(LOG|DETAIL|HINT|STATEMENT|CONTEXT):", message
            ):
                message = None
    count()
    return counts.most_common(limit)


def percentile(values, share):
    values = sorted(values)
    return values[max(0, int(len(values) * share) - 1)] if values else float("nan")


def in_window(answer, window):
    start, end = window
    return answer.start <= end and answer.end >= start


def report(*, answers, posters, events, sink, outbox, drained, fill_counts, logs):
    from forums.models import Post

    failures = []

    def must(label, ok, detail=""):
        print(f"  {'PASS' if ok else 'FAIL'}  {label}{': ' + detail if detail else ''}")
        if not ok:
            failures.append(label)

    database = (events["database stopping"], events["database back"] + GRACE)
    redis = (events["redis killed"], events["redis back"])
    print(
        f"\ntimeline (s since the clients started): Redis killed {events['redis killed']:.1f}, "
        f"back {events['redis back']:.1f}; PostgreSQL stopping {events['database stopping']:.1f}, "
        f"stopped {events['database stopped']:.1f}, starting {events['database starting']:.1f}, "
        f"back {events['database back']:.1f}; clients stopped {events['clients stopped']:.1f}"
    )
    print(
        f"database outage window: {database[0]:.1f}-{database[1]:.1f} s (from the stop to "
        f"{GRACE:g} s after PostgreSQL answered again; a request in flight at any moment of it "
        "counts as during)"
    )

    print(f"\nrequests: {len(answers):,}")
    by_kind = defaultdict(list)
    for answer in answers:
        by_kind[answer.kind].append(answer)
    for kind, group in sorted(by_kind.items()):
        statuses = Counter(answer.status for answer in group)
        shown = ", ".join(
            f"{status or 'no answer'}: {n:,}" for status, n in sorted(statuses.items())
        )
        print(f"  {kind:<14}{len(group):>7,}   {shown}")
    print("  latency (ms)         requests    p50     p99")
    phases = {
        "before/after outages": lambda a: not in_window(a, redis) and not in_window(a, database),
        "Redis down": lambda a: in_window(a, redis),
        "database outage": lambda a: in_window(a, database),
    }
    for label, test in phases.items():
        timings = [(a.end - a.start) * 1000 for a in answers if test(a)]
        if timings:
            print(
                f"  {label:<21}{len(timings):>8,}{statistics.median(timings):>8.0f}"
                f"{percentile(timings, 0.99):>8.0f}"
            )

    bad = [a for a in answers if a.status >= 500 or a.status == 0]
    outside = [a for a in bad if not in_window(a, database)]
    during = [a for a in bad if in_window(a, database)]
    back = events["database back"]
    after = [a for a in during if a.end > back]
    late = [a for a in during if a.start > back]  # sent when PostgreSQL answered again
    print("\nmusts:")
    must(
        "5xx (or no answer) outside the database outage",
        not outside,
        f"{len(outside)}"
        + "".join(
            f"\n        {a.start:6.1f}-{a.end:.1f} s {a.status or 'no answer'} {a.kind} "
            f"{a.path} {a.note}"
            for a in outside[:12]
        ),
    )
    statuses = Counter(a.status or "no answer" for a in during)
    detail = ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items(), key=str)) or "none"
    if after:
        last = max(a.end for a in after) - back
        detail += f"; {len(after)} answered after PostgreSQL was back, the last {last:.1f} s after"
    if late:
        last = max(a.start for a in late) - back
        detail += f"; {len(late)} of them sent after it was back (the last {last:.1f} s after)"
    must(
        "5xx during the database outage are all 503",
        set(statuses) <= {503},
        f"{len(during)} ({detail})",
    )

    acknowledged = {m: loc for poster in posters for m, loc in poster.acknowledged.items()}
    saved = {
        re.search(rf"{MARKER}\S+?(?=:)", body)[0]: status
        for body, status in Post.objects.filter(body__contains=MARKER).values_list("body", "status")
    }
    refused = [r for poster in posters for r in poster.refused]
    must(
        "posts acknowledged = rows saved",
        set(acknowledged) == set(saved),
        f"{len(acknowledged)} acknowledged, {len(saved)} saved "
        f"({', '.join(f'{s}: {n}' for s, n in Counter(saved.values()).items())})",
    )
    for marker in sorted(set(saved) - set(acknowledged)):
        why = next(((s, w) for m, s, w in refused if m == marker), None)
        print(f"        saved, not acknowledged: {marker} (answer: {why})")
    for marker in sorted(set(acknowledged) - set(saved)):
        print(f"        acknowledged, not saved: {marker} -> {acknowledged[marker]}")
    reasons = Counter((status, why[:90]) for _m, status, why in refused)
    if reasons:
        print("        replies not acknowledged (status, what the page said):")
        for (status, why), n in reasons.most_common(8):
            print(f"          {n:>4} x {status or 'no answer'} {why}")
    signed_in = sum(p.signed_in for p in posters)
    accounts = sum(len(p.accounts) for p in posters)
    print(f"        posters signed in through the login form: {signed_in} of {accounts}")

    received = sink.received()
    ids = [message_id for message_id, _to in received]
    distinct = set(ids)
    posts = list(Post.objects.filter(body__contains=MARKER).select_related("thread"))
    expected = expected_notifications(posts)
    waited, left = drained
    print(
        f"\nnotifications: {len(received):,} messages at the sink, {len(distinct):,} distinct "
        f"Message-IDs; {expected:,} due by the subscriptions of the saved posts; "
        f"drained in {waited:.0f} s"
    )
    if outbox is None:
        print("  ----  notifications due vs delivered: outbox not present (no outbox app yet)")
    else:
        Entry, job = outbox
        emails = Entry.objects.filter(job=job)
        keys = {str(key) for key in emails.values_list("key", flat=True)}
        delivered = {i for i in distinct if i.strip("<>").partition("@")[0] in keys}
        unknown = distinct - delivered
        jobs = Counter(Entry.objects.values_list("job", flat=True))
        print(
            f"  outbox: {sum(jobs.values()):,} entries "
            f"({', '.join(f'{j}: {n:,}' for j, n in sorted(jobs.items()))}); "
            f"{left if left is not None else '?'} waiting after the drain; "
            f"{Entry.objects.filter(attempts__gt=1).count()} run more than once"
        )
        for error, n in Counter(
            Entry.objects.exclude(last_error="").values_list("last_error", flat=True)
        ).most_common(5):
            print(f"        last error of {n}: {error[:140]}")
        must(
            "notifications delivered = due",
            len(delivered) == len(keys) and not unknown,
            f"{len(keys):,} due (outbox email entries), {len(delivered):,} delivered"
            + (f", {len(unknown)} Message-IDs the outbox does not know" if unknown else ""),
        )
        must(
            "notifications due = what the subscriptions call for",
            len(keys) == expected,
            f"{len(keys):,} outbox email entries, {expected:,} by the subscriptions",
        )
    duplicates = len(ids) - len(distinct)
    must("no notification delivered twice", duplicates == 0, f"{duplicates} duplicates")
    for message_id, n in Counter(ids).most_common(5):
        if n > 1:
            print(f"        {n} x {message_id}")
            entry = outbox and outbox[0].objects.filter(key=message_id.strip("<>").split("@")[0])
            for e in entry.values() if entry else []:
                print(
                    f"          outbox entry #{e['id']} {e['job']}: recorded {e['created_at']:%T}, "
                    f"done {e['done_at'] and format(e['done_at'], '%T')}, "
                    f"{e['attempts']} attempts, last error {e.get('last_error')!r}"
                )

    print(f"\nlogs in {logs}:")
    for name in ("gunicorn.log", "celery.log", "postgresql.log"):
        lines = log_lines(logs / name, stamped=name != "gunicorn.log")
        print(f"  {name}: {'nothing above INFO' if not lines else ''}")
        for text, n in lines:
            print(f"    {n:>5} x {text}")
    print(f"\nsoak {'FAILED: ' + '; '.join(failures) if failures else 'PASSED'}")
    return not failures


def worker_ready(log):
    def ready(process):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"the Celery worker stopped with {process.returncode}")
            if "ready" in Path(log).read_text(errors="replace"):
                return
            time.sleep(0.3)

    return ready


def main():
    for tool in ("redis-server", "initdb", "pg_ctl"):
        if not (shutil.which(tool) or postgres_tool(tool)):
            sys.exit(f"bench/soak.py needs {tool}")
    logs = Path(tempfile.mkdtemp(prefix="asmpace-soak-"))
    with contextlib.ExitStack() as stack:
        cluster = PostgresCluster()
        stack.callback(cluster.destroy)
        cluster.log = str(logs / "postgresql.log")
        if os.geteuid() == 0:
            shutil.chown(logs, "postgres", "postgres")
            logs.chmod(0o777)
        cluster.init()
        cluster.start()
        sink = Sink()
        sink.start()
        stack.callback(sink.stop)
        redis = RedisServer()
        stack.callback(redis.stop)
        redis.start()
        os.environ.update(
            {
                "DATABASE_URL": cluster.url,
                "REDIS_URL": redis.url,
                "EMAIL_URL": sink.url,
                "DJANGO_ALLOWED_HOSTS": "127.0.0.1,testserver",
                "DJANGO_SECURE_SSL_REDIRECT": "0",
                "OUTBOX_REDELIVER_SECONDS": str(REDELIVER_SECONDS),
            }
        )
        os.environ.pop("CELERY_BROKER_URL", None)  # the fill runs its tasks inline
        from common import setup_django

        start = time.monotonic()
        setup_django()
        from django.conf import settings
        from django.db import connection, connections

        filled = fill()
        members = [session_cookie(person) for person in filled.pop("members")]
        outbox = outbox_model()
        counts = filled["counts"]
        print(
            f"soak {RUN}: {counts['forums']} forums, {counts['threads']} threads, "
            f"{counts['studies']} studies, {counts['stakeholders']} stakeholders subscribed to "
            f"the {counts['targets']} threads replied in; ready in {time.monotonic() - start:.0f} s"
        )
        # This process holds no connection through the outage; its pool starts anew after it.
        connections.close_all()
        if hasattr(connection, "close_pool"):
            connection.close_pool()
        env = {**os.environ, "CELERY_BROKER_URL": redis.url}
        portal = stack.enter_context(
            gunicorn("asmpace.wsgi:application", env=env, log=logs / "gunicorn.log")
        )
        celery = Path(sys.executable).parent / "celery"
        worker = [str(celery), "-A", "asmpace", "worker", "-B", "--concurrency", "2"]
        worker += ["-l", "warning", "-s", str(logs / "beat-schedule"), "-n", f"soak-{RUN}@%h"]
        log = logs / "celery.log"
        stack.enter_context(started(worker, env=env, ready=worker_ready(log), log=log))
        print(
            f"64 clients for {SECONDS} s: {VISITORS} visitors and {MEMBERS} signed-in "
            f"stakeholders reading, {POSTERS} posters replying as {ACCOUNTS_PER_POSTER} "
            f"stakeholders each; gunicorn 2 sync workers, a Celery worker -B --concurrency 2; "
            f"OUTBOX_REDELIVER_SECONDS={REDELIVER_SECONDS}"
        )
        soak = Soak(
            portal,
            pages=filled["pages"],
            thread_pages=filled["thread_pages"],
            reply_forms=filled["reply_forms"],
            seconds_between_posts=settings.FORUM_SECONDS_BETWEEN_POSTS,
        )
        emails = filled["posters"]
        posters = [
            Poster(soak, 100 + n, emails[n * ACCOUNTS_PER_POSTER : (n + 1) * ACCOUNTS_PER_POSTER])
            for n in range(POSTERS)
        ]
        # Signing in first (allauth's form, a password hash each), then the clock starts.
        signing_in = [threading.Thread(target=poster.sign_in) for poster in posters]
        for thread in signing_in:
            thread.start()
        for thread in signing_in:
            thread.join()
        sign_ins = [a for poster in posters for a in poster.answers]
        for poster in posters:
            poster.answers = []
        readers = [Reader(soak, n) for n in range(VISITORS)]
        readers += [Reader(soak, VISITORS + n, members[n % len(members)]) for n in range(MEMBERS)]
        soak.started_at = time.monotonic()
        clients = [*readers, *posters]
        for client in clients:
            client.start()
        soak.ready.set()
        events = {}

        def at(second):
            soak.stop.wait(max(0, second - soak.clock()))

        try:
            at(REDIS_DOWN[0])
            events["redis killed"] = soak.clock()
            redis.kill()
            at(REDIS_DOWN[1])
            redis.start()
            events["redis back"] = soak.clock()
            at(DATABASE_DOWN[0])
            events["database stopping"] = soak.clock()
            cluster.stop()
            events["database stopped"] = soak.clock()
            at(DATABASE_DOWN[1])
            events["database starting"] = soak.clock()
            cluster.start()
            events["database back"] = soak.clock()
            at(SECONDS)
        finally:
            soak.stop.set()
            events["clients stopped"] = soak.clock()
            for client in clients:
                client.join(timeout=CLIENT_TIMEOUT + 10)
        answers = sorted((a for c in clients for a in c.answers), key=lambda a: a.start)
        sign_in_errors = [a for a in sign_ins if a.status >= 500 or a.status == 0]
        print(
            f"signing in before the clock started: {len(sign_ins)} requests, "
            f"{len(sign_in_errors)} errors"
        )
        drained = drain(outbox, sink)
        passed = report(
            answers=answers + sign_ins,
            posters=posters,
            events=events,
            sink=sink,
            outbox=outbox,
            drained=drained,
            fill_counts=counts,
            logs=logs,
        )
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
