from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.models import User
from core import pagecache

from .home import PEOPLE
from .models import Page
from .navigation import NAVIGATION_CACHE_KEYS

# What of a person, saved alone, changes nobody's count on the home page.
UNCOUNTED_USER_FIELDS = {"last_login", "password", "preferred_language", "name", "handle"}


@receiver([post_save, post_delete], sender=Page)
def forget_navigation(**kwargs):
    cache.delete_many(NAVIGATION_CACHE_KEYS)


@receiver([post_save, post_delete], sender=User)
@receiver([post_save, post_delete], sender=EmailAddress)
def count_people_again(sender, update_fields=None, **kwargs):
    """The home's count of people who take part: an account opened, confirmed or closed."""
    if sender is User and update_fields and set(update_fields) <= UNCOUNTED_USER_FIELDS:
        return
    pagecache.bump(PEOPLE)
