"""Every page in the menu fits the screen: each demo role (the administrator, a process manager, an agent, an
auditor and a customer user) opens every entry of its sidebar on a laptop (1366 x 800) and on a phone
(390 x 844), the administrator also a record of each kind listed there, the customer user (in the portal's
menu) also the first record each of its pages links to. No page may scroll sideways (a wide
table scrolls in its own box), and the signed-in user's name and "Sign out" stay on screen. A failure names
each page that does not fit and the element that sticks out furthest. Run with `pytest -m browser`; needs
/usr/bin/chromium."""

from __future__ import annotations

import re

import pytest

from servitium import demo
from tests import factories
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

# admin: every entry; ewa: change, configuration, release, conformity and design manager; agent: the service
# desk (incidents, problems, configuration, catalogue, parties); auditor: reads everything. alder, a customer
# user, walks the portal in a test of its own.
USERS = ("admin", "ewa", "agent", "auditor")
SCREENS = ((1366, 800), (390, 844))

# The element whose right edge lies furthest beyond the window, outside any box that scrolls or clips on
# its own (a table in .table-responsive does not widen the page): "tag#id.class 'text'".
WIDEST = """() => {
  const width = window.innerWidth;
  const clipped = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== "visible") return true;
    }
    return false;
  };
  let found = null, right = width;
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.right > right + 1 && !clipped(el)) { found = el; right = box.right; }
  }
  if (!found) return null;
  const names = typeof found.className === "string" ? found.className.trim() : "";
  const cls = names ? "." + names.split(/\\s+/).join(".") : "";
  const id = found.id ? "#" + found.id : "";
  const text = (found.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 50);
  return `${found.tagName.toLowerCase()}${id}${cls} '${text}' (right edge ${Math.round(right)} px)`;
}"""


# Staff find their pages in the sidebar; customer users in the portal's own menu (its "More" included).
MENU = "#sidebar a.nav-link, #portalnav a.nav-link[href^='/'], #portalnav a.dropdown-item[href^='/']"


def sidebar_entries(page) -> list[str]:
    return page.eval_on_selector_all(MENU, "els => els.map(e => e.getAttribute('href'))")


def on_screen(page, locator, width: int) -> bool:
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


def first_records(page, base: str, entries: list[str]) -> list[str]:
    """The first record each entry's page links to (a detail page: /area/kind/N/), one per entry."""
    found: list[str] = []
    for path in entries:
        page.goto(f"{base}{path}")
        links = page.eval_on_selector_all("main a[href]", "els => els.map(e => e.getAttribute('href'))")
        record = next((link for link in links if re.fullmatch(r"/[\w/-]+/\d+/", link)), None)
        if record and record not in found:
            found.append(record)
    return found


def misfits(page, base: str, username: str, width: int, paths: list[str]) -> dict[str, str]:
    """What does not fit on each of these pages at this width (page -> problem)."""
    found: dict[str, str] = {}
    for path in paths:
        response = page.goto(f"{base}{path}")
        where = f"{username} {width}px {path}"
        if response.status != 200:
            found[where] = f"answered {response.status}"
            continue
        scrolled, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if scrolled > inner:
            found[where] = f"{scrolled} px wide in {inner}; widest: {page.evaluate(WIDEST)}"
        if not page.locator(".app-topbar").count():
            continue  # a page outside the layout (the API's own documentation, Swagger UI)
        for name, locator in (
            ("Sign out", page.get_by_role("button", name="Sign out")),
            ("user name", page.locator(".app-user-name")),
        ):
            if not on_screen(page, locator, width):
                found[f"{where} {name}"] = f"off screen: {locator.bounding_box()}"
    return found


@pytest.mark.django_db(transaction=True)
def test_every_menu_entry_fits_a_laptop_and_a_phone_for_each_role(live_server, page):
    demo.load(admin_username="admin", admin_password=factories.PASSWORD, small=True)
    base = live_server.url
    problems: dict[str, str] = {}
    for username in USERS:
        page.set_viewport_size({"width": 1366, "height": 800})
        sign_in(page, base, username)
        entries = sidebar_entries(page)
        # Every role has a menu: staff a good many pages, a customer its own few.
        assert len(entries) >= 5, (username, entries)
        paths = ["/", *entries]
        if username == "admin":  # and a record of every kind the menu lists, as the administrator sees all
            records = first_records(page, base, entries)
            assert len(records) >= 20, records
            paths += records
        for width, height in SCREENS:
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{base}/")
            assert sidebar_entries(page) == entries  # the same menu on a phone, behind its button
            problems.update(misfits(page, base, username, width, paths))
        page.context.clear_cookies()
    report = "\n".join(f"{where}: {what}" for where, what in sorted(problems.items()))
    assert not problems, f"Pages that do not fit:\n{report}"


@pytest.mark.django_db(transaction=True)
def test_every_portal_page_fits_a_laptop_and_a_phone_for_a_customer(live_server, page):
    """The portal's menu (new entries are walked as they are added) and a record behind each entry: the
    customer's ticket, cloud subscription, exit plan, statement ... whichever the demo holds."""
    demo.load(admin_username="admin", admin_password=factories.PASSWORD, small=True)
    base = live_server.url
    page.set_viewport_size({"width": 1366, "height": 800})
    sign_in(page, base, "alder")
    entries = sidebar_entries(page)
    assert len(entries) >= 5 and all(e.startswith("/portal/") for e in entries), entries
    records = first_records(page, base, entries)
    assert any(r.startswith("/portal/cloud/") for r in records), records
    paths = ["/portal/", *entries, *records]
    problems: dict[str, str] = {}
    for width, height in SCREENS:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{base}/portal/")
        assert sidebar_entries(page) == entries
        problems.update(misfits(page, base, "alder", width, paths))
    report = "\n".join(f"{where}: {what}" for where, what in sorted(problems.items()))
    assert not problems, f"Portal pages that do not fit:\n{report}"


@pytest.mark.django_db(transaction=True)
def test_the_phone_menu_opens_and_shows_the_current_page(live_server, page):
    """On a phone the sidebar waits behind the menu button; opened, it shows the groups and marks the page
    the user is on."""
    demo.load(admin_username="admin", admin_password=factories.PASSWORD, small=True)
    sign_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/incidents/")
    sidebar = page.locator("#sidebar")
    assert not sidebar.is_visible()
    page.get_by_role("button", name="Menu").click()
    sidebar.locator("a[aria-current=page]").wait_for()
    assert sidebar.locator("a[aria-current=page]").inner_text() == "Incidents"
    headings = sidebar.locator(".app-nav-heading").all_inner_texts()
    assert [h.strip().lower() for h in headings] == [
        "operate",
        "control",
        "plan and improve",
        "conformity",
        "administration",
    ]
    sidebar.get_by_role("link", name="Problems").click()
    page.wait_for_url(f"{live_server.url}/problems/")
    # On a laptop the same entries stand beside the page, without the button.
    page.set_viewport_size({"width": 1366, "height": 800})
    assert sidebar.is_visible() and not page.get_by_role("button", name="Menu").is_visible()
    assert page.locator("#global-search").is_visible()
