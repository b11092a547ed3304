from django.urls import path

from .feeds import ForumFeed
from .views import dialogue, flags, search, subscriptions

app_name = "forums"

# Fixed words come before the forum slugs that could shadow them (forum slugs may not be these:
# see models.RESERVED_SLUGS).
urlpatterns = [
    path("", dialogue.ForumIndexView.as_view(), name="index"),
    path("posts/<int:pk>/", dialogue.PostRedirectView.as_view(), name="post"),
    path("threads/<int:pk>/unread/", dialogue.FirstUnreadView.as_view(), name="unread"),
    path("posts/<int:pk>/edit/", dialogue.PostEditView.as_view(), name="post_edit"),
    path("posts/<int:pk>/flag/", flags.PostFlagView.as_view(), name="flag"),
    path("search/", search.DialogueSearchView.as_view(), name="search"),
    path("subscriptions/", subscriptions.SubscriptionView.as_view(), name="subscribe"),
    path("unsubscribe/<str:token>/", subscriptions.UnsubscribeView.as_view(), name="unsubscribe"),
    path("<slug:slug>/", dialogue.ForumDetailView.as_view(), name="forum"),
    path("<slug:slug>/new/", dialogue.ThreadCreateView.as_view(), name="thread_new"),
    path("<slug:slug>/feed/", ForumFeed(), name="feed"),
    path("<slug:forum>/<int:pk>/", dialogue.ThreadDetailView.as_view(), name="thread"),
    path("<slug:forum>/<int:pk>/reply/", dialogue.PostReplyView.as_view(), name="reply"),
    path("<slug:forum>/<int:pk>/close/", dialogue.ConsultationCloseView.as_view(), name="close"),
]
