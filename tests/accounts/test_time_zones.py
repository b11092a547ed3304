"""Each person's time zone: chosen in the profile, else their country's; active for their
requests (accounts.middleware), never written into a page others share (core.memberpages)."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.middleware import TimeZoneMiddleware
from accounts.models import StakeholderGroup
from accounts.timezones import COUNTRY_ZONES, zone_names, zone_of_country
from core.memberpages import HIT
from core.pagecache import HIT_HEADER
from core.templatetags.times import when
from tests.factories import ForumFactory, PostFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db
DATA_TZ = re.compile(r'<script src="/static/js/times\.js" data-tz="([^"]*)" defer>')


def profile_data(**overrides):
    data = {
        "name": "Amani Bisimwa",
        "stakeholder_group": StakeholderGroup.MINER,
        "country": "CD",
        "preferred_language": "en",
        "time_zone": "",
    }
    data.update(overrides)
    return data


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_every_zone_of_the_table_exists_and_the_programmes_countries_have_theirs():
    assert set(COUNTRY_ZONES.values()) <= zone_names()
    assert zone_of_country("CD") == "Africa/Kinshasa"
    assert zone_of_country("MG") == "Indian/Antananarivo"
    assert zone_of_country("SL") == "Africa/Freetown"
    assert zone_of_country("LR") == "Africa/Monrovia"
    # Several zones and none chosen for it: not guessed.
    assert zone_of_country("US") == zone_of_country("") == "UTC"


def test_a_persons_zone_is_theirs_else_their_countrys_else_utc():
    assert UserFactory(country="MG", time_zone="").zone == "Indian/Antananarivo"
    assert UserFactory(country="MG", time_zone="Europe/Paris").zone == "Europe/Paris"
    assert UserFactory(country="BR", time_zone="").zone == "UTC"


def test_the_profile_offers_the_countrys_zone_and_saves_a_chosen_one(client):
    person = UserFactory(country="SL", time_zone="")
    client.force_login(person)

    page = client.get(reverse("accounts:profile_edit")).content.decode()
    assert "My country&#x27;s (Africa/Freetown)" in page
    assert '<option value="Indian/Antananarivo">' in page

    response = client.post(reverse("accounts:profile_edit"), profile_data(time_zone="Africa/Lagos"))

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.time_zone == "Africa/Lagos"


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "utc; drop table", "x" * 70])
def test_a_zone_that_does_not_exist_is_refused_and_nothing_is_saved(client, zone):
    person = UserFactory(name="Unchanged", country="LR", time_zone="Africa/Monrovia")
    client.force_login(person)

    response = client.post(
        reverse("accounts:profile_edit"), profile_data(name="Changed", time_zone=zone)
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["time_zone"]
    if len(zone) < 64:
        assert f"“{zone}” is not a time zone: choose one from the list." in errors["time_zone"]
    person.refresh_from_db()
    assert (person.name, person.time_zone) == ("Unchanged", "Africa/Monrovia")


def active_zone_for(rf, user):
    seen = {}

    def view(request):
        seen["zone"] = timezone.get_current_timezone_name()
        return None

    request = rf.get("/")
    request.user = user
    TimeZoneMiddleware(view)(request)
    return seen["zone"], timezone.get_current_timezone_name()


def test_a_signed_in_persons_zone_is_active_for_their_request_and_only_for_it(rf):
    from django.contrib.auth.models import AnonymousUser

    assert active_zone_for(rf, UserFactory(time_zone="Asia/Kolkata")) == ("Asia/Kolkata", "UTC")
    assert active_zone_for(rf, UserFactory(country="MG")) == ("Indian/Antananarivo", "UTC")
    assert active_zone_for(rf, AnonymousUser()) == ("UTC", "UTC")
    # A zone that has since left the system's database: UTC, not an error.
    assert active_zone_for(rf, UserFactory(time_zone="Gone/Away")) == ("UTC", "UTC")


def test_forms_read_times_in_the_persons_zone(client):
    """Through the whole stack: the middleware runs for real requests."""
    person = UserFactory(time_zone="Asia/Tokyo")
    client.force_login(person)
    response = client.get(reverse("accounts:profile_edit"))
    assert response.status_code == 200
    assert 'data-tz="Asia/Tokyo"' in response.content.decode()


def test_a_shared_thread_page_carries_each_readers_zone_and_times_only_in_utc():
    thread = ThreadFactory(forum=ForumFactory(slug="itombwe"), title="Gold buyers")
    post = PostFactory(thread=thread, body="The buyers come on Mondays.")
    url = thread.get_absolute_url()
    first = UserFactory(stakeholder_group=StakeholderGroup.NGO, time_zone="Asia/Tokyo")
    second = UserFactory(stakeholder_group=StakeholderGroup.NGO, country="SL")
    third = UserFactory(stakeholder_group=StakeholderGroup.NGO, country="BR")

    made = signed_in(first).get(url)
    kept = signed_in(second).get(url)
    other = signed_in(third).get(url)

    assert kept.headers.get(HIT_HEADER) == other.headers.get(HIT_HEADER) == HIT
    assert DATA_TZ.search(made.text)[1] == "Asia/Tokyo"
    assert DATA_TZ.search(kept.text)[1] == "Africa/Freetown"
    assert DATA_TZ.search(other.text)[1] == ""  # the browser's zone
    for page in (made.text, kept.text):
        times = re.findall(r'<time datetime="([^"]+)" data-when title="([^"]+)">', page)
        assert times
        assert all(iso.endswith("Z") and title.endswith(" UTC") for iso, title in times)
    # Tokyo is 9 hours ahead: the first reader's zone was written neither into their page nor
    # into what the others were given.
    exact = when(post.created_at)
    assert exact in made.text
    assert exact in kept.text
    assert exact in other.text


def test_visitors_pages_name_no_zone_and_say_utc(client):
    thread = ThreadFactory(forum=ForumFactory(slug="itombwe"), title="Gold buyers")
    page = client.get(thread.get_absolute_url()).content.decode()

    assert DATA_TZ.search(page)[1] == ""
    assert re.search(r'<time datetime="[^"]+Z" data-when title="[^"]+ UTC">[^<]+ UTC</time>', page)
    assert 'src="/static/js/times.js"' in page


def test_the_zone_is_in_the_persons_data_export(client):
    person = UserFactory(time_zone="Africa/Kinshasa")
    client.force_login(person)
    exported = client.get(reverse("accounts:export")).json()
    assert exported["accounts"]["profile"]["time_zone"] == "Africa/Kinshasa"
