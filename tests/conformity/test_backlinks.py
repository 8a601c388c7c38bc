"""From a record to the requirements it evidences and back: a record's page lists the requirements the
latest assessment names it for (as evidence or as falling short), each linking to the result, whose page
links to the record again."""

from __future__ import annotations

from servitium.conformity import services
from servitium.conformity.models import Result
from tests import factories
from tests.base import browser, sent_to_portal


def test_a_record_page_links_to_the_requirements_naming_it_and_back(ctx):
    owner = factories.person("Olga Owner", ctx.provider)
    kept = factories.service("Hosted Mail", owner=owner, description="Mail for everyone")
    neglected = factories.service("File Share")  # no owner, no description
    run = services.assessment_run(actor=None)

    page = browser(ctx.auditor).get(f"/catalog/services/{neglected.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="requirements-naming"' in html and "falls short" in html
    result = Result.objects.get(
        assessment=run, requirement__framework__slug="iso20000-1:2018", requirement__identifier="8.2.4.s1"
    )
    assert f"/conformity/results/{result.pk}/" in html
    back = browser(ctx.auditor).get(f"/conformity/results/{result.pk}/").content.decode()
    assert f"/catalog/services/{neglected.pk}/" in back

    shown = browser(ctx.auditor).get(f"/catalog/services/{kept.pk}/").content.decode()
    assert f"/conformity/results/{result.pk}/" in shown and "evidence" in shown


def test_customers_never_see_what_the_assessment_says(ctx):
    service = factories.service("File Share", customers=[ctx.org_a])
    services.assessment_run(actor=None)
    page = browser(ctx.customer_a)
    assert sent_to_portal(page.get(f"/catalog/services/{service.pk}/"))  # the staff page is not theirs
    catalogue = page.get("/portal/report/").content.decode()  # the portal names the service, nothing more
    assert "File Share" in catalogue and 'id="requirements-naming"' not in catalogue


def _row_of(html: str, key: str) -> str:
    return next(item for item in html.split("<li") if f"<code>{key}</code>" in item)


def test_a_newer_assessment_replaces_what_the_page_says(ctx):
    service = factories.service("File Share")
    services.assessment_run(actor=None)
    html = browser(ctx.auditor).get(f"/catalog/services/{service.pk}/").content.decode()
    assert "falls short" in _row_of(html, "iso20000-1:2018 8.2.4.s1")
    service.owner = factories.person("Olga Owner", ctx.provider)
    service.description = "Files for everyone"
    service.save()
    services.assessment_run(actor=None)
    html = browser(ctx.auditor).get(f"/catalog/services/{service.pk}/").content.decode()
    row = _row_of(html, "iso20000-1:2018 8.2.4.s1")
    assert "falls short" not in row and ">evidence<" in row


def test_each_requirement_is_listed_once_though_several_checks_name_the_record(ctx):
    from servitium.problems import services as problem_services

    made = problem_services.problem_create(
        actor=None, data={"title": "Disk fills up", "category": "storage", "impact": 1}
    )
    services.assessment_run(actor=None)
    page = browser(ctx.auditor).get(made.get_absolute_url())
    rows = next(p for p in page.context["panels"] if p["template"].endswith("_requirements_naming.html"))
    listed = [(r["framework"], r["identifier"], r["role"]) for r in rows["context"]["rows"]]
    assert listed and len(listed) == len(set(listed)), listed
