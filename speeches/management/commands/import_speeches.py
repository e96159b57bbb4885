import json

from django.core.management.base import BaseCommand, CommandError

from speeches.ingest.pipeline import READERS, expand_paths, import_file
from speeches.models import Speech


class Command(BaseCommand):
    help = (
        "Import speech files or folders: compilation pages (.txt, .html), single speeches "
        "(.docx), bulk records (.jsonl, .json, .csv) and zips of these. Prints a report per "
        "file; re-importing a file changes nothing. Exit status 1 if any file failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="files or folders to import")
        parser.add_argument("--json", action="store_true", help="print the reports as JSON")
        parser.add_argument(
            "--map",
            dest="field_map",
            metavar="FIELD=COLUMN,...",
            help="for JSON lines, JSON and CSV: which column holds each field "
            "(fields: title, text, date, year, url), e.g. title=title,text=content,date=year",
        )
        parser.add_argument(
            "--draft", action="store_true", help="new speeches land as drafts, not published"
        )

    def handle(self, *args, **options):
        paths = options["paths"]
        files = expand_paths(paths)
        if not files:
            raise CommandError(f"nothing to import in {', '.join(paths)} (readable types: {', '.join(sorted(READERS))})")
        status = Speech.DRAFT if options["draft"] else Speech.PUBLISHED
        reports = []
        for path in files:
            for report in import_file(path, status=status, field_map=options["field_map"]):
                reports.append(report)
                if not options["json"]:
                    self._print(report)
        if options["json"]:
            self.stdout.write(json.dumps([r.as_dict() for r in reports], ensure_ascii=False, indent=2))
        failed = [r for r in reports if not r.ok]
        if failed:
            raise CommandError(f"{len(failed)} of {len(reports)} files failed", returncode=1)

    def _print(self, report):
        if not report.ok:
            self.stderr.write(self.style.ERROR(f"{report.path}: failed: {report.error}"))
            return
        self.stdout.write(self.style.SUCCESS(report.path))
        self.stdout.write(
            f"  speeches: {len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged; {report.duplicates_merged} duplicates merged"
        )
        debris = ", ".join(f"{kind} {n}" for kind, n in sorted(report.debris_removed.items())) or "none"
        self.stdout.write(f"  debris removed (lines): {debris}")
        self.stdout.write(f"  repairs: {len(report.repairs)}")
        for repair in report.repairs:
            self.stdout.write(f"    {repair['fragment']} → …{repair['result']}…")
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(f"  warning: {warning}"))
