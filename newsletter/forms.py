from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from publications.models import Kind as StudyKind
from publications.models import Topic
from sites.models import Site

from .models import Subscriber, validate_one_line


class InterestsForm(forms.Form):
    """What a reader wants: their language, name, and the sites, themes and kinds of study they
    follow (none: all of them)."""

    # Not stripped before it is checked: a line break at either end is refused, not hidden.
    name = forms.CharField(
        label=_("Your name (optional)"),
        max_length=100,
        required=False,
        strip=False,
        validators=[validate_one_line],
    )
    language = forms.ChoiceField(
        label=_("Language of the emails"), choices=settings.LANGUAGES, widget=forms.RadioSelect
    )
    sites = forms.ModelMultipleChoiceField(
        label=_("Sites"),
        queryset=Site.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose none to hear about all of them."),
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Themes"),
        queryset=Topic.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose none to hear about all of them."),
    )
    kinds = forms.MultipleChoiceField(
        label=_("Kinds of study"),
        choices=StudyKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose none to hear about all of them."),
    )
    alerts = forms.BooleanField(
        label=_("Also send me the weekly alerts"),
        required=False,
        help_text=_(
            "New studies, sites, consultations and their outcomes that match, once a week; "
            "none in a week with nothing new."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sites"].queryset = Site.objects.published().with_texts(minerals=False)
        self.fields["language"].initial = (get_language() or settings.LANGUAGE_CODE)[:2]
        self.fields["alerts"].initial = True

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def choices(self) -> dict:
        keys = ("name", "language", "sites", "topics", "kinds", "alerts")
        return {key: self.cleaned_data[key] for key in keys}

    @classmethod
    def of(cls, subscriber: Subscriber, **kwargs):
        initial = {
            "name": subscriber.name,
            "language": subscriber.language,
            "sites": list(subscriber.sites.all()),
            "topics": list(subscriber.topics.all()),
            "kinds": subscriber.kinds,
            "alerts": subscriber.alerts,
        }
        return cls(initial=initial, **kwargs)


class SubscribeForm(InterestsForm):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        error_messages={"invalid": _("Enter an email address such as name@example.org.")},
    )
    field_order = ["email", "name", "language", "sites", "topics", "kinds", "alerts"]

    def choices(self) -> dict:
        return {"email": self.cleaned_data["email"], **super().choices()}
