"""A reader's pages: subscribing, confirming, choosing interests, unsubscribing. The links in
emails carry their own credential (a signed token, or the reader's random token), so none of
these needs an account; a link that is not good says why, in a 400 or 404, and changes
nothing."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import FormView, TemplateView

from .. import limits, permissions, services
from ..forms import InterestsForm, SubscribeForm
from ..models import Subscriber

NOINDEX = {"X-Robots-Tag": "noindex"}


class SubscribeView(FormView):
    """The whole form. The footer's and the home's small forms send their address here by GET:
    pages cached for every visitor carry no CSRF token."""

    template_name = "newsletter/subscribe.html"
    form_class = SubscribeForm
    success_url = reverse_lazy("newsletter:subscribe_sent")

    def get_initial(self):
        return {**super().get_initial(), "email": self.request.GET.get("email", "")[:254]}

    def form_valid(self, form):
        if not limits.subscribe_allowed(self.request):
            form.add_error(
                None,
                _(
                    "Too many subscriptions were sent from your connection in the last hour. "
                    "Please try again in an hour."
                ),
            )
            return self.form_invalid(form)
        services.subscriber_subscribe(**form.choices())
        return super().form_valid(form)


class SubscribeSentView(TemplateView):
    """The same answer whether the address was new, waiting or already subscribed."""

    template_name = "newsletter/subscribe_sent.html"


class MemberSubscribeView(LoginRequiredMixin, View):
    """One click on a stakeholder's profile: their address is already confirmed."""

    http_method_names = ["post"]

    def post(self, request):
        if not permissions.can_subscribe_member(request.user):
            raise PermissionDenied
        subscriber = services.member_subscribe(user=request.user)
        messages.success(
            request,
            _("You are subscribed to the newsletter. You can choose what it tells you about."),
        )
        return redirect(subscriber.manage_url())


@method_decorator(never_cache, name="dispatch")
class ConfirmView(View):
    """GET asks (mail scanners open links, and must not subscribe anyone); POST confirms."""

    def get(self, request, token):
        try:
            subscriber = services.confirming(token)
        except services.BadLink as bad:
            return self.bad(bad)
        return self.answer({"subscriber": subscriber})

    def post(self, request, token):
        try:
            subscriber = services.subscriber_confirm(token=token)
        except services.BadLink as bad:
            return self.bad(bad)
        messages.success(request, _("Your subscription is confirmed. Welcome!"))
        return redirect(subscriber.manage_url())

    def bad(self, bad: services.BadLink):
        return self.answer({"reason": bad.reason}, status=400)

    def answer(self, context, status=200):
        return TemplateResponse(
            self.request, "newsletter/confirm.html", context, status=status, headers=NOINDEX
        )


class ReaderMixin:
    """The reader whose token is in the address; 404 for any other."""

    def dispatch(self, request, *args, **kwargs):
        self.subscriber = get_object_or_404(Subscriber, token=kwargs["token"])
        return super().dispatch(request, *args, **kwargs)


@method_decorator(never_cache, name="dispatch")
class ManageView(ReaderMixin, FormView):
    template_name = "newsletter/manage.html"

    def get_form(self, form_class=None):
        if self.request.method == "POST":
            return InterestsForm(data=self.request.POST)
        return InterestsForm.of(self.subscriber)

    def form_valid(self, form):
        services.subscriber_choose(subscriber=self.subscriber, **form.choices())
        messages.success(self.request, _("Your choices are saved."))
        return redirect(self.subscriber.manage_url())

    def get_context_data(self, **kwargs):
        return super().get_context_data(subscriber=self.subscriber, **kwargs)

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        response["X-Robots-Tag"] = "noindex"
        return response


def issue_id(value: str) -> int | None:
    """The issue an unsubscribe link came from; anything else is no issue (str.isdigit() takes
    "²", which int() refuses)."""
    return int(value) if value.isascii() and value.isdigit() and len(value) < 12 else None


# The reader's token is the credential: mail clients post RFC 8058's one-click unsubscribe
# without a CSRF token, and the reader need not be signed in.
@method_decorator([csrf_exempt, never_cache], name="dispatch")
class UnsubscribeView(ReaderMixin, View):
    """GET asks; POST (the page's button, or the mail client's one click) unsubscribes."""

    def get(self, request, token):
        return self.answer(done=not self.subscriber.is_active)

    def post(self, request, token):
        services.subscriber_unsubscribe(
            subscriber=self.subscriber, issue_id=issue_id(request.GET.get("issue", ""))
        )
        return self.answer(done=True)

    def answer(self, **context):
        context.update(
            subscriber=self.subscriber,
            subscribe_url=reverse("newsletter:subscribe"),
        )
        return TemplateResponse(
            self.request, "newsletter/unsubscribe.html", context, headers=NOINDEX
        )
