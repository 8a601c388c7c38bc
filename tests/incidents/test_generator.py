"""The bulk history generator writes what the lifecycle would have: consistent clocks on the agreement's
calendar, historical timestamps kept, unique references, and the distributions it promises."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from servitium.core.businesstime import business_seconds_between
from servitium.core.models import ChangeRecord
from servitium.incidents import services
from servitium.incidents.generator import Generator
from servitium.incidents.models import Incident, SlaClock


def test_generated_history_is_consistent(ctx, sla):
    end = timezone.now()
    written = Generator(seed=7, end=end).run(300, days=90, batch=120)
    assert written == 300 and Incident.objects.count() == 300
    created = list(Incident.objects.values_list("created", flat=True))
    assert min(created) >= end - dt.timedelta(days=90) and max(created) <= end
    assert max(created) - min(created) > dt.timedelta(days=30)  # kept, not stamped "now"
    refs = list(Incident.objects.values_list("reference", flat=True))
    assert len(set(refs)) == 300
    # A live ticket created afterwards continues the numbering.
    live = services.incident_create(actor=None, data={"customer": ctx.org_a, "title": "after"})
    assert live.reference > max(refs)

    spec = sla.calendar.spec()
    stopped = SlaClock.objects.filter(stopped_at__isnull=False).select_related("incident")
    assert stopped.count() > 100
    for clock in stopped[:40]:
        measured = business_seconds_between(spec, clock.started_at, clock.stopped_at)
        assert abs(measured - clock.elapsed_before_s) < 1.0
        assert clock.met == (clock.elapsed_before_s <= clock.target_s)
        if clock.met is False:
            assert clock.incident.escalation_level >= 1
    priorities = dict.fromkeys(range(1, 6), 0)
    for p in Incident.objects.values_list("priority", flat=True):
        priorities[p] += 1
    assert priorities[5] > priorities[1]  # mostly low impact and urgency
    assert ChangeRecord.objects.filter(object_type="incidents.incident", context="import").count() == 300
