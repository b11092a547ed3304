from celery import shared_task


@shared_task(acks_late=True)
def extract_text(publication_id: int) -> None:
    from .services import publication_text_extract

    publication_text_extract(publication_id=publication_id)
