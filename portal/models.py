from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.text import render_markdown

# Pages shown inside another view (as its introduction) rather than on their own.
SITES_INTRO = "sites"
EMBEDDED_PAGES = {SITES_INTRO: "sites:list"}


class PageQuerySet(models.QuerySet):
    def in_language(self, language=None, slugs=None):
        """One page per slug: the version in `language`, else the English one. One query."""
        language = (language or get_language() or settings.LANGUAGE_CODE)[:2]
        pages = self.filter(language__in={language, settings.LANGUAGE_CODE})
        if slugs is not None:
            pages = pages.filter(slug__in=slugs)
        chosen = {}
        for page in pages.order_by("order", "slug"):
            if page.slug not in chosen or page.language == language:
                chosen[page.slug] = page
        return list(chosen.values())


class Page(models.Model):
    """A programme page that editors write in Markdown: about, objectives, code of conduct..."""

    slug = models.SlugField(_("slug"), max_length=80)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(
        _("summary"),
        max_length=300,
        blank=True,
        help_text=_("One or two plain sentences for the home page and search engines."),
    )
    body = models.TextField(_("body"), help_text=_("Markdown. Raw HTML is removed."))
    body_html = models.TextField(editable=False)
    order = models.PositiveSmallIntegerField(_("order in menus"), default=0)
    in_footer = models.BooleanField(_("link in the footer"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PageQuerySet.as_manager()

    class Meta:
        verbose_name = _("page")
        verbose_name_plural = _("pages")
        ordering = ("order", "slug", "language")
        constraints = [
            models.UniqueConstraint(fields=("slug", "language"), name="portal_page_slug_language")
        ]

    def __str__(self):
        return f"{self.title} ({self.language})"

    def save(self, *args, **kwargs):
        self.body_html = render_markdown(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        if self.slug in EMBEDDED_PAGES:
            return reverse(EMBEDDED_PAGES[self.slug])
        return reverse("portal:page", kwargs={"slug": self.slug})
