"""Media in an S3-compatible bucket (django-storages), or on the local disk as before.

What the portal does with a stored file never goes through django-storages' S3 file object, which
copies the whole object into a temporary file when it is opened: downloads are handed to the
bucket by a short-lived signed address, and the portal's own reads (a fingerprint, text
extraction, a move) stream the object with ranged GETs (ObjectReader).
"""

import io
from urllib.parse import parse_qs, unquote, urlsplit

from boto3.exceptions import Boto3Error
from botocore.exceptions import BotoCoreError, ClientError
from django.core.exceptions import ImproperlyConfigured
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

# Read ahead this much at first, doubling while reads go on in order, up to READ_AHEAD_MAX: a
# whole-file read makes few requests, pypdf's jumps about a file fetch little beyond them.
READ_AHEAD = 256 * 1024
READ_AHEAD_MAX = 16 * 1024 * 1024
BUFFER_SIZE = 256 * 1024
# What a storage raises when it cannot take or give a file: a bucket that refuses or is away, a
# disk that is full or read-only.
STORAGE_ERRORS = (OSError, Boto3Error, BotoCoreError, ClientError)


def bucket_options(url: str) -> dict:
    """The storage's options from `s3://[KEY:SECRET@]bucket[/prefix]?endpoint_url=…&region=…`.

    Also `public_endpoint_url` (the bucket's address as readers' browsers reach it, when the
    portal reaches it by another, e.g. inside docker-compose) and `addressing_style`."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.hostname:
        raise ImproperlyConfigured(
            "MEDIA_STORAGE_URL must look like s3://bucket?endpoint_url=http://host:9000"
        )
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    known = {"endpoint_url", "region", "public_endpoint_url", "addressing_style"}
    if unknown := set(query) - known:
        raise ImproperlyConfigured(f"MEDIA_STORAGE_URL: unknown option(s) {sorted(unknown)}")
    # The host part of a URL is lower-cased by urlsplit; a bucket's name is lower-case anyway.
    options = {
        "bucket_name": parts.hostname,
        "location": parts.path.strip("/"),
        "endpoint_url": query.get("endpoint_url"),
        "region_name": query.get("region"),
        "public_endpoint_url": query.get("public_endpoint_url"),
        # A local S3 (MinIO, moto, Garage…) answers at one host: path-style addresses.
        "addressing_style": query.get("addressing_style")
        or ("path" if query.get("endpoint_url") else None),
        "signature_version": "s3v4",
        # A study's file is named after its unique slug: a new one replaces the object whole
        # (as the open-data dump needs, opendata/dumps.py).
        "file_overwrite": True,
        "default_acl": None,
        "querystring_auth": True,
    }
    if parts.username:
        options["access_key"] = unquote(parts.username)
        options["secret_key"] = unquote(parts.password or "")
    return options


class BucketStorage(S3Storage):
    """S3Storage whose signed addresses may name another endpoint than the one the portal uses."""

    def get_default_settings(self):
        return {**super().get_default_settings(), "public_endpoint_url": None}

    @property
    def client(self):
        return self.connection.meta.client

    def key(self, name: str) -> str:
        return self._normalize_name(clean_name(name))

    def url(self, name, parameters=None, expire=None, http_method=None):
        if not self.public_endpoint_url:
            return super().url(name, parameters, expire, http_method)
        # Signing makes no request: a client for the public endpoint signs for it.
        signer = getattr(self._connections, "public_signer", None)
        if signer is None:
            signer = self._create_session().client(
                "s3",
                region_name=self.region_name,
                endpoint_url=self.public_endpoint_url,
                config=self.client_config,
            )
            self._connections.public_signer = signer
        params = {**(parameters or {}), "Bucket": self.bucket_name, "Key": self.key(name)}
        return signer.generate_presigned_url(
            "get_object",
            Params=params,
            ExpiresIn=expire or self.querystring_expire,
            HttpMethod=http_method,
        )


def is_bucket(storage) -> bool:
    return isinstance(storage, S3Storage)


def open_stream(storage, name: str, *, size: int | None = None):
    """A seekable binary stream of a stored file that never copies it whole anywhere."""
    if not is_bucket(storage):
        return storage.open(name, "rb")
    raw = ObjectReader(storage.connection.meta.client, storage.bucket_name, storage.key(name), size)
    return io.BufferedReader(raw, buffer_size=BUFFER_SIZE)


class ObjectReader(io.RawIOBase):
    """An object in a bucket as a seekable file: each read is served by a ranged GET.

    A GET covers the read and some bytes beyond; reads in order carry on in the same response,
    whose window doubles each time, so reading a file through costs a few requests of up to
    READ_AHEAD_MAX, and a jump elsewhere (pypdf reads the end first) costs one small one."""

    def __init__(self, client, bucket: str, key: str, size: int | None = None):
        self.client, self.bucket, self.key = client, bucket, key
        self._size = size
        self.position = 0
        self._body = None  # the open response, its next byte at self.position
        self._body_end = 0  # one past the last byte of the open response
        self._window = READ_AHEAD

    @property
    def size(self) -> int:
        if self._size is None:
            try:
                head = self.client.head_object(Bucket=self.bucket, Key=self.key)
            except ClientError as error:
                if error.response["ResponseMetadata"]["HTTPStatusCode"] == 404:
                    raise FileNotFoundError(self.key) from error
                raise
            self._size = head["ContentLength"]
        return self._size

    def readable(self):
        return True

    def seekable(self):
        return True

    def tell(self):
        return self.position

    def seek(self, offset, whence=io.SEEK_SET):
        if whence == io.SEEK_SET:
            position = offset
        elif whence == io.SEEK_CUR:
            position = self.position + offset
        elif whence == io.SEEK_END:
            position = self.size + offset
        else:
            raise ValueError(f"invalid whence {whence}")
        if position < 0:
            raise ValueError("negative seek position")
        if position != self.position:
            self._drop_body()
            self._window = READ_AHEAD
            self.position = position
        return position

    def readinto(self, buffer) -> int:
        wanted = len(buffer)
        if wanted == 0 or self.position >= self.size:
            return 0
        if self._body is None or self.position >= self._body_end:
            self._open_body(wanted)
        data = self._body.read(min(wanted, self._body_end - self.position))
        if not data:  # the response ended early
            self._drop_body()
            return 0
        buffer[: len(data)] = data
        self.position += len(data)
        return len(data)

    def _open_body(self, wanted: int) -> None:
        continuing = self._body is not None
        self._drop_body()
        if continuing:
            self._window = min(self._window * 2, READ_AHEAD_MAX)
        end = min(self.position + max(wanted, self._window), self.size)
        response = self.client.get_object(
            Bucket=self.bucket, Key=self.key, Range=f"bytes={self.position}-{end - 1}"
        )
        self._body, self._body_end = response["Body"], end

    def _drop_body(self) -> None:
        if self._body is not None:
            self._body.close()
            self._body = None

    def close(self):
        self._drop_body()
        super().close()
