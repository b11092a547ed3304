"""Editors manage case-study sites in the admin; bad coordinates are refused, clearly."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sites.models import Site, SiteText
from tests.factories import MineralFactory, PublicationFactory, SiteFactory, UserFactory

pytestmark = pytest.mark.django_db

ADD = reverse("admin:casesites_site_add")
CHANGELIST = reverse("admin:casesites_site_changelist")


@pytest.fixture
def editor(client):
    user = UserFactory(groups=["Editors"], is_staff=True)
    client.force_login(user)
    return user


def form_data(**fields):
    return {
        "slug": "sapo",
        "country": "LR",
        "latitude": "5.41",
        "longitude": "-8.42",
        "established": "1983",
        "area_ha": "180400",
        "iucn_category": "II",
        "wdpa_id": "7409",
        "minerals": [str(MineralFactory(slug="gold", name="Gold").pk)],
        "publications": [str(PublicationFactory(slug="liberia-case-study").pk)],
        "order": "0",
        "is_published": "on",
        "texts-TOTAL_FORMS": "2",
        "texts-INITIAL_FORMS": "0",
        "texts-MIN_NUM_FORMS": "1",
        "texts-MAX_NUM_FORMS": "2",
        "texts-0-language": "en",
        "texts-0-name": "Sapo National Park",
        "texts-0-designation": "National park",
        "texts-0-summary": "Gold is mined *in and around* the park.",
        "texts-1-language": "fr",
        "texts-1-name": "Parc national de Sapo",
        **fields,
    }


def test_an_editor_creates_a_site_with_its_texts_minerals_and_studies(client, editor):
    response = client.post(ADD, form_data())

    assert response.status_code == 302, response.context["adminform"].errors
    site = Site.objects.get(slug="sapo")
    assert site.wdpa_id == 7409
    assert site.published_at is not None  # what the weekly alerts call new
    assert str(site.latitude) == "5.41000"
    assert [m.slug for m in site.minerals.all()] == ["gold"]
    assert [p.slug for p in site.publications.all()] == ["liberia-case-study"]
    english = site.texts.get(language="en")
    assert english.summary_html == "<p>Gold is mined <em>in and around</em> the park.</p>"
    assert site.texts.get(language="fr").name == "Parc national de Sapo"
    assert client.get(site.get_absolute_url()).status_code == 200


def test_the_add_form_offers_one_text_per_language(client, editor):
    MineralFactory(slug="gold", name="Gold")

    text = client.get(ADD).text

    assert 'name="texts-TOTAL_FORMS" value="2"' in text
    assert 'type="checkbox" name="minerals"' in text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("latitude", "95", "Latitude must be between -90 and 90 degrees."),
        ("latitude", "-90.5", "Latitude must be between -90 and 90 degrees."),
        ("longitude", "-181", "Longitude must be between -180 and 180 degrees."),
        ("longitude", "180.00001", "Longitude must be between -180 and 180 degrees."),
        ("latitude", "north", "Enter a number."),
        ("iucn_category", "VII", "Use the IUCN categories Ia, Ib, II to VI"),
    ],
)
def test_bad_facts_are_refused_with_a_clear_message_and_nothing_saved(
    client, editor, field, value, message
):
    response = client.post(ADD, form_data(**{field: value}))

    assert response.status_code == 200
    assert message in str(response.context["adminform"].form.errors[field])
    assert not Site.objects.exists()
    assert not SiteText.objects.exists()


def test_a_site_needs_a_text(client, editor):
    data = form_data(**{"texts-TOTAL_FORMS": "0"})

    response = client.post(ADD, data)

    assert response.status_code == 200
    assert "Please submit at least 1 form." in response.text
    assert not Site.objects.exists()


def test_the_database_refuses_coordinates_off_the_earth():
    from django.db import IntegrityError, transaction

    site = SiteFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Site.objects.filter(pk=site.pk).update(latitude=91)


def test_moderators_cannot_edit_sites(client):
    client.force_login(UserFactory(groups=["Moderators"], is_staff=True))

    assert client.get(ADD).status_code == 403
    assert client.post(ADD, form_data()).status_code == 403
    assert not Site.objects.exists()


def test_the_changelist_costs_the_same_queries_however_many_sites(client, editor):
    SiteFactory(fr="Site", minerals=[MineralFactory()])
    client.get(CHANGELIST)
    with CaptureQueriesContext(connection) as few:
        client.get(CHANGELIST)
    for _ in range(15):
        SiteFactory(fr="Site", minerals=[MineralFactory(), MineralFactory()])
    # New sites renew what is kept of the editor (core.memberpages facts): kept again here.
    client.get(CHANGELIST)

    with CaptureQueriesContext(connection) as many:
        response = client.get(CHANGELIST)

    assert response.text.count('class="action-select"') == 16
    assert len(many) == len(few)


def test_publish_and_unpublish_actions(client, editor):
    site = SiteFactory(is_published=False, published_at=None)

    client.post(CHANGELIST, {"action": "publish", "_selected_action": [site.pk]})
    site.refresh_from_db()
    assert site.is_published
    first_published = site.published_at
    assert first_published is not None

    client.post(CHANGELIST, {"action": "unpublish", "_selected_action": [site.pk]})
    site.refresh_from_db()
    assert not site.is_published
    assert site.published_at == first_published
