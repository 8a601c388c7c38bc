from django.core.management.base import BaseCommand

from servitium import demo

BAR = 30


class Command(BaseCommand):
    help = "Load the demo cloud provider's data (idempotent) with an administrator account."

    def add_arguments(self, parser):
        parser.add_argument("--admin-username", default="admin")
        parser.add_argument("--admin-password", default="")
        parser.add_argument("--small", action="store_true", help="a few dozen tickets instead of six months")

    def handle(self, *args, admin_username, admin_password, **options):
        if not admin_password:
            from servitium.cli import demo_credentials

            admin_username, admin_password = demo_credentials()
        verbose = options.get("verbosity", 1) > 0
        counts = demo.load(
            admin_username=admin_username,
            admin_password=admin_password,
            progress=self.progress if verbose else None,
            small=options.get("small", False),
        )
        if verbose:
            self.stdout.write("demo data ready: " + ", ".join(f"{v} {k}" for k, v in counts.items()))

    def progress(self, share: float, step: str) -> None:
        """A bar redrawn in place on a terminal; a line per step (with the percentage) otherwise."""
        percent = round(share * 100)
        if self.stdout.isatty():
            filled = round(share * BAR)
            line = f"\rLoading demo data [{'#' * filled}{'.' * (BAR - filled)}] {percent:3d}% {step:<24}"
            self.stdout.write(line, ending="\n" if share >= 1 else "")
            self.stdout.flush()
        else:
            self.stdout.write(f"Loading demo data: {percent:3d}% {step}")
