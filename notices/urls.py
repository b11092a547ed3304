from django.urls import path

from . import views

app_name = "notices"

urlpatterns = [
    path("", views.NoticeListView.as_view(), name="list"),
    path("<int:pk>/", views.NoticeOpenView.as_view(), name="open"),
    path("read/", views.MarkAllReadView.as_view(), name="read_all"),
    path("email/", views.EmailChoicesView.as_view(), name="email"),
    path("email/stop/<str:token>/", views.StopEmailView.as_view(), name="stop_email"),
]
