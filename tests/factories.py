import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import StakeholderGroup, User
from forums.models import Forum, Post, PostStatus, Thread, Visibility
from forums.search import index_post
from forums.services import refresh_counts
from portal.models import Page
from publications.demo import make_pdf
from publications.extraction import publication_text_extract
from publications.models import Author, Authorship, Kind, Publication, Topic
from publications.search import index_publication
from publications.services import publication_file_changed
from sites.models import Mineral, Site, SiteText

PASSWORD = "a-long-pass-phrase-nobody-guesses"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Faker("name")
    # Unlike any handle made from a name ("Person 1" -> "person_1_2", keyed "personl2").
    handle = factory.Sequence(lambda n: f"tester{n}x")
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
    published_at = factory.LazyFunction(timezone.now)

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


class ForumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Forum
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"forum-{n}")
    name = factory.Sequence(lambda n: f"Forum {n}")
    name_fr = factory.Sequence(lambda n: f"Forum {n} (fr)")
    description = "Where miners, communities, governments, NGOs and companies talk."
    visibility = Visibility.PUBLIC


class ThreadFactory(factory.django.DjangoModelFactory):
    """A thread with an approved opening post by its author (`opening__body=`,
    `opening__status=`, `opening__language=` to change it),
    its counts refreshed as services would."""

    class Meta:
        model = Thread
        skip_postgeneration_save = True

    forum = factory.SubFactory(ForumFactory)
    title = factory.Sequence(lambda n: f"Thread {n}")
    author = factory.SubFactory(UserFactory)

    @factory.post_generation
    def opening(thread, create, extracted, **kwargs):
        if create:
            PostFactory(
                thread=thread,
                author=thread.author,
                body=kwargs.get("body", "Gold panning near the park: what should change?"),
                status=kwargs.get("status", PostStatus.APPROVED),
                language=kwargs.get("language", "en"),
            )


class PostFactory(factory.django.DjangoModelFactory):
    """A post, approved unless `status=` says otherwise; the thread's counts are refreshed."""

    class Meta:
        model = Post
        skip_postgeneration_save = True

    thread = factory.SubFactory(ThreadFactory)
    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"Reply number {n}, about mercury and *livelihoods*.")
    language = "en"
    status = PostStatus.APPROVED
    created_at = factory.LazyFunction(timezone.now)
    approved_at = factory.LazyAttribute(
        lambda post: post.created_at if post.status == PostStatus.APPROVED else None
    )

    @factory.post_generation
    def counted(post, create, extracted, **kwargs):
        if create:
            refresh_counts(thread=post.thread)
            index_post(post.pk)  # search, as services do (on PostgreSQL; a no-op on SQLite)


class SubscriberFactory(factory.django.DjangoModelFactory):
    """A confirmed reader of the newsletter (`confirmed_at=None` for one still waiting)."""

    class Meta:
        model = "newsletter.Subscriber"

    email = factory.Sequence(lambda n: f"reader{n}@example.org")
    language = "en"
    confirmed_at = factory.LazyFunction(timezone.now)


class IssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "newsletter.Issue"

    subject = factory.Sequence(lambda n: f"News from the sites, number {n}")
    subject_fr = factory.Sequence(lambda n: f"Nouvelles des sites, numéro {n}")
    body = "The **Itombwe** study is out.\n\n[Read it](https://example.org/itombwe)."
    body_fr = "L'étude **Itombwe** est parue."
