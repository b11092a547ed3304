"""An issue as each reader gets it: rendered once per language, then given each reader's own
links by replacing a stand-in token, so that 10,000 readers cost 2 renderings, not 10,000."""

from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe

from core.emails import absolute_url, sender_domain, site_url
from core.text import render_markdown

from .models import Issue, IssueKind, Subscriber

STAND_IN = "reader-token-stand-in"
TEMPLATE = "newsletter/email/issue"
# An email's HTML at most: some mail apps cut longer ones short, and slow links pay for each byte.
HTML_LIMIT = 30 * 1024


class Letter:
    """The issue's email for any reader. Its parts are rendered in a reader's language the
    first time that language is asked for."""

    def __init__(self, issue: Issue):
        self.issue = issue
        self._rendered: dict[tuple, tuple[str, str, str, str]] = {}

    def context(self, language: str, **extra) -> dict:
        """What the templates show, in `language` (active while this runs); `extra` is what a
        subclass renders per reader (rendered())."""
        issue = self.issue
        return {
            "issue": issue,
            "subject": issue.subject_in(language),
            # Sanitised by nh3 (core.text): safe to show as it is.
            "body_html": mark_safe(render_markdown(issue.body_in(language))),  # noqa: S308
            "body_text": issue.body_in(language),
            "web_url": absolute_url(issue.get_absolute_url())
            if issue.kind == IssueKind.LETTER
            else "",
        }

    def rendered(self, language: str, *, key=(), **extra) -> tuple[str, str, str, str]:
        """(subject, text, html, unsubscribe address) with the stand-in token. `key` names what
        else than the language the rendering depends on (`extra`, given to context()): readers
        with the same key share it."""
        if (language, key) not in self._rendered:
            stand_in = Subscriber(token=STAND_IN, language=language)
            with translation.override(language):
                context = {
                    **self.context(language, **extra),
                    "site_url": site_url(),
                    "LANGUAGE_CODE": language,  # <html lang>: no request gives it here
                    "manage_url": absolute_url(stand_in.manage_url()),
                    "unsubscribe_url": absolute_url(stand_in.unsubscribe_url(self.issue)),
                }
                self._rendered[language, key] = (
                    context["subject"],
                    render_to_string(f"{TEMPLATE}.txt", context),
                    render_to_string(f"{TEMPLATE}.html", context),
                    str(context["unsubscribe_url"]),
                )
        return self._rendered[language, key]

    def message(self, subscriber: Subscriber) -> EmailMultiAlternatives | None:
        return self.compose(subscriber, self.rendered(subscriber.language))

    def compose(self, subscriber: Subscriber, rendered) -> EmailMultiAlternatives:
        """The reader's email from a rendering: their address, their own links."""
        subject, text, html, unsubscribe = rendered
        own = subscriber.token
        message = EmailMultiAlternatives(
            settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
            text.replace(STAND_IN, own),
            to=[formataddr((subscriber.name, subscriber.email))],
            headers=headers(self.issue, subscriber, unsubscribe.replace(STAND_IN, own)),
        )
        message.attach_alternative(html.replace(STAND_IN, own), "text/html")
        return message


def headers(issue: Issue, subscriber: Subscriber, unsubscribe_url: str) -> dict:
    domain = sender_domain()
    return {
        "Message-ID": f"<newsletter.{issue.pk}.{subscriber.pk}@{domain}>",
        # RFC 8058: the mail client's "unsubscribe" button posts to the link, no page between.
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": f"ASM-PACE newsletter <newsletter.{domain}>",
        "Auto-Submitted": "auto-generated",
    }
