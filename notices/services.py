"""Every write of notices. The jobs of the apps above call `tell` in the transaction that marks
their outbox entry done, so a person is told once per cause however often a job is run."""

from collections.abc import Iterable

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy

from core import pagecache
from core.emails import absolute_url

from .models import EMAILED_KINDS, EmailOff, Kind, Notice

STOP_EMAIL_SALT = "notices.stop-email"


def unread_tag(user_id: int) -> str:
    """The tag of a person's unread count, kept with their other facts (core.memberpages): every
    write below that changes it bumps it."""
    return f"notices:{user_id}"


def changed_for(user_ids) -> None:
    tags = {unread_tag(user_id) for user_id in user_ids}
    if tags:
        pagecache.bump(*tags)


def tell(notices: Iterable[Notice]) -> None:
    """Write these notices, leaving out any whose person was told of that cause already."""
    notices = list(notices)
    Notice.objects.bulk_create(notices, ignore_conflicts=True, batch_size=500)
    changed_for(notice.user_id for notice in notices)


def tell_once(notices: Iterable[Notice]) -> list[Notice]:
    """tell() these notices, and return those whose person had not been told of that cause in
    that way before: the ones to email (two queries)."""
    notices = list(notices)
    if not notices:
        return []
    causes = {notice.cause for notice in notices}
    told = set(
        Notice.objects.filter(
            cause__in=causes, user_id__in={notice.user_id for notice in notices}
        ).values_list("user_id", "kind", "cause")
    )
    new = [n for n in notices if (n.user_id, n.kind, n.cause) not in told]
    tell(new)
    return new


def emailed(user_ids: Iterable[int], kind: Kind) -> set[int]:
    """Of these people, those who want this kind of notice by email too (one query)."""
    user_ids = set(user_ids)
    if not user_ids:
        return set()
    quiet = EmailOff.objects.filter(user_id__in=user_ids, kind=kind).values_list("user_id")
    return user_ids - {user_id for (user_id,) in quiet}


def forget(target_type: str, target_ids: Iterable[int], *, kinds=None) -> int:
    """Remove the notices about these targets (of these kinds): what was hidden is not told."""
    notices = Notice.objects.about(target_type, target_ids)
    if kinds is not None:
        notices = notices.filter(kind__in=kinds)
    told = set(notices.values_list("user_id", flat=True))
    deleted, _by_model = notices.delete()
    changed_for(told)
    return deleted


def forget_person(*, user) -> None:
    """A deleted account keeps no notices, nor any choice about them."""
    Notice.objects.filter(user=user).delete()
    EmailOff.objects.filter(user=user).delete()
    changed_for([user.pk])


def mark_read(*, user, notices) -> int:
    """Mark read these notices of this person (others' are left alone)."""
    ids = [notice.pk for notice in notices]
    marked = Notice.objects.filter(user=user, pk__in=ids).unread().update(read_at=timezone.now())
    changed_for([user.pk])
    return marked


def mark_all_read(*, user) -> int:
    marked = Notice.objects.filter(user=user).unread().update(read_at=timezone.now())
    changed_for([user.pk])
    return marked


@transaction.atomic
def email_choices_set(*, user, by_email: Iterable[str]) -> None:
    """By email for these kinds, on the site only for the others."""
    wanted = set(by_email) & set(EMAILED_KINDS)
    EmailOff.objects.filter(user=user, kind__in=wanted).delete()
    off = set(EMAILED_KINDS) - wanted
    EmailOff.objects.bulk_create(
        [EmailOff(user=user, kind=kind) for kind in sorted(off)], ignore_conflicts=True
    )


def email_stop(*, user_id: int, kind: str) -> None:
    EmailOff.objects.get_or_create(user_id=user_id, kind=kind)


def stop_email_token(*, user_id: int, kind: str) -> str:
    """The credential of an email's one-click link that stops emails of its kind."""
    return signing.dumps({"u": user_id, "k": kind}, salt=STOP_EMAIL_SALT)


def stop_email_url(*, user_id: int, kind: str) -> str:
    token = stop_email_token(user_id=user_id, kind=kind)
    return absolute_url(reverse("notices:stop_email", kwargs={"token": token}))


def one_click_headers(url: str) -> dict:
    """RFC 8058's one-click unsubscribe, through `url` (written in the email's language when
    render_email renders it: core.emails.absolute_url)."""
    return {
        "List-Unsubscribe": format_lazy("<{}>", url),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


class BadToken(Exception):
    """Not a link this portal signed for stopping emails."""


def token_owner(token: str) -> tuple[int, str]:
    """(user id, kind) named by a stop-email token; BadToken if it was not signed here."""
    try:
        data = signing.loads(token, salt=STOP_EMAIL_SALT)
    except signing.BadSignature as error:
        raise BadToken from error
    valid = (
        isinstance(data, dict) and isinstance(data.get("u"), int) and data.get("k") in EMAILED_KINDS
    )
    if not valid:
        raise BadToken
    return data["u"], data["k"]
