"""The browser fixture (Playwright driving Debian's Chromium) and signing in."""

from __future__ import annotations

import os
import re
import shutil

import pytest

from tests import factories

CHROMIUM = os.environ.get("SERVITIUM_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture
def page(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM calls in the test stay synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not shutil.which(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone-sized screen
        yield context.new_page()
        context.close()
        browser.close()


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", factories.PASSWORD)
    page.click("button[type=submit]")
    # Staff land on the start page, customer users on the portal's.
    page.wait_for_url(re.compile(rf"^{re.escape(base)}/(portal/)?$"))


PAGES_PER_ROLE = 30  # one page of each kind (record ids replaced), in the order the links are found


def _kind(path: str) -> str:
    return re.sub(r"/\d+/", "/N/", path)


def crawl(page, base: str, username: str, starts: tuple[str, ...]) -> list[str]:
    """The pages under the start paths this user reaches by following links from them, one of each kind;
    every one must open."""
    seen_kinds: set[str] = set()
    queue, found = [(start, "") for start in starts], []
    selector = ", ".join(f"a[href^='{start}']" for start in starts)
    while queue and len(found) < PAGES_PER_ROLE * len(starts):
        path, linked_from = queue.pop(0)
        if _kind(path) in seen_kinds:
            continue
        seen_kinds.add(_kind(path))
        response = page.goto(f"{base}{path}")
        assert response.status == 200, (username, path, response.status, "linked from", linked_from)
        found.append(path)
        links = page.eval_on_selector_all(selector, "els => els.map(e => e.getAttribute('href'))")
        for link in links:
            link = link.split("?")[0].split("#")[0]
            skipped = link.endswith(("/pdf/", "/page/", "/export/", "/download/"))
            if not skipped and _kind(link) not in seen_kinds:
                queue.append((link, path))
    return found


def too_wide(page, width: int) -> int | None:
    """The page's own width when it scrolls sideways (wide tables scroll in their own box instead)."""
    scrolled = page.evaluate("document.documentElement.scrollWidth")
    return scrolled if scrolled > width + 1 else None


def misfits(page, base: str, username: str, pages: list[str], on_laptop: int) -> dict[str, object]:
    """What does not fit: every page on a phone (390 px) that scrolls sideways, and of the first
    `on_laptop` pages on a laptop (1366 px) those that do or whose "Sign out" is off screen."""
    found: dict[str, object] = {}
    page.set_viewport_size({"width": 390, "height": 844})
    for path in pages:
        page.goto(f"{base}{path}")
        if wide := too_wide(page, 390):
            found[f"{username} 390 {path}"] = wide
    page.set_viewport_size({"width": 1366, "height": 768})
    for path in pages[:on_laptop]:
        page.goto(f"{base}{path}")
        if wide := too_wide(page, 1366):
            found[f"{username} 1366 {path}"] = wide
        box = page.get_by_role("button", name="Sign out").bounding_box()
        if box is None or box["x"] + box["width"] > 1366:
            found[f"{username} 1366 {path} sign out"] = box
    return found
