"""Dialogue: forums, threads, posts and their revisions, subscriptions, suspensions.

Counts and latest activity are stored on forums and threads and recomputed from the approved
posts whenever one changes (services.refresh_counts), so that lists cost the same however long
the dialogue grows.
"""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, override
from django.utils.translation import gettext_lazy as _

from accounts.models import StakeholderGroup
from core.text import html_to_text, render_markdown

from . import mentions

# Words of the forums' URLs that no forum slug may take.
RESERVED_SLUGS = {"posts", "search", "subscriptions", "unsubscribe", "feeds", "threads"}


def validate_forum_slug(value):
    if value in RESERVED_SLUGS:
        raise ValidationError(_("This word is used by the forums' addresses: choose another."))


# Links in posts are the users' own: search engines are told so and get no referrer to follow.
POST_LINK_REL = "nofollow ugc noopener"


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public: anyone reads, confirmed stakeholders post")
    MEMBERS = "members", _("Members: signed-in people read and post")
    RESTRICTED = "restricted", _("Restricted: only the chosen groups and members see it")


class PostStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting moderation")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    HIDDEN = "hidden", _("Hidden")


class ThreadKind(models.TextChoices):
    DISCUSSION = "discussion", _("Discussion")
    CONSULTATION = "consultation", _("Consultation")


class PostLanguage(models.TextChoices):
    ENGLISH = "en", _("English")
    FRENCH = "fr", _("French")
    OTHER = "other", _("Another language")


POST_LANGUAGES = (PostLanguage.ENGLISH, PostLanguage.FRENCH)


def rendered_post(body: str, language: str) -> tuple[str, str]:
    """A post's (HTML, plain text): its Markdown with its mentions linked, rendered and
    sanitised, what the rendering adds (the note where an image was) in the post's language;
    and the words a reader sees, for excerpts and searches."""
    linked = mentions.linked(body, mentions.people_named(body))
    with override(language if language in POST_LANGUAGES else get_language()):
        html = render_markdown(linked, link_rel=POST_LINK_REL)
    return html, html_to_text(html)


