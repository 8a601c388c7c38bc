"""Just enough HTML form reading to drive a sign-in over HTTP as a browser would."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action") or "", "fields": {}, "submits": {}})
        elif tag == "input" and self.forms and attrs.get("name"):
            kind = (attrs.get("type") or "text").lower()
            target = self.forms[-1]["submits" if kind == "submit" else "fields"]
            target[attrs["name"]] = attrs.get("value") or ""


def first_form(html: str, page_url: str) -> tuple[str, dict, dict]:
    """The first form of the page: its absolute action URL, its fields and its named submit buttons."""
    parser = _Forms()
    parser.feed(html)
    assert parser.forms, f"no form on {page_url}: {html[:500]}"
    form = parser.forms[0]
    return urljoin(page_url, form["action"] or page_url), dict(form["fields"]), dict(form["submits"])
