import json

from django.core.management.base import BaseCommand, CommandError

from speeches.ingest.pipeline import READERS, expand_paths, import_file
from speeches.models import Speech


class Command(BaseCommand):
    help = (
        "Import speech files or folders: compilation pages and single documents (.txt, .html), "
        "Word files (.docx), bulk records (.jsonl, .json, .csv, .tsv or a tab-separated .txt) and "
        "zips of these. Prints a report per file: speeches created, updated, unchanged, merged "
        "with the archive's copies or flagged as near-duplicates, debris and web furniture "
        "removed, repairs. Re-importing a file changes nothing. Exit status 1 if any file failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="files or folders to import")
        parser.add_argument("--json", action="store_true", help="print the reports as JSON")
        parser.add_argument(
            "--map",
            dest="field_map",
            metavar="FIELD=COLUMN,...",
            help="for records (JSON lines, JSON, CSV, tab-separated): which column holds each field "
            "(fields: title, text, date, year, url), by name or, for tables, by number from 1, "
            "e.g. title=title,text=content,date=year or year=1,text=2; a mapped date or year "
            "wins over one found in the text",
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
        for merged in report.merged_with_archive:
            self.stdout.write(
                f"  merged: {merged['uid']} is the same text as {merged['into']} ({merged['title']}, from {merged['source']})"
            )
        for near in report.near_duplicates:
            self.stdout.write(self.style.WARNING(
                f"  near-duplicate, queued for review: {near['uid']} is {near['similarity']:.0%} like "
                f"{near['of']} ({near['title']}, from {near['source']})"
            ))
        debris = ", ".join(f"{kind} {n}" for kind, n in sorted(report.debris_removed.items())) or "none"
        self.stdout.write(f"  debris removed (lines): {debris}")
        for line in report.furniture_removed:
            self.stdout.write(f"    {line}")
        self.stdout.write(f"  repairs: {len(report.repairs)}")
        for repair in report.repairs:
            self.stdout.write(f"    {repair['fragment']} → …{repair['result']}…")
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(f"  warning: {warning}"))
