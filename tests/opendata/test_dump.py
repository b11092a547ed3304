"""The dump: every table as CSV in one ZIP, a valid Data Package, public data only."""

import re
import zipfile

import frictionless
import pytest
from allauth.account.models import EmailAddress
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import translation

from accounts.models import User
from core.emails import absolute_url
from opendata import dumps
from opendata import rows as table_rows
from opendata.tables import TABLES

from .conftest import rows

pytestmark = pytest.mark.django_db

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def test_the_zip_holds_a_csv_file_per_table_and_is_a_valid_data_package(portal, built):
    files = built()

    assert set(files) == {
        "datapackage.json", "studies.csv", "authors.csv", "study_authors.csv", "topics.csv",
        "study_topics.csv", "study_countries.csv", "sites.csv", "site_texts.csv",
        "minerals.csv", "site_minerals.csv", "site_studies.csv", "forums.csv", "threads.csv",
        "posts.csv", "consultation_outcomes.csv", "participation.csv", "downloads.csv",
    }  # fmt: skip
    report = frictionless.validate(default_storage.path(dumps.NAME))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    # The checks ran on the rows: primary and foreign keys included (a reply to a post not in
    # the dump would break posts.reply_to_id -> posts.id).
    assert report.stats["tasks"] == len(TABLES)


def test_every_column_is_described_with_its_type(portal, built):
    built()
    descriptor = dumps.stored_dump().descriptor

    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    for resource in descriptor["resources"]:
        assert resource["description"]
        for field in resource["schema"]["fields"]:
            assert field["type"] in {"integer", "number", "string", "boolean", "datetime",
                                     "yearmonth"}  # fmt: skip
            assert len(field["description"]) > 5, (resource["name"], field["name"])


def test_the_tables_hold_what_a_visitor_sees(portal, built):
    files = built()
    study, site, thread = portal["study"], portal["site"], portal["thread"]

    assert [r["title"] for r in rows(files["studies.csv"])] == ["Gold in the Gola forest"]
    assert [r["name"] for r in rows(files["authors.csv"])] == ["Ada Miner"]
    assert rows(files["study_countries.csv"]) == [{"study_id": str(study.pk), "country": "SL"}]
    assert rows(files["downloads.csv"]) == [
        {"study_id": str(study.pk), "month": "2026-03", "downloads": "5"}
    ]
    assert [r["site_id"] for r in rows(files["site_studies.csv"])] == [str(site.pk)]
    assert [r["slug"] for r in rows(files["forums.csv"])] == ["public"]
    assert rows(files["forums.csv"])[0]["site_id"] == str(site.pk)
    posts = {r["text"]: r for r in rows(files["posts.csv"])}
    reply = posts["PUBLIC-REPLY about mercury"]  # plain text: no Markdown
    assert reply["reply_to_id"] == str(thread.posts.order_by("pk").first().pk)
    assert reply["author_stakeholder_group"] == "miner"
    assert posts["Answering a hidden post"]["reply_to_id"] == ""
    [opening] = [r for r in rows(files["posts.csv"]) if r["id"] == reply["reply_to_id"]]
    assert (opening["author_name"], opening["author_verified"]) == ("Mariama Koroma", "false")
    with translation.override("en"):
        assert rows(files["threads.csv"])[0]["url"] == absolute_url(thread.get_absolute_url())
        assert rows(files["studies.csv"])[0]["url"] == absolute_url(study.get_absolute_url())
    assert rows(files["threads.csv"])[0]["url"].endswith(f"/en/forums/public/{thread.pk}/")
    [outcome] = rows(files["consultation_outcomes.csv"])
    assert outcome["outcome"] == "The **buffer zone** follows the river."
    mariama = {"stakeholder_group": "miner", "country": "SL", "people": "1", "posts": "1"}
    assert mariama in rows(files["participation.csv"])


