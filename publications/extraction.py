"""Reading a study's PDF: its text and page count, for the library's search. A worker does it
(tasks.extract_text), queued by services.publication_file_changed once the file is saved."""

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from core import pagecache
from core.storage import open_stream

from .models import Extraction, Publication
from .search import index_publication

# Extracted text beyond this is not kept: enough for any study, and PostgreSQL's tsvector
# (1 MB at most) stays far from its limit.
MAX_TEXT_CHARACTERS = 600_000


def publication_text_extract(*, publication_id: int) -> None:
    """Read the text and page count out of the PDF, then make the study findable by it."""
    publication = Publication.objects.filter(pk=publication_id).first()
    if publication is None or not publication.file:  # deleted, or its file removed, since
        return
    try:
        # From a bucket: ranged reads of the object, never a copy of it on the worker's disk.
        stream = open_stream(publication.file.storage, publication.file.name)
        with stream:
            reader = PdfReader(stream)
            if reader.is_encrypted:
                reader.decrypt("")
            page_count = len(reader.pages)
            parts, length = [], 0
            for page in reader.pages:
                if length >= MAX_TEXT_CHARACTERS:
                    break
                text = page.extract_text() or ""
                parts.append(text)
                length += len(text)
    except (PyPdfError, OSError, ValueError, KeyError, IndexError, TypeError) as error:
        Publication.objects.filter(pk=publication_id).update(
            extraction=Extraction.FAILED, extraction_error=str(error)[:300]
        )
        return
    Publication.objects.filter(pk=publication_id).update(
        text="\n".join(parts)[:MAX_TEXT_CHARACTERS].replace("\x00", ""),
        page_count=page_count,
        extraction=Extraction.DONE,
        extraction_error="",
    )
    pagecache.bump(pagecache.CONTENT)  # the study's page shows its number of pages
    index_publication(publication_id)
