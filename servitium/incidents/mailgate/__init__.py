"""The mail gateway: messages in (MTA pipe, the API, polled mailboxes) become tickets and replies."""
