"""The review queue: posts waiting for a decision (pending, or flagged and not yet resolved),
oldest first, decided in bulk with one reason through `moderation.post_decide`.

Who sees what: the Moderators group (and superusers) everything; a forum's own moderators,
if they are staff, only the threads, posts and flags of their forums.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from audit.models import Action
from core.admin_helpers import CheckedDateHierarchyChangeList, ReadOnlyAdminMixin

from . import moderation
from .models import Flag, Forum, Post, PostRevision, PostStatus
from .permissions import is_moderator, is_suspended, moderated_forum_ids


def author_history(author_ids):
    """{author id: (approved, rejected, flagged) post counts}, for the authors given: one query."""
    counts = (
        Post.objects.filter(author_id__in=set(author_ids))
        .order_by()
        .values("author_id")
        .annotate(
            approved=Count("pk", filter=Q(status=PostStatus.APPROVED)),
            rejected=Count("pk", filter=Q(status=PostStatus.REJECTED)),
            flagged=Count("pk", filter=Q(Exists(Flag.objects.filter(post=OuterRef("pk"))))),
        )
    )
    return {row["author_id"]: (row["approved"], row["rejected"], row["flagged"]) for row in counts}


class QueueChangeList(CheckedDateHierarchyChangeList):
    """The page's posts, each with its author's history, counted for the page's authors only
    (a correlated count per row read every post of every author shown: 120 ms at 100,000)."""

    def get_results(self, request):
        super().get_results(request)
        history = author_history(post.author_id for post in self.result_list)
        for post in self.result_list:
            counts = history.get(post.author_id, (0, 0, 0))
            post.approved_count, post.rejected_count, post.flagged_count = counts


class ForumFilter(admin.SimpleListFilter):
    """The forums this user moderates (all, for the Moderators group), without reading the
    posts to find which forums have some."""

    title = _("forum")
    parameter_name = "forum"

    def __init__(self, request, params, model, model_admin):
        self.forum_path = model_admin.forum_path
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        forums = Forum.objects.order_by("order", "name")
        if not is_moderator(request.user):
            forums = forums.filter(pk__in=moderated_forum_ids(request.user))
        return [(str(forum.pk), forum.label) for forum in forums]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(**{self.forum_path: self.value()})
        return queryset


class ForumScopedAdmin(admin.ModelAdmin):
    """Full access for the Moderators group; a staff forum moderator, their forums only."""

    forum_path = "thread__forum"

    def forum_id_of(self, obj):
        raise NotImplementedError

    def full_access(self, request):
        return is_moderator(request.user)

    def scoped(self, request, obj=None):
        user = request.user
        if not (user.is_active and user.is_staff) or is_suspended(user):
            return False
        forums = moderated_forum_ids(user)
        return bool(forums) if obj is None else self.forum_id_of(obj) in forums

    def has_module_permission(self, request):
        return super().has_module_permission(request) or self.scoped(request)

    def has_view_permission(self, request, obj=None):
        if self.full_access(request):
            return super().has_view_permission(request, obj)
        return self.scoped(request, obj)

    def has_change_permission(self, request, obj=None):
        if self.full_access(request):
            return super().has_change_permission(request, obj)
        return self.scoped(request, obj)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Threads, posts and flags are decided on (hidden, rejected, resolved), which is logged
        # and reversible; deleting them here would be neither.
        return False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.full_access(request):
            return queryset
        ids = moderated_forum_ids(request.user)
        return queryset.filter(**{f"{self.forum_path}__in": ids})

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            # Another forum's object, or none at all: it does not exist for this user.
            raise Http404
        return obj

    def changelist_view(self, request, extra_context=None):
        """An action including an object outside the user's forums is refused as a whole."""
        selected = request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME)
        if request.method == "POST" and selected and not self.full_access(request):
            allowed = self.get_queryset(request).filter(pk__in=selected).count()
            if allowed != len(set(selected)):
                raise PermissionDenied
        return super().changelist_view(request, extra_context)


