from celery import shared_task
from django.core.mail import EmailMultiAlternatives

RETRIES = {"autoretry_for": (OSError,), "retry_backoff": True, "max_retries": 5}


@shared_task(**RETRIES)
def send_email_message(*, subject, body, from_email, to, html=None, headers=None):
    message = EmailMultiAlternatives(subject, body, from_email, to, headers=headers)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


# Emails queued before this task moved here from accounts name it by its old module: a worker
# started after the move still sends them. Drop it once no queue can hold such a message.
shared_task(name="accounts.tasks.send_email_message", **RETRIES)(send_email_message.run)
