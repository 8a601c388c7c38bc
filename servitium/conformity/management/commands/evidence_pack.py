from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from servitium.conformity.evidence import pack_for
from servitium.conformity.models import Framework
from servitium.core.context import change_context


class Command(BaseCommand):
    help = "Write the evidence pack (ZIP with index, evidence CSV, assessment, change-log proof, manifest)."

    def add_arguments(self, parser):
        parser.add_argument("--framework", required=True, help="e.g. iso20000-1:2018")
        parser.add_argument("--out", required=True, help="path of the ZIP to write")

    def handle(self, *args, framework, out, **options):
        chosen = Framework.objects.filter(slug=framework).first()
        if chosen is None:
            raise CommandError(f"Unknown framework {framework!r}")
        with change_context(context="shell"):
            assessment, data = pack_for(framework=chosen)
        Path(out).write_bytes(data)
        self.stdout.write(f"{out}: {len(data)} bytes from {assessment.reference}")