class WaitingFilter(admin.SimpleListFilter):
    title = _("review queue")
    parameter_name = "waiting"

    def lookups(self, request, model_admin):
        return [("yes", _("Waiting for a decision"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.waiting()
        return queryset


class RevisionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PostRevision
    fields = ("written_at", "replaced_at", "editor", "language", "body")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False

    # The post's own page decides who sees it; revisions are never edited here.
    def has_view_permission(self, request, obj=None):
        return True


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("One reason for every selected post; each author reads it."),
    )


def decide_action(decision, description):
    def action(modeladmin, request, queryset):
        return modeladmin.decide(request, queryset, decision)

    action.__name__ = decision
    action.short_description = description
    action.allowed_permissions = ("change",)
    return action


@admin.register(Post)
class PostAdmin(ForumScopedAdmin):
    # Few, wide columns: a moderator reads the text and who wrote it, on a laptop screen too.
    list_display = ("created_at", "excerpt", "author_summary", "flag_reasons", "status")
    list_display_links = ("created_at", "excerpt")
    list_filter = (
        WaitingFilter,
        "status",
        "author__stakeholder_group",
        ForumFilter,
    )
    list_select_related = ("thread", "author")
    search_fields = ("body", "thread__title", "author__name", "author__email")
    date_hierarchy = "created_at"
    ordering = ("created_at", "pk")
    show_full_result_count = False  # counting every post ever written, for "(N total)"
    list_per_page = 50
    fields = (
        "thread",
        "author",
        "reply_to",
        "status",
        "language",
        "body",
        "created_at",
        "approved_at",
        "edited_at",
    )
    readonly_fields = fields
    inlines = (RevisionInline,)
    actions = (
        decide_action(Action.APPROVE, _("Approve the selected posts")),
        decide_action(Action.REJECT, _("Reject the selected posts")),
        decide_action(Action.HIDE, _("Hide the selected posts")),
        decide_action(Action.RESTORE, _("Restore the selected posts")),
        decide_action(Action.KEEP, _("Keep the selected posts: their flags are unfounded")),
    )

    def forum_id_of(self, obj):
        return obj.thread.forum_id

    def get_queryset(self, request):
        open_flags = Flag.objects.filter(resolved_at__isnull=True).order_by("created_at", "pk")
        return (
            super()
            .get_queryset(request)
            .defer("body_html", "search_vector")
            .prefetch_related(Prefetch("flags", queryset=open_flags, to_attr="open_flags"))
        )

    def get_changelist(self, request, **kwargs):
        return QueueChangeList

    @admin.display(description=_("text"))
    def excerpt(self, post):
        """The words the thread shows (images as a note), never the Markdown written."""
        return format_html(
            "<strong>{}</strong><br>{}", post.thread, Truncator(post.text).chars(160)
        )

    @admin.display(description=_("author"), ordering="author__stakeholder_group")
    def author_summary(self, post):
        author = post.author
        history = _("%(approved)s approved, %(rejected)s rejected, %(flagged)s flagged") % {
            "approved": post.approved_count,
            "rejected": post.rejected_count,
            "flagged": post.flagged_count,
        }
        return format_html(
            "{}{}<br>{}<br><small>{}</small>",
            author.display_name,
            _(" (verified)") if author.is_verified else "",
            author.get_stakeholder_group_display() or "-",
            history,
        )

    @admin.display(description=_("open flags"))
    def flag_reasons(self, post):
        return (
            "; ".join(
                f"{flag.get_reason_display()}: {flag.note}"
                if flag.note
                else flag.get_reason_display()
                for flag in post.open_flags
            )
            or "-"
        )

    def decide(self, request, queryset, decision):
        """The confirmation page asks for one reason; then each post goes through
        `moderation.post_decide`. Without a required reason nothing is changed."""
        reason_needed = moderation.POST_DECISIONS[decision][2]
        posts = list(queryset.select_related("thread__forum", "author"))
        form = DecisionForm(request.POST if "confirm" in request.POST else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            try:
                moderation.decision_check(decision=decision, reason=reason)
            except ValidationError as error:
                form.add_error("reason", error)
            else:
                self.apply(request, posts, decision, reason)
                return None
        return TemplateResponse(
            request,
            "admin/forums/post/decide.html",
            {
                **self.admin_site.each_context(request),
                "title": decision_heading(decision, len(posts)),
                "opts": self.model._meta,
                "action": decision,
                "posts": posts,
                "form": form,
                "reason_needed": reason_needed,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    def apply(self, request, posts, decision, reason):
        done, skipped = 0, []
        for post in posts:
            try:
                moderation.post_decide(
                    moderator=request.user, post=post, decision=decision, reason=reason
                )
            except ValidationError as error:
                skipped.append(f"{post.pk}: {' '.join(error.messages)}")
            else:
                done += 1
        self.message_user(
            request,
            ngettext("%(count)d post decided.", "%(count)d posts decided.", done) % {"count": done},
            messages.SUCCESS,
        )
        for line in skipped:
            self.message_user(request, line, messages.WARNING)


def decision_heading(decision, count) -> str:
    """The confirmation page's heading: what is about to be done, to how many posts."""
    headings = {
        Action.APPROVE: ngettext("Approve %(count)d post", "Approve %(count)d posts", count),
        Action.REJECT: ngettext("Reject %(count)d post", "Reject %(count)d posts", count),
        Action.HIDE: ngettext("Hide %(count)d post", "Hide %(count)d posts", count),
        Action.RESTORE: ngettext("Restore %(count)d post", "Restore %(count)d posts", count),
        Action.KEEP: ngettext(
            "Keep %(count)d flagged post: its flags are unfounded",
            "Keep %(count)d flagged posts: their flags are unfounded",
            count,
        ),
    }
    return headings[decision] % {"count": count}
