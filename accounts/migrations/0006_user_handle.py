# Every person gets a public handle: the fields are added empty, filled from each person's name
# (0007 then makes them required and unique, in a transaction of its own: PostgreSQL refuses to
# alter a table in the transaction that updated its rows while constraints are deferred).

from django.db import migrations, models


def backfill(apps, schema_editor):
    from accounts.handles import backfill_handles

    backfill_handles(apps.get_model("accounts", "User"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_follows_what_they_write"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="handle",
            field=models.CharField(
                blank=True,
                help_text="How others @mention you in the dialogue.",
                max_length=30,
                null=True,
                verbose_name="public handle",
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="handle_key",
            field=models.CharField(
                editable=False, max_length=150, null=True, verbose_name="handle key"
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
