from outbox.jobs import job

from .extraction import publication_text_extract


@job
def extract_text(*, publication_id: int) -> None:
    publication_text_extract(publication_id=publication_id)
