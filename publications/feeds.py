from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from core.addresses import StableFeedIds

from .models import Publication


class LatestPublicationsFeed(StableFeedIds, Feed):
    feed_type = Atom1Feed
    title = _("ASM-PACE: new studies")
    subtitle = _("Studies on artisanal and small-scale mining in protected areas.")
    link = reverse_lazy("publications:list")

    def items(self):
        return Publication.objects.published().for_listing().order_by("-published_at")[:20]

    def item_title(self, publication):
        return publication.title

    def item_description(self, publication):
        return publication.abstract

    def item_author_name(self, publication):
        return ", ".join(a.printed_name for a in publication.printed_authors)

    def item_pubdate(self, publication):
        return publication.published_at

    def item_updateddate(self, publication):
        return publication.updated_at

    def item_categories(self, publication):
        return [publication.kind_label]

    def item_enclosure_url(self, publication):
        return publication.get_download_url() if publication.file else None

    def item_enclosure_length(self, publication):
        return publication.file_size

    item_enclosure_mime_type = "application/pdf"
