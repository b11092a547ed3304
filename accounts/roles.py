"""Staff roles: what the Moderators and Editors groups may do in the admin site.

The groups themselves come from a migration; their permissions are granted after every
`migrate`, because the models of later apps (publications, forums) bring their own permissions.
Granting only adds, so permissions that an administrator adds by hand are kept.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

MODERATORS = "Moderators"
EDITORS = "Editors"

# group name -> (app_label, model) -> actions
ROLE_PERMISSIONS = {
    MODERATORS: {
        ("accounts", "user"): ("view", "change"),
        ("accounts", "verificationrequest"): ("view", "change"),
        ("forums", "forum"): ("view", "add", "change", "moderate"),
        ("forums", "thread"): ("view", "change"),
        ("forums", "post"): ("view", "change"),
        ("forums", "flag"): ("view",),
        ("forums", "suspension"): ("view", "add", "change"),
        ("forums", "moderationlogentry"): ("view",),
    },
    EDITORS: {
        ("portal", "page"): ("view", "add", "change", "delete"),
        ("portal", "site"): ("view", "add", "change", "delete"),
        ("portal", "sitetext"): ("view", "add", "change", "delete"),
        ("portal", "mineral"): ("view", "add", "change", "delete"),
        ("publications", "publication"): ("view", "add", "change", "delete"),
        ("publications", "author"): ("view", "add", "change", "delete"),
        ("publications", "authorship"): ("view", "add", "change", "delete"),
        ("publications", "coverage"): ("view", "add", "change", "delete"),
        ("publications", "topic"): ("view", "add", "change", "delete"),
        ("publications", "downloadcount"): ("view",),
    },
}


def grant_role_permissions(**kwargs):
    for group_name, models in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        wanted = Q(pk__in=[])
        for (app_label, model), actions in models.items():
            wanted |= Q(
                content_type__app_label=app_label,
                codename__in=[f"{action}_{model}" for action in actions],
            )
        group.permissions.add(*Permission.objects.filter(wanted))
