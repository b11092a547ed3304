"""How many subscriptions one client address may ask for in an hour: each one mails someone, so
a script must not turn the form into a way to fill strangers' inboxes.

Counted in the cache under allauth's rate-limit prefix (core.cache), like api.guard's limit, so
that it still holds per process while Redis is away; if even that fails, the form goes through:
the cache is an accelerator, and the per-address pause of services.PROMPT_INTERVAL still holds.
"""

import hashlib
import logging
import time

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied

from core.cache import RATE_LIMIT_KEYS

logger = logging.getLogger(__name__)

WINDOW = 3600


def subscribe_allowed(request) -> bool:
    """Count one subscription from the request's client address; False past the hour's limit."""
    limit = settings.NEWSLETTER_SUBSCRIBE_LIMIT
    if not limit:
        return True
    try:
        address = get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        address = "unknown"
    started = int(time.time() // WINDOW) * WINDOW
    digest = hashlib.sha256(address.encode()).hexdigest()[:32]
    key = f"{RATE_LIMIT_KEYS}newsletter:{started}:{digest}"
    try:
        cache.add(key, 0, timeout=WINDOW + 1)
        used = cache.incr(key)
    except ValueError:  # the hour ended between the two calls: a new one begins
        return True
    except Exception:
        logger.warning("newsletter: subscriptions per address could not be counted", exc_info=True)
        return True
    return used <= limit
