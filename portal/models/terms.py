from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Term(models.Model):
    """A term of a controlled vocabulary that editors manage, named in English and French."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name in English"), max_length=80)
    name_fr = models.CharField(_("name in French"), max_length=80, blank=True)

    class Meta:
        abstract = True
        ordering = ("name",)

    def __str__(self):
        return self.label

    @property
    def label(self):
        return self.name_fr if get_language() == "fr" and self.name_fr else self.name
