from celery import shared_task

from . import sending


@shared_task
def start_due_issues() -> int:
    """Beat, every minute: start the issues whose time has come. Each starts once, however
    many beats send this (newsletter.sending.issue_start locks the issue)."""
    return sending.start_due_issues()
