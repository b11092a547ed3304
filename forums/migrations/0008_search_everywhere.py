"""Search on both databases: on SQLite, an FTS5 table of the posts (with their thread's title,
and on a consultation's opening post its outcome), filled here; on PostgreSQL, every vector read
again with the unaccenting configurations (thesaurus 0002) and the outcomes."""

from django.db import migrations

FTS = (
    "CREATE VIRTUAL TABLE forums_post_fts USING fts5("
    "title, body, lang, tokenize = 'unicode61 remove_diacritics 2')"
)


def build(apps, schema_editor):
    from forums.search import index_posts

    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(FTS)
    posts = apps.get_model("forums", "Post").objects.using(schema_editor.connection.alias)
    index_posts(posts.values_list("pk", flat=True))


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE forums_post_fts")


class Migration(migrations.Migration):
    dependencies = [
        ("forums", "0007_reading_and_site_delivery"),
        ("thesaurus", "0002_text_search_configurations"),
    ]

    operations = [migrations.RunPython(build, drop, elidable=False)]
