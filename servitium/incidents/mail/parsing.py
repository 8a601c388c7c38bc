"""Reading an RFC 822 message: who sent it, what it answers, whether a machine wrote it, its text and files.

Pure functions over `email.message.EmailMessage`; no database access here.

Mail comes from anyone, so reading it never fails on what a message contains: header bytes that are not
UTF-8 are decoded as best we can, NUL characters (which PostgreSQL cannot store) are dropped, a part that
cannot be decoded is left out and noted, attachment names lose any path. What cannot be read at all (no
sender, too large, MIME parts nested absurdly deep, or anything the parser trips over) raises
`MalformedMessage` with a reason: a permanent fault, which the MTA turns into a bounce. It is never a
reason to try again, because the same bytes would fail the same way.
"""

from __future__ import annotations

import contextlib
import email
import email.feedparser
import email.policy
import hashlib
import html
import logging
import mimetypes
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr

from django.conf import settings
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

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

# Bounds on what one message may make us do. Real mail stays far below each of them.
MAX_NESTING = 40  # MIME levels (a forward of a forward of a reply is about 6)
MAX_PARTS = 1000  # leaf parts looked at
MAX_ATTACHMENTS = 100  # files kept from one message
MAX_REFERENCES = 100  # message ids of the thread looked up (the newest ones)
MAX_TEXT_CHARS = 1_000_000  # of the message text kept for the ticket
MAX_ADDRESS_CHARS = 10_000  # of an address header read
MAX_FILENAME = 150
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # NUL (PostgreSQL refuses it) and lone surrogates
_NAME_UNSAFE = re.compile(r'[<>:"|?*]')


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
    skipped: list[str] = field(default_factory=list)  # parts left out, with the reason

    @property
    def reference(self) -> str | None:
        match = REFERENCE_RE.search(self.subject)
        return match.group(1) if match else None


def clean_text(value: str) -> str:
    """Text as it can be stored anywhere: NUL dropped, a lone surrogate (undecodable bytes) replaced."""
    if value.isascii() and "\x00" not in value:  # nearly always: two scans in C, no regex
        return value
    return _UNSTORABLE.sub(lambda m: "" if m.group() == "\x00" else "\ufffd", value)


def _redecode(text: str) -> str:
    """A header read from bytes keeps non-ASCII bytes as surrogates (RFC 5322 allows only ASCII); most
    such mail is UTF-8 (RFC 6532), the rest usually Windows-1252."""
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return clean_text(text)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")


class _PlainHeaders(email.policy.EmailPolicy):
    """`email.policy.default` for the message and its parts, but header values come back as plain text
    (RFC 2047 words decoded, folding undone) instead of structured header objects: building those costs
    most of the time of reading a message, and the gateway only needs the text. The text is always
    storable: 8-bit bytes decoded leniently, NUL dropped."""

    def header_fetch_parse(self, name: str, value: str) -> str:
        text = "".join(value.splitlines())
        if not text.isascii():
            text = _redecode(text)
        if "=?" in text:
            # Any charset or codec may be named; on failure the words stay as written.
            with contextlib.suppress(Exception):
                text = str(make_header(decode_header(text)))
        return clean_text(text)


PLAIN_HEADERS = _PlainHeaders()
# Serialising a forwarded message as an attachment: headers as they came, never re-parsed to fold them.
_AS_RECEIVED = PLAIN_HEADERS.clone(refold_source="none")


class _NestedTooDeep(Exception):
    pass


class _BoundedParser(email.feedparser.BytesFeedParser):
    """The standard parser, refusing MIME parts nested deeper than MAX_NESTING: it descends one Python
    frame per level, so a message nested a thousand deep would exhaust the interpreter's stack."""

    def _new_message(self) -> None:  # called once per part, at its start; _msgstack holds its ancestors
        if len(self._msgstack) > MAX_NESTING:
            raise _NestedTooDeep
        super()._new_message()


class MalformedMessage(ValueError):
    """The input is not a message we can read or store (no sender, too large, not RFC 822 at all): a
    permanent fault. The text is the reason, for the bounce."""


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


_BLOCK_OPEN = re.compile(r"<(script|style)\b", re.IGNORECASE)
_BLOCK_CLOSE = {name: re.compile(rf"</{name}[^>]*>?", re.IGNORECASE) for name in ("script", "style")}
_LINE_BREAKS = re.compile(r"(?i)<br\s*/?>|</p>|</div>|</li>|</tr>")
_TAG = re.compile(r"<[^<>]*>")  # not `<[^>]+>`: on a text full of unclosed `<` that one is quadratic


