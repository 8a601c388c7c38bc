"""Sensible default settings: one rule for Alertmanager and one for every other source."""

from django.db import migrations

CI_LABELS = ["instance", "host", "hostname", "node", "ci"]
SERVICE_LABELS = ["service", "job"]
SEVERITIES = {
    "critical": {"impact": 1, "urgency": 1},
    "error": {"impact": 2, "urgency": 1},
    "warning": {"impact": 2, "urgency": 2},
    "info": None,
}


def add(apps, schema_editor):
    EventRule = apps.get_model("events", "EventRule")
    for name, source, order in (("Alertmanager", "alertmanager", 10), ("Other sources", "", 100)):
        EventRule.objects.get_or_create(
            name=name,
            defaults={
                "source": source,
                "order": order,
                "ci_labels": CI_LABELS,
                "service_labels": SERVICE_LABELS,
                "severities": SEVERITIES,
            },
        )


def remove(apps, schema_editor):
    apps.get_model("events", "EventRule").objects.filter(name__in=["Alertmanager", "Other sources"]).delete()


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
