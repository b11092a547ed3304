"""The archive as an Atom feed: each issue whole, in the feed's language."""

from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.addresses import StableFeedIds
from core.text import render_markdown

from .models import Issue

FEED_LENGTH = 20


class IssueFeed(StableFeedIds, Feed):
    feed_type = Atom1Feed
    title = _("ASM-PACE newsletter")
    subtitle = _("Issues of the newsletter of the ASM-PACE programme.")
    link = reverse_lazy("newsletter:archive")

    def items(self):
        return Issue.objects.archived()[:FEED_LENGTH]

    def item_title(self, issue):
        return issue.subject_in(get_language())

    def item_description(self, issue):
        # Sanitised by nh3 (core.text).
        return mark_safe(render_markdown(issue.body_in(get_language())))  # noqa: S308

    def item_pubdate(self, issue):
        return issue.sent_at

    def item_updateddate(self, issue):
        return issue.sent_at