def _drop_blocks(markup: str) -> str:
    """Remove script and style elements, in one pass (a lazy regex rescans the rest of the text for every
    unclosed element)."""
    kept, pos = [], 0
    while found := _BLOCK_OPEN.search(markup, pos):
        kept.append(markup[pos : found.start()])
        end = _BLOCK_CLOSE[found.group(1).lower()].search(markup, found.end())
        if end is None:
            return "".join(kept)  # never closed: the rest is script
        pos = end.end()
    kept.append(markup[pos:])
    return "".join(kept)


def html_to_text(markup: str) -> str:
    markup = _LINE_BREAKS.sub("\n", _drop_blocks(markup))
    return html.unescape(_TAG.sub("", markup))


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


def _decode(data: bytes, charset: str) -> str:
    """The declared charset if the bytes are in it, else UTF-8, else the declared charset or Windows-1252
    with replacement characters: never an error."""
    for candidate in dict.fromkeys(c for c in (charset, "utf-8") if c):
        try:
            return data.decode(candidate)
        except Exception:  # noqa: S112 - an unknown charset, a codec that is no text codec, or bad bytes
            continue
    if charset and charset not in ("us-ascii", "ascii"):
        try:
            return data.decode(charset, "replace")
        except Exception:  # noqa: S110 - not a text codec at all
            pass
    return data.decode("cp1252", "replace")


def _part_text(part: EmailMessage) -> str:
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return ""
    text = _decode(data, part.get_content_charset() or "")[:MAX_TEXT_CHARS]
    if part.get_content_type() == "text/html":
        text = html_to_text(text)
    return clean_text(text).replace("\r\n", "\n").strip()


def _leaves(msg: EmailMessage) -> Iterator[tuple[EmailMessage, str]]:
    """Every part that is not a container, in order, with its parent's multipart subtype. A forwarded
    message (message/rfc822) is a leaf: it is kept whole, as a file."""
    stack: list[tuple[EmailMessage, str]] = [(msg, "")]
    while stack:
        part, parent = stack.pop()
        # is_multipart(), not get_payload(): that one decodes a text payload with its charset, any codec
        if part.get_content_maintype() == "multipart" and part.is_multipart():
            subtype = part.get_content_subtype()
            stack.extend((child, subtype) for child in reversed(part.get_payload()))
        else:
            yield part, parent


