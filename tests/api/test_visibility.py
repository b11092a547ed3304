"""The API's visibility matrix, like the forums' (tests/forums/test_permissions.py): per reader
and object state, through every endpoint, seen or not; and no email address in any answer."""

import pytest

from .conftest import API, bearer, read_all

ROLES = ("visitor", "member", "insider", "suspended", "revoked", "unknown")

# "seen": listed and readable at its own address; "-": in no list, 404 at its address.
# A revoked or unknown token is refused (401) whatever it asks: it is never read as a visitor.
MATRIX = {
    "published study": ("seen", "seen", "seen", "seen", 401, 401),
    "unpublished study": ("-", "-", "-", "-", 401, 401),
    "author of an unpublished study only": ("-", "-", "-", "-", 401, 401),
    "published site": ("seen", "seen", "seen", "seen", 401, 401),
    "unpublished site": ("-", "-", "-", "-", 401, 401),
    "public forum": ("seen", "seen", "seen", "seen", 401, 401),
    "members forum": ("-", "seen", "seen", "seen", 401, 401),
    "restricted forum": ("-", "-", "seen", "-", 401, 401),
    "public thread": ("seen", "seen", "seen", "seen", 401, 401),
    "thread whose opening post waits": ("-", "-", "-", "-", 401, 401),
    "members thread": ("-", "seen", "seen", "seen", 401, 401),
    "restricted thread": ("-", "-", "seen", "-", 401, 401),
    "approved post": ("seen", "seen", "seen", "seen", 401, 401),
    "pending post": ("-", "-", "-", "-", 401, 401),
    "hidden post": ("-", "-", "-", "-", 401, 401),
    "rejected post": ("-", "-", "-", "-", 401, 401),
    "members post": ("-", "seen", "seen", "seen", 401, 401),
    "restricted post": ("-", "-", "seen", "-", 401, 401),
    "public consultation outcome": ("seen", "seen", "seen", "seen", 401, 401),
    "members consultation outcome": ("-", "seen", "seen", "seen", 401, 401),
}


class Reader:
    def __init__(self, client, secret):
        self.client, self.headers = client, bearer(secret)
        self.texts = []

    def status(self, path):
        response = self.client.get(API + path, **self.headers)
        self.texts.append(response.text)
        return response.status_code

    def listed(self, path, **params):
        if self.status(path) == 401:
            return 401
        items, texts = read_all(self.client, path, self.headers, **params)
        self.texts += texts
        return items


def seen(reader, lists, detail):
    """ "seen" if every list holds the object and its address answers 200; "-" if none holds it
    and its address answers 404; anything else is a leak or a loss, shown as it is."""
    found = [reader.listed(path, **params) for path, params, holds in lists]
    if 401 in found:
        return 401
    held = [holds(items) for (_path, _params, holds), items in zip(lists, found, strict=True)]
    status = reader.status(detail) if detail else None
    if all(held) and status in (200, None):
        return "seen"
    if not any(held) and status in (404, None):
        return "-"
    return f"lists {held}, detail {status}"


def outcome(reader, world, case):
    if case.endswith("study"):
        study = world["studies"]["published" if case.startswith("published") else "draft"]
        has = lambda items: any(item["slug"] == study.slug for item in items)  # noqa: E731
        return seen(
            reader,
            [
                ("studies", {}, has),
                ("studies", {"q": "gold"}, has),
                ("studies", {"topic": "mercury"}, has),
                ("studies", {"site": "open-site"}, has),
            ],
            f"studies/{study.slug}",
        )
    if case.startswith("author of"):
        has = lambda items: any(item["name"] == "Zed Unpublished" for item in items)  # noqa: E731
        return seen(reader, [("authors", {}, has)], None)
    if case.endswith("site"):
        site = world["sites"]["published" if case.startswith("published") else "draft"]
        has = lambda items: any(item["slug"] == site.slug for item in items)  # noqa: E731
        geojson = reader.client.get(API + "sites.geojson", **reader.headers)
        if geojson.status_code == 401:
            return 401
        reader.texts.append(geojson.text)
        in_map = {feature["id"] for feature in geojson.json()["features"]}
        listed = seen(reader, [("sites", {}, has), ("sites", {"mineral": "gold"}, has)], None)
        detail = reader.status(f"sites/{site.slug}")
        expected = {"seen": (True, 200), "-": (False, 404)}.get(listed)
        return listed if expected == (site.slug in in_map, detail) else f"map/detail {detail}"
    if case.endswith("forum"):
        forum = world["forums"][case.split()[0]]
        has = lambda items: any(item["slug"] == forum.slug for item in items)  # noqa: E731
        listed = seen(reader, [("forums", {}, has)], None)
        if listed == 401:
            return 401
        by_slug = reader.client.get(API + "threads", {"forum": forum.slug}, **reader.headers)
        reader.texts.append(by_slug.text)
        # A forum one may not see is as unknown as a slug that names none: 400.
        expected = {"seen": 200, "-": 400}.get(listed)
        return listed if by_slug.status_code == expected else f"filter {by_slug.status_code}"
    if case.endswith("thread") or case.startswith("thread whose"):
        key = {
            "public thread": "public",
            "thread whose opening post waits": "pending",
            "members thread": "members",
            "restricted thread": "restricted",
        }[case]
        thread = world["threads"][key]
        has = lambda items: any(item["id"] == thread.pk for item in items)  # noqa: E731
        result = seen(reader, [("threads", {}, has)], f"threads/{thread.pk}")
        balance = reader.status(f"threads/{thread.pk}/balance")
        return result if balance == {"seen": 200, "-": 404, 401: 401}[result] else "balance"
    if case.endswith("post"):
        key = case.split()[0]
        if key in ("members", "restricted"):
            post = world["threads"][key].posts.get()
        else:
            post = world["posts"][key]
        has = lambda items: any(item["id"] == post.pk for item in items)  # noqa: E731
        return seen(
            reader,
            [
                ("posts", {}, has),
                ("posts", {"q": post.text.split()[1]}, has),
                ("posts", {"thread": post.thread_id}, has),
            ]
            if reader.status(f"threads/{post.thread_id}") == 200
            else [("posts", {}, has), ("posts", {"q": post.text.split()[1]}, has)],
            f"posts/{post.pk}",
        )
    if case.endswith("outcome"):
        key = "consultation" if case.startswith("public") else "members consultation"
        thread = world["threads"][key]
        has = lambda items: any(item["thread"] == thread.pk for item in items)  # noqa: E731
        return seen(reader, [("outcomes", {}, has)], None)
    raise AssertionError(case)


