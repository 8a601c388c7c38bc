"""German is complete: every string the product marks for translation has a German text, the compiled
catalogue committed beside it says the same, and a German user gets German pages and mail."""

from __future__ import annotations

import gettext
import shutil
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.core import mail
from django.test import override_settings

import servitium
from servitium.incidents.mailgate.inbound import process
from tests import factories

ROOT = Path(servitium.__file__).parent
CATALOGUES = [ROOT / "locale", ROOT / "sso" / "locale", ROOT / "webhooks" / "locale"]
GETTEXT = {t: shutil.which(t) for t in ("xgettext", "msgmerge", "msgattrib", "msgfmt")}
TOOLS = all(GETTEXT.values())


def _untranslated(po: Path) -> list[str]:
    out = subprocess.run(  # noqa: S603 - GNU gettext on our own catalogue
        [GETTEXT["msgattrib"], "--untranslated", "--no-wrap", str(po)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [line[7:-1] for line in out.splitlines() if line.startswith('msgid "') and line != 'msgid ""']


@pytest.mark.skipif(not TOOLS, reason="GNU gettext is a system package of .ci/run and the README")
def test_every_marked_string_has_a_german_text(tmp_path):
    """makemessages on a copy of the source: what it finds must already be translated (no new English
    slipping into a German page unnoticed)."""
    copy = tmp_path / "servitium"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns("__pycache__", "static", "*.mo"))
    run = subprocess.run(  # noqa: S603 - Django's own command on a copy of our source
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "-l",
            "de",
            "--no-location",
            "-i",
            "static/*",
            "-i",
            "migrations/*",
        ],
        cwd=copy,
        capture_output=True,
        text=True,
        env={"PATH": str(Path(GETTEXT["xgettext"]).parent), "PYTHONPATH": str(ROOT.parent)},
    )
    assert run.returncode == 0, run.stderr
    missing = {}
    for po in copy.rglob("locale/de/LC_MESSAGES/django.po"):
        left = _untranslated(po)
        if left:
            missing[str(po.relative_to(copy))] = left[:20]
    assert not missing, f"Untranslated (add them to the catalogue and compile): {missing}"


@pytest.mark.skipif(not TOOLS, reason="GNU gettext is a system package of .ci/run and the README")
@pytest.mark.parametrize("locale_dir", CATALOGUES, ids=lambda p: p.parent.name)
def test_the_committed_compiled_catalogue_matches_its_source(tmp_path, locale_dir):
    po = locale_dir / "de" / "LC_MESSAGES" / "django.po"
    fresh = tmp_path / "fresh.mo"
    subprocess.run(  # noqa: S603 - GNU gettext on our own catalogue
        [GETTEXT["msgfmt"], "--check", "-o", str(fresh), str(po)], check=True, capture_output=True
    )
    with open(fresh, "rb") as a, open(po.with_suffix(".mo"), "rb") as b:
        assert gettext.GNUTranslations(a)._catalog == gettext.GNUTranslations(b)._catalog, (
            f"{po.with_suffix('.mo')} is stale: run `servitium compilemessages -l de`"
        )


@pytest.mark.django_db
def test_a_german_user_reads_german_pages(client, admin_user):
    admin_user.language = "de"
    admin_user.save()
    client.force_login(admin_user)
    page = client.get("/parties/me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="de"' in page and "Meine Einstellungen" in page and "Abmelden" in page


@pytest.mark.django_db
@override_settings(LANGUAGE_CODE="en")
def test_a_german_caller_gets_the_acknowledgement_in_german(ctx, django_capture_on_commit_callbacks):
    """The mail gate answers in the language the caller's login chose; an unknown language choice or a
    caller without one gets the installation's."""
    login = factories.user("anna", ctx.org_a, ["customer"])
    login.language = "de"
    login.save()
    factories.person("Anna", ctx.org_a, email="anna@a.example", user=login)
    factories.person("Bert", ctx.org_a, email="bert@a.example")
    for sender, expected in (("anna@a.example", "Vielen Dank"), ("bert@a.example", "Thank you")):
        note = EmailMessage()
        note["From"], note["To"], note["Subject"] = sender, "servicedesk@example.com", "Drucker"
        note["Message-ID"] = f"<{sender}>"
        note.set_content("Der Drucker druckt nicht.")
        with django_capture_on_commit_callbacks(execute=True):
            assert process(note.as_bytes()).outcome == "opened"
        assert expected in mail.outbox[-1].body, mail.outbox[-1].body
