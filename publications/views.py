from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.views import View
from django.views.generic import DetailView, ListView

from . import search
from .forms import FACETS, LibrarySearchForm
from .models import Publication


class VisiblePublicationMixin:
    """Unpublished studies answer 404 to everyone but editors, on every URL of a study."""

    def get_publication(self):
        queryset = Publication.objects.visible_to(self.request.user)
        return get_object_or_404(queryset, slug=self.kwargs["slug"])


class PublicationListView(ListView):
    template_name = "publications/publication_list.html"
    context_object_name = "publications"
    paginate_by = 20

    def get_queryset(self):
        self.form = LibrarySearchForm(self.request.GET)
        self.query = self.form.query()
        publications = Publication.objects.published().filtered(**self.form.filters())
        if self.query:
            publications = search.matching(publications, self.query)
        return publications.for_listing()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        selected = self.form.filters()
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


class PublicationDetailView(VisiblePublicationMixin, DetailView):
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


class PublicationDownloadView(VisiblePublicationMixin, View):
    pass


class BibTeXView(VisiblePublicationMixin, View):
    pass


class RISView(VisiblePublicationMixin, View):
    pass
