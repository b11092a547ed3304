"""The open-data dump: every table of tables.py as a CSV file in one ZIP, with its
`datapackage.json` (a Frictionless Data Package: each column's type and meaning, the licence).

Built streaming: each table is written into its ZIP member row by row as the rows come from the
database, so memory does not grow with the data. Built atomically: into a temporary file beside
the stored one, then put in its place, so a reader gets the old dump or the new one, never half.
Built from one snapshot of the database (REPEATABLE READ on PostgreSQL, one transaction on
SQLite), so that every id a table names is in the table it names.
"""

import contextlib
import csv
import datetime
import io
import json
import logging
import os
import re
import tempfile
import uuid
import zipfile
from dataclasses import dataclass

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core.storage import open_stream

from .tables import TABLES

logger = logging.getLogger(__name__)

NAME = "opendata/asm-pace-open-data.zip"
FILENAME = "asm-pace-open-data.zip"
PACKAGE = "datapackage.json"
LICENCE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
# A post or a name may hold an email address someone typed: a dump is easy to harvest, so no
# address leaves in it, whoever wrote it.
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
EMAIL_REMOVED = "[email address removed]"
DESCRIPTION = _(
    "Everything public on the ASM-PACE portal: its studies, case-study sites and public "
    "dialogue. Never an email address, nor anything pending, hidden, rejected, restricted or "
    "unpublished."
)


def csv_value(value):
    """A value as Table Schema reads it by default: ISO dates and times in UTC, true/false."""
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return EMAIL.sub(EMAIL_REMOVED, value) if "@" in value else value
    return value


def package(*, created: datetime.datetime, rows: dict[str, int]) -> dict:
    """The Data Package descriptor, in English (the page translates its descriptions)."""
    return {
        "name": "asm-pace-open-data",
        "title": "ASM-PACE portal: open data",
        "description": str(DESCRIPTION),
        "created": created.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "licenses": [LICENCE],
        "resources": [
            {
                "name": table.name,
                "path": table.path,
                "title": str(table.title),
                "description": str(table.description),
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "rows": rows[table.name],
                "schema": schema(table),
            }
            for table in TABLES
        ],
    }


def schema(table) -> dict:
    described = {"fields": [column.schema() for column in table.columns]}
    if table.primary_key:
        described["primaryKey"] = list(table.primary_key)
    if table.references:
        described["foreignKeys"] = [
            {
                "fields": column,
                # A table naming its own rows (a reply naming a post) says "" (Table Schema).
                "reference": {"resource": "" if other == table.name else other, "fields": field},
            }
            for column, other, field in table.references
        ]
    return described


def write_zip(stream) -> dict:
    """Write every table and the descriptor into `stream`; return the descriptor."""
    created = timezone.now()
    rows = {}
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in TABLES:
            with archive.open(member_info(table.path, created), "w", force_zip64=True) as member:
                text = io.TextIOWrapper(member, encoding="utf-8", newline="")
                writer = csv.writer(text, lineterminator="\n")
                writer.writerow(column.name for column in table.columns)
                count = 0
                for row in table.rows():
                    writer.writerow([csv_value(value) for value in row])
                    count += 1
                text.flush()
                text.detach()  # the member is closed by its `with`, not by the wrapper
            rows[table.name] = count
        descriptor = package(created=created, rows=rows)
        body = json.dumps(descriptor, ensure_ascii=False, indent=2)
        archive.writestr(member_info(PACKAGE, created), body)
    return descriptor


def member_info(name, created) -> zipfile.ZipInfo:
    """A member dated when the build began (in UTC), not 1980 as zipfile's default."""
    info = zipfile.ZipInfo(name, date_time=created.astimezone(datetime.UTC).timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


@contextlib.contextmanager
def snapshot():
    """One view of the database for the whole build (inside a transaction begun elsewhere, a
    test's, that transaction's)."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def dump_build(storage=None) -> dict:
    """Build the dump and put it in place of the stored one. Returns its descriptor."""
    storage = storage or default_storage
    with translation.override("en"), snapshot():
        return store_atomically(storage, NAME, write_zip)


def store_atomically(storage, name, write):
    """write(file) into a temporary file, then in place of `name` in one step."""
    final = local_path(storage, name)
    if final is None:  # a remote storage (S3): its save replaces an object whole
        with tempfile.TemporaryFile() as stream:
            result = write(stream)
            stream.seek(0)
            stored = storage.save(name, File(stream, name=os.path.basename(name)))
        if stored != name:
            raise RuntimeError(
                f"The storage kept the dump as {stored!r}, not {name!r}: let it overwrite "
                "files (django-storages' S3 does by default, file_overwrite=True)."
            )
        return result
    os.makedirs(os.path.dirname(final), exist_ok=True)
    temporary = f"{final}.{uuid.uuid4().hex}.part"
    try:
        with open(temporary, "wb") as stream:
            result = write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, final)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(temporary)
    return result


def local_path(storage, name):
    try:
        return storage.path(name)
    except NotImplementedError:
        return None


@dataclass(frozen=True)
class Dump:
    """The stored dump, as the page shows it."""

    size: int
    built_at: datetime.datetime
    descriptor: dict
    member_sizes: dict  # CSV file name -> bytes, uncompressed

    @property
    def resources(self):
        for resource in self.descriptor["resources"]:
            yield {**resource, "size": self.member_sizes.get(resource["path"], 0)}

    @property
    def licence(self):
        return self.descriptor["licenses"][0]


def stored_dump(storage=None) -> Dump | None:
    """The dump in storage, or None if none is built yet (or it cannot be read)."""
    storage = storage or default_storage
    try:
        # From a bucket: ranged reads of the ZIP's directory, never a copy of the whole file.
        with open_stream(storage, NAME) as stream:
            size = stream.seek(0, os.SEEK_END)
            stream.seek(0)
            with zipfile.ZipFile(stream) as archive:
                descriptor = json.loads(archive.read(PACKAGE))
                sizes = {info.filename: info.file_size for info in archive.infolist()}
    except FileNotFoundError:
        return None
    except (OSError, zipfile.BadZipFile, KeyError, ValueError):
        logger.exception("The open-data dump %s cannot be read", NAME)
        return None
    built_at = datetime.datetime.fromisoformat(descriptor["created"].replace("Z", "+00:00"))
    return Dump(size=size, built_at=built_at, descriptor=descriptor, member_sizes=sizes)


def built_since(moment: datetime.datetime, storage=None) -> bool:
    """Whether the stored dump was built from data read after `moment`."""
    dump = stored_dump(storage)
    return dump is not None and dump.built_at >= moment
