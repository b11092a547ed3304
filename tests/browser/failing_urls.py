"""The portal's addresses and one that fails, to see the 500 page in a browser."""

from django.urls import path

from asmpace.urls import *  # noqa: F403
from asmpace.urls import urlpatterns as portal_urlpatterns


def fails(request):
    raise RuntimeError("a page that fails, to see the 500 page")


urlpatterns = [path("fails/", fails), *portal_urlpatterns]
