from django.core.management.base import BaseCommand

from servitium.core import changelog
from servitium.core.context import change_context


class Command(BaseCommand):
    help = "Seal all unsealed change-log entries into the SHA-256 chain now (what the periodic job does)."

    def handle(self, *args, **options):
        with change_context(context="shell"):
            sealed = changelog.seal()
        self.stdout.write(f"sealed {sealed} entries")
