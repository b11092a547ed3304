from django import forms
from django.utils.translation import gettext_lazy as _

from .search import QUERY_MAX_LENGTH


class SearchForm(forms.Form):
    """The words of a search in a query string (`q`): optional, and refused with a message
    beyond QUERY_MAX_LENGTH characters. Subclasses name what is searched in `query_label`."""

    query_label = _("Search")

    q = forms.CharField(
        label=_("Search"),
        max_length=QUERY_MAX_LENGTH,
        required=False,
        error_messages={
            "max_length": _(
                "A search may be at most %(limit_value)d characters long; "
                "this one has %(show_value)d. Try fewer words."
            )
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].label = self.query_label

    def query(self) -> str:
        """The words, stripped; empty when there are none or the query is refused (too long)."""
        return self.cleaned_data.get("q", "").strip() if self.is_bound and self.is_valid() else ""
