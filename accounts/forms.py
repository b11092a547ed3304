from allauth.account.forms import SignupForm
from django import forms
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .handles import normalize_handle, validate_handle
from .models import Language, StakeholderGroup, User
from .timezones import validate_zone, zone_names, zone_of_country

PROFILE_FIELDS = ("name", "stakeholder_group", "organisation", "country", "preferred_language")


class StakeholderFieldsMixin:
    """The stakeholder group is optional on the model (staff need none) but required of people."""

    def _require_stakeholder_fields(self):
        group = self.fields["stakeholder_group"]
        # Radio buttons show every group at once and preselect none: nobody is filed as a
        # miner by accident, which a drop-down's first option would do.
        group.widget = forms.RadioSelect(choices=StakeholderGroup.choices)
        group.choices = StakeholderGroup.choices
        group.required = True
        self.fields["country"].required = True
        self.fields["stakeholder_group"].help_text = _(
            "Who you speak for. It is shown beside everything you write."
        )
        self.fields["organisation"].help_text = _(
            "Optional: the community, co-operative, ministry, NGO or company you belong to."
        )


HANDLE_HELP = _(
    "How others @mention you in the dialogue, for example @amani_bisimwa: letters, digits, "
    "“_”, “-” and “.”, starting with a letter."
)


class HandleFormMixin:
    """The public handle: validated against everyone else's (accounts.handles).

    Left blank, a person's handle stays as it is (at sign-up, one is made from the name). A
    handle left as it is passes even if the rules have changed since it was given.
    """

    def clean_handle(self):
        handle = normalize_handle(self.cleaned_data.get("handle") or "")
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk is not None:
            if not handle or handle == instance.handle:
                return instance.handle
            return validate_handle(handle, exclude_user_id=instance.pk)
        return validate_handle(handle) if handle else ""


class StakeholderSignupForm(HandleFormMixin, StakeholderFieldsMixin, SignupForm):
    """allauth's signup (email and password) plus who the person speaks for."""

    name = User._meta.get_field("name").formfield()
    handle = forms.CharField(
        label=_("Public handle"),
        required=False,
        help_text=format_lazy(
            "{} {}", HANDLE_HELP, _("Left blank, one is made from your name: you can change it.")
        ),
    )
    stakeholder_group = User._meta.get_field("stakeholder_group").formfield()
    organisation = User._meta.get_field("organisation").formfield()
    country = User._meta.get_field("country").formfield()
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=Language.choices)
    accept_code_of_conduct = forms.BooleanField(label=_("I accept the code of conduct"))

    field_order = (
        "name",
        "handle",
        "email",
        "password1",
        "password2",
        *PROFILE_FIELDS[1:],
        "accept_code_of_conduct",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._require_stakeholder_fields()
        if get_language() in Language.values:
            self.fields["preferred_language"].initial = get_language()
        self.fields["accept_code_of_conduct"].help_text = format_html(
            '<a href="{}">{}</a>',
            reverse("portal:page", kwargs={"slug": "code-of-conduct"}),
            _("Read the code of conduct"),
        )
        # allauth hides its honeypot with an inline style, which our Content-Security-Policy
        # blocks; the template hides it with a class instead.
        honeypot = self.fields[settings.ACCOUNT_SIGNUP_FORM_HONEYPOT_FIELD]
        honeypot.widget.attrs = {"tabindex": "-1", "autocomplete": "off"}
        # Out of the tab order and off-screen, yet a screen reader still meets it: say what to do.
        honeypot.label = _("Leave this field empty")

    @transaction.atomic
    def save(self, request):
        # allauth's adapter saves the new person first, with a handle made from their name
        # (User.save); the one they chose replaces it in the same transaction.
        user = super().save(request)
        handle = self.cleaned_data.get("handle")
        if handle and handle != user.handle:
            made = user.handle
            user.handle = handle
            try:
                with transaction.atomic():
                    user.save(update_fields=["handle", "handle_key"])
            except IntegrityError:
                # Taken by someone else since the form was checked: the made one stays, and
                # the profile can change it.
                user.handle = made
        return user


class ProfileForm(HandleFormMixin, StakeholderFieldsMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ("name", "handle", *PROFILE_FIELDS[1:], "time_zone", "follows_what_they_write")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._require_stakeholder_fields()
        # What the page shows as theirs, before any change in this form is saved.
        self.saved_handle = self.instance.handle
        handle = self.fields["handle"]
        handle.help_text = HANDLE_HELP
        # Room for an "@" typed in front, which is taken off.
        handle.max_length = None
        handle.validators = []
        handle.widget.attrs.pop("maxlength", None)
        zone = self.fields["time_zone"]
        zone.widget = forms.Select(
            choices=[
                (
                    "",
                    format_lazy(
                        _("My country's ({zone})"), zone=zone_of_country(self.instance.country)
                    ),
                ),
                *((name, name) for name in sorted(zone_names())),
            ]
        )

    def clean_time_zone(self):
        value = self.cleaned_data.get("time_zone") or ""
        validate_zone(value)
        return value


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account and personal data will be deleted for good.")
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your current password."))
        return password
