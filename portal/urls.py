from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("pages/<slug:slug>/", views.PageDetailView.as_view(), name="page"),
    path("search/", views.SearchView.as_view(), name="search"),
]
