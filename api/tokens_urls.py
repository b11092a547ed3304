"""The tokens' forms, at people's addresses (in a language): mounted by asmpace.urls."""

from django.urls import path

from . import views

app_name = "api_tokens"

urlpatterns = [
    path("", views.TokenCreateView.as_view(), name="create"),
    path("<int:pk>/revoke/", views.TokenRevokeView.as_view(), name="revoke"),
]
