import time

from django.core.management.base import BaseCommand

from speeches import search


class Command(BaseCommand):
    help = (
        "Rebuild the search index from the database into a new directory, then switch to it "
        "atomically: if the rebuild fails or is interrupted, the previous index keeps serving."
    )

    def handle(self, *args, **options):
        started = time.monotonic()

        def progress(count):
            self.stdout.write(f"  {count} speeches indexed…")

        count = search.rebuild(progress=progress if options["verbosity"] > 1 else None)
        self.stdout.write(
            self.style.SUCCESS(f"Indexed {count} speeches in {time.monotonic() - started:.1f} s.")
        )
