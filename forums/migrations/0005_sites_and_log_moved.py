"""Forums follow the case-study sites to their own app, and hand the moderation log to audit.
Model state only: the column and the tables stay as they are (see casesites and audit)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("forums", "0004_review_queue_indexes"),
        ("casesites", "0001_initial"),
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="forum",
                    name="site",
                    field=models.OneToOneField(
                        blank=True,
                        help_text="For a site's forum; empty for a thematic one.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="forum",
                        to="casesites.site",
                        verbose_name="case-study site",
                    ),
                ),
                migrations.DeleteModel(name="ModerationLogEntry"),
            ],
            database_operations=[],
        )
    ]
