"""The programme's countries (DR Congo, Madagascar, Sierra Leone, Liberia) head every list of
countries: sign-up, profile, the sites' filter, the library's country facet."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from publications.search import facet_values
from sites.forms import SiteFilterForm
from sites.models import Site
from tests.factories import SiteFactory, UserFactory

pytestmark = pytest.mark.django_db
PROGRAMME = ["CD", "MG", "SL", "LR"]


def country_options(page):
    select = re.search(r'<select name="country"[^>]*>(.*?)</select>', page, re.S)[1]
    return re.findall(r'<option value="([A-Z]*)"[^>]*>([^<]*)</option>', select)


@pytest.mark.parametrize(
    ("language", "congo"),
    [("en", "Democratic Republic of the Congo"), ("fr", "République démocratique du Congo")],
)
def test_the_signup_form_lists_the_programmes_countries_first(client, language, congo):
    with translation.override(language):
        page = client.get(reverse("account_signup")).content.decode()

    options = country_options(page)
    codes = [code for code, _ in options if code]
    assert codes[:4] == PROGRAMME
    assert dict(options)["CD"] == congo
    # Once only, and the rest in alphabetical order after them.
    assert len(codes) == len(set(codes))
    assert "CG" in codes[4:]


def test_the_profile_form_lists_them_first_too(client):
    client.force_login(UserFactory(country="LR"))
    options = country_options(client.get(reverse("accounts:profile_edit")).content.decode())
    assert [code for code, _ in options if code][:4] == PROGRAMME


def test_the_sites_filter_lists_the_programmes_countries_first():
    for country in ("AO", "LR", "CD", "ZM", "MG"):
        SiteFactory(country=country)

    form = SiteFilterForm(None, sites=Site.objects.all())

    codes = [code for code, _ in form.fields["country"].choices]
    assert codes == ["", "CD", "MG", "LR", "AO", "ZM"]


def test_the_library_facet_lists_the_programmes_countries_first_then_by_count():
    counts = {"kind": [], "language": [], "topic": [], "year": []}
    counts["country"] = [("ZM", 9), ("LR", 1), ("AO", 3), ("CD", 2), ("BI", 3)]

    facet = facet_values(counts)["country"]

    assert [value.value for value in facet] == ["CD", "LR", "ZM", "AO", "BI"]
