"""The portal's admin site: wired through AdminConfig.default_site, signed in through allauth,
and leading old addresses of models that moved to another app to their new ones."""

import pytest
from django.contrib import admin
from django.urls import reverse

from portal.admin_site import PortalAdminSite
from tests.factories import SiteFactory, StaffFactory

pytestmark = pytest.mark.django_db


def test_the_default_admin_site_is_the_portals():
    assert isinstance(admin.site, PortalAdminSite)
    assert admin.site.site_header == "ASM-PACE administration"


def test_signing_in_to_the_admin_goes_through_allauth(client):
    response = client.get(reverse("admin:login"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/admin/forums/moderationlogentry/", "/admin/audit/moderationlogentry/"),
        (
            "/admin/forums/moderationlogentry/?action=hide",
            "/admin/audit/moderationlogentry/?action=hide",
        ),
        ("/admin/portal/site/", "/admin/casesites/site/"),
        ("/admin/portal/site/7/change/", "/admin/casesites/site/7/change/"),
        ("/admin/portal/mineral/add/", "/admin/casesites/mineral/add/"),
    ],
)
def test_pages_of_models_that_moved_app_lead_to_their_new_address(client, old, new):
    response = client.get(old)

    assert response.status_code == 301
    assert response["Location"] == new


def test_a_moved_sites_page_still_opens_for_an_editor(client):
    site = SiteFactory()
    client.force_login(StaffFactory(groups=["Editors"]))

    response = client.get(f"/admin/portal/site/{site.pk}/change/", follow=True)

    assert response.status_code == 200
    assert response.redirect_chain == [(f"/admin/casesites/site/{site.pk}/change/", 301)]
