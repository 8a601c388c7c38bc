"""Imports from other tools with a mapping file: event logs grouped into tickets with their history
(mapping.py, reader.py, eventlog.py, writer.py, run.py; shipped mappings in presets/). The older fixed
mappings (`bpic2014`, `generic`) stay in ../importing.py."""
