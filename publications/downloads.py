"""Sending a study's PDF: conditional and range requests, nginx or bucket hand-off, counting.

Counting never records who downloaded: the cache holds a salted hash for a short while, so that
a repeat counts once, and the database holds only a number per study and day.
"""

import re
from typing import NamedTuple
from urllib.parse import quote

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.crypto import salted_hmac
from django.utils.http import content_disposition_header, http_date, parse_http_date_safe
from django.utils.translation import gettext as _

from core.storage import is_bucket, open_stream

CHUNK_SIZE = 64 * 1024
# A single range: "first-last", "first-" or "-suffix_length". Anything else, several ranges
# included, is ignored and the whole file sent, as RFC 9110 allows. 30 digits is far beyond any
# file and keeps int() away from its limit on huge numbers.
RANGE = re.compile(r"bytes=(\d{0,30})-(\d{0,30})", re.IGNORECASE)
BOTS = re.compile(
    r"bot|crawl|spider|slurp|archiver|facebookexternalhit|embedly|quora link preview|headless"
    r"|python-requests|go-http-client|feedfetcher|mediapartners|lighthouse|pingdom|uptime",
    re.IGNORECASE,
)


class Served(NamedTuple):
    response: HttpResponse
    # The whole file or a range from byte 0: a download begins (not a resume, not a 304).
    from_first_byte: bool


class RangeNotSatisfiable(Exception):
    pass


def serve_publication(request, publication) -> Served:
    if not publication.file:
        raise Http404(_("This study has no file to download."))
    return serve_file(
        request,
        publication.file,
        filename=publication.download_filename,
        etag=f'"{publication.file_sha256}"' if publication.file_sha256 else None,
        last_modified=publication.updated_at,
        # Editors see unpublished studies: no cache on the way may keep a copy of those.
        cache_control="public, max-age=3600" if publication.is_published else "private, no-store",
        size=publication.file_size,
        # An address that works without the portal's checks is never made for a draft.
        signed_redirect=publication.is_published,
    )


def serve_file(
    request,
    file,
    *,
    filename,
    etag,
    last_modified,
    cache_control,
    size=None,
    signed_redirect=False,
) -> Served:
    """A stored file as an attachment, honouring conditional requests and a single range.

    From a bucket, with `signed_redirect`, the answer is a redirect to a signed address of the
    file valid for MEDIA_SIGNED_URL_SECONDS: the reader's Range goes there with it. `size` (known
    from the database) spares asking the bucket."""
    redirect = signed_redirect and is_bucket(file.storage)
    try:
        if size is None or not is_bucket(file.storage):
            size = file.size
    except FileNotFoundError:
        raise Http404(_("The file of this study is missing.")) from None
    modified = int(last_modified.timestamp())
    validators = {"Last-Modified": http_date(modified), "Cache-Control": cache_control}
    if etag:  # none until the file's fingerprint is recorded
        validators["ETag"] = etag

    not_modified = get_conditional_response(request, etag=etag, last_modified=modified)
    if not_modified is not None:  # 304, or 412 when If-Match or If-Unmodified-Since fails
        for name, value in validators.items():
            not_modified[name] = value
        return Served(not_modified, from_first_byte=False)
    try:
        # Through a redirect the bucket judges If-Range by its own validators: the portal only
        # tells a download that begins (counted) from one that resumes.
        byte_range = requested_range(
            request, size, etag=etag, last_modified=modified, judge_if_range=not redirect
        )
    except RangeNotSatisfiable:
        response = HttpResponse(status=416, headers={"Content-Range": f"bytes */{size}"})
        return Served(response, from_first_byte=False)

    first, last = byte_range or (0, size - 1)
    headers = {
        "Content-Type": "application/pdf",
        "Content-Disposition": content_disposition_header(True, filename),
        **validators,
    }
    if redirect:
        location = file.storage.url(
            file.name,
            parameters={
                "ResponseContentDisposition": headers["Content-Disposition"],
                "ResponseContentType": "application/pdf",
                "ResponseCacheControl": cache_control,
            },
            expire=settings.MEDIA_SIGNED_URL_SECONDS,
            http_method="HEAD" if request.method == "HEAD" else "GET",
        )
        # The address expires: nothing on the way may keep this answer.
        response = HttpResponseRedirect(location, headers={"Cache-Control": "private, no-store"})
        return Served(response, from_first_byte=first == 0)
    if settings.PUBLICATION_ACCEL_REDIRECT:
        # nginx sends the bytes, ranges included; Django has checked visibility and decided.
        # nginx must keep these validators (README, Production) to judge If-Range as Django.
        location = settings.PUBLICATION_ACCEL_REDIRECT.rstrip("/") + "/" + quote(file.name)
        response = HttpResponse(headers={**headers, "X-Accel-Redirect": location})
        return Served(response, from_first_byte=first == 0)

    length = last - first + 1
    headers.update({"Content-Length": str(length), "Accept-Ranges": "bytes"})
    if byte_range:
        headers["Content-Range"] = f"bytes {first}-{last}/{size}"
    # HEAD gets the headers GET would get (a range included) without the file being opened.
    body = [] if request.method == "HEAD" else read_bytes(file, first, length, size=size)
    response = StreamingHttpResponse(body, status=206 if byte_range else 200, headers=headers)
    return Served(response, from_first_byte=first == 0)


