from django.db import migrations

# Ranking now reads each word's precomputed score (SearchTerm, migration 0006), not rank_vector:
# kept in the row (migration 0005), it made every study's row 2.5 KB, and reading the studies a
# search found (their kind, language, year, title) three times as many pages. Back out of line,
# as PostgreSQL keeps large values by default; existing vectors move as they are rewritten here.
OUT_OF_LINE = (
    "ALTER TABLE publications_publication ALTER COLUMN rank_vector SET STORAGE EXTENDED; "
    "UPDATE publications_publication SET rank_vector = rank_vector || ''::tsvector "
    "WHERE rank_vector IS NOT NULL"
)
IN_ROW = (
    "ALTER TABLE publications_publication ALTER COLUMN rank_vector SET STORAGE MAIN; "
    "UPDATE publications_publication SET rank_vector = rank_vector || ''::tsvector "
    "WHERE rank_vector IS NOT NULL"
)


def run_on_postgres(sql):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return operation


class Migration(migrations.Migration):
    dependencies = [("publications", "0006_searchterm")]

    operations = [migrations.RunPython(run_on_postgres(OUT_OF_LINE), run_on_postgres(IN_ROW))]
