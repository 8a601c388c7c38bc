from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from servitium.core import backup


class Command(BaseCommand):
    help = (
        "Write the whole site into one file while it runs: a consistent database snapshot (pg_dump, or "
        "SQLite's online backup), the attachments and the change log's signed heads. The anchor key and "
        "the secret key are not included: keep them apart."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="the backup file to write (a tar archive)")
        parser.add_argument("--pg-bin", help="directory of the PostgreSQL client tools to use")

    def handle(self, *args, **options):
        try:
            result = backup.create(Path(options["out"]), pg_bin=options["pg_bin"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        manifest = result.manifest
        attachments = manifest["attachments"]
        self.stdout.write(
            f"wrote {result.path}: {manifest['database']['vendor']} database "
            f"({manifest['database']['bytes']} bytes), {attachments['files']} attachment files "
            f"({attachments['bytes']} bytes), "
            + ("the change log's signed heads" if manifest["anchors"] else "no signed heads yet")
            + "; not included: the anchor key and the secret key"
        )
