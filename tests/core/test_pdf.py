"""Many PDFs at once: each page's PDF in the order given, in parallel processes, and one bad page loses
only its own PDF."""

from __future__ import annotations

from servitium.core import pdf


def _page(title: str, pages: int = 1) -> str:
    breaks = "".join(f'<p style="break-before: page">{title} page {n}</p>' for n in range(pages))
    return f"<html><head><title>{title}</title></head><body><h1>{title}</h1>{breaks}</body></html>"


def test_pages_come_back_in_order_from_parallel_processes():
    # page n has n * 10 pages, so the PDFs grow in the order given
    bodies = pdf.render_many([_page(f"Report {n}", n * 10) for n in range(1, 6)], None, processes=2)
    assert all(isinstance(b, bytes) and b.startswith(b"%PDF") for b in bodies)
    assert [len(b) for b in bodies] == sorted(len(b) for b in bodies)
    assert len(set(map(len, bodies))) == 5
    assert pdf.render_many([_page("Alone")], None, processes=4)[0].startswith(b"%PDF")  # no pool for one


def test_a_page_that_cannot_be_rendered_gives_its_error_and_the_others_their_pdf(tmp_path):
    broken = "<html><body><img src='file:///nonexistent/x.png'></body></html>"  # a missing image is fine
    assert pdf.render_many([broken], None, processes=1)[0].startswith(b"%PDF")
    missing_css = str(tmp_path / "missing.css")
    answers = pdf.render_many([_page("A"), _page("B")], missing_css, processes=2)
    assert all(isinstance(a, str) and "missing.css" in a for a in answers)


def test_processes_follow_the_setting(monkeypatch):
    monkeypatch.setenv("SERVITIUM_PDF_PROCESSES", "3")
    assert pdf.processes_wanted() == 3
    monkeypatch.setenv("SERVITIUM_PDF_PROCESSES", "none")
    assert pdf.processes_wanted() >= 1
