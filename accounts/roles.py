"""Staff roles: the Moderators and Editors groups, and what each may do in the admin site.

The groups come from a migration. Each app says what its models allow each group, in its
AppConfig's `role_permissions` ({group name: {model name: actions}}, where "app.model" names
a model of an app below, which cannot import the roles); the groups are given those
permissions after every `migrate`, once every app's permissions exist. Granting only adds, so
permissions that an administrator adds by hand are kept.
"""

from django.apps import apps as installed_apps
from django.db.models import Q

MODERATORS = "Moderators"
EDITORS = "Editors"
MANAGE = ("view", "add", "change", "delete")


def grant_role_permissions(*, apps=installed_apps, **kwargs):
    """A post_migrate receiver: `apps` is the migrated state that Django hands to it."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    wanted = {}
    for config in installed_apps.get_app_configs():
        for group_name, models in getattr(config, "role_permissions", {}).items():
            condition = wanted.get(group_name, Q(pk__in=[]))
            for name, actions in models.items():
                app_label, _dot, model = name.rpartition(".")
                condition |= Q(
                    content_type__app_label=app_label or config.label,
                    codename__in=[f"{action}_{model}" for action in actions],
                )
            wanted[group_name] = condition
    for group_name, condition in wanted.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.add(*Permission.objects.filter(condition))
