"""Ticket mail speaks its recipients' language: the one their logins chose (found through the login's
address or its person's), the installation's default when they chose none or disagree."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.utils import translation

from servitium.incidents.mail import outbound
from tests import factories

pytestmark = pytest.mark.django_db

TWO = [("en", "English"), ("de", "Deutsch")]


@override_settings(LANGUAGES=TWO, LANGUAGE_CODE="en")
def test_the_recipients_choice_wins_over_the_request(org_a):
    login = factories.user("anna", org_a, ["customer"])
    login.language = "de"
    login.save()
    factories.person("Anna", org_a, email="anna@a.example", user=login)
    other = factories.user("bob", org_a, ["customer"])
    other.email, other.language = "bob@a.example", "en"
    other.save()
    with translation.override("en"):
        assert outbound.language_of(["Anna@A.example"]) == "de"  # through the person, any case
        with outbound.speaking_to(["anna@a.example"]):
            assert translation.get_language() == "de"
        assert translation.get_language() == "en"
    assert outbound.language_of(["bob@a.example"]) == "en"
    assert outbound.language_of(["anna@a.example", "bob@a.example"]) == "en"  # they disagree: the default
    assert outbound.language_of(["stranger@elsewhere.example"]) == "en"
    assert outbound.language_of([]) == "en"


@override_settings(LANGUAGES=[("en", "English")], LANGUAGE_CODE="en")
def test_a_language_no_longer_offered_falls_back(org_a):
    login = factories.user("anna", org_a, ["customer"])
    login.email, login.language = "anna@a.example", "de"
    login.save()
    assert outbound.language_of(["anna@a.example"]) == "en"
