import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asmpace.settings")
django_application = get_wsgi_application()

from core.pagecache import VisitorPageCacheApplication  # noqa: E402 - needs Django set up

# Visitors' cached pages are answered before Django's handler (core/pagecache.py).
application = VisitorPageCacheApplication(django_application)

# What the process loaded to start lives as long as it does: frozen, full collections no longer
# scan it (one took over a second at bench scale, inside a search). A request makes tens of
# thousands of short-lived objects: collecting the youngest every 20,000 allocations rather than
# 700 runs once every few requests instead of once or twice in each (searches: ~20 % less CPU).
YOUNGEST_COLLECTED_EVERY = 20_000  # allocations
gc.freeze()
gc.set_threshold(YOUNGEST_COLLECTED_EVERY, 20, 100)
