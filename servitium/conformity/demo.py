"""Demo conformity data: the catalogues, two attestations (one current, one expired) and one assessment,
so that the dashboard has something to show. Idempotent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from servitium.core import services as core_services
from servitium.parties.models import Person

from .models import Assessment, Attestation, Requirement
from .services import assessment_run
from .sync import sync_catalogues

ATTESTER, REVIEWER = "Maria Keller", "Jonas Weber"
STATEMENTS = [
    # (edition, days valid from today: negative = already expired, statement)
    (
        "iso20000-1:2018",
        300,
        "The service management policy was presented at the staff meeting and every "
        "team lead confirmed their team has read it.",
    ),
    (
        "iso20000-1:2011",
        -10,
        "Top management reviewed the service management objectives last year; the minutes are attached.",
    ),
]


def load(*, actor: Any) -> None:
    sync_catalogues()
    attester = Person.objects.filter(name=ATTESTER).first()
    reviewer = Person.objects.filter(name=REVIEWER).first()
    if attester and reviewer and not Attestation.objects.exists():
        today = timezone.localdate()
        for slug, days, statement in STATEMENTS:
            requirement = (
                Requirement.objects.filter(framework__slug=slug, evidence=Requirement.Evidence.ATTESTATION)
                .order_by("order")
                .first()
            )
            if requirement is None:
                continue
            until = today + dt.timedelta(days=days)
            core_services.record_create(
                model=Attestation,
                data={
                    "requirement": requirement,
                    "statement": statement,
                    "attested_by": attester,
                    "reviewed_by": reviewer,
                    "valid_from": until - dt.timedelta(days=365),
                    "valid_until": until,
                },
                actor=actor,
            )
    if not Assessment.objects.exists():
        assessment_run(actor=actor)
