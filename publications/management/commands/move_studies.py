"""Move the studies' PDFs from the local disk to the bucket, or back, checking each one.

Idempotent: a file already in place with the study's SHA-256 is left as it is (its other copy
removed, which finishes a move that was interrupted); a copy that does not match is written
again. A file whose bytes do not match the study's recorded SHA-256 is not moved, and its
source is kept. Names stay the same, so the database needs no change: once moved, set or unset
MEDIA_STORAGE_URL and restart the portal and its workers.
"""

import hashlib
import os
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.management.base import BaseCommand, CommandError

from core.storage import STORAGE_ERRORS, BucketStorage, open_stream
from publications.models import Publication

CHUNK = 1024 * 1024


class Mismatch(Exception):
    pass


class HashingReader:
    """A stream that hashes what is read from it, for an upload that checks as it goes."""

    def __init__(self, stream):
        self.stream, self.digest = stream, hashlib.sha256()

    def read(self, size=-1):
        data = self.stream.read(size)
        self.digest.update(data)
        return data


def sha256_of(storage, name) -> str:
    digest = hashlib.sha256()
    with open_stream(storage, name) as stream:
        for chunk in iter(lambda: stream.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def exists(storage, name) -> bool:
    return storage.exists(name)


def write(target, name, stream) -> None:
    """Write `stream` at exactly `name` (never another name), replacing what is there whole."""
    if isinstance(target, BucketStorage):
        target.client.upload_fileobj(
            stream,
            target.bucket_name,
            target.key(name),
            ExtraArgs={"ContentType": "application/pdf"},
        )
        return
    path = Path(target.path(name))
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}.part")
    try:
        with partial.open("wb") as out:
            for chunk in iter(lambda: stream.read(CHUNK), b""):
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def move(source, target, name, expected: str, *, keep: bool) -> bool:
    """Move one file; True if it was copied, False if it was already in place."""
    if exists(target, name) and (not expected or sha256_of(target, name) == expected):
        if not keep and exists(source, name):
            source.delete(name)
        return False
    if not exists(source, name):
        raise Mismatch("missing from both the source and the target")
    with open_stream(source, name) as stream:
        reader = HashingReader(stream)
        write(target, name, reader)
    copied = reader.digest.hexdigest()
    if expected and copied != expected:
        target.delete(name)
        raise Mismatch(f"its bytes do not match the study's SHA-256 ({copied} ≠ {expected})")
    if sha256_of(target, name) != copied:  # read back what the target holds
        target.delete(name)
        raise Mismatch("the copy read back differs from the source")
    if not keep:
        source.delete(name)
    return True


class Command(BaseCommand):
    help = (
        "Move the studies' PDFs from MEDIA_ROOT to the bucket of MEDIA_STORAGE_URL (--to bucket) "
        "or back (--to disk), checking each against its SHA-256. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--to", choices=["bucket", "disk"], required=True)
        parser.add_argument(
            "--keep", action="store_true", help="Keep the source copy (copy, do not move)."
        )

    def handle(self, *, to, keep, **options):
        if not settings.MEDIA_BUCKET:
            raise CommandError("MEDIA_STORAGE_URL is not set: there is no bucket to move with.")
        bucket = BucketStorage(**settings.MEDIA_BUCKET)
        disk = FileSystemStorage(location=settings.MEDIA_ROOT)
        source, target = (disk, bucket) if to == "bucket" else (bucket, disk)
        moved = present = failed = 0
        studies = Publication.objects.exclude(file="").order_by("pk")
        for name, expected in studies.values_list("file", "file_sha256").iterator():
            try:
                copied = move(source, target, name, expected, keep=keep)
            except (Mismatch, *STORAGE_ERRORS) as error:
                failed += 1
                self.stderr.write(f"{name}: not moved: {error}")
                continue
            moved += copied
            present += not copied
            if copied and options["verbosity"] > 1:
                self.stdout.write(f"{name}: moved")
        summary = f"{moved} moved, {present} already there, {failed} not moved"
        self.stdout.write(summary)
        if failed:
            raise CommandError(f"{summary}: see the messages above; their sources are kept.")
