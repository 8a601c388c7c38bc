"""A web worker's memory under a long mixed load: RSS of every `servitium run` web worker before, during
and after N requests (reads of lists and tickets, ticket creates, comments, transitions) from C keep-alive
clients.

    .venv/bin/python bench/worker_memory.py --base-url http://127.0.0.1:8111 --token-file token.txt \\
        --requests 50000 --json bench/results/worker_memory.json

Target: every web worker under 200 MB RSS after 50,000 requests. Workers are found as the processes whose
command line runs granian with a parent that does too (the main granian process only supervises them).
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import threading
import time
import urllib.parse
from pathlib import Path


def workers() -> dict[int, int]:
    """pid -> RSS in kB of each granian worker process."""
    found = {}
    procs = {}
    for stat in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            cmd = stat.read_bytes().replace(b"\0", b" ").decode(errors="replace")
            status = (stat.parent / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        procs[int(stat.parent.name)] = (cmd, int(fields["PPid"].strip()), fields.get("VmRSS", "0 kB"))
    for pid, (cmd, parent, rss) in procs.items():
        if "granian" in cmd and "granian" in procs.get(parent, ("", 0, ""))[0]:
            found[pid] = int(rss.split()[0])
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--token-file", required=True)
    parser.add_argument("--requests", type=int, default=50_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--json")
    args = parser.parse_args()
    url = urllib.parse.urlsplit(args.base_url)
    token = Path(args.token_file).read_text().strip()
    headers = {"Authorization": f"Token {token}", "Accept": "application/json"}

    conn = http.client.HTTPConnection(url.hostname, url.port)
    conn.request("GET", "/api/v1/services/?status=live&page_size=50", headers=headers)
    service = next(s for s in json.loads(conn.getresponse().read())["results"] if s.get("customers"))
    conn.close()
    ids: list[int] = []
    lock = threading.Lock()
    done = [0]
    errors: list[str] = []
    samples = [(0, workers())]

    def request(client: http.client.HTTPConnection, rng: random.Random) -> None:
        pick = rng.random()
        if pick < 0.10 or not ids:
            body = {"title": "memory bench", "service": service["id"], "customer": service["customers"][0]}
            method, path = "POST", "/api/v1/incidents/"
        elif pick < 0.25:
            body = {"object_type": "incidents.incident", "object_id": rng.choice(ids), "body": "note"}
            method, path = "POST", "/api/v1/comments/"
        elif pick < 0.30:
            body = {"transition": "start_work"}
            method, path = "POST", f"/api/v1/incidents/{rng.choice(ids)}/transitions/"
        elif pick < 0.60:
            body, method = None, "GET"
            query = rng.choice(["status=new", "status=in_progress", "priority=3", "search=printer", ""])
            path = f"/api/v1/incidents/?{query}&ordering=-created&page={rng.randint(1, 5)}&page_size=50"
        else:
            body, method, path = None, "GET", f"/api/v1/incidents/{rng.choice(ids)}/"
        payload = json.dumps(body).encode() if body is not None else None
        extra = {"Content-Type": "application/json"} if payload else {}
        client.request(method, path, body=payload, headers={**headers, **extra})
        answer = client.getresponse()
        data = answer.read()
        if answer.status == 201 and path == "/api/v1/incidents/":
            with lock:
                ids.append(json.loads(data)["id"])
        elif answer.status in (404, 409) and (b"Invalid page" in data or answer.status == 409):
            pass  # a page beyond the last of a small filter; a ticket already in progress: as specified
        elif answer.status >= 400:
            with lock:
                errors.append(f"{method} {path}: {answer.status} {data[:120]!r}")

    def client_thread(seed: int) -> None:
        rng = random.Random(seed)
        client = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        while True:
            with lock:
                if done[0] >= args.requests:
                    return
                done[0] += 1
                count = done[0]
            request(client, rng)
            if count % 10_000 == 0:
                samples.append((count, workers()))

    started = time.monotonic()
    threads = [threading.Thread(target=client_thread, args=(i,)) for i in range(args.concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    samples.append((args.requests, workers()))
    print(
        f"{args.requests} requests in {elapsed:.0f} s ({args.requests / elapsed:.0f}/s), {len(errors)} errors"
    )
    print("| requests | web workers' RSS (MB) |")
    print("|---|---|")
    for count, rss in samples:
        print(f"| {count} | {', '.join(f'{kb / 1024:.0f}' for _pid, kb in sorted(rss.items()))} |")
    for line in errors[:5]:
        print("error:", line)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(
            json.dumps(
                {"requests": args.requests, "seconds": elapsed, "errors": len(errors), "samples": samples}
            )
        )


if __name__ == "__main__":
    main()
