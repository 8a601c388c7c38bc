"""The rules of information security that a user relies on: the control register's CSV and OSCAL imports
(checked per row, all or nothing), review dates, the party of an access grant, and the guard that keeps a
change from being approved before its security impact is assessed."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError

from servitium.changes.models import Change
from servitium.core.models import ChangeRecord
from servitium.security import services
from servitium.security.models import AccessGrant, SecurityControl
from tests.base import client
from tests.changes.conftest import change
from tests.security.conftest import TODAY, control, grant, settings

HEADER = "identifier,title,description,category,owner,status,justification,last_reviewed,services\n"


def test_csv_import_creates_and_updates_by_identifier(ctx, sec):
    sec.owner.email = "olga@provider.example"
    sec.owner.save()
    text = HEADER + (
        "AC-1,Access reviews,Quarterly review of admin rights,organizational,olga@provider.example,"
        "implemented,,2026-01-15,Hosted Mail\n"
        "PH-1,Visitor log,,physical,,not_applicable,We run no premises of our own,,\n"
    )
    assert services.controls_import_csv(actor=sec.agent, text=text) == {"created": 2, "updated": 0}
    ac = SecurityControl.objects.get(identifier="AC-1")
    assert ac.owner == sec.owner and list(ac.services.all()) == [sec.service]
    assert ac.next_review == dt.date(2027, 1, 15)
    again = HEADER + "AC-1,Access reviews,Monthly now,organizational,,partial,,,\n"
    assert services.controls_import_csv(actor=sec.agent, text=again) == {"created": 0, "updated": 1}
    ac.refresh_from_db()
    assert ac.description == "Monthly now" and ac.status == "partial"
    assert ChangeRecord.objects.filter(object_type="security.securitycontrol").count() == 3


@pytest.mark.parametrize(
    ("row", "where"),
    [
        ("X-1,Thing,,organizational,,finished,,,", "Row 3, column status"),
        ("X-1,Thing,,cosmic,,,,,", "Row 3, column category"),
        ("X-1,Thing,,,nobody@example.org,,,,", "Row 3, column owner"),
        ("X-1,Thing,,,,not_applicable,,,", "Row 3, column justification"),
        ("X-1,Thing,,,,,,31/12/2025,", "Row 3, column last_reviewed"),
        ("X-1,Thing,,,,,,,No Such Service", "Row 3, column services"),
        (",Thing,,,,,,,", "Row 3, column identifier"),
        ("OK-1,Again,,,,,,,", "Row 3, column identifier: OK-1 is also on row 2"),
    ],
)
def test_csv_import_refuses_the_whole_file_naming_row_and_column(ctx, sec, row, where):
    text = HEADER + "OK-1,Fine,,,,,,,\n" + row + "\n"
    with pytest.raises(ValidationError) as refused:
        services.controls_import_csv(actor=sec.agent, text=text)
    messages = refused.value.message_dict["csv"]
    assert any(m.startswith(where) for m in messages), messages
    assert not SecurityControl.objects.exists()  # the good row was not stored either


def test_csv_import_refuses_unknown_columns_and_nul(ctx, sec):
    with pytest.raises(ValidationError) as refused:
        services.controls_import_csv(actor=sec.agent, text="identifier,title,colour\nA,B,red\n")
    assert "unknown columns colour" in refused.value.message_dict["csv"][0]
    with pytest.raises(ValidationError):
        services.controls_import_csv(actor=sec.agent, text="identifier,title\nA\x00,B\n")


def test_oscal_import_walks_groups_and_enhancements_and_keeps_status(ctx, sec):
    control("ac-2", status="implemented", owner=sec.owner)
    catalog = {
        "catalog": {
            "metadata": {"title": "Nimbus controls"},
            "groups": [
                {
                    "id": "people",
                    "title": "People controls",
                    "controls": [
                        {
                            "id": "ac-2",
                            "title": "Joiners and leavers",
                            "props": [{"name": "label", "value": "ac-2"}],
                            "parts": [{"name": "statement", "prose": "Accounts follow HR."}],
                            "controls": [{"id": "ac-2.1", "title": "Automated removal"}],
                        }
                    ],
                },
                {"id": "misc", "title": "Other", "controls": [{"id": "x-1", "title": "Misc"}]},
            ],
        }
    }
    result = services.controls_import_oscal(actor=sec.agent, document=json.dumps(catalog))
    assert result == {"created": 2, "updated": 1}
    kept = SecurityControl.objects.get(identifier="ac-2")
    assert kept.status == "implemented" and kept.owner == sec.owner and kept.category == "people"
    assert kept.description == "Accounts follow HR."
    assert SecurityControl.objects.get(identifier="ac-2.1").category == "people"
    assert SecurityControl.objects.get(identifier="x-1").category == "organizational"


def test_oscal_import_refuses_what_is_not_a_catalog(ctx, sec):
    for document in ("{not json", {"profile": {}}, {"catalog": {"metadata": {}, "groups": "x"}}):
        with pytest.raises(ValidationError):
            services.controls_import_oscal(actor=sec.agent, document=document)
    assert not SecurityControl.objects.exists()


def test_control_not_applicable_needs_a_justification(ctx, sec):
    with pytest.raises(ValidationError) as refused:
        control("P-1", status="not_applicable")
    assert "justification" in refused.value.message_dict


def test_grant_names_an_external_party_and_flags_its_review(ctx, sec):
    with pytest.raises(ValidationError) as refused:
        grant(sec.owner, ctx.provider)
    assert "organization" in refused.value.message_dict
    late = grant(sec.owner, sec.supplier, valid_from=TODAY - dt.timedelta(days=400), review_interval_months=6)
    assert late.review_overdue
    revoked = grant(
        sec.owner, sec.supplier, valid_from=TODAY - dt.timedelta(days=400), revoked=True, revoked_on=TODAY
    )
    assert not revoked.review_overdue
    assert list(AccessGrant.objects.filter(pk__in=[late.pk, revoked.pk]).order_by("pk")) == [late, revoked]


def _move(user, obj, name):
    return client(user).post(f"/api/v1/changes/{obj.pk}/transitions/", {"transition": name}, format="json")


def test_a_change_is_not_approved_before_its_security_impact_is_assessed(chg, sec):
    settings(require_change_assessment=True)
    c = change("Open a firewall port", cis=[chg.lone])
    assert _move(chg.agent, c, "submit").status_code == 200
    for member in (chg.alice, chg.bob):  # the quorum is reached, but the approval is refused
        client(member).post(f"/api/v1/changes/{c.pk}/approvals/", {"decision": "approve"}, format="json")
    assert Change.objects.get(pk=c.pk).status == "submitted"
    refused = _move(chg.manager, c, "approve")
    assert refused.status_code == 409
    assert "no security impact assessment" in refused.json()["detail"]
    body = client(sec.agent).post(
        "/api/v1/security-impact-assessments/",
        {"change": c.pk, "impact": "medium", "notes": "New inbound port", "assessor": sec.agent.person.pk},
        format="json",
    )
    assert body.status_code == 201, body.json()
    assert _move(chg.manager, c, "approve").status_code == 200
    assert Change.objects.get(pk=c.pk).status == "approved"


def test_the_rule_is_off_without_settings_or_when_turned_off(chg, sec):
    c = change("Patch", cis=[chg.lone])
    assert services.unassessed_security_impact(c) is None  # no security settings recorded
    settings(require_change_assessment=False)
    assert services.unassessed_security_impact(c) is None
    assert _move(chg.agent, c, "submit").status_code == 200
    for member in (chg.alice, chg.bob):  # the quorum approves at once
        client(member).post(f"/api/v1/changes/{c.pk}/approvals/", {"decision": "approve"}, format="json")
    assert Change.objects.get(pk=c.pk).status == "approved"


def test_standard_changes_are_not_guarded(ctx, sec):
    settings(require_change_assessment=True)
    assert services.unassessed_security_impact(Change(category="standard", reference="CHG-1")) is None
    assert "CHG-2" in services.unassessed_security_impact(Change(category="major", reference="CHG-2"))
