"""Following threads and forums, and leaving them from an email without signing in.
Who may follow what is for permissions to say; the writes are services'."""

import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import ListView

from core import memberpages
from core.memberpages import hole

from .. import notifications, permissions, services
from ..models import Delivery, Forum, Thread


def subscription_form(request, argument):
    """The "subscription" hole of a thread's or forum's page (core.memberpages): this reader's
    form to follow "thread:<id>" or "forum:<id>" by email, or a visitor's link to sign in."""
    path = request.get_full_path()
    if not request.user.is_authenticated:
        return render_to_string("forums/includes/subscribe.html", {"path": path})
    delivery = followed_by(request.user).get(argument)
    form = follow_form(argument, delivery, path, get_language(), fresh=settings.DEBUG)
    # str.replace() drops the rendered template's safe mark: without it a page made for this
    # reader alone (filled while rendering, not after) would show the form as escaped text.
    # Safe: the template escaped its context, and a CSRF token is letters and digits.
    return mark_safe(form.replace(TOKEN_PLACE, hole(request, "csrf")))  # noqa: S308


# Where a form made once for every reader takes this reader's CSRF token.
TOKEN_PLACE = "csrf-token-of-this-reader"  # noqa: S105 - a placeholder, not a secret


def follow_form(argument, delivery, path, language, *, fresh=False):
    """The form of every reader who follows `argument` alike on this page, without its token:
    made once per process (templates are reloaded only in development, where it is made each
    time)."""
    if fresh:
        return _follow_form.__wrapped__(argument, delivery, path, language)
    return _follow_form(argument, delivery, path, language)


@functools.lru_cache(maxsize=4096)
def _follow_form(argument, delivery, path, language):
    kind, target_id = argument.split(":")
    context = {
        "signed_in": True,
        "kind": kind,
        "target_id": target_id,
        "delivery": delivery,
        "deliveries": Delivery.choices,
        "path": path,
        "csrf_token": TOKEN_PLACE,
    }
    return render_to_string("forums/includes/subscribe.html", context)


@memberpages.remembers("follows")
def follows(user):
    return {
        f"thread:{thread}" if thread else f"forum:{forum}": delivery
        for thread, forum, delivery in user.subscriptions.values_list(
            "thread_id", "forum_id", "delivery"
        )
    }


def followed_by(user):
    """{"thread:<id>" or "forum:<id>": delivery} of what the user follows, kept with their
    audience until they change it (a subscription's save or delete bumps their person tag)."""
    return memberpages.fact_of(user, "follows")


def subscription_target(user, data):
    """The thread or forum named by the form; 404 for one this user may not see."""
    try:
        if data.get("thread"):
            thread = get_object_or_404(Thread.objects.select_related("forum"), pk=data["thread"])
            if permissions.can_view_thread(user, thread):
                return thread
        elif data.get("forum"):
            forum = get_object_or_404(Forum, pk=data["forum"])
            if permissions.can_view_forum(user, forum):
                return forum
    except ValueError:
        pass
    raise Http404


class SubscriptionView(LoginRequiredMixin, ListView):
    """GET: "What I follow", every thread and forum this reader follows and still sees, newest
    first, each with its form, and the library's topics they follow. POST thread=<id> or
    forum=<id>, action=subscribe|unsubscribe, delivery=site|immediate|daily, next=<where to go
    back>."""

    http_method_names = ["get", "post"]
    template_name = "forums/following.html"
    context_object_name = "subscriptions"
    paginate_by = 50

    def get_queryset(self):
        user = self.request.user
        visible = sorted(permissions.visible_forum_ids(user))
        shown = Q(thread__is_visible=True) | Q(thread__author=user)  # their own, pending
        return (
            user.subscriptions.filter(
                Q(forum_id__in=visible) | Q(shown, thread__forum_id__in=visible)
            )
            .select_related("thread__forum", "forum")
            .order_by("-created_at", "-pk")
        )

    def get_context_data(self, **kwargs):
        topics = self.request.user.topic_follows.select_related("topic").order_by("topic__name")
        return super().get_context_data(
            deliveries=Delivery.choices, topic_follows=list(topics), **kwargs
        )

    def post(self, request):
        user = request.user
        target = subscription_target(user, request.POST)
        label = target.title if isinstance(target, Thread) else target.label
        if request.POST.get("action") == "unsubscribe":
            if services.subscription_remove(user=user, target=target):
                messages.success(
                    request, _("You no longer follow “%(target)s”.") % {"target": label}
                )
            return self.back(target)
        delivery = request.POST.get("delivery", Delivery.IMMEDIATE)
        try:
            subscription = services.subscription_set(user=user, target=target, delivery=delivery)
        except PermissionDenied:
            messages.error(request, _("Confirm your email address to follow the dialogue."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if subscription.delivery == Delivery.DAILY:
                text = _("You follow “%(target)s”: you will receive a daily digest of new posts.")
            elif subscription.delivery == Delivery.SITE:
                text = _("You follow “%(target)s”: new posts will be in your notifications.")
            else:
                text = _("You follow “%(target)s”: you will receive an email for each new post.")
            messages.success(request, text % {"target": label})
        return self.back(target)

    def back(self, target):
        url = self.request.POST.get("next", "")
        safe = url_has_allowed_host_and_scheme(
            url, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        )
        # A path of this site only: redirect() would take any other word for a view's name.
        return HttpResponseRedirect(
            url if safe and url.startswith("/") else target.get_absolute_url()
        )


# The signed token is the credential: mail clients post RFC 8058's one-click unsubscribe
# without any CSRF token, and the reader need not be signed in.
@method_decorator([csrf_exempt, never_cache], name="dispatch")
class UnsubscribeView(View):
    """GET asks (mail scanners fetch links, and must not unsubscribe anyone); POST does it."""

    template_name = "forums/unsubscribe.html"
    http_method_names = ["get", "post"]

    def dispatch(self, request, token):
        try:
            self.subscriptions = list(notifications.token_subscriptions(token))
        except notifications.BadToken:
            return self.answer(status=400, invalid=True)
        if not self.subscriptions:
            return self.answer(status=404, gone=True)
        return super().dispatch(request, token)

    def get(self, request, token):
        return self.answer()

    def post(self, request, token):
        services.subscriptions_cancel(subscriptions=self.subscriptions)
        return self.answer(done=True)

    def answer(self, status=200, **context):
        subscriptions = getattr(self, "subscriptions", [])
        context["targets"] = [subscription.target for subscription in subscriptions]
        response = TemplateResponse(self.request, self.template_name, context, status=status)
        response["X-Robots-Tag"] = "noindex"
        return response
