"""Every email the portal sends: rendered in its reader's language, sent from a worker."""

from django.conf import settings
from django.contrib.sites.models import Site
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from .tasks import queue_after_commit, send_email_message


def site_url() -> str:
    """The portal's address for links in emails, without the trailing slash."""
    try:
        domain = Site.objects.get_current().domain
    except Site.DoesNotExist:
        domain = settings.SITE_DOMAIN
    return f"{settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL}://{domain}"


def absolute_url(path: str) -> str:
    return f"{site_url()}{path}"


def render_email(
    template: str, context: dict, *, reader, html: bool = False, headers: dict | None = None
) -> EmailMultiAlternatives:
    """The email `<template>_subject.txt` and `<template>.txt` (and `<template>.html` if asked)
    to `reader`, in their preferred language. The templates get `reader` and `site_url` too.

    Every such email is automatic: it says so (Auto-Submitted, RFC 3834), so that vacation
    responders do not answer it.
    """
    with translation.override(reader.preferred_language or settings.LANGUAGE_CODE):
        context = {**context, "reader": reader, "site_url": site_url()}
        subject = render_to_string(f"{template}_subject.txt", context)
        text = render_to_string(f"{template}.txt", context)
        body_html = render_to_string(f"{template}.html", context) if html else None
    message = EmailMultiAlternatives(
        settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split()),
        text,
        to=[reader.email],
        headers={**(headers or {}), "Auto-Submitted": "auto-generated"},
    )
    if body_html is not None:
        message.attach_alternative(body_html, "text/html")
    return message


def queue_email(message: EmailMessage) -> None:
    """Send a rendered message from a worker after the current transaction commits.

    Slow or failing mail servers then never hold up a page, and nothing is mailed about
    a change that was rolled back.
    """
    html = next(
        (body for body, mime in getattr(message, "alternatives", []) if mime == "text/html"), None
    )
    payload = {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "html": html,
        "headers": dict(message.extra_headers) or None,
    }
    queue_after_commit(send_email_message, **payload)
