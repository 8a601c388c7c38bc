"""The portal's panel on a known error's staff page: publish it to customers as a help article."""

from __future__ import annotations

from servitium.core.panels import register_panel

from . import selectors


def register() -> None:
    register_panel(
        "problems.knownerror", "portal/_known_error_article.html", selectors.help_article_of, order=50
    )
