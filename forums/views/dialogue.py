"""Reading and writing the dialogue: forums, threads, posts. Rules live in permissions and
services; these views only ask them and show the answer."""

import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView, TemplateView

from core import memberpages, pagecache
from core.hooks import Part
from core.pagecache import SharedPageMixin

from .. import moderation, permissions, reading, services
from ..balance import dialogue_balance
from ..forms import ConsultationCloseForm, PostForm, ThreadForm
from ..models import Forum, Post, PostStatus, Thread


def visible_forums(user):
    return Forum.objects.filter(pk__in=permissions.visible_forum_ids(user))


def get_forum(user, slug):
    """The forum, or 404 for one that does not exist or that this user may not see."""
    forum = get_object_or_404(Forum, slug=slug)
    if not permissions.can_view_forum(user, forum):
        raise Http404
    return forum


def get_thread(user, forum_slug, pk):
    thread = get_object_or_404(
        Thread.objects.select_related("forum", "author"), pk=pk, forum__slug=forum_slug
    )
    if not permissions.can_view_thread(user, thread):
        raise Http404
    return thread


class ForumIndexView(SharedPageMixin, TemplateView):
    def page_tags(self):
        return ("dialogue",)

    template_name = "forums/index.html"

    def get_context_data(self, **kwargs):
        forums = list(
            visible_forums(self.request.user).select_related(
                "site", "last_post__author", "last_post__thread"
            )
        )
        return super().get_context_data(
            site_forums=[forum for forum in forums if forum.site_id],
            theme_forums=[forum for forum in forums if not forum.site_id],
            **kwargs,
        )


class ForumDetailView(SharedPageMixin, ListView):
    def page_tags(self):
        return ("dialogue",)

    template_name = "forums/forum.html"
    context_object_name = "threads"
    paginate_by = settings.FORUM_THREADS_PER_PAGE

    def get_queryset(self):
        self.forum = get_forum(self.request.user, self.kwargs["slug"])
        user = self.request.user
        moderator = permissions.can_moderate(user, self.forum)
        # What everyone sees, unless the reader moderates or has a thread of their own waiting:
        # then the forum's index gives the order, and its kept count the number of pages.
        self.public = not moderator and not (
            user.is_authenticated and self.forum.threads.waiting_by(user).exists()
        )
        threads = (
            self.forum.threads.filter(is_visible=True)
            if self.public
            else (self.forum.threads.shown_to(user, moderator=moderator))
        )
        # Latest posts are read for the page's threads only (prefetched): joined, they were
        # read for every thread of the forum before the sort picked 25.
        latest = Post.objects.only("pk", "thread", "author", "created_at").select_related("author")
        return (
            threads.select_related("author")
            .prefetch_related(Prefetch("last_post", queryset=latest))
            .order_by("-is_pinned", "-last_post_at", "-pk")
        )

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        if self.public:
            paginator.count = self.forum.thread_count  # kept by services.refresh_counts
        return paginator

    def get_context_data(self, **kwargs):
        user = self.request.user
        context = super().get_context_data(
            forum=self.forum,
            can_start_thread=permissions.can_start_thread(user, self.forum),
            suspension=permissions.active_suspension(user),
            subscription_form=memberpages.hole(
                self.request, "subscription", f"forum:{self.forum.pk}"
            ),
            **kwargs,
        )
        if user.is_authenticated:
            # Each reader's "N new" beside each thread, filled for all of them at once.
            for thread in context["threads"]:
                when = reading.stamp(thread.last_post_at or thread.created_at)
                thread.unread = memberpages.hole(self.request, "unread", f"{thread.pk}:{when}")
        return context


def read_mark(request, thread, posts) -> str:
    """The hole that moves a signed-in reader's read mark to the newest post of the page."""
    if not (request.user.is_authenticated and posts):
        return ""
    newest = max(post.created_at for post in posts)
    return memberpages.hole(request, "read-mark", f"{thread.pk}:{reading.stamp(newest)}")


class PageView(TemplateView):
    """A page whose URL words (forum, pk) are read by the view, not handed to the template."""

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data())


