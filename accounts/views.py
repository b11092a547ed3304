import json

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import DetailView, FormView, UpdateView
from django.views.i18n import set_language

from core.addresses import url_in_language
from core.origin import is_same_origin

from .adapter import remember_language
from .forms import AccountDeleteForm, ProfileForm
from .hooks import profile_parts
from .models import Language, User, VerificationRequest
from .permissions import is_confirmed_stakeholder
from .services import account_delete, account_export, verification_request


class ProfileDetailView(DetailView):
    template_name = "accounts/profile_detail.html"
    context_object_name = "profile"

    def get_object(self):
        pk = self.kwargs["pk"]
        if self.request.user.is_authenticated and self.request.user.pk == pk:
            return self.request.user
        return get_object_or_404(User.objects.public(), pk=pk)


class ProfileUpdateView(LoginRequiredMixin, UpdateView):
    form_class = ProfileForm
    template_name = "accounts/profile_form.html"
    success_url = reverse_lazy("accounts:profile_edit")

    def get_object(self):
        return self.request.user

    def get_context_data(self, **kwargs):
        return super().get_context_data(parts=profile_parts.ask(self.request), **kwargs)

    def form_valid(self, form):
        try:
            with transaction.atomic():
                self.object = form.save()
        except IntegrityError:
            # A handle taken by someone else since the form was checked.
            form.add_error("handle", _("Someone has just taken this handle: choose another."))
            self.request.user.refresh_from_db()
            return self.form_invalid(form)
        language = self.object.preferred_language
        translation.activate(language)
        messages.success(self.request, _("Your profile has been saved."))
        response = HttpResponseRedirect(self.get_success_url())
        remember_language(response, language)
        return response


class AccountExportView(LoginRequiredMixin, View):
    def get(self, request):
        data = account_export(user=request.user)
        response = HttpResponse(
            json.dumps(data, indent=2, ensure_ascii=False, default=str),
            content_type="application/json; charset=utf-8",
        )
        filename = f"asm-pace-my-data-{timezone.now():%Y-%m-%d}.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response


class AccountDeleteView(LoginRequiredMixin, FormView):
    form_class = AccountDeleteForm
    template_name = "accounts/account_delete.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        account_delete(user=self.request.user)
        logout(self.request)
        messages.success(self.request, _("Your account has been deleted."))
        return HttpResponseRedirect(reverse("portal:home"))


@method_decorator(csrf_exempt, name="dispatch")
class LanguageSwitchView(View):
    """Django's set_language, which also remembers the choice on the person's account, and
    goes to the same page at its address in the chosen language (/en/… to /fr/…), even a page
    that Django's translate_url cannot resolve (a 404).

    The switcher is on visitors' cached pages, which hold no CSRF token: the request's origin is
    checked instead (core.origin), so another site still cannot switch anyone's language."""

    def post(self, request):
        if not is_same_origin(request):
            return HttpResponseForbidden(_("This form was sent from another site."))
        response = set_language(request)
        language = request.POST.get("language")
        user = request.user
        known = language in Language.values
        if known and "Location" in response:
            response["Location"] = url_in_language(response["Location"], language)
        if user.is_authenticated and known and user.preferred_language != language:
            user.preferred_language = language
            user.save(update_fields=["preferred_language"])
        return response


class VerificationForm(forms.Form):
    statement = forms.CharField(
        label=_("How a moderator can verify who you speak for"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=VerificationRequest._meta.get_field("statement").help_text,
    )


class VerificationView(LoginRequiredMixin, FormView):
    """Ask for one's affiliation to be verified, and see where the request stands."""

    form_class = VerificationForm
    template_name = "accounts/verification.html"
    success_url = reverse_lazy("accounts:verification")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            latest=self.request.user.verification_requests.order_by("-created_at").first(),
            can_ask=is_confirmed_stakeholder(self.request.user),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            verification_request(user=self.request.user, statement=form.cleaned_data["statement"])
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Thank you: a moderator will look at your request."))
        return super().form_valid(form)


def present_verifications(user, notices):
    """A decision on a person's affiliation (notices.presenters) is theirs, shown with their
    request's page."""
    for notice in notices:
        if notice.target_id == user.pk:
            notice.url = reverse("accounts:verification")
