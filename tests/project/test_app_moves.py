"""Models that moved app keep their rows: a database as the portal left it before the move
(case-study sites in portal, the moderation log in forums), filled, then migrated as an operator
would (`manage.py migrate`), finds every site, text, mineral, log entry and link where it was,
and the staff's permissions on them. On the database the suite runs on: PostgreSQL in CI's
first run, SQLite in its second.
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from accounts.models import User
from audit.models import ModerationLogEntry
from forums.models import Forum
from publications.models import Publication
from sites.models import Mineral, Site, SiteText

# The last migration of each app before the move; the apps that the move created, and those
# made since whose tables name the moved ones.
BEFORE_THE_MOVE = {
    "accounts": "0003_verification_requests",
    "publications": "0002_search_index",
    "portal": "0002_sites",
    "forums": "0004_review_queue_indexes",
}
NEW_APPS = {"audit", "casesites", "newsletter"}
WHEN = datetime.datetime(2026, 11, 20, 9, 30, tzinfo=datetime.UTC)


def wipe_database():
    """Drop every table, whatever app or migration made it."""
    tables = connection.introspection.table_names()
    connection.disable_constraint_checking()
    try:
        with connection.cursor() as cursor:
            for table in tables:
                suffix = " CASCADE" if connection.vendor == "postgresql" else ""
                cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)}{suffix}")
    finally:
        connection.enable_constraint_checking()


def migrate_to_before_the_move():
    """The schema of the commit before the move, built by its migrations, with what `migrate`
    then did (content types and permissions): the state's models to fill it with."""
    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    targets = [
        node
        for node in graph.leaf_nodes()
        if node[0] not in BEFORE_THE_MOVE and node[0] not in NEW_APPS
    ] + list(BEFORE_THE_MOVE.items())
    plan = executor.migration_plan(targets)
    state = executor.migrate(targets, plan=plan)
    emit_post_migrate_signal(0, False, connection.alias, apps=state.apps, plan=plan)
    return state.apps


@pytest.fixture
def old_apps(transactional_db):
    wipe_database()
    yield migrate_to_before_the_move()
    # Whatever happened, the tests that follow find the database as migrations make it, and
    # no content type cached with an id of before.
    wipe_database()
    call_command("migrate", verbosity=0)
    ContentType.objects.clear_cache()


def fill(apps):
    """What a portal held before the move, written with the models of that time."""
    User = apps.get_model("accounts", "User")
    Publication = apps.get_model("publications", "Publication")
    Mineral = apps.get_model("portal", "Mineral")
    Site = apps.get_model("portal", "Site")
    SiteText = apps.get_model("portal", "SiteText")
    Forum = apps.get_model("forums", "Forum")
    LogEntry = apps.get_model("forums", "ModerationLogEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")

    moderator = User.objects.create(email="moderator@example.org", name="Awa", is_staff=True)
    author = User.objects.create(email="author@example.org", name="Bienvenu")
    study = Publication.objects.create(
        title="Itombwe case study", slug="itombwe-case-study", kind="case_study", language="en",
        year=2012, is_published=True,
    )  # fmt: skip
    gold = Mineral.objects.create(slug="gold", name="Gold", name_fr="Or")
    coltan = Mineral.objects.create(slug="coltan", name="Coltan", name_fr="Coltan")
    itombwe = Site.objects.create(
        slug="itombwe", country="CD", latitude=Decimal("-3.61000"),
        longitude=Decimal("28.66000"), area_ha=574_000, iucn_category="II", is_published=True,
    )  # fmt: skip
    hidden = Site.objects.create(
        slug="not-yet", country="MG", latitude=Decimal("-22.5"), longitude=Decimal("45.3")
    )
    itombwe.minerals.set([gold, coltan])
    itombwe.publications.set([study])
    hidden.minerals.set([gold])
    SiteText.objects.create(
        site=itombwe, language="en", name="Itombwe Nature Reserve", summary="**Gold** mining",
        summary_html="<p><strong>Gold</strong> mining</p>",
    )  # fmt: skip
    SiteText.objects.create(
        site=itombwe, language="fr", name="Réserve naturelle d'Itombwe", summary="Orpaillage",
        summary_html="<p>Orpaillage</p>",
    )  # fmt: skip
    SiteText.objects.create(site=hidden, language="en", name="Not published yet")
    forum = Forum.objects.create(slug="itombwe", name="Itombwe", site=itombwe)
    LogEntry.objects.create(
        actor=moderator, actor_name="Awa", action="suspend", target_type="user",
        target_id=author.pk, target_repr="Bienvenu", subject_user_id=author.pk,
        reason="Threats", after={"until": None}, created_at=WHEN,
    )  # fmt: skip
    LogEntry.objects.create(
        actor=None, actor_name="Readers' flags", action="auto_hide", target_type="post",
        target_id=41, target_repr="Bienvenu: a thread", forum_id=forum.pk,
        before={"status": "approved"}, after={"status": "hidden", "flags": 3}, created_at=WHEN,
    )  # fmt: skip
    # What the staff roles were given then (accounts.roles named the models by app).
    site_type = ContentType.objects.get(app_label="portal", model="site")
    log_type = ContentType.objects.get(app_label="forums", model="moderationlogentry")
    Group.objects.get(name="Editors").permissions.add(
        Permission.objects.get(content_type=site_type, codename="change_site")
    )
    Group.objects.get(name="Moderators").permissions.add(
        Permission.objects.get(content_type=log_type, codename="view_moderationlogentry")
    )
    return {
        "study": study.pk,
        "itombwe": itombwe.pk,
        "hidden": hidden.pk,
        "gold": gold.pk,
        "coltan": coltan.pk,
        "forum": forum.pk,
        "moderator": moderator.pk,
        "author": author.pk,
        "site_type": site_type.pk,
        "log_type": log_type.pk,
    }


