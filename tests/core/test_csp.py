"""Every UI page carries the Content-Security-Policy and nothing in it that the policy would block: no
inline script, no <style> block, no style attribute, no event-handler attribute, no javascript: link.
The crawl of every page the demo reaches is in tests/demo/test_pages.py."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

from django.test import Client

ROOT = Path(__file__).resolve().parents[2] / "servitium"
# Written into the offline evidence pack (a zip), never served: it must style itself.
NOT_SERVED = {"conformity/templates/conformity/evidence_index.html"}


class InlineFinder(HTMLParser):
    """Collects what a strict policy blocks, and the links to follow."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.links: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        names = {name for name, _value in attrs}
        values = dict(attrs)
        if tag == "script":
            self._in_script = True
            if "src" not in names:
                self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("<style> block")
        if "style" in names:
            self.problems.append(f"style attribute on <{tag}>")
        self.problems += [f"{name}= handler on <{tag}>" for name in names if name.startswith("on")]
        href = (values.get("href") or "").strip()
        if href.lower().startswith("javascript:"):
            self.problems.append(f"javascript: link on <{tag}>")
        elif tag == "a" and href:
            self.links.append(href)

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.problems.append("inline script content")


def inline_problems(html: str) -> InlineFinder:
    finder = InlineFinder()
    finder.feed(html)
    finder.close()
    return finder


def test_no_template_has_inline_script_or_style():
    """A source check that also covers pages the crawl below does not reach."""
    pattern = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|javascript:", re.I)
    found = []
    for path in sorted(ROOT.glob("**/templates/**/*.html")):
        relative = str(path.relative_to(ROOT))
        if relative in NOT_SERVED:
            continue
        found += [f"{relative}: {match.group(0)}" for match in pattern.finditer(path.read_text())]
    assert not found


def test_the_finder_sees_what_a_policy_blocks():
    html = (
        '<script>alert(1)</script><script src="/s.js"></script><style>p{}</style><p style="x">'
        '<a href="javascript:x()">a</a><select onchange="f()"></select><svg><rect fill="red"/></svg>'
    )
    assert inline_problems(html).problems == [
        "inline <script>",
        "inline script content",
        "<style> block",
        "style attribute on <p>",
        "javascript: link on <a>",
        "onchange= handler on <select>",
    ]


def _shape(path: str) -> str:
    """Pages that differ only in record ids or references are the same page."""
    return re.sub(r"/[A-Z]*\d+/", "/#/", path + "/")


def crawl(browser: Client, start: list[str], limit: int = 400) -> dict[str, list[str]]:
    """Visit every page shape reachable from `start` by links; the problems per page (empty when clean)."""
    seen_shapes, queue, report = set(), list(start), {}
    while queue and len(report) < limit:
        url = queue.pop(0)
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        shape = _shape(parts.path) + ("?" if parts.query else "")
        if shape in seen_shapes or parts.path.startswith(("/api/v1/", "/logout/", "/static/")):
            continue
        seen_shapes.add(shape)
        response = browser.get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        problems = []
        policy = response.headers.get("Content-Security-Policy", "")
        if "script-src 'self'" not in policy or "style-src 'self'" not in policy:
            problems.append(f"policy missing or weak: {policy!r}")
        if "unsafe-inline" in policy:
            problems.append("policy allows unsafe-inline")
        finder = inline_problems(response.content.decode())
        report[url] = problems + finder.problems
        queue += [urldefrag(link)[0] for link in finder.links]
    return report


def test_sign_in_csrf_failure_and_api_docs_pages_have_nothing_inline(db, django_user_model):
    anonymous = Client()
    response = anonymous.get("/login/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert inline_problems(response.content.decode()).problems == []
    # Django's own page for a failed CSRF check has an inline style block; ours does not.
    refused = Client(enforce_csrf_checks=True).post("/login/", {"username": "x", "password": "y"})
    assert refused.status_code == 403 and "CSRF" in refused.content.decode()
    assert inline_problems(refused.content.decode()).problems == []
    user = django_user_model.objects.create_user("docs-reader", password="x" * 12)
    anonymous.force_login(user)
    docs = anonymous.get("/api/docs/")
    assert docs.status_code == 200 and "script-src 'self'" in docs["Content-Security-Policy"]
    assert inline_problems(docs.content.decode()).problems == []
    # Swagger UI's start-up script is a file of its own, served from the same origin.
    script = anonymous.get("/api/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content


def test_hsts_is_sent_over_tls_only(db, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = False
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    over_tls = Client().get("/login/", HTTP_X_FORWARDED_PROTO="https")
    assert over_tls["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in Client().get("/login/")
