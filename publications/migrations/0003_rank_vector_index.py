from django.db import migrations

# The studies whose description holds a word of the query are the only ones whose rank is not 0
# (publications.search.found): this index finds them without reading every match's rank_vector.
CREATE = (
    "CREATE INDEX IF NOT EXISTS publication_rank_vector "
    "ON publications_publication USING gin (rank_vector)"
)
DROP = "DROP INDEX IF EXISTS publication_rank_vector"


def run_on_postgres(sql):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return operation


class Migration(migrations.Migration):
    dependencies = [("publications", "0002_search_index")]

    operations = [migrations.RunPython(run_on_postgres(CREATE), run_on_postgres(DROP))]
