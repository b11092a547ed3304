"""Searching the dialogue: what forums.search finds for this reader, a page at a time."""

from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView

from core.forms import SearchForm
from core.search import PageOffsetMixin, uses_postgres
from thesaurus.vocabulary import expanded, suggestions

from .. import search
from ..models import Post


class DialogueSearchForm(SearchForm):
    query_label = _("Search the dialogue")


class DialogueSearchView(PageOffsetMixin, ListView):
    template_name = "forums/search.html"
    context_object_name = "posts"
    paginate_by = 20

    def get_queryset(self):
        self.form = DialogueSearchForm(self.request.GET or None)
        self.query = expanded(self.form.query())
        if not self.query:
            return Post.objects.none()
        # On PostgreSQL one statement finds, counts and ranks the page asked for.
        offset = self.page_offset()
        limit = self.paginate_by if offset is not None else None
        return search.matching(self.request.user, self.query, offset=offset or 0, limit=limit)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            posts=search.with_snippets(context["posts"], self.query),
            form=self.form,
            query=self.query,
            ranked_at_most=search.RANKED_AT_MOST if uses_postgres(Post.objects) else None,
            suggestions=suggestions(self.query)
            if self.query and not context["paginator"].count
            else None,
        )
        return context
