from django.core.management.base import BaseCommand

from servitium import demo


class Command(BaseCommand):
    help = "Load the demo cloud provider's data (idempotent) with an administrator account."

    def add_arguments(self, parser):
        parser.add_argument("--admin-username", default="admin")
        parser.add_argument("--admin-password", default="")

    def handle(self, *args, admin_username, admin_password, **options):
        if not admin_password:
            from servitium.cli import demo_credentials

            admin_username, admin_password = demo_credentials()
        counts = demo.load(admin_username=admin_username, admin_password=admin_password)
        if options.get("verbosity", 1):
            self.stdout.write("demo data ready: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
