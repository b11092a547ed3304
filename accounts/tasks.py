from celery import shared_task
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email_message(*, subject, body, from_email, to, html=None, headers=None):
    message = EmailMultiAlternatives(subject, body, from_email, to, headers=headers)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


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
    transaction.on_commit(lambda: send_email_message.delay(**payload))
