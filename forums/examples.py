"""Example dialogue for development (content/examples.toml), written through the services so
that it obeys the same rules as real posts. Never for production: see load_examples."""

import datetime
import tomllib
from pathlib import Path

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.models import User

from . import moderation, services
from .models import Forum, Thread

EXAMPLES = Path(__file__).resolve().parent / "content" / "examples.toml"


@transaction.atomic
def load_examples(path: Path = EXAMPLES) -> str:
    if Thread.objects.filter(is_example=True).exists():
        return "Example dialogue: loaded already."
    content = tomllib.loads(path.read_text(encoding="utf-8"))
    people = {key: example_person(key, *row) for key, row in content["people"].items()}
    moment = timezone.now() - datetime.timedelta(days=len(content["threads"]) + 1)
    for entry in content["threads"]:
        forum = Forum.objects.get(slug=entry["forum"])
        (first_author, first_language, first_body), *replies = entry["posts"]
        if entry.get("kind") == "consultation":
            forum.moderators.add(people[first_author])
        thread = services.thread_start(
            author=people[first_author],
            forum=forum,
            title=entry["title"],
            body=first_body,
            language=first_language,
            kind=entry.get("kind", "discussion"),
            context=entry.get("context", ""),
            now=moment,
        )
        for author, language, body in replies:
            moment += datetime.timedelta(hours=1)
            services.post_reply(
                author=people[author], thread=thread, body=body, language=language, now=moment
            )
        thread.is_example = True
        thread.save(update_fields=["is_example"])
        if "outcome" in entry:
            moderation.consultation_close(
                facilitator=people[first_author], thread=thread, outcome=entry["outcome"]
            )
        moment += datetime.timedelta(days=1)
    return f"Example dialogue: {len(content['threads'])} threads."


def example_person(key, name, group, organisation, country):
    """An invented stakeholder who cannot sign in, joined long enough ago to post freely."""
    person, created = User.objects.get_or_create(
        email=f"example-{key}@example.invalid",
        defaults={
            "name": name,
            "stakeholder_group": group,
            "organisation": organisation,
            "country": country,
            "password": make_password(None),
            "date_joined": timezone.now() - datetime.timedelta(days=365),
            # Verified, so that their posts show without a moderator: they are marked examples.
            "affiliation_verified_at": timezone.now(),
        },
    )
    if created:
        EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    return person
