"""The demo's information security part: loads twice without duplicates, passes its own checks where the
programme is kept, and shows the deliberate gaps the user guide names."""

from __future__ import annotations

from servitium import demo
from servitium.core.checks import MET, PARTLY_MET, REGISTRY
from servitium.security import selectors
from servitium.security.models import (
    AccessGrant,
    SecurityControl,
    SecurityIncidentLink,
    SecurityRiskAssessment,
    SecuritySettings,
)


def test_demo_security(db):
    counts = [m.objects.count() for m in (SecurityControl, AccessGrant, SecurityIncidentLink)]
    demo.load(admin_username="admin", admin_password="demo-password-long-1")
    assert [m.objects.count() for m in (SecurityControl, AccessGrant, SecurityIncidentLink)] == counts
    assert SecurityControl.objects.count() == 30 and SecuritySettings.objects.count() == 1
    assert SecurityRiskAssessment.objects.get().risks.count() >= 4
    assert SecurityIncidentLink.objects.count() == 3
    assert selectors.overdue_controls().values_list("identifier", flat=True).get() == "NIM-TEC-02"
    assert selectors.overdue_grants().get().organization.name == "Relay Networks"
    assert selectors.change_assessment_required()
    standing = selectors.policy_standing()
    assert standing.in_force and standing.approved_by_top_management and standing.communicated
    for check in (
        "security.policy_documented",
        "security.policy_approved",
        "security.policy_communicated",
        "security.risk_assessment_on_time",
        "security.risks_treated_by_controls",
        "security.objectives_set",
    ):
        assert REGISTRY[check].run().status == MET, check
    for check in (
        "security.controls_implemented",
        "security.controls_reviewed",
        "security.external_access_reviewed",
    ):
        assert REGISTRY[check].run().status == PARTLY_MET, check