class Forum(models.Model):
    slug = models.SlugField(_("slug"), max_length=80, unique=True, validators=[validate_forum_slug])
    name = models.CharField(_("name in English"), max_length=120)
    name_fr = models.CharField(_("name in French"), max_length=120, blank=True)
    description = models.TextField(_("description in English"), blank=True)
    description_fr = models.TextField(_("description in French"), blank=True)
    site = models.OneToOneField(
        "casesites.Site",
        verbose_name=_("case-study site"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="forum",
        help_text=_("For a site's forum; empty for a thematic one."),
    )
    visibility = models.CharField(
        _("visibility"), max_length=12, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    allowed_groups = models.JSONField(
        _("stakeholder groups admitted"),
        default=list,
        blank=True,
        help_text=_("For a restricted forum: the groups whose members see it."),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("named members"),
        related_name="member_forums",
        blank=True,
        help_text=_("For a restricted forum: people who see it whatever their group."),
    )
    moderators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("forum moderators"),
        related_name="moderated_forums",
        blank=True,
        help_text=_("People who facilitate and moderate this forum only."),
    )
    pre_moderated = models.BooleanField(
        _("pre-moderated"), default=False, help_text=_("Every post waits for a moderator.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    thread_count = models.PositiveIntegerField(default=0, editable=False)
    post_count = models.PositiveIntegerField(default=0, editable=False)
    last_post = models.ForeignKey(
        "Post", on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )

    class Meta:
        verbose_name = _("forum")
        verbose_name_plural = _("forums")
        ordering = ("order", "slug")
        permissions = [("moderate_forum", _("Can moderate every forum"))]

    def __str__(self):
        return self.label

    def get_absolute_url(self):
        return reverse("forums:forum", kwargs={"slug": self.slug})

    @property
    def label(self):
        return self.name_fr if get_language() == "fr" and self.name_fr else self.name

    @property
    def description_label(self):
        french = get_language() == "fr" and self.description_fr
        return self.description_fr if french else self.description

    def group_choices_label(self):
        labels = dict(StakeholderGroup.choices)
        return ", ".join(str(labels.get(code, code)) for code in self.allowed_groups)


class ThreadQuerySet(models.QuerySet):
    def shown_to(self, user, *, moderator=False):
        """Visible threads and the reader's own, whose opening post may still wait; all for a
        moderator of their forum."""
        if moderator:
            return self
        if user.is_authenticated and self.waiting_by(user).exists():
            return self.filter(Q(is_visible=True) | Q(author=user))
        return self.filter(is_visible=True)

    def waiting_by(self, user):
        """The user's own threads that nobody else sees yet (their opening post waits)."""
        return self.filter(author=user, is_visible=False)


class Thread(models.Model):
    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="threads")
    title = models.CharField(_("title"), max_length=200)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="threads"
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=ThreadKind.choices, default=ThreadKind.DISCUSSION
    )
    context = models.TextField(
        _("context"), blank=True, help_text=_("For a consultation: what is asked, and why.")
    )
    context_html = models.TextField(editable=False, default="")
    outcome = models.TextField(_("outcome"), blank=True)
    outcome_html = models.TextField(editable=False, default="")
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    is_pinned = models.BooleanField(_("pinned"), default=False)
    is_locked = models.BooleanField(_("locked"), default=False)
    is_example = models.BooleanField(
        _("example"), default=False, help_text=_("Loaded to show a new portal alive.")
    )
    # The opening post's status: a thread is seen by others once its first post is approved.
    is_visible = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    reply_count = models.PositiveIntegerField(default=0, editable=False)
    last_post = models.ForeignKey(
        "Post", on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )
    last_post_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)

    objects = ThreadQuerySet.as_manager()

    class Meta:
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        ordering = ("-is_pinned", "-last_post_at", "-pk")
        indexes = [
            models.Index(fields=["forum", "is_visible", "-is_pinned", "-last_post_at"]),
            # A forum's newest post (services.forum_last_post), read at every post.
            models.Index(fields=["forum", "is_visible", "-last_post_at"]),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.context_html = render_markdown(self.context, link_rel=POST_LINK_REL)
        self.outcome_html = render_markdown(self.outcome, link_rel=POST_LINK_REL)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("forums:thread", kwargs={"forum": self.forum.slug, "pk": self.pk})

    @property
    def is_consultation(self):
        return self.kind == ThreadKind.CONSULTATION

    @property
    def is_closed(self):
        return self.closed_at is not None


class PostQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=PostStatus.APPROVED)

    def public(self):
        """What the dialogue shows everyone who may read the forum: approved posts of visible
        threads. Only these count, notify, and appear in search and feeds."""
        return self.filter(status=PostStatus.APPROVED, thread__is_visible=True)

    def waiting(self):
        """What waits for a moderator: pending posts and posts with open flags.

        Written as `id IN (pending UNION flagged)` rather than `pending OR EXISTS(open flag)`:
        the OR made PostgreSQL test every post (280 ms at 100,000 posts), the union reads two
        small indexed sets and fetches their posts by primary key (10 ms; bench/dialogue.py)."""
        pending = Post.objects.filter(status=PostStatus.PENDING).order_by().values("pk")
        flagged = Flag.objects.filter(resolved_at__isnull=True).order_by().values("post_id")
        return self.filter(pk__in=pending.union(flagged))

    def shown_to(self, user, *, moderator=False):
        """Approved posts and the reader's own, whatever became of them; all for a moderator."""
        if moderator:
            return self
        if user.is_authenticated and self.waiting_by(user).exists():
            return self.filter(Q(status=PostStatus.APPROVED) | Q(author=user))
        return self.approved()

    def waiting_by(self, user):
        """The user's own posts that nobody else sees: pending, hidden or rejected."""
        return self.filter(author=user).exclude(status=PostStatus.APPROVED)


