from django.db import migrations

# The word pairs' keys in 2^24 buckets instead of 2^20: a study's vector holds a few thousand
# pairs, so one pair's key in 2^20 buckets was shared by ~0.4 % of the studies, and a phrase's
# candidates through the index were half false (the query then read each one's whole vector to
# reject it: 1.5 ms of a phrase's 3 at 10,000 studies). The index holds as many entries as
# before; only its keys are more distinct. The functions are replaced and the index rebuilt.
# As in 0008, in BUCKETS - 1 as a mask; then the index is made again with the new keys.
FUNCTIONS = """
CREATE OR REPLACE FUNCTION word_pair_key(text, text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT hashtext($1 || ' ' || $2) & MASK $$;

CREATE OR REPLACE FUNCTION word_pairs(tsvector) RETURNS integer[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$
    SELECT COALESCE(array_agg(DISTINCT hashtext(a.lexeme || ' ' || b.lexeme) & MASK), '{}')
    FROM (SELECT lexeme, unnest(positions) AS position FROM unnest($1)) AS a
    JOIN (SELECT lexeme, unnest(positions) AS position FROM unnest($1)) AS b
        ON b.position = a.position + 1
$$;

REINDEX INDEX publication_word_pairs;
"""
WIDER = FUNCTIONS.replace("MASK", str(2**24 - 1))
NARROWER = FUNCTIONS.replace("MASK", str(2**20 - 1))


def run_on_postgres(sql):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return operation


class Migration(migrations.Migration):
    dependencies = [("publications", "0011_search_documents")]

    operations = [migrations.RunPython(run_on_postgres(WIDER), run_on_postgres(NARROWER))]
