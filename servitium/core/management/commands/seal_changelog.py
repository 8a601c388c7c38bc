from django.core.management.base import BaseCommand, CommandError

from servitium.core import changelog
from servitium.core.context import change_context


class Command(BaseCommand):
    help = (
        "Seal all unsealed change-log entries into the SHA-256 chain and sign the head reached (what the "
        "periodic job does)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--discard-refused",
            action="store_true",
            help="delete the entries the sealer refused (after looking into them); their ids are recorded "
            "as a signed line in the anchor file first",
        )
        parser.add_argument(
            "--reseal-unanchored",
            action="store_true",
            help="when sealing stopped because rows were chained in after the last signed head: take the "
            "chain back to that head and seal again (entries without a valid MAC are refused)",
        )

    def handle(self, *args, **options):
        try:
            with change_context(context="shell"):
                if options["reseal_unanchored"]:
                    undone = changelog.reseal_unanchored()
                    self.stdout.write(f"took {undone} positions back to the last signed head")
                if options["discard_refused"]:
                    ids = changelog.discard_refused()
                    self.stdout.write(
                        f"discarded {len(ids)} refused entries: {', '.join(map(str, ids)) or '-'}"
                    )
                sealed = changelog.seal()
        except changelog.ChainTampered as exc:
            raise CommandError(
                f"not sealing: {exc}. See `servitium verify-changelog`; if rows were chained in after the "
                "last signed head, `servitium seal-changelog --reseal-unanchored` takes them out again."
            ) from None
        self.stdout.write(f"sealed {sealed} entries")
