"""In a real browser: an incident import started from the import page lands on its own page with the
result; a running import's page moves its bar as the record moves (import-run.js polls the status) and
shows the result once it ends, with nothing the Content-Security-Policy blocks.

Run with `pytest -m browser`; needs /usr/bin/chromium (`apt-get install chromium`).
"""

from __future__ import annotations

import re

import pytest

from tests import factories
from tests.browser.conftest import sign_in
from tests.browser.test_csp_browser import WATCH, violations

pytestmark = pytest.mark.browser

LOG = (
    "number;incident_state;sys_updated_at;assignment_group;priority;impact;urgency;category;contact_type\n"
    "INC0000001;New;1/3/2016 07:00;Desk;3 - Moderate;2 - Medium;2 - Medium;Mail;Phone\n"
    "INC0000001;Resolved;2/3/2016 09:30;Mail team;3 - Moderate;2 - Medium;2 - Medium;Mail;Phone\n"
)


@pytest.mark.django_db(transaction=True)
def test_an_import_runs_with_a_moving_bar_and_ends_with_its_report(live_server, page, tmp_path):
    from servitium.incidents.models import Incident, IncidentImportRun

    provider = factories.organization("Import Provider", "provider")
    customer = factories.organization("Import Customer", "customer")
    manager = factories.user("import_mgr", provider, ["incident-manager"])
    page.add_init_script(WATCH)
    sign_in(page, live_server.url, "import_mgr")

    # Started from the page: the task (immediate in tests) has run by the time the run's page opens.
    log = tmp_path / "incident_event_log.csv"
    log.write_text(LOG, encoding="utf-8")
    page.goto(f"{live_server.url}/incidents/import/")
    page.select_option("#m-mapping", "servicenow-events")
    page.fill("#m-customer", customer.name)
    page.check("#m-create")
    page.set_input_files("#m-files", str(log))
    with page.expect_navigation():
        page.click("#mapping-import button[value=run]")
    assert re.search(r"/incidents/import/runs/\d+/$", page.url)
    assert "1 tickets: 1 created" in page.inner_text("#import-result")
    assert Incident.objects.filter(source="servicenow").count() == 1

    # A run still going: the bar follows the record without a reload, the result comes when it ends.
    run = IncidentImportRun.objects.create(
        started_by=manager, file_name="big.csv", mapping_name="servicenow-events", status="running"
    )
    run_page = f"{live_server.url}/incidents/import/runs/{run.pk}/"
    page.goto(run_page)
    assert page.get_attribute("#import-run-bar", "width") == "0"
    IncidentImportRun.objects.filter(pk=run.pk).update(fraction=0.42, stage="writing")
    page.locator("#import-run-bar[width='42']").wait_for(state="attached", timeout=10000)
    assert page.inner_text("#import-run-stage") == "writing the tickets"
    assert page.url == run_page  # followed in place, not reloaded
    IncidentImportRun.objects.filter(pk=run.pk).update(
        status="done",
        fraction=1.0,
        stage="done",
        report={"tickets": 7, "created": 7, "updated": 0, "unchanged": 0, "events_created": 9, "errors": {}},
        report_text="servicenow-events: 7 tickets",
    )
    page.locator("#import-result").wait_for(timeout=10000)
    assert "7 tickets: 7 created" in page.inner_text("#import-result")
    assert violations(page) == []
