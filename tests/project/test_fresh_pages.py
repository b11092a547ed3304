"""Visitors' cached pages of the library, the sites and the programme show each change at once:
the change made as editors make it (a service, the admin's action, a save), then the next
visitor's page."""

import pytest
from django.contrib.admin.sites import site as admin_site
from django.test import Client, RequestFactory
from django.urls import reverse

from core.pagecache import HIT_HEADER
from publications.services import publication_publish
from sites.models import Site
from tests.factories import PublicationFactory, SiteFactory, StaffFactory

pytestmark = pytest.mark.django_db


def cached(url):
    Client().get(url)
    response = Client().get(url)
    assert response.headers.get(HIT_HEADER) == "hit", url
    return response.content.decode()


def now(url):
    return Client().get(url).content.decode()


def test_a_study_published_or_unpublished_is_shown_or_gone_at_once():
    study = PublicationFactory(title="Mercury in Itombwe", is_published=False)
    library, map_page = reverse("publications:list"), reverse("sites:list")
    assert "Mercury in Itombwe" not in cached(library)
    cached(map_page)

    publication_publish(publication=study, published=True)
    assert "Mercury in Itombwe" in now(library)
    assert Client().get(study.get_absolute_url()).status_code == 200
    cached(study.get_absolute_url())

    publication_publish(publication=study, published=False)
    assert "Mercury in Itombwe" not in now(library)
    assert Client().get(study.get_absolute_url()).status_code == 404


def test_an_edited_study_is_shown_at_once():
    study = PublicationFactory(title="Gold in Gola")
    cached(study.get_absolute_url())

    study.abstract = "A new abstract about the Gola forest."
    study.save()

    assert "A new abstract about the Gola forest." in now(study.get_absolute_url())


def test_an_edited_site_is_shown_on_its_page_and_the_map_at_once():
    gola = SiteFactory(slug="gola", name="Gola Rainforest")
    cached(gola.get_absolute_url())
    cached(reverse("sites:list"))

    text = gola.texts.get(language="en")
    text.name = "Gola Rainforest National Park"
    text.save()

    assert "Gola Rainforest National Park" in now(gola.get_absolute_url())
    assert "Gola Rainforest National Park" in now(reverse("sites:list"))


def test_the_admins_unpublish_action_takes_a_site_off_at_once():
    gola = SiteFactory(slug="gola", name="Gola Rainforest")
    cached(reverse("sites:list"))
    request = RequestFactory().post("/admin/")
    request.user = StaffFactory(is_superuser=True)
    request._messages = type("Messages", (), {"add": lambda *args, **kwargs: None})()

    admin_site.get_model_admin(Site).unpublish(request, Site.objects.filter(pk=gola.pk))

    assert "Gola Rainforest" not in now(reverse("sites:list"))
    assert Client().get(gola.get_absolute_url()).status_code == 404


def test_the_librarys_counts_are_kept_for_everyone_and_follow_each_change(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    PublicationFactory(title="Gold in Gola", year=2019)
    draft = PublicationFactory(title="Mercury in Itombwe", year=2021, is_published=False)
    library = reverse("publications:list")

    before = client.get(library).content.decode()
    publication_publish(publication=draft, published=True)
    after = client.get(library).content.decode()
    in_2021 = client.get(f"{library}?year=2021").content.decode()

    assert "1 study found" in before
    assert "2 studies found" in after
    assert "Mercury in Itombwe" in in_2021
    assert "1 study found" in in_2021
