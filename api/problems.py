"""Errors as RFC 9457 problem details: `application/problem+json` with type, title, status and
detail, whatever failed (a bad cursor, an unknown address, a rate limit, a refused token)."""

import json
from http import HTTPStatus

from django.http import HttpResponse

PROBLEM_TYPE = "about:blank"  # RFC 9457 4.2.1: the title is the status's own phrase
CONTENT_TYPE = "application/problem+json"


def problem(status: int, detail: str, *, errors=None, headers=None) -> HttpResponse:
    body = {
        "type": PROBLEM_TYPE,
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=CONTENT_TYPE
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


class Problem(Exception):
    """Raised by an endpoint: answered as a problem of this status."""

    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status = status
        self.detail = detail


def for_api_address(request, status: int):
    """core.errors asks (answered): an error met outside an endpoint, such as a NUL byte
    refused by core.bad_requests, is a problem too below /api/."""
    if not request.path_info.startswith("/api/"):
        return None
    details = {
        400: "This request could not be understood.",
        403: "This request is refused.",
        404: "The API has no such address: its description is /api/v1/openapi.json.",
        503: "The database does not answer: try again in a minute.",
    }
    response = problem(status, details.get(status, "Something failed on our side."))
    response["Access-Control-Allow-Origin"] = "*"
    return response
