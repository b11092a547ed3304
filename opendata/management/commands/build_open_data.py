import time

from django.core.management.base import BaseCommand

from opendata import dumps


class Command(BaseCommand):
    help = "Build the open-data dump (a ZIP of CSV files and its datapackage.json) now."

    def handle(self, *args, **options):
        start = time.perf_counter()
        descriptor = dumps.dump_build()
        rows = sum(resource["rows"] for resource in descriptor["resources"])
        dump = dumps.stored_dump()
        size = dump.size if dump else 0
        self.stdout.write(
            f"Open data: {len(descriptor['resources'])} tables, {rows} rows, {size} bytes, "
            f"built in {time.perf_counter() - start:.1f} s ({dumps.NAME} in the media storage)."
        )
