"""`servitium export-customer "<organization>" --out file.zip`: write the export of all of a customer's
records (the same ZIP the task queue builds for a data export), synchronously, and print its figures."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Export all of one customer's records as a ZIP with a manifest."

    def add_arguments(self, parser) -> None:
        parser.add_argument("organization", help="The customer organization's exact name.")
        parser.add_argument("--out", required=True, help="Where to write the ZIP.")

    def handle(self, *args, organization: str, out: str, **options):
        from servitium.exits.exporter import CustomerExport, file_sha256
        from servitium.parties.models import Organization

        customer = Organization.objects.filter(name=organization, kind="customer").first()
        if customer is None:
            raise CommandError(f"No customer organization is named {organization!r}.")
        started = time.monotonic()
        result = CustomerExport(customer, generated_by="servitium export-customer").write(out)
        size, digest = file_sha256(out)
        totals = result.manifest["totals"]
        self.stdout.write(
            f"{out}: {totals['files']} files, {totals['records']} records, {size} bytes, "
            f"SHA-256 {digest}, {time.monotonic() - started:.1f} s"
        )
