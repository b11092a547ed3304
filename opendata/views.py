import json
import os

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header, http_date
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from core.storage import open_stream

from . import dumps

# Rebuilt in place under the same address: a cache on the way may keep it a few minutes.
CACHE_CONTROL = "public, max-age=300"


def being_prepared():
    return Http404(_("The open data is being prepared: try again later."))


class OpenDataView(TemplateView):
    """What the dump holds, its downloads, the data dictionary and the licence: all read from
    the stored dump's descriptor, so that the page says what the file holds."""

    template_name = "opendata/index.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(dump=dumps.stored_dump(), **kwargs)


class DumpDownloadView(View):
    def get(self, request):
        try:
            # From a bucket: streamed by ranged reads, never copied whole to a temporary file.
            stream = open_stream(default_storage, dumps.NAME)
            stream.seek(0, os.SEEK_END)  # a missing file is found now, not half-way
            stream.seek(0)
        except FileNotFoundError:
            raise being_prepared() from None
        response = FileResponse(
            stream, as_attachment=True, filename=dumps.FILENAME, content_type="application/zip"
        )
        response["Cache-Control"] = CACHE_CONTROL
        return response


class DescriptorDownloadView(View):
    """The dump's datapackage.json alone: its data dictionary, for programs to read."""

    def get(self, request):
        dump = dumps.stored_dump()
        if dump is None:
            raise being_prepared()
        body = json.dumps(dump.descriptor, ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, dumps.PACKAGE)
        response["Last-Modified"] = http_date(dump.built_at.timestamp())
        response["Cache-Control"] = CACHE_CONTROL
        return response