class Post(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="posts"
    )
    body = models.TextField(_("text"))
    body_html = models.TextField(editable=False)
    # The words a reader sees, without Markdown's syntax: what excerpts and searches read.
    text = models.TextField(editable=False, default="")
    language = models.CharField(
        _("language"), max_length=5, choices=PostLanguage.choices, default=PostLanguage.ENGLISH
    )
    reply_to = models.ForeignKey(
        "self",
        verbose_name=_("in reply to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replies",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PostStatus.choices, default=PostStatus.PENDING
    )
    created_at = models.DateTimeField(_("posted"), default=timezone.now, db_index=True)
    # When others could first see it: digests and feeds follow approvals, not writing.
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True, db_index=True)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    search_vector = SearchVectorField(null=True, editable=False)

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ("created_at", "pk")
        indexes = [
            models.Index(fields=["thread", "status", "created_at"]),
            # The review queue's pending posts, out of all the approved ones.
            models.Index(
                fields=["created_at"],
                condition=Q(status=PostStatus.PENDING),
                name="forums_post_pending",
            ),
            # The dashboard's people taking part per month: read from this index alone (at
            # 100,000 posts, 278 ms reading the table, 89 ms from here).
            models.Index(
                fields=["created_at", "author"],
                condition=Q(status=PostStatus.APPROVED),
                name="forums_post_approved_authors",
            ),
        ]

    def __str__(self):
        return f"{self.author}: {self.thread}"

    def save(self, *args, **kwargs):
        self.body_html, self.text = rendered_post(self.body, self.language)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body_html" in update_fields:
            kwargs["update_fields"] = {*update_fields, "text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("forums:post", kwargs={"pk": self.pk})

    @property
    def is_approved(self):
        return self.status == PostStatus.APPROVED

    @property
    def language_label(self):
        """As get_language_display, without hashing every choice's lazy label at each call."""
        return PostLanguage(self.language).label

    @property
    def lang_attribute(self):
        """The post's language for the HTML lang attribute; empty when it is not known."""
        return "" if self.language == PostLanguage.OTHER else self.language


class PostRevision(models.Model):
    """An earlier version of a post, kept when its author edits it."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField(_("text"))
    language = models.CharField(_("language"), max_length=5, choices=PostLanguage.choices)
    written_at = models.DateTimeField(_("written"))
    replaced_at = models.DateTimeField(_("replaced"), default=timezone.now)
    editor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        ordering = ("post", "-replaced_at")

    def __str__(self):
        return f"{self.post} ({self.written_at:%Y-%m-%d %H:%M})"


class SuspensionQuerySet(models.QuerySet):
    def active(self, at=None):
        at = at or timezone.now()
        return self.filter(Q(until__isnull=True) | Q(until__gt=at), lifted_at__isnull=True)


class Suspension(models.Model):
    """A user may read but not write until `until` (empty: until lifted)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="suspensions"
    )
    reason = models.TextField(_("reason"))
    until = models.DateTimeField(_("until"), null=True, blank=True)
    created_at = models.DateTimeField(_("suspended"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)

    objects = SuspensionQuerySet.as_manager()

    class Meta:
        verbose_name = _("suspension")
        verbose_name_plural = _("suspensions")
        ordering = ("-created_at",)

    def __str__(self):
        return f"{self.user}: {self.until or _('until lifted')}"


class Delivery(models.TextChoices):
    SITE = "site", _("On this site only")
    IMMEDIATE = "immediate", _("An email for each new post")
    DAILY = "daily", _("A daily digest")


class Subscription(models.Model):
    """A reader follows a thread or a whole forum."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions"
    )
    forum = models.ForeignKey(
        Forum, on_delete=models.CASCADE, null=True, blank=True, related_name="subscriptions"
    )
    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, null=True, blank=True, related_name="subscriptions"
    )
    delivery = models.CharField(
        _("delivery"), max_length=10, choices=Delivery.choices, default=Delivery.IMMEDIATE
    )
    created_at = models.DateTimeField(default=timezone.now)
    digested_until = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.CheckConstraint(
                condition=Q(forum__isnull=True) ^ Q(thread__isnull=True),
                name="forums_subscription_one_target",
            ),
            models.UniqueConstraint(fields=("user", "forum"), name="forums_subscription_forum"),
            models.UniqueConstraint(fields=("user", "thread"), name="forums_subscription_thread"),
        ]

    def __str__(self):
        return f"{self.user}: {self.target}"

    @property
    def target(self):
        return self.thread or self.forum


class FlagReason(models.TextChoices):
    SPAM = "spam", _("Spam")
    ABUSIVE = "abusive", _("Abusive or threatening")
    OFF_TOPIC = "off_topic", _("Off-topic")
    MISLEADING = "misleading", _("False or misleading")
    PERSONAL = "personal", _("Personal information")
    OTHER = "other", _("Other")


class Flag(models.Model):
    """A reader's report that a post breaks the code of conduct; one per reader and post."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="flags")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flags"
    )
    reason = models.CharField(_("reason"), max_length=12, choices=FlagReason.choices)
    note = models.TextField(_("note"), blank=True, max_length=1000)
    created_at = models.DateTimeField(_("flagged"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        ordering = ("created_at", "pk")
        constraints = [
            models.UniqueConstraint(fields=("post", "user"), name="forums_flag_once_per_user")
        ]
        indexes = [
            models.Index(
                fields=["post"], condition=Q(resolved_at__isnull=True), name="forums_flag_open"
            )
        ]

    def __str__(self):
        return f"{self.get_reason_display()}: {self.post}"


class ReadMark(models.Model):
    """Where a reader stopped reading a thread: the time of the newest post they were shown.
    One row per reader and thread, moved forward as they read; never a row per post."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="read_marks"
    )
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="read_marks")
    read_until = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("user", "thread"), name="forums_read_mark_once"),
        ]

    def __str__(self):
        return f"{self.user_id}: {self.thread_id} until {self.read_until:%Y-%m-%d %H:%M}"
