"""@mentions in posts: `@handle` links to that person's profile, and tells them (the first
FORUM_MENTIONS_PER_POST people a post names: mentions are not a way to reach everyone).

Mentions are found in the Markdown a person wrote, outside code, before it is rendered; the
link is Markdown too, so the sanitiser sees it like any other."""

import re

from django.conf import settings
from django.contrib.auth import get_user_model

from accounts.handles import handle_key, normalize_handle
from core.addresses import url_unprefixed

# "@" then a handle's shape (accounts.handles), not inside a word, an address or a path.
MENTION = re.compile(r"(?<![\w@./\\-])@([^\W\d_][\w.-]{0,28}[\w])")
# What Markdown shows as written: fenced blocks, indented blocks, inline code, links' targets.
VERBATIM = re.compile(
    r"^(```|~~~).*?^\1[^\n]*$|^(?: {4}|\t)[^\n]*$|`[^`\n]+`|\]\([^)\n]*\)",
    re.DOTALL | re.MULTILINE,
)


def _outside_code(body: str):
    """(text, is_code) pieces of the body, in order."""
    start = 0
    for found in VERBATIM.finditer(body):
        yield body[start : found.start()], False
        yield found.group(), True
        start = found.end()
    yield body[start:], False


def handles_in(body: str) -> list[str]:
    """The handles a post names, once each, in the order written."""
    found = []
    for text, is_code in _outside_code(body):
        if not is_code:
            found += [handle for handle in MENTION.findall(text) if handle not in found]
    return found


def people_named(body: str) -> dict:
    """{handle as written: the person it names} for the body's mentions, in one query (none if
    the body names nobody)."""
    handles = handles_in(body) if "@" in body else []
    if not handles:
        return {}
    people = get_user_model().objects.by_handles(handles)
    by_key = {person.handle_key: person for person in people}
    named = {}
    for handle in handles:
        person = by_key.get(handle_key(normalize_handle(handle)))
        if person is not None:
            named[handle] = person
    return named


def linked(body: str, people: dict) -> str:
    """The body with each mention of a known person as a Markdown link to their profile."""
    if not people:
        return body

    def link(found):
        person = people.get(found.group(1))
        if person is None:
            return found.group()
        text = found.group().replace("_", r"\_")
        # Kept in the post's HTML, read in both languages: the profile's address without a
        # language, which sends each reader to theirs (core.addresses).
        return f"[{text}]({url_unprefixed(person.get_absolute_url())})"

    return "".join(
        piece if is_code else MENTION.sub(link, piece) for piece, is_code in _outside_code(body)
    )


def mentioned_in(post) -> list[int]:
    """The people a post tells: the first FORUM_MENTIONS_PER_POST it names, not its author."""
    people = people_named(post.body).values()
    ids = [person.pk for person in people if person.pk != post.author_id]
    return ids[: settings.FORUM_MENTIONS_PER_POST]
