"""How many subscriptions one client address may ask for in an hour: each one mails someone, so
a script must not turn the form into a way to fill strangers' inboxes.

Counted in the cache under allauth's rate-limit prefix (core.cache), like api.guard's limit, so
that it still holds per process while Redis is away; if even that fails, the form goes through:
the cache is an accelerator, and the per-address pause of services.PROMPT_INTERVAL still holds.
"""

from django.conf import settings

from core.cache import count_from_client

WINDOW = 3600


def subscribe_allowed(request) -> bool:
    """Count one subscription from the request's client address; False past the hour's limit."""
    limit = settings.NEWSLETTER_SUBSCRIBE_LIMIT
    if not limit:
        return True
    counted = count_from_client(request, "newsletter", WINDOW)
    return counted is None or counted[0] <= limit
