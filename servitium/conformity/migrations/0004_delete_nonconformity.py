"""Nonconformities move to the improvement register (improvement.Nonconformity): every row is copied with
its id and reference, then conformity's table is dropped."""

from django.core.management.color import no_style
from django.db import migrations

SOURCE_NOTE = "Corrective action verified before the improvement register existed."


def copy_to_improvement(apps, schema_editor):
    Old = apps.get_model("conformity", "Nonconformity")
    New = apps.get_model("improvement", "Nonconformity")
    Action = apps.get_model("improvement", "CorrectiveAction")
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    rows = list(
        Old.objects.using(db).select_related(
            "requirement__framework", "opened_in", "last_seen_in", "closed_in"
        )
    )
    if not rows:
        return
    assessment_type, _ = ContentType.objects.using(db).get_or_create(app_label="conformity", model="assessment")
    for old in rows:
        closed = old.status == "closed"
        status = "closed" if closed else "open"
        if not closed and old.cause:
            status = "action_planned" if old.corrective_action else "cause_analysed"
        new = New.objects.using(db).create(
            id=old.pk,
            reference=old.reference,
            source_kind="assessment" if old.opened_in_id else "other",
            source_type=assessment_type if old.opened_in_id else None,
            source_id=old.opened_in_id,
            source_reference=old.opened_in.reference if old.opened_in_id else "",
            requirement=f"{old.requirement.framework.slug}#{old.requirement.identifier}",
            check_id=old.check_id,
            status=status,
            description=old.description,
            root_cause=old.cause,
            owner_id=old.owner_id,
            due_date=old.due_date,
            last_seen_in=old.last_seen_in.reference if old.last_seen_in_id else "",
            effectiveness_method=(
                f"Check {old.check_id} passed in assessment {old.closed_in.reference}."
                if closed and old.closed_in_id
                else (SOURCE_NOTE if closed else "")
            ),
            effectiveness_result="effective" if closed else "",
            effectiveness_checked_on=old.updated.date() if closed else None,
            closed_at=old.updated if closed else None,
        )
        New.objects.using(db).filter(pk=new.pk).update(created=old.created, updated=old.updated)
        if old.corrective_action:
            action = Action.objects.using(db).create(
                nonconformity=new,
                description=old.corrective_action,
                owner_id=old.owner_id,
                due_date=old.due_date,
                status="done" if closed else "planned",
                done_on=old.updated.date() if closed else None,
            )
            Action.objects.using(db).filter(pk=action.pk).update(created=old.created, updated=old.updated)
    # Ids were copied: move PostgreSQL's identity sequence past them.
    with schema_editor.connection.cursor() as cursor:
        for sql in schema_editor.connection.ops.sequence_reset_sql(no_style(), [New]):
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("conformity", "0003_attestation_evidence"),
        ("improvement", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(copy_to_improvement, migrations.RunPython.noop),
        migrations.DeleteModel(name="Nonconformity"),
    ]
