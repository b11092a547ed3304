"""Each person's time zone: the one they chose, else their country's main zone, else UTC.

Python's zoneinfo names zones but maps no country to them, so the table below is small and
says only what is true: the programme's countries, then countries with a single zone. A country
with several zones and none of the programme's (the United States, Brazil...) is not guessed at:
its people get UTC until they choose. The DR Congo has two zones; its capital's is chosen.
"""

import functools
import zoneinfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DEFAULT_ZONE = "UTC"

COUNTRY_ZONES = {
    # The programme's countries.
    "CD": "Africa/Kinshasa",  # two zones: the capital's (Lubumbashi's is an hour ahead)
    "MG": "Indian/Antananarivo",
    "SL": "Africa/Freetown",
    "LR": "Africa/Monrovia",
    # Countries with a single zone, among those the programme's people often come from.
    "AO": "Africa/Luanda",
    "BE": "Europe/Brussels",
    "BI": "Africa/Bujumbura",
    "CF": "Africa/Bangui",
    "CG": "Africa/Brazzaville",
    "CH": "Europe/Zurich",
    "CI": "Africa/Abidjan",
    "CM": "Africa/Douala",
    "GA": "Africa/Libreville",
    "GB": "Europe/London",
    "GH": "Africa/Accra",
    "GN": "Africa/Conakry",
    "FR": "Europe/Paris",
    "IT": "Europe/Rome",
    "KE": "Africa/Nairobi",
    "MW": "Africa/Blantyre",
    "MZ": "Africa/Maputo",
    "NG": "Africa/Lagos",
    "NL": "Europe/Amsterdam",
    "RW": "Africa/Kigali",
    "SE": "Europe/Stockholm",
    "SN": "Africa/Dakar",
    "TZ": "Africa/Dar_es_Salaam",
    "UG": "Africa/Kampala",
    "ZA": "Africa/Johannesburg",
    "ZM": "Africa/Lusaka",
    "ZW": "Africa/Harare",
}


@functools.cache
def zone_names() -> frozenset:
    """Every zone this Python knows (the system's or the tzdata package's), read once."""
    return frozenset(zoneinfo.available_timezones())


def zone_of_country(code) -> str:
    """A country's main zone, or UTC where the table does not say."""
    return COUNTRY_ZONES.get(str(code or ""), DEFAULT_ZONE)


def validate_zone(value):
    if value and value not in zone_names():
        raise ValidationError(
            _("“%(value)s” is not a time zone: choose one from the list."),
            code="invalid_time_zone",
            params={"value": value},
        )
