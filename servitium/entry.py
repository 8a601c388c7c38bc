"""The `servitium` command's entry point: the mail pipe is answered before anything heavy is imported
(an MTA starts one process per message); everything else goes to servitium.cli."""

from __future__ import annotations

import os
import sys


def main() -> int:
    argv = sys.argv[1:]
    if argv[:1] == ["mailgate"] and (
        os.environ.get("SERVITIUM_MAILGATE_URL") or any(a.split("=")[0] == "--url" for a in argv)
    ):
        from .mailgate_client import main as mailgate_client

        return mailgate_client(argv[1:])
    from .cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
