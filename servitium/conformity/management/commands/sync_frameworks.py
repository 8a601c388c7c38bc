from django.core.management.base import BaseCommand, CommandError

from servitium.conformity.catalogue import CatalogueError
from servitium.conformity.sync import sync_catalogues


class Command(BaseCommand):
    help = "Load the bundled requirement catalogues into the database (skipped when unchanged)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="reload even when the catalogue is unchanged"
        )

    def handle(self, *args, force=False, **options):
        try:
            loaded = sync_catalogues(force=force)
        except CatalogueError as exc:
            raise CommandError(str(exc)) from exc
        if not loaded:
            self.stdout.write("Catalogues unchanged.")
        for slug, count in loaded.items():
            self.stdout.write(f"{slug}: {count} requirements")
