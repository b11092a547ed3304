from django.conf import settings


def first_rank(code) -> int:
    """Where a country goes in a list that puts the programme's countries first
    (settings.COUNTRIES_FIRST, as django-countries does for its own lists): their places in that
    order, then everyone else's, which is after them all. Sort by (first_rank, name or count)."""
    first = settings.COUNTRIES_FIRST
    code = str(code or "")
    return first.index(code) if code in first else len(first)
