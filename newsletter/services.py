"""Readers' writes: subscribing (double opt-in), confirming, choosing interests, unsubscribing;
and a stakeholder's one-click subscription. Every answer a visitor sees is the same whether the
address was known or not: only its owner's inbox learns more."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.emails import absolute_url, queue_email, queue_emails, render_email

from . import sending
from .letters import STAND_IN, Letter
from .letters import headers as letter_headers
from .models import ENGLISH, FRENCH, Issue, IssueKind, IssueState, KindInterest, Subscriber

CONFIRM_SALT = "newsletter.confirm"
CONFIRM_DAYS = 7
# At most one email to an address in this while, however often someone types it in.
PROMPT_INTERVAL = timedelta(minutes=10)


class BadLink(Exception):
    """Not a link this portal made, or one that was used or has expired; `reason` says which."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def subscriber_subscribe(
    *, email: str, language: str, name: str = "", sites=(), topics=(), kinds=(), alerts=True
) -> None:
    """Ask the address's owner to confirm. A new or unconfirmed address takes these choices and
    gets a confirmation link; an address already subscribed keeps its choices (a stranger must
    not change them) and is told how to change them itself."""
    now = timezone.now()
    with transaction.atomic():
        subscriber = Subscriber.objects.with_address(email).select_for_update().first()
        if (
            subscriber is not None
            and subscriber.prompted_at
            and (now - subscriber.prompted_at < PROMPT_INTERVAL)
        ):
            return
        if subscriber is not None and subscriber.is_active:
            subscriber.prompted_at = now
            subscriber.save(update_fields=["prompted_at"])
            queue_email(render_email(
                "newsletter/email/known", {"manage_url": absolute_url(subscriber.manage_url())},
                reader=subscriber,
            ))  # fmt: skip
            return
        subscriber = subscriber or Subscriber(email=email.strip())
        subscriber.name, subscriber.language, subscriber.alerts = name, language, alerts
        subscriber.confirm_nonce = secrets.token_urlsafe(16)
        subscriber.prompted_at = now
        subscriber.save()
        interests_set(subscriber, sites=sites, topics=topics, kinds=kinds)
        queue_email(render_email(
            "newsletter/email/confirm",
            {"confirm_url": absolute_url(confirm_url(subscriber)), "days": CONFIRM_DAYS},
            reader=subscriber,
        ))  # fmt: skip


def confirm_url(subscriber: Subscriber) -> str:
    token = signing.dumps({"s": subscriber.pk, "n": subscriber.confirm_nonce}, salt=CONFIRM_SALT)
    return reverse("newsletter:confirm", kwargs={"token": token})


def confirm_claims(token: str) -> tuple[int, str]:
    """(subscriber id, nonce) of a confirmation link this portal made in the last 7 days."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=timedelta(days=CONFIRM_DAYS))
    except signing.SignatureExpired as error:
        raise BadLink("expired") from error
    except signing.BadSignature as error:
        raise BadLink("invalid") from error
    if not (isinstance(data, dict) and isinstance(data.get("s"), int) and data.get("n")):
        raise BadLink("invalid")
    return data["s"], data["n"]


def confirming(token: str, *, lock: bool = False) -> Subscriber:
    """The subscriber a confirmation link is for, if it may still be used; else BadLink."""
    subscriber_id, nonce = confirm_claims(token)
    subscribers = Subscriber.objects.select_for_update() if lock else Subscriber.objects
    subscriber = subscribers.filter(pk=subscriber_id).first()
    if subscriber is None:
        raise BadLink("invalid")
    if subscriber.confirm_nonce != nonce:
        raise BadLink("used")
    return subscriber


def subscriber_confirm(*, token: str) -> Subscriber:
    """Confirm the address: from now on it is sent issues. The link works once."""
    with transaction.atomic():
        subscriber = confirming(token, lock=True)
        subscriber.confirm_nonce = ""
        subscriber.confirmed_at = timezone.now()
        subscriber.unsubscribed_at = None
        subscriber.unsubscribed_from = None
        subscriber.save(
            update_fields=["confirm_nonce", "confirmed_at", "unsubscribed_at", "unsubscribed_from"]
        )
    return subscriber


def interests_set(subscriber: Subscriber, *, sites=(), topics=(), kinds=()) -> None:
    subscriber.sites.set(sites)
    subscriber.topics.set(topics)
    KindInterest.objects.filter(subscriber=subscriber).exclude(kind__in=kinds).delete()
    KindInterest.objects.bulk_create(
        [KindInterest(subscriber=subscriber, kind=kind) for kind in kinds], ignore_conflicts=True
    )


@transaction.atomic
def subscriber_choose(
    *, subscriber: Subscriber, language: str, name: str, alerts: bool, sites, topics, kinds
) -> None:
    """What a reader changes through their own link."""
    subscriber.language, subscriber.name, subscriber.alerts = language, name, alerts
    subscriber.save(update_fields=["language", "name", "alerts"])
    interests_set(subscriber, sites=sites, topics=topics, kinds=kinds)


def subscriber_unsubscribe(*, subscriber: Subscriber, issue_id: int | None = None) -> bool:
    """Stop everything to the address. Returns False if it was already stopped."""
    issue = Issue.objects.filter(pk=issue_id).first() if issue_id else None
    stopped = Subscriber.objects.filter(pk=subscriber.pk, unsubscribed_at__isnull=True).update(
        unsubscribed_at=timezone.now(), unsubscribed_from=issue
    )
    return bool(stopped)


@transaction.atomic
def member_subscribe(*, user) -> Subscriber:
    """One click from a stakeholder's profile: their address is already confirmed."""
    mine = Subscriber.objects.select_for_update()
    by_account = mine.filter(user=user).first()
    by_address = mine.with_address(user.email).exclude(user=user).first()
    if by_account and by_address:  # they subscribed their new address before: one is enough
        by_address.delete()
    subscriber = (
        by_account or by_address or Subscriber(email=user.email, language=user.preferred_language)
    )
    subscriber.user = user
    subscriber.email = user.email
    subscriber.confirm_nonce = ""
    subscriber.confirmed_at = timezone.now()
    subscriber.unsubscribed_at = None
    subscriber.unsubscribed_from = None
    subscriber.save()
    return subscriber


