"""Editors write, preview, test, schedule and send the newsletter's letters here; the weekly
alerts are listed, read only. Readers' addresses are personal data: superusers alone list them.

Every page of our own below asks `can_edit_issues` before it looks the issue up, so that whoever
may not edit learns nothing, not even whether an issue exists."""

import copy

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from publications.models import Kind as StudyKind

from . import services
from .letters import HTML_LIMIT, Letter
from .models import ENGLISH, FRENCH, Issue, IssueKind, IssueState, Subscriber
from .permissions import can_edit_issues, can_read_subscribers
from .sending import issue_counts

PREVIEW_TITLES = {ENGLISH: _("Preview in English"), FRENCH: _("Preview in French")}
# The email's HTML as it is, in a frame of the preview: its inline styles may apply, nothing may
# run, and it may be framed by our own pages only.
PREVIEW_POLICY = (
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'self'; form-action 'none'"
)


def english_instead(issue: Issue) -> list[str]:
    """What French readers get in English, because the French is missing."""
    missing = []
    if not issue.subject_fr:
        missing.append(_("the subject"))
    if not issue.body_fr.strip():
        missing.append(_("the text"))
    return missing


class IssueForm(forms.ModelForm):
    kinds = forms.MultipleChoiceField(
        label=_("for readers of these kinds of study"),
        choices=StudyKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Issue
        fields = ("subject", "subject_fr", "body", "body_fr", "sites", "topics", "kinds", "send_at")

    def clean(self):
        cleaned = super().clean()
        probe = copy.copy(self.instance)
        for name in ("subject", "subject_fr", "body", "body_fr"):
            setattr(probe, name, cleaned.get(name) or "")
        probe.pk = probe.pk or 0  # a new issue's address, for its size only
        letter = Letter(probe)
        for language, label in settings.LANGUAGES:
            size = len(letter.rendered(language)[2].encode())
            if size > HTML_LIMIT:
                raise ValidationError(
                    _(
                        "In %(language)s this email would weigh %(size)d KB: keep it under "
                        "%(limit)d KB. Longer emails are cut short by some mail apps, and "
                        "readers on slow links pay for every byte. Link to a page instead."
                    )
                    % {"language": label, "size": size // 1024, "limit": HTML_LIMIT // 1024}
                )
        return cleaned

    def clean_send_at(self):
        send_at = self.cleaned_data.get("send_at")
        # A scheduled issue goes out at its time: a time moved into the past would send it now.
        if self.instance.state == IssueState.SCHEDULED and "send_at" in self.changed_data:
            services.check_send_at(send_at)
        return send_at


class IssueChangeList(ChangeList):
    def get_results(self, request):
        super().get_results(request)
        issue_counts(self.result_list)  # the page's issues, in two queries


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    form = IssueForm
    change_form_template = "admin/newsletter/issue/change_form.html"
    list_display = (
        "subject",
        "kind",
        "state",
        "send_at",
        "sent_at",
        "sent",
        "failed",
        "waiting",
        "unsubscribed",
    )
    list_filter = ("kind", "state")
    search_fields = ("subject", "subject_fr")
    # Deleting many at once could take sent issues out of the archive: one at a time, drafts.
    actions = None
    readonly_fields = ("kind", "state", "created_by", "created_at", "started_at", "sent_at")
    fieldsets = (
        (None, {"fields": ("subject", "subject_fr", "body", "body_fr")}),
        (
            _("Readers"),
            {
                "fields": ("sites", "topics", "kinds"),
                "description": _(
                    "Nothing ticked: every reader. Otherwise, the readers who chose one of "
                    "these, and those who chose nothing (they asked for everything)."
                ),
            },
        ),
        (
            _("Sending"),
            {"fields": ("send_at", "state", "kind", "created_by", "created_at", "started_at")},
        ),
    )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        # A handful of sites and themes: boxes to tick, readable without JavaScript.
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_changelist(self, request, **kwargs):
        return IssueChangeList

    def has_change_permission(self, request, obj=None):
        if obj is not None and (obj.kind != IssueKind.LETTER or obj.state in FROZEN):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and (obj.kind != IssueKind.LETTER or obj.state in FROZEN):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.kind = IssueKind.LETTER
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("sent"))
    def sent(self, issue):
        return issue.counts["sent"]

    @admin.display(description=_("failed"))
    def failed(self, issue):
        return issue.counts["failed"]

    @admin.display(description=_("waiting"))
    def waiting(self, issue):
        return issue.counts["waiting"]

    @admin.display(description=_("unsubscribed after it"))
    def unsubscribed(self, issue):
        return issue.counts["unsubscribed"]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # Reached once the admin has checked that the user may see this issue.
        if obj is not None:
            issue_counts([obj])
            context.update(
                counts=obj.counts,
                **self.reach_context(obj),
                may_send=can_edit_issues(request.user)
                and obj.kind == IssueKind.LETTER
                and obj.state not in FROZEN,
                may_test=can_edit_issues(request.user) and obj.kind == IssueKind.LETTER,
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def reach_context(self, issue):
        return {"reach": issue.readers().reach(), "english_instead": english_instead(issue)}

    # Pages of our own

    def get_urls(self):
        def named(suffix):
            return f"{self.opts.app_label}_{self.opts.model_name}_{suffix}"

        view = self.admin_site.admin_view
        return [
            path(
                "<int:object_id>/preview/<str:language>/",
                view(self.preview_view),
                name=named("preview"),
            ),
            path(
                "<int:object_id>/preview/<str:language>/email.html",
                view(self.preview_html_view),
                name=named("preview_html"),
            ),
            path("<int:object_id>/test/", view(self.test_view), name=named("test")),
            path("<int:object_id>/schedule/", view(self.schedule_view), name=named("schedule")),
            path("<int:object_id>/send/", view(self.send_view), name=named("send")),
            path(
                "<int:object_id>/unschedule/",
                view(self.unschedule_view),
                name=named("unschedule"),
            ),
            *super().get_urls(),
        ]

    def letter(self, request, object_id) -> Issue:
        if not can_edit_issues(request.user):
            raise PermissionDenied
        return get_object_or_404(Issue, pk=object_id, kind=IssueKind.LETTER)

    def change_url(self, issue):
        return reverse("admin:newsletter_issue_change", args=[issue.pk])

    def rendered(self, request, object_id, language):
        issue = self.letter(request, object_id)
        if language not in PREVIEW_TITLES:
            raise Http404
        return issue, Letter(issue).rendered(language)

    def preview_view(self, request, object_id, language):
        """The email as the language's readers get it: its HTML part framed, its text below."""
        issue, (subject, text, _html, _unsubscribe) = self.rendered(request, object_id, language)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": issue,
            "title": PREVIEW_TITLES[language],
            "language": language,
            "subject": subject,
            "text": text,
            "english_instead": english_instead(issue) if language == FRENCH else [],
        }
        return TemplateResponse(request, "admin/newsletter/issue/preview.html", context)

    def preview_html_view(self, request, object_id, language):
        _issue, (_subject, _text, html, _unsubscribe) = self.rendered(request, object_id, language)
        return HttpResponse(
            html,
            headers={
                "Content-Security-Policy": PREVIEW_POLICY,
                "X-Frame-Options": "SAMEORIGIN",
                "Cache-Control": "private, no-store",
            },
        )

    def test_view(self, request, object_id):
        issue = self.letter(request, object_id)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.email:
            self.message_user(request, _("Your account has no email address."), messages.ERROR)
        else:
            services.issue_send_test(issue=issue, user=request.user)
            self.message_user(
                request,
                _("A test in English and in French was sent to %(email)s, and to no one else.")
                % {"email": request.user.email},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(self.change_url(issue))

    def unschedule_view(self, request, object_id):
        issue = self.letter(request, object_id)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            services.issue_unschedule(issue=issue)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            self.message_user(request, _("The issue is a draft again."), messages.SUCCESS)
        return HttpResponseRedirect(self.change_url(issue))

    def schedule_view(self, request, object_id):
        issue = self.letter(request, object_id)
        return self.confirmed(
            request,
            issue,
            check=lambda: self.check_schedulable(issue),
            act=lambda: services.issue_schedule(issue=issue),
            title=_("Schedule this issue"),
            submit=_("Yes, send it at that time"),
            done=lambda _result: _("The issue is scheduled: it goes out at its time."),
        )

    def send_view(self, request, object_id):
        issue = self.letter(request, object_id)
        return self.confirmed(
            request,
            issue,
            check=lambda: self.check_sendable(issue),
            act=lambda: services.issue_send_now(issue=issue),
            title=_("Send this issue now"),
            submit=_("Yes, send it now"),
            done=lambda count: (
                ngettext(
                    "Sending has started, to %(count)s reader.",
                    "Sending has started, to %(count)s readers.",
                    count,
                )
                % {"count": count}
            ),
        )

    @staticmethod
    def check_schedulable(issue):
        if issue.state != IssueState.DRAFT:
            raise ValidationError(_("Only a draft can be scheduled."))
        services.check_send_at(issue.send_at)

    @staticmethod
    def check_sendable(issue):
        if issue.state in FROZEN:
            raise ValidationError(_("This issue is already being sent or was sent."))

    def confirmed(self, request, issue, *, check, act, title, submit, done):
        """GET: the page that asks, with the readers it reaches. POST: the service does it."""
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        try:
            check()
            if request.method == "POST":
                result = act()
                self.message_user(request, done(result), messages.SUCCESS)
                return HttpResponseRedirect(self.change_url(issue))
            problem = None
        except ValidationError as error:
            problem = " ".join(error.messages)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": issue,
            "title": title,
            "submit": submit,
            "problem": problem,
            **self.reach_context(issue),
        }
        status = 400 if problem and request.method == "POST" else 200
        return TemplateResponse(
            request, "admin/newsletter/issue/confirm.html", context, status=status
        )


FROZEN = (IssueState.SENDING, IssueState.SENT)


class SubscriberState(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("waiting", _("Not confirmed yet")),
            ("active", _("Receiving")),
            ("unsubscribed", _("Unsubscribed")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "waiting":
            return queryset.filter(confirmed_at__isnull=True, unsubscribed_at__isnull=True)
        if value == "active":
            return queryset.active()
        if value == "unsubscribed":
            return queryset.filter(unsubscribed_at__isnull=False)
        return queryset


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    """For the superuser alone, whatever permissions a group is given by hand: to answer a
    reader's question, or to erase an address on request. Readers change their own choices
    through their links; nobody adds one here (double opt-in)."""

    list_display = ("email", "language", "alerts", "created_at", "confirmed_at", "unsubscribed_at")
    list_filter = (SubscriberState, "language", "alerts")
    search_fields = ("email",)
    fields = (
        "email",
        "name",
        "language",
        "user",
        "alerts",
        "sites",
        "topics",
        "created_at",
        "confirmed_at",
        "unsubscribed_at",
        "unsubscribed_from",
    )
    readonly_fields = fields

    def has_module_permission(self, request):
        return can_read_subscribers(request.user)

    def has_view_permission(self, request, obj=None):
        return can_read_subscribers(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return can_read_subscribers(request.user)
