"""LDAP sign-in against a real directory: Debian's slapd, started by the test in a temporary directory
(mdb database, the core/cosine/inetorgperson/nis schemas), through Django's `authenticate()` and through
the sign-in form."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate

from servitium.parties.models import Person, User
from servitium.sso.config import backends, ldap_settings, oidc_settings
from tests import factories
from tests.sso.servers import ROOT_DN, ROOT_PASSWORD, SUFFIX, _stop, slapd_missing, start_slapd

pytestmark = pytest.mark.skipif(bool(slapd_missing()), reason=slapd_missing() or "")

PASSWORD = "directory-password-1"
PEOPLE, GROUPS = f"ou=people,{SUFFIX}", f"ou=groups,{SUFFIX}"


def person_dn(uid: str) -> str:
    return f"uid={uid},{PEOPLE}"


@pytest.fixture(scope="module")
def directory(tmp_path_factory):
    found = start_slapd(tmp_path_factory.mktemp("slapd"))
    try:
        for ou in ("people", "groups"):
            found.add(f"ou={ou},{SUFFIX}", {"objectClass": ["organizationalUnit"], "ou": [ou]})
        people = {
            "ann": {"o": ["Test Provider"]},  # organization from an attribute
            "ben": {},  # organization from a group
            "cid": {},
        }
        for uid, extra in people.items():
            found.add(
                person_dn(uid),
                {
                    "objectClass": ["inetOrgPerson"],
                    "uid": [uid],
                    "cn": [f"{uid.title()} Example"],
                    "givenName": [uid.title()],
                    "sn": ["Example"],
                    "mail": [f"{uid}@example.org"],
                    "userPassword": [PASSWORD],
                    **extra,
                },
            )
        for group, members in {
            "servitium-admins": ["ann"],
            "acme-users": ["ben"],
            "unrelated": ["cid"],
        }.items():
            found.add(
                f"cn={group},{GROUPS}",
                {"objectClass": ["groupOfNames"], "cn": [group], "member": [person_dn(m) for m in members]},
            )
        yield found
    finally:
        _stop(found.process)


@pytest.fixture
def ldap_enabled(directory, settings, db):
    env = {
        "SERVITIUM_LDAP_URI": directory.uri,
        "SERVITIUM_LDAP_BIND_DN": ROOT_DN,
        "SERVITIUM_LDAP_BIND_PASSWORD": ROOT_PASSWORD,
        "SERVITIUM_LDAP_USER_SEARCH_BASE": PEOPLE,
        "SERVITIUM_LDAP_GROUP_SEARCH_BASE": GROUPS,
        "SERVITIUM_LDAP_GROUP_TYPE": "groupOfNames",
        "SERVITIUM_LDAP_ROLE_MAP": '{"servitium-admins": "administrator", "Acme-Users": ["customer"]}',
        "SERVITIUM_LDAP_ORG_MAP": '{"acme-users": "Acme"}',
        "SERVITIUM_LDAP_ORG_ATTRIBUTE": "o",
    }
    values = ldap_settings(env)
    for key, value in values.items():
        setattr(settings, key, value)
    settings.AUTHENTICATION_BACKENDS = backends(oidc_settings({}), values)
    factories.organization("Acme", "customer")
    factories.organization("Test Provider", "provider")
    return directory


def test_the_backends_are_the_directory_then_local_passwords(ldap_enabled, settings):
    assert settings.AUTHENTICATION_BACKENDS == [
        "servitium.sso.ldap.LDAPBackend",
        "django.contrib.auth.backends.ModelBackend",
    ]


def test_authenticate_maps_groups_and_attributes_to_role_and_organization(ldap_enabled):
    user = authenticate(None, username="ann", password=PASSWORD)
    assert user is not None and user.username == "ann"
    stored = User.objects.get(username="ann")
    assert stored.roles == ["administrator"]
    assert stored.organization.name == "Test Provider"  # the `o` attribute
    assert (stored.email, stored.first_name, stored.last_name) == ("ann@example.org", "Ann", "Example")
    assert not stored.has_usable_password()  # the directory keeps the password
    assert Person.objects.get(user=stored).organization == stored.organization


def test_the_sign_in_form_signs_in_a_directory_user(ldap_enabled, client):
    response = client.post("/login/", {"username": "Ben", "password": PASSWORD})
    assert response.status_code == 302 and response.url == "/"
    ben = User.objects.get(username="ben")
    assert (ben.roles, ben.organization.name) == (["customer"], "Acme")  # the group, through the map
    assert Person.objects.get(user=ben).organization.name == "Acme"
    assert client.get("/api/v1/organizations/").status_code == 200
    # The second sign-in updates the same login.
    client.logout()
    assert client.post("/login/", {"username": "ben", "password": PASSWORD}).status_code == 302
    assert User.objects.filter(username__iexact="ben").count() == 1


def test_a_wrong_password_is_refused(ldap_enabled, client):
    assert authenticate(None, username="ann", password="not-the-password") is None
    response = client.post("/login/", {"username": "ann", "password": "not-the-password"})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()
    assert not User.objects.filter(username="ann").exists()


def test_a_user_in_no_mapped_group_is_refused_with_the_reason(ldap_enabled, client):
    assert authenticate(None, username="cid", password=PASSWORD) is None
    response = client.post("/login/", {"username": "cid", "password": PASSWORD})
    assert response.status_code == 200
    assert "no group that grants a role" in response.content.decode()
    assert not User.objects.filter(username="cid").exists()


def test_local_passwords_still_work_beside_the_directory(ldap_enabled, client):
    factories.user("local-admin", None, ["administrator"], password="local-password-1")
    response = client.post("/login/", {"username": "local-admin", "password": "local-password-1"})
    assert response.status_code == 302
