from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from servitium.core import chainproof, changelog


class Command(BaseCommand):
    help = (
        "Write a slice of the sealed change log (JSON lines) and a standalone verifier, so that an auditor "
        "can check the chain outside Servitium: python3 verify_changelog.py FILE"
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="the JSON-lines file to write")
        parser.add_argument("--first-seq", type=int, default=None, help="first chain position (default 1)")
        parser.add_argument("--last-seq", type=int, default=None, help="last chain position (default head)")
        parser.add_argument("--no-seal", action="store_true", help="do not seal pending entries first")

    def handle(self, *args, **options):
        if not options["no_seal"]:
            changelog.seal()
        if options["first_seq"] is not None and options["first_seq"] < 1:
            raise CommandError("--first-seq starts at 1")
        exported = chainproof.export_slice(first_seq=options["first_seq"], last_seq=options["last_seq"])
        out = Path(options["out"])
        if not out.parent.is_dir():
            raise CommandError(f"no such directory: {out.parent}")
        out.write_text(exported.to_jsonl(), encoding="utf-8")
        verifier = out.parent / "verify_changelog.py"
        verifier.write_text(chainproof.VERIFIER, encoding="utf-8")
        header = exported.header
        self.stdout.write(
            f"wrote {header['entries']} entries (seq {header['first_seq']}-{header['last_seq']}, head "
            f"{header['head_seq']} {header['head_hash'][:16]}...) to {out}; check with: "
            f"python3 {verifier} {out}"
        )
