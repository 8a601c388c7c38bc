"""Settings for the test suite: a throw-away data dir, immediate tasks, no static manifest."""

import os
import tempfile

os.environ.setdefault("SERVITIUM_TESTING", "1")
os.environ.setdefault("SERVITIUM_DATA_DIR", tempfile.mkdtemp(prefix="servitium-test-"))

from servitium.settings import *  # noqa: E402,F403

if DATABASES["default"]["ENGINE"] == "servitium.core.db.sqlite3":  # noqa: F405
    # In memory, one per xdist worker; said explicitly because pytest-django recognises SQLite only by
    # Django's own engine name (it would otherwise derive a file name from the production path).
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}  # noqa: F405

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; production keeps PBKDF2
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
