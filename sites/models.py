"""Case-study sites: the protected areas and critical ecosystems where the programme worked.

A site's facts (place, status, minerals, studies) are shared by every language; its words
(name, designation, impacts...) are written once per language in SiteText.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from core.models import PublishedQuerySet, Term
from core.text import render_markdown

IUCN_CATEGORIES = r"(Ia|Ib|II|III|IV|V|VI)"


class Mineral(Term):
    """A mineral of the controlled list: gold, coltan, sapphire..."""

    class Meta(Term.Meta):
        verbose_name = _("mineral")
        verbose_name_plural = _("minerals")


class SiteQuerySet(PublishedQuerySet):
    def filtered(self, *, country=None, mineral=None):
        sites = self
        if country:
            sites = sites.filter(country=country)
        if mineral:
            sites = sites.filter(minerals__slug=mineral)
        return sites

    def with_texts(self, language=None, *, minerals=True):
        """Prefetch the site's text in `language` and in English, and its minerals if asked."""
        languages = {(language or get_language() or settings.LANGUAGE_CODE)[:2]}
        languages.add(settings.LANGUAGE_CODE)
        texts = SiteText.objects.filter(language__in=languages)
        sites = self.prefetch_related(Prefetch("texts", queryset=texts, to_attr="prefetched_texts"))
        return sites.prefetch_related("minerals") if minerals else sites


class Site(models.Model):
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    country = CountryField(_("country"))
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        validators=[
            MinValueValidator(-90, message=_("Latitude must be between -90 and 90 degrees.")),
            MaxValueValidator(90, message=_("Latitude must be between -90 and 90 degrees.")),
        ],
        help_text=_("Decimal degrees of the approximate centre, north positive (e.g. 7.65)."),
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=5,
        validators=[
            MinValueValidator(-180, message=_("Longitude must be between -180 and 180 degrees.")),
            MaxValueValidator(180, message=_("Longitude must be between -180 and 180 degrees.")),
        ],
        help_text=_("Decimal degrees of the approximate centre, east positive (e.g. -10.90)."),
    )
    established = models.PositiveSmallIntegerField(
        _("protected since"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1800), MaxValueValidator(2100)],
        help_text=_("The year the area was first protected, where known."),
    )
    area_ha = models.PositiveIntegerField(
        _("area (hectares)"), null=True, blank=True, help_text=_("Approximate; where known.")
    )
    iucn_category = models.CharField(
        _("IUCN category"),
        max_length=20,
        blank=True,
        validators=[
            RegexValidator(
                rf"^{IUCN_CATEGORIES}(/{IUCN_CATEGORIES})*$",
                message=_("Use the IUCN categories Ia, Ib, II to VI, separated by '/'."),
            )
        ],
        help_text=_("For example II, or V/VI for a group of areas. Leave empty if unknown."),
    )
    wdpa_id = models.PositiveIntegerField(
        _("WDPA id"),
        null=True,
        blank=True,
        help_text=_("The area's number in the World Database on Protected Areas."),
    )
    minerals = models.ManyToManyField(
        Mineral, verbose_name=_("minerals mined"), related_name="sites", blank=True
    )
    publications = models.ManyToManyField(
        "publications.Publication",
        verbose_name=_("studies"),
        related_name="sites",
        blank=True,
        help_text=_("The studies about this site; they link back to it."),
    )
    order = models.PositiveSmallIntegerField(_("order in lists"), default=0)
    is_published = models.BooleanField(
        _("published"), default=False, help_text=_("Unpublished sites are seen by editors only.")
    )
    # Set once, the first time it is published (services): what the weekly alerts call new.
    published_at = models.DateTimeField(_("first published"), null=True, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = SiteQuerySet.as_manager()

    class Meta:
        verbose_name = _("case-study site")
        verbose_name_plural = _("case-study sites")
        ordering = ("order", "slug")
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90)
                & Q(longitude__gte=-180, longitude__lte=180),
                name="casesites_site_coordinates_on_earth",
            )
        ]

    def __str__(self):
        return self.text.name

    def get_absolute_url(self):
        return reverse("sites:detail", kwargs={"slug": self.slug})

    @property
    def area_km2(self):
        return None if self.area_ha is None else self.area_ha / 100

    @property
    def text(self):
        """The text in the current language, else English, else any: from with_texts() if used."""
        texts = getattr(self, "prefetched_texts", None)
        if texts is None:
            texts = list(self.texts.all())
        by_language = {text.language: text for text in texts}
        language = (get_language() or settings.LANGUAGE_CODE)[:2]
        return (
            by_language.get(language)
            or by_language.get(settings.LANGUAGE_CODE)
            or next(iter(by_language.values()), SiteText(site=self, name=self.slug))
        )


class SiteText(models.Model):
    """What a site's page says, in one language. Markdown fields are rendered on save."""

    MARKDOWN_FIELDS = (
        "summary",
        "environmental_impacts",
        "social_impacts",
        "responses",
        "stakeholders",
    )

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    name = models.CharField(_("name"), max_length=200)
    designation = models.CharField(
        _("designation"), max_length=200, blank=True, help_text=_("For example: National park.")
    )
    region = models.CharField(_("region"), max_length=120, blank=True)
    status_note = models.CharField(
        _("status note"),
        max_length=300,
        blank=True,
        help_text=_("A sentence on the protected status, e.g. when its limits were set."),
    )
    ecosystem = models.CharField(_("ecosystem"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), blank=True, help_text=_("Markdown."))
    environmental_impacts = models.TextField(_("environmental impacts"), blank=True)
    social_impacts = models.TextField(
        _("social impacts"),
        blank=True,
        help_text=_("Including the effects on vulnerable groups and indigenous peoples."),
    )
    responses = models.TextField(_("responses and solutions tried"), blank=True)
    stakeholders = models.TextField(_("stakeholders involved"), blank=True)
    summary_html = models.TextField(editable=False, default="")
    environmental_impacts_html = models.TextField(editable=False, default="")
    social_impacts_html = models.TextField(editable=False, default="")
    responses_html = models.TextField(editable=False, default="")
    stakeholders_html = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = _("site text")
        verbose_name_plural = _("site texts")
        ordering = ("site", "language")
        constraints = [
            models.UniqueConstraint(fields=("site", "language"), name="casesites_sitetext_language")
        ]

    def __str__(self):
        return f"{self.name} ({self.language})"

    def save(self, *args, **kwargs):
        for name in self.MARKDOWN_FIELDS:
            setattr(self, f"{name}_html", render_markdown(getattr(self, name)))
        super().save(*args, **kwargs)
