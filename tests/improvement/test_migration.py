"""The move of conformity's nonconformities and relationships' improvement opportunities into the register:
every row is copied with its id (NC references kept, OFI references given), its source and its state."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("conformity", "0003_attestation_evidence"), ("relationships", "0001_initial")]
AFTER = [("conformity", "0004_delete_nonconformity"), ("relationships", "0002_delete_improvementopportunity")]


@pytest.mark.django_db(transaction=True)
def test_rows_move_with_ids_references_sources_and_states():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Framework, Requirement = (
        old.get_model("conformity", "Framework"),
        old.get_model("conformity", "Requirement"),
    )
    Assessment, NC = old.get_model("conformity", "Assessment"), old.get_model("conformity", "Nonconformity")
    Opportunity = old.get_model("relationships", "ImprovementOpportunity")
    framework = Framework.objects.create(slug="mig:2018", title="Migration test")
    requirement = Requirement.objects.create(framework=framework, identifier="10.1.a", title="React")
    now = timezone.now()
    run = Assessment.objects.create(reference="ASM0000042", started_at=now, finished_at=now)
    NC.objects.create(
        id=7,
        reference="NC0000007",
        requirement=requirement,
        check_id="x.y",
        status="closed",
        description="Found",
        cause="No owner",
        corrective_action="Owner named",
        opened_in=run,
        closed_in=run,
        due_date=dt.date(2026, 1, 31),
    )
    NC.objects.create(id=9, reference="NC0000009", requirement=requirement, description="By hand")
    Opportunity.objects.create(id=4, source="survey", description="Faster reports", status="closed")

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    Nonconformity = new.get_model("improvement", "Nonconformity")
    closed, by_hand = Nonconformity.objects.order_by("id")
    assert (closed.id, closed.reference, closed.status) == (7, "NC0000007", "closed")
    assert closed.requirement == "mig:2018#10.1.a" and closed.check_id == "x.y"
    assert (closed.source_kind, closed.source_id, closed.source_reference) == (
        "assessment",
        run.pk,
        "ASM0000042",
    )
    assert closed.effectiveness_result == "effective" and "ASM0000042" in closed.effectiveness_method
    assert closed.root_cause == "No owner"
    [action] = new.get_model("improvement", "CorrectiveAction").objects.all()
    assert (action.nonconformity_id, action.description, action.status) == (7, "Owner named", "done")
    assert (by_hand.id, by_hand.status, by_hand.source_kind, by_hand.source_id) == (9, "open", "other", None)
    [ofi] = new.get_model("improvement", "ImprovementOpportunity").objects.all()
    assert (ofi.id, ofi.source_kind, ofi.status) == (4, "survey", "rejected") and ofi.reference.startswith(
        "OFI"
    )
    # New rows continue after the copied ids (PostgreSQL's identity sequence was moved).
    fresh = Nonconformity.objects.create(reference="NC0000010", description="After the move")
    assert fresh.id > 9
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
