"""The demo data loads, twice without duplicates, and its users can sign in with the right scope."""

from servitium import demo
from servitium.catalog.models import Offering, Service
from servitium.core import changelog, permissions
from servitium.parties.models import Organization, User
from servitium.releases.models import Deployment, Release


def test_demo_loads_idempotently(db, demo_records):
    first = demo_records
    entries = changelog.ChangeRecord.objects.count()
    second = demo.load(admin_username="admin", admin_password="demo-password-long-1")
    assert first == second
    assert changelog.ChangeRecord.objects.count() == entries
    # four customers, and the cloud demo's two new ones (Elm Analytics, Fjord Media)
    assert 3 <= Organization.objects.filter(kind="customer").count() <= 7
    assert 2 <= Organization.objects.filter(kind="supplier").count() <= 3
    assert 10 <= Service.objects.count() <= 20
    alder = User.objects.get(username="alder")
    visible = permissions.restrict(Service.objects.all(), alder)
    assert set(visible.values_list("customers__name", flat=True)) >= {"Alder Logistics"}
    assert visible.count() < Service.objects.count()
    assert Offering.objects.exists()
    assert User.objects.get(username="admin").check_password("demo-password-long-1")
    # releases: one reviewed, one rolled back, one approved, one in build and test; each deployment baselined
    assert set(Release.objects.values_list("status", flat=True)) == {
        "reviewed",
        "rolled_back",
        "approved",
        "building",
    }
    assert Deployment.objects.count() == 2
    assert not Deployment.objects.filter(baseline__isnull=True).exists()