def requested_range(request, size, *, etag, last_modified, judge_if_range=True):
    """The (first, last) byte positions asked for, or None to send the whole file."""
    header = request.headers.get("Range")
    if_range = request.headers.get("If-Range") if judge_if_range else None
    if not header or (if_range and not validator_matches(if_range, etag, last_modified)):
        return None  # no range, or one computed on an older version of the file
    match = RANGE.fullmatch(header.strip())
    if not match or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if not first:  # the last n bytes
        suffix_length = int(last)
        if suffix_length == 0:
            raise RangeNotSatisfiable
        return max(size - suffix_length, 0), size - 1
    first, last = int(first), int(last) if last else None
    if last is not None and last < first:
        return None  # invalid, hence ignored
    if first >= size:
        raise RangeNotSatisfiable
    return first, size - 1 if last is None else min(last, size - 1)


def validator_matches(if_range, etag, last_modified):
    """If-Range: an entity tag compared strongly (a weak one never matches), or an exact date."""
    if if_range.startswith(('"', "W/")):
        return if_range == etag
    return parse_http_date_safe(if_range) == last_modified


def read_bytes(file, first, length, *, size=None):
    """The bytes from `first`, a chunk at a time; the file is open only while they are read.

    StreamingHttpResponse closes this generator when the response closes, which closes the file
    even when the client went away half-way. From a bucket, ranged GETs, never a local copy.
    """
    with open_stream(file.storage, file.name, size=size) as stream:
        stream.seek(first)
        while length > 0:
            chunk = stream.read(min(CHUNK_SIZE, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk


def should_count(request, publication, served: Served) -> bool:
    """Whether this response begins a new download by a person: a GET, not a bot, not a repeat."""
    if request.method != "GET" or not served.from_first_byte:
        return False
    user_agent = request.headers.get("User-Agent", "").strip()
    if not user_agent or BOTS.search(user_agent):
        return False
    try:
        ip = get_adapter(request).get_client_ip(request)
    except PermissionDenied:  # no address to tell visitors apart
        return False
    # HMAC-SHA256 under a key derived from SECRET_KEY and today's date: the hash cannot be
    # reversed to an address, nor linked to the same visitor's hash on another day.
    today = timezone.localdate().isoformat()
    visitor = salted_hmac(
        f"publications.download.{today}",
        f"{ip}\n{user_agent}\n{publication.pk}",
        algorithm="sha256",
    ).hexdigest()
    return cache.add(
        f"publications:download:{visitor}", True, timeout=settings.PUBLICATION_REPEAT_WINDOW
    )
