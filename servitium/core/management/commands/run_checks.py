from django.core.management.base import BaseCommand

from servitium.core.checks import REGISTRY


class Command(BaseCommand):
    help = "Run every registered conformity check and print its status (the conformity engine runs them too)."

    def add_arguments(self, parser):
        parser.add_argument("--requirement", help="only checks bound to this requirement id")

    def handle(self, *args, requirement=None, **options):
        for check in sorted(REGISTRY.values(), key=lambda c: c.id):
            if requirement and requirement not in check.requirements:
                continue
            result = check.run()
            self.stdout.write(
                f"{result.status:15} {check.id}  [{', '.join(check.requirements)}]\n  {result.message}"
            )
