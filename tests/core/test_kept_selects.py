"""Plain SELECTs are compiled once and kept (core/db/shapes.py): the kept statement is exactly what Django
would write, two queries share one only when everything that shapes the SQL is equal, values included,
and anything beyond a plain query is compiled as usual."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Count, Q
from django.db.models.expressions import RawSQL

from servitium.core.db import shapes
from servitium.incidents.models import Incident
from servitium.parties.models import Organization, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def kept():
    if not hasattr(connection.ops.compiler("SQLCompiler"), "__mro__") or not issubclass(
        connection.ops.compiler("SQLCompiler"), shapes.KeptSelects
    ):
        pytest.skip("the database backend is Django's own (SERVITIUM_SQLITE_WRITERS_QUEUE=0)")
    shapes._KEPT.clear()
    yield shapes._KEPT
    shapes._KEPT.clear()


def _compiled(queryset) -> tuple[str, tuple]:
    sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    return sql, tuple(params)


def _uncached(queryset, monkeypatch) -> tuple[str, tuple]:
    monkeypatch.setattr(shapes, "ENABLED", False)
    try:
        return _compiled(queryset)
    finally:
        monkeypatch.setattr(shapes, "ENABLED", True)


def test_a_plain_query_is_compiled_once_and_reads_the_same(kept, monkeypatch):
    for i in range(3):
        Organization.objects.create(name=f"Kept {i}", kind="customer")
    kept.clear()
    query = Organization.objects.filter(kind="customer", name__startswith="Kept").order_by("-name")[1:3]
    first = _compiled(query)
    assert len(kept) == 1
    again = _compiled(
        Organization.objects.filter(kind="customer", name__startswith="Kept").order_by("-name")[1:3]
    )
    assert again == first == _uncached(query, monkeypatch)
    assert len(kept) == 1  # the second was served from the kept statement
    names = [
        o.name
        for o in Organization.objects.filter(kind="customer", name__startswith="Kept").order_by("-name")[1:3]
    ]
    assert names == ["Kept 1", "Kept 0"]


def test_values_and_limits_are_part_of_the_key(kept):
    for i in range(4):
        Organization.objects.create(name=f"Key {i}", kind="customer" if i % 2 else "supplier")
    kept.clear()
    customers = list(Organization.objects.filter(name__startswith="Key", kind="customer").order_by("name"))
    suppliers = list(Organization.objects.filter(name__startswith="Key", kind="supplier").order_by("name"))
    assert [o.name for o in customers] == ["Key 1", "Key 3"]
    assert [o.name for o in suppliers] == ["Key 0", "Key 2"]
    assert [o.name for o in Organization.objects.filter(name__startswith="Key").order_by("name")[2:3]] == [
        "Key 2"
    ]
    assert [o.name for o in Organization.objects.filter(name__startswith="Key").order_by("name")[3:4]] == [
        "Key 3"
    ]
    # equal in Python, not the same parameter: 1 and True are kept apart
    assert shapes._values(1) != shapes._values(True)
    assert len(kept) == 4


def test_a_page_with_its_count_is_kept(kept, monkeypatch):
    query = Incident.objects.filter(status="new").annotate(
        capped_total_=RawSQL("(SELECT COUNT(*) FROM incidents_incident WHERE status = %s)", ("new",))
    )[:5]
    assert _compiled(query) == _uncached(query, monkeypatch)
    assert len(kept) == 1


@pytest.mark.parametrize(
    "queryset",
    [
        lambda: Incident.objects.filter(customer__name="Acme"),  # a join
        lambda: Organization.objects.annotate(n=Count("people")),  # an aggregate
        lambda: Organization.objects.values("name"),  # not whole records
        lambda: Organization.objects.only("name"),  # deferred columns
        lambda: Organization.objects.filter(Q(name="a") | Q(pk__in=Organization.objects.filter(kind="x"))),
        lambda: Person.objects.select_related("organization"),
        lambda: Organization.objects.extra(where=["1=1"]),
        lambda: Organization.objects.filter(pk__in=[]),  # matches nothing
        lambda: Organization.objects.distinct(),
    ],
)
def test_anything_beyond_a_plain_query_is_compiled_as_usual(kept, queryset):
    list(queryset())
    assert len(kept) == 0
