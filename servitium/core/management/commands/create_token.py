import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from servitium.core.context import change_context
from servitium.core.services import api_token_create


class Command(BaseCommand):
    help = "Create an API token for USERNAME and print the key (shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="created on the command line")
        parser.add_argument("--expires-days", type=int, default=None, help="expire after this many days")

    def handle(self, *args, username, name, expires_days, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        if not user.is_active:
            raise CommandError(f"user {username!r} is deactivated")
        expires = timezone.now() + dt.timedelta(days=expires_days) if expires_days else None
        with change_context(context="shell"):
            _token, key = api_token_create(user=user, name=name, expires=expires)
        self.stdout.write(key)
