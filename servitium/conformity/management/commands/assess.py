import json
import sys

from django.core.management.base import BaseCommand, CommandError

from servitium.conformity import selectors
from servitium.conformity.coverage import EDITIONS as COVERAGE_EDITIONS
from servitium.conformity.coverage import coverage as coverage_of
from servitium.conformity.coverage import coverage_all
from servitium.conformity.models import Framework
from servitium.conformity.services import assessment_run
from servitium.conformity.templatetags.conformity import status_label
from servitium.core.checks import REGISTRY
from servitium.core.context import change_context

COVERAGE_WORDS = {
    "check": "check",
    "record_rule": "record rule",
    "attestation_only": "attestation only",
    "nothing": "nothing",
}
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
        parser.add_argument(
            "--coverage",
            action="store_true",
            help="print which obligations a check, a record rule or only an attestation covers; run nothing",
        )

    def handle(self, *args, framework=None, format="table", coverage=False, **options):
        if coverage:
            self._coverage(framework, format)
            return
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

    def _coverage(self, framework: str | None, format: str) -> None:
        if framework and framework not in COVERAGE_EDITIONS:
            raise CommandError(f"Coverage is reported for {', '.join(COVERAGE_EDITIONS)}, not {framework!r}")
        reports = [coverage_of(framework)] if framework else coverage_all()
        if format == "json":
            self.stdout.write(json.dumps(reports, indent=2))
            return
        for report in reports:
            self.stdout.write(
                f"{report['framework']}: {report['leaves']} obligations -- check {report['check']}, "
                f"record rule {report['record_rule']}, attestation only {report['attestation_only']}, "
                f"nothing {report['nothing']}"
            )
            self.stdout.write(f"  fully covered: {', '.join(report['fully_covered']) or '-'}")
            for leaf in report["obligations"]:
                word, rules = COVERAGE_WORDS[leaf["coverage"]], ", ".join(leaf["rules"])
                self.stdout.write(f"  {word:17} {leaf['identifier']:14} {leaf['title'][:50]:50} {rules}")

    @staticmethod
    def _progress_bar(total: int):
        done = [0]

        def step(check_id: str) -> None:
            done[0] += 1
            filled = int(30 * done[0] / max(total, 1))
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done[0]}/{total} {check_id[:40]:40}")
            sys.stderr.flush()

        return step
