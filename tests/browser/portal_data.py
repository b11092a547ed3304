"""The portal as people find it, for the accessibility and weight tests: the programme's own
content (`manage.py load_content`: pages, studies, sites, forums), a thread of 20 posts by
people of six stakeholder groups (one post in French), and a confirmed stakeholder who signs in
through the form."""

import io
import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.core.management import call_command

from accounts.models import StakeholderGroup, User
from forums.models import Forum, Thread
from tests.factories import PASSWORD, PostFactory, ThreadFactory, UserFactory

THREAD_POSTS = 20

PEOPLE = [
    # name, group, organisation, country
    ("Amani Byamungu", StakeholderGroup.MINER, "Coopérative minière de Mwenga", "CD"),
    ("Espérance Nabintu", StakeholderGroup.COMMUNITY, "Itombwe community forum", "CD"),
    ("Jean-Paul Mulumba", StakeholderGroup.GOVERNMENT, "Provincial mining division", "CD"),
    ("Grace Mbuyi", StakeholderGroup.NGO, "Itombwe conservation network", "CD"),
    ("Tom Richter", StakeholderGroup.COMPANY, "Great Lakes Gold Traders", "RW"),
    ("Dr Aline Mutesi", StakeholderGroup.RESEARCH, "University of Bukavu", "CD"),
]

ROOT = Path(__file__).resolve().parents[2]


def programme_paragraphs(language):
    """The paragraphs of the programme's own pages and, in English, its studies' abstracts."""
    found = []
    for path in sorted((ROOT / "portal" / "content" / "pages" / language).glob("*.md")):
        body = path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
        found += [part.strip() for part in body.split("\n\n") if part.strip()]
    if language == "en":
        catalogue = tomllib.loads((ROOT / "publications/content/catalogue.toml").read_text())
        found += [study["abstract"].strip() for study in catalogue["publications"]]
    return [part for part in found if not part.startswith("#")]


def post_bodies(language, count, *, length=500):
    """`count` posts of real prose, each different: a text repeated from post to post would
    compress far better than a real thread does, and make the weight tests look better."""
    bodies, chunk = [], []
    for paragraph in programme_paragraphs(language):
        chunk.append(paragraph)
        if len("\n\n".join(chunk)) >= length:
            bodies.append("\n\n".join(chunk))
            chunk = []
    assert len(bodies) >= count, f"only {len(bodies)} posts' worth of {language} text"
    return bodies[:count]


FRENCH_POST = 4  # the fifth post of the thread is in French


@dataclass
class Portal:
    thread: Thread
    member: User
    password: str = PASSWORD

    @property
    def forum(self) -> Forum:
        return self.thread.forum


def build_portal() -> Portal:
    call_command("load_content", verbosity=0, stdout=io.StringIO())
    people = [
        UserFactory(name=name, stakeholder_group=group, organisation=organisation, country=country)
        for name, group, organisation, country in PEOPLE
    ]
    english = iter(post_bodies("en", THREAD_POSTS - 1))
    thread = ThreadFactory(
        forum=Forum.objects.get(slug="itombwe"),
        author=people[0],
        title="Mercury at the river camps: what would make retorts worth using?",
        opening__body=next(english),
    )
    for n in range(1, THREAD_POSTS):
        french = n == FRENCH_POST
        PostFactory(
            thread=thread,
            author=people[n % len(people)],
            body=post_bodies("fr", 1)[0] if french else next(english),
            language="fr" if french else "en",
        )
    member = UserFactory(
        email="member@example.org",
        name="Marie Kahindo",
        stakeholder_group=StakeholderGroup.NGO,
        organisation="Forest Peoples Network",
        country="CD",
    )
    return Portal(thread=thread, member=member)
