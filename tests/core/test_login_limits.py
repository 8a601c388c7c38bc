"""Sign-in limits hold for every spelling the form accepts as the same user, per user and per address, and
the sign-in form is the only place a password is taken."""

from __future__ import annotations

import base64

import pytest
from django.test import Client

from servitium.core.models import LoginFailure
from tests import factories

# Each signs in as `victim` when the account is not locked (see the first test).
SAME_USER = [
    "victim",
    "victim ",
    " victim",
    "\tvictim\n",
    "victim\u3000",  # ideographic space
    "\uff56ictim",  # full-width v
    "\uff56\uff49\uff43\uff54\uff49\uff4d",  # all full-width
]


@pytest.fixture
def victim(ctx):
    return factories.user("victim", ctx.provider, ["auditor"])


def sign_in(username: str, password: str, address: str = "203.0.113.5", **headers) -> tuple[int, Client]:
    browser = Client(REMOTE_ADDR=address, **headers)
    response = browser.post("/login/", {"username": username, "password": password})
    return response.status_code, browser


def signed_in(browser: Client) -> bool:
    return "_auth_user_id" in browser.session


@pytest.mark.parametrize("spelling", SAME_USER)
def test_every_spelling_signs_in_as_the_same_user_while_not_locked(victim, spelling):
    status, browser = sign_in(spelling, factories.PASSWORD)
    assert status == 302 and browser.session["_auth_user_id"] == str(victim.pk)


@pytest.mark.parametrize("spelling", [*SAME_USER, "VICTIM", "Victim ", "\uff36ictim"])
def test_locked_user_stays_locked_under_any_spelling(victim, settings, spelling):
    settings.LOGIN_RATE_LIMIT = 3
    for _ in range(3):
        assert sign_in("victim", "wrong")[0] == 200
    status, browser = sign_in(spelling, factories.PASSWORD, address="198.51.100.7")
    assert status == 429 and not signed_in(browser)


def test_failures_under_different_spellings_add_up(victim, settings):
    settings.LOGIN_RATE_LIMIT = 3
    for spelling in ["victim ", "\uff56ictim", "VICTIM"]:
        assert sign_in(spelling, "wrong", address=f"192.0.2.{len(spelling)}")[0] == 200
    status, browser = sign_in("victim", factories.PASSWORD, address="198.51.100.7")
    assert status == 429 and not signed_in(browser)
    assert (
        "Too many failed sign-in attempts" in browser.post("/login/", {"username": "victim"}).content.decode()
    )


def test_one_address_is_limited_across_usernames(victim, settings):
    settings.LOGIN_RATE_LIMIT = 2
    for index in range(6):  # three times the per-user limit, each name below its own limit
        assert sign_in(f"guess{index}", "wrong")[0] == 200
    status, browser = sign_in("victim", factories.PASSWORD)
    assert status == 429 and not signed_in(browser)
    # ... while the same user from another address still signs in.
    status, browser = sign_in("victim", factories.PASSWORD, address="198.51.100.7")
    assert status == 302 and signed_in(browser)


def test_a_nul_character_is_an_ordinary_failure(victim, settings):
    settings.LOGIN_RATE_LIMIT = 1
    assert sign_in("victim\x00", factories.PASSWORD, HTTP_X_FORWARDED_FOR="1.2.3.4\x00")[0] == 200
    assert sign_in("victim", factories.PASSWORD)[0] == 429


def test_a_successful_sign_in_is_not_counted_and_a_refused_one_does_not_extend_the_lock(victim, settings):
    settings.LOGIN_RATE_LIMIT = 2
    assert sign_in("victim", factories.PASSWORD)[0] == 302
    assert not LoginFailure.objects.exists()
    for _ in range(2):
        sign_in("victim", "wrong")
    assert sign_in("victim", factories.PASSWORD)[0] == 429
    assert LoginFailure.objects.filter(username="victim").count() == 2


def test_behind_the_proxy_the_forwarded_address_is_limited(victim, settings):
    settings.BEHIND_PROXY = True
    settings.LOGIN_RATE_LIMIT = 1
    proxy = "10.0.0.2"
    for index in range(3):
        # the client puts a fake address first; the proxy appends the real one
        sign_in(f"guess{index}", "wrong", address=proxy, HTTP_X_FORWARDED_FOR=f"1.2.3.{index}, 203.0.113.9")
    assert sign_in("victim", factories.PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.9")[0] == 429
    # another client behind the same proxy is not locked out by that one
    assert sign_in("victim", factories.PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.10")[0] == 302


def test_without_a_proxy_a_forged_forwarded_for_changes_nothing(victim, settings):
    settings.LOGIN_RATE_LIMIT = 1
    for index in range(3):
        sign_in(f"guess{index}", "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{index}")
    assert sign_in("victim", factories.PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99")[0] == 429


def test_the_api_takes_no_passwords(victim):
    """The sign-in form is the only password entry point: HTTP basic credentials are not accepted."""
    credentials = base64.b64encode(f"victim:{factories.PASSWORD}".encode()).decode()
    browser = Client(HTTP_AUTHORIZATION=f"Basic {credentials}")
    assert browser.get("/api/v1/tokens/").status_code in {401, 403}
    assert browser.post("/api/v1/tokens/", {"name": "x"}).status_code in {401, 403}
    assert not signed_in(browser)
