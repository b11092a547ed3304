from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.text import render_markdown

from .models import POST_LINK_REL, PostLanguage, ThreadKind

# The language choice that leaves it to forums.languages.detected (in the services).
DETECT = ""

MARKDOWN_HELP = _(
    "Markdown: *italic*, **bold**, [a link](https://example.org), > a quote, - a list. "
    "HTML is removed."
)


class PostForm(forms.Form):
    body = forms.CharField(
        label=_("Your post"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=settings.FORUM_POST_MAX_LENGTH,
        help_text=MARKDOWN_HELP,
    )
    language = forms.ChoiceField(
        label=_("Written in"),
        choices=[(DETECT, _("Detect from the text")), *PostLanguage.choices],
        required=False,
        initial=DETECT,
    )
    reply_to = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["reply_to"]
        else:
            # A new post's language is detected unless its author chooses one (the reader's
            # language is only the detector's fallback for a text too short to tell).
            self.initial = {**self.initial, "language": DETECT}

    def preview_html(self):
        return render_markdown(self.cleaned_data["body"], link_rel=POST_LINK_REL)

    def values(self):
        """The services' keyword arguments; language None when it is to be detected."""
        values = dict(self.cleaned_data)
        values["language"] = values["language"] or None
        return values


class ThreadForm(PostForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=ThreadKind.choices, initial=ThreadKind.DISCUSSION
    )
    context = forms.CharField(
        label=_("Context of the consultation"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("What is asked of the participants, and why. Shown above the thread."),
    )
    field_order = ("title", "kind", "context", "body", "language")

    def __init__(self, *args, allow_consultation=False, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["reply_to"]
        if not allow_consultation:
            del self.fields["kind"]
            del self.fields["context"]

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("kind") == ThreadKind.CONSULTATION
            and not cleaned.get("context", "").strip()
        ):
            self.add_error("context", _("A consultation needs its context."))
        return cleaned


class ConsultationCloseForm(forms.Form):
    outcome = forms.CharField(
        label=_("Outcome"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What the consultation concluded. Shown at the top of the thread."),
    )
