"""Conditional reads: every list and record read by id carries a validator (`ETag`); a client that sends it
back in `If-None-Match` gets 304 Not Modified while nothing it would be shown has changed, and the full
answer as soon as something has (an edit, a new record, a running SLA clock's time, another reader)."""

from __future__ import annotations

import time_machine

from servitium.core.api.lean import representation_of
from servitium.incidents import services
from servitium.incidents.api import IncidentSerializer
from tests import factories
from tests.base import client
from tests.incidents.conftest import berlin


def _ticket(ctx, sla, title="Mail is down", at=None):
    return services.incident_create(
        actor=None,
        data={"customer": ctx.org_a, "service": sla.service, "title": title, "impact": 2, "urgency": 2},
        now=at or berlin(2026, 3, 2, 9),
    )


def test_a_ticket_unchanged_is_not_sent_again(ctx, sla, monkeypatch):
    ticket = _ticket(ctx, sla)
    api = client(ctx.admin)
    url = f"/api/v1/incidents/{ticket.pk}/"
    with time_machine.travel(berlin(2026, 3, 7, 12), tick=False):  # a Saturday: office-hours clocks stand
        first = api.get(url)
        assert first.status_code == 200
        etag = first["ETag"]
        assert etag.startswith('W/"')

        # 304 is decided from the record's columns and its clocks: the rest of it is not rendered
        def not_rendered(*args, **kwargs):
            raise AssertionError("rendered for a 304")

        monkeypatch.setattr(representation_of(IncidentSerializer), "render", not_rendered)
        again = api.get(url, HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304
        assert again.content == b""
        assert again["ETag"] == etag
        monkeypatch.undo()

        assert api.get(url, HTTP_IF_NONE_MATCH='W/"something-else", ' + etag).status_code == 304
        assert api.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200

        services.incident_update(actor=None, instance=ticket, data={"title": "Mail is down for all"})
        changed = api.get(url, HTTP_IF_NONE_MATCH=etag)
        assert changed.status_code == 200
        assert changed.json()["title"] == "Mail is down for all"
        assert changed["ETag"] != etag


def test_a_running_clock_makes_the_ticket_new_again(ctx, sla):
    ticket = _ticket(ctx, sla)
    api = client(ctx.admin)
    url = f"/api/v1/incidents/{ticket.pk}/"
    with time_machine.travel(berlin(2026, 3, 2, 10), tick=False):  # Monday, within office hours
        first = api.get(url)
    with time_machine.travel(berlin(2026, 3, 2, 10, 30), tick=False):
        later = api.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert first.json()["sla_clocks"]
    assert later.status_code == 200  # half an hour more on the response clock
    spent = [c["elapsed_business_s"] for c in later.json()["sla_clocks"]]
    assert spent == [c["elapsed_business_s"] + 1800 for c in first.json()["sla_clocks"]]


def test_a_list_page_changes_with_its_records(ctx, sla):
    _ticket(ctx, sla, "one")
    api = client(ctx.admin)
    url = "/api/v1/incidents/?ordering=-created&page_size=10"
    with time_machine.travel(berlin(2026, 3, 7, 12), tick=False):
        first = api.get(url)
        assert first.status_code == 200 and first.json()["count"] == 1
        assert api.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
        _ticket(ctx, sla, "two")
        second = api.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert second.status_code == 200 and second.json()["count"] == 2
        other_page = api.get(url + "&page_size=1", HTTP_IF_NONE_MATCH=second["ETag"])
        assert other_page.status_code == 200  # another query is another answer


def test_each_reader_has_their_own_validator(ctx, sla):
    ticket = _ticket(ctx, sla)
    url = f"/api/v1/incidents/{ticket.pk}/"
    with time_machine.travel(berlin(2026, 3, 7, 12), tick=False):
        staff = client(ctx.admin).get(url)
        customer = client(ctx.customer_a).get(url, HTTP_IF_NONE_MATCH=staff["ETag"])
    assert customer.status_code == 200
    assert customer["ETag"] != staff["ETag"]


def test_records_with_computed_fields_are_validated_by_their_answer(ctx):
    """A service lists its customers (a many-valued relation the columns do not show): the validator is
    taken over the answer, so adding a customer is a change."""
    service = factories.service("Hosting", customers=[ctx.org_a])
    api = client(ctx.admin)
    url = f"/api/v1/services/{service.pk}/"
    first = api.get(url)
    assert api.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    service.customers.add(ctx.org_b)
    changed = api.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert ctx.org_b.pk in changed.json()["customers"]