def safe_filename(name: str | None, content_type: str) -> str:
    """A file name as the sender's program meant it, made harmless: the last path component only, no
    control or reserved characters, no leading dots (hidden files, `..`), at most MAX_FILENAME characters
    (keeping the extension), and a plain name from the content type when nothing is left."""
    name = clean_text(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _NAME_UNSAFE.sub("_", "".join(c for c in name if c.isprintable()))
    name = name.strip().lstrip(".").strip().rstrip(". ")
    if len(name) > MAX_FILENAME:
        stem, dot, ext = name.rpartition(".")
        if dot and stem and len(ext) <= 16:
            name = stem[: MAX_FILENAME - len(ext) - 1].rstrip() + "." + ext
        else:
            name = name[:MAX_FILENAME]
    if not name:
        if content_type == "message/rfc822":
            return "message.eml"
        return "attachment" + (mimetypes.guess_extension(content_type, strict=False) or "")
    return name


def _part_bytes(part: EmailMessage) -> bytes:
    if part.is_multipart():  # a forwarded message, parsed: written back as it came
        payload = part.get_payload()
        return payload[0].as_bytes(policy=_AS_RECEIVED) if payload else b""
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


@dataclass
class _Content:
    text: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _content(msg: EmailMessage) -> _Content:
    """The message text (the first plain-text part, else the first HTML part as text, plus further
    inline parts of that kind that are not alternatives of it) and the attachments. A part that cannot be
    read is left out and noted; it never costs the rest of the message."""
    found = _Content()
    texts: dict[str, list[tuple[EmailMessage, str]]] = {"text/plain": [], "text/html": [], "raw": []}
    for number, (part, parent) in enumerate(_leaves(msg)):
        if number >= MAX_PARTS:
            found.skipped.append(_("parts after the first %(n)d: not read") % {"n": MAX_PARTS})
            break
        try:
            _sort_part(part, parent, texts, found)
        except Exception as exc:  # one unreadable part must not lose the message
            logger.debug("mail part %d left out: %r", number, exc)
            found.skipped.append(_("part %(n)d: could not be read") % {"n": number + 1})
    kind = next((k for k in ("text/plain", "text/html", "raw") if texts[k]), None)
    if kind is not None:
        first, *others = texts[kind]
        chosen = [first] + [(p, parent) for p, parent in others if parent != "alternative"]
        found.text = "\n\n".join(t for t in (_text_or_note(p, found) for p, _parent in chosen) if t)
    found.text = found.text[:MAX_TEXT_CHARS]
    return found


def _sort_part(part: EmailMessage, parent: str, texts: dict, found: _Content) -> None:
    content_type = part.get_content_type()
    filename = part.get_filename()
    inline = part.get_content_disposition() != "attachment" and not filename
    if content_type in ("text/plain", "text/html") and inline:
        texts[content_type].append((part, parent))
    elif part.get_content_maintype() == "multipart":  # its boundary was never found: read it as text
        texts["raw"].append((part, parent))
    elif len(found.attachments) >= MAX_ATTACHMENTS:
        found.skipped.append(
            _("%(name)s: more than %(n)d attachments")
            % {"name": safe_filename(filename, content_type), "n": MAX_ATTACHMENTS}
        )
    elif data := _part_bytes(part):
        found.attachments.append(Attachment(safe_filename(filename, content_type), content_type, data))


def _text_or_note(part: EmailMessage, found: _Content) -> str:
    try:
        return _part_text(part)
    except Exception as exc:  # as in _content
        logger.debug("mail text part left out: %r", exc)
        found.skipped.append(_("a text part could not be read"))
        return ""


def _read(raw: bytes) -> EmailMessage:
    parser = _BoundedParser(policy=PLAIN_HEADERS)
    try:
        parser.feed(raw)
        return parser.close()
    except _NestedTooDeep:
        raise MalformedMessage(
            _("the message's MIME parts are nested more than %(n)d levels deep") % {"n": MAX_NESTING}
        ) from None


def _thread_ids(msg: EmailMessage) -> list[str]:
    """What the message answers: In-Reply-To first, then the newest References, bounded (each id is
    looked up)."""
    ids = _ids(str(msg.get("In-Reply-To", ""))) + _ids(str(msg.get("References", "")))[::-1]
    return list(dict.fromkeys(i[:255] for i in ids))[:MAX_REFERENCES]


def parse(raw: bytes) -> ParsedMail:
    """Read one message; raises MalformedMessage, with a reason, for anything that cannot be read."""
    if len(raw) > settings.MAIL_MAX_BYTES:
        raise MalformedMessage(
            _("the message is %(size)d bytes, over this service desk's limit of %(max)d bytes")
            % {"size": len(raw), "max": settings.MAIL_MAX_BYTES}
        )
    try:
        return _parse(raw)
    except (MalformedMessage, MemoryError):  # MemoryError: the machine's state, not the message's
        raise
    except Exception as exc:
        # Parsing touches nothing but these bytes: whatever trips it will trip it again on every try. One
        # line (in an MTA pipe this goes to the MTA's log and the bounce); the traceback for developers.
        logger.warning("unreadable message (%d bytes): %r", len(raw), exc)
        logger.debug("unreadable message", exc_info=True)
        raise MalformedMessage(
            _("the message could not be read (%(error)s)") % {"error": type(exc).__name__}
        ) from exc


def _parse(raw: bytes) -> ParsedMail:
    msg = _read(raw)
    try:
        name, sender = parseaddr(str(msg.get("From", ""))[:MAX_ADDRESS_CHARS])
    except Exception:  # e.g. comments nested a thousand deep: the parser recurses
        name, sender = "", ""
    if "@" not in sender:
        raise MalformedMessage(_("the message has no sender address (From)"))
    message_id = (_ids(str(msg.get("Message-ID", ""))) or [""])[0]
    if not message_id:
        # Some clients send none; derive a stable one so a redelivery is still recognised.
        message_id = f"<{hashlib.sha256(raw).hexdigest()[:40]}@no-message-id>"
    to = [str(v)[:MAX_ADDRESS_CHARS] for v in msg.get_all("To", [])[:20]]
    content = _content(msg)
    return ParsedMail(
        message_id=message_id[:255],
        sender=sender.lower()[:254],
        sender_name=name[:200],
        recipients=[a for _name, a in getaddresses(to) if a],
        subject=" ".join(str(msg.get("Subject", "")).split())[:255],
        text=content.text,
        in_reply_to=_thread_ids(msg),
        attachments=content.attachments,
        machine_kind=classify_machine_mail(msg, sender.lower()),
        skipped=content.skipped,
    )
