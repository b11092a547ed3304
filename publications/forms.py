from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from core.forms import SearchForm

from .models import Kind

FACETS = ("kind", "language", "country", "topic", "year")


class CountryCodeField(forms.CharField):
    """A country's two-letter code. Not a ChoiceField: each form copies a ChoiceField's 250
    choices, a third of a millisecond for every search of the library."""

    def to_python(self, value):
        return super().to_python(value).upper()

    def validate(self, value):
        super().validate(value)
        if value and value not in countries:
            raise forms.ValidationError(_("Choose a country from the list."), code="invalid_choice")


class LibrarySearchForm(SearchForm):
    """The query string of /publications/: a search and one value per facet, all optional."""

    query_label = _("Search the library")
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, required=False)
    country = CountryCodeField(label=_("Country"), max_length=2, required=False)
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
