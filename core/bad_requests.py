"""Requests no page can answer, refused with 400 before any view reads them."""

from django.core.exceptions import BadRequest


class NulBytesMiddleware:
    """A NUL byte in the address's parameters is refused: PostgreSQL's text cannot hold one, so
    a filter or search carrying it failed in the database with a 500 (forms already refuse it
    in what is posted, with a message by the field)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.META.get("QUERY_STRING", "") or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            raise BadRequest("A NUL byte in the address")
        return self.get_response(request)
