from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Page
from .navigation import NAVIGATION_CACHE_KEYS


@receiver([post_save, post_delete], sender=Page)
def forget_navigation(**kwargs):
    cache.delete_many(NAVIGATION_CACHE_KEYS)
