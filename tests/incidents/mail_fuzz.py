"""Malformed and oversized mail, generated deterministically (a seeded generator, so a failure names a
case that can be rebuilt): what outside testing sent the gateway, and more of the same kind.

`messages(sender, limit)` returns (name, raw bytes) pairs: NUL bytes, 8-bit header bytes, MIME nested
deep, attachment names that try to leave their directory, truncated MIME, wrong or unknown charsets and
transfer encodings, huge headers, empty input, binary garbage, messages over `limit` bytes, and random
byte-level mutations of well-formed messages.
"""

from __future__ import annotations

import base64
import random
from collections.abc import Iterator
from email.message import EmailMessage

CRLF = b"\r\n"


class _Ids:
    def __init__(self, tag: str) -> None:
        self.tag, self.n = tag, 0

    def __call__(self) -> bytes:
        self.n += 1
        return b"<fz-%s-%d@fuzz.example>" % (self.tag.encode(), self.n)


def _head(sender: bytes, msg_id: bytes, subject: bytes = b"Printer on fire", extra: bytes = b"") -> bytes:
    return (
        b"From: Grace Miller <"
        + sender
        + b">\r\nTo: desk@nimbus.example\r\nSubject: "
        + subject
        + CRLF
        + b"Message-ID: "
        + msg_id
        + CRLF
        + extra
    )


def _multipart(head: bytes, parts: list[bytes], boundary: bytes = b"BOUNDARY") -> bytes:
    body = b"".join(b"--" + boundary + CRLF + part + CRLF for part in parts) + b"--" + boundary + b"--" + CRLF
    return (
        head
        + b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="'
        + boundary
        + b'"\r\n\r\n'
        + body
    )


def _text_part(text: bytes = b"Please help.", ctype: bytes = b"text/plain; charset=utf-8") -> bytes:
    return b"Content-Type: " + ctype + b"\r\n\r\n" + text


def _file_part(name: bytes, data: bytes = b"%PDF-1.4 fake", ctype: bytes = b"application/pdf") -> bytes:
    return (
        b"Content-Type: " + ctype + b'\r\nContent-Disposition: attachment; filename="' + name + b'"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(data)
    )


