"""Public handles: unique by their look, refused when misleading, given to everyone."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone, translation

from accounts.handles import backfill_handles, handle_key, suggest_handle, validate_handle
from accounts.models import StakeholderGroup, User
from accounts.services import account_delete
from tests.accounts.test_signup import SIGNUP, signup_data
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# Written as escapes: in the source they would look like the Latin letters they imitate.
CYRILLIC_A = "\u0430"
CYRILLIC_COCO = "\u0441\u043e\u0441\u043e"  # "coco" in Cyrillic letters only
GREEK_OMICRON = "\u03bf"


def refusal(handle, **kwargs):
    with pytest.raises(ValidationError) as caught:
        validate_handle(handle, **kwargs)
    return caught.value


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("amelie", "AMELIE"),  # case
        ("Amélie", "amelie"),  # accents
        ("Cœur", "coeur"),  # a French ligature
        (f"{CYRILLIC_A}melie", "amelie"),  # a Cyrillic letter drawn like a Latin one
        (CYRILLIC_COCO, "coco"),  # a whole handle in Cyrillic look-alikes
        (f"r{GREEK_OMICRON}bert", "robert"),  # Greek omicron
        ("r0bert", "robert"),  # zero and o
        ("b1ll", "bill"),  # one, i and l
        ("Ian", "lan"),  # capital I and l
        ("jo5e", "jose"),  # five and s
        ("rnoderator", "moderator"),  # r and n side by side pass for m
        ("jean_luc", "jean-luc"),  # separators
        ("jean.luc", "jeanluc"),
        ("ＡＭＥＬＩＥ", "amelie"),  # full-width letters # noqa: RUF001
    ],
)
def test_handles_that_look_alike_share_a_key(one, other):
    assert handle_key(one) == handle_key(other)


@pytest.mark.parametrize(("one", "other"), [("amani", "amina"), ("jean", "joan"), ("ana", "anna")])
def test_handles_that_look_different_have_different_keys(one, other):
    assert handle_key(one) != handle_key(other)


@pytest.mark.parametrize(
    ("taken", "wanted"),
    [
        ("amelie", "Amélie"),
        ("amelie", "AMELIE"),
        ("coco", CYRILLIC_COCO),
        ("robert", "r0bert"),
        ("jean_luc", "Jean.Luc"),
        ("bill", "b1ll"),
    ],
)
def test_a_handle_like_one_taken_is_refused_with_a_free_suggestion(taken, wanted):
    UserFactory(handle=taken)

    error = refusal(wanted)

    assert error.code == "taken"
    suggestion = error.params["suggestion"]
    assert error.messages == [f"@{wanted} is already taken — try @{suggestion}."]
    assert validate_handle(suggestion) == suggestion


def test_the_suggestion_skips_numbers_taken_too():
    UserFactory(handle="amelie")
    UserFactory(handle="AMELIE2")

    assert refusal("Amélie").messages == ["@Amélie is already taken — try @Amélie3."]


def test_ones_own_handle_is_not_taken_from_oneself():
    person = UserFactory(handle="amelie")

    assert validate_handle("Amélie", exclude_user_id=person.pk) == "Amélie"
    assert refusal("Amélie", exclude_user_id=UserFactory().pk).code == "taken"


@pytest.mark.parametrize(
    "handle", [f"p{CYRILLIC_A}ypal", f"Amel{GREEK_OMICRON}", "jeanж", "x\u0661\u0662"]
)
def test_handles_mixing_scripts_are_refused(handle):
    error = refusal(handle)

    assert error.code == "mixed_scripts"
    assert "one alphabet" in error.messages[0]


@pytest.mark.parametrize(
    "handle", ["Amélie", "Cœur_de_Lion", "jean-luc.mbeki", "Иван", "جميلة", "山田たろう", "nz3"]
)
def test_letters_of_any_one_script_digits_and_separators_are_fine(handle):
    assert validate_handle(handle) == handle


@pytest.mark.parametrize(
    "handle", ["admin", "Adm1n", "MODERATORS", "every-one", "asm_pace", "here", "deleted42"]
)
def test_reserved_handles_are_refused_however_written(handle):
    error = refusal(handle)

    assert error.code == "reserved"
    assert error.messages == [f"@{handle} is reserved: please choose another handle."]


@pytest.mark.parametrize(
    ("handle", "code", "message"),
    [
        ("ab", "too_short", "A handle needs at least 3 characters."),
        ("a" * 31, "too_long", "A handle has at most 30 characters."),
        ("jean luc", "bad_character", "remove “ ”."),
        ("jean+luc!", "bad_character", "remove “+” “!”."),
        ("1jean", "first_character", "A handle must start with a letter."),
        ("_jean", "first_character", "A handle must start with a letter."),
        ("jean.", "last_character", "A handle must end with a letter or a digit."),
    ],
)
def test_the_shape_of_a_handle_is_checked_with_a_clear_message(handle, code, message):
    error = refusal(handle)

    assert error.code == code
    assert message in error.messages[0]


def test_a_handle_is_stored_composed_without_an_at_sign():
    decomposed = "Ame\u0301lie"

    assert validate_handle(f" @{decomposed} ") == "Amélie"


def test_a_suggestion_is_free_valid_and_in_ascii():
    assert suggest_handle("Amélie N'Diaye") == "amelie_n_diaye"

    UserFactory(handle="Amelie_N_Diaye")
    suggestion = suggest_handle("Amélie N'Diaye")

    assert suggestion == "amelie_n_diaye2"
    assert validate_handle(suggestion) == suggestion


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        (("Иван Петров", "ivan.petrov+forum@example.org"), "ivan_petrov"),
        (("Li",), "member"),
        (("007 Bond",), "bond"),
        (("Support",), "member"),
        (("x" * 40,), "x" * 30),
    ],
)
def test_a_suggestion_falls_back_when_too_little_is_left(sources, expected):
    assert suggest_handle(*sources) == expected


def test_every_new_person_gets_a_handle_from_their_name():
    first = User.objects.create_user("one@example.org", name="Amani Bisimwa")
    second = User.objects.create_user("two@example.org", name="Amani Bisimwa")

    assert (first.handle, second.handle) == ("amani_bisimwa", "amani_bisimwa2")
    assert first.handle_key == handle_key("amani_bisimwa")


def test_people_created_in_bulk_get_handles_too():
    UserFactory(handle="person_1")

    people = User.objects.bulk_create(
        User(email=f"bulk{n}@example.org", name=name, password=make_password(None))
        for n, name in enumerate(["Person 1", "Person 1", "Person 2"])
    )

    assert [p.handle for p in people] == ["person_1_2", "person_1_3", "person_2"]
    assert len({p.handle_key for p in User.objects.all()}) == User.objects.count()


def test_the_key_follows_the_handle_on_save():
    person = UserFactory(handle="amelie")

    person.handle = "Zawadi"
    person.save(update_fields=["handle"])

    person.refresh_from_db()
    assert (person.handle, person.handle_key) == ("Zawadi", "zawadl")


# Sign-up, through the real view.


def test_signup_keeps_the_handle_chosen(client, committed):
    with committed():
        response = client.post(SIGNUP, signup_data(handle="@Amani.B"))

    assert response.status_code == 302
    person = User.objects.get(email="amani@example.org")
    assert (person.handle, person.handle_key) == ("Amani.B", "amanlb")


def test_signup_without_a_handle_makes_one_from_the_name(client, committed):
    UserFactory(handle="amani_bisimwa")

    with committed():
        response = client.post(SIGNUP, signup_data(handle=""))

    assert response.status_code == 302
    assert User.objects.get(email="amani@example.org").handle == "amani_bisimwa2"


@pytest.mark.parametrize(
    ("handle", "message"),
    [
        ("amani", "@amani is already taken — try @amani2."),
        (f"Am{CYRILLIC_A}ni", "A handle must be written in one alphabet"),
        ("moderator", "@moderator is reserved"),
    ],
)
def test_signup_with_a_handle_refused_says_why_and_creates_nothing(
    client, committed, mailoutbox, handle, message
):
    existing = UserFactory(handle="Amani")

    with committed():
        response = client.post(SIGNUP, signup_data(handle=handle))

    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors["handle"])
    assert message in response.content.decode()
    assert list(User.objects.all()) == [existing]
    assert not EmailAddress.objects.filter(email="amani@example.org").exists()
    assert mailoutbox == []


def test_a_refusal_is_explained_in_french_to_who_registers_in_french(client):
    UserFactory(handle="amani")
    with translation.override("fr"):  # on the French sign-up page
        response = client.post(reverse("account_signup"), signup_data(handle="Amani"))

    assert "@Amani est déjà pris — essayez @Amani2." in response.content.decode()


def test_the_handle_field_comes_right_after_the_name(client):
    page = client.get(SIGNUP).content.decode()

    name, handle, email = (page.index(f'id="id_{field}"') for field in ("name", "handle", "email"))
    assert name < handle < email
    assert 'for="id_handle"' in page
    assert "@mention you" in page


# The profile.


def profile_data(**overrides):
    data = {
        "name": "Zawadi Mwamba",
        "stakeholder_group": StakeholderGroup.NGO,
        "organisation": "",
        "country": "CD",
        "preferred_language": "en",
    }
    return {**data, **overrides}


def test_the_public_profile_and_the_edit_page_show_the_handle(client):
    person = UserFactory(handle="Zawadi.M")

    assert "@Zawadi.M" in client.get(person.get_absolute_url()).content.decode()
    client.force_login(person)
    assert "@Zawadi.M" in client.get(reverse("accounts:profile_edit")).content.decode()


def test_a_person_changes_their_handle(client):
    person = UserFactory(handle="zawadi")
    client.force_login(person)

    response = client.post(reverse("accounts:profile_edit"), profile_data(handle="Zawadi_M"))

    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.handle, person.handle_key) == ("Zawadi_M", "zawadlm")
    assert "@Zawadi_M" in client.get(person.get_absolute_url()).content.decode()


def test_a_person_may_change_only_the_case_or_accents_of_their_handle(client):
    person = UserFactory(handle="amelie")
    client.force_login(person)

    response = client.post(reverse("accounts:profile_edit"), profile_data(handle="Amélie"))

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.handle == "Amélie"


def test_a_handle_taken_is_refused_on_the_profile_and_nothing_is_saved(client):
    UserFactory(handle="amelie")
    person = UserFactory(name="Unchanged", handle="zawadi")
    client.force_login(person)

    response = client.post(
        reverse("accounts:profile_edit"), profile_data(name="Changed", handle="Amélie")
    )

    assert response.status_code == 200
    message = "@Amélie is already taken — try @Amélie2."
    assert response.context["form"].errors["handle"] == [message]
    page = response.content.decode()
    assert message in page
    assert "Others mention you as <bdi>@zawadi</bdi>" in page
    person.refresh_from_db()
    assert (person.name, person.handle, person.handle_key) == ("Unchanged", "zawadi", "zawadl")


# The data migration.


def test_the_backfill_gives_everyone_a_free_handle():
    UserFactory(handle="amelie_kabila")
    first = UserFactory(name="Amélie Kabila")
    second = UserFactory(name="Amélie Kabila")
    cyrillic = UserFactory(name="Иван", email="ivan.petrov@example.org")
    nameless = UserFactory(name="", email="x@example.org")
    closed = UserFactory(name="", deleted_at=timezone.now())
    kept = UserFactory(handle="kept")
    again = User.objects.filter(pk__in=[p.pk for p in (first, second, cyrillic, nameless, closed)])

    assert backfill_handles(User, users=again) == 5

    handles = dict(User.objects.values_list("pk", "handle"))
    assert handles[first.pk] == "amelie_kabila2"
    assert handles[second.pk] == "amelie_kabila3"
    assert handles[cyrillic.pk] == "ivan_petrov"
    assert handles[nameless.pk] == f"member{nameless.pk}"
    assert handles[closed.pk] == f"deleted{closed.pk}"
    assert handles[kept.pk] == "kept"
    for person in User.objects.all():
        assert person.handle_key == handle_key(person.handle)
    assert backfill_handles(User) == 0


# Reading people by handle, for mentions.


def test_by_handles_finds_people_by_the_look_of_their_handle_in_one_query(
    django_assert_num_queries,
):
    amelie = UserFactory(handle="Amélie")
    zawadi = UserFactory(handle="zawadi")
    UserFactory(handle="bystander")
    UserFactory(handle="gone", is_active=False)
    UserFactory(handle="closed", deleted_at=timezone.now())

    with django_assert_num_queries(1):
        found = set(User.objects.by_handles(["@amelie", "ZAWADI", "gone", "closed", "nobody", ""]))

    assert found == {amelie, zawadi}


def test_by_handles_with_no_handles_asks_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert list(User.objects.by_handles([])) == []


def test_a_deleted_account_releases_its_handle():
    person = UserFactory(handle="Amelie")

    account_delete(user=person)

    person.refresh_from_db()
    assert person.handle == f"deleted{person.pk}"
    assert person.handle_key == handle_key(f"deleted{person.pk}")
    assert not User.objects.by_handles(["amelie"]).exists()
    assert validate_handle("amélie") == "amélie"
    assert UserFactory(handle="amélie").handle_key == "amelle"


# The admin site.


def test_the_admin_lists_and_finds_handles_by_their_look(client):
    admin = UserFactory(is_staff=True, is_superuser=True, stakeholder_group="")
    UserFactory(handle="Amélie", name="Amélie Kabila")
    UserFactory(handle="zawadi", name="Zawadi Mwamba")
    client.force_login(admin)
    changelist = reverse("admin:accounts_user_changelist")

    page = client.get(changelist, {"q": "@AMELIE"}).content.decode()

    assert "Amélie Kabila" in page
    assert "Zawadi Mwamba" not in page
    assert "Zawadi Mwamba" in client.get(changelist, {"q": "zawadi"}).content.decode()


def test_the_admin_refuses_a_handle_that_is_taken(client):
    admin = UserFactory(is_staff=True, is_superuser=True, stakeholder_group="")
    UserFactory(handle="amelie")
    person = UserFactory(handle="zawadi")
    client.force_login(admin)

    response = client.post(
        reverse("admin:accounts_user_change", args=[person.pk]),
        {
            "email": person.email,
            "name": person.name,
            "handle": "AMELIE",
            "preferred_language": "en",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )

    assert response.status_code == 200
    assert "@AMELIE is already taken" in response.content.decode()
    person.refresh_from_db()
    assert person.handle == "zawadi"


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_people_who_were_there_before_a_handle():
    before = [("accounts", "0005_follows_what_they_write")]
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(before)
        old = executor.loader.project_state(before).apps.get_model("accounts", "User")
        amelie = old.objects.create(email="a@example.org", name="Amélie Kabila", password="!")
        namesake = old.objects.create(email="b@example.org", name="Amélie Kabila", password="!")
        closed = old.objects.create(name="", password="!", deleted_at=timezone.now())

        executor = MigrationExecutor(connection)
        executor.migrate([("accounts", "0007_user_handle_unique")])
    finally:
        # Whatever happened, the database is left as the other tests expect it.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    handles = dict(User.objects.values_list("pk", "handle"))
    assert handles == {
        amelie.pk: "amelie_kabila",
        namesake.pk: "amelie_kabila2",
        closed.pk: f"deleted{closed.pk}",
    }
    assert User.objects.get(pk=namesake.pk).handle_key == handle_key("amelie_kabila2")


def test_a_handle_taken_between_the_check_and_the_save_is_a_form_error(client, monkeypatch):
    """Two people asking for one handle at once: the second is told, nothing half-saved."""
    UserFactory(handle="amelie")
    person = UserFactory(name="Unchanged", handle="zawadi")
    client.force_login(person)
    monkeypatch.setattr("accounts.forms.validate_handle", lambda handle, **kwargs: handle)

    response = client.post(
        reverse("accounts:profile_edit"), profile_data(name="Changed", handle="Amélie")
    )

    assert response.status_code == 200
    assert "Someone has just taken this handle" in response.content.decode()
    person.refresh_from_db()
    assert (person.name, person.handle) == ("Unchanged", "zawadi")
