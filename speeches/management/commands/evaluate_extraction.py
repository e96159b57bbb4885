import json
import os
import unicodedata
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from speeches.evaluation.gold import city_rows, evaluate_shared, national_rows, seed_rows
from speeches.evaluation.ner import cluener_rows

# The tests' ARCHIVE_SHARED_DIR, else ../shared next to this checkout.
DEFAULT_SHARED = Path(os.environ.get("ARCHIVE_SHARED_DIR", Path(settings.BASE_DIR).parent / "shared"))


class Command(BaseCommand):
    help = (
        "导入 ../shared 下每份金标准对应的语料（eval/seed_gold.json、eval/city_reports_gold.json、"
        "全国政府工作报告、党代会报告），输出一张表：每项指标的结果、目标与是否达标。"
        "除非指定 --keep，导入的内容会回滚。给出一份金标准文件时只评测这一份。"
    )

    def add_arguments(self, parser):
        parser.add_argument("gold", nargs="?", help="一份金标准文件（种子页或城市报告格式）；默认评测 --shared 下的全部")
        parser.add_argument("--shared", default=str(DEFAULT_SHARED), help="共享文件夹（默认：../shared）")
        parser.add_argument("--source-dir", help="金标准对应语料所在的文件夹（默认：共享语料）")
        parser.add_argument("--reports", help="同时评测的全国政府工作报告（JSON lines 文件）")
        parser.add_argument("--keep", action="store_true", help="保留导入的讲话（默认回滚）")
        parser.add_argument("--strict", action="store_true", help="有目标未达标时以状态 1 退出")
        parser.add_argument("--verbose", action="store_true", help="列出每一处不一致")
        parser.add_argument("--cluener", help="另一份用来评测官员识别的 CLUENER2020 文件（--shared 下的 cluener_dev.json 总会评测）")

    def handle(self, *args, **options):
        shared = Path(options["shared"])
        with transaction.atomic():
            rows, errors, absent = self._evaluate(options, shared)
            if not options["keep"]:
                transaction.set_rollback(True)
        self._print(rows, errors if options["verbose"] else [], absent)
        unmet = [row for row in rows if row.met is False]
        if options["strict"] and unmet:
            raise CommandError(f"{len(unmet)} 项目标未达标", returncode=1)

    def _evaluate(self, options, shared):
        if not options["gold"]:
            if not shared.is_dir():
                raise CommandError(f"{shared} 不存在：请用 --shared 指明共享文件夹")
            rows, errors, absent = evaluate_shared(shared)
        else:
            rows, errors, absent = [*self._one_gold(options, shared), []]
        if options["reports"]:
            found_rows, found_errors = national_rows(options["reports"])
            rows, errors = rows + found_rows, errors + found_errors
        if options["cluener"]:
            try:
                found_rows, found_errors = cluener_rows(options["cluener"])
            except (OSError, ValueError) as exc:
                raise CommandError(f"无法读取 CLUENER 文件：{exc}") from exc
            rows, errors = rows + found_rows, errors + found_errors
        return rows, errors, absent

    def _one_gold(self, options, shared):
        path = Path(options["gold"])
        try:
            gold = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"无法读取金标准文件：{exc}") from exc
        if isinstance(gold, dict) and isinstance(gold.get("speeches"), list):
            source_dir = Path(options["source_dir"] or shared / "corpus" / "seed")
            if not (source_dir / gold.get("source", "")).is_file():
                raise CommandError(f"{source_dir / gold.get('source', '')} 不是文件")
            return seed_rows(path, source_dir)
        if isinstance(gold, dict) and isinstance(gold.get("reports"), list):
            return city_rows(path, options["source_dir"] or shared / "corpus" / "city_reports_2024")
        raise CommandError("金标准文件中既没有 speeches 列表（种子页格式），也没有 reports 列表（城市报告格式）")

    def _print(self, rows, errors, absent):
        out = self.stdout
        header = ("金标准/语料", "指标", "结果", "目标", "达标")
        table = [header] + [
            (row.gold, row.measure, row.value, row.target or "—", {True: "达标", False: "未达标", None: "—"}[row.met])
            for row in rows
        ]
        widths = [max(_width(line[i]) for line in table) for i in range(len(header))]
        for n, line in enumerate(table):
            out.write("| " + " | ".join(_pad(cell, widths[i]) for i, cell in enumerate(line)) + " |")
            if n == 0:
                out.write("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        targets = [row for row in rows if row.met is not None]
        met = sum(1 for row in targets if row.met)
        out.write(f"目标达标 {met}/{len(targets)}")
        for relative in absent:
            out.write(f"缺少 {relative}：该项未评测")
        for line in errors:
            out.write(f"  - {line}")


def _width(text):
    """Printed width: a Chinese character takes two columns."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in str(text))


def _pad(text, width):
    return str(text) + " " * (width - _width(text))
