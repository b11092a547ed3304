"""/api/v1/: ninja's endpoints, each behind api.guard; the documentation page; and a problem
(not the portal's HTML 404 page) for any other address below /api/v1/."""

from django.urls import path, re_path

from . import views
from .guard import guarded
from .v1 import api

app_name = "api"

endpoints, _app, _namespace = api.urls
for endpoint in endpoints:
    endpoint.callback = guarded(endpoint.callback)

urlpatterns = [
    *endpoints,
    path("docs", guarded(views.DocsView.as_view()), name="docs"),
    re_path(r"^", guarded(views.not_found), name="unknown"),
]
