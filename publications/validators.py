"""Uploads are checked by what they contain, never by their name or the browser's say-so."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import PyPdfError

# PDF readers accept the header anywhere in the first kilobyte.
PDF_HEADER = b"%PDF-"


def validate_pdf(file):
    if getattr(file, "_committed", False):
        return  # checked when it was uploaded; not read again on every save
    if file.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    limit = settings.PUBLICATION_MAX_UPLOAD_BYTES
    if file.size > limit:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(file.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    file.seek(0)
    try:
        if PDF_HEADER not in file.read(1024):
            raise ValidationError(
                _("This file is not a PDF, whatever its name says. Upload the study as a PDF."),
                code="not_pdf",
            )
        file.seek(0)
        reader = PdfReader(file)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValidationError(
                _("This PDF is protected by a password; upload a copy without one."),
                code="encrypted",
            )
        if not reader.pages:
            raise ValidationError(_("This PDF has no pages."), code="no_pages")
    except (PyPdfError, ValueError, KeyError, IndexError, TypeError) as error:
        raise ValidationError(
            _("This file starts like a PDF but cannot be read (%(reason)s).") % {"reason": error},
            code="unreadable",
        ) from error
    finally:
        file.seek(0)
