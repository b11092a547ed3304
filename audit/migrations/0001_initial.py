"""The moderation log moves out of forums into its own app, which accounts and forums both
write to. Here the new app takes over the table as it is, in Django's model state only;
0002 renames the table and the content type."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("forums", "0003_moderation"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ModerationLogEntry",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "actor_name",
                            models.CharField(max_length=200, verbose_name="moderator's name"),
                        ),
                        (
                            "action",
                            models.CharField(
                                choices=[
                                    ("approve", "Approved a post"),
                                    ("reject", "Rejected a post"),
                                    ("hide", "Hid a post"),
                                    ("auto_hide", "Post hidden by flags"),
                                    ("restore", "Restored a post"),
                                    ("lock", "Locked a thread"),
                                    ("unlock", "Unlocked a thread"),
                                    ("pin", "Pinned a thread"),
                                    ("unpin", "Unpinned a thread"),
                                    ("move", "Moved a thread"),
                                    ("close", "Closed a consultation"),
                                    ("suspend", "Suspended a user"),
                                    ("lift", "Lifted a suspension"),
                                    ("verify", "Verified an affiliation"),
                                    ("refuse_verification", "Refused a verification"),
                                    ("withdraw_verification", "Withdrew a verification"),
                                ],
                                max_length=24,
                                verbose_name="action",
                            ),
                        ),
                        (
                            "target_type",
                            models.CharField(max_length=20, verbose_name="kind of target"),
                        ),
                        ("target_id", models.PositiveBigIntegerField(verbose_name="target id")),
                        ("target_repr", models.CharField(max_length=300, verbose_name="target")),
                        (
                            "forum_id",
                            models.PositiveBigIntegerField(
                                blank=True, null=True, verbose_name="forum id"
                            ),
                        ),
                        (
                            "subject_user_id",
                            models.PositiveBigIntegerField(
                                blank=True, null=True, verbose_name="user concerned"
                            ),
                        ),
                        ("reason", models.TextField(blank=True, verbose_name="reason")),
                        (
                            "before",
                            models.JSONField(blank=True, default=dict, verbose_name="before"),
                        ),
                        ("after", models.JSONField(blank=True, default=dict, verbose_name="after")),
                        (
                            "created_at",
                            models.DateTimeField(
                                db_index=True,
                                default=django.utils.timezone.now,
                                verbose_name="time",
                            ),
                        ),
                        (
                            "actor",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="moderator",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "moderation log entry",
                        "verbose_name_plural": "moderation log",
                        "ordering": ("-created_at", "-pk"),
                        "default_permissions": ("view", "add"),
                        "db_table": "forums_moderationlogentry",
                    },
                ),
            ],
            database_operations=[],
        )
    ]
