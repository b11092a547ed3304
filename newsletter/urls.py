from django.urls import path

from .feeds import IssueFeed
from .views import archive, readers

app_name = "newsletter"

urlpatterns = [
    path("", archive.ArchiveView.as_view(), name="archive"),
    path("<int:pk>/", archive.IssueView.as_view(), name="issue"),
    path("feed/", IssueFeed(), name="feed"),
    path("subscribe/", readers.SubscribeView.as_view(), name="subscribe"),
    path("subscribe/sent/", readers.SubscribeSentView.as_view(), name="subscribe_sent"),
    path("subscribe/me/", readers.MemberSubscribeView.as_view(), name="member_subscribe"),
    path("confirm/<str:token>/", readers.ConfirmView.as_view(), name="confirm"),
    path("manage/<str:token>/", readers.ManageView.as_view(), name="manage"),
    path("unsubscribe/<str:token>/", readers.UnsubscribeView.as_view(), name="unsubscribe"),
]
