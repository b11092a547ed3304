from celery import shared_task
from django.core.mail import EmailMultiAlternatives
from django.db import transaction

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


def queue_after_commit(task, *args, **kwargs):
    """task.delay(*args, **kwargs) once the current transaction commits. A broker that cannot
    be reached is logged, never an error for the person whose write was saved: their post is
    live, and telling them it failed would make them post it again. (The task itself is then
    lost: an outbox written with the write, which loses nothing, is issue 14's next step.)"""
    transaction.on_commit(lambda: task.delay(*args, **kwargs), robust=True)
