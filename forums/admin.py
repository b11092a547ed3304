"""Forums are set up in the admin: visibility, admitted groups, members and moderators.
(The moderation console for threads, posts and people is built on these pages.)"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import StakeholderGroup
from audit.models import Action, ModerationLogEntry
from core.admin_helpers import (
    CheckedAutocompleteMixin,
    CheckedDateHierarchyMixin,
    ReadOnlyAdminMixin,
    ask,
)

from . import moderation
from .admin_queue import ForumFilter, ForumScopedAdmin
from .models import Flag, Forum, Suspension, Thread
from .permissions import is_moderator, is_suspended, moderated_forum_ids


class ForumForm(forms.ModelForm):
    allowed_groups = forms.MultipleChoiceField(
        label=_("Stakeholder groups admitted"),
        choices=StakeholderGroup.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("For a restricted forum: the groups whose members see it."),
    )

    class Meta:
        model = Forum
        fields = (
            "name",
            "name_fr",
            "slug",
            "site",
            "order",
            "description",
            "description_fr",
            "visibility",
            "allowed_groups",
            "members",
            "moderators",
            "pre_moderated",
        )
        help_texts = {
            "moderators": _(
                "People who facilitate and moderate this forum only. To use the review queue "
                "in this admin site they also need “Staff status” on their account; they then "
                "see the threads, posts and flags of their forums and nothing else."
            )
        }

    def clean(self):
        cleaned = super().clean()
        restricted = cleaned.get("visibility") == "restricted"
        if restricted and not cleaned.get("allowed_groups") and not cleaned.get("members"):
            raise forms.ValidationError(
                _("A restricted forum needs at least one admitted group or named member.")
            )
        return cleaned


@admin.register(Forum)
class ForumAdmin(CheckedAutocompleteMixin, admin.ModelAdmin):
    form = ForumForm
    list_display = ("name", "visibility", "site", "thread_count", "post_count", "pre_moderated")
    list_filter = ("visibility", "pre_moderated")
    search_fields = ("name", "name_fr", "slug")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("members", "moderators")
    fieldsets = (
        (None, {"fields": ("name", "name_fr", "slug", "site", "order")}),
        (_("Description"), {"fields": ("description", "description_fr")}),
        (
            _("Who sees it and who moderates it"),
            {"fields": ("visibility", "allowed_groups", "members", "moderators", "pre_moderated")},
        ),
    )


def thread_action(action, description):
    def run(modeladmin, request, queryset):
        for thread in queryset.select_related("forum"):
            moderation.thread_set(moderator=request.user, thread=thread, action=action)
        modeladmin.message_user(request, _("Done."), messages.SUCCESS)

    run.__name__ = action
    run.short_description = description
    run.allowed_permissions = ("change",)
    return run


@admin.register(Thread)
class ThreadAdmin(ForumScopedAdmin):
    forum_path = "forum"
    list_display = (
        "title",
        "forum",
        "kind",
        "is_pinned",
        "is_locked",
        "is_visible",
        "last_post_at",
    )
    list_filter = (
        ForumFilter,
        "kind",
        "is_pinned",
        "is_locked",
        "is_visible",
    )
    list_select_related = ("forum",)
    search_fields = ("title",)
    fields = (
        "title",
        "forum",
        "author",
        "kind",
        "is_pinned",
        "is_locked",
        "is_visible",
        "created_at",
        "last_post_at",
        "reply_count",
        "closed_at",
    )
    # Pinning, locking and moving are logged: only the actions change them.
    readonly_fields = fields
    actions = (
        thread_action(Action.LOCK, _("Lock the selected threads")),
        thread_action(Action.UNLOCK, _("Unlock the selected threads")),
        thread_action(Action.PIN, _("Pin the selected threads")),
        thread_action(Action.UNPIN, _("Unpin the selected threads")),
        "move",
        "close",
    )

    def forum_id_of(self, obj):
        return obj.forum_id

    @admin.action(description=_("Move the selected threads to another forum"))
    def move(self, request, queryset):
        forums = Forum.objects.all()
        if not is_moderator(request.user):
            forums = forums.filter(pk__in=moderated_forum_ids(request.user))

        def move_to(words):
            for thread in queryset.select_related("forum"):
                moderation.thread_set(
                    moderator=request.user,
                    thread=thread,
                    action=Action.MOVE,
                    to_forum=words["to_forum"],
                    reason=words["reason"],
                )
            self.message_user(request, _("Done."), messages.SUCCESS)

        return ask(
            self,
            request,
            queryset,
            MoveForm,
            move_to,
            title=lambda count: (
                ngettext("Move %(count)d thread", "Move %(count)d threads", count)
                % {"count": count}
            ),
            intro=_("The threads and their posts move; both forums are recounted."),
            submit=_("Move"),
            forums=forums,
        )

    @admin.action(description=_("Close the selected consultations with an outcome"))
    def close(self, request, queryset):
        def close_with(words):
            closed = 0
            for thread in queryset.select_related("forum"):
                try:
                    moderation.consultation_close(
                        facilitator=request.user, thread=thread, outcome=words["outcome"]
                    )
                except ValidationError as error:
                    self.message_user(
                        request, f"{thread}: {' '.join(error.messages)}", messages.WARNING
                    )
                else:
                    closed += 1
            self.message_user(
                request,
                ngettext(
                    "%(count)d consultation closed.", "%(count)d consultations closed.", closed
                )
                % {"count": closed},
                messages.SUCCESS,
            )

        return ask(
            self,
            request,
            queryset,
            OutcomeForm,
            close_with,
            title=lambda count: (
                ngettext("Close %(count)d consultation", "Close %(count)d consultations", count)
                % {"count": count}
            ),
            intro=_("Readers see the outcome above the replies; nobody can reply any more."),
            submit=_("Close"),
        )


class OutcomeForm(forms.Form):
    outcome = forms.CharField(
        label=_("Outcome"),
        widget=forms.Textarea({"rows": 6}),
        help_text=_("What the consultation concluded, in Markdown."),
    )


class MoveForm(forms.Form):
    to_forum = forms.ModelChoiceField(label=_("To the forum"), queryset=Forum.objects.none())
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea({"rows": 2}))

    def __init__(self, *args, forums, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_forum"].queryset = forums


class ResolvedFilter(admin.SimpleListFilter):
    title = _("resolved")
    parameter_name = "resolved"

    def lookups(self, request, model_admin):
        return [("no", _("Open")), ("yes", _("Resolved"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(resolved_at__isnull=self.value() == "no")
        return queryset


@admin.register(Flag)
class FlagAdmin(ForumScopedAdmin):
    forum_path = "post__thread__forum"
    list_display = ("created_at", "reason", "post", "user", "note", "resolved_at")
    list_filter = ("reason", ResolvedFilter, ForumFilter)
    list_select_related = ("post__thread", "post__author", "user")
    search_fields = ("note", "post__body", "user__name", "user__email")
    fields = ("post", "user", "reason", "note", "created_at", "resolved_at", "resolved_by")
    readonly_fields = fields

    def forum_id_of(self, obj):
        return obj.post.thread.forum_id


class SuspensionForm(forms.ModelForm):
    class Meta:
        model = Suspension
        fields = ("user", "reason", "until")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "until" not in self.fields:
            return  # an existing suspension's page shows it read-only
        # The admin's date and time boxes share one label; each gets a name of its own.
        date, time = self.fields["until"].widget.widgets
        date.attrs["aria-label"] = _("Suspended until: date")
        time.attrs["aria-label"] = _("Suspended until: time")

    moderator = None  # set by SuspensionAdmin.get_form: who is suspending

    def clean(self):
        cleaned = super().clean()
        user = cleaned.get("user")
        if user is not None and not moderation.may_suspend(self.moderator, user):
            # A form error, not a 403: the page's transaction commits, and with it the log entry.
            moderation.suspension_refused(moderator=self.moderator, user=user)
            self.add_error(
                "user",
                _(
                    "You may not suspend this person: nobody suspends themselves, and only "
                    "a superuser suspends staff or a superuser."
                ),
            )
        if self.errors:
            return cleaned
        try:
            moderation.suspension_check(reason=cleaned["reason"], until=cleaned.get("until"))
        except ValidationError as error:
            self.add_error("until" if error.code == "past" else "reason", error)
        return cleaned


@admin.register(Suspension)
class SuspensionAdmin(CheckedAutocompleteMixin, admin.ModelAdmin):
    """Adding a suspension suspends the user (logged and told); lifting is an action."""

    form = SuspensionForm
    list_display = ("user", "created_at", "until", "lifted_at", "created_by", "reason")
    list_filter = (("lifted_at", admin.EmptyFieldListFilter),)
    list_select_related = ("user", "created_by")
    search_fields = ("user__name", "user__email", "reason")
    autocomplete_fields = ("user",)
    actions = ("lift",)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("user", "reason", "until", "created_at", "created_by", "lifted_at")

    # A suspended moderator neither suspends nor lifts, their own suspension included.
    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and not is_suspended(request.user)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not is_suspended(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not is_suspended(request.user)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.moderator = request.user
        return form

    def save_model(self, request, obj, form, change):
        if change:
            return
        # The form has checked who may suspend whom; the service checks again.
        created = moderation.user_suspend(
            moderator=request.user, user=obj.user, reason=obj.reason, until=obj.until
        )
        obj.pk = created.pk

    @admin.action(description=_("Lift the selected suspensions"), permissions=["change"])
    def lift(self, request, queryset):
        for suspension in queryset.select_related("user"):
            moderation.suspension_lift(moderator=request.user, suspension=suspension)
        self.message_user(request, _("Done."), messages.SUCCESS)


@admin.register(ModerationLogEntry)
class ModerationLogEntryAdmin(CheckedDateHierarchyMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Written by the moderation services, read here, changed and deleted by nobody. The log is
    audit's; its page is here, where a forum's own moderators are known."""

    list_display = ("created_at", "actor_name", "action", "target_type", "target_repr", "reason")
    list_filter = ("action", ("actor", admin.RelatedOnlyFieldListFilter), "created_at")
    search_fields = ("target_repr", "reason")
    date_hierarchy = "created_at"

    def forum_moderator(self, request, obj=None):
        """A staff forum moderator reads the entries about their forums."""
        user = request.user
        forums = moderated_forum_ids(user) if user.is_active and user.is_staff else frozenset()
        return bool(forums) if obj is None else obj.forum_id in forums

    def has_module_permission(self, request):
        return super().has_module_permission(request) or self.forum_moderator(request)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or self.forum_moderator(request, obj)

    def get_queryset(self, request):
        entries = super().get_queryset(request)
        if is_moderator(request.user):
            return entries
        return entries.filter(forum_id__in=moderated_forum_ids(request.user))