@transaction.atomic
def member_address_changed(*, user) -> None:
    """A stakeholder made another confirmed address their primary one: their subscription
    follows it (any other reader of that address is merged into theirs)."""
    subscriber = Subscriber.objects.select_for_update().filter(user=user).first()
    if subscriber is None or subscriber.email.lower() == user.email.lower():
        return
    Subscriber.objects.with_address(user.email).exclude(pk=subscriber.pk).delete()
    subscriber.email = user.email
    subscriber.save(update_fields=["email"])


def forget_member(user) -> None:
    """An account deleted: its subscription goes with it (accounts.hooks.forgotten)."""
    Subscriber.objects.filter(user=user).delete()


# Editors


def editable(issue: Issue) -> Issue:
    """The editors' letter, locked for the change: the weekly alerts are the code's own."""
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    if issue.kind != IssueKind.LETTER:
        raise ValidationError(_("The weekly alerts are written by the portal, not here."))
    return issue


def check_send_at(send_at, *, now=None) -> None:
    """A time to send a scheduled issue at: given, and to come."""
    if send_at is None:
        raise ValidationError(_("Choose when to send it (“send at”) and save, then schedule it."))
    if send_at <= (now or timezone.now()):
        raise ValidationError(
            _("Its time to send (“send at”) has passed: choose a time in the future and save.")
        )


@transaction.atomic
def issue_schedule(*, issue: Issue, now=None) -> Issue:
    """A draft goes out by itself at its `send_at` (newsletter.tasks.start_due_issues)."""
    issue = editable(issue)
    if issue.state != IssueState.DRAFT:
        raise ValidationError(_("Only a draft can be scheduled."))
    check_send_at(issue.send_at, now=now)
    issue.state = IssueState.SCHEDULED
    issue.save(update_fields=["state"])
    return issue


@transaction.atomic
def issue_unschedule(*, issue: Issue) -> Issue:
    """A scheduled issue back to draft, before its time comes."""
    issue = editable(issue)
    if issue.state != IssueState.SCHEDULED:
        raise ValidationError(_("Only a scheduled issue can go back to draft."))
    issue.state = IssueState.DRAFT
    issue.save(update_fields=["state"])
    return issue


@transaction.atomic
def issue_send_now(*, issue: Issue) -> int:
    """Start sending a draft or scheduled issue now. Returns how many readers it goes to."""
    issue = editable(issue)
    if issue.state not in (IssueState.DRAFT, IssueState.SCHEDULED):
        raise ValidationError(_("This issue is already being sent or was sent."))
    return sending.issue_start(issue=issue)


@transaction.atomic
def issue_send_test(*, issue: Issue, user) -> list[str]:
    """The issue in each language, to the editor alone, through the outbox: no delivery is made
    and the issue stays as it is. Its links carry the stand-in token, which is no reader's.
    Returns the languages sent."""
    letter = Letter(issue)
    tester = Subscriber(token=STAND_IN, email=user.email)
    messages = []
    for language in (ENGLISH, FRENCH):
        subject, text, html, unsubscribe = letter.rendered(language)
        with translation.override(language):
            marked = _("[Test] %(subject)s") % {"subject": subject}
        message = EmailMultiAlternatives(
            settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + str(marked),
            text,
            to=[user.email],
            headers=letter_headers(issue, tester, unsubscribe),
        )
        message.attach_alternative(html, "text/html")
        messages.append(message)
    queue_emails(messages)
    return [ENGLISH, FRENCH]
