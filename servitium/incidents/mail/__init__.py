"""Incidents by email: the inbound gateway (MTA pipe and IMAP polling) and threaded outbound notifications."""
