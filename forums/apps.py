from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts.hooks import barred, forgotten
from accounts.roles import MODERATORS
from sites.hooks import site_page_parts


class ForumsConfig(AppConfig):
    name = "forums"
    verbose_name = _("Dialogue")
    role_permissions = {
        MODERATORS: {
            "forum": ("view", "add", "change", "moderate"),
            "thread": ("view", "change"),
            "post": ("view", "change"),
            "flag": ("view",),
            "suspension": ("view", "add", "change"),
        }
    }

    # Modules that define models are imported inside the methods: Django loads every app's
    # configuration before any app's models.

    def ready(self):
        from core import memberpages, pagecache
        from core.errors import explained, refused
        from thesaurus.vocabulary import provides

        from . import (
            presenters,  # noqa: F401 - registers how the dialogue's notices show
            reading,
            services,
        )
        from .models import Flag, Post, PostRevision, ReadMark, Subscription, Suspension, Thread
        from .moderation import suspended_attempt_refused, suspension_explained
        from .permissions import is_suspended, page_audience
        from .search import named_forums
        from .views.dialogue import site_dialogue
        from .views.subscriptions import subscription_form

        person = memberpages.person_tag
        pagecache.watch(
            Post,
            lambda post, **kw: ("dialogue", f"thread:{post.thread_id}", person(post.author_id)),
        )
        pagecache.watch(
            Thread,
            lambda thread, **kw: ("dialogue", f"thread:{thread.pk}", person(thread.author_id)),
        )
        # A suspended person is shown their own pages; visitors see nothing of a suspension.
        pagecache.watch(Suspension, lambda suspension, **kw: (person(suspension.user_id),))
        # What a reader follows is in their own subscription forms (views.subscriptions).
        pagecache.watch(Subscription, lambda subscription, **kw: (person(subscription.user_id),))
        # Visitors see none of these; what they change on a page goes through a post's save.
        pagecache.unshown(Flag, PostRevision)
        # Each reader's own, shown only through holes filled for them (reading).
        pagecache.unshown(ReadMark)

        site_page_parts.answer(site_dialogue)
        provides("forum")(named_forums)
        memberpages.audience.answer(page_audience)
        barred.answer(is_suspended)
        forgotten.answer(services.forget_reader)
        refused.answer(suspended_attempt_refused)
        explained.answer(suspension_explained)
        memberpages.fills("subscription")(subscription_form)
        memberpages.fills("read-mark")(reading.read_mark_hole)
        memberpages.fills("unread", prepare=reading.prepare_unread)(reading.unread_hole)

    def load_content(self, *, overwrite: bool) -> str:
        from .content import load_forums

        return load_forums(overwrite=overwrite)
