"""The search vectors move to a narrow table of their own (SearchDocument): a search matching
most studies reads a row of each, and a study's own row, with its abstract, is fifteen times
wider. On PostgreSQL every study is indexed again into it (which also does what 0010 did there),
with the GIN indexes of 0002 and 0008 made anew on the new table; the old columns and their
indexes go. SQLite keeps its FTS5 table and leaves the new one empty."""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

# Both vectors out of line, so that a row is a few dozen bytes: rank_vector, compressed, would
# otherwise stay in the row (under the default 2 KB target) and make the table ten times larger.
OLD_INDEXES = """
ALTER TABLE publications_searchdocument SET (toast_tuple_target = 128);
DROP INDEX IF EXISTS publication_search_vector;
DROP INDEX IF EXISTS publication_rank_vector;
DROP INDEX IF EXISTS publication_word_pairs;
"""
NEW_INDEXES = """
CREATE INDEX publication_search_vector ON publications_searchdocument USING gin (search_vector);
CREATE INDEX publication_word_pairs ON publications_searchdocument
USING gin (word_pairs(search_vector));
"""
BACK = """
DROP INDEX IF EXISTS publication_search_vector;
DROP INDEX IF EXISTS publication_word_pairs;
UPDATE publications_publication p
SET search_vector = d.search_vector, rank_vector = d.rank_vector
FROM publications_searchdocument d WHERE d.publication_id = p.id;
CREATE INDEX publication_search_vector ON publications_publication USING gin (search_vector);
CREATE INDEX publication_rank_vector ON publications_publication USING gin (rank_vector);
CREATE INDEX publication_word_pairs ON publications_publication
USING gin (word_pairs(search_vector));
"""


def move(apps, schema_editor):
    from publications.search import index_publications

    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(OLD_INDEXES)
    index_publications(
        apps.get_model("publications", "Publication").objects.using(schema_editor.connection.alias)
    )
    schema_editor.execute(NEW_INDEXES)


def move_back(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACK)


class Migration(migrations.Migration):
    dependencies = [("publications", "0010_search_everywhere")]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "publication",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_document",
                        serialize=False,
                        to="publications.publication",
                    ),
                ),
                ("search_vector", django.contrib.postgres.search.SearchVectorField(null=True)),
                ("rank_vector", django.contrib.postgres.search.SearchVectorField(null=True)),
            ],
        ),
        migrations.RunPython(move, move_back, elidable=False),
        migrations.RemoveField(model_name="publication", name="rank_vector"),
        migrations.RemoveField(model_name="publication", name="search_vector"),
    ]
