"""In a real browser, the Content-Security-Policy blocks nothing the pages need: no violation is reported
while pages are opened, htmx swaps content in and the API docs page runs Swagger UI.

Run with `pytest -m browser`; needs /usr/bin/chromium (`apt-get install chromium`).
"""

from __future__ import annotations

import pytest

from tests import factories
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

# Runs before any page script (Playwright injects it outside the page's policy) and records every
# violation the browser reports.
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__violations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${where}`);
});
"""


def violations(page) -> list[str]:
    return page.evaluate("window.__violations")


@pytest.mark.django_db(transaction=True)
def test_pages_run_without_policy_violations(live_server, page):
    from servitium.cmdb import services as cmdb_services
    from servitium.cmdb.models import CIType
    from servitium.conformity import services as conformity_services
    from servitium.core import services as core_services
    from servitium.problems.models import KnownError

    provider = factories.organization("CSP Provider", "provider")
    customer = factories.organization("CSP Customer", "customer")
    factories.user("csp_admin", provider, ["administrator"])
    service = factories.service("Hosted Mail", customers=[customer], description="Line one\nLine two")
    KnownError.objects.create(
        reference="KE0000078",
        title="Outlook loses connection after VPN reconnect",
        symptoms="Outlook shows disconnected after the VPN reconnects",
        workaround="Restart Outlook\nonce the VPN is up.",
    )
    kind = core_services.record_create(
        model=CIType, data={"name": "csp kind", "description": "t", "attribute_schema": {}}, actor=None
    )
    ci = cmdb_services.ci_create(actor=None, data={"name": "mail-1", "ci_type": kind, "service": service})
    conformity_services.assessment_run(actor=None)  # a bar in the dashboard's trend chart

    console = []
    page.on("console", lambda message: message.type == "error" and console.append(message.text))
    page.add_init_script(WATCH)
    sign_in(page, live_server.url, "csp_admin")
    paths = [
        "/",
        "/catalog/",
        "/catalog/services/",
        f"/catalog/services/{service.pk}/",
        f"/catalog/services/{service.pk}/map/",
        "/changes/calendar/",
        "/conformity/",
        "/conformity/plan/",
        "/cmdb/import/",
        f"/cmdb/{ci.pk}/",
    ]
    for path in paths:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        assert violations(page) == [], path

    # Choosing a depth on the CI's map submits the form (servitium.js, no inline handler).
    page.goto(f"{live_server.url}/cmdb/{ci.pk}/")
    with page.expect_navigation():
        page.select_option("#map-depth", "2")
    assert "depth=2" in page.url
    # htmx: the record list's search swaps the table in; the incident form fetches suggestions.
    page.goto(f"{live_server.url}/catalog/services/")
    page.fill("input[name=search]", "Hosted")
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/incidents/new/")
    page.fill("#id_title", "Outlook disconnected after VPN")
    page.locator("#id_title").press("End")
    page.locator("#problem-suggestions [data-kind=known_error]").wait_for(timeout=10000)
    assert violations(page) == []

    # The API docs: Swagger UI starts (from its own script file) and lists the operations.
    page.goto(f"{live_server.url}/api/docs/")
    page.locator(".swagger-ui .opblock").first.wait_for(timeout=20000)
    assert violations(page) == []
    assert [text for text in console if "Content Security Policy" in text] == []