def _nested(head: bytes, depth: int, kind: str) -> bytes:
    """`depth` levels of multipart/mixed (or message/rfc822) around one text part."""
    if kind == "rfc822":
        inner = b"From: x@fuzz.example\r\nSubject: innermost\r\n\r\ndeep text\r\n"
        for _ in range(depth):
            inner = b"Content-Type: message/rfc822\r\n\r\n" + inner
        return head + b"MIME-Version: 1.0\r\n" + inner
    out = [head + b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b0"\r\n\r\n']
    for level in range(depth):
        out.append(b'--b%d\r\nContent-Type: multipart/mixed; boundary="b%d"\r\n\r\n' % (level, level + 1))
    out.append(b"--b%d\r\nContent-Type: text/plain\r\n\r\ndeep text\r\n" % depth)
    out.extend(b"--b%d--\r\n" % level for level in range(depth, -1, -1))
    return b"".join(out)


def _wellformed(sender: str, msg_id: str, rng: random.Random) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = f"Grace Miller <{sender}>", "desk@nimbus.example", "VPN down"
    msg["Message-ID"] = msg_id
    msg.set_content("The VPN drops every ten minutes.\nSince Monday. Grüße")
    msg.add_alternative("<p>The VPN <b>drops</b> every ten minutes.</p>", subtype="html")
    data = bytes(rng.getrandbits(8) for _ in range(rng.randint(50, 2000)))
    msg.add_attachment(data, maintype="application", subtype="pdf", filename="log file.pdf")
    return msg.as_bytes()


def _mutate(raw: bytes, rng: random.Random) -> bytes:
    """Random byte-level damage: flips, NULs, high bytes, cuts, duplicated and dropped spans."""
    data = bytearray(raw)
    for _ in range(rng.randint(1, 12)):
        op = rng.randrange(6)
        at = rng.randrange(max(1, len(data)))
        if op == 0:
            data[at : at + 1] = bytes([rng.getrandbits(8)])
        elif op == 1:
            data[at:at] = b"\x00" * rng.randint(1, 5)
        elif op == 2:
            data[at:at] = bytes(rng.randint(0x80, 0xFF) for _ in range(rng.randint(1, 8)))
        elif op == 3:
            del data[at:]
        elif op == 4:
            end = min(len(data), at + rng.randint(1, 200))
            data[at:at] = data[at:end] * rng.randint(1, 20)
        else:
            del data[at : at + rng.randint(1, 100)]
    return bytes(data)


def _fixed_cases(sender: bytes, new_id: _Ids, limit: int) -> Iterator[tuple[str, bytes]]:
    def head(subject: bytes = b"Printer on fire", extra: bytes = b"") -> bytes:
        return _head(sender, new_id(), subject, extra)

    # NUL bytes
    yield "nul-body", head() + CRLF + b"hello\x00world\x00\r\n"
    yield "nul-subject", head(b"Prin\x00ter") + CRLF + b"body\r\n"
    yield "nul-name", _head(sender.replace(b"@", b"\x00@"), new_id()) + CRLF + b"x\r\n"
    yield "nul-display-name", head().replace(b"Grace Miller", b"Gra\x00ce") + CRLF + b"x\r\n"
    yield "nul-header-name", head(extra=b"X-Od\x00d: 1\r\n") + CRLF + b"x\r\n"
    yield "nul-filename", _multipart(head(), [_text_part(), _file_part(b"re\x00port.pdf")])
    yield "nul-only", b"\x00" * 5000
    yield "nul-encoded-word", head(b"=?utf-8?Q?a=00b?=") + CRLF + b"x\r\n"
    yield "nul-in-html", _multipart(head(), [_text_part(b"<p>a\x00b</p>", b"text/html")])
    # 8-bit header bytes
    yield "8bit-subject-latin1", head(b"Gr\xfc\xdfe, Drucker kaputt") + CRLF + b"x\r\n"
    yield "8bit-subject-utf8", head("Grüße – Drucker".encode()) + CRLF + b"x\r\n"
    yield "8bit-subject-invalid", head(b"\xff\xfe\xc3\x28\xa0\xa1\xe2\x28\xa1") + CRLF + b"x\r\n"
    yield "8bit-from-name", head().replace(b"Grace Miller", b"Gr\xe4ce M\xfcller") + CRLF + b"x\r\n"
    yield "8bit-to", head().replace(b"desk@", b"d\xe9sk@") + CRLF + b"x\r\n"
    yield "8bit-message-id", _head(sender, b"<\xff\xfe@fuzz.example>") + CRLF + b"x\r\n"
    yield "8bit-filename", _multipart(head(), [_text_part(), _file_part(b"R\xe9sum\xe9.pdf")])
    yield "8bit-everywhere", bytes(b if b < 0x80 or i % 3 else 0xE9 for i, b in enumerate(head())) + b"\r\nx"
    # deep nesting
    for depth in (5, 30, 39, 40, 41, 60, 200, 1000, 1500):
        yield f"nested-multipart-{depth}", _nested(head(), depth, "multipart")
    for depth in (30, 1000):
        yield f"nested-rfc822-{depth}", _nested(head(), depth, "rfc822")
    # traversal and hostile attachment names
    for name in (
        b"../../x.html",
        b"..\\..\\windows\\win.ini",
        b"/etc/passwd",
        b".htaccess",
        b"....//....//x.pdf",
        b"a/../../b.pdf",
        b"C:\\Users\\x\\report.pdf",
        b".",
        b"..",
        b"",
        b"   ",
        "invoice\u202efdp.exe".encode(),
        b"x" * 5000 + b".pdf",
        b"name\r\n with newline.pdf",
        b'quote".pdf',
        b"<script>.pdf",
    ):
        yield f"name-{name[:20]!r}", _multipart(head(), [_text_part(), _file_part(name)])
    yield (
        "name-traversal-html",
        _multipart(head(), [_text_part(), _file_part(b"../../x.html", b"<b>x</b>", b"text/html")]),
    )
    yield (
        "name-traversal-text",
        _multipart(head(), [_text_part(), _file_part(b"../../notes.txt", b"notes", b"text/plain")]),
    )
    yield (
        "name-rfc2231-traversal",
        _multipart(
            head(),
            [
                _text_part(),
                b"Content-Type: application/pdf\r\nContent-Disposition: attachment; "
                b"filename*=utf-8''%2e%2e%2f%2e%2e%2fetc%2fpasswd\r\n\r\nPDF",
            ],
        ),
    )
    yield (
        "name-rfc2231-bad-charset",
        _multipart(
            head(),
            [
                _text_part(),
                b"Content-Type: application/pdf\r\n"
                b"Content-Disposition: attachment; filename*=klingon''%ff\r\n\r\nP",
            ],
        ),
    )
    yield (
        "name-encoded-word",
        _multipart(head(), [_text_part(), _file_part(b"=?utf-8?B?Li4vLi4vZXZpbC5wZGY=?=")]),
    )

    # truncated MIME
    def full() -> bytes:
        return _multipart(head(), [_text_part(), _file_part(b"a.pdf", b"A" * 3000)])

    size = len(full())
    for cut in (40, size // 3, size // 2, size - 30, size - 3):
        yield f"truncated-at-{cut}", full()[:cut]
    yield "missing-close-boundary", full().rsplit(b"--BOUNDARY--", 1)[0]
    yield (
        "missing-boundary-param",
        head() + b"Content-Type: multipart/mixed\r\n\r\n--X\r\n\r\ntext\r\n--X--\r\n",
    )
    yield (
        "empty-boundary",
        head() + b'Content-Type: multipart/mixed; boundary=""\r\n\r\n--\r\n\r\nx\r\n----\r\n',
    )
    yield "no-header-separator", head() + b"this line has no colon and starts the body"
    yield "headers-only", head()
    yield "body-only", b"\r\n\r\nJust a body, no headers at all.\r\n"
    # wrong charsets and transfer encodings
    for charset in (
        b"klingon",
        b"utf-8",
        b"us-ascii",
        b"unicode_escape",
        b"rot13",
        b"base64",
        b"utf-16",
        b"idna",
        b"punycode",
        b"zlib",
        b"utf-7",
        b"\xff",
        b"utf-8\x00",
    ):
        yield (
            f"charset-{charset!r}",
            head()
            + b'Content-Type: text/plain; charset="'
            + charset
            + (b'"\r\n\r\n' + b"caf\xe9 \\ud800 \\x00 +AGEA- \xff\xfe\r\n"),
        )
    yield (
        "charset-html-bad",
        _multipart(head(), [_text_part(b"<p>caf\xe9</p>", b"text/html; charset=klingon")]),
    )
    for cte, payload in (
        (b"base64", b"!!!not base64===\r\nAAA"),
        (b"base64", b"SGVsbG8gd29ybGQ"),
        (b"quoted-printable", b"=ZZ=\r\n=0=00=FF"),
        (b"x-uuencode", b"begin 644 x\r\n#garbage\r\nend\r\n"),
        (b"x-unknown", b"whatever"),
        (b"8bit", b"\xff\xfe\x00\x01"),
    ):
        yield (
            f"cte-{cte!r}-{payload[:6]!r}",
            head() + b"Content-Transfer-Encoding: " + cte + b"\r\n\r\n" + payload,
        )
    yield "rfc2047-bad", head(b"=?utf-8?B?!!!?= =?klingon?Q?x?= =?utf-8?X?y?= =?=?=") + CRLF + b"x\r\n"
    yield "content-type-garbage", head(extra=b"Content-Type: ;;;/// \xff\r\n") + CRLF + b"x\r\n"
    yield "content-type-no-slash", head(extra=b"Content-Type: textplain\r\n") + CRLF + b"x\r\n"
    # huge headers and many things
    yield "huge-subject", head(b"S" * 300_000) + CRLF + b"x\r\n"
    yield "huge-folded-subject", head(b"word\r\n " * 20_000) + CRLF + b"x\r\n"
    yield "many-headers", head(extra=b"".join(b"X-H%d: v\r\n" % i for i in range(20_000))) + CRLF + b"x\r\n"
    yield (
        "many-references",
        head(extra=b"References: " + b" ".join(b"<r%d@fuzz.example>" % i for i in range(40_000)) + CRLF)
        + CRLF
        + b"x\r\n",
    )
    yield (
        "huge-to",
        head(extra=b"Cc: " + b", ".join(b"u%d@x.example" % i for i in range(20_000)) + CRLF).replace(
            b"To: desk@nimbus.example", b"To: " + b", ".join(b"t%d@x.example" % i for i in range(20_000))
        )
        + CRLF
        + b"x\r\n",
    )
    yield "huge-from", _head(b"(" * 5000 + sender + b")" * 5000, new_id()) + CRLF + b"x\r\n"
    yield "nested-comments-from", head().replace(b"From: Grace Miller", b"From: " + b"(" * 3000) + CRLF + b"x"
    yield "huge-message-id", _head(sender, b"<" + b"m" * 100_000 + b"@fuzz.example>") + CRLF + b"x\r\n"
    yield "many-parts", _multipart(head(), [_text_part(b"part %d" % i) for i in range(1500)])
    yield (
        "many-attachments",
        _multipart(head(), [_text_part()] + [_file_part(b"f%d.pdf" % i, b"%d" % i) for i in range(150)]),
    )
    yield "html-unclosed-script", _multipart(head(), [_text_part(b"<script>" * 50_000, b"text/html")])
    yield "html-unclosed-lt", _multipart(head(), [_text_part(b"<" * 300_000, b"text/html")])
    yield "long-line", head() + CRLF + b"y" * 800_000
    yield "only-cr", head().replace(CRLF, b"\r") + b"\rbody\r"
    yield "mixed-newlines", head().replace(CRLF, b"\n") + b"\r\n\rbody\n\r"
    # empty, garbage, no sender
    yield "empty-message", b""
    yield "whitespace", b"   \r\n\r\n  "
    yield "no-from", b"Subject: hi\r\nMessage-ID: " + new_id() + b"\r\n\r\nx\r\n"
    yield "from-without-address", b"From: Grace Miller\r\nSubject: hi\r\n\r\nx\r\n"
    yield "mbox-from-line", b"From grace@fuzz.example Mon Jan  1 00:00:00 2026\r\n" + head() + CRLF + b"x\r\n"
    # over the limit (just over, and well past Django's own 2.5 MiB request limit)
    for size in (limit + 1, limit + 3 * 1024 * 1024):
        yield f"oversize-{size}", head() + CRLF + b"z" * size


def messages(sender: str, limit: int, *, seed: int = 15, mutations: int = 150, tag: str = "m") -> list:
    """About 300 messages from `sender` (most would become tickets if they were readable); `limit` is the
    configured maximum size. `tag` keeps Message-IDs apart when the same cases go through two paths."""
    rng = random.Random(seed)
    new_id = _Ids(tag)
    cases = list(_fixed_cases(sender.encode(), new_id, limit))
    for number in range(mutations):
        base = _wellformed(sender, new_id().decode(), rng)
        cases.append((f"mutation-{number}", _mutate(base, rng)))
    garbage = random.Random(seed + 1)
    for number in range(20):
        size = garbage.choice((1, 10, 300, 5000, 100_000))
        cases.append((f"garbage-{number}", bytes(garbage.getrandbits(8) for _ in range(size))))
    return cases
