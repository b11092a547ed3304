from celery import shared_task

from .extraction import publication_text_extract


@shared_task(acks_late=True)
def extract_text(publication_id: int) -> None:
    publication_text_extract(publication_id=publication_id)
