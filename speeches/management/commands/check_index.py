from django.core.management.base import BaseCommand, CommandError

from speeches import search

SHOWN = 20


class Command(BaseCommand):
    help = (
        "Compare the search index with the database: speeches missing from the index, indexed "
        "from an older state (stale), or indexed but no longer in the database (extra). "
        "--repair re-indexes them. Exit status 1 if drift was found and not repaired."
    )

    def add_arguments(self, parser):
        parser.add_argument("--repair", action="store_true", help="re-index what differs")

    def handle(self, *args, **options):
        drift = search.check(repair=options["repair"])
        self.stdout.write(f"Checked {drift.checked} speeches.")
        for label, ids in (("missing", drift.missing), ("stale", drift.stale), ("extra", drift.extra)):
            shown = ", ".join(str(i) for i in ids[:SHOWN]) + (" …" if len(ids) > SHOWN else "")
            self.stdout.write(f"  {label}: {len(ids)}" + (f" (speech ids {shown})" if ids else ""))
        if drift.ok:
            self.stdout.write(self.style.SUCCESS("The index matches the database."))
        elif options["repair"]:
            self.stdout.write(self.style.SUCCESS(f"Repaired {len(drift.missing) + len(drift.stale) + len(drift.extra)} entries."))
        else:
            raise CommandError("The index differs from the database; run with --repair to fix it.", returncode=1)
