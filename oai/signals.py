"""A study deleted after it was published leaves a DeletedStudy behind (oai.models)."""

from django.db.models.signals import pre_delete
from django.utils import timezone

from publications.models import Publication

from . import repository
from .models import DeletedStudy


def study_deleted(sender, instance, **kwargs):
    # pre_delete: the study's topics are still there; the tombstone is written in the deletion's
    # transaction, so it exists exactly when the study is gone.
    if not (instance.is_published or instance.published_at):
        return  # a draft was never a record
    instance.topic_list = list(instance.topics.all())
    specs = repository.set_specs(instance)
    DeletedStudy.objects.update_or_create(
        id=instance.pk, defaults={"updated_at": timezone.now(), "sets": f" {' '.join(specs)} "}
    )


def connect():
    pre_delete.connect(study_deleted, sender=Publication, dispatch_uid="oai.study_deleted")
