"""`servitium mailgate`: read one RFC 822 message on standard input (for an MTA pipe such as Postfix's
`mailbox_command` or an alias `|servitium mailgate`).

Exit status follows sysexits.h so the MTA does the right thing: 0 when the message was taken (including
automatic replies that were recognised and ignored), 65 (EX_DATAERR) for input that is not a usable message,
75 (EX_TEMPFAIL) for anything that may pass later (database down, disk full): the MTA keeps the message
and tries again.
"""

from __future__ import annotations

import logging
import sys

from django.core.management.base import BaseCommand

EX_OK, EX_DATAERR, EX_TEMPFAIL = 0, 65, 75
logger = logging.getLogger("servitium.mailgate")


class Command(BaseCommand):
    help = "Take one email message from standard input into incident management."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--quiet", action="store_true", help="Print nothing on success.")

    def handle(self, *args, quiet: bool = False, **options) -> None:
        from servitium.incidents.mail.parsing import MalformedMessage
        from servitium.incidents.mailgate.inbound import process

        raw = sys.stdin.buffer.read()
        try:
            result = process(raw)
        except MalformedMessage as exc:
            self.stderr.write(f"mailgate: not accepted: {exc}")
            sys.exit(EX_DATAERR)
        except Exception as exc:  # a temporary failure: the MTA must keep the message and retry
            logger.exception("mailgate: temporary failure")
            self.stderr.write(f"mailgate: temporary failure, try again later: {exc}")
            sys.exit(EX_TEMPFAIL)
        if not quiet:
            self.stdout.write(f"{result.outcome} {result.reference or '-'} {result.message_id}")
        sys.exit(EX_OK)
