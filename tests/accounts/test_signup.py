import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import translation

from accounts.models import StakeholderGroup, User
from accounts.permissions import is_confirmed_stakeholder
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = reverse("account_signup")


def signup_data(**overrides):
    data = {
        "name": "Amani Bisimwa",
        "email": "amani@example.org",
        "password1": "gold-and-forest-2024!",
        "password2": "gold-and-forest-2024!",
        "stakeholder_group": StakeholderGroup.MINER,
        "organisation": "Coopérative minière de Mwenga",
        "country": "CD",
        "preferred_language": "fr",
        "accept_code_of_conduct": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def confirmation_link(message):
    return re.search(r"https?://[^/\s]+(/[a-z]{2}/accounts/confirm-email/[^\s]+/)", message.body)[1]


@pytest.mark.parametrize("group", StakeholderGroup.values)
def test_signup_through_the_confirmation_email_for_every_group(
    client, committed, mailoutbox, group
):
    email = f"{group}@example.org"
    with committed():
        response = client.post(SIGNUP, signup_data(email=email, stakeholder_group=group))

    assert response.status_code == 302
    user = User.objects.get(email=email)
    assert user.stakeholder_group == group
    assert user.country.code == "CD"
    assert user.organisation == "Coopérative minière de Mwenga"
    assert user.code_of_conduct_accepted_at is not None
    assert not is_confirmed_stakeholder(user), "an unconfirmed address may not take part"
    (message,) = mailoutbox
    assert message.to == [email]

    link = confirmation_link(message)
    assert client.get(link).status_code == 200
    response = client.post(link)

    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    assert client.session["_auth_user_id"] == str(user.pk)
    assert is_confirmed_stakeholder(User.objects.get(pk=user.pk))


def test_email_is_in_the_language_the_person_registers_in(client, committed, mailoutbox):
    with committed(), translation.override("fr"):  # on the French sign-up page
        client.post(reverse("account_signup"), signup_data())

    (message,) = mailoutbox
    assert "Confirmez votre adresse" in message.subject
    assert "Amani Bisimwa" in message.body
    assert "Bonjour" in message.body


@pytest.mark.parametrize(
    ("field", "overrides", "message"),
    [
        ("stakeholder_group", {"stakeholder_group": None}, "This field is required."),
        ("country", {"country": "XX"}, "Select a valid choice."),
        ("country", {"country": None}, "This field is required."),
        ("accept_code_of_conduct", {"accept_code_of_conduct": None}, "This field is required."),
        (
            "password1",
            {"password1": "password123", "password2": "password123"},
            "This password is too common.",
        ),
        ("name", {"name": ""}, "This field is required."),
        ("email", {"email": "not-an-address"}, "Enter a valid email address."),
    ],
)
def test_bad_input_is_explained_and_creates_nothing(
    client, committed, mailoutbox, field, overrides, message
):
    with committed():
        response = client.post(SIGNUP, signup_data(**overrides))

    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(message in error for error in errors), errors
    assert message in response.content.decode()
    assert not User.objects.exists()
    assert not EmailAddress.objects.exists()
    assert mailoutbox == []


def test_an_address_already_used_in_another_case_creates_no_second_account(
    client, committed, mailoutbox
):
    existing = UserFactory(email="amani@example.org")

    with committed():
        response = client.post(SIGNUP, signup_data(email="Amani@Example.ORG"))

    # The page does not tell a stranger that the address has an account; its owner is told
    # by email, and the page says that such an email explains what to do.
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "already has an account" in page
    assert list(User.objects.all()) == [existing]
    (message,) = mailoutbox
    assert message.to == ["amani@example.org"]
    assert "already" in message.body


def test_the_honeypot_turns_bots_away_without_telling_them(client, committed, mailoutbox):
    with committed():
        response = client.post(SIGNUP, signup_data(website="http://spam.example"))

    assert response.status_code == 302
    assert not User.objects.exists()
    assert mailoutbox == []


def test_the_signup_form_labels_every_field_and_hides_the_honeypot(client):
    page = client.get(SIGNUP).content.decode()

    for name in ("name", "email", "password1", "country", "organisation"):
        assert f'for="id_{name}"' in page
    for index, _group in enumerate(StakeholderGroup):
        assert f'for="id_stakeholder_group_{index}"' in page
    assert "<legend" in page
    assert 'id="div_id_website"' in page  # hidden by the stylesheet, not by an inline style
    assert "style=" not in page
    for group in StakeholderGroup:
        assert str(group.label) in page
