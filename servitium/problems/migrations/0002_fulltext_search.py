"""Full-text search of known errors and resolved incidents, per database (see servitium/problems/search.py).

PostgreSQL: partial GIN indexes on the tsvector expressions the search queries use.
SQLite: the FTS5 table `problems_search`, the triggers that keep it in step, and its initial content.
Other databases: nothing.
"""

from django.db import migrations


class FullTextSearch(migrations.operations.base.Operation):
    """Database-specific search structures; no change to the model state."""

    reversible = True

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        from servitium.problems import search

        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            for model, index in search.postgres_indexes(to_state.apps):
                schema_editor.add_index(model, index)
        elif vendor == "sqlite":
            for sql in search.sqlite_install_statements():
                schema_editor.execute(sql, params=None)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        from servitium.problems import search

        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            for model, index in search.postgres_indexes(from_state.apps):
                schema_editor.remove_index(model, index)
        elif vendor == "sqlite":
            for sql in search.sqlite_uninstall_statements():
                schema_editor.execute(sql, params=None)

    def describe(self):
        return "Full-text search of known errors and resolved incidents (GIN indexes or FTS5)"


class Migration(migrations.Migration):
    dependencies = [
        ("problems", "0001_initial"),
        ("incidents", "0002_majors_requests_mail"),
    ]

    operations = [FullTextSearch()]
