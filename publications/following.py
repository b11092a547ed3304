"""Readers who follow the library's topics, and how they are told of something new there: a
study in a topic they follow, or (asked by sites) a case-study site about one. The jobs
(publications.tasks, sites.tasks) call `tell_followers` once what is new is committed."""

from django.contrib.auth import get_user_model
from django.db.models import Q

from core.emails import queue_emails, render_email
from notices.models import Notice
from notices.services import emailed, one_click_headers, stop_email_url, tell_once

from .models import TopicFollow


def followers_of(topic_ids):
    """Active people with an address who follow any of these topics, once each."""
    follows = TopicFollow.objects.filter(topic_id__in=list(topic_ids)).values("user")
    return list(
        get_user_model()
        .objects.filter(pk__in=follows, is_active=True, deleted_at__isnull=True)
        .exclude(Q(email__isnull=True) | Q(email=""))
    )


def tell_followers(*, topic_ids, kind, target, email, context) -> int:
    """A notice to each follower of these topics about `target` (a study or a site), once per
    person; an email (the templates `email`*) to those who want that kind by email. Returns
    the number of emails queued."""
    target_type = target._meta.model_name
    readers = {reader.pk: reader for reader in followers_of(topic_ids)}
    notices = tell_once(
        Notice(
            user_id=reader_id,
            kind=kind,
            cause=f"{target_type}:{target.pk}",
            target_type=target_type,
            target_id=target.pk,
        )
        for reader_id in readers
    )
    wanted = emailed([notice.user_id for notice in notices], kind)
    emails = []
    for reader_id in sorted(wanted):
        reader = readers[reader_id]
        stop_url = stop_email_url(user_id=reader_id, kind=kind)
        emails.append(
            render_email(
                email,
                {**context, "stop_kind_url": stop_url},
                reader=reader,
                headers=one_click_headers(stop_url),
            )
        )
    queue_emails(emails)
    return len(emails)
