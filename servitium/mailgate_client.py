"""`servitium mailgate` in pipe mode: an MTA starts one process per message, so start-up time is the
gateway's throughput. This module reads one message on stdin and POSTs it to the running server, which
does the work. It imports nothing but the interpreter's built-in modules (`_socket`, not `socket`, whose
import pulls in enum and selectors), so that it can run as

    /opt/servitium/.venv/bin/python -I -S /path/to/servitium/mailgate_client.py --url URL --token-file F

(no site packages, no environment-driven start-up: about a third of the time `servitium mailgate` needs).
`servitium mailgate-command` prints that line for an installation.

Where the server is: `--url` or `SERVITIUM_MAILGATE_URL`; its token: `--token-file` (a file readable by
the MTA's user only), `SERVITIUM_MAILGATE_TOKEN_FILE` or `SERVITIUM_MAILGATE_TOKEN`.

Exit codes as sysexits.h: 0 taken; 65 (EX_DATAERR) a message that can never be taken - the server
answered 4xx with a reason (unreadable, over SERVITIUM_MAIL_MAX_BYTES): the MTA bounces it with the
reason, the last line on standard error; 75 (EX_TEMPFAIL) a temporary failure: server unreachable or
timing out, a 5xx answer, and the 4xx answers that mean this gateway is set up wrongly or should wait
(refused token, missing role, wrong address, rate limit), like an incomplete configuration here. The MTA
keeps the message and retries, so nothing is lost while someone fixes it. 65 rather than another
permanent code because every common MTA treats it as permanent (Exim's pipe transport retries 73).
"""

from __future__ import annotations

import os
import sys

EX_OK, EX_DATAERR, EX_TEMPFAIL = 0, 65, 75
TIMEOUT = 60.0
# 4xx answers about this gateway rather than the message: its token, role or address, or "wait".
SETUP_OR_WAIT = frozenset({401, 403, 404, 405, 407, 408, 421, 425, 429})
USAGE = "usage: mailgate [--url URL] [--token-file FILE] [--quiet] < message"


class ConfigError(Exception):
    pass


def split_url(url: str) -> tuple[bool, str, int, str]:
    """(https?, host, port, path prefix) of a server address; IPv6 hosts in brackets."""
    secure = url.startswith("https://")
    rest = url.split("://", 1)[1] if "://" in url else url
    hostport, _, prefix = rest.partition("/")
    if hostport.startswith("["):
        host, _, tail = hostport[1:].partition("]")
        port = tail.lstrip(":")
    else:
        host, _, port = hostport.partition(":")
    if not host or (port and not port.isdigit()):
        raise ConfigError(f"not a server address: {url!r}")
    return secure, host, int(port or (443 if secure else 80)), "/" + prefix.strip("/")


def wants_server(argv: list[str]) -> bool:
    """Does `servitium mailgate ARGS` hand the message to a running server (it is told where one is)?"""
    return bool(os.environ.get("SERVITIUM_MAILGATE_URL")) or any(a.split("=")[0] == "--url" for a in argv)


def _settings(argv: list[str]) -> tuple[str, str, bool]:
    url = os.environ.get("SERVITIUM_MAILGATE_URL", "")
    token_file = os.environ.get("SERVITIUM_MAILGATE_TOKEN_FILE", "")
    token = os.environ.get("SERVITIUM_MAILGATE_TOKEN", "")
    quiet = False
    args = iter(argv)
    for arg in args:
        name, eq, value = arg.partition("=")
        if name in ("--url", "--token-file") and not eq:
            value = next(args, "")
        if name == "--url":
            url = value
        elif name == "--token-file":
            token_file = value
        elif arg == "--quiet":
            quiet = True
        else:
            raise ConfigError(f"unknown argument {arg!r}; {USAGE}")
    if token_file:
        try:
            with open(token_file, encoding="utf-8") as handle:
                token = handle.read().strip()
        except OSError as exc:
            raise ConfigError(f"cannot read the token file: {exc}") from exc
    if not url:
        raise ConfigError("no server address: give --url or set SERVITIUM_MAILGATE_URL")
    if not token:
        raise ConfigError("no token: give --token-file or set SERVITIUM_MAILGATE_TOKEN")
    return url, token, quiet


