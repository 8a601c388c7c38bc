"""`servitium mailgate`: read one RFC 822 message on standard input (for an MTA pipe such as Postfix's
`mailbox_command` or an alias `|servitium mailgate`).

Exit status follows sysexits.h so the MTA does the right thing:
- 0 when the message was taken (including automatic replies that were recognised and ignored);
- 65 (EX_DATAERR) for a message that can never be taken: unreadable, over SERVITIUM_MAIL_MAX_BYTES, or
  holding values the database refuses. The last line on standard error is the reason; the MTA bounces
  the message with it. 65 is permanent for every common MTA (Postfix: 5.6.0; sendmail maps "message too
  large" to it), unlike 73 (EX_CANTCREAT), which Exim's pipe transport retries by default;
- 75 (EX_TEMPFAIL) for anything that may pass later (database down, disk full, an error in our own
  code): the MTA keeps the message and tries again.
"""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.core.management.base import BaseCommand

EX_OK, EX_DATAERR, EX_TEMPFAIL = 0, 65, 75
CHUNK = 1 << 20
logger = logging.getLogger("servitium.mailgate")


def read_message(stream, limit: int) -> tuple[bytes, int]:
    """At most `limit` + 1 bytes of the message, and its whole size: the rest of an oversized message is
    read and dropped, so the MTA never sees a broken pipe (it would take that for a failed delivery)."""
    raw = stream.read(limit + 1)
    size = len(raw)
    while size > limit and (chunk := stream.read(CHUNK)):
        size += len(chunk)
    return raw, size


def one_line(text: str) -> str:
    return " ".join(str(text).split())[:500]


class Command(BaseCommand):
    help = "Take one email message from standard input into incident management."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--quiet", action="store_true", help="Print nothing on success.")

    def handle(self, *args, quiet: bool = False, **options) -> None:
        from servitium.incidents.mail.parsing import MalformedMessage
        from servitium.incidents.mailgate.inbound import process

        raw, size = read_message(sys.stdin.buffer, settings.MAIL_MAX_BYTES)
        if size > settings.MAIL_MAX_BYTES:
            self.stderr.write(
                f"mailgate: not accepted: the message is {size} bytes, over this service desk's limit of "
                f"{settings.MAIL_MAX_BYTES} bytes"
            )
            sys.exit(EX_DATAERR)
        try:
            result = process(raw)
        except MalformedMessage as exc:
            self.stderr.write(f"mailgate: not accepted: {one_line(exc)}")
            sys.exit(EX_DATAERR)
        except Exception as exc:  # a temporary failure: the MTA must keep the message and retry
            logger.exception("mailgate: temporary failure")
            self.stderr.write(f"mailgate: temporary failure, try again later: {one_line(exc)}")
            sys.exit(EX_TEMPFAIL)
        if not quiet:
            self.stdout.write(f"{result.outcome} {result.reference or '-'} {result.message_id}")
        sys.exit(EX_OK)
