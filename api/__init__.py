"""The read-only JSON API at /api/v1/ (issue 18): what the portal shows, for programs.

Built on django-ninja rather than DRF with drf-spectacular: the API only reads, so DRF's
serializers, viewsets and browsable forms would be weight without use, and a second
description layer (spectacular's, 3.0.3 unless told otherwise) would be kept in step with
them by hand where they differ; ninja's pydantic schemas are the validation and the OpenAPI 3.1
description at once. A plain function per endpoint reads the apps' own QuerySets and
permission functions, which decide what is public: the API never has its own idea of it.

What every answer shares (api.guard): a rate limit per client address, personal tokens
(Authorization: Bearer), CORS open for GET without credentials, ETag / Last-Modified with 304,
and RFC 9457 problem details for every error (api.problems).
"""
