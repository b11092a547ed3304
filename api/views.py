"""The API's pages for people: its documentation, and the tokens on one's profile page."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from core.hooks import Part

from .models import Token
from .permissions import can_hold_tokens
from .problems import problem
from .services import MAX_ACTIVE_TOKENS, TooManyTokens, token_create, token_revoke

NEW_TOKEN = "api_new_token"  # noqa: S105 (a session key) - in the session, from its making to the page that shows it once


class DocsView(TemplateView):
    """The OpenAPI description read by Swagger UI, served from static/vendor (no other host);
    its one script is a file of ours, so the page keeps the portal's CSP."""

    template_name = "api/docs.html"


def not_found(request, *args, **kwargs):
    return problem(404, "The API has no such address: its description is /api/v1/openapi.json.")


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("What the token is for"),
        max_length=80,
        help_text=_("For example: my research team's harvester."),
    )


class TokenMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_hold_tokens(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def back(self):
        return HttpResponseRedirect(reverse("accounts:profile_edit") + "#api-tokens")


class TokenCreateView(TokenMixin, View):
    def post(self, request):
        form = TokenForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give the token a name of at most 80 characters."))
            return self.back()
        try:
            token, secret = token_create(user=request.user, name=form.cleaned_data["name"])
        except TooManyTokens:
            messages.error(
                request,
                _("You have %(count)s tokens: revoke one before making another.")
                % {"count": MAX_ACTIVE_TOKENS},
            )
            return self.back()
        request.session[NEW_TOKEN] = {"id": token.pk, "secret": secret}
        return self.back()


class TokenRevokeView(TokenMixin, View):
    def post(self, request, pk):
        if token_revoke(user=request.user, token_id=pk):
            messages.success(request, _("The token is revoked: it reads nothing any more."))
        return self.back()


def profile_tokens(request):
    """accounts' profile page asks (accounts.hooks.profile_parts): the reader's tokens, the
    one just made shown once, and the form to make another."""
    user = request.user
    if not can_hold_tokens(user):
        return None
    new = request.session.pop(NEW_TOKEN, None)
    return Part(
        "api/profile_tokens.html",
        {
            "api_tokens": list(Token.objects.active().filter(user=user)),
            "api_new_token": new,
            "api_token_form": TokenForm(),
        },
    )
