"""OpenID Connect sign-in against a real provider (django-oidc-provider in a subprocess, tests/sso/provider)
and a live Servitium, over HTTP as a browser does it: Servitium -> provider's sign-in form -> consent ->
Servitium's callback."""

from __future__ import annotations

import pytest
import requests

from servitium.parties.models import Person, User
from servitium.sso import oidc
from tests import factories
from tests.sso.forms import first_form
from tests.sso.servers import _stop, oidc_provider_missing, start_provider

pytestmark = pytest.mark.skipif(bool(oidc_provider_missing()), reason=oidc_provider_missing() or "")

CLIENT_ID, CLIENT_SECRET = "servitium-test", "client-secret-for-tests"
PASSWORD = "provider-password-1"
USERS = {
    name: {"password": PASSWORD, "email": email, "first_name": name.title(), "last_name": "Example"}
    for name, email in [
        ("alice", "alice@acme.example"),
        ("bob", "bob@provider.example"),
        ("carol", "carol@acme.example"),
        ("dave", "dave@acme.example"),
    ]
}
CLAIMS = {
    "alice": {"groups": ["acme-users"], "org": "Acme"},
    "bob": {"groups": ["servitium-admins", "staff"]},  # organization from the e-mail domain
    "carol": {"groups": ["unrelated-group"], "org": "Acme"},
    "dave": {"groups": ["acme-users"], "org": "Nowhere Ltd"},
}


@pytest.fixture(scope="module")
def provider(live_server, tmp_path_factory):
    found = start_provider(
        tmp_path_factory.mktemp("oidc-provider"),
        redirect_uri=f"{live_server.url}/oidc/callback/",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        users=USERS,
    )
    found.set_claims(CLAIMS)
    yield found
    _stop(found.process)


@pytest.fixture
def sso(provider, settings, transactional_db):
    settings.SSO_OIDC_ENABLED = True
    settings.SSO_OIDC_ISSUER = provider.issuer
    settings.SSO_OIDC_PROVIDER_NAME = "Example ID"
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_RP_SCOPES = "openid email profile servitium"
    settings.SSO_OIDC_ROLE_MAP = {"acme-users": "customer", "servitium-admins": "administrator"}
    settings.SSO_OIDC_ORG_MAP = {"@provider.example": "Test Provider"}
    settings.AUTHENTICATION_BACKENDS = [
        "servitium.sso.oidc.OIDCBackend",
        "django.contrib.auth.backends.ModelBackend",
    ]
    # The live server speaks plain HTTP.
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    oidc.forget_discovery()
    factories.organization("Acme", "customer")
    factories.organization("Test Provider", "provider")
    yield provider
    oidc.forget_discovery()


def sign_in(live_server, username: str) -> tuple[requests.Session, requests.Response]:
    """Start at Servitium's sign-in button, sign in at the provider, consent when asked, return."""
    browser = requests.Session()
    page = browser.get(f"{live_server.url}/login/", timeout=30)
    assert 'id="oidc-sign-in"' in page.text and "Sign in with Example ID" in page.text
    response = browser.get(f"{live_server.url}/oidc/authenticate/?next=/", timeout=30)
    assert "/accounts/login/" in response.url, response.url  # at the provider's own sign-in form
    action, fields, _ = first_form(response.text, response.url)
    fields.update(username=username, password=PASSWORD)
    response = browser.post(action, data=fields, timeout=30)
    if "/openid/authorize" in response.url and 'name="allow"' in response.text:
        action, fields, _ = first_form(response.text, response.url)
        response = browser.post(action, data={**fields, "allow": "Authorize"}, timeout=30)
    response.raise_for_status()
    return browser, response


def test_a_customer_signs_in_with_role_and_organization_from_the_claims(live_server, sso):
    browser, response = sign_in(live_server, "alice")
    assert response.url == f"{live_server.url}/portal/"  # signed in: a customer's home, not the sign-in page
    user = User.objects.get(username="alice")
    assert user.roles == ["customer"]
    assert user.organization.name == "Acme"
    assert (user.email, user.first_name) == ("alice@acme.example", "Alice")
    assert not user.has_usable_password()
    # Customer users raise tickets as their person: one is linked on first sign-in.
    assert Person.objects.get(user=user).organization == user.organization
    # The session is a real one: the API answers for the user.
    assert browser.get(f"{live_server.url}/api/v1/organizations/", timeout=30).status_code == 200


def test_roles_and_organization_follow_the_provider_at_every_sign_in(live_server, sso):
    sign_in(live_server, "bob")
    bob = User.objects.get(username="bob")
    assert bob.roles == ["administrator"]
    assert bob.organization.name == "Test Provider"  # through the e-mail domain
    sso.set_claims({**CLAIMS, "bob": {"groups": ["acme-users"], "org": "Acme"}})
    try:
        _, response = sign_in(live_server, "bob")
    finally:
        sso.set_claims(CLAIMS)
    assert response.url == f"{live_server.url}/portal/"
    bob.refresh_from_db()
    assert (bob.roles, bob.organization.name) == (["customer"], "Acme")
    assert Person.objects.get(user=bob).organization.name == "Acme"


def test_a_person_in_no_mapped_group_is_refused_and_no_login_is_made(live_server, sso):
    browser, response = sign_in(live_server, "carol")
    assert response.url.startswith(f"{live_server.url}/login/")
    assert "no group that grants a role" in response.text
    assert not User.objects.filter(username="carol").exists()
    assert browser.get(f"{live_server.url}/api/v1/organizations/", timeout=30).status_code in (401, 403)


def test_an_unknown_organization_is_refused(live_server, sso):
    _, response = sign_in(live_server, "dave")
    assert response.url.startswith(f"{live_server.url}/login/")
    assert "Nowhere Ltd is not known" in response.text
    assert not User.objects.filter(username="dave").exists()


def test_without_configuration_there_is_no_button_and_no_endpoint(live_server, settings, transactional_db):
    settings.SSO_OIDC_ENABLED = False
    assert "oidc-sign-in" not in requests.get(f"{live_server.url}/login/", timeout=30).text
    assert requests.get(f"{live_server.url}/oidc/authenticate/", timeout=30).status_code == 404
    assert requests.get(f"{live_server.url}/oidc/callback/?code=x&state=y", timeout=30).status_code == 404
