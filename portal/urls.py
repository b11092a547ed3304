from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("pages/<slug:slug>/", views.PageDetailView.as_view(), name="page"),
    path("sites/", views.SiteListView.as_view(), name="site_list"),
    path("sites.geojson", views.SiteGeoJSONView.as_view(), name="site_geojson"),
    path("sites/<slug:slug>/", views.SiteDetailView.as_view(), name="site_detail"),
    path("search/", views.SearchView.as_view(), name="search"),
]
