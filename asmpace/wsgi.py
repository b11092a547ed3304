import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asmpace.settings")
django_application = get_wsgi_application()

from core.pagecache import VisitorPageCacheApplication  # noqa: E402 - needs Django set up

# Visitors' cached pages are answered before Django's handler (core/pagecache.py).
application = VisitorPageCacheApplication(django_application)
