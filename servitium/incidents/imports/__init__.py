"""Imports from other tools with a mapping file: event logs grouped into tickets with their history, or one
row per ticket, from one file or from a tickets file and an event log together (mapping.py, reader.py,
eventlog.py, writer.py, run.py; api.py for code; shipped mappings in presets/)."""
