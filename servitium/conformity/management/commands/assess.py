import json
import sys

from django.core.management.base import BaseCommand, CommandError

from servitium.conformity import selectors
from servitium.conformity.models import Framework
from servitium.conformity.services import assessment_run
from servitium.conformity.templatetags.conformity import status_label
from servitium.core.checks import REGISTRY
from servitium.core.context import change_context

OUTCOME_WORDS = {
    "met": "met",
    "failed": "failed",
    "no_evidence": "no evidence",
    "not_applicable": "not applicable",
}


class Command(BaseCommand):
    help = "Run every conformity check now and store the assessment; print the status by clause."

    def add_arguments(self, parser):
        parser.add_argument("--framework", help="framework slug, e.g. iso20000-1:2018 (default: all)")
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args, framework=None, format="table", **options):
        chosen = None
        if framework:
            chosen = Framework.objects.filter(slug=framework).first()
            if chosen is None:
                known = ", ".join(Framework.objects.values_list("slug", flat=True))
                raise CommandError(f"Unknown framework {framework!r}; known: {known}")
        progress = self._progress_bar(len(REGISTRY)) if sys.stderr.isatty() and format == "table" else None
        with change_context(context="shell"):
            assessment = assessment_run(actor=None, framework=chosen, progress=progress)
        if progress:
            sys.stderr.write("\n")
        if format == "json":
            self.stdout.write(json.dumps(selectors.assessment_export(assessment), indent=2, default=str))
            return
        self.stdout.write(f"{assessment.reference}  {assessment.summary.get('seconds')} s")
        for slug, counts in assessment.summary.get("frameworks", {}).items():
            folded = selectors.outcomes(counts)
            self.stdout.write(
                f"\n{slug}: "
                + ", ".join(f"{OUTCOME_WORDS[k]} {v}" for k, v in folded.items())
                + f"  ({', '.join(f'{status_label(k)} {v}' for k, v in sorted(counts.items()))})"
            )
            for row in selectors.by_clause(assessment, slug):
                self.stdout.write(
                    f"  {status_label(row['status']):15} {row['identifier']:8} {row['title'][:70]}"
                )

    @staticmethod
    def _progress_bar(total: int):
        done = [0]

        def step(check_id: str) -> None:
            done[0] += 1
            filled = int(30 * done[0] / max(total, 1))
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done[0]}/{total} {check_id[:40]:40}")
            sys.stderr.flush()

        return step
