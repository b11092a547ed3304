from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView

from core import memberpages, pagecache
from core.pagecache import SharedPageMixin
from core.search import InOrder, PageOffsetMixin, uses_postgres
from core.text import json_for_script
from thesaurus.vocabulary import expanded, suggestions

from . import citations, downloads, search, services
from .forms import FACETS, LibrarySearchForm
from .hooks import study_facts
from .models import Publication, Topic


class VisiblePublicationMixin:
    """Unpublished studies answer 404 to everyone but editors, on every URL of a study."""

    def get_publication(self, queryset=None):
        queryset = (queryset or Publication.objects).visible_to(self.request.user)
        return get_object_or_404(queryset, slug=self.kwargs["slug"])


class PublicationListView(SharedPageMixin, PageOffsetMixin, ListView):
    template_name = "publications/publication_list.html"
    context_object_name = "publications"
    paginate_by = 20

    def page_cacheable(self):
        # Searches are not kept: each query would fill the cache with a page read once.
        return not self.request.GET.get("q")

    def get_queryset(self):
        self.form = LibrarySearchForm(self.request.GET)
        self.query = expanded(self.form.query())
        publications = Publication.objects.published().filtered(**self.form.filters())
        self.found = self.figures = None
        if self.query and uses_postgres(publications):
            # One statement finds, counts and ranks the page asked for; the paginator reads
            # only that page of studies.
            offset = self.page_offset()
            self.found = search.found(
                self.query,
                filters=self.form.filters(),
                offset=offset or 0,
                limit=self.paginate_by if offset is not None else None,
            )
            return InOrder(Publication.objects.for_listing(), self.found)
        if self.query:
            publications = search.matching(publications, self.query)
        else:
            # Without a query the figures depend only on the filters: counted once per change
            # of the library (core.pagecache.kept), not at every page.
            filters = urlencode(sorted(self.form.filters().items()))
            self.figures = pagecache.kept(
                f"library-figures {get_language()} {filters}",
                tags=(),
                compute=lambda: {
                    "facets": search.facet_counts(publications),
                    "count": publications.count(),
                },
            )
        return publications.for_listing()

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        if self.figures:
            paginator.count = self.figures["count"]
        return paginator

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        selected = self.form.filters()
        if self.found:
            counts = self.found.facets
        elif self.figures:
            counts = self.figures["facets"]
        else:
            counts = search.facet_counts(self.object_list)
        publications = list(context["publications"])
        snippets = search.snippets(publications, self.query)
        for publication in publications:
            publication.snippet = snippets.get(publication.pk)
        topic = self.followable_topic(selected.get("topic"))
        context.update(
            publications=publications,
            form=self.form,
            query=self.query,
            topic=topic,
            topic_follow=memberpages.hole(self.request, "topic-follow", str(topic.pk))
            if topic
            else "",
            facets=[self.facet(name, str(selected.get(name, "")), counts[name]) for name in FACETS],
            selected_filters=[(name, str(selected[name])) for name in FACETS if name in selected],
            filtering=bool(selected or self.query),
            suggestions=suggestions(self.query)
            if self.query and not context["paginator"].count
            else None,
        )
        return context

    def followable_topic(self, slug):
        """The topic the list is narrowed to, which a reader may follow from here."""
        return Topic.objects.filter(slug=slug).first() if slug else None

    def facet(self, name, selected, counts):
        """A facet's values, each with the link that selects it, or unselects it if selected."""
        if selected and selected not in {value.value for value in counts}:
            counts = [search.FacetValue(selected, selected, 0), *counts]
        # The rest of the address is the same for every value: encoded once (a search's facets
        # hold a few hundred values).
        others = urlencode(
            [(key, value) for key, value in self.request.GET.lists() if key not in {name, "page"}],
            doseq=True,
        )
        values = []
        for value in counts:
            is_selected = value.value == selected
            own = "" if is_selected else urlencode({name: value.value})
            href = "?" + "&".join(part for part in (others, own) if part)
            values.append({"facet": value, "selected": is_selected, "href": href})
        return {"name": name, "label": self.form.fields[name].label, "values": values}