def _connect(host: str, port: int):  # -> a connected socket
    import _socket

    for family in (_socket.AF_INET, _socket.AF_INET6):
        try:
            _socket.inet_pton(family, host)
        except OSError:
            continue
        targets = [(family, (host, port))]  # a literal address: no resolver (it costs ~10 ms to load)
        break
    else:
        targets = [(i[0], i[4]) for i in _socket.getaddrinfo(host, port, 0, _socket.SOCK_STREAM)]
    failure: OSError = OSError(f"no address for {host}")
    for family, address in targets:
        sock = _socket.socket(family, _socket.SOCK_STREAM)
        sock.settimeout(TIMEOUT)
        try:
            sock.connect(address)
            return sock
        except OSError as exc:
            sock.close()
            failure = exc
    raise failure


def _exchange(secure: bool, host: str, port: int, request: bytes) -> bytes:
    if secure:  # TLS needs the full socket module; its cost is small next to the handshake
        import socket
        import ssl

        raw = socket.create_connection((host, port), timeout=TIMEOUT)
        sock = ssl.create_default_context().wrap_socket(raw, server_hostname=host)
    else:
        sock = _connect(host, port)
    chunks: list[bytes] = []
    try:
        try:
            sock.sendall(request)
        except OSError as exc:
            # A server may answer and close before it has read everything (a refusal): read the answer.
            _read_answer(sock, chunks)
            if not chunks:
                raise exc from None
        else:
            _read_answer(sock, chunks)
    finally:
        sock.close()
    return b"".join(chunks)


def _read_answer(sock, chunks: list[bytes]) -> None:
    try:
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    except OSError:
        if not chunks:
            raise


def exit_status(status: int) -> int:
    if 200 <= status < 300:
        return EX_OK
    if 400 <= status < 500 and status not in SETUP_OR_WAIT:
        return EX_DATAERR
    return EX_TEMPFAIL


def reason(text: str) -> str:
    """One line for the MTA's bounce or log: the API's `detail`, else the start of the answer."""
    if text.lstrip().startswith("{"):
        import json

        try:
            detail = json.loads(text).get("detail")
        except (ValueError, AttributeError):
            detail = None
        if isinstance(detail, str):
            text = detail
    return " ".join(text.split())[:500]


def main(argv: list[str] | None = None) -> int:
    try:
        url, token, quiet = _settings(sys.argv[1:] if argv is None else argv)
        secure, host, port, prefix = split_url(url)
    except ConfigError as exc:
        sys.stderr.write(f"mailgate: {exc}\n")
        return EX_TEMPFAIL
    body = sys.stdin.buffer.read()
    path = (prefix.rstrip("/") + "/api/v1/mail/inbound/").replace("//", "/")
    authority = f"[{host}]" if ":" in host else host
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {authority}:{port}\r\nContent-Type: message/rfc822\r\n"
        f"Content-Length: {len(body)}\r\nAuthorization: Token {token}\r\nConnection: close\r\n\r\n"
    ).encode()
    try:
        answer = _exchange(secure, host, port, head + body)
    except OSError as exc:
        sys.stderr.write(f"mailgate: server not reachable, try again later: {exc}\n")
        return EX_TEMPFAIL
    status_line = answer.split(b"\r\n", 1)[0].split()
    status = int(status_line[1]) if len(status_line) > 1 and status_line[1].isdigit() else 0
    text = answer.partition(b"\r\n\r\n")[2].decode(errors="replace")
    code = exit_status(status)
    if code == EX_OK:
        if not quiet:
            sys.stdout.write(text + "\n")
    elif code == EX_DATAERR:
        sys.stderr.write(f"mailgate: not accepted: {reason(text)}\n")
    else:
        sys.stderr.write(f"mailgate: server answered {status}, try again later: {reason(text)}\n")
    return code


def pipe_command(url: str, token_file: str) -> str:
    """The fastest pipe line for this installation's interpreter and files."""
    import shlex

    words = [sys.executable, "-I", "-S", os.path.abspath(__file__), "--url", url, "--token-file", token_file]
    return " ".join(shlex.quote(w) for w in words + ["--quiet"])


if __name__ == "__main__":
    sys.exit(main())
