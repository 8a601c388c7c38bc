from django.core.management.base import BaseCommand, CommandError

from servitium.core import changelog
from servitium.core.models import ChangeRecord


class Command(BaseCommand):
    help = "Recompute the change-log chain; exit non-zero naming the first entry that does not verify."

    def handle(self, *args, **options):
        result = changelog.verify()
        unsealed = ChangeRecord.objects.filter(seq__isnull=True).count()
        if not result.ok:
            which = f"entry {result.broken_id}" if result.broken_id is not None else "chain head"
            raise CommandError(
                f"change log BROKEN at {which}: {result.reason} ({result.checked} entries verified before it)"
            )
        self.stdout.write(
            f"change log intact: {result.checked} sealed entries verified, {unsealed} not yet sealed"
        )
