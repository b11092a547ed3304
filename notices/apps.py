from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = _("Notifications")

    def ready(self):
        from core import memberpages, pagecache

        from .models import EmailOff, Notice
        from .views import unread_count

        # Shown only on a person's own pages, and in the header's hole filled for each reader.
        pagecache.unshown(Notice, EmailOff)
        memberpages.fills("notices")(unread_count)

    def personal_data(self, user):
        fields = ("kind", "verb", "target_type", "target_id", "reason", "created_at", "read_at")
        return {
            "notifications": list(user.notices.values(*fields)),
            "not_by_email": list(user.emails_off.values_list("kind", flat=True)),
        }
