"""The archive of past issues, for everyone, in the reader's language."""

from django.views.generic import DetailView, ListView

from core.pagecache import SharedPageMixin

from ..models import Issue


class ArchiveView(SharedPageMixin, ListView):
    template_name = "newsletter/archive.html"
    context_object_name = "issues"
    paginate_by = 20

    def get_queryset(self):
        return Issue.objects.archived().only("pk", "subject", "subject_fr", "sent_at")


class IssueView(SharedPageMixin, DetailView):
    template_name = "newsletter/issue.html"
    context_object_name = "issue"

    def get_queryset(self):
        return Issue.objects.archived()
