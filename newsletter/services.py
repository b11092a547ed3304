"""Readers' writes: subscribing (double opt-in), confirming, choosing interests, unsubscribing;
and a stakeholder's one-click subscription. Every answer a visitor sees is the same whether the
address was known or not: only its owner's inbox learns more."""

import secrets
from datetime import timedelta

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.emails import absolute_url, queue_email, render_email

from .models import Issue, KindInterest, Subscriber

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


def forget_member(user) -> None:
    """An account deleted: its subscription goes with it (accounts.hooks.forgotten)."""
    Subscriber.objects.filter(user=user).delete()
