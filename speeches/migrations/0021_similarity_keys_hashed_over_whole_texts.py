# The fingerprint's shingle hashes changed (speeches.ingest.dedupe: one vectorised hash over
# every window of a text instead of crc32 of each shingle), so every stored band key is made
# again, or a copy imported now would not find the copies imported before.

from django.db import migrations

from speeches.ingest.dedupe import band_keys

BATCH = 1000


def remake_keys(apps, schema_editor):
    """New keys for each speech that has keys (the importer's speeches), from its body."""
    Speech = apps.get_model("speeches", "Speech")
    SimilarityKey = apps.get_model("speeches", "SimilarityKey")
    speech_ids = list(SimilarityKey.objects.order_by("speech_id").values_list("speech_id", flat=True).distinct())
    for start in range(0, len(speech_ids), BATCH):
        batch = speech_ids[start : start + BATCH]
        bodies = Speech.objects.filter(pk__in=batch).values_list("pk", "body")
        SimilarityKey.objects.filter(speech_id__in=batch).delete()
        SimilarityKey.objects.bulk_create(
            SimilarityKey(speech_id=pk, key=key) for pk, body in bodies for key in band_keys(body)
        )


class Migration(migrations.Migration):

    dependencies = [
        ("speeches", "0020_feeds_read_arrivals_off_an_index"),
    ]

    operations = [
        migrations.RunPython(remake_keys, migrations.RunPython.noop),
    ]
