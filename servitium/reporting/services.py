"""Writes of service reporting: definitions, generating a report for a period (frozen as HTML, figures
and a hashed PDF attachment; idempotent per definition and period), issuing it (which mails it to the
audience), the monthly job's run over the due definitions, and the decisions and actions on reports."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core import services as core_services
from servitium.core.reportsections import ReportScope

from . import document
from .lifecycle import ACTION_WORKFLOW, REPORT_WORKFLOW
from .models import ReportAction, ReportDefinition, ServiceReport

logger = logging.getLogger(__name__)
S = ServiceReport.Status


# --- periods ------------------------------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_of(definition: ReportDefinition, day: dt.date) -> tuple[dt.date, dt.date]:
    """The reporting period holding `day`: its month, or its quarter for a quarterly report; [start, end)."""
    if definition.frequency == ReportDefinition.Frequency.QUARTERLY:
        start = dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        return start, add_months(start, 3)
    start = month_start(day)
    return start, add_months(start, 1)


def parse_month(value: Any, field: str = "period") -> dt.date:
    """`YYYY-MM` (or a date) as the first day of that month; a 400 naming `field` otherwise."""
    text = str(value or "").strip()
    try:
        if "\x00" in text:
            raise ValueError
        if len(text) == 7:
            return dt.date.fromisoformat(f"{text}-01")
        return month_start(dt.date.fromisoformat(text))
    except ValueError:
        raise ValidationError({field: [_("Give the month as YYYY-MM.")]}) from None


# --- definitions --------------------------------------------------------------------------------------------


def _check_audience(definition: ReportDefinition) -> None:
    foreign = [c.name for c in definition.audience_contacts.all() if c.customer_id != definition.customer_id]
    if foreign:
        raise ValidationError(
            {
                "audience_contacts": [
                    _("These contacts belong to another customer: %(n)s.") % {"n": ", ".join(foreign)}
                ]
            }
        )


@transaction.atomic
def definition_create(
    *, actor: Any, data: dict[str, Any], m2m: dict | None = None, derived: dict | None = None
) -> ReportDefinition:
    """Describe a report: purpose, audience, customer, services, frequency and sections."""
    definition = core_services.record_create(
        model=ReportDefinition, data=data, actor=actor, m2m=m2m, derived=derived
    )
    _check_audience(definition)
    return definition


@transaction.atomic
def definition_update(
    *, actor: Any, instance: ReportDefinition, data: dict[str, Any], m2m: dict | None = None
) -> ReportDefinition:
    definition = core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m)
    _check_audience(definition)
    return definition


def scope_of(definition: ReportDefinition, start: dt.date, end: dt.date) -> ReportScope:
    return ReportScope(
        customer_id=definition.customer_id,
        service_ids=tuple(sorted(s.pk for s in definition.services.all())),
        start=start,
        end=end,
    )


# --- generating and issuing reports -------------------------------------------------------------------------


@transaction.atomic
def report_generate(
    *,
    actor: Any,
    definition: ReportDefinition,
    period_start: dt.date,
    regenerate: bool = False,
    issue: bool = False,
    pdf: bool = True,
    mail: bool = True,
) -> ServiceReport:
    """The report of `definition` for the period holding `period_start`.

    Idempotent: the report already generated for that definition and period is returned as it is, unless
    `regenerate` asks for a fresh one (the previous copy is then superseded, never overwritten). The new
    report freezes its figures, its HTML and (with `pdf`) its PDF as an attachment with the SHA-256;
    with `issue` it is issued at once, and issuing mails it to the audience."""
    definition = ReportDefinition.objects.select_for_update().get(pk=definition.pk)
    start, end = period_of(definition, period_start)
    if start > timezone.localdate():
        raise ValidationError({"period": [_("The period has not started yet.")]})
    current = ServiceReport.objects.filter(definition=definition, period_start=start).exclude(
        status=S.SUPERSEDED
    )
    existing = current.first()
    if existing is not None and not regenerate:
        return existing
    if existing is not None:
        report_transition(actor=actor, instance=existing, transition="supersede")
    doc = document.build(scope_of(definition, start, end), definition.sections)
    report = core_services.record_create(
        model=ServiceReport,
        data={},
        derived={
            "definition": definition,
            "customer": definition.customer,
            "period_start": start,
            "period_end": end - dt.timedelta(days=1),
            "generated_at": timezone.now(),
            "content": doc.content(),
            "content_items": doc.items(),
        },
        actor=actor,
    )
    report.html = document.render_body(doc, report=report, definition=definition)
    ServiceReport.objects.filter(pk=report.pk).update(html=report.html)
    if pdf:
        freeze_pdf(report=report, actor=actor)
    if issue:
        report = report_transition(actor=actor, instance=report, transition="issue", mail=mail)
    return report


def freeze_pdf(*, report: ServiceReport, actor: Any, body: bytes | None = None) -> str:
    """Store the report as PDF (an attachment with its SHA-256; `body` when already rendered) and return
    the digest."""
    body = document.render_pdf(report) if body is None else body
    upload = SimpleUploadedFile(f"{report.reference}.pdf", body, content_type="application/pdf")
    digest = core_services.attachment_store(target=report, upload=upload, actor=actor).sha256
    ServiceReport.objects.filter(pk=report.pk).update(pdf_sha256=digest)
    report.pdf_sha256 = digest
    return digest


def audience_addresses(definition: ReportDefinition) -> list[str]:
    """The mail addresses of the report's audience: people, teams (their address, else their members')
    and customer contacts."""
    found: list[str] = []
    for person in definition.audience_people.all():
        found.append(person.email)
    for team in definition.audience_teams.prefetch_related("members"):
        found.extend([team.email] if team.email else [m.email for m in team.members.all()])
    for contact in definition.audience_contacts.select_related("person"):
        if contact.person_id:
            found.append(contact.person.email)
    return sorted({a for a in found if a})


def mail_report(report: ServiceReport) -> list[str]:
    """Send the issued report to its audience: a short text, the HTML, and the frozen PDF attached."""
    definition = report.definition
    to = audience_addresses(definition)
    if not to:
        return []
    subject = _("Service report %(ref)s: %(title)s, %(start)s to %(end)s") % {
        "ref": report.reference,
        "title": definition.title,
        "start": report.period_start,
        "end": report.period_end,
    }
    text = _(
        "The service report %(title)s for %(start)s to %(end)s is attached as PDF. Customer users can also "
        "read it in the portal under service reports."
    ) % {"title": definition.title, "start": report.period_start, "end": report.period_end}
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(document.render_page(report, for_pdf=True), "text/html")
    stored = stored_pdf(report)
    if stored is not None:
        message.attach(f"{report.reference}.pdf", stored, "application/pdf")
    message.send()
    return to


def stored_pdf(report: ServiceReport) -> bytes | None:
    from .selectors import frozen_attachment

    found = frozen_attachment(report, None)
    if found is None:
        return None
    with found.file.open("rb") as handle:
        return handle.read()


@transaction.atomic
def report_transition(
    *,
    actor: Any,
    instance: ServiceReport,
    transition: str,
    note: str = "",
    data: dict | None = None,
    mail: bool = True,
) -> ServiceReport:
    """Issue a report (stamped, and mailed to the audience once the transaction commits) or supersede it."""
    report = (
        ServiceReport.objects.select_for_update(of=("self",)).select_related("definition").get(pk=instance.pk)
    )
    step = REPORT_WORKFLOW.check(report, report.status, transition)
    extra: dict[str, Any] = {}
    if step.name == "issue":
        extra["issued_at"] = timezone.now()
        if mail:
            addresses = audience_addresses(report.definition)
            if addresses:
                extra.update({"mailed_to": ", ".join(addresses), "mailed_at": timezone.now()})
    report = core_services.record_transition(
        instance=report,
        actor=actor,
        field="status",
        target=step.target,
        message=note or str(step.label),
        extra=extra,
    )
    if step.name == "issue" and mail and report.mailed_to:
        pk = report.pk
        transaction.on_commit(lambda: _mail_later(pk))
    return report


def _mail_later(pk: int) -> None:
    try:
        mail_report(ServiceReport.objects.select_related("definition").get(pk=pk))
    except Exception:  # noqa: BLE001 -- a mail server failure must not undo the issued report
        logger.exception("service report %s could not be mailed", pk)


def due_periods(definition: ReportDefinition, today: dt.date) -> list[dt.date]:
    """The last complete period of a scheduled definition (none for on-demand reports)."""
    if definition.frequency == ReportDefinition.Frequency.ON_DEMAND:
        return []
    start, _end = period_of(definition, today)
    previous, _ = period_of(definition, start - dt.timedelta(days=1))
    return [previous]


def reports_generate_due(*, actor: Any = None, today: dt.date | None = None, mail: bool = True) -> list[str]:
    """The scheduled run: every active monthly or quarterly definition gets its report of the last
    complete period, generated and issued (a period already reported is left as it is). Returns the
    references of the reports issued now.

    The slow part, the PDFs, runs in parallel: each report's figures and HTML are frozen (one transaction
    each) and its page goes at once to a pool rendering PDFs (one process per core) while the next report
    is built; then each report gets its PDF and is issued and mailed (one transaction each). A report left
    generated without a PDF by an interrupted run is finished by the next one."""
    today = today or timezone.localdate()
    finish: list[ServiceReport] = []
    due: list[tuple[ReportDefinition, dt.date]] = []
    for definition in ReportDefinition.objects.filter(active=True).order_by("pk"):
        for start in due_periods(definition, today):
            existing = (
                ServiceReport.objects.filter(definition=definition, period_start=start)
                .exclude(status=S.SUPERSEDED)
                .first()
            )
            if existing is None:
                due.append((definition, start))
            elif existing.status == S.GENERATED and not existing.pdf_sha256:
                finish.append(existing)
    if not due and not finish:
        return []
    waiting: list[ServiceReport] = []
    with document.pdf_batch(len(due) + len(finish)) as batch:
        for report in finish:
            waiting.append(report)
            batch.submit(document.pdf_page(report))
        for definition, start in due:
            try:
                report = report_generate(actor=actor, definition=definition, period_start=start, pdf=False)
            except Exception:  # noqa: BLE001 -- one failing report must not stop the others
                logger.exception("report %s for %s could not be generated", definition.reference, start)
                continue
            waiting.append(report)
            batch.submit(document.pdf_page(report))
    return _issue_with_pdfs(actor=actor, reports=waiting, bodies=batch.results(), mail=mail)


def reports_issue_with_pdfs(*, actor: Any, reports: list[ServiceReport], mail: bool = True) -> list[str]:
    """Render the PDFs of generated reports together (one process per core), then freeze each report's PDF
    and issue it (and mail it), one transaction each. A report whose PDF or issue failed stays generated
    (logged). Returns the references of the reports issued."""
    if not reports:
        return []
    return _issue_with_pdfs(actor=actor, reports=reports, bodies=document.render_pdfs(reports), mail=mail)


def _issue_with_pdfs(
    *, actor: Any, reports: list[ServiceReport], bodies: list[bytes | str], mail: bool
) -> list[str]:
    made = []
    for report, body in zip(reports, bodies, strict=True):
        if isinstance(body, str):
            logger.error("report %s: no PDF (%s); the next run tries again", report.reference, body)
            continue
        try:
            with transaction.atomic():
                freeze_pdf(report=report, actor=actor, body=body)
                report_transition(actor=actor, instance=report, transition="issue", mail=mail)
        except Exception:  # noqa: BLE001 -- one failing report must not stop the others
            logger.exception("report %s could not be issued", report.reference)
            continue
        made.append(report.reference)
    return made


# --- decisions and actions ----------------------------------------------------------------------------------


def _live_report(report: Any) -> None:
    if isinstance(report, ServiceReport) and report.status == S.SUPERSEDED:
        raise ValidationError({"report": [_("The report is superseded; record it on the current report.")]})


@transaction.atomic
def action_create(
    *, actor: Any, data: dict[str, Any], m2m: dict | None = None, derived: dict | None = None
) -> ReportAction:
    """Record a decision or an action taken on a report's findings."""
    _live_report(data.get("report") or (derived or {}).get("report"))
    return core_services.record_create(model=ReportAction, data=data, actor=actor, m2m=m2m, derived=derived)


@transaction.atomic
def action_update(
    *, actor: Any, instance: ReportAction, data: dict[str, Any], m2m: dict | None = None
) -> ReportAction:
    return core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m)


@transaction.atomic
def action_transition(
    *,
    actor: Any,
    instance: ReportAction,
    transition: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    today: dt.date | None = None,
) -> ReportAction:
    """Start, complete (stamping the day; the outcome may come with it), cancel or reopen."""
    action = ReportAction.objects.select_for_update().get(pk=instance.pk)
    step = ACTION_WORKFLOW.check(action, action.status, transition)
    extra: dict[str, Any] = {}
    if step.name == "complete":
        extra["completed_on"] = today or timezone.localdate()
        outcome = str((data or {}).get("outcome") or "").strip()
        if outcome:
            extra["outcome"] = outcome
    elif step.name == "reopen":
        extra["completed_on"] = None
    return core_services.record_transition(
        instance=action,
        actor=actor,
        field="status",
        target=step.target,
        message=note or str(step.label),
        extra=extra,
    )
