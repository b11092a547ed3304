"""Request pages in a separate, production-configured process; print status and headers as JSON.

Usage: python -m tests.project.probe /path/ [/other/ ...]
"""

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asmpace.settings")
django.setup()

from django.test import Client  # noqa: E402

client = Client()
results = {}
for path in sys.argv[1:]:
    response = client.get(path, secure=True, headers={"host": "portal.example.org"})
    results[path] = {
        "status": response.status_code,
        "headers": dict(response.headers),
        "cookies": {
            name: {"secure": bool(morsel["secure"]), "samesite": morsel["samesite"]}
            for name, morsel in response.cookies.items()
        },
        "body": response.content.decode(errors="replace")[:20000],
    }
print(json.dumps(results))
