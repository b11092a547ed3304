"""The log's table and content type take the app's name; every entry and id is kept."""

from django.db import migrations


def move_content_type(from_label, to_label):
    def move(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        if not ContentType.objects.filter(app_label=to_label, model="moderationlogentry").exists():
            ContentType.objects.filter(app_label=from_label, model="moderationlogentry").update(
                app_label=to_label
            )

    return move


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelTable(name="moderationlogentry", table=None),
        migrations.RunPython(
            move_content_type("forums", "audit"), move_content_type("audit", "forums")
        ),
    ]
