"""Reading an RFC 822 message: who sent it, what it answers, whether a machine wrote it, its text and files.

Pure functions over `email.message.EmailMessage`; no database access here.
"""

from __future__ import annotations

import email
import email.errors
import email.policy
import hashlib
import html
import re
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr

from django.conf import settings

LOOP_HEADER = "X-Servitium-Loop"
REFERENCE_RE = re.compile(r"\[([A-Z]{2,5}\d{5,})\]")
AUTO_SUBJECT_RE = re.compile(
    r"^\s*(auto(matic)?[ -]?(reply|response|antwort)|out of (the )?office|abwesenheit|"
    r"delivery status notification|undeliverable|undelivered mail|mail delivery (failed|failure)|"
    r"returned mail|failure notice)\b",
    re.IGNORECASE,
)
BOUNCE_SENDERS = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|bounce[s]?)([+@-]|$)", re.IGNORECASE)
QUOTE_MARKERS = re.compile(
    r"^(on .{1,200} wrote:|am .{1,200} schrieb .{1,100}:|-{2,}\s*original message\s*-{2,}|"
    r"from: .+|_{10,})\s*$",
    re.IGNORECASE,
)


@dataclass
class Attachment:
    name: str
    content_type: str
    data: bytes


@dataclass
class ParsedMail:
    message_id: str
    sender: str
    sender_name: str
    recipients: list[str]
    subject: str
    text: str
    in_reply_to: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    machine_kind: str = ""  # "", "auto_reply", "bounce" or "loop"

    @property
    def reference(self) -> str | None:
        match = REFERENCE_RE.search(self.subject)
        return match.group(1) if match else None


class _PlainHeaders(email.policy.EmailPolicy):
    """`email.policy.default` for the message and its parts, but header values come back as plain text
    (RFC 2047 words decoded, folding undone) instead of structured header objects: building those costs
    most of the time of reading a message, and the gateway only needs the text."""

    def header_fetch_parse(self, name: str, value: str) -> str:
        text = "".join(value.splitlines())
        if "=?" in text:
            try:
                return str(make_header(decode_header(text)))
            except (LookupError, UnicodeError, ValueError, email.errors.HeaderParseError):
                return text
        return text


PLAIN_HEADERS = _PlainHeaders()


class MalformedMessage(ValueError):
    """The input is not a message we can read (no sender, or not RFC 822 at all)."""


def _ids(value: str | None) -> list[str]:
    return re.findall(r"<[^<>\s]+>", value or "")


def classify_machine_mail(msg: EmailMessage, sender: str) -> str:
    """Recognise mail written by machines, which must never open a ticket (RFC 3834 and common practice)."""
    if msg.get(LOOP_HEADER, "").strip() == settings.MAIL_DOMAIN:
        return "loop"
    if sender.lower() == settings.DEFAULT_FROM_EMAIL.lower():
        return "loop"
    content_type = msg.get_content_type()
    if content_type == "multipart/report" or msg.get("X-Failed-Recipients"):
        return "bounce"
    if BOUNCE_SENDERS.match(sender) or msg.get("Return-Path", "").strip() == "<>":
        return "bounce"
    auto_submitted = msg.get("Auto-Submitted", "no").strip().lower()
    if auto_submitted and auto_submitted != "no":
        return "auto_reply"
    precedence = msg.get("Precedence", "").strip().lower()
    if precedence in {"bulk", "junk", "list", "auto_reply"}:
        return "auto_reply"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress", "List-Id", "List-Unsubscribe"):
        if msg.get(name) is not None:
            if name == "X-Auto-Response-Suppress" and msg.get(name, "").strip().lower() not in {"all", "oof"}:
                continue
            return "auto_reply"
    if AUTO_SUBJECT_RE.match(str(msg.get("Subject", ""))):
        return "auto_reply"
    return ""


def html_to_text(markup: str) -> str:
    markup = re.sub(r"(?is)<(script|style).*?</\1>", "", markup)
    markup = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</li>|</tr>", "\n", markup)
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def strip_quoted(text: str) -> str:
    """The new part of a reply: everything before the quoted earlier message."""
    kept = []
    for line in text.splitlines():
        if QUOTE_MARKERS.match(line.strip()):
            break
        if line.startswith(">"):
            continue
        kept.append(line.rstrip())
    result = "\n".join(kept).strip()
    return result or text.strip()


def _body_text(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeError):
        content = part.get_payload(decode=True).decode("utf-8", "replace")
    if part.get_content_type() == "text/html":
        content = html_to_text(content)
    return content.replace("\r\n", "\n").strip()


def parse(raw: bytes) -> ParsedMail:
    """Read one message; raises MalformedMessage if it has no usable sender."""
    if len(raw) > settings.MAIL_MAX_BYTES:
        raise MalformedMessage(f"message of {len(raw)} bytes is over the limit of {settings.MAIL_MAX_BYTES}")
    msg = email.message_from_bytes(raw, policy=PLAIN_HEADERS)
    name, sender = parseaddr(str(msg.get("From", "")))
    if "@" not in sender:
        raise MalformedMessage("the message has no sender address (From)")
    message_id = (_ids(str(msg.get("Message-ID", ""))) or [""])[0]
    if not message_id:
        # Some clients send none; derive a stable one so a redelivery is still recognised.
        message_id = f"<{hashlib.sha256(raw).hexdigest()[:40]}@no-message-id>"
    attachments = []
    for part in msg.iter_attachments():
        data = part.get_payload(decode=True) or b""
        if data:
            attachments.append(
                Attachment(part.get_filename() or "attachment", part.get_content_type(), bytes(data))
            )
    return ParsedMail(
        message_id=message_id[:255],
        sender=sender.lower(),
        sender_name=name,
        recipients=[a for _, a in getaddresses([str(v) for v in msg.get_all("To", [])]) if a],
        subject=" ".join(str(msg.get("Subject", "")).split())[:255],
        text=_body_text(msg),
        in_reply_to=_ids(str(msg.get("In-Reply-To", ""))) + _ids(str(msg.get("References", ""))),
        attachments=attachments,
        machine_kind=classify_machine_mail(msg, sender.lower()),
    )
