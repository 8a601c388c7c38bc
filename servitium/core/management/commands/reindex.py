from django.core.management.base import BaseCommand, CommandError

from servitium.core import searchindex


class Command(BaseCommand):
    help = (
        "Rebuild the global search index from the records (after an upgrade, a restore from an older "
        "version, or writes made outside Servitium's services)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "record_types",
            nargs="*",
            metavar="APP_LABEL.MODEL",
            help="only these record types (default: every type the search finds)",
        )

    def handle(self, *args, record_types, **options):
        models = None
        if record_types:
            known = {searchindex.spec_for(m).record_type: m for m in searchindex.indexed_models()}
            unknown = sorted(set(record_types) - set(known))
            if unknown:
                raise CommandError(
                    f"not found by the search: {', '.join(unknown)} (known: {', '.join(sorted(known))})"
                )
            models = [known[name] for name in record_types]
        counts = searchindex.reindex(models)
        searchindex.repair(rebuild=True)  # SQLite: the FTS5 table read afresh from the entries
        for record_type, count in counts.items():
            self.stdout.write(f"{record_type}: {count}")
        self.stdout.write(f"indexed {sum(counts.values())} records")
