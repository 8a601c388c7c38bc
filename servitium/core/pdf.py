"""Service reports as PDF, one or many at once.

WeasyPrint lays a report out in pure Python: two to three seconds for a report of a dozen charts, one core
busy. The monthly run makes a few dozen reports, so it renders their PDFs in parallel processes, one per
core, each from a finished HTML page (no database in the workers). The management review pack is rendered
here too. This module imports nothing of Django, so that a worker process starts quickly."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

from servitium.core.errors import ApplicationError


class PdfUnavailable(ApplicationError):
    """WeasyPrint or the system libraries it needs are missing."""

    code = "pdf_unavailable"
    status = 503


def require() -> None:
    """Raise PdfUnavailable when WeasyPrint (or the Pango it needs) cannot be loaded on this server."""
    try:
        import weasyprint  # noqa: F401 -- imported here: the rest of the app works without the system libraries
    except (ImportError, OSError) as exc:
        from django.utils.translation import gettext as _

        raise PdfUnavailable(
            _("PDF rendering is not available on this server (WeasyPrint needs Pango): %(e)s") % {"e": exc}
        ) from None


def render(page: str, css_path: str | None) -> bytes:
    """One finished HTML page as PDF."""
    import weasyprint

    stylesheets = [weasyprint.CSS(filename=css_path)] if css_path else []
    return weasyprint.HTML(string=page).write_pdf(stylesheets=stylesheets)


def _render_or_error(page: str, css_path: str | None) -> bytes | str:
    try:
        return render(page, css_path)
    except Exception as exc:  # noqa: BLE001 -- one bad page must not lose the others' PDFs
        return f"{type(exc).__name__}: {exc}"


def processes_wanted() -> int:
    """Worker processes for a batch: SERVITIUM_PDF_PROCESSES, else one per core."""
    configured = os.environ.get("SERVITIUM_PDF_PROCESSES", "")
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return os.cpu_count() or 1


class Batch:
    """PDFs rendered while the caller is still preparing the next pages: each page submitted goes to a pool
    of processes at once (one per core), so building the pages and rendering them overlap.

        with pdf.Batch(css_path, expected=len(reports)) as batch:
            for report in reports:
                batch.submit(page_of(report))
        bodies = batch.results()  # in the order submitted; an error string for a page that failed
    """

    def __init__(self, css_path: str | None, *, expected: int, processes: int | None = None) -> None:
        self.css_path = css_path
        self.workers = min(processes or processes_wanted(), expected)
        self._pool: ProcessPoolExecutor | None = None
        self._done: list = []

    def __enter__(self) -> Batch:
        if self.workers > 1:
            # spawn, not fork: the caller holds database connections and threads a forked copy must not share
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)
        return self

    def submit(self, page: str) -> None:
        if self._pool is None:
            self._done.append(_render_or_error(page, self.css_path))
        else:
            self._done.append(self._pool.submit(_render_or_error, page, self.css_path))

    def __exit__(self, *exc_info) -> None:
        if self._pool is not None:
            self._done = [f.result() for f in self._done]
            self._pool.shutdown()

    def results(self) -> list[bytes | str]:
        return list(self._done)


def render_many(
    pages: Sequence[str], css_path: str | None, processes: int | None = None
) -> list[bytes | str]:
    """Each page as PDF, in the order given; a page that could not be rendered gives its error (a string)
    instead, and the others are still rendered."""
    with Batch(css_path, expected=len(pages), processes=processes) as batch:
        for page in pages:
            batch.submit(page)
    return batch.results()
