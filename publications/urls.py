from django.urls import path

from . import views
from .feeds import LatestPublicationsFeed

app_name = "publications"

urlpatterns = [
    path("", views.PublicationListView.as_view(), name="list"),
    path("feed/", LatestPublicationsFeed(), name="feed"),
    path("topics/follow/", views.TopicFollowView.as_view(), name="follow_topic"),
    path("<slug:slug>/", views.PublicationDetailView.as_view(), name="detail"),
    path("<slug:slug>/download/", views.PublicationDownloadView.as_view(), name="download"),
    path("<slug:slug>/cite.bib", views.CitationFileView.as_view(extension="bib"), name="bibtex"),
    path("<slug:slug>/cite.ris", views.CitationFileView.as_view(extension="ris"), name="ris"),
]
