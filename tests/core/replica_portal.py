"""A portal process for tests/core/test_replicas.py, called as gunicorn calls it (the WSGI
application, with Django's signals that hand connections back after each request). Each line
read from standard input is a JSON command; each answer is one line of JSON:

  {"setup": true}  a signed-in member and a thread of theirs (written outside any request, to
                   the primary): their session cookie, the thread's and its reply form's paths
  {"method": "GET", "path": "/en/", "cookies": {...}, "data": {...}}
                   a request: its status, Location, cookies set, body, and how many queries each
                   database answered (DEBUG is on, so each connection keeps its queries)
  {"set": "REPLICA_MAX_LAG_SECONDS", "value": 1}   a setting changed from now on
  a request with "cut": a replica's URL: once the request has its replica connection in hand,
                   the replica ends that connection (pg_terminate_backend), as a replica that
                   stops in the middle of a request

Usage: python -m tests.core.replica_portal   (the environment configures the portal)
"""

import io
import json
import os
import sys
import time
from http.cookies import SimpleCookie
from urllib.parse import urlencode

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asmpace.settings")

import psycopg
from django.conf import settings
from django.db import connections

from asmpace.wsgi import application
from core import replicas

CSRF = "a" * 32  # a well-formed secret that the browser holds in its cookie and sends back


def setup():
    from django.test import Client
    from django.urls import reverse

    from tests.factories import StaffFactory, ThreadFactory

    thread = ThreadFactory(title="Mercury in the river")
    client, staff = Client(), Client()
    client.force_login(thread.author)
    staff.force_login(StaffFactory(is_superuser=True))
    return {
        "session": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "staff_session": staff.cookies[settings.SESSION_COOKIE_NAME].value,
        "thread": thread.get_absolute_url(),
        "thread_id": thread.pk,
        "reply": reverse("forums:reply", args=[thread.forum.slug, thread.pk]),
    }


def cutting(url):
    """replica_for_request, then the replica ends the connection just taken."""
    chosen = replicas.replica_for_request

    def replica_for_request():
        alias = chosen()
        with psycopg.connect(url, autocommit=True) as db:
            db.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
            )
        time.sleep(0.2)
        replicas.replica_for_request = chosen
        return alias

    replicas.replica_for_request = replica_for_request


def request(method="GET", path="/", cookies=None, data=None, cut=None):
    answered = {}
    if cut:
        cutting(cut)

    def start_response(status, headers, exc_info=None):
        answered.update(status=int(status.split()[0]), headers=headers)

    body = urlencode(data or {}).encode()
    cookies = {**(cookies or {}), settings.CSRF_COOKIE_NAME: CSRF}
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "HTTP_COOKIE": "; ".join(f"{name}={value}" for name, value in cookies.items()),
        "HTTP_X_CSRFTOKEN": CSRF,
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
    }
    chunks = application(environ, start_response)
    try:
        text = b"".join(chunks).decode(errors="replace")
    finally:
        if hasattr(chunks, "close"):
            chunks.close()  # as a WSGI server does: Django's request_finished fires here
    set_cookies = SimpleCookie()
    location = None
    for name, value in answered["headers"]:
        if name.lower() == "set-cookie":
            set_cookies.load(value)
        elif name.lower() == "location":
            location = value
    return {
        "status": answered["status"],
        "location": location,
        "cookies": {name: morsel.value for name, morsel in set_cookies.items()},
        "body": text,
        "queries": {alias: len(connections[alias].queries) for alias in settings.DATABASES},
        "primary_sql": [query["sql"][:120] for query in connections["default"].queries],
    }


for line in sys.stdin:
    command = json.loads(line)
    if command.pop("setup", False):
        answer = setup()
    elif "set" in command:
        setattr(settings, command["set"], command["value"])
        answer = {}
    else:
        answer = request(**command)
    print(json.dumps(answer), flush=True)
