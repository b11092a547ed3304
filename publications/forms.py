from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from core.forms import SearchForm

from .models import Kind

FACETS = ("kind", "language", "country", "topic", "year")


class LibrarySearchForm(SearchForm):
    """The query string of /publications/: a search and one value per facet, all optional."""

    query_label = _("Search the library")
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, required=False)
    country = forms.ChoiceField(label=_("Country"), choices=countries, required=False)
    topic = forms.SlugField(label=_("Topic"), required=False)
    year = forms.IntegerField(label=_("Year"), min_value=1900, max_value=2100, required=False)

    def filters(self) -> dict:
        """The valid, non-empty values; a mistyped or stale parameter is left out, not fatal."""
        self.is_valid()
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name in FACETS and value not in ("", None)
        }