class ThreadDetailView(SharedPageMixin, PageView):
    def page_tags(self):
        return (f"thread:{self.kwargs['pk']}",)

    template_name = "forums/thread.html"

    def get_context_data(self, **kwargs):
        # Before the posts are read: HTML made from them is kept under these versions.
        versions = pagecache.current_versions((f"thread:{self.kwargs['pk']}",))
        user = self.request.user
        thread = get_thread(user, self.kwargs["forum"], self.kwargs["pk"])
        moderator = permissions.can_moderate(user, thread.forum)
        # What everyone sees, unless the reader moderates or has posts of their own waiting.
        public = not moderator and not (
            user.is_authenticated and thread.posts.waiting_by(user).exists()
        )
        shown = (
            thread.posts.approved() if public else thread.posts.shown_to(user, moderator=moderator)
        )
        posts = shown.select_related("author", "reply_to__author").order_by("created_at", "pk")
        paginator = Paginator(posts, settings.FORUM_POSTS_PER_PAGE)
        if public and thread.is_visible:
            paginator.count = thread.reply_count + 1  # kept by services.refresh_counts
        page = paginator.get_page(self.request.GET.get("page"))
        can_reply = permissions.can_reply(user, thread)
        # Authors see "Edit" on their own posts, and no "Flag".
        memberpages.personal_to(self.request, {post.author_id for post in page.object_list})
        return super().get_context_data(
            thread=thread,
            forum=thread.forum,
            page_obj=page,
            posts=with_shared_html(thread, with_decisions(page.object_list), versions),
            balance_html=pagecache.fragments(
                [thread],
                template="forums/includes/balance.html",
                tags=(f"thread:{thread.pk}",),
                context=lambda thread: {"balance": dialogue_balance(thread)},
            )[thread.pk],
            reply_fields=empty_reply_fields(self.request.LANGUAGE_CODE) if can_reply else "",
            subscription_form=memberpages.hole(self.request, "subscription", f"thread:{thread.pk}"),
            read_mark=read_mark(self.request, thread, page.object_list),
            can_reply=can_reply,
            can_facilitate=permissions.can_facilitate(user, thread),
            editable={
                post.pk for post in page.object_list if permissions.can_edit_post(user, post)
            },
            flaggable={post.pk for post in page.object_list if permissions.can_flag(user, post)},
            suspension=permissions.active_suspension(user),
            **kwargs,
        )


def post_location(user, post) -> str:
    """The address of the page of its thread that shows the post, at the post."""
    moderator = permissions.can_moderate(user, post.thread.forum)
    before = (
        post.thread.posts.shown_to(user, moderator=moderator)
        .filter(created_at__lte=post.created_at)
        .exclude(created_at=post.created_at, pk__gt=post.pk)
        .count()
    )
    page = (before - 1) // settings.FORUM_POSTS_PER_PAGE + 1
    query = f"?page={page}" if page > 1 else ""
    return f"{post.thread.get_absolute_url()}{query}#post-{post.pk}"


class PostRedirectView(View):
    """A post's permanent address: the page of its thread that shows it."""

    def get(self, request, pk):
        post = get_object_or_404(Post.objects.select_related("thread__forum"), pk=pk)
        if not permissions.can_view_post(request.user, post):
            raise Http404
        return redirect(post_location(request.user, post))


class FirstUnreadView(View):
    """Where a returning reader goes on in a thread: the first post approved after their read
    mark, or the newest if they have read everything; the thread's start for a new reader."""

    def get(self, request, pk):
        thread = get_object_or_404(Thread.objects.select_related("forum"), pk=pk)
        if not permissions.can_view_thread(request.user, thread):
            raise Http404
        mark = None
        if request.user.is_authenticated:
            mark = thread.read_marks.filter(user=request.user).first()
        if mark is None:
            return redirect(thread.get_absolute_url())
        posts = thread.posts.approved().order_by("created_at", "pk")
        post = posts.filter(created_at__gt=mark.read_until).first() or posts.last()
        if post is None:
            return redirect(thread.get_absolute_url())
        post.thread = thread
        return redirect(post_location(request.user, post))


class WriteView(LoginRequiredMixin, PageView):
    """A form that writes a post: preview re-renders it without saving (no JavaScript needed);
    limits and permissions are checked by the service, whose message is shown on the form."""

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if form.is_valid() and "preview" not in request.POST:
            try:
                return self.save(form)
            except ValidationError as error:
                form.add_error(None, error)
        preview = form.preview_html() if form.is_valid() else ""
        return self.render_to_response(self.get_context_data(form=form, preview=preview))


class ThreadCreateView(WriteView):
    template_name = "forums/thread_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.forum = get_forum(request.user, kwargs["slug"])
        if request.user.is_authenticated and not permissions.can_start_thread(
            request.user, self.forum
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, data=None):
        consultation = permissions.can_start_consultation(self.request.user, self.forum)
        return ThreadForm(data, allow_consultation=consultation)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", self.get_form())
        return super().get_context_data(forum=self.forum, **kwargs)

    def save(self, form):
        thread = services.thread_start(author=self.request.user, forum=self.forum, **form.values())
        say_if_pending(self.request, thread.posts.get())
        return redirect(thread)


