from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Mineral


class SiteFilterForm(forms.Form):
    """The query string of /sites/: a country and a mineral, offered only where sites have them."""

    country = forms.ChoiceField(label=_("Country"), required=False)
    mineral = forms.ChoiceField(label=_("Mineral"), required=False)

    def __init__(self, data, *, sites):
        super().__init__(data)
        countries = sorted({site.country for site in sites.only("country")}, key=lambda c: c.name)
        minerals = sorted(Mineral.objects.filter(sites__in=sites).distinct(), key=str)
        everywhere = [("", _("All"))]
        self.fields["country"].choices = everywhere + [(c.code, c.name) for c in countries]
        self.fields["mineral"].choices = everywhere + [(m.slug, m.label) for m in minerals]

    def filters(self) -> dict:
        """The valid, non-empty values; a mistyped or stale parameter is left out, not fatal."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}
