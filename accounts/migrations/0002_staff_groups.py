from django.db import migrations

STAFF_GROUPS = ("Moderators", "Editors")


def create_staff_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in STAFF_GROUPS:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    """The staff roles exist from the start; accounts.roles grants their permissions."""

    dependencies = [("accounts", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_staff_groups, migrations.RunPython.noop)]
