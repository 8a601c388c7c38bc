"""The management review pack: every registered review input (core.reviewinputs) asked for live figures of
the review's period, laid out per input, with the topics the standard asks for and which have nothing
behind them. Rendered as a printable HTML page, as JSON for the API, and as PDF (WeasyPrint) — the PDF is
what a held review freezes as its evidence.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.contrib.staticfiles import finders
from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from servitium.core import pdf, permissions
from servitium.core.models import Attachment
from servitium.core.reviewinputs import TOPICS, review_inputs

logger = logging.getLogger(__name__)


PdfUnavailable = pdf.PdfUnavailable


STYLESHEET = "reviews/pack.css"
FIGURES, EMPTY, NONE = "figures", "empty", "none"  # what stands behind a topic
# WeasyPrint reports every layout step at INFO: a pack would fill the log with them.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


@dataclass
class Section:
    key: str
    title: str
    topics: tuple[str, ...]
    template: str
    context: dict[str, Any] | None
    error: str = ""

    @property
    def has_content(self) -> bool:
        return self.context is not None and not self.error


@dataclass
class Pack:
    period_start: dt.date
    period_end: dt.date
    generated_at: dt.datetime
    sections: list[Section] = field(default_factory=list)

    @property
    def topics(self) -> list[dict[str, Any]]:
        """Each topic the standard asks for, in order, with the inputs that speak to it and its state:
        `figures` (some input has figures for the period), `empty` (inputs are registered but had nothing
        in the period), `none` (nothing in the system collects it)."""
        rows = []
        for key, title in TOPICS.items():
            registered = [s for s in self.sections if key in s.topics]
            inputs = [s.key for s in registered if s.has_content]
            state = FIGURES if inputs else EMPTY if registered else NONE
            rows.append(
                {"key": key, "title": str(title), "covered": bool(inputs), "state": state, "inputs": inputs}
            )
        return rows

    @property
    def coverage(self) -> dict[str, str]:
        """Topic -> state, as a held review keeps it."""
        return {t["key"]: t["state"] for t in self.topics}

    @property
    def missing(self) -> list[str]:
        return [t["key"] for t in self.topics if not t["covered"]]

    @property
    def complete(self) -> bool:
        return not self.missing

    def as_json(self) -> dict[str, Any]:
        return {
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "generated_at": self.generated_at.isoformat(),
            "complete": self.complete,
            "missing_topics": self.missing,
            "topics": self.topics,
            "inputs": [
                {
                    "key": s.key,
                    "title": s.title,
                    "topics": list(s.topics),
                    "has_content": s.has_content,
                    "error": s.error,
                    "figures": jsonable(s.context) if s.has_content else None,
                }
                for s in self.sections
            ],
        }


def build_pack(*, period_start: dt.date, period_end: dt.date, user: Any) -> Pack:
    """Ask every registered input for its figures of [period_start, period_end] as `user` may see them
    (None: the system itself, which sees everything)."""
    pack = Pack(period_start, period_end, timezone.now())
    for item in review_inputs():
        error = ""
        try:
            context = item.context(period_start, period_end, user)
        except Exception:  # noqa: BLE001 -- one broken input must not hide the others; the pack names it
            logger.exception("review input %s failed", item.key)
            context, error = None, _("This input could not be assembled; see the server log.")
        pack.sections.append(Section(item.key, str(item.title), item.topics, item.template, context, error))
    return pack


def jsonable(value: Any) -> Any:
    """An input's template context as plain JSON: records become their names, dates ISO strings; the
    drawn charts (keys ending in `_svg`) are left out — the API gives the figures they are drawn from."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items() if not str(k).endswith("_svg")}
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


def _render_sections(pack: Pack) -> list[dict[str, Any]]:
    shown = []
    for section in pack.sections:
        body = ""
        if section.has_content:
            body = render_to_string(section.template, {**section.context, "pack_period": pack})
        shown.append(
            {
                "key": section.key,
                "title": section.title,
                "topics": [str(TOPICS[t]) for t in section.topics],
                "body": mark_safe(body),  # noqa: S308 -- rendered by a template, escaped there
                "error": section.error,
                "empty": not section.has_content,
            }
        )
    return shown


def render_html(pack: Pack, review: Any = None, *, for_pdf: bool = False) -> str:
    """The pack as one standalone, printable HTML document."""
    return render_to_string(
        "reviews/pack_document.html",
        {
            "pack": pack,
            "review": review,
            "sections": _render_sections(pack),
            "topics": pack.topics,
            "missing": [str(TOPICS[k]) for k in pack.missing],
            "for_pdf": for_pdf,
            "stylesheet": STYLESHEET,
        },
    )


def render_pdf(pack: Pack, review: Any = None) -> bytes:
    """The pack as PDF (WeasyPrint; needs Pango from the operating system, see the README)."""
    pdf.require()
    return pdf.render(render_html(pack, review, for_pdf=True), finders.find(STYLESHEET))


def frozen_attachment(review: Any, user: Any) -> Attachment | None:
    """The PDF a held review froze, if the reader may see it."""
    if not review.pack_sha256:
        return None
    found = permissions.restrict(Attachment.objects.all(), user).filter(
        target_type=ContentType.objects.get_for_model(review), object_id=review.pk, sha256=review.pack_sha256
    )
    return found.order_by("-id").first()


def pdf_of(review: Any, user: Any) -> bytes:
    """The review's pack as PDF: the frozen one of a held review (the evidence, byte for byte), else the
    pack rendered now."""
    stored = frozen_attachment(review, user)
    if stored is not None:
        with stored.file.open("rb") as handle:
            return handle.read()
    return render_pdf(pack_for(review, user), review)


def pack_for(review: Any, user: Any) -> Pack:
    return build_pack(period_start=review.period_start, period_end=review.period_end, user=user)