class PostReplyView(WriteView):
    template_name = "forums/reply_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.thread = get_thread(request.user, kwargs["forum"], kwargs["pk"])
        if request.user.is_authenticated and not permissions.can_reply(request.user, self.thread):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def reply_to(self, pk):
        """The post replied to or quoted, if `pk` names one this user may see in this thread
        (a link's `?quote=` may hold anything)."""
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            return None
        post = self.thread.posts.select_related("author", "thread__forum").filter(pk=pk).first()
        if post is None or not permissions.can_view_post(self.request.user, post):
            return None
        return post

    def get_form(self, data=None):
        initial = {}
        quoted = self.reply_to(self.request.GET.get("quote") or 0)
        if quoted:
            initial.update(reply_to=quoted.pk, body=quote(quoted))
        return PostForm(data, initial=initial)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", self.get_form())
        return super().get_context_data(thread=self.thread, forum=self.thread.forum, **kwargs)

    def save(self, form):
        values = form.values()
        reply_to = self.reply_to(values.pop("reply_to") or 0)
        post = services.post_reply(
            author=self.request.user, thread=self.thread, reply_to=reply_to, **values
        )
        say_if_pending(self.request, post)
        return redirect(post)


class PostEditView(WriteView):
    template_name = "forums/post_edit.html"

    def dispatch(self, request, *args, **kwargs):
        self.object = get_object_or_404(
            Post.objects.select_related("thread__forum", "author"), pk=kwargs["pk"]
        )
        if not permissions.can_view_post(request.user, self.object):
            raise Http404
        if request.user.is_authenticated and not permissions.can_edit_post(
            request.user, self.object
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, data=None):
        initial = {"body": self.object.body, "language": self.object.language}
        return PostForm(data, initial=initial, editing=True)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", self.get_form())
        return super().get_context_data(
            post=self.object,
            thread=self.object.thread,
            revisions=self.object.revisions.all(),
            **kwargs,
        )

    def save(self, form):
        values = form.values()
        services.post_edit(
            editor=self.request.user,
            post=self.object,
            body=values["body"],
            language=values["language"],
        )
        return redirect(self.object)


class ConsultationCloseView(LoginRequiredMixin, PageView):
    template_name = "forums/consultation_close.html"

    def dispatch(self, request, *args, **kwargs):
        self.thread = get_thread(request.user, kwargs["forum"], kwargs["pk"])
        if request.user.is_authenticated and not permissions.can_facilitate(
            request.user, self.thread
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", ConsultationCloseForm())
        return super().get_context_data(thread=self.thread, **kwargs)

    def post(self, request, *args, **kwargs):
        form = ConsultationCloseForm(request.POST)
        if form.is_valid():
            try:
                moderation.consultation_close(
                    facilitator=request.user,
                    thread=self.thread,
                    outcome=form.cleaned_data["outcome"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The consultation is closed and its outcome shown."))
                return redirect(self.thread)
        return self.render_to_response(self.get_context_data(form=form))


def with_decisions(posts):
    """The page's posts, each not approved carrying `decision`: the log entry that explains it
    (only moderators and the post's author see such posts)."""
    posts = list(posts)
    decisions = moderation.decisions_on(posts)
    for post in posts:
        post.decision = decisions.get(post.pk)
    return posts


@functools.cache
def empty_reply_fields(language):
    """The reply form as a thread page shows it, the same for everyone in a language (its
    labels are in it): made once per process (the form's fields, not its CSRF token)."""
    form = PostForm()
    return render_to_string("forums/includes/post_fields.html", {"form": form})


def with_shared_html(thread, posts, versions):
    """Each approved post carrying `shared_html`: what every reader sees of it, rendered once
    for all readers until the thread or a name in it changes (core.pagecache.fragments)."""
    approved = [post for post in posts if post.is_approved]
    shared = pagecache.fragments(
        approved,
        template="forums/includes/post_content.html",
        tags=(f"thread:{thread.pk}",),
        context=lambda post: {"post": post},
        versions=versions,
    )
    for post in approved:
        post.shared_html = shared[post.pk]
    return posts


def quote(post):
    lines = post.body.strip().splitlines()
    quoted = "\n".join(f"> {line}" if line else ">" for line in lines)
    return f"> **{post.author.display_name}:**\n>\n{quoted}\n\n"


def say_if_pending(request, post):
    if post.status == PostStatus.PENDING:
        messages.info(
            request,
            _("Thank you. Your post is awaiting moderation: others will see it once approved."),
        )


def site_dialogue(request, site, latest=5):
    """Answers sites.hooks.site_page_parts: the site's forum with its latest threads, if there is
    one this reader may see; otherwise a word on the dialogue to come."""
    user = request.user
    forum = Forum.objects.filter(site=site).first()
    context = {}
    if forum is not None and permissions.can_view_forum(user, forum):
        moderator = permissions.can_moderate(user, forum)
        threads = forum.threads.shown_to(user, moderator=moderator).select_related(
            "last_post__author"
        )
        context = {
            "forum": forum,
            "threads": list(threads.order_by("-last_post_at", "-pk")[:latest]),
            "can_start_thread": permissions.can_start_thread(user, forum),
        }
    return Part("forums/includes/site_dialogue.html", context)
