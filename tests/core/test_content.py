"""load_each: the one rule of every content loader."""

from core.content import Tally, load_each

ENTRIES = [{"slug": "gold", "name": "Gold"}, {"slug": "coltan", "name": "Coltan"}]


def test_what_is_missing_is_created_and_what_exists_left_as_editors_made_it():
    written = []
    existing = {"gold": {"slug": "gold", "name": "Or (edited)"}}

    tally = load_each(
        ENTRIES,
        existing=existing,
        write=lambda entry, found: written.append((entry["slug"], found)) or True,
        overwrite=False,
    )

    assert tally == Tally(created=1, updated=0, unchanged=1)
    assert written == [("coltan", None)]
    assert tally.summary("Minerals") == "Minerals: 1 created, 0 updated, 1 unchanged."


def test_overwrite_resets_what_exists_and_counts_only_real_changes():
    existing = {"gold": "the gold row", "coltan": "the coltan row"}
    seen = []

    def write(entry, found):
        seen.append(found)
        return entry["slug"] == "gold"  # coltan already says what the file says

    tally = load_each(ENTRIES, existing=existing, write=write, overwrite=True)

    assert tally == Tally(created=0, updated=1, unchanged=1)
    assert seen == ["the gold row", "the coltan row"]


def test_entries_can_be_found_by_any_key():
    tally = load_each(
        [("about", "en"), ("about", "fr")],
        existing={("about", "en"): "page"},
        key=lambda entry: entry,
        write=lambda entry, found: True,
        overwrite=False,
    )

    assert tally == Tally(created=1, updated=0, unchanged=1)
