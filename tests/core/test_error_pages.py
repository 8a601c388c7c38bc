"""Error answers are pages of the site: a signed-in user who reaches a page they may not see, or one that
does not exist, keeps the top bar and the sidebar (a way on), never a bare "Not Found"; a server error has
its own styled page that needs no request."""

from __future__ import annotations

import pytest
from django.http import HttpRequest
from django.test import Client, override_settings
from django.urls import path

from tests import factories


def crash(request: HttpRequest):
    raise RuntimeError("boom: secret detail")


urlpatterns = [path("crash/", crash)]  # this module is the URL conf of the server-error test


def login(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def in_layout(html: str) -> bool:
    """The site's own layout: style sheet, top bar with "Sign out", and the sidebar."""
    return all(part in html for part in ("servitium.css", 'class="navbar', "Sign out", 'id="sidebar"'))


@pytest.fixture
def agent(ctx):
    return factories.user("err_agent", ctx.provider, ["incident-agent"])


@pytest.mark.parametrize("address", ["/sms/", "/conformity/", "/assurance/"])
def test_a_page_of_an_area_the_user_has_no_role_in_is_a_styled_404(agent, address):
    response = login(agent).get(address)
    html = response.content.decode()
    assert response.status_code == 404
    assert in_layout(html) and "This page is not here" in html
    assert 'href="/incidents/"' in html  # the user's own menu, to carry on from
    assert "Not Found</h1>" not in html  # not Django's bare answer


def test_an_unknown_address_is_a_styled_404_for_a_signed_in_user(agent):
    response = login(agent).get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404 and in_layout(html)
    assert "<title>Page not found · Servitium</title>" in html


def test_an_action_the_roles_do_not_allow_is_a_styled_403(agent):
    response = login(agent).get("/incidents/import/")
    html = response.content.decode()
    assert response.status_code == 403 and in_layout(html)
    assert "You may not do this" in html and "Nothing was changed" in html


def test_a_customer_never_sees_a_staff_error_page_but_the_portals(ctx):
    """A customer asking for a staff page is sent to the portal (not told which staff pages exist); a
    record of the portal that is not theirs is the portal's own styled 404."""
    response = login(ctx.customer_a).get("/sms/")
    assert response.status_code == 302 and response["Location"] == "/portal/"
    response = login(ctx.customer_a).get("/portal/tickets/999999/")
    html = response.content.decode()
    assert response.status_code == 404 and 'id="global-search"' not in html and "/portal/" in html


@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_is_a_styled_page_without_the_details(ctx):
    browser = login(ctx.admin)
    browser.raise_request_exception = False
    response = browser.get("/crash/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in html and "servitium.css" in html and "bootstrap.min.css" in html
    assert "boom" not in html and "secret detail" not in html
