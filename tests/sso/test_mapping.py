"""The single sign-on rules without a server: configuration, mapping, refusals, the German strings."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from servitium.parties.models import User
from servitium.sso import mapping, oidc, services
from servitium.sso.config import backends, ldap_settings, oidc_settings
from tests import factories
from tests.sso.servers import free_port


def test_nothing_configured_leaves_local_passwords_only():
    assert backends(oidc_settings({}), ldap_settings({})) == ["django.contrib.auth.backends.ModelBackend"]
    assert oidc_settings({"SERVITIUM_OIDC_CLIENT_ID": "x"})["SSO_OIDC_ENABLED"] is False  # no issuer


def test_oidc_is_enabled_by_an_issuer_or_by_explicit_endpoints():
    by_issuer = oidc_settings(
        {"SERVITIUM_OIDC_CLIENT_ID": "x", "SERVITIUM_OIDC_ISSUER": "https://id.example/"}
    )
    assert by_issuer["SSO_OIDC_ENABLED"] and by_issuer["SSO_OIDC_ISSUER"] == "https://id.example"
    explicit = oidc_settings(
        {
            "SERVITIUM_OIDC_CLIENT_ID": "x",
            "SERVITIUM_OIDC_AUTHORIZATION_ENDPOINT": "https://id.example/auth",
            "SERVITIUM_OIDC_TOKEN_ENDPOINT": "https://id.example/token",
        }
    )
    assert explicit["SSO_OIDC_ENABLED"] and explicit["OIDC_OP_TOKEN_ENDPOINT"] == "https://id.example/token"
    assert backends(explicit, ldap_settings({}))[0] == "servitium.sso.oidc.OIDCBackend"


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"SERVITIUM_OIDC_ROLE_MAP": "{not json"}, "SERVITIUM_OIDC_ROLE_MAP is not valid JSON"),
        ({"SERVITIUM_OIDC_ORG_MAP": '["a"]'}, "SERVITIUM_OIDC_ORG_MAP must be a JSON object"),
    ],
)
def test_a_malformed_map_stops_the_start_with_its_name(env, says):
    with pytest.raises(ImproperlyConfigured, match=says):
        oidc_settings(env)


def test_ldap_needs_a_search_base_and_a_known_group_type():
    with pytest.raises(ImproperlyConfigured, match="SERVITIUM_LDAP_USER_SEARCH_BASE"):
        ldap_settings({"SERVITIUM_LDAP_URI": "ldap://127.0.0.1/"})
    with pytest.raises(ImproperlyConfigured, match="SERVITIUM_LDAP_GROUP_TYPE"):
        ldap_settings(
            {
                "SERVITIUM_LDAP_URI": "ldap://127.0.0.1/",
                "SERVITIUM_LDAP_USER_SEARCH_BASE": "dc=x",
                "SERVITIUM_LDAP_GROUP_SEARCH_BASE": "dc=x",
                "SERVITIUM_LDAP_GROUP_TYPE": "nestedGroups",
            }
        )


def _resolve(groups, **kwargs):
    options = {"role_map": {"ops": "administrator", "typo": "adminstrator", "cust": "customer"}, "named": []}
    options.update({"keyed": [], "org_map": {}, "default_organization": ""}, **kwargs)
    return mapping.resolve(groups=groups, **options)


def test_a_role_the_map_misspells_refuses_instead_of_passing(db):
    assert _resolve(["OPS"]).roles == ["administrator"]  # keys match ignoring case
    with pytest.raises(mapping.Refused, match="unknown role"):
        _resolve(["typo"])


def test_customer_with_a_provider_role_is_refused_and_nothing_is_written(db):
    acme = factories.organization("Acme", "customer")
    grant = _resolve(["ops", "cust"], named=["Acme"])
    assert grant.organization == acme
    with pytest.raises(mapping.Refused, match="cannot also hold provider roles"):
        services.sign_in(username="both", grant=grant, source="test")
    assert not User.objects.filter(username="both").exists()


def test_an_existing_person_is_linked_rather_than_doubled(db):
    acme = factories.organization("Acme", "customer")
    person = factories.person("Erin Example", acme, email="erin@acme.example")
    user = services.sign_in(
        username="erin", grant=_resolve(["cust"], named=["acme"]), email="Erin@acme.example", source="test"
    )
    person.refresh_from_db()
    assert person.user == user


def test_the_oidc_sign_in_says_so_when_the_provider_is_down(client, settings, db):
    settings.SSO_OIDC_ENABLED = True
    settings.SSO_OIDC_ISSUER = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    settings.OIDC_RP_CLIENT_ID = "x"
    settings.OIDC_TIMEOUT = 2
    oidc.forget_discovery()
    response = client.get("/oidc/authenticate/", follow=True)
    assert response.redirect_chain[-1][0] == "/login/"
    assert "cannot be reached" in response.content.decode()
    # A password sign-in does not wait for the provider.
    settings.AUTHENTICATION_BACKENDS = [
        "servitium.sso.oidc.OIDCBackend",
        "django.contrib.auth.backends.ModelBackend",
    ]
    factories.user("local", None, ["administrator"], password="local-password-1")
    assert client.post("/login/", {"username": "local", "password": "local-password-1"}).status_code == 302
    # ... nor does a code and state on the form's URL reach for the provider's token endpoint.
    client.logout()
    response = client.post("/login/?code=c&state=s", {"username": "local", "password": "wrong-password-1"})
    assert response.status_code == 200


def test_the_sign_in_strings_are_in_german():
    with translation.override("de"):
        assert translation.gettext("The sign-in provider did not sign you in.").startswith(
            "Der Anmeldedienst"
        )
        assert translation.gettext("Sign in with %(provider)s") == "Anmelden mit %(provider)s"
