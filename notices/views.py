"""The notification centre: the count in every page's header, the list, opening a notice, and
which kinds also come by email."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import FormView, ListView

from core import memberpages

from . import services
from .models import EMAILED_KINDS, EmailOff, Kind, Notice
from .presenters import GROUPED_KINDS, grouped, present

# The header says "99+" beyond this: counting further costs more and tells nobody more.
COUNT_AT_MOST = 99


@memberpages.remembers("unread", tag=services.unread_tag)
def unread(user) -> int:
    return Notice.objects.unread_count_of(user.pk, at_most=COUNT_AT_MOST + 1)


def unread_count(request, argument):
    """The "notices" hole of every page's header (core.memberpages): this reader's unread count
    (services.unread, a fact kept with the reader's others); nothing when there is none."""
    if not request.user.is_authenticated:
        return ""
    count = memberpages.fact_of(request.user, "unread")
    if not count:
        return ""
    shown = f"{COUNT_AT_MOST}+" if count > COUNT_AT_MOST else str(count)
    return format_html(
        '<span class="badge rounded-pill text-bg-warning ms-1">{}'
        '<span class="visually-hidden"> {}</span></span>',
        shown,
        _("unread"),
    )


@method_decorator(never_cache, name="dispatch")
class NoticeListView(LoginRequiredMixin, ListView):
    """Newest first; several new posts in one thread are one line. Notices the reader may no
    longer see are left out, and no longer counted as unread."""

    template_name = "notices/list.html"
    paginate_by = 30

    def get_queryset(self):
        return Notice.objects.filter(user=self.request.user).select_related("actor")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        notices = list(context["object_list"])
        shown = present(self.request.user, notices)
        gone = [notice for notice in notices if not notice.url and notice.read_at is None]
        if gone:
            services.mark_read(user=self.request.user, notices=gone)
        context["groups"] = grouped(shown)
        return context


class NoticeOpenView(LoginRequiredMixin, View):
    """Opening a notice marks it read (with the others of its line) and goes where it points."""

    def get(self, request, pk):
        notice = get_object_or_404(Notice, pk=pk, user=request.user)
        same_line = [notice]
        if notice.kind in GROUPED_KINDS and notice.topic:
            same_line = Notice.objects.filter(
                user=request.user, kind=notice.kind, topic=notice.topic
            ).unread()
        services.mark_read(user=request.user, notices=[notice, *same_line])
        (shown,) = present(request.user, [notice]) or (None,)
        if shown is None:
            messages.info(request, _("What this notification was about is no longer shown."))
            return HttpResponseRedirect(reverse("notices:list"))
        return HttpResponseRedirect(shown.url)


class MarkAllReadView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        services.mark_all_read(user=request.user)
        messages.success(request, _("All your notifications are marked read."))
        return HttpResponseRedirect(reverse("notices:list"))


class EmailChoicesForm(forms.Form):
    by_email = forms.MultipleChoiceField(
        label=gettext_lazy("Also send me an email for"),
        choices=[(kind, label) for kind, label in Kind.choices if kind in EMAILED_KINDS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Everything is on this site in any case. New posts in what you follow come by "
            "email as you chose for each thread or forum."
        ),
    )


class EmailChoicesView(LoginRequiredMixin, FormView):
    template_name = "notices/email_choices.html"
    form_class = EmailChoicesForm
    success_url = reverse_lazy("notices:email")

    def get_initial(self):
        off = set(self.request.user.emails_off.values_list("kind", flat=True))
        return {"by_email": [kind for kind in EMAILED_KINDS if kind not in off]}

    def form_valid(self, form):
        services.email_choices_set(user=self.request.user, by_email=form.cleaned_data["by_email"])
        messages.success(self.request, _("Your email choices are saved."))
        return super().form_valid(form)


# The signed token is the credential: mail clients post RFC 8058's one-click unsubscribe
# without any CSRF token, and the reader need not be signed in.
@method_decorator([csrf_exempt, never_cache], name="dispatch")
class StopEmailView(View):
    """GET asks (mail scanners fetch links, and must not change anything); POST does it."""

    http_method_names = ["get", "post"]

    def dispatch(self, request, token):
        try:
            self.user_id, self.kind = services.token_owner(token)
        except services.BadToken:
            return self.answer(status=400, invalid=True)
        return super().dispatch(request, token)

    def get(self, request, token):
        done = EmailOff.objects.filter(user_id=self.user_id, kind=self.kind).exists()
        return self.answer(done=done)

    def post(self, request, token):
        services.email_stop(user_id=self.user_id, kind=self.kind)
        return self.answer(done=True)

    def answer(self, status=200, **context):
        kind = getattr(self, "kind", None)
        context["kind_label"] = Kind(kind).label if kind else ""
        response = TemplateResponse(self.request, "notices/stop_email.html", context, status=status)
        response["X-Robots-Tag"] = "noindex"
        return response
