import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from accounts.models import StakeholderGroup, User
from portal.models import Page

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
