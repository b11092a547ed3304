from django.db import migrations

# A GIN index only PostgreSQL has; on SQLite the search_vector column stays empty and unused.
CREATE = (
    "CREATE INDEX IF NOT EXISTS forums_post_search_vector ON forums_post USING gin (search_vector)"
)
DROP = "DROP INDEX IF EXISTS forums_post_search_vector"


def run_on_postgres(sql):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return operation


class Migration(migrations.Migration):
    dependencies = [("forums", "0001_initial")]

    operations = [migrations.RunPython(run_on_postgres(CREATE), run_on_postgres(DROP))]
