import datetime

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from core.models import Term

from . import permissions
from .validators import validate_pdf

RIGHTS = "© Estelle Levin Limited and WWF; reproduction with credit to title and publisher"


class Kind(models.TextChoices):
    GLOBAL_STUDY = "global_study", _("Global study")
    CASE_STUDY = "case_study", _("Case study")
    TOOLKIT = "toolkit", _("Toolkit")
    GUIDANCE = "guidance", _("Guidance")
    NEWSLETTER = "newsletter", _("Newsletter")
    POLICY_BRIEF = "policy_brief", _("Policy brief")
    REPORT = "report", _("Report")


class Extraction(models.TextChoices):
    NO_FILE = "no_file", _("No file")
    PENDING = "pending", _("Waiting for text extraction")
    DONE = "done", _("Text extracted")
    FAILED = "failed", _("Extraction failed")


class Topic(Term):
    """A term of the vocabulary of subjects: mercury, gender, governance..."""

    class Meta(Term.Meta):
        verbose_name = _("topic")
        verbose_name_plural = _("topics")


class Author(models.Model):
    """One person, whatever name each study printed: Authorship keeps the printed name."""

    name = models.CharField(_("name"), max_length=120, help_text=_("The name used today."))
    slug = models.SlugField(_("slug"), max_length=120, unique=True)

    class Meta:
        verbose_name = _("author")
        verbose_name_plural = _("authors")
        ordering = ("name",)

    def __str__(self):
        return self.name


class PublicationQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def visible_to(self, user):
        """Published studies, and unpublished ones for the editors who prepare them."""
        if permissions.sees_unpublished(user):
            return self
        return self.published()

    def filtered(self, *, kind=None, language=None, country=None, topic=None, year=None):
        conditions = {
            "kind": kind,
            "language": language,
            "coverage__country": country,
            "topics__slug": topic,
            "year": year,
        }
        # Each join matches at most one row per study (unique constraints), so no duplicates.
        return self.filter(**{field: value for field, value in conditions.items() if value})

    def for_listing(self):
        """For lists of studies: their authors, and none of the large columns lists never show.

        The authors land in a plain list (`to_attr`): a prefetch into the related manager builds
        a queryset per study, which took longer than reading the authors."""
        authorships = Authorship.objects.order_by("order", "pk")
        return self.defer("text").prefetch_related(
            models.Prefetch("authorships", queryset=authorships, to_attr="listed_authorships")
        )


def upload_to(publication, filename):
    return f"publications/{publication.slug}.pdf"


class Publication(models.Model):
    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    month = models.PositiveSmallIntegerField(
        _("month"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("Leave empty when the study gives only a year."),
    )
    abstract = models.TextField(_("abstract"), blank=True)
    publisher = models.CharField(
        _("publisher"), max_length=200, default="Estelle Levin Ltd and WWF"
    )
    rights = models.CharField(_("rights"), max_length=300, default=RIGHTS)
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), blank=True)
    translations = models.ManyToManyField(
        "self",
        verbose_name=_("other-language versions"),
        blank=True,
        help_text=_("The same work in another language."),
    )

    file = models.FileField(
        _("PDF file"), upload_to=upload_to, blank=True, validators=[validate_pdf]
    )
    file_size = models.PositiveBigIntegerField(_("file size"), null=True, editable=False)
    file_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    page_count = models.PositiveIntegerField(_("pages"), null=True, editable=False)
    text = models.TextField(_("text of the PDF"), blank=True, editable=False)
    extraction = models.CharField(
        _("text extraction"),
        max_length=10,
        choices=Extraction.choices,
        default=Extraction.NO_FILE,
        editable=False,
    )
    extraction_error = models.CharField(max_length=300, blank=True, editable=False)

    is_published = models.BooleanField(
        _("published"),
        default=False,
        help_text=_("Unpublished studies are invisible to everyone but editors."),
    )
    published_at = models.DateTimeField(_("first published"), null=True, editable=False)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PublicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        ordering = ("-year", "-month", "title")
        indexes = [
            # The library's first page and the map's programme-wide studies read a few rows in
            # these orders, not every study.
            models.Index(
                fields=["-year", "-month", "title"],
                condition=Q(is_published=True),
                name="publication_listed",
            ),
            models.Index(
                fields=["kind", "-year", "-id"],
                condition=Q(is_published=True),
                name="publication_listed_by_kind",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("publications:detail", kwargs={"slug": self.slug})

    def get_download_url(self):
        return reverse("publications:download", kwargs={"slug": self.slug})

    @property
    def issued(self):
        """The first day of the month (or year) of publication, for formatting and sorting."""
        return datetime.date(self.year, self.month or 1, 1)

    @property
    def download_filename(self):
        return f"asm-pace-{self.slug}-{self.year}.pdf"

    # Django's get_<field>_display hashes every choice's (lazy) label at each call: a list of
    # studies asks for these twice a study.
    @property
    def kind_label(self):
        return Kind(self.kind).label

    @property
    def language_label(self):
        return dict(settings.LANGUAGES).get(self.language, self.language)

    def _authorships(self):
        listed = getattr(self, "listed_authorships", None)  # for_listing's prefetch
        return self.authorships.all() if listed is None else listed

    @property
    def printed_authors(self):
        return [a for a in self._authorships() if a.role == Authorship.Role.AUTHOR]

    @property
    def contributors(self):
        return [a for a in self._authorships() if a.role == Authorship.Role.CONTRIBUTOR]


class Authorship(models.Model):
    """An author on one study, in print order, under the name that study printed."""

    class Role(models.TextChoices):
        AUTHOR = "author", _("Author")
        CONTRIBUTOR = "contributor", _("Contributor")

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="authorships"
    )
    author = models.ForeignKey(
        Author, verbose_name=_("author"), on_delete=models.PROTECT, related_name="authorships"
    )
    given_names = models.CharField(_("given names as printed"), max_length=120, blank=True)
    family_name = models.CharField(_("family name as printed"), max_length=120)
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.AUTHOR)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("author of the study")
        verbose_name_plural = _("authors of the study")
        ordering = ("order", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=("publication", "author"), name="publications_one_authorship_each"
            )
        ]

    def __str__(self):
        return self.printed_name

    @property
    def printed_name(self):
        return f"{self.given_names} {self.family_name}".strip()


