"""The `servitium` command's entry point: the mail pipe is answered before anything heavy is imported
(an MTA starts one process per message); everything else goes to servitium.cli."""

from __future__ import annotations

import sys


def main() -> int:
    command, rest = sys.argv[1:2], sys.argv[2:]
    if command == ["mailgate"]:
        from . import mailgate_client  # stdlib only

        if mailgate_client.wants_server(rest):
            return mailgate_client.main(rest)
    from .cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
