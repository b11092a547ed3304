from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.content import ContentError, configure_site


class Command(BaseCommand):
    help = "Load the programme's content. Safe to run again: it never overwrites edits."

    def add_arguments(self, parser):
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Reset content that editors changed to the files in the repository.",
        )

    def handle(self, *args, overwrite, **options):
        if configure_site(domain=settings.SITE_DOMAIN):
            self.stdout.write(f"Site named ASM-PACE at {settings.SITE_DOMAIN}.")
        # Apps bring their content by giving their AppConfig a load_content method; they load
        # in the order of INSTALLED_APPS, which puts what is linked to before what links to it.
        for config in apps.get_app_configs():
            if hasattr(config, "load_content"):
                try:
                    self.stdout.write(config.load_content(overwrite=overwrite))
                except ContentError as error:
                    raise CommandError(str(error)) from error