class Coverage(models.Model):
    """A country a study is about; a row each so that the library can count by country."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="coverage")
    country = CountryField(_("country"))

    class Meta:
        verbose_name = _("country covered")
        verbose_name_plural = _("countries covered")
        constraints = [
            models.UniqueConstraint(
                fields=("publication", "country"), name="publications_country_once"
            )
        ]

    def __str__(self):
        return str(self.country.name)


class DownloadCount(models.Model):
    """Downloads of a study on one day. Who downloaded is never stored."""

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="download_counts"
    )
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(_("downloads"), default=0)

    class Meta:
        verbose_name = _("download count")
        verbose_name_plural = _("download counts")
        ordering = ("-day",)
        constraints = [
            models.UniqueConstraint(fields=("publication", "day"), name="publications_count_day"),
            models.CheckConstraint(condition=Q(count__gte=0), name="publications_count_positive"),
        ]

    def __str__(self):
        return f"{self.publication} {self.day}: {self.count}"


class SearchDocument(models.Model):
    """What the library's search reads of a study on PostgreSQL (publications.search): its
    vectors, in a narrow table of their own. A search that matches most studies reads a row of
    each through the GIN index; a study's own row, with its abstract, is fifteen times wider
    (1,268 pages at 10,000 studies against 74, and 8 ms against 3 for "mining").

    search_vector (GIN-indexed) holds everything, the PDF's text included, and decides what
    matches; rank_vector holds what describes the study and gives SearchTerm its scores.
    Written on PostgreSQL only, by search.index_publications; SQLite has its FTS5 table."""

    publication = models.OneToOneField(
        Publication, on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    search_vector = SearchVectorField(null=True)
    rank_vector = SearchVectorField(null=True)

    def __str__(self):
        return str(self.publication_id)


class SearchTerm(models.Model):
    """A word of a study's description (title, people, topics, abstract) with what it adds to the
    study's rank for a query that holds it: PostgreSQL's ts_rank of the description, worked out
    word by word when the study is indexed (publications.search), so that a search ranks
    thousands of studies from a few index entries instead of reading each study's vector.
    Written on PostgreSQL only; kept in step by search.index_publications."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="+")
    lexeme = models.TextField()
    score = models.FloatField()

    class Meta:
        indexes = [
            # score is a key column, not INCLUDEd, so that SQLite (which has no INCLUDE) builds
            # the same index and `check --deploy` stays silent; PostgreSQL scans it index-only.
            models.Index(fields=["lexeme", "publication", "score"], name="publication_term")
        ]

    def __str__(self):
        return f"{self.lexeme} {self.publication_id}: {self.score}"


class TopicFollow(models.Model):
    """A reader follows a topic: they are told of each new study in it, and of each new
    case-study site about it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="topic_follows"
    )
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("followed topic")
        verbose_name_plural = _("followed topics")
        constraints = [
            models.UniqueConstraint(fields=("user", "topic"), name="publications_follow_once"),
        ]

    def __str__(self):
        return f"{self.user_id}: {self.topic}"
