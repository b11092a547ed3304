from django.http import HttpResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from .responses import answer


@method_decorator(csrf_exempt, name="dispatch")  # harvesters POST forms they never loaded
class EndpointView(View):
    """The one address of the protocol: GET, or POST as application/x-www-form-urlencoded."""

    http_method_names = ["get", "post", "head"]

    def get(self, request):
        return self.respond(request, request.GET)

    def post(self, request):
        return self.respond(request, request.POST)

    def respond(self, request, query):
        body = answer(
            query,
            base_url=request.build_absolute_uri(reverse("oai:endpoint")),
            absolute=request.build_absolute_uri,
        )
        return HttpResponse(body, content_type="text/xml; charset=utf-8")
