"""How the dialogue's notices are shown (notices.presenters): asked when they are shown, so
that a reader is never pointed at a post or thread they may no longer see."""

from django.urls import reverse

from notices.models import POST_KINDS
from notices.presenters import presents

from . import permissions
from .models import Post, PostStatus, Thread


@presents("post")
def present_posts(user, notices):
    """A post others wrote is shown while it is public and the reader may read it; a decision
    on the reader's own post, while they may see it (authors see their posts whatever became of
    them)."""
    ids = {notice.target_id for notice in notices}
    posts = (
        Post.objects.select_related("thread__forum")
        .defer("body", "body_html", "text", "search_vector")
        .in_bulk(ids)
    )
    for notice in notices:
        post = posts.get(notice.target_id)
        if post is None or not permissions.can_view_post(user, post):
            continue
        public = post.status == PostStatus.APPROVED and post.thread.is_visible
        if notice.kind in POST_KINDS and not public:
            continue
        notice.url = reverse("forums:post", kwargs={"pk": post.pk})
        notice.subject = post.thread.title


@presents("thread")
def present_threads(user, notices):
    ids = {notice.target_id for notice in notices}
    threads = Thread.objects.select_related("forum").in_bulk(ids)
    for notice in notices:
        thread = threads.get(notice.target_id)
        if thread is not None and permissions.can_view_thread(user, thread):
            notice.url = thread.get_absolute_url()
            notice.subject = thread.title
