"""The global search index (servitium/core/searchindex.py): the entries table, then per database its
full-text structure: on PostgreSQL a generated, weighted tsvector column with a GIN index; on SQLite the
FTS5 table core_searchfts and the triggers keeping it in step with the entries.

Existing records are indexed after `migrate` (core's post_migrate step indexes every record type that
has records but no entries) or by `servitium reindex`.
"""

import django.utils.timezone
from django.db import migrations, models


def install(apps, schema_editor):
    from servitium.core.searchindex import install_statements

    for sql in install_statements(schema_editor.connection.vendor):
        schema_editor.execute(sql, params=None)


def uninstall(apps, schema_editor):
    from servitium.core.searchindex import uninstall_statements

    for sql in uninstall_statements(schema_editor.connection.vendor):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0006_periodic_runs'),
    ]

    operations = [
        migrations.CreateModel(
            name='SearchEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('record_type', models.CharField(max_length=100)),
                ('record_id', models.BigIntegerField()),
                ('organization_id', models.BigIntegerField(blank=True, null=True)),
                ('reference', models.CharField(blank=True, max_length=40)),
                ('title', models.CharField(blank=True, max_length=300)),
                ('body', models.TextField(blank=True)),
                ('updated', models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                'indexes': [models.Index(fields=['reference'], name='searchentry_reference_idx')],
                'constraints': [models.UniqueConstraint(fields=('record_type', 'record_id'), name='searchentry_record_once')],
            },
        ),
        migrations.RunPython(install, uninstall, elidable=False),
    ]
