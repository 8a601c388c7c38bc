"""The sidebar: grouped by what people do, only the pages a user may view, the current page marked; apps add
their own entries (core.navigation) without touching the layout."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from servitium.core import navigation, permissions
from tests import factories

GROUP_LABELS = ["Operate", "Control", "Plan and improve", "Conformity", "Administration"]


def login(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def menu(response) -> dict[str, list[str]]:
    """The sidebar as the page carries it: group heading (None: no heading) -> entry labels."""
    return {
        str(g["label"]) if g["label"] else None: [str(e["label"]) for e in g["entries"]]
        for g in response.context["nav_groups"]
    }


def current(html: str) -> list[str]:
    return re.findall(r'<a class="nav-link active" href="([^"]+)" aria-current="page">', html)


def test_an_administrator_sees_every_group_in_order_with_the_former_more_entries(ctx):
    response = login(ctx.admin).get("/incidents/")
    groups = menu(response)
    assert list(groups) == GROUP_LABELS
    assert groups["Operate"][:3] == ["Catalogue", "Incidents", "Problems"]
    assert {"Change management", "Configuration", "Supplier contracts", "Service reviews"} <= set(
        groups["Control"]
    )
    assert groups["Conformity"] == ["Conformity", "Internal audit"]
    assert groups["Administration"] == [
        "Organizations",
        "People",
        "Teams",
        "Users",
        "Webhooks",
        "API documentation",
    ]
    html = response.content.decode()
    for label in GROUP_LABELS:
        assert f'<h2 class="app-nav-heading">{label}</h2>' in html
    assert current(html) == ["/incidents/"]


def test_an_agent_sees_only_what_the_roles_let_them_view(ctx):
    agent = factories.user("nav_agent", ctx.provider, ["incident-agent"])
    response = login(agent).get("/incidents/")
    entries = {label for labels in menu(response).values() for label in labels}
    # their own area, the reference data every provider user reads, and the API's description
    assert {"Incidents", "Catalogue", "Services", "Organizations", "People", "API documentation"} <= entries
    assert not entries & {"Problems", "Change management", "Suppliers", "Users", "Webhooks", "Conformity"}
    assert "Conformity" not in menu(response)  # a group with nothing to show has no heading
    html = response.content.decode()
    assert "/parties/users/" not in html and "/webhooks/" not in html


def test_an_area_role_brings_its_pages_and_the_assurance_page_of_its_tiles(ctx):
    supplier_manager = factories.user("nav_suppliers", ctx.provider, ["supplier-manager"])
    control = menu(login(supplier_manager).get("/"))["Control"]
    assert control[-4:] == [
        "Suppliers",
        "Supplier contracts",
        "Supplier disputes",
        "Processes operated by others",
    ]
    assert "Change management" not in control and "Service levels" not in control
    # A capacity manager's work is a tile on the assurance page: the entry leads there.
    capacity = factories.user("nav_capacity", ctx.provider, ["capacity-manager"])
    assert "Service assurance" in menu(login(capacity).get("/"))["Plan and improve"]


def test_a_customer_gets_the_portals_menu_not_the_sidebar(ctx):
    response = login(ctx.customer_a).get("/incidents/", follow=True)
    assert response.redirect_chain[-1][0] == "/portal/"
    html = response.content.decode()
    assert 'id="sidebar"' not in html and 'id="global-search"' not in html
    assert 'id="portalnav"' in html and "Sign out" in html
    assert not any(word in html for word in ("Supplier contracts", "API documentation", "Problems"))


def test_staff_get_the_global_search_form(ctx):
    html = login(ctx.auditor).get("/").content.decode()
    form = re.search(
        r'<form class="app-search" role="search" method="get" action="/search/">(.*?)</form>', html, re.S
    )
    assert form and 'name="q"' in form.group(1) and 'id="global-search"' in form.group(1)


def test_a_record_page_marks_its_own_list_not_a_shorter_address(ctx):
    service = factories.service("Marked")
    html = login(ctx.admin).get(f"/catalog/services/{service.pk}/").content.decode()
    assert current(html) == ["/catalog/services/"]  # "Services", not "Catalogue" at /catalog/
    assert current(login(ctx.admin).get("/").content.decode()) == []  # the start page is no entry


@pytest.fixture
def extra_entry():
    entry = navigation.register_entry(
        "changes:change_calendar", "Change calendar", group=navigation.PLAN, order=13, areas=("changes",)
    )
    yield entry
    navigation.ENTRIES.pop(entry.url_name)


def test_an_app_adds_an_entry_to_its_group_without_editing_the_layout(ctx, extra_entry):
    groups = menu(login(ctx.admin).get("/"))
    assert (
        groups["Plan and improve"].index("Change calendar")
        == groups["Plan and improve"].index("Offerings") + 1
    )
    agent = factories.user("nav_agent2", ctx.provider, ["incident-agent"])
    assert "Change calendar" not in {x for labels in menu(login(agent).get("/")).values() for x in labels}


def test_an_entry_must_name_a_known_group():
    with pytest.raises(ValueError, match="Unknown navigation group"):
        navigation.register_entry("home", "Home", group="elsewhere")
    with pytest.raises(ValueError, match="nav_group"):
        permissions.register_area("nav-test", "Nav test", nav_url="home")
    assert "nav-test" not in permissions.AREAS and "home" not in navigation.ENTRIES


def test_signed_out_pages_have_no_menu():
    html = Client().get("/login/").content.decode()
    assert 'id="sidebar"' not in html and 'id="global-search"' not in html
