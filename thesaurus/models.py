"""The thesaurus: concepts named in English and in French, which searches read as one."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.query import words_of

MAX_WORDS = 5  # a label longer than this is a sentence, not a name


class Concept(models.Model):
    """One thing, under every label a search should take for it, in either language."""

    # Concepts shipped in content/thesaurus.toml have the key they are loaded by.
    slug = models.SlugField(max_length=60, unique=True, null=True, blank=True, editable=False)
    note = models.CharField(
        _("note"),
        max_length=200,
        blank=True,
        help_text=_("For editors: what the concept covers, where it is ambiguous."),
    )

    class Meta:
        verbose_name = _("concept")
        verbose_name_plural = _("thesaurus")
        ordering = ("pk",)

    def __str__(self):
        return " ↔ ".join(label.text for label in self.labels.all()) or f"#{self.pk}"


class Label(models.Model):
    concept = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="labels")
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    text = models.CharField(
        _("label"), max_length=80, help_text=_("A word or a few words, as people write them.")
    )

    class Meta:
        verbose_name = _("label")
        verbose_name_plural = _("labels")
        ordering = ("language", "text")
        constraints = [
            models.UniqueConstraint(
                fields=("concept", "language", "text"), name="thesaurus_label_once"
            )
        ]

    def __str__(self):
        return f"{self.text} ({self.language})"

    def clean(self):
        words = words_of(self.text)
        if not words:
            raise ValidationError({"text": _("A label needs at least one word.")})
        if len(words) > MAX_WORDS:
            raise ValidationError(
                {"text": _("A label has at most %(count)d words.") % {"count": MAX_WORDS}}
            )
