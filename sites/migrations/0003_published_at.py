"""Sites are dated when first published, so that the weekly alerts can tell which are new.

The sites published already were published at some time nobody wrote down: they get the last
time their row was saved, the best trace there is. It lies in the past, so the first alerts do
not announce long-known sites as new unless they were saved in the alerts' week."""

from django.db import migrations, models
from django.db.models import F


def date_published_sites(apps, schema_editor):
    Site = apps.get_model("casesites", "Site")
    Site.objects.filter(is_published=True, published_at__isnull=True).update(
        published_at=F("updated_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("casesites", "0002_own_tables"),
    ]

    operations = [
        migrations.AddField(
            model_name="site",
            name="published_at",
            field=models.DateTimeField(editable=False, null=True, verbose_name="first published"),
        ),
        migrations.RunPython(date_published_sites, migrations.RunPython.noop),
    ]
