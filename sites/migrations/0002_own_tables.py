"""The case-study sites' tables, constraints and content types take the app's name.

Renaming keeps every row, and the content types keep their ids, so the staff's permissions on
sites, and the admin's history of them, follow the models here.
"""

from django.db import migrations, models

MODELS = ("mineral", "site", "sitetext")


def move_content_types(from_label, to_label):
    def move(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        for model in MODELS:
            if not ContentType.objects.filter(app_label=to_label, model=model).exists():
                ContentType.objects.filter(app_label=from_label, model=model).update(
                    app_label=to_label
                )

    return move


class Migration(migrations.Migration):
    dependencies = [
        ("casesites", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelTable(name="mineral", table=None),
        migrations.AlterModelTable(name="site", table=None),
        migrations.AlterModelTable(name="sitetext", table=None),
        migrations.RemoveConstraint(model_name="site", name="portal_site_coordinates_on_earth"),
        migrations.AddConstraint(
            model_name="site",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("latitude__gte", -90),
                    ("latitude__lte", 90),
                    ("longitude__gte", -180),
                    ("longitude__lte", 180),
                ),
                name="casesites_site_coordinates_on_earth",
            ),
        ),
        migrations.RemoveConstraint(model_name="sitetext", name="portal_sitetext_language"),
        migrations.AddConstraint(
            model_name="sitetext",
            constraint=models.UniqueConstraint(
                fields=("site", "language"), name="casesites_sitetext_language"
            ),
        ),
        migrations.RunPython(
            move_content_types("portal", "casesites"), move_content_types("casesites", "portal")
        ),
    ]
