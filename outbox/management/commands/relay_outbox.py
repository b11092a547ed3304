from django.core.management.base import BaseCommand

from outbox.services import relay


class Command(BaseCommand):
    help = "Hand the outbox's due entries to Celery once (beat does this every few seconds)."

    def handle(self, *args, **options):
        handed = relay()
        self.stdout.write(f"{handed} handed over")
