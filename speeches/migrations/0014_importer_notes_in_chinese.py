"""The importer's notes written in English by earlier versions, in Chinese as it writes them
now: in each speech's import log, and in the review queue, whose flags for merged copies
carry the note as their value (a decided flag keeps its decision under the new wording)."""

import re

from django.db import migrations

# (old wording, new wording) as speeches.ingest.parse and speeches.curation.split write them.
NOTES = [
    (re.compile(r"^merged a copy from line (\d+) of the page$"), r"并入了页面第 \1 行起的副本"),
    (re.compile(r"^split from (\w+) at paragraph (\d+)$"), r"由 \1 第 \2 段起拆分而来"),
]


def chinese(note):
    for old, new in NOTES:
        if old.match(note):
            return old.sub(new, note)
    return note


def forwards(apps, schema_editor):
    Speech = apps.get_model("speeches", "Speech")
    ReviewItem = apps.get_model("speeches", "ReviewItem")
    for speech in Speech.objects.exclude(import_log=[]).only("pk", "import_log").iterator():
        log = speech.import_log if isinstance(speech.import_log, list) else []
        changed = False
        for entry in log:
            if isinstance(entry, dict) and isinstance(entry.get("note"), str) and chinese(entry["note"]) != entry["note"]:
                entry["note"] = chinese(entry["note"])
                changed = True
        if changed:
            Speech.objects.filter(pk=speech.pk).update(import_log=log)
    for item in ReviewItem.objects.filter(field="duplicate", value__startswith="merged a copy"):
        new = chinese(item.value)
        if ReviewItem.objects.filter(speech_id=item.speech_id, field=item.field, value=new).exists():
            item.delete()  # the importer already flagged it again under the new wording
        else:
            ReviewItem.objects.filter(pk=item.pk).update(value=new)


class Migration(migrations.Migration):
    dependencies = [("speeches", "0013_speech_extraction_notes")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
