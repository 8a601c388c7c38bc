"""IMAP polling: the same gateway, fed from a mailbox instead of an MTA pipe.

Each unseen message is processed and then flagged \\Seen and \\Deleted (expunged at the end of the run); a
message that fails temporarily is left unseen for the next run, one that can never be read is flagged seen
and kept in the mailbox for a person to look at.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from servitium.core.jobs import as_job

from ..mail.parsing import MalformedMessage
from .inbound import process

logger = logging.getLogger(__name__)


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
            status, parts = conn.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((p[1] for p in parts if isinstance(p, tuple)), None)
            if status != "OK" or raw is None:
                continue
            try:
                outcome = process(raw).outcome
            except MalformedMessage as exc:
                logger.warning("IMAP message %s not accepted: %s", uid, exc)
                conn.uid("STORE", uid, "+FLAGS", "(\\Seen)")
                counts["malformed"] = counts.get("malformed", 0) + 1
                continue
            except Exception:
                logger.exception("IMAP message %s: temporary failure, left for the next run", uid)
                counts["retry"] = counts.get("retry", 0) + 1
                continue
            conn.uid("STORE", uid, "+FLAGS", "(\\Seen \\Deleted)")
            counts[outcome] = counts.get(outcome, 0) + 1
        conn.expunge()
    finally:
        if own:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):  # the connection may be gone already
                conn.logout()
    return counts


@db_periodic_task(crontab(minute="*"), name="PollMailbox")
@as_job
def poll_mailbox_job() -> dict[str, int]:
    """Every minute when SERVITIUM_IMAP_HOST is set (IMAP has no push we can rely on everywhere)."""
    if not settings.IMAP_HOST:
        return {}
    return poll_mailbox()
