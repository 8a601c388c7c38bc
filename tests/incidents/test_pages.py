"""Incident pages: the form offers known errors as the agent types, the ticket links its problems, and
incident agents can read known errors (2011 8.1: incident work reaches known errors)."""

from __future__ import annotations

from django.test import Client

from servitium.incidents import services
from servitium.problems.models import KnownError
from tests import factories
from tests.base import client, sent_to_portal


def test_form_suggests_known_errors_for_staff_only(ctx):
    agent = factories.user("agent_p", ctx.provider, ["incident-agent"])
    browser = Client()
    browser.force_login(agent)
    page = browser.get("/incidents/new/").content.decode()
    assert 'hx-get="/problems/suggest/"' in page and 'id="problem-suggestions"' in page
    browser.force_login(ctx.customer_a)
    assert sent_to_portal(browser.get("/incidents/new/"))
    page = browser.get("/portal/report/").content.decode()
    assert "How badly does this affect you?" in page and "problem-suggestions" not in page


def test_detail_links_problems_and_offers_to_raise_one(ctx):
    incident = services.incident_create(actor=None, data={"customer": ctx.org_a, "title": "Disk full"})
    manager = factories.user("pm", ctx.provider, ["incident-agent", "problem-manager"])
    browser = Client()
    browser.force_login(manager)
    page = browser.get(f"/incidents/{incident.pk}/").content.decode()
    assert f"/problems/new/?incident={incident.pk}" in page
    browser.force_login(ctx.customer_a)
    assert sent_to_portal(browser.get(f"/incidents/{incident.pk}/"))
    page = browser.get(f"/portal/tickets/{incident.pk}/").content.decode()
    assert "Disk full" in page and "Raise a problem" not in page


def test_incident_agents_read_known_errors_but_do_not_write_them(ctx):
    known = KnownError.objects.create(
        reference="KE0000001", title="Printer queue stalls", workaround="Restart"
    )
    agent = factories.user("agent_k", ctx.provider, ["incident-agent"])
    api = client(agent)
    assert api.get(f"/api/v1/known-errors/{known.pk}/").status_code == 200
    assert api.patch(f"/api/v1/known-errors/{known.pk}/", {"title": "x"}, format="json").status_code == 403
    assert client(ctx.customer_a).get(f"/api/v1/known-errors/{known.pk}/").status_code == 404
    assert (
        client(factories.user("sup", ctx.provider, ["supplier-agent"]))
        .get(f"/api/v1/known-errors/{known.pk}/")
        .status_code
        == 404
    )