class PublicationDetailView(SharedPageMixin, VisiblePublicationMixin, DetailView):
    template_name = "publications/publication_detail.html"
    context_object_name = "publication"

    def get_object(self):
        visible = Publication.objects.visible_to(self.request.user)
        queryset = visible.for_listing().prefetch_related(
            "topics",
            "coverage",
            Prefetch("translations", queryset=visible.order_by("language")),
        )
        return get_object_or_404(queryset, slug=self.kwargs["slug"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        publication = self.object
        url, pdf_url = citations.absolute_urls(self.request, publication)
        context.update(
            canonical_url=url,
            citation=citations.formatted_citation(publication),
            scholar_meta=citations.scholar_meta(publication, url, pdf_url),
            json_ld=json_for_script(citations.json_ld(publication, url, pdf_url)),
            more_facts=study_facts.ask(self.request, publication),
        )
        return context


class PublicationDownloadView(VisiblePublicationMixin, View):
    """The PDF of a study. A download that begins is counted; who made it is never recorded."""

    def get(self, request, *args, **kwargs):
        publication = self.get_publication()
        served = downloads.serve_publication(request, publication)
        if downloads.should_count(request, publication, served):
            services.download_count_add(publication=publication)
        return served.response


class CitationFileView(VisiblePublicationMixin, View):
    """A study's reference for citation managers, as BibTeX or RIS."""

    extension = "bib"
    formats = {
        "bib": (
            "application/x-bibtex",
            lambda publication, url, _: citations.bibtex(publication, url),
        ),
        "ris": ("application/x-research-info-systems", citations.ris),
    }

    def get(self, request, *args, **kwargs):
        publication = self.get_publication(
            Publication.objects.for_listing().prefetch_related("topics")
        )
        content_type, render = self.formats[self.extension]
        url, pdf_url = citations.absolute_urls(request, publication)
        filename = f"{publication.slug}.{self.extension}"
        response = HttpResponse(
            render(publication, url, pdf_url),
            content_type=f"{content_type}; charset=utf-8",
            headers={"Content-Disposition": content_disposition_header(True, filename)},
        )
        response["Cache-Control"] = (
            "public, max-age=3600" if publication.is_published else "private, no-store"
        )
        return response


def topic_follow_form(request, argument):
    """The "topic-follow" hole of the library narrowed to a topic: this reader's form to follow
    it or stop, or a visitor's link to sign in."""
    context = {"topic_id": argument, "path": request.get_full_path()}
    if request.user.is_authenticated and argument.isdigit():
        context["signed_in"] = True
        # One query, on the library narrowed to a topic only: not a fact of every page.
        context["follows"] = request.user.topic_follows.filter(topic_id=argument).exists()
        context["csrf_token"] = memberpages.hole(request, "csrf")
    return render_to_string("publications/includes/follow_topic.html", context)


class TopicFollowView(LoginRequiredMixin, View):
    """POST topic=<id>, action=follow|unfollow, next=<where to go back>."""

    http_method_names = ["post"]

    def post(self, request):
        topic_id = request.POST.get("topic", "")
        if not topic_id.isdigit():
            raise Http404
        topic = get_object_or_404(Topic, pk=topic_id)
        if request.POST.get("action") == "unfollow":
            if services.topic_unfollow(user=request.user, topic=topic):
                messages.success(
                    request, _("You no longer follow the topic “%(topic)s”.") % {"topic": topic}
                )
        else:
            try:
                services.topic_follow(user=request.user, topic=topic)
            except PermissionDenied:
                messages.error(request, _("Confirm your email address to follow a topic."))
            else:
                messages.success(
                    request,
                    _("You follow the topic “%(topic)s”: you will hear of its new studies.")
                    % {"topic": topic},
                )
        fallback = f"{reverse('publications:list')}?topic={topic.slug}"
        return HttpResponseRedirect(safe_next(request, fallback))


def safe_next(request, fallback: str) -> str:
    """The form's `next` if it is a path of this site, else `fallback`."""
    url = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if safe and url.startswith("/") else fallback


def present_publications(user, notices):
    """A new study (notices.presenters), while the reader may see it."""
    visible = Publication.objects.visible_to(user).only("pk", "slug", "title")
    found = visible.in_bulk({notice.target_id for notice in notices})
    for notice in notices:
        publication = found.get(notice.target_id)
        if publication is not None:
            notice.url = publication.get_absolute_url()
            notice.subject = publication.title
