"""Flagging a post: a reader tells the moderators that it breaks the code of conduct. The rules
(once per reader, not one's own post, hidden after enough readers) are moderation.post_flag's."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from .. import moderation, permissions
from ..models import Flag, FlagReason, Post

NOTE_MAX_LENGTH = Flag._meta.get_field("note").max_length


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why should moderators look at this post?"),
        choices=FlagReason.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note for the moderators"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the reason is “Other”."),
    )

    def clean(self):
        cleaned = super().clean()
        cleaned["note"] = cleaned.get("note", "").strip()
        if cleaned.get("reason") == FlagReason.OTHER and not cleaned["note"]:
            self.add_error("note", _("Say what is wrong with this post."))
        return cleaned


class PostFlagView(LoginRequiredMixin, TemplateView):
    template_name = "forums/flag_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.post_object = get_object_or_404(
            Post.objects.select_related("thread__forum", "author"), pk=kwargs["pk"]
        )
        if not permissions.can_view_post(request.user, self.post_object):
            raise Http404
        if request.user.is_authenticated and not permissions.may_write(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", FlagForm())
        return super().get_context_data(
            post=self.post_object, thread=self.post_object.thread, **kwargs
        )

    def post(self, request, *args, **kwargs):
        form = FlagForm(request.POST)
        if form.is_valid():
            try:
                moderation.post_flag(
                    user=request.user,
                    post=self.post_object,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, gettext("Thank you: moderators will look at it."))
                return redirect(self.back_to())
        return self.render_to_response(self.get_context_data(form=form))

    def back_to(self):
        """The post; its thread or forum if the flag has just hidden it from this reader."""
        post, user = self.post_object, self.request.user
        if permissions.can_view_post(user, post):
            return post
        if permissions.can_view_thread(user, post.thread):
            return post.thread
        return post.thread.forum
