"""The API's first version: ninja's NinjaAPI, its errors as problem details, and its OpenAPI
description completed with what ninja does not say by itself (the optional bearer token, the
problem details of every error)."""

import logging

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from . import dialogue, library, places
from .problems import CONTENT_TYPE, Problem, problem
from .schemas import ProblemOut

logger = logging.getLogger(__name__)

DESCRIPTION = """Read-only open data of the ASM-PACE portal: the library's published studies,
the case-study sites, and the dialogue's approved posts in public forums.

No account is needed. With a personal token (made on your profile page) sent as
`Authorization: Bearer <token>`, you read what you may read on the site, members forums too.

Lists are paged by cursor: pass a page's `next` as `cursor` until it is null. Every answer has
an `ETag` (send it back as `If-None-Match` for a 304), errors are RFC 9457 problem details, and
each address may make a limited number of requests a minute (429 with `Retry-After` beyond)."""

ERRORS = {
    "400": "A filter's value is unknown or a cursor is not one the API gave.",
    "401": "The bearer token is unknown or revoked.",
    "404": "Nothing of this kind is visible at this address.",
    "422": "A parameter does not have the form the description gives.",
    "429": "Too many requests from this address: wait for `Retry-After` seconds.",
}


class PortalAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        # Made once per process and prefix: it is the code's, and costs a quarter of a second.
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        made = self.__dict__.setdefault("_described", {})
        if path_prefix not in made:
            made[path_prefix] = self.described(path_prefix)
        return made[path_prefix]

    def described(self, path_prefix):
        schema = super().get_openapi_schema(path_prefix=path_prefix)
        components = schema.setdefault("components", {})
        components.setdefault("schemas", {})["Problem"] = ProblemOut.model_json_schema()
        components["securitySchemes"] = {
            "bearer": {
                "type": "http",
                "scheme": "bearer",
                "description": "A personal token from your profile page; optional.",
            }
        }
        # Optional: without a token the API answers what a visitor may read.
        schema["security"] = [{}, {"bearer": []}]
        problem_response = {
            "content": {CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
        }
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, description in ERRORS.items():
                    responses[status] = {"description": description, **problem_response}
        return schema


api = PortalAPI(
    title="ASM-PACE open data API",
    version="1.0.0",
    description=DESCRIPTION,
    urls_namespace="api",
    docs_url=None,
)
api.add_router("/", library.router)
api.add_router("/", places.router)
api.add_router("/", dialogue.router)


@api.exception_handler(Problem)
def on_problem(request, error: Problem):
    return problem(error.status, error.detail)


@api.exception_handler(ValidationError)
def on_invalid(request, error: ValidationError):
    errors = [
        {"in": ".".join(str(part) for part in e.get("loc", ())), "message": str(e.get("msg", ""))}
        for e in error.errors
    ]
    detail = "; ".join(f"{e['in']}: {e['message']}" for e in errors) or "Invalid request."
    return problem(422, detail, errors=errors)


@api.exception_handler(Http404)
def on_not_found(request, error):
    return problem(404, "Nothing visible to you has this address.")


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, error):
    return problem(401, "This token is unknown or revoked.")


@api.exception_handler(HttpError)
def on_http_error(request, error: HttpError):
    return problem(error.status_code, str(error))


@api.exception_handler(Exception)
def on_error(request, error):
    logger.exception("API error on %s", request.path)
    return problem(500, "Something failed on our side; it has been logged.")
