from django.urls import path

from . import views

app_name = "opendata"
urlpatterns = [
    path("", views.OpenDataView.as_view(), name="index"),
    path("asm-pace-open-data.zip", views.DumpDownloadView.as_view(), name="download"),
    path("datapackage.json", views.DescriptorDownloadView.as_view(), name="descriptor"),
]
