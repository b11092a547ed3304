import csv
import io
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from forums.models import PostStatus, Visibility
from opendata import dumps
from tests.factories import (
    ForumFactory,
    MineralFactory,
    PostFactory,
    PublicationFactory,
    SiteFactory,
    ThreadFactory,
    TopicFactory,
    UserFactory,
)


@pytest.fixture
def built(db):
    """Build the dump now; return {file name: text} of every file in it."""

    def build():
        dumps.dump_build()
        with default_storage.open(dumps.NAME, "rb") as stream, zipfile.ZipFile(stream) as archive:
            return {name: archive.read(name).decode() for name in archive.namelist()}

    return build


def rows(text):
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def portal(db):
    """A little of everything a visitor sees, and a secret beside each kind of thing."""
    topic = TopicFactory(slug="mercury", name="Mercury", name_fr="Mercure")
    study = PublicationFactory(
        title="Gold in the Gola forest", authors=["Ada Miner"], language="en"
    )
    study.topics.add(topic)
    study.coverage.create(country="SL")
    study.download_counts.create(day="2026-03-04", count=3)
    study.download_counts.create(day="2026-03-20", count=2)
    secret_study = PublicationFactory(
        title="UNPUBLISHED-STUDY", is_published=False, authors=["Unpublished Author"]
    )
    secret_study.topics.add(topic)
    secret_study.coverage.create(country="CD")
    secret_study.download_counts.create(day="2026-03-04", count=7)
    gold = MineralFactory(slug="gold", name="Gold", name_fr="Or")
    site = SiteFactory(name="Gola Rainforest", minerals=[gold], publications=[study, secret_study])
    SiteFactory(name="UNPUBLISHED-SITE", is_published=False)

    public = ForumFactory(slug="public", site=site)
    members = ForumFactory(slug="members-only", visibility=Visibility.MEMBERS)
    restricted = ForumFactory(
        slug="restricted",
        name="RESTRICTED-FORUM",
        visibility=Visibility.RESTRICTED,
        allowed_groups=["miner"],
    )
    miner = UserFactory(name="Mariama Koroma", stakeholder_group="miner", country="SL")
    thread = ThreadFactory(forum=public, title="Mercury at the river", author=miner)
    opening = thread.posts.get()
    PostFactory(thread=thread, body="PUBLIC-REPLY about *mercury*", reply_to=opening)
    for status in (PostStatus.PENDING, PostStatus.HIDDEN, PostStatus.REJECTED):
        hidden = PostFactory(thread=thread, body=f"{status.upper()}-POST", status=status)
    PostFactory(thread=thread, body="Answering a hidden post", reply_to=hidden)
    PostFactory(thread=thread, body="Write to me at mariama.k@example.net, please.")
    ThreadFactory(
        forum=public, title="WAITING-THREAD", opening__body="WAITING-OPENING",
        opening__status=PostStatus.PENDING,
    )  # fmt: skip
    ThreadFactory(
        forum=public, title="Where should the buffer zone run?", kind="consultation",
        outcome="The **buffer zone** follows the river.", closed_at=timezone.now(),
        closed_by=miner,
    )  # fmt: skip
    ThreadFactory(
        forum=members, title="MEMBERS-THREAD", opening__body="MEMBERS-POST", kind="consultation",
        outcome="MEMBERS-OUTCOME", closed_at=timezone.now(), closed_by=miner,
    )  # fmt: skip
    ThreadFactory(forum=restricted, title="RESTRICTED-THREAD", opening__body="RESTRICTED-POST")
    return {"study": study, "site": site, "thread": thread, "forum": public, "miner": miner}
