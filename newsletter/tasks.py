from celery import shared_task

from outbox.periodic import once_per_period

from . import alerts, sending


@shared_task
@once_per_period(50)
def start_due_issues() -> int:
    """Beat, every minute: start the issues whose time has come. Each starts once anyway
    (sending.issue_start locks the issue)."""
    return sending.start_due_issues()


@shared_task
@once_per_period(7 * 24 * 3600)
def start_weekly_alerts() -> int | None:
    """Beat, each Monday: the week's alerts. The lock saves a second beat's work; what makes
    one issue a week is the period's unique constraint (newsletter.alerts.alerts_start).
    Returns the issue's id."""
    issue = alerts.alerts_start()
    return issue.pk if issue is not None else None
