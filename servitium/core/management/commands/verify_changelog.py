from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from servitium.core import ledgercheck, ledgerkey


class Command(BaseCommand):
    help = (
        "Check the change log: recompute the chain, compare it with every signed head in the anchor file, "
        "check each entry's MAC; exit non-zero with one line per finding."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--public-key",
            action="append",
            default=[],
            metavar="FILE",
            help="trust signatures of this public key (PEM) instead of the configured key's; repeatable "
            "(an earlier key, or an auditor checking without the private key: entry MACs are then checked "
            "only if the private key is configured too)",
        )
        parser.add_argument(
            "--anchor-file",
            metavar="FILE",
            help="compare with the signed heads in this file (JSON lines) instead of the site's anchor file, "
            "e.g. the heads a witness received",
        )
        parser.add_argument(
            "--export-public-key", metavar="FILE", help="write the configured key's public key (PEM) and stop"
        )

    def handle(self, *args, **options):
        if options["export_public_key"]:
            key = ledgerkey.current()
            Path(options["export_public_key"]).write_text(ledgerkey.public_pem(key.public))
            self.stdout.write(
                f"wrote the public key of anchor key {key.key_id} to {options['export_public_key']}"
            )
            return
        keys = []
        for path in options["public_key"]:
            try:
                keys.append(ledgerkey.load_public_key(Path(path).read_text()))
            except (OSError, ValueError) as exc:
                raise CommandError(f"--public-key {path}: {exc}") from None
        anchor_file = Path(options["anchor_file"]) if options["anchor_file"] else None
        if anchor_file is not None and not anchor_file.is_file():
            raise CommandError(f"--anchor-file {anchor_file}: no such file")
        result = ledgercheck.verify(public_keys=keys or None, anchor_file=anchor_file)
        for line in report(result):
            self.stdout.write(line)
        if not result.ok:
            for finding in result.findings:
                self.stderr.write(f"FINDING {finding}")
            if result.hidden:
                self.stderr.write(f"FINDING ... and {result.hidden} more")
            count = len(result.findings) + result.hidden
            raise CommandError(f"change log NOT intact: {count} finding(s); the first: {result.findings[0]}")
        self.stdout.write("change log intact")


def report(result: ledgercheck.Verification) -> list[str]:
    """The summary lines of a verification (also printed by `restore`)."""
    lines = [f"{result.checked} sealed entries checked (seq 1-{result.last_seq})"]
    if result.latest is not None:
        lines.append(
            f"{result.anchors} signed heads; the furthest: seq {result.latest.seq}, "
            f"{result.latest.describe()}"
        )
    else:
        lines.append("no signed heads yet (the anchor file is empty or missing)")
    if result.legacy_through:
        lines.append(f"seq 1-{result.legacy_through} were sealed before entries carried MACs")
    if result.unanchored:
        first, last = result.unanchored
        lines.append(
            f"not yet anchored: {last - first + 1} entries (seq {first}-{last}), signed at the next seal"
        )
    if result.unsealed:
        lines.append(f"not yet sealed: {result.unsealed} entries")
    if not result.macs_checked:
        lines.append("entry MACs not checked (no private key configured)")
    for rolled in result.rolled_back[-3:]:
        lines.append(
            f"rolled back by a restore: {rolled.describe()} at seq {rolled.seq} "
            f"(restored to seq {rolled.superseded_by.seq})"
        )
    return lines
