from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.content import ContentError, configure_site, load_pages, load_sites


class Command(BaseCommand):
    help = "Load the programme's content. Safe to run again: it never overwrites edits."

    def add_arguments(self, parser):
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Reset content that editors changed to the files in the repository.",
        )

    def handle(self, *args, overwrite, **options):
        try:
            counts = load_pages(overwrite=overwrite)
        except ContentError as error:
            raise CommandError(str(error)) from error
        if configure_site(domain=settings.SITE_DOMAIN):
            self.stdout.write(f"Site named ASM-PACE at {settings.SITE_DOMAIN}.")
        self.stdout.write(
            "Pages: {created} created, {updated} updated, {unchanged} unchanged.".format(**counts)
        )
        # Other apps bring their own content by giving their AppConfig a load_content method.
        for config in apps.get_app_configs():
            if hasattr(config, "load_content"):
                self.stdout.write(config.load_content(overwrite=overwrite))
        # Sites link to the library's studies, so they come after the other apps' content.
        try:
            self.stdout.write(load_sites(overwrite=overwrite))
        except ContentError as error:
            raise CommandError(str(error)) from error
