"""The demo CMDB: default types, about sixty CIs in a realistic stack, loaded once."""

from __future__ import annotations

from servitium.cmdb import demo as cmdb_demo
from servitium.cmdb import selectors
from servitium.cmdb.models import CIRelationship, CIType, ConfigurationItem
from servitium.parties.models import User


def test_demo_cmdb(db):
    assert 200 <= ConfigurationItem.objects.count() <= 300
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


def test_demo_configuration_control(db):
    from servitium.cmdb.models import AuditFinding, Baseline, ConfigurationAudit, MasterCopy

    assert 280 <= CIRelationship.objects.count() <= 450
    ours = Baseline.objects.filter(scope="service", source_type="")  # releases may add their own
    assert ours.count() == 2 and all(b.item_count > 3 for b in ours)
    audit = ConfigurationAudit.objects.get()
    assert audit.status == "reconciled" and len(audit.row_errors) == 1
    kinds = sorted(AuditFinding.objects.values_list("kind", flat=True))
    assert kinds == ["differing", "differing", "missing", "unexpected"]
    assert MasterCopy.objects.count() == 8
    positions = {p.ci.name: p for p in selectors.licences()}
    assert len(positions) >= 4
    vsphere = positions["VMware vSphere Enterprise Plus"]
    assert vsphere.used == vsphere.entitlement == 6 and vsphere.headroom == 0
    assert positions["Keycloak enterprise support"].expiring
    assert all(p.within_limits for p in positions.values()), [p.as_dict() for p in positions.values()]


def test_demo_unintended_changes_reviewed_but_one(db):
    """The lab host's effect was reviewed; fra-hv-03's unplanned patch went into the record unreviewed."""
    from servitium.core.checks import REGISTRY

    result = REGISTRY["cmdb.unintended_changes_reviewed"].run()
    assert result.status == "partly_met", result.message
    from servitium.cmdb.models import AuditFinding

    [gap] = result.gaps
    assert AuditFinding.objects.get(pk=gap.object_id).ci.name == "fra-hv-03"
