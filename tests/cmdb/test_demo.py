"""The demo CMDB: default types, about sixty CIs in a realistic stack, loaded once."""

from __future__ import annotations

from servitium import demo
from servitium.cmdb import demo as cmdb_demo
from servitium.cmdb import selectors
from servitium.cmdb.models import CIRelationship, CIType, ConfigurationItem
from servitium.parties.models import User


def test_demo_cmdb(db):
    demo.load(admin_username="admin", admin_password="demo-password-long-1")
    assert 55 <= ConfigurationItem.objects.count() <= 70
    names = set(ConfigurationItem.objects.values_list("name", flat=True))
    for source, _kind, target in cmdb_demo.RELATIONSHIPS:
        assert source in names and target in names, (source, target)
    assert CIRelationship.objects.count() >= len(cmdb_demo.RELATIONSHIPS)
    assert CIType.objects.count() == 11
    host = ConfigurationItem.objects.get(name="fra-hv-01")
    reach = selectors.impact(host)
    assert {"mx-relay-01", "Postfix relay", "Hosted Email"} <= {ci.name for ci in reach.cis}
    assert "Hosted Email" in {s.name for s in reach.services}
    assert "Dunmore City Council" in {o.name for o in reach.customers}
    alder = User.objects.get(username="alder")
    assert "Alder Logistics" in {o.name for o in selectors.impact(host, alder).customers}
    assert not ConfigurationItem.objects.filter(status="in_use", owner=None).exists()
    count = ConfigurationItem.objects.count()
    cmdb_demo.load(actor=None)
    assert ConfigurationItem.objects.count() == count
