"""A source's raw bytes move to a table of their own (SourceContent): listings and feeds
join Source to every speech they show, and a bulk file's megabytes came with each row.
The bytes are copied in one statement per direction, inside the database."""

import django.db.models.deletion
from django.db import migrations, models


def copy_bytes_out(apps, schema_editor):
    quote = schema_editor.quote_name
    schema_editor.execute(
        f"INSERT INTO {quote('speeches_sourcecontent')} ({quote('source_id')}, {quote('raw_bytes')}) "
        f"SELECT {quote('id')}, {quote('raw_bytes')} FROM {quote('speeches_source')}"
    )


def copy_bytes_back(apps, schema_editor):
    quote = schema_editor.quote_name
    schema_editor.execute(
        f"UPDATE {quote('speeches_source')} SET {quote('raw_bytes')} = COALESCE("
        f"(SELECT c.{quote('raw_bytes')} FROM {quote('speeches_sourcecontent')} c "
        f"WHERE c.{quote('source_id')} = {quote('speeches_source')}.{quote('id')}), {quote('raw_bytes')})"
    )


class Migration(migrations.Migration):

    dependencies = [
        ("speeches", "0007_covering_indexes_for_browse_counts"),
    ]

    operations = [
        migrations.CreateModel(
            name="SourceContent",
            fields=[
                (
                    "source",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="content",
                        serialize=False,
                        to="speeches.source",
                        verbose_name="来源",
                    ),
                ),
                ("raw_bytes", models.BinaryField(editable=False, verbose_name="原始字节")),
            ],
            options={
                "verbose_name": "来源原始字节",
                "verbose_name_plural": "来源原始字节",
                "ordering": ["source"],
            },
        ),
        migrations.RunPython(copy_bytes_out, copy_bytes_back),
        # A default in the state only, so that migrating back can add the column to rows
        # that have it not (the copy back then fills it); nothing to do in the database.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="source",
                    name="raw_bytes",
                    field=models.BinaryField(default=b"", editable=False, verbose_name="原始字节"),
                ),
            ],
        ),
        migrations.RemoveField(model_name="source", name="raw_bytes"),
    ]
