import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.urls import reverse

from tests.factories import PASSWORD, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")


def sign_in(client, login, password=PASSWORD):
    return client.post(LOGIN, {"login": login, "password": password})


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def test_sign_in_is_by_email_in_any_letter_case(client):
    person = UserFactory(email="kadiatu@example.org")

    response = sign_in(client, "Kadiatu@Example.org")

    assert response.status_code == 302
    assert signed_in_user_id(client) == str(person.pk)


def test_an_unconfirmed_address_cannot_sign_in_and_is_sent_a_new_link(
    client, committed, mailoutbox
):
    UserFactory(email="new@example.org", confirmed=False)

    with committed():
        response = sign_in(client, "new@example.org")

    assert signed_in_user_id(client) is None
    assert response["Location"] == reverse("account_email_verification_sent")
    (message,) = mailoutbox
    assert "/accounts/confirm-email/" in message.body


def test_a_failed_sign_in_does_not_say_whether_the_address_exists(client):
    UserFactory(email="known@example.org")

    known = sign_in(client, "known@example.org", "wrong password")
    unknown = sign_in(client, "unknown@example.org", "wrong password")

    assert known.status_code == unknown.status_code == 200
    assert known.context["form"].errors == unknown.context["form"].errors
    assert signed_in_user_id(client) is None


def test_repeated_failures_on_one_address_are_rate_limited(client):
    UserFactory(email="target@example.org")
    for _attempt in range(5):
        sign_in(client, "target@example.org", "guess")

    # Even the right password is refused while the limit holds.
    response = sign_in(client, "target@example.org")

    assert signed_in_user_id(client) is None
    assert "Too many failed login attempts" in response.content.decode()


def test_password_reset_by_email_lets_the_person_back_in(client, committed, mailoutbox):
    UserFactory(email="forgot@example.org")

    with committed():
        client.post(reverse("account_reset_password"), {"email": "forgot@example.org"})

    (message,) = mailoutbox
    link = next(word for word in message.body.split() if "/accounts/password/reset/key/" in word)
    # allauth moves the key from the URL into the session before showing the form.
    form_page = client.get(link, follow=True)
    assert "password1" in form_page.context["form"].fields
    new_password = "a-new-and-better-pass-phrase"
    with committed():
        done = client.post(
            form_page.redirect_chain[-1][0],
            {"password1": new_password, "password2": new_password},
        )
    assert done.status_code == 302
    client.logout()
    sign_in(client, "forgot@example.org", new_password)
    assert signed_in_user_id(client) is not None


def test_the_admin_site_signs_staff_in_through_allauth(client):
    response = client.get(reverse("admin:index"), follow=True)

    assert response.redirect_chain[-1][0].startswith(LOGIN)


def test_staff_with_two_step_verification_must_give_a_code(client):
    staff = StaffFactory(email="moderator@example.org")
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)

    response = sign_in(client, "moderator@example.org")

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert signed_in_user_id(client) is None
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    wrong_code = f"{(int(code) + 500_000) % 1_000_000:06d}"
    wrong = client.post(reverse("mfa_authenticate"), {"code": wrong_code})
    assert signed_in_user_id(client) is None
    assert wrong.status_code == 200
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert signed_in_user_id(client) == str(staff.pk)
    assert client.get(reverse("admin:index")).status_code == 200