def test_nothing_pending_hidden_rejected_restricted_unpublished_nor_any_email(portal, built):
    files = built()
    everything = "\n".join(files.values())

    for secret in (
        "PENDING-POST", "HIDDEN-POST", "REJECTED-POST", "WAITING-THREAD", "WAITING-OPENING",
        "MEMBERS-THREAD", "MEMBERS-POST", "MEMBERS-OUTCOME", "RESTRICTED-THREAD",
        "RESTRICTED-POST", "UNPUBLISHED-STUDY", "Unpublished Author", "UNPUBLISHED-SITE",
        "members-only", "RESTRICTED-FORUM",
    ):  # fmt: skip
        assert secret not in everything, secret
    addresses = {*User.objects.values_list("email", flat=True)}
    addresses |= {*EmailAddress.objects.values_list("email", flat=True)}
    assert len(addresses) > 3
    for name, text in files.items():
        assert not EMAIL.search(text), (name, EMAIL.search(text))
        for address in addresses:
            assert address not in text
    assert "Write to me at [email address removed], please." in files["posts.csv"]
    # The unpublished study's downloads are not counted anywhere either.
    assert rows(files["downloads.csv"])[0]["downloads"] == "5"


def test_a_deleted_account_is_a_deleted_user(portal, built):
    from accounts.services import account_delete

    account_delete(user=portal["miner"])
    posts = rows(built()["posts.csv"])

    assert {post["author_name"] for post in posts} >= {"Deleted user"}
    assert "Mariama Koroma" not in {post["author_name"] for post in posts}


def test_a_failed_build_leaves_the_dump_before_it_in_place(portal, built, monkeypatch):
    before = built()

    def broken():
        yield (1,)
        raise RuntimeError("the database went away")

    broken_table = TABLES[0].__class__(**{**TABLES[0].__dict__, "rows": broken})
    monkeypatch.setattr(dumps, "TABLES", (broken_table, *TABLES[1:]))
    with pytest.raises(RuntimeError):
        dumps.dump_build()

    with default_storage.open(dumps.NAME, "rb") as stream, zipfile.ZipFile(stream) as archive:
        assert archive.read("studies.csv").decode() == before["studies.csv"]
    folder = default_storage.path("opendata")
    assert default_storage.listdir("opendata") == ([], ["asm-pace-open-data.zip"]), folder


def test_the_management_command_builds_it(portal, capsys):
    call_command("build_open_data")

    assert "Open data: 17 tables" in capsys.readouterr().out
    assert dumps.stored_dump().descriptor["resources"][0]["rows"] == 1


def test_rows_are_read_a_chunk_at_a_time(portal, monkeypatch):
    """Every table reads through .iterator(chunk_size=...), never a whole list."""
    sizes = []
    original = type(table_rows.Post.objects.all()).iterator

    def iterator(self, chunk_size=None):
        sizes.append(chunk_size)
        return original(self, chunk_size=chunk_size)

    monkeypatch.setattr(type(table_rows.Post.objects.all()), "iterator", iterator)
    list(table_rows.post_rows())

    assert sizes == [table_rows.CHUNK_ROWS]


def test_the_portals_own_content_and_examples_make_a_valid_dump(settings, committed):
    settings.DEBUG = True  # examples load in development only, as `make setup` does
    call_command("load_content", verbosity=0)
    with committed():
        call_command("load_examples", verbosity=0)
    dumps.dump_build()

    report = frictionless.validate(default_storage.path(dumps.NAME))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    rows_of = {r["name"]: r["rows"] for r in dumps.stored_dump().descriptor["resources"]}
    assert rows_of["studies"] > 0
    assert rows_of["posts"] > 0
    assert rows_of["consultation_outcomes"] > 0
    with zipfile.ZipFile(default_storage.open(dumps.NAME, "rb")) as archive:
        assert archive.getinfo("posts.csv").date_time[0] >= 2026  # dated, not 1980
