"""Model parts that several apps build on. Core has no tables of its own."""

from django.contrib.auth import get_permission_codename
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


class PublishedQuerySet(models.QuerySet):
    """For what editors prepare and then publish: a model with an `is_published` field."""

    def published(self):
        return self.filter(is_published=True)

    def visible_to(self, user):
        """Published rows, and unpublished ones too for the editors who may change them."""
        opts = self.model._meta
        if user.has_perm(f"{opts.app_label}.{get_permission_codename('change', opts)}"):
            return self
        return self.published()
