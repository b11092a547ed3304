"""The dialogue balance's strip on a thread: segments that meet and fill it, a legend in words,
the figures folded below; and the initials of a post's avatar."""

import itertools
import re

import pytest

from accounts.models import StakeholderGroup
from forums.balance import dialogue_balance
from forums.templatetags.avatars import group_short, initials
from tests.factories import ForumFactory, PostFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread():
    thread = ThreadFactory(forum=ForumFactory())  # one miner, one post
    government = UserFactory(stakeholder_group=StakeholderGroup.GOVERNMENT)
    ngo = UserFactory(stakeholder_group=StakeholderGroup.NGO)
    PostFactory(thread=thread, author=government)
    PostFactory(thread=thread, author=ngo)
    return thread  # three groups, a third each: 33 + 33 + 33 would leave a gap


def test_the_segments_meet_and_fill_the_strip_whatever_the_rounding(thread):
    heard = dialogue_balance(thread).heard

    assert [share.group for share in heard] == ["miner", "government", "ngo"]
    assert [share.percent for share in heard] == [33, 33, 33]
    assert heard[0].offset == 0
    for before, after in itertools.pairwise(heard):
        assert before.offset + before.width == after.offset
    assert heard[-1].offset + heard[-1].width == 100


def test_a_thread_shows_the_strip_its_legend_and_the_folded_figures(client, thread):
    page = client.get(thread.get_absolute_url()).text

    strip = re.search(r'<svg class="balance-strip".*?</svg>', page, re.S).group(0)
    rects = re.findall(r'<rect class="stakeholder-(\w+)" x="(\d+)%" y="0" width="(\d+)%"', strip)
    assert rects == [("miner", "0", "33"), ("government", "33", "34"), ("ngo", "67", "33")]
    assert 'aria-hidden="true"' in strip  # the legend says it in words
    legend = re.search(r'<ul class="balance-legend">.*?</ul>', page, re.S).group(0)
    for name in ("Miners", "Government", "NGOs"):
        assert name in legend
    assert legend.count("33%") == 3
    details = re.search(r'<details class="balance-more.*?</details>', page, re.S).group(0)
    assert "1 person, 1 post" in details
    assert "Not heard yet:" in page


def test_a_thread_without_posts_heard_shows_no_strip(client):
    thread = ThreadFactory(forum=ForumFactory())
    thread.posts.update(status="hidden")

    page = client.get(thread.get_absolute_url()).text

    assert "balance-strip" not in page
    assert "balance-more" not in page
    assert "Not heard yet:" in page


def test_a_posts_header_has_the_authors_initials_in_their_groups_colour(client, thread):
    page = client.get(thread.get_absolute_url()).text

    avatars = re.findall(
        r'<span class="avatar stakeholder-(\w+)" aria-hidden="true">(\w*)</span>', page
    )
    assert [group for group, _ in avatars] == ["miner", "government", "ngo"]
    assert all(letters for _, letters in avatars)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Amani Byamungu", "AB"),
        ("Dr Aline Mutesi", "DM"),
        ("Jean-Paul Mulumba", "JM"),
        ("grace", "G"),
        ("  ", ""),
        (None, ""),
        ("(Espérance) Nabintu", "N"),
        ("élodie ngoy", "ÉN"),
    ],
)
def test_initials(name, expected):
    assert initials(name) == expected


def test_a_groups_short_name_falls_back_to_other():
    assert group_short("miner") == "Miners"
    assert group_short("") == "Other"
    assert group_short(None) == "Other"
