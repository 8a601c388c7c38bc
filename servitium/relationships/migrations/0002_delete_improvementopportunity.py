"""Improvement opportunities move to the improvement register (improvement.ImprovementOpportunity): every
row is copied with its id and gets an OFI reference, then relationships' table is dropped."""

from django.core.management.color import no_style
from django.db import migrations

CLOSED_NOTE = "Closed (taken up or dismissed) before the improvement register existed."


def copy_to_improvement(apps, schema_editor):
    from servitium.core.references import format_reference, next_numbers

    Old = apps.get_model("relationships", "ImprovementOpportunity")
    New = apps.get_model("improvement", "ImprovementOpportunity")
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    rows = list(Old.objects.using(db).order_by("created", "id"))
    if not rows:
        return
    response_type, _ = ContentType.objects.using(db).get_or_create(
        app_label="relationships", model="surveyresponse"
    )
    numbers = next_numbers("OFI", len(rows))
    for old, number in zip(rows, numbers, strict=True):
        closed = old.status == "closed"
        new = New.objects.using(db).create(
            id=old.pk,
            reference=format_reference("OFI", number),
            source_kind=old.source if old.source in ("survey", "complaint") else "other",
            source_type=response_type if old.survey_response_id else None,
            source_id=old.survey_response_id,
            description=old.description,
            service_id=old.service_id,
            customer_id=old.customer_id,
            status="rejected" if closed else "proposed",
            decision_note=CLOSED_NOTE if closed else "",
        )
        New.objects.using(db).filter(pk=new.pk).update(created=old.created, updated=old.updated)
    with schema_editor.connection.cursor() as cursor:
        for sql in schema_editor.connection.ops.sequence_reset_sql(no_style(), [New]):
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("relationships", "0001_initial"),
        ("improvement", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(copy_to_improvement, migrations.RunPython.noop),
        migrations.DeleteModel(name="ImprovementOpportunity"),
    ]
