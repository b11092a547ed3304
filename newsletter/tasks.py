from celery import shared_task

from outbox.periodic import once_per_period

from . import sending


@shared_task
@once_per_period(50)
def start_due_issues() -> int:
    """Beat, every minute: start the issues whose time has come. Each starts once anyway
    (sending.issue_start locks the issue)."""
    return sending.start_due_issues()
