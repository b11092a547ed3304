"""The thesaurus shipped with the code (content/thesaurus.toml), loaded once; then the admin's."""

import tomllib
from pathlib import Path

from django.db import transaction

from core.content import ContentError, load_each

from .models import Concept, Label

THESAURUS = Path(__file__).resolve().parent / "content" / "thesaurus.toml"


@transaction.atomic
def load_thesaurus(*, overwrite: bool = False, path: Path = THESAURUS) -> str:
    with path.open("rb") as stream:
        entries = tomllib.load(stream)["concepts"]
    for entry in entries:
        if len(entry.get("en", [])) + len(entry.get("fr", [])) < 2:
            raise ContentError(f"thesaurus.toml: {entry['slug']} needs at least two labels")

    def write(entry, concept):
        if concept is None:
            concept = Concept.objects.create(slug=entry["slug"], note=entry.get("note", ""))
        else:
            Concept.objects.filter(pk=concept.pk).update(note=entry.get("note", ""))
            concept.labels.all().delete()
        Label.objects.bulk_create(
            Label(concept=concept, language=language, text=text)
            for language in ("en", "fr")
            for text in entry.get(language, [])
        )
        return True

    existing = Concept.objects.in_bulk([entry["slug"] for entry in entries], field_name="slug")
    return load_each(entries, existing=existing, write=write, overwrite=overwrite).summary(
        "Thesaurus"
    )
