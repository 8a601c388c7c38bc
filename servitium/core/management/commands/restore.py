from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from servitium.core import backup, ledgercheck

from .verify_changelog import report


class Command(BaseCommand):
    help = (
        "Put a backup written by `servitium backup` back (stop the site first): the database, the "
        "attachments and the change log's signed heads; then verify the change log."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the backup file")
        parser.add_argument("--force", action="store_true", help="replace a database that holds data")
        parser.add_argument("--pg-bin", help="directory of the PostgreSQL client tools to use")

    def handle(self, *args, **options):
        try:
            result = backup.restore(Path(options["file"]), force=options["force"], pg_bin=options["pg_bin"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        manifest = result.manifest
        self.stdout.write(
            f"restored the {manifest['database']['vendor']} database of {manifest['created']} "
            f"(Servitium {manifest['servitium']}), {result.attachments} attachment files, "
            f"{result.anchors_added} signed heads added to the anchor file"
        )
        if result.restore_line is None:
            self.stderr.write(
                "no anchor key is configured: the restore is not signed and the change log cannot be "
                "verified. Put the site's anchor key in place (SERVITIUM_ANCHOR_KEY or the key file; it is "
                "not in backups) and run servitium verify-changelog."
            )
        self.stdout.write("verifying the change log:")
        verification = ledgercheck.verify()
        for line in report(verification):
            self.stdout.write(f"  {line}")
        if not verification.ok:
            for finding in verification.findings:
                self.stderr.write(f"FINDING {finding}")
            count = len(verification.findings) + verification.hidden
            raise CommandError(f"restored, but the change log does not verify: {count} finding(s)")
        self.stdout.write("change log intact")
