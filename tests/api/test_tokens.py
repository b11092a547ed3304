"""Personal tokens: made and revoked on one's profile page, shown once, kept as a hash."""

import re

from django.urls import reverse

from api.models import Token, token_hash
from tests.factories import ForumFactory, ThreadFactory, UserFactory

from .conftest import API, bearer

PROFILE = "/en/accounts/profile/"


def make_token(client, name="My harvester"):
    response = client.post(reverse("api_tokens:create"), {"name": name}, follow=True)
    assert response.status_code == 200
    found = re.search(r"data-api-token>(asmp_[\w-]+)<", response.text)
    return response, found.group(1) if found else None


def test_a_stakeholder_makes_a_token_seen_once_and_kept_as_a_hash(client, db):
    person = UserFactory()
    client.force_login(person)

    _response, secret = make_token(client)
    again = client.get(PROFILE).text

    assert secret is not None
    token = Token.objects.get(user=person)
    assert token.name == "My harvester"
    assert token.key_hash == token_hash(secret)
    assert secret not in str(Token.objects.filter(pk=token.pk).values().get())
    assert secret not in again  # shown once
    assert "My harvester" in again
    assert token.start in again


def test_a_token_reads_what_its_holder_reads_on_the_site(client, db):
    members = ForumFactory(slug="members-only", visibility="members")
    ThreadFactory(forum=members, title="Among members")
    client.force_login(UserFactory())
    _response, secret = make_token(client)
    client.logout()

    as_visitor = client.get(API + "threads").json()["items"]
    with_token = client.get(API + "threads", **bearer(secret)).json()["items"]

    assert as_visitor == []
    assert [thread["title"] for thread in with_token] == ["Among members"]
    assert Token.objects.get().last_used_at is not None


def test_a_revoked_token_is_refused_with_a_401_problem(client, db):
    person = UserFactory()
    client.force_login(person)
    _response, secret = make_token(client)
    token = Token.objects.get()

    revoked = client.post(reverse("api_tokens:revoke", args=[token.pk]), follow=True)
    answer = client.get(API + "studies", **bearer(secret))

    assert "The token is revoked" in revoked.text
    assert token.name not in revoked.text.split('id="api-tokens"')[1]
    assert answer.status_code == 401
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["status"] == 401
    assert answer["WWW-Authenticate"].startswith("Bearer")


def test_nobody_revokes_anothers_token(client, db):
    owner, other = UserFactory(), UserFactory()
    client.force_login(owner)
    _response, secret = make_token(client)
    token = Token.objects.get()
    client.force_login(other)

    client.post(reverse("api_tokens:revoke", args=[token.pk]))

    token.refresh_from_db()
    assert token.revoked_at is None
    assert client.get(API + "studies", **bearer(secret)).status_code == 200


def test_an_unconfirmed_account_holds_no_token(client, db):
    client.force_login(UserFactory(confirmed=False))

    page = client.get(PROFILE).text
    refused = client.post(reverse("api_tokens:create"), {"name": "x"})

    assert 'id="api-tokens"' not in page
    assert refused.status_code == 403
    assert not Token.objects.exists()


def test_a_deactivated_or_deleted_holders_token_reads_nothing(client, db):
    from accounts.services import account_delete
    from api.services import token_create

    gone, deleted = UserFactory(), UserFactory()
    _t, gone_secret = token_create(user=gone, name="a")
    _t, deleted_secret = token_create(user=deleted, name="b")
    gone.is_active = False
    gone.save()
    account_delete(user=deleted)

    assert client.get(API + "studies", **bearer(gone_secret)).status_code == 401
    assert client.get(API + "studies", **bearer(deleted_secret)).status_code == 401
    assert not Token.objects.filter(user=deleted).exists()  # forgotten with the account


def test_a_malformed_authorization_header_is_a_401_not_a_visitor(client, db):
    for header in ("Basic dXNlcjpwYXNz", "Bearer", "Bearer    ", "asmp_something"):
        response = client.get(API + "studies", HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, header


def test_a_token_needs_a_name(client, db):
    client.force_login(UserFactory())

    response = client.post(reverse("api_tokens:create"), {"name": ""}, follow=True)

    assert "Give the token a name" in response.text
    assert not Token.objects.exists()


def test_the_data_export_lists_ones_tokens_but_never_a_token_nor_its_hash(client, db):
    person, other = UserFactory(), UserFactory()
    client.force_login(other)
    _response, others_secret = make_token(client, "Someone else's")
    client.force_login(person)
    _response, secret = make_token(client, "My harvester")
    revoked = Token.objects.get(user=person)
    client.post(reverse("api_tokens:revoke", args=[revoked.pk]))

    exported = client.get(reverse("accounts:export"))

    tokens = exported.json()["api"]["api_tokens"]
    assert [(t["name"], t["start"], t["revoked_at"] is not None) for t in tokens] == [
        ("My harvester", secret[:10], True)
    ]
    text = exported.content.decode()
    for kept_secret in (secret, token_hash(secret), others_secret, "Someone else's"):
        assert kept_secret not in text


def test_the_operator_revokes_a_leaked_token_in_the_admin_and_moderators_see_none(client, db):
    holder = UserFactory(email="holder@example.org")
    client.force_login(holder)
    _response, secret = make_token(client, "Leaked")
    token = Token.objects.get()
    changelist = reverse("admin:api_token_changelist")

    client.force_login(UserFactory(is_staff=True, groups=["Moderators"]))
    assert client.get(changelist).status_code == 403

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    listed = client.get(changelist).content.decode()
    assert "Leaked" in listed
    assert token.start in listed
    assert token.key_hash not in client.get(reverse("admin:api_token_change", args=[token.pk])).text
    done = client.post(
        changelist, {"action": "revoke", "_selected_action": [token.pk]}, follow=True
    )

    assert "1 token revoked." in done.content.decode()
    assert client.post(reverse("admin:api_token_add")).status_code == 403  # only holders make them
    client.logout()
    refused = client.get(API + "forums", **bearer(secret))
    assert refused.status_code == 401
