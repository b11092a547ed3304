"""The yardstick of bench/throughput.py: a bare Django view that returns 42 KB, served by
gunicorn as the portal is. No database, no middleware, no template: what Django itself costs per
request on this machine, today. `gunicorn --chdir bench bare:application`.
"""

from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="bare-view-only-" + "x" * 40,
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
)

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402

BODY = ("x" * 1023 + "\n").encode() * 42


def page(request):
    return HttpResponse(BODY, content_type="text/html; charset=utf-8")


urlpatterns = [path("", page)]
application = get_wsgi_application()
