import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.roles import EDITORS, MODERATORS
from tests.factories import PageFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_staff_groups_exist_with_their_permissions():
    moderators = Group.objects.get(name=MODERATORS)
    editors = Group.objects.get(name=EDITORS)

    assert set(moderators.permissions.values_list("codename", flat=True)) >= {
        "view_user",
        "change_user",
    }
    assert set(editors.permissions.values_list("codename", flat=True)) >= {
        "add_page",
        "change_page",
        "delete_page",
    }
    assert not moderators.permissions.filter(codename="change_page").exists()


def test_an_editor_edits_pages_in_the_admin_and_cannot_touch_accounts(client):
    editor = StaffFactory(groups=[EDITORS])
    page = PageFactory(body="Old")
    client.force_login(editor)

    response = client.post(
        reverse("admin:portal_page_change", args=[page.pk]),
        {
            "slug": page.slug,
            "language": "en",
            "title": "Edited",
            "summary": "",
            "body": "New <script>alert(1)</script> **text**",
            "order": 1,
            "in_footer": "on",
        },
    )

    assert response.status_code == 302
    page.refresh_from_db()
    assert page.title == "Edited"
    assert "<script>" not in page.body_html
    assert "<strong>text</strong>" in page.body_html
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403


def test_a_moderator_changes_no_field_of_a_person_unlogged(client):
    moderator = StaffFactory(groups=[MODERATORS])
    person = UserFactory()
    client.force_login(moderator)
    url = reverse("admin:accounts_user_change", args=[person.pk])

    page = client.get(url).content.decode()
    assert "md5$" not in page  # no password hash on show
    assert "pbkdf2" not in page
    response = client.post(
        url,
        {
            "affiliation_verified_at_0": "2026-11-01",
            "affiliation_verified_at_1": "10:00:00",
            "is_active": "",
            "is_staff": "on",
            "is_superuser": "on",
            "name": "Renamed",
        },
    )

    assert response.status_code == 302
    person.refresh_from_db()
    # Verification goes through requests and the withdraw action, which are logged.
    assert not person.is_verified
    assert person.is_active
    assert not person.is_staff
    assert not person.is_superuser
    assert person.name != "Renamed"
    assert client.get(reverse("admin:portal_page_changelist")).status_code == 403


def test_a_moderator_cannot_change_staff_accounts_or_passwords(client):
    moderator = StaffFactory(groups=[MODERATORS])
    admin = StaffFactory(is_superuser=True)
    person = UserFactory()
    client.force_login(moderator)

    client.post(reverse("admin:accounts_user_change", args=[admin.pk]), {"is_active": ""})
    password_page = client.get(reverse("admin:auth_user_password_change", args=[person.pk]))

    admin.refresh_from_db()
    assert admin.is_active
    assert password_page.status_code == 403
