from django.core.management.base import BaseCommand

from speeches.extract import annotate_speech
from speeches.models import Speech


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
        count = 0
        for speech in speeches.iterator():
            annotate_speech(speech)
            count += 1
        self.stdout.write(f"{count} speeches annotated")
