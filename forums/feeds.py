"""An Atom feed of each public forum's latest approved posts.

A feed reader signs in as nobody: a forum gets a feed only if a visitor may read it, and every
other forum answers 404, as its pages do to a visitor.
"""

from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from core.addresses import StableFeedIds

from . import permissions
from .models import Forum, Post

FEED_LENGTH = 30


class ForumFeed(StableFeedIds, Feed):
    feed_type = Atom1Feed

    def get_object(self, request, slug):
        forum = get_object_or_404(Forum, slug=slug)
        if not permissions.can_view_forum(AnonymousUser(), forum):
            raise Http404
        return forum

    def title(self, forum):
        return _("ASM-PACE dialogue: %(forum)s") % {"forum": forum.label}

    def subtitle(self, forum):
        return forum.description_label or _("New posts in this forum of the ASM-PACE dialogue.")

    def link(self, forum):
        return forum.get_absolute_url()

    def items(self, forum):
        return (
            Post.objects.public()
            .filter(thread__forum=forum)
            .select_related("thread", "author")
            .order_by("-created_at", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, post):
        return f"{post.thread.title} — {post.author.display_name}"

    def item_description(self, post):
        return post.body_html  # rendered from Markdown and sanitised (nh3) when saved

    def item_link(self, post):
        # The post's permanent address; without its language, its Atom id (unique, never reused).
        return post.get_absolute_url()

    def item_author_name(self, post):
        return post.author.display_name

    def item_pubdate(self, post):
        return post.created_at

    def item_updateddate(self, post):
        return post.edited_at or post.created_at
