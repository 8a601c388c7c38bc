"""A cost item is apportioned to services as its rule says: hand-computed amounts, through the API, for
each kind of rule; and the largest-remainder split always adds up to the whole (property-based)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servitium.finance.selectors import split
from servitium.incidents import services as incident_services
from servitium.incidents.models import Incident
from tests.base import client
from tests.cmdb.conftest import ci, ci_type


def _apportion(api, rule_payload, amount, date="2026-03-10"):
    created = api.post("/api/v1/apportionment-rules/", rule_payload, format="json")
    assert created.status_code == 201, created.json()
    item = api.post(
        "/api/v1/cost-items/",
        {
            "date": date,
            "description": "Shared platform team",
            "amount": amount,
            "category": "shared",
            "allocation": "indirect",
            "rule": created.json()["id"],
        },
        format="json",
    )
    assert item.status_code == 201, item.json()
    response = api.get(f"/api/v1/cost-items/{item.json()['id']}/apportionment/")
    assert response.status_code == 200, response.json()
    body = response.json()
    return body, {row["service"]: row for row in body["services"]}


def _customers(row):
    return {c["customer"]: c["amount"] for c in row["customers"]}


def test_a_cost_item_is_apportioned_by_fixed_shares(ctx, fin):
    api = client(fin.agent)
    shares = [
        {"service": fin.mail.pk, "percent": "50"},
        {"service": fin.web.pk, "percent": "30"},
        {"service": fin.backup.pk, "percent": "20"},
    ]
    body, rows = _apportion(api, {"name": "Platform", "kind": "fixed", "shares": shares}, "1000.01")
    # 100001 cents: quotas 50000.5, 30000.3, 20000.2; the one cent left goes to the largest remainder.
    assert body["amount"] == "1000.01" and body["currency"] == "EUR"
    assert {s: r["amount"] for s, r in rows.items()} == {
        fin.mail.pk: "500.01",
        fin.web.pk: "300.00",
        fin.backup.pk: "200.00",
    }
    # Mail's 500.01 among its three customers: 166.67 each; Web's goes to its one customer; Backup has none.
    assert _customers(rows[fin.mail.pk]) == {
        ctx.org_a.pk: "166.67",
        ctx.org_b.pk: "166.67",
        fin.org_c.pk: "166.67",
    }
    assert _customers(rows[fin.web.pk]) == {ctx.org_a.pk: "300.00"}
    assert _customers(rows[fin.backup.pk]) == {None: "200.00"}


def test_a_cost_item_is_apportioned_by_number_of_customers(ctx, fin):
    api = client(fin.agent)
    payload = {
        "name": "Service desk",
        "kind": "customers",
        "services": [fin.mail.pk, fin.web.pk, fin.backup.pk],
    }
    body, rows = _apportion(api, payload, "100.01")
    # Weights 3, 1, 0 of 10001 cents: 7500.75, 2500.25, 0 -> the cent left goes to Mail.
    assert {s: (r["weight"], r["amount"]) for s, r in rows.items()} == {
        fin.mail.pk: ("3", "75.01"),
        fin.web.pk: ("1", "25.00"),
        fin.backup.pk: ("0", "0.00"),
    }
    # 7501 cents among three customers: 2500.33 each, the cent left to the first (lowest id).
    assert _customers(rows[fin.mail.pk]) == {
        ctx.org_a.pk: "25.01",
        ctx.org_b.pk: "25.00",
        fin.org_c.pk: "25.00",
    }


def test_a_cost_item_is_apportioned_by_number_of_cis(ctx, fin):
    kind = ci_type("finance server", {})
    ci("mail-1", kind, service=fin.mail, status="in_use")
    ci("mail-old", kind, service=fin.mail, status="retired")  # retired: not counted
    ci("web-1", kind, service=fin.web, status="in_use")
    ci("web-2", kind, service=fin.web, status="in_use")
    payload = {"name": "Data centre", "kind": "cis", "services": [fin.mail.pk, fin.web.pk]}
    _body, rows = _apportion(client(fin.agent), payload, "90.00")
    assert {s: r["amount"] for s, r in rows.items()} == {fin.mail.pk: "30.00", fin.web.pk: "60.00"}


def _ticket(ctx, service, day):
    ticket = incident_services.incident_create(
        actor=None, data={"customer": ctx.org_a, "title": "Slow", "service": service}
    )
    Incident.objects.filter(pk=ticket.pk).update(created=dt.datetime(2026, day[0], day[1], 12, tzinfo=dt.UTC))


def test_a_cost_item_is_apportioned_by_ticket_volume_in_its_month(ctx, fin):
    _ticket(ctx, fin.mail, (3, 2))
    for day in (1, 15, 31):
        _ticket(ctx, fin.web, (3, day))
    _ticket(ctx, fin.web, (4, 1))  # April: outside the month of the cost
    _ticket(ctx, fin.mail, (2, 28))  # February: outside too
    payload = {"name": "Service desk by tickets", "kind": "tickets", "services": [fin.mail.pk, fin.web.pk]}
    _body, rows = _apportion(client(fin.agent), payload, "40.00")
    assert {s: (r["weight"], r["amount"]) for s, r in rows.items()} == {
        fin.mail.pk: ("1", "10.00"),
        fin.web.pk: ("3", "30.00"),
    }


def test_a_year_of_ticket_volumes_read_at_once_weighs_each_month_as_a_month_read_alone(ctx, fin, settings):
    # The yearly figures (budget against actual, the finance checks) read every month's volumes in one
    # query; the month of one cost item reads its own. Both count by the local calendar month.
    from django.utils import timezone

    from servitium.finance.models import ApportionmentRule
    from servitium.finance.selectors import Period, rule_weights, service_costs, ticket_volumes

    settings.TIME_ZONE = "Europe/Berlin"
    with timezone.override("Europe/Berlin"):
        _ticket(ctx, fin.mail, (3, 2))
        _ticket(ctx, fin.web, (3, 15))
        # 23:30 UTC on 31 March is 1 April in Berlin: April's ticket, not March's
        late = incident_services.incident_create(
            actor=None, data={"customer": ctx.org_a, "title": "Late", "service": fin.web}
        )
        Incident.objects.filter(pk=late.pk).update(created=dt.datetime(2026, 3, 31, 23, 30, tzinfo=dt.UTC))
        rule = ApportionmentRule.objects.create(name="By tickets", kind="tickets")
        rule.services.set([fin.mail, fin.web])
        volumes = ticket_volumes([dt.date(2026, 3, 1), dt.date(2026, 4, 1)])
        for month in (3, 4):
            alone = rule_weights(rule, Period.month(2026, month))
            together = rule_weights(rule, Period.month(2026, month), volumes=volumes[dt.date(2026, month, 1)])
            assert alone == together, month
        assert volumes[dt.date(2026, 4, 1)] == {fin.web.pk: 1}
        assert service_costs(Period.year(2026)) == {}  # no cost items: nothing to share, no error


def test_a_direct_cost_goes_wholly_to_its_service(ctx, fin):
    api = client(fin.agent)
    item = api.post(
        "/api/v1/cost-items/",
        {
            "date": "2026-03-01",
            "description": "Licences",
            "amount": "12.00",
            "category": "licences",
            "service": fin.web.pk,
        },
        format="json",
    )
    assert item.status_code == 201, item.json()
    body = api.get(f"/api/v1/cost-items/{item.json()['id']}/apportionment/").json()
    assert [(r["service"], r["amount"]) for r in body["services"]] == [(fin.web.pk, "12.00")]


def test_fixed_shares_must_total_100_percent(ctx, fin):
    shares = [{"service": fin.mail.pk, "percent": "60"}, {"service": fin.web.pk, "percent": "30"}]
    response = client(fin.agent).post(
        "/api/v1/apportionment-rules/", {"name": "Short", "kind": "fixed", "shares": shares}, format="json"
    )
    assert response.status_code == 400
    assert "100" in response.json()["shares"][0]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"allocation": "indirect"}, "rule"),  # indirect without a rule
        ({"allocation": "direct"}, "service"),  # direct without a service
        ({"amount": "-5.00", "service": None}, "amount"),
        ({"amount": "1.005"}, "amount"),
    ],
)
def test_a_cost_item_that_breaks_its_rules_is_refused_by_name(ctx, fin, payload, field):
    base = {"date": "2026-03-01", "description": "X", "amount": "10.00", "category": "other"}
    if "service" not in payload and payload.get("allocation") != "direct":
        base["service"] = fin.web.pk
    response = client(fin.agent).post("/api/v1/cost-items/", {**base, **payload}, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()


def test_split_by_hand():
    assert split(Decimal("10.00"), [1, 1, 1]) == [Decimal("3.34"), Decimal("3.33"), Decimal("3.33")]
    assert split(Decimal("0.02"), [1, 1, 1]) == [Decimal("0.01"), Decimal("0.01"), Decimal("0.00")]
    assert split(Decimal("1.00"), [0, 5]) == [Decimal("0.00"), Decimal("1.00")]


@settings(max_examples=300, deadline=None)
@given(
    cents=st.integers(min_value=0, max_value=10**12),
    weights=st.lists(
        st.one_of(
            st.integers(min_value=0, max_value=10**6),
            st.decimals(min_value=0, max_value=100, places=3, allow_nan=False, allow_infinity=False),
        ),
        min_size=1,
        max_size=30,
    ).filter(lambda ws: sum(Decimal(str(w)) for w in ws) > 0),
)
def test_the_parts_always_sum_to_the_whole_and_none_is_negative(cents, weights):
    amount = Decimal(cents) / 100
    parts = split(amount, weights)
    assert len(parts) == len(weights)
    assert sum(parts, Decimal(0)) == amount
    assert all(p >= 0 for p in parts)
    assert all(p == p.quantize(Decimal("0.01")) for p in parts)
    total = sum(Decimal(str(w)) for w in weights)
    for part, weight in zip(parts, weights, strict=True):  # each part within a cent of its exact quota
        assert abs(part - amount * Decimal(str(weight)) / total) < Decimal("0.01")
