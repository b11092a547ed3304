"""A stakeholder asks for their affiliation to be verified; moderators decide in the admin."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import VerificationRequest
from audit.models import ModerationLogEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ASK = reverse("accounts:verification")
CHANGELIST = reverse("admin:accounts_verificationrequest_changelist")


@pytest.fixture
def stakeholder(client):
    user = UserFactory(name="Amani", preferred_language="fr")
    client.force_login(user)
    return user


def test_a_stakeholder_asks_once_and_sees_the_request_waiting(client, stakeholder):
    client.post(ASK, {"statement": "Call the cooperative's secretary: +243 000 000"})
    again = client.post(ASK, {"statement": "Again"})

    assert VerificationRequest.objects.get().user == stakeholder
    assert VerificationRequest.objects.count() == 1
    assert again.status_code == 200
    assert "is waiting for a moderator" in again.text


def test_an_unconfirmed_account_cannot_ask(client):
    client.force_login(UserFactory(confirmed=False))

    client.post(ASK, {"statement": "Please"})

    assert not VerificationRequest.objects.exists()


def test_a_moderator_verifies_and_the_person_is_told_and_the_log_written(
    client, stakeholder, committed
):
    request = VerificationRequest.objects.create(user=stakeholder, statement="Registry 42")
    moderator = UserFactory(groups=["Moderators"], is_staff=True)
    client.force_login(moderator)

    selected = {"action": "verify", "_selected_action": [request.pk]}

    page = client.post(CHANGELIST, selected)
    assert "<h1>Verify 1 affiliation</h1>" in page.text
    stakeholder.refresh_from_db()
    assert not stakeholder.is_verified
    with committed():
        client.post(CHANGELIST, {**selected, "confirm": "yes"})

    stakeholder.refresh_from_db()
    assert stakeholder.is_verified
    assert ModerationLogEntry.objects.get().action == "verify"
    (message,) = mail.outbox
    assert message.to == [stakeholder.email]
    assert "Votre affiliation est vérifiée" in message.subject


def test_a_refusal_needs_a_reason_which_the_person_reads(client, stakeholder, committed):
    request = VerificationRequest.objects.create(user=stakeholder, statement="Trust me")
    client.force_login(UserFactory(groups=["Moderators"], is_staff=True))
    selected = {"action": "refuse", "_selected_action": [request.pk]}

    page = client.post(CHANGELIST, selected)
    assert "Reason, sent to each person" in page.text
    with committed():
        client.post(CHANGELIST, {**selected, "reason": "No way to contact the cooperative."})

    request.refresh_from_db()
    assert request.status == "refused"
    assert "No way to contact the cooperative." in mail.outbox[0].body
    client.force_login(stakeholder)
    assert "No way to contact the cooperative." in client.get(ASK).text


def test_verification_can_be_withdrawn_with_a_reason(stakeholder):
    from accounts.services import verification_withdraw

    stakeholder.affiliation_verified_at = timezone.now()
    stakeholder.save()
    moderator = UserFactory(groups=["Moderators"], is_staff=True)

    verification_withdraw(moderator=moderator, user=stakeholder, reason="Left the cooperative")

    stakeholder.refresh_from_db()
    assert not stakeholder.is_verified
    assert ModerationLogEntry.objects.get().action == "withdraw_verification"


def test_editors_and_stakeholders_cannot_decide(client, stakeholder):
    request = VerificationRequest.objects.create(user=stakeholder, statement="Registry 42")
    for user in (stakeholder, UserFactory(groups=["Editors"], is_staff=True)):
        client.force_login(user)
        client.post(
            CHANGELIST, {"action": "verify", "_selected_action": [request.pk], "confirm": "yes"}
        )

    stakeholder.refresh_from_db()
    assert not stakeholder.is_verified


def test_an_empty_statement_is_refused_with_a_message(client, stakeholder):
    response = client.post(ASK, {"statement": "   "})

    assert response.status_code == 200
    assert "This field is required." in response.text
    assert not VerificationRequest.objects.exists()


def test_a_moderator_withdraws_verifications_in_the_admin_with_a_reason(client, committed):
    verified = UserFactory(affiliation_verified_at=timezone.now(), preferred_language="fr")
    moderator = UserFactory(groups=["Moderators"], is_staff=True)
    client.force_login(moderator)
    url = reverse("admin:accounts_user_changelist")
    selected = {"action": "withdraw_verification", "_selected_action": [verified.pk]}

    asked = client.post(url, {**selected, "reason": ""})
    assert asked.status_code == 200
    assert "This field is required" in asked.text
    verified.refresh_from_db()
    assert verified.is_verified

    with committed():
        client.post(url, {**selected, "reason": "La coopérative a été dissoute."})

    verified.refresh_from_db()
    assert not verified.is_verified
    entry = ModerationLogEntry.objects.get()
    assert (entry.action, entry.actor, entry.subject_user_id) == (
        "withdraw_verification",
        moderator,
        verified.pk,
    )
    (message,) = mail.outbox
    assert "La coopérative a été dissoute." in message.body
    assert "retiré" in message.body


def test_editors_cannot_withdraw_a_verification(client):
    verified = UserFactory(affiliation_verified_at=timezone.now())
    client.force_login(UserFactory(groups=["Editors"], is_staff=True))

    client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "withdraw_verification", "_selected_action": [verified.pk], "reason": "x"},
    )

    verified.refresh_from_db()
    assert verified.is_verified
    assert not ModerationLogEntry.objects.exists()
