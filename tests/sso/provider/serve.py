"""Run the test provider: `python -m tests.sso.provider.serve PORT SETUP.json`.

SETUP.json: {"redirect_uri": ..., "client_id": ..., "client_secret": ..., "users": {name: {"password",
"email", "first_name", "last_name"}}}. Migrates its SQLite file, creates the signing key, the users and
the client, then serves on 127.0.0.1:PORT until killed."""

import json
import os
import sys


def main() -> None:
    port, setup_file = sys.argv[1], sys.argv[2]
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.sso.provider.settings"
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from oidc_provider.models import Client, ResponseType

    with open(setup_file) as handle:
        setup = json.load(handle)
    call_command("migrate", verbosity=0, interactive=False)
    call_command("creatersakey")
    for username, fields in setup["users"].items():
        user = User(
            username=username,
            email=fields.get("email", ""),
            first_name=fields.get("first_name", ""),
            last_name=fields.get("last_name", ""),
        )
        user.set_password(fields["password"])
        user.save()
    client = Client.objects.create(
        name="Servitium",
        client_type="confidential",
        client_id=setup["client_id"],
        client_secret=setup["client_secret"],
        jwt_alg="RS256",
        require_consent=setup.get("require_consent", True),
        _redirect_uris=setup["redirect_uri"],
        _scope="openid email profile servitium",
    )
    client.response_types.add(ResponseType.objects.get(value="code"))
    call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, use_threading=True)


if __name__ == "__main__":
    main()
