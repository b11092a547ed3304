"""Every email the portal sends: rendered in its reader's language, with its links to that
language's addresses, recorded in the outbox with the write it is about, sent from a worker."""

import uuid
import zoneinfo
from email.utils import parseaddr

from django.conf import settings
from django.contrib.sites.models import Site
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.functional import lazy

from outbox.services import record_many

from .addresses import url_in_language
from .tasks import send_email


def site_url() -> str:
    """The portal's address for links in emails, without the trailing slash."""
    try:
        domain = Site.objects.get_current().domain
    except Site.DoesNotExist:
        domain = settings.SITE_DOMAIN
    return f"{settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL}://{domain}"


def absolute_url(path: str) -> str:
    """The address of a path of ours, for an email: written in the language the email is rendered
    in (render_email: its reader's), whatever the language when the path was reversed. So one
    context serves readers of every language; an address without a language (/admin/) stays."""
    return _absolute_in_rendered_language(path)


def _absolute(path: str) -> str:
    language = translation.get_language() or settings.LANGUAGE_CODE
    return f"{site_url()}{url_in_language(path, language)}"


_absolute_in_rendered_language = lazy(_absolute, str)


def reader_zone(reader) -> zoneinfo.ZoneInfo:
    """The zone a reader's times are written in (their `zone`: chosen, else their country's),
    UTC if they have none this Python knows."""
    try:
        return zoneinfo.ZoneInfo(getattr(reader, "zone", "") or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def render_email(
    template: str, context: dict, *, reader, html: bool = False, headers: dict | None = None
) -> EmailMultiAlternatives:
    """The email `<template>_subject.txt` and `<template>.txt` (and `<template>.html` if asked)
    to `reader`, in their preferred language and their time zone (times written with the
    `in_zone` filter say which). The templates get `reader` and `site_url` too.

    Every such email is automatic: it says so (Auto-Submitted, RFC 3834), so that vacation
    responders do not answer it.
    """
    language = reader.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language), timezone.override(reader_zone(reader)):
        context = {**context, "reader": reader, "site_url": site_url()}
        subject = render_to_string(f"{template}_subject.txt", context)
        text = render_to_string(f"{template}.txt", context)
        body_html = render_to_string(f"{template}.html", context) if html else None
        # A header may hold a link (List-Unsubscribe): in the reader's language too.
        headers = {name: str(value) for name, value in (headers or {}).items()}
    message = EmailMultiAlternatives(
        settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split()),
        text,
        to=[reader.email],
        headers={**headers, "Auto-Submitted": "auto-generated"},
    )
    if body_html is not None:
        message.attach_alternative(body_html, "text/html")
    return message


def sender_domain() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"


def queue_email(message: EmailMessage) -> None:
    """Record the message in the outbox, in the current transaction: a worker sends it once the
    transaction commits, and nothing is mailed about a change that was rolled back. Slow or
    failing mail servers never hold up a page; a message that fails is tried again.

    The outbox entry's key is the message's Message-ID: its idempotency key.
    """
    queue_emails([message])


def queue_emails(messages: list[EmailMessage]) -> None:
    """queue_email() for many messages, in one INSERT."""
    keys = [uuid.uuid4() for _ in messages]
    calls = [sending(message, key) for message, key in zip(messages, keys, strict=True)]
    record_many(send_email, calls, keys=keys)


def sending(message: EmailMessage, key: uuid.UUID) -> dict:
    """send_email's arguments for the message, with its key as Message-ID."""
    html = next(
        (body for body, mime in getattr(message, "alternatives", []) if mime == "text/html"), None
    )
    return {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "html": html,
        "headers": {**message.extra_headers, "Message-ID": f"<{key}@{sender_domain()}>"},
    }
