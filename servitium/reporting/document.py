"""A service report's document: the sections its definition holds (core.reportsections), asked for the
figures of one scope and period, laid out as HTML (the frozen body, also shown on the report's page), as
a standalone printable page, and as PDF (WeasyPrint) — the way the management review pack is frozen."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.staticfiles import finders
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from servitium.core import pdf
from servitium.core.reportsections import ITEMS, ReportScope, ReportSection, report_sections

logger = logging.getLogger(__name__)
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
logging.getLogger("fontTools").setLevel(logging.WARNING)  # font subsetting reports every table at INFO

STYLESHEET = "reporting/report.css"
FIGURES, EMPTY, NONE = "figures", "empty", "none"
# The content the standard requires of every report (2018 9.4 a-f; 2011 6.2 a-f); availability, capacity
# and cost where those processes apply.
REQUIRED_ITEMS = (
    "service_targets",
    "nonconformities",
    "workload",
    "after_major_events",
    "trends",
    "satisfaction",
)


PdfUnavailable = pdf.PdfUnavailable


def chosen_sections(keys: list[str] | None) -> list[ReportSection]:
    """The registered sections a definition holds (empty: all of them), in report order."""
    registered = report_sections()
    if not keys:
        return registered
    return [s for s in registered if s.key in set(keys)]


def item_coverage(keys: list[str] | None) -> dict[str, list[str]]:
    """Which content items of the standard the chosen sections cover, and which have no section behind
    them (required ones first)."""
    covered = {item for s in chosen_sections(keys) for item in s.items}
    return {
        "covered": [k for k in ITEMS if k in covered],
        "missing": [k for k in ITEMS if k not in covered],
        "missing_required": [k for k in REQUIRED_ITEMS if k not in covered],
    }


@dataclass
class Part:
    key: str
    title: str
    items: tuple[str, ...]
    template: str
    context: dict[str, Any] | None
    error: str = ""

    @property
    def has_content(self) -> bool:
        return self.context is not None and not self.error


@dataclass
class Document:
    scope: ReportScope
    parts: list[Part] = field(default_factory=list)

    def items(self) -> dict[str, str]:
        """Each content item: figures, empty (a section stands behind it but had nothing) or none."""
        state = dict.fromkeys(ITEMS, NONE)
        for part in self.parts:
            for item in part.items:
                if part.has_content:
                    state[item] = FIGURES
                elif state[item] == NONE:
                    state[item] = EMPTY
        return state

    def content(self) -> dict[str, Any]:
        return {
            p.key: {
                "title": p.title,
                "items": list(p.items),
                "figures": jsonable(p.context) if p.has_content else None,
                "error": p.error,
            }
            for p in self.parts
        }


def build(scope: ReportScope, keys: list[str] | None) -> Document:
    """Ask every chosen section for its figures of `scope`; a failing section is named, not fatal."""
    document = Document(scope)
    for section in chosen_sections(keys):
        error = ""
        try:
            # In a savepoint: on PostgreSQL a failed query would otherwise abort the transaction and
            # every later section with it.
            with transaction.atomic():
                context = section.build(scope)
        except Exception:  # noqa: BLE001 -- one broken section must not stop the report; it names it
            logger.exception("report section %s failed", section.key)
            context, error = None, _("This section could not be assembled; see the server log.")
        document.parts.append(
            Part(section.key, str(section.title), section.items, section.template, context, error)
        )
    return document


def jsonable(value: Any) -> Any:
    """A section's context as plain JSON (the drawn charts — keys ending in `_svg`, or any SVG markup —
    left out: the API gives the figures they are drawn from)."""
    if isinstance(value, dict):
        return {
            str(k): jsonable(v) for k, v in value.items() if not str(k).endswith("_svg") and not _drawn(v)
        }
    if isinstance(value, list | tuple | set | frozenset | models.QuerySet):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, Promise | SafeString):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _drawn(value: Any) -> bool:
    return isinstance(value, SafeString) and value.lstrip().startswith("<svg")


def render_body(document: Document, *, report: Any, definition: Any) -> str:
    """The frozen body of the report: heading, content items, sections."""
    parts = []
    for part in document.parts:
        body = render_to_string(part.template, part.context) if part.has_content else ""
        parts.append(
            {
                "key": part.key,
                "title": part.title,
                "items": [str(ITEMS[i]) for i in part.items],
                "body": mark_safe(body),  # noqa: S308 -- rendered by a template, escaped there
                "error": part.error,
                "empty": not part.has_content,
            }
        )
    states = document.items()
    return render_to_string(
        "reporting/report_body.html",
        {
            "report": report,
            "definition": definition,
            "scope": document.scope,
            "last_day": document.scope.end - dt.timedelta(days=1),
            "parts": parts,
            "items": [{"key": k, "title": ITEMS[k], "state": states[k]} for k in ITEMS],
        },
    )


def render_page(report: Any, *, for_pdf: bool = False) -> str:
    """The report as one standalone, printable HTML document around its frozen body."""
    return render_to_string(
        "reporting/report_document.html",
        {"report": report, "body": mark_safe(report.html), "for_pdf": for_pdf, "stylesheet": STYLESHEET},  # noqa: S308
    )


def render_pdf(report: Any) -> bytes:
    """The report as PDF (WeasyPrint; needs Pango from the operating system)."""
    pdf.require()
    return pdf.render(render_page(report, for_pdf=True), finders.find(STYLESHEET))


def pdf_batch(expected: int) -> pdf.Batch:
    """A batch of report PDFs rendered in parallel processes while the caller builds the next reports:
    `batch.submit(pdf_page(report))` as each one is ready."""
    pdf.require()
    return pdf.Batch(finders.find(STYLESHEET), expected=expected)


def pdf_page(report: Any) -> str:
    """The finished page a report's PDF is rendered from."""
    return render_page(report, for_pdf=True)


def render_pdfs(reports: list[Any]) -> list[bytes | str]:
    """Several reports as PDF, rendered in parallel processes (see core.pdf); a report whose PDF failed
    gives the error instead."""
    with pdf_batch(len(reports)) as batch:
        for report in reports:
            batch.submit(pdf_page(report))
    return batch.results()
