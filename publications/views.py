from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import get_language
from django.views import View
from django.views.generic import DetailView, ListView

from core import pagecache
from core.pagecache import SharedPageMixin
from core.search import InOrder, PageOffsetMixin, uses_postgres
from core.text import json_for_script

from . import citations, downloads, search, services
from .forms import FACETS, LibrarySearchForm
from .hooks import study_facts
from .models import Publication


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
        self.query = self.form.query()
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
            listed = Publication.objects.defer("text", "search_vector", "rank_vector")
            return InOrder(listed.for_listing(), self.found)
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
        context.update(
            publications=publications,
            form=self.form,
            query=self.query,
            facets=[self.facet(name, str(selected.get(name, "")), counts[name]) for name in FACETS],
            filtering=bool(selected or self.query),
        )
        return context

    def facet(self, name, selected, counts):
        """A facet's values, each with the link that selects it, or unselects it if selected."""
        if selected and selected not in {value.value for value in counts}:
            counts = [search.FacetValue(selected, selected, 0), *counts]
        values = []
        for value in counts:
            params = self.request.GET.copy()
            params.pop("page", None)
            is_selected = value.value == selected
            if is_selected:
                params.pop(name, None)
            else:
                params[name] = value.value
            values.append(
                {"facet": value, "selected": is_selected, "href": f"?{params.urlencode()}"}
            )
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
