"""The case-study sites now belong to their own app (casesites), which took their tables over:
portal forgets them in Django's model state only."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0002_sites"),
        ("casesites", "0001_initial"),
        ("forums", "0005_sites_and_log_moved"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="SiteText"),
                migrations.DeleteModel(name="Site"),
                migrations.DeleteModel(name="Mineral"),
            ],
            database_operations=[],
        )
    ]
