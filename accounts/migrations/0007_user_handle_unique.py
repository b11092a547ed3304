from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_user_handle"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="handle",
            field=models.CharField(
                blank=True,
                help_text="How others @mention you in the dialogue.",
                max_length=30,
                unique=True,
                verbose_name="public handle",
            ),
        ),
        migrations.AlterField(
            model_name="user",
            name="handle_key",
            field=models.CharField(
                editable=False, max_length=150, unique=True, verbose_name="handle key"
            ),
        ),
    ]
