"""`servitium mailgate` in pipe mode, kept free of heavy imports: an MTA starts one process per message,
so start-up time is the gateway's throughput. Reads one message on stdin and POSTs it to the running
server (`SERVITIUM_MAILGATE_URL`, `SERVITIUM_MAILGATE_TOKEN`) over a plain socket (TLS for https URLs).

Exit codes as sysexits.h: 0 taken, 65 not a usable message (the MTA bounces it), 75 temporary failure
(server down, server error, refused token: the MTA keeps the message and retries).
"""

from __future__ import annotations

import os
import socket
import sys

EX_OK, EX_DATAERR, EX_TEMPFAIL = 0, 65, 75


def _split(url: str) -> tuple[bool, str, int, str]:
    secure = url.startswith("https://")
    rest = url.split("://", 1)[1] if "://" in url else url
    hostport, _, prefix = rest.partition("/")
    host, _, port = hostport.partition(":")
    return secure, host, int(port or (443 if secure else 80)), "/" + prefix.strip("/")


def main() -> int:
    secure, host, port, prefix = _split(os.environ["SERVITIUM_MAILGATE_URL"])
    path = (prefix.rstrip("/") + "/api/v1/mail/inbound/").replace("//", "/")
    body = sys.stdin.buffer.read()
    token = os.environ.get("SERVITIUM_MAILGATE_TOKEN", "")
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: message/rfc822\r\n"
        f"Content-Length: {len(body)}\r\nAuthorization: Token {token}\r\nConnection: close\r\n\r\n"
    ).encode()
    try:
        sock = socket.create_connection((host, port), timeout=60)
        if secure:
            import ssl

            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=host)
        with sock:
            sock.sendall(head + body)
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
    except OSError as exc:
        sys.stderr.write(f"mailgate: server not reachable, try again later: {exc}\n")
        return EX_TEMPFAIL
    answer = b"".join(chunks)
    status_line = answer.split(b"\r\n", 1)[0].split()
    status = int(status_line[1]) if len(status_line) > 1 and status_line[1].isdigit() else 0
    text = answer.partition(b"\r\n\r\n")[2].decode(errors="replace")
    if 200 <= status < 300:
        if "--quiet" not in sys.argv:
            sys.stdout.write(text + "\n")
        return EX_OK
    sys.stderr.write(f"mailgate: server answered {status}: {text[:500]}\n")
    return EX_DATAERR if status in (400, 413, 415) else EX_TEMPFAIL


if __name__ == "__main__":
    sys.exit(main())
