"""Lists of studies read each study's authors once, for all the studies of the list."""

import pytest

from publications.models import Authorship, Publication
from tests.factories import PublicationFactory

pytestmark = pytest.mark.django_db


def test_listed_studies_hold_their_authors_and_contributors_in_print_order(
    django_assert_num_queries,
):
    first = PublicationFactory(authors=["Ruby Weinberg", "Estelle Levin"])
    PublicationFactory(authors=["Gary Beynon"])
    helper = Authorship.objects.get(publication=first, family_name="Levin")
    helper.role, helper.order = Authorship.Role.CONTRIBUTOR, 0
    helper.save()

    with django_assert_num_queries(2):  # the studies, then all their authors
        listed = list(Publication.objects.for_listing().order_by("pk"))
        names = [
            ([a.printed_name for a in s.printed_authors], [a.printed_name for a in s.contributors])
            for s in listed
        ]

    assert names == [(["Ruby Weinberg"], ["Estelle Levin"]), (["Gary Beynon"], [])]


def test_a_study_read_alone_reads_its_authors_when_asked(django_assert_num_queries):
    PublicationFactory(authors=["Ruby Weinberg"])
    study = Publication.objects.get()

    with django_assert_num_queries(1):
        assert [a.printed_name for a in study.printed_authors] == ["Ruby Weinberg"]
