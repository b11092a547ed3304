from django.utils import timezone

from .timezones import zone_names


class TimeZoneMiddleware:
    """A signed-in person's time zone is active while their request is answered (their forms,
    their own pages, the admin); a visitor's is UTC. A page made for an audience is made in UTC
    all the same (core.memberpages), and the page's script shows its times in the reader's zone
    (core.templatetags.times, static/js/times.js). Goes after the authentication middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.zone in zone_names():
            timezone.activate(user.zone)
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def reader_zone(request, argument) -> str:
    """The hole on <html data-tz>: the zone a signed-in reader chose or their country's, for the
    page's script; empty for anyone else, whose browser's zone is used."""
    from .timezones import COUNTRY_ZONES

    user = request.user
    if not user.is_authenticated:
        return ""
    zone = user.time_zone or COUNTRY_ZONES.get(user.country.code, "")
    return zone if zone in zone_names() else ""
