"""The demo leaves the dashboard with data: attestations (one expired) and an assessment that follows
the demo records."""

from __future__ import annotations

from servitium.conformity import demo as conformity_demo
from servitium.conformity import selectors
from servitium.conformity.models import Assessment, Attestation, Result


def test_demo_conformity(db):
    attestations = list(Attestation.objects.order_by("valid_until"))
    assert len(attestations) == 2
    expired, current = attestations
    run = Assessment.objects.get()
    assert Result.objects.get(assessment=run, requirement=current.requirement).status == "met"
    assert Result.objects.get(assessment=run, requirement=expired.requirement).status == "not_met"
    editions = {e["framework"]: e["counts"] for e in selectors.by_edition(run)}
    assert editions["iso20000-1:2018"]["met"] + editions["iso20000-1:2018"]["partly_met"] > 0
    conformity_demo.load(actor=None)
    assert Assessment.objects.count() == 1 and Attestation.objects.count() == 2
