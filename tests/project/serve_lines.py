"""A portal process that stays up between requests, called as gunicorn calls it (the WSGI
application, with Django's signals that hand connections back after each request): each line
read from standard input is a path to request; each answer is printed as one line of JSON.

Usage: python -m tests.project.serve_lines   (the environment configures the portal)
"""

import io
import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asmpace.settings")

from asmpace.wsgi import application


def get(path):
    answered = {}

    def start_response(status, headers, exc_info=None):
        answered.update(status=int(status.split()[0]), headers=dict(headers))

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "portal.example.org",
        "SERVER_PORT": "443",
        "HTTP_HOST": "portal.example.org",
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
    }
    chunks = application(environ, start_response)
    try:
        body = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()  # as a WSGI server does: Django's request_finished fires here
    return {
        "status": answered["status"],
        "retry_after": answered["headers"].get("Retry-After"),
        "body": body.decode(errors="replace")[:3000],
    }


for line in sys.stdin:
    print(json.dumps(get(line.strip())), flush=True)
