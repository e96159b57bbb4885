import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from speeches.extract import annotate_speech
from speeches.extract.evaluation import evaluate_gold, evaluate_reports, speech_for_key

TARGETS = [
    ("地区准确率", "region", 0.95),
    ("官员精确率", "official_precision", 0.95),
    ("官员召回率", "official_recall", 0.90),
    ("主题命中率", "topic", 0.95),
]


class Command(BaseCommand):
    help = (
        "对照金标准文件(格式同 ../shared/eval/seed_gold.json)输出已存抽取结果(地区、官员、主题)的"
        "准确率与召回率;可先导入金标准对应的源文件,并核对全国政府工作报告。"
    )

    def add_arguments(self, parser):
        parser.add_argument("gold", help="金标准 JSON 文件")
        parser.add_argument("--source-dir", help="金标准源文件所在的文件夹:先导入该文件")
        parser.add_argument("--reannotate", action="store_true", help="先对找到的讲话重新抽取")
        parser.add_argument("--reports", help="同时核对的政府工作报告(JSON lines 文件)")
        parser.add_argument("--verbose", action="store_true", help="列出每一处不一致")

    def handle(self, *args, **options):
        try:
            gold = json.loads(Path(options["gold"]).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"无法读取金标准文件:{exc}") from exc
        if not isinstance(gold, dict) or not isinstance(gold.get("speeches"), list):
            raise CommandError("金标准文件中没有 speeches 列表")

        if options["source_dir"]:
            source = Path(options["source_dir"]) / gold.get("source", "")
            if not source.is_file():
                raise CommandError(f"{source} 不是文件")
            from speeches.ingest.pipeline import import_paths

            for file_report in import_paths([source]):
                if not file_report.ok:
                    raise CommandError(f"导入 {source} 失败:{file_report.error}")
        if options["reannotate"]:
            for item in gold["speeches"]:
                speech = speech_for_key(item["key"])
                if speech is not None:
                    annotate_speech(speech)

        report = evaluate_gold(gold)
        out = self.stdout
        out.write(f"金标准:{options['gold']} — {report.matched}/{len(gold['speeches'])} 篇在库中找到")
        if report.missing:
            out.write(f"  未找到:{'、'.join(report.missing)}")
        out.write(f"地区      准确率 {report.region}  精确率 {report.region_precision}  召回率 {report.region_recall}")
        out.write(f"官员      精确率 {report.official_precision}  召回率 {report.official_recall}")
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
                raise CommandError(f"无法读取政府工作报告文件:{exc}") from exc
            out.write(f"政府工作报告:{reports.rows} 条")
            out.write(f"  地区为全国 {reports.national}")
            out.write(f"  讲话人已确定 {reports.speaker_found}(其中 {reports.review} 条置信度低,进入审核队列)")
            out.write(f"  讲话人与决议所述总理一致 {reports.speaker_agrees}")
            if options["verbose"]:
                for line in reports.errors:
                    out.write(f"  - {line}")
