"""PostgreSQL: the text-search configurations every search reads with, each unaccenting before
it stems, so that a word typed without its accents finds it with them (and the reverse).
`unaccent` is a trusted extension (PostgreSQL 13+): a database's owner may create it."""

from django.db import migrations

CONFIGURATIONS = {"asm_english": "english", "asm_french": "french", "asm_simple": "simple"}
STEMMERS = {"english": "english_stem", "french": "french_stem", "simple": "simple"}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    for name, parent in CONFIGURATIONS.items():
        schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {name}")
        schema_editor.execute(f"CREATE TEXT SEARCH CONFIGURATION {name} (COPY = {parent})")
        schema_editor.execute(
            f"ALTER TEXT SEARCH CONFIGURATION {name} ALTER MAPPING FOR hword, hword_part, word "
            f"WITH unaccent, {STEMMERS[parent]}"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in CONFIGURATIONS:
        schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("thesaurus", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