def test_sites_and_the_log_keep_every_row_and_link_through_the_move(old_apps, client):
    ids = fill(old_apps)

    call_command("migrate", verbosity=0)
    ContentType.objects.clear_cache()  # the process's, filled by the tests before this one

    itombwe = Site.objects.get(slug="itombwe")
    assert itombwe.pk == ids["itombwe"]
    assert (itombwe.country.code, itombwe.latitude, itombwe.longitude) == (
        "CD",
        Decimal("-3.61000"),
        Decimal("28.66000"),
    )
    assert (itombwe.area_ha, itombwe.iucn_category, itombwe.is_published) == (574_000, "II", True)
    assert set(itombwe.minerals.values_list("pk", flat=True)) == {ids["gold"], ids["coltan"]}
    assert list(itombwe.publications.values_list("pk", flat=True)) == [ids["study"]]
    assert list(Publication.objects.get(pk=ids["study"]).sites.all()) == [itombwe]
    texts = {text.language: text for text in itombwe.texts.all()}
    assert texts["fr"].name == "Réserve naturelle d'Itombwe"
    assert texts["en"].summary_html == "<p><strong>Gold</strong> mining</p>"
    assert Site.objects.count() == 2
    assert SiteText.objects.count() == 3
    assert Mineral.objects.get(pk=ids["gold"]).label == "Gold"
    assert list(Mineral.objects.get(pk=ids["gold"]).sites.order_by("slug")) == [
        Site.objects.get(slug="itombwe"),
        Site.objects.get(slug="not-yet"),
    ]
    assert Forum.objects.get(pk=ids["forum"]).site == itombwe
    assert itombwe.forum.pk == ids["forum"]

    suspend, auto_hide = ModerationLogEntry.objects.order_by("pk")
    assert (suspend.actor_id, suspend.action, suspend.reason) == (
        ids["moderator"],
        "suspend",
        "Threats",
    )
    assert (suspend.subject_user_id, suspend.created_at) == (ids["author"], WHEN)
    assert (auto_hide.actor_id, auto_hide.forum_id) == (None, ids["forum"])
    assert auto_hide.after == {"status": "hidden", "flags": 3}

    # The content types kept their ids, so the staff's permissions followed the models.
    assert ContentType.objects.get_for_model(Site).pk == ids["site_type"]
    assert ContentType.objects.get_for_model(ModerationLogEntry).pk == ids["log_type"]
    assert not ContentType.objects.filter(app_label="portal", model__in=["site", "mineral"])
    editors = Group.objects.get(name="Editors").permissions.filter(codename="change_site")
    assert [p.content_type.app_label for p in editors] == ["casesites"]
    editor = User.objects.create(email="editor@example.org", name="Chantal", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    assert editor.has_perm("casesites.change_site")
    moderator = User.objects.get(pk=ids["moderator"])
    moderator.groups.add(Group.objects.get(name="Moderators"))
    assert moderator.has_perm("audit.view_moderationlogentry")

    # The foreign keys now point at the renamed tables, and still hold.
    with pytest.raises(IntegrityError), transaction.atomic():
        Forum.objects.filter(pk=ids["forum"]).update(site_id=ids["itombwe"] + 1000)
    with pytest.raises(IntegrityError), transaction.atomic():
        SiteText.objects.create(site_id=ids["hidden"] + 1000, language="en", name="Nowhere")

    # And the pages show them: the site with its study and its forum.
    page = client.get(reverse("sites:detail", args=["itombwe"])).content.decode()
    assert "Itombwe Nature Reserve" in page
    assert "Itombwe case study" in page
    assert reverse("forums:forum", args=["itombwe"]) in page