@pytest.mark.parametrize("role", ROLES)
def test_the_api_visibility_matrix(client, world, role):
    reader = Reader(client, world["tokens"][role])
    column = ROLES.index(role)

    got = {case: outcome(reader, world, case) for case in MATRIX}

    assert got == {case: row[column] for case, row in MATRIX.items()}


ENDPOINTS = (
    "studies",
    "studies/published-study",
    "authors",
    "topics",
    "sites",
    "sites/open-site",
    "sites.geojson",
    "minerals",
    "forums",
    "threads",
    "posts",
    "outcomes",
    "participation",
    "openapi.json",
)


@pytest.mark.parametrize("role", ROLES)
def test_no_answer_holds_an_email_address(client, world, role):
    reader = Reader(client, world["tokens"][role])
    thread = world["threads"]["public"]
    paths = [*ENDPOINTS, f"threads/{thread.pk}", f"threads/{thread.pk}/balance"]
    paths += [f"posts/{post.pk}" for post in world["posts"].values()]

    texts = [client.get(API + path, **reader.headers).text for path in paths]

    every = "\n".join(texts)
    assert all(email not in every for email in world["emails"])
    assert "@example.org" not in every
    # And nothing of what waits, was hidden or rejected, in any answer.
    for status in ("pending", "hidden", "rejected"):
        assert f"A {status} post" not in every


def test_counts_and_aggregates_count_only_what_is_public(client, world):
    topics = {t["slug"]: t for t in client.get(API + "topics").json()["items"]}
    minerals = {m["slug"]: m for m in client.get(API + "minerals").json()["items"]}
    balance = client.get(API + f"threads/{world['threads']['public'].pk}/balance").json()
    participation = client.get(API + "participation").json()
    member = client.get(API + "participation", **bearer(world["tokens"]["member"])).json()

    assert topics["mercury"]["studies"] == 1  # the draft is not counted
    assert minerals["gold"]["sites"] == 1
    miners = next(share for share in balance["groups"] if share["group"] == "miner")
    assert miners["posts"] == 2  # the opening post and the approved one; not the three others
    # Public threads: the open one (2 approved posts) and the consultation (1).
    assert participation == [
        {"stakeholder_group": "miner", "country": "CD", "people": 1, "posts": 3}
    ]
    # A member also counts the members forum's thread and consultation.
    assert member[0]["posts"] == 5


def test_a_study_holds_its_authors_topics_file_and_downloads_per_month(client, world):
    study = client.get(API + "studies/published-study").json()

    assert study["authors"] == [
        {"author": study["authors"][0]["author"], "name": "Ada Published", "role": "author"}
    ]
    assert study["topics"] == ["mercury"]
    assert study["downloads_per_month"] == [
        {"month": "2026-03", "downloads": 7},
        {"month": "2026-04", "downloads": 1},
    ]
    assert study["sites"] == ["open-site"]  # never the draft site
    assert study["file"] is None


def test_a_post_has_its_authors_public_name_group_and_verified_mark(client, world):
    post = world["posts"]["approved"]

    answer = client.get(API + f"posts/{post.pk}").json()

    assert answer["author"] == {
        "name": "Author Person",
        "stakeholder_group": "miner",
        "verified": False,
    }
    assert answer["html"] == "<p>A approved post</p>"
    assert answer["text"] == "A approved post"
    assert answer["language"] == "en"


def test_a_forum_names_its_site_only_when_the_site_is_published(client, world):
    forums = read_all(client, "forums", bearer(world["tokens"]["member"]))[0]

    sites = {forum["slug"]: forum["site"] for forum in forums}

    assert sites == {"public-forum": "open-site", "members-forum": None}
