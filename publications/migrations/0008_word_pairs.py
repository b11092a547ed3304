from django.db import migrations

# Phrases through an index of the word pairs that stand side by side in each study's vector
# (core/phrases.py): the pair's key is a hash of its two lexemes in 2^20 buckets. word_pairs
# spells the key out rather than calling word_pair_key: since PostgreSQL 17, ANALYZE and REINDEX
# evaluate an index's expression with only pg_catalog on the search path. OR REPLACE and IF NOT
# EXISTS: dropping the tables (tests/project/test_app_moves.py) leaves the functions.
FUNCTIONS = """
CREATE OR REPLACE FUNCTION word_pair_key(text, text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT hashtext($1 || ' ' || $2) & 1048575 $$;

CREATE OR REPLACE FUNCTION word_pairs(tsvector) RETURNS integer[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$
    SELECT COALESCE(array_agg(DISTINCT hashtext(a.lexeme || ' ' || b.lexeme) & 1048575), '{}')
    FROM (SELECT lexeme, unnest(positions) AS position FROM unnest($1)) AS a
    JOIN (SELECT lexeme, unnest(positions) AS position FROM unnest($1)) AS b
        ON b.position = a.position + 1
$$;

CREATE INDEX IF NOT EXISTS publication_word_pairs ON publications_publication
USING gin (word_pairs(search_vector));
"""
DROP = """
DROP INDEX IF EXISTS publication_word_pairs;
DROP FUNCTION IF EXISTS word_pairs(tsvector);
DROP FUNCTION IF EXISTS word_pair_key(text, text);
"""


def run_on_postgres(sql):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return operation


class Migration(migrations.Migration):
    dependencies = [("publications", "0007_rank_vector_out_of_line")]

    operations = [migrations.RunPython(run_on_postgres(FUNCTIONS), run_on_postgres(DROP))]
