import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from speeches.extract import annotate_speech
from speeches.extract.evaluation import evaluate_gold, evaluate_reports, speech_for_key
from speeches.extract.ner_evaluation import evaluate_cluener_file

TARGETS = [
    ("地区准确率", "region", 0.95),
    ("官员准确率(precision)", "official_precision", 0.95),
    ("官员召回率(recall)", "official_recall", 0.90),
    ("主题命中率", "topic", 0.95),
]


class Command(BaseCommand):
    help = (
        "Print precision and recall of the stored extraction (region, officials, topics) "
        "against a gold file in the format of ../shared/eval/seed_gold.json; optionally "
        "import the gold's source first and check the national government work reports."
    )

    def add_arguments(self, parser):
        parser.add_argument("gold", help="gold JSON file")
        parser.add_argument("--source-dir", help="folder holding the gold's source file: import it first")
        parser.add_argument("--reannotate", action="store_true", help="re-run extraction on the matched speeches first")
        parser.add_argument("--reports", help="government work reports (JSON lines) to check too")
        parser.add_argument("--verbose", action="store_true", help="list every disagreement")
        parser.add_argument("--cluener", help="CLUENER2020 file (../shared/eval/ner/cluener_dev.json): measure the officials finder on it too")

    def handle(self, *args, **options):
        try:
            gold = json.loads(Path(options["gold"]).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read the gold file: {exc}") from exc
        if not isinstance(gold, dict) or not isinstance(gold.get("speeches"), list):
            raise CommandError("the gold file has no 'speeches' list")

        if options["source_dir"]:
            source = Path(options["source_dir"]) / gold.get("source", "")
            if not source.is_file():
                raise CommandError(f"{source} is not a file")
            from speeches.ingest.pipeline import import_paths

            for file_report in import_paths([source]):
                if not file_report.ok:
                    raise CommandError(f"import of {source} failed: {file_report.error}")
        if options["reannotate"]:
            for item in gold["speeches"]:
                speech = speech_for_key(item["key"])
                if speech is not None:
                    annotate_speech(speech)

        report = evaluate_gold(gold)
        out = self.stdout
        out.write(f"金标准: {options['gold']} — {report.matched}/{len(gold['speeches'])} 篇在库中找到")
        if report.missing:
            out.write(f"  未找到: {', '.join(report.missing)}")
        out.write(f"地区      准确率 {report.region}  precision {report.region_precision}  recall {report.region_recall}")
        out.write(f"官员      precision {report.official_precision}  recall {report.official_recall}")
        out.write(f"官员职务  与金标准一致 {report.official_title}(金标准给出职务者)")
        out.write(f"主题      金标准主题在所赋主题中 {report.topic}")
        for label, attr, target in TARGETS:
            value = getattr(report, attr).rate
            mark = "达标" if value >= target else "未达标"
            out.write(f"  目标 {label} ≥ {target:.0%}: {value:.1%} {mark}")
        if options["verbose"]:
            for line in report.errors:
                out.write(f"  - {line}")

        if options["reports"]:
            try:
                reports = evaluate_reports(options["reports"])
            except (OSError, ValueError) as exc:
                raise CommandError(f"cannot read the reports file: {exc}") from exc
            out.write(f"政府工作报告: {reports.rows} 条")
            out.write(f"  地区为全国 {reports.national}")
            out.write(f"  讲话人已确定 {reports.speaker_found}(其中 {reports.review} 条置信度低,进入审核队列)")
            out.write(f"  讲话人与决议所述总理一致 {reports.speaker_agrees}")
            if options["verbose"]:
                for line in reports.errors:
                    out.write(f"  - {line}")

        if options["cluener"]:
            try:
                out.write(evaluate_cluener_file(options["cluener"]).table())
            except (OSError, ValueError) as exc:
                raise CommandError(f"cannot read the CLUENER file: {exc}") from exc
