from django.urls import path

from . import views

app_name = "sites"

urlpatterns = [
    path("sites/", views.SiteListView.as_view(), name="list"),
    path("sites.geojson", views.SiteGeoJSONView.as_view(), name="geojson"),
    path("sites/<slug:slug>/", views.SiteDetailView.as_view(), name="detail"),
]
