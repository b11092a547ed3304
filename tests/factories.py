import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import StakeholderGroup, User
from portal.models import Mineral, Page, Site, SiteText
from publications.demo import make_pdf
from publications.models import Author, Authorship, Kind, Publication, Topic
from publications.search import index_publication
from publications.services import publication_file_changed, publication_text_extract

PASSWORD = "a-long-pass-phrase-nobody-guesses"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Faker("name")
    stakeholder_group = StakeholderGroup.MINER
    organisation = factory.Faker("company")
    country = "CD"
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def confirmed(user, create, extracted, **kwargs):
        """A stakeholder's address is confirmed unless the test says confirmed=False."""
        if create:
            verified = extracted is not False
            EmailAddress.objects.create(
                user=user, email=user.email, verified=verified, primary=True
            )

    @factory.post_generation
    def groups(user, create, extracted, **kwargs):
        if create and extracted:
            user.groups.add(*Group.objects.filter(name__in=extracted))


class StaffFactory(UserFactory):
    is_staff = True
    stakeholder_group = ""


class PageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Page

    slug = factory.Sequence(lambda n: f"page-{n}")
    language = "en"
    title = factory.Sequence(lambda n: f"Page {n}")
    summary = "A page."
    body = "Some **text**."
    order = 10


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"topic-{n}")
    name = factory.Sequence(lambda n: f"Topic {n}")
    name_fr = factory.Sequence(lambda n: f"Thème {n}")


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Faker("name")
    slug = factory.Sequence(lambda n: f"author-{n}")


class PublicationFactory(factory.django.DjangoModelFactory):
    """A published study without a file; `pdf=["paragraph", ...]` attaches a real PDF."""

    class Meta:
        model = Publication
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Case study {n}")
    slug = factory.Sequence(lambda n: f"study-{n}")
    kind = Kind.CASE_STUDY
    language = "en"
    year = 2012
    month = 6
    abstract = "How artisanal miners and a protected area can share a landscape."
    is_published = True
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def pdf(publication, create, extracted, **kwargs):
        if create and extracted is not None:
            content = extracted if isinstance(extracted, bytes) else make_pdf(extracted)
            publication.file.save(f"{publication.slug}.pdf", ContentFile(content))
            publication_file_changed(publication=publication)
            # The worker's job, done now: tests need the text and page count at once.
            publication_text_extract(publication_id=publication.pk)
            publication.refresh_from_db()

    @factory.post_generation
    def authors(publication, create, extracted, **kwargs):
        """`authors=["Given Family", ...]`: one Author and Authorship each, in that order."""
        for order, name in enumerate(extracted or []):
            given, _, family = name.rpartition(" ")
            Authorship.objects.create(
                publication=publication,
                author=AuthorFactory(name=name),
                given_names=given,
                family_name=family,
                order=order,
            )

    @factory.post_generation
    def index(publication, create, extracted, **kwargs):
        """Last: search indexes authors too (on PostgreSQL; a no-op on SQLite)."""
        if create:
            index_publication(publication.pk)


class MineralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mineral
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"mineral-{n}")
    name = factory.Sequence(lambda n: f"Mineral {n}")
    name_fr = factory.Sequence(lambda n: f"Minerai {n}")


class SiteFactory(factory.django.DjangoModelFactory):
    """A published site with an English text; `fr="Nom"` adds a French one, `minerals=[...]`
    and `publications=[...]` link them."""

    class Meta:
        model = Site
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"site-{n}")
    country = "SL"
    latitude = "7.65"
    longitude = "-10.90"
    is_published = True

    @factory.post_generation
    def name(site, create, extracted, **kwargs):
        SiteText.objects.create(
            site=site,
            language="en",
            name=extracted or f"Site {site.slug}",
            designation="National park",
            summary="Gold is mined **in and around** the park.",
        )

    @factory.post_generation
    def fr(site, create, extracted, **kwargs):
        if extracted:
            SiteText.objects.create(
                site=site, language="fr", name=extracted, designation="Parc national"
            )

    @factory.post_generation
    def minerals(site, create, extracted, **kwargs):
        if extracted:
            site.minerals.set(extracted)

    @factory.post_generation
    def publications(site, create, extracted, **kwargs):
        if extracted:
            site.publications.set(extracted)
