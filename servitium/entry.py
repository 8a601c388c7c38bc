"""The `servitium` command's entry point: the mail pipe is answered before anything heavy is imported
(an MTA starts one process per message); everything else goes to servitium.cli."""

from __future__ import annotations

import os
import sys


def main() -> int:
    if sys.argv[1:2] == ["mailgate"] and os.environ.get("SERVITIUM_MAILGATE_URL"):
        from .mailgate_client import main as mailgate_client

        return mailgate_client()
    from .cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
