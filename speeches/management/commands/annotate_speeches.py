from django.core.management.base import BaseCommand
from django.db import transaction

from speeches.extract import annotate_speech
from speeches.models import Speech

BATCH = 200


class Command(BaseCommand):
    help = (
        "Re-run extraction (regions, officials, topics, keywords, dates, speaker) on stored "
        "speeches, e.g. after the taxonomy or the extractors changed; locked fields and "
        "curators' decisions are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("uids", nargs="*", help="public ids of the speeches (default: all)")

    def handle(self, *args, **options):
        speeches = Speech.objects.all()
        if options["uids"]:
            speeches = speeches.filter(uid__in=options["uids"])
        ids = list(speeches.values_list("pk", flat=True))
        # Batches in one transaction each: the search index is updated once per batch.
        for start in range(0, len(ids), BATCH):
            with transaction.atomic():
                for speech in Speech.objects.filter(pk__in=ids[start : start + BATCH]):
                    annotate_speech(speech)
        count = len(ids)
        self.stdout.write(f"{count} speeches annotated")
