from celery import shared_task
from django.core.mail import EmailMultiAlternatives

from outbox.jobs import job


@job(outside=True)
def send_email(*, subject, body, from_email, to, html=None, headers=None):
    """Send one rendered email. Its Message-ID is its outbox entry's key (core.emails): a
    message sent again after a worker died between the mail server's answer and the commit
    keeps the same Message-ID, which mail stores use to show it once."""
    message = EmailMultiAlternatives(subject, body, from_email, to, headers=headers)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


# Emails queued straight to Celery before the outbox existed name these tasks: a worker started
# after the change still sends them. Drop them once no queue can hold such a message.
RETRIES = {"autoretry_for": (OSError,), "retry_backoff": True, "max_retries": 5}
send_email_message = shared_task(name="core.tasks.send_email_message", **RETRIES)(send_email)
shared_task(name="accounts.tasks.send_email_message", **RETRIES)(send_email)
