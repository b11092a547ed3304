"""Search on both databases: on SQLite, an FTS5 table of the studies (their authors under every
name printed, their topics in both languages), filled here; on PostgreSQL, every vector read
again with the unaccenting configurations (thesaurus 0002)."""

from django.db import migrations

FTS = (
    "CREATE VIRTUAL TABLE publications_publication_fts USING fts5("
    "title, people, topics, abstract, text, lang, tokenize = 'unicode61 remove_diacritics 2')"
)


def build(apps, schema_editor):
    from publications.search import index_publications

    # On PostgreSQL, 0011 moves the vectors to a table of their own and indexes every study
    # again (index_publications writes to that table, which does not exist yet here).
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(FTS)
        index_publications(
            apps.get_model("publications", "Publication").objects.using(
                schema_editor.connection.alias
            )
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE publications_publication_fts")


class Migration(migrations.Migration):
    dependencies = [
        ("publications", "0009_topic_follows"),
        ("thesaurus", "0002_text_search_configurations"),
    ]

    operations = [migrations.RunPython(build, drop, elidable=False)]
