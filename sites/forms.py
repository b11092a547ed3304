from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country

from core.countries import first_rank

from .models import Mineral


class SiteFilterForm(forms.Form):
    """The query string of /sites/: a country and a mineral, offered only where sites have them."""

    country = forms.ChoiceField(label=_("Country"), required=False)
    mineral = forms.ChoiceField(label=_("Mineral"), required=False)

    def __init__(self, data, *, sites):
        super().__init__(data)
        codes = sites.order_by().values_list("country", flat=True).distinct()
        countries = [(code, str(Country(code).name)) for code in codes]
        minerals = sorted(Mineral.objects.filter(sites__in=sites).distinct(), key=str)
        everywhere = [("", _("All"))]
        # The programme's countries first, as in every list of countries (core.countries).
        countries.sort(key=lambda country: (first_rank(country[0]), country[1]))
        self.fields["country"].choices = everywhere + countries
        self.fields["mineral"].choices = everywhere + [(m.slug, m.label) for m in minerals]

    def filters(self) -> dict:
        """The valid, non-empty values; a mistyped or stale parameter is left out, not fatal."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}
