"""How fast every list page of the UI answers, as each role sees it: signs in to a running server, reads the
sidebar (or, for a customer, the portal's menu), requests each entry `--rounds` times one after another and
prints p50 and p95 per page (target: every list under 300 ms).

    python bench/ui_lists.py --url http://127.0.0.1:8000 --user admin --password ... [--rounds 10]
"""

from __future__ import annotations

import argparse
import re
import statistics
import time

import requests

MENU = re.compile(r'<a class="(?:nav-link|dropdown-item)[^"]*"[^>]*href="(/[^"#?]*)"')


def sign_in(session: requests.Session, url: str, user: str, password: str) -> str:
    page = session.get(f"{url}/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    home = session.post(
        f"{url}/login/",
        data={"username": user, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{url}/login/"},
    )
    home.raise_for_status()
    return home.text


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--user", action="append", required=True, help="repeat for several roles")
    parser.add_argument("--password", required=True)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    worst = 0.0
    for user in args.user:
        session = requests.Session()
        home = sign_in(session, args.url, user, args.password)
        entries = list(dict.fromkeys(p for p in MENU.findall(home) if p not in ("/", "/api/docs/")))
        print(f"\n{user}: {len(entries)} pages, {args.rounds} rounds each")
        print(f"{'page':45} {'p50 ms':>8} {'p95 ms':>8}")
        for path in entries:
            times = []
            for _ in range(args.rounds):
                started = time.perf_counter()
                response = session.get(f"{args.url}{path}")
                times.append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
            times.sort()
            p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
            worst = max(worst, p95)
            print(f"{path:45} {statistics.median(times):8.0f} {p95:8.0f}")
    print(f"\nslowest p95: {worst:.0f} ms (target < 300 ms)")


if __name__ == "__main__":
    main()
