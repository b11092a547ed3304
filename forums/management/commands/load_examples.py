from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from forums.examples import load_examples


class Command(BaseCommand):
    help = "Load an example dialogue so that a development portal looks alive. Never in production."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Example dialogue is for development only (DJANGO_DEBUG=0 here).")
        self.stdout.write(load_examples())
