from django.db import models
from django.utils.translation import gettext_lazy as _


class DeletedStudyQuerySet(models.QuerySet):
    def in_set(self, spec: str):
        """Those that were in a set; a parent set ("topic") holds those of its children."""
        if ":" in spec:
            return self.filter(sets__contains=f" {spec} ")
        return self.filter(sets__contains=f" {spec}:")


class DeletedStudy(models.Model):
    """What is left of a study deleted after it was published: its identifier's id, when it went
    and the sets it was in, so that harvesters are told of it ("persistent" deletions). Written
    by oai.signals when the study is deleted, in the same transaction; never changed."""

    id = models.BigIntegerField(primary_key=True)  # the study's, never given to another
    updated_at = models.DateTimeField(_("deleted on"))
    sets = models.TextField(_("sets"))  # its setSpecs, each between spaces: " kind:toolkit "

    objects = DeletedStudyQuerySet.as_manager()

    class Meta:
        verbose_name = _("deleted study")
        verbose_name_plural = _("deleted studies")
        indexes = [models.Index(fields=["updated_at", "id"], name="oai_deleted_listed")]

    def __str__(self):
        return str(self.pk)

    is_published = False

    @property
    def set_list(self) -> list[str]:
        return self.sets.split()
