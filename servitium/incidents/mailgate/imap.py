"""IMAP polling: the same gateway, fed from a mailbox instead of an MTA pipe.

Each unseen message is processed and then flagged \\Seen and \\Deleted (expunged at the end of the run).
A message that can never be taken (over SERVITIUM_MAIL_MAX_BYTES, judged by its size before it is
downloaded, or unreadable) is flagged \\Seen and kept in the mailbox for a person to look at. One that
fails temporarily is left unseen for the next run: always when the database or the disk is the trouble,
and up to MAX_ATTEMPTS runs for any other error, after which it is set aside like an unreadable one, so
that no message is tried every minute forever.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import imaplib
import logging
import re

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from huey import crontab

from servitium.core.jobs import as_job, periodic

from ..mail.parsing import MalformedMessage
from .inbound import process

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 10
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


def connect() -> imaplib.IMAP4:
    cls = imaplib.IMAP4_SSL if settings.IMAP_SSL else imaplib.IMAP4
    conn = cls(settings.IMAP_HOST, settings.IMAP_PORT)
    conn.login(settings.IMAP_USER, settings.IMAP_PASSWORD)
    return conn


def poll_mailbox(conn: imaplib.IMAP4 | None = None, *, limit: int = 500) -> dict[str, int]:
    """Process up to `limit` unseen messages; returns counts per outcome."""
    own = conn is None
    conn = conn or connect()
    counts: dict[str, int] = {}
    try:
        conn.select(settings.IMAP_FOLDER)
        status, data = conn.uid("SEARCH", None, "UNSEEN")
        if status != "OK":
            raise imaplib.IMAP4.error(f"SEARCH failed: {data!r}")
        for uid in (data[0] or b"").split()[:limit]:
            outcome = _take(conn, uid)
            if outcome:
                counts[outcome] = counts.get(outcome, 0) + 1
        conn.expunge()
    finally:
        if own:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):  # the connection may be gone already
                conn.logout()
    return counts


def _take(conn: imaplib.IMAP4, uid: bytes) -> str:
    size = _size(conn, uid)
    if size is not None and size > settings.MAIL_MAX_BYTES:
        logger.warning(
            "IMAP message %s not accepted: %d bytes, over the limit of %d", uid, size, settings.MAIL_MAX_BYTES
        )
        return _set_aside(conn, uid)
    status, parts = conn.uid("FETCH", uid, "(BODY.PEEK[])")
    raw = next((p[1] for p in parts if isinstance(p, tuple)), None)
    if status != "OK" or raw is None:
        return ""
    try:
        outcome = process(raw).outcome
    except MalformedMessage as exc:
        logger.warning("IMAP message %s not accepted: %s", uid, exc)
        return _set_aside(conn, uid)
    except (DatabaseError, OSError):
        logger.exception("IMAP message %s: temporary failure, left for the next run", uid)
        return "retry"
    except Exception:
        attempts = _count_failure(raw)
        if attempts >= MAX_ATTEMPTS:
            logger.exception("IMAP message %s failed %d times; set aside (flagged seen)", uid, attempts)
            return _set_aside(conn, uid)
        logger.exception("IMAP message %s: failure %d, left for the next run", uid, attempts)
        return "retry"
    conn.uid("STORE", uid, "+FLAGS", "(\\Seen \\Deleted)")
    return outcome


def _size(conn: imaplib.IMAP4, uid: bytes) -> int | None:
    status, parts = conn.uid("FETCH", uid, "(RFC822.SIZE)")
    for part in parts if status == "OK" else []:
        found = _SIZE.search(part[0] if isinstance(part, tuple) else part or b"")
        if found:
            return int(found.group(1))
    return None


def _set_aside(conn: imaplib.IMAP4, uid: bytes) -> str:
    conn.uid("STORE", uid, "+FLAGS", "(\\Seen)")
    return "malformed"


def _count_failure(raw: bytes) -> int:
    """Failures of this message so far (kept in the cache for a day: across runs of the task worker)."""
    key = "imap-failures:" + hashlib.sha256(raw).hexdigest()
    attempts = (cache.get(key) or 0) + 1
    cache.set(key, attempts, 24 * 3600)
    return attempts


@periodic(crontab(minute="*"), name="PollMailbox", every=dt.timedelta(minutes=1))
@as_job
def poll_mailbox_job() -> dict[str, int]:
    """Every minute when SERVITIUM_IMAP_HOST is set (IMAP has no push we can rely on everywhere)."""
    if not settings.IMAP_HOST:
        return {}
    return poll_mailbox()
