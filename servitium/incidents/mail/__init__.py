"""Mail the processes send: threaded notifications on tickets, and the parsing both directions share."""
