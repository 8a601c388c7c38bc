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
    # (edition, requirement the statement speaks to, days valid from today: negative = already expired,
    #  statement, evidence)
    (
        "iso20000-1:2018",
        "5.2.2.b",
        300,
        "The service management policy was presented at the staff meeting and every "
        "team lead confirmed their team has read it.",
        "Minutes of the staff meeting; the team leads' signed confirmations (attached).",
    ),
    (
        "iso20000-1:2011",
        "4.1.1.c",
        -10,
        "At the annual staff meeting the managing director explained why meeting the service requirements "
        "matters to our customers and to us.",
        "Slides and minutes of the annual staff meeting (attached).",
    ),
]


def load(*, actor: Any) -> None:
    sync_catalogues()
    attester = Person.objects.filter(name=ATTESTER).first()
    reviewer = Person.objects.filter(name=REVIEWER).first()
    if attester and reviewer and not Attestation.objects.exists():
        today = timezone.localdate()
        for slug, identifier, days, statement, evidence in STATEMENTS:
            requirement = Requirement.objects.filter(framework__slug=slug, identifier=identifier).first()
            if requirement is None:
                continue
            until = today + dt.timedelta(days=days)
            core_services.record_create(
                model=Attestation,
                data={
                    "requirement": requirement,
                    "statement": statement,
                    "evidence": evidence,
                    "attested_by": attester,
                    "reviewed_by": reviewer,
                    "valid_from": until - dt.timedelta(days=365),
                    "valid_until": until,
                },
                actor=actor,
            )
    if not Assessment.objects.exists():
        assessment_run(actor=actor)
