"""The real servers the single sign-on tests talk to: Debian's slapd and the test OpenID Connect provider
(tests/sso/provider), each started in its own temporary directory on a free loopback port."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
SLAPD = "/usr/sbin/slapd"
SCHEMA_DIR = Path("/etc/ldap/schema")
SUFFIX = "dc=example,dc=org"
ROOT_DN = f"cn=admin,{SUFFIX}"
ROOT_PASSWORD = "directory-admin"  # noqa: S105


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(check, what: str, process: subprocess.Popen, log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}: {log.read_text()[-2000:]}")
        try:
            if check():
                return
        except Exception:  # noqa: BLE001, S110 - not up yet
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not come up in {seconds} s: {log.read_text()[-2000:]}")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --- slapd ----------------------------------------------------------------------------------------------


def slapd_missing() -> str | None:
    """Why slapd cannot run here, or None."""
    if not Path(SLAPD).exists():
        return f"{SLAPD} is not installed (Debian package slapd)"
    if not (SCHEMA_DIR / "inetorgperson.schema").exists():
        return f"the OpenLDAP schema files are not in {SCHEMA_DIR} (Debian package slapd)"
    return None


@dataclass
class Directory:
    uri: str
    process: subprocess.Popen

    def add(self, dn: str, attrs: dict[str, list[str]]) -> None:
        import ldap
        from ldap import modlist

        conn = ldap.initialize(self.uri)
        conn.simple_bind_s(ROOT_DN, ROOT_PASSWORD)
        conn.add_s(dn, modlist.addModlist({k: [v.encode() for v in vs] for k, vs in attrs.items()}))
        conn.unbind_s()


def start_slapd(workdir: Path) -> Directory:
    """slapd with an mdb database for dc=example,dc=org, as the current user, until `_stop`."""
    data = workdir / "data"
    data.mkdir(parents=True)
    schemas = "\n".join(
        f"include {SCHEMA_DIR / name}.schema" for name in ("core", "cosine", "inetorgperson", "nis")
    )
    module_dir = "/usr/lib/ldap"
    conf = workdir / "slapd.conf"
    conf.write_text(
        f"""{schemas}
pidfile {workdir / "slapd.pid"}
modulepath {module_dir}
moduleload back_mdb
database mdb
maxsize 10485760
suffix "{SUFFIX}"
rootdn "{ROOT_DN}"
rootpw {ROOT_PASSWORD}
directory {data}
access to attrs=userPassword by anonymous auth by * none
access to * by * read
"""
    )
    port = free_port()
    uri = f"ldap://127.0.0.1:{port}/"
    log = workdir / "slapd.log"
    with log.open("wb") as out:
        # -d 0: stay in the foreground (the test owns the process), log nothing beyond errors.
        process = subprocess.Popen(  # noqa: S603
            [SLAPD, "-f", str(conf), "-h", uri, "-d", "0"], stdout=out, stderr=subprocess.STDOUT
        )

    def ready() -> bool:
        import ldap

        conn = ldap.initialize(uri)
        conn.simple_bind_s(ROOT_DN, ROOT_PASSWORD)
        conn.unbind_s()
        return True

    _wait(ready, "slapd", process, log)
    directory = Directory(uri, process)
    directory.add(SUFFIX, {"objectClass": ["dcObject", "organization"], "dc": ["example"], "o": ["Example"]})
    return directory


# --- the OpenID Connect provider ------------------------------------------------------------------------


@dataclass
class Provider:
    url: str
    issuer: str
    claims_file: Path
    process: subprocess.Popen

    def set_claims(self, claims: dict) -> None:
        self.claims_file.write_text(json.dumps(claims))


def oidc_provider_missing() -> str | None:
    try:
        import oidc_provider  # noqa: F401
    except ImportError:
        return "django-oidc-provider is not installed (pip install django-oidc-provider)"
    return None


def start_provider(
    workdir: Path, *, redirect_uri: str, client_id: str, client_secret: str, users: dict
) -> Provider:
    """The test provider (tests/sso/provider) with its own SQLite file, serving on a free port."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    setup = workdir / "setup.json"
    setup.write_text(
        json.dumps(
            {
                "redirect_uri": redirect_uri,
                "client_id": client_id,
                "client_secret": client_secret,
                "users": users,
            }
        )
    )
    claims = workdir / "claims.json"
    claims.write_text("{}")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"} and not key.startswith("SERVITIUM_")
    }
    env.update(
        PYTHONPATH=str(ROOT),
        PROVIDER_DB=str(workdir / "provider.sqlite3"),
        PROVIDER_CLAIMS=str(claims),
        PROVIDER_URL=url,
    )
    log = workdir / "provider.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "tests.sso.provider.serve", str(port), str(setup)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    issuer = f"{url}/openid"
    _wait(
        lambda: requests.get(f"{issuer}/.well-known/openid-configuration", timeout=2).ok,
        "the OpenID Connect provider",
        process,
        log,
        seconds=60,
    )
    return Provider(url, issuer, claims, process)
