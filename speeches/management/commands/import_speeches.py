import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from speeches.curation.upload import DEBRIS_LABELS
from speeches.extract import queue
from speeches.ingest.pipeline import READERS, expand_paths, import_file
from speeches.management.commands.extract_pending import default_processes, run_extraction
from speeches.management.progress import Progress
from speeches.models import Speech


class Command(BaseCommand):
    help = (
        "导入讲话文件或文件夹：汇编页面与单篇文档（.txt、.html）、Word 文件（.docx）、"
        "批量记录（.jsonl、.json、.csv、.tsv 或以制表符分隔的 .txt）以及它们的 .zip 压缩包。"
        "讲话先入库并编入索引（即可检索），地区、官员、主题等随后抽取：默认在全部文件导入之后由本命令以多个进程抽取，"
        "也可留给后台任务进程（run_jobs）或 extract_pending。"
        "每个文件输出一份导入报告：新建、更新、未变的讲话，与档案中副本合并或标为近似重复的讲话，"
        "清除的杂项行与网页栏目文字，修复的片段。再次导入同一文件不会改变任何内容。"
        "有文件导入失败时退出状态为 1。"
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="要导入的文件或文件夹")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出导入报告（不显示进度条）")
        parser.add_argument(
            "--map",
            dest="field_map",
            metavar="字段=列名,...",
            help="批量记录（JSON lines、JSON、CSV、制表符分隔的表格）中各字段所在的列"
            "（字段：title、text、date、year、url），写列名，表格也可写从 1 起的列号，"
            "例如 title=标题,text=正文,year=年份 或 year=1,text=2；指定列中的日期或年份优先于正文中找到的",
        )
        parser.add_argument("--draft", action="store_true", help="新导入的讲话存为草稿，不直接发布")
        parser.add_argument(
            "--extract", choices=["after", "later"], default="after",
            help="after（默认）：全部文件导入后立即抽取地区、官员、主题等；"
            "later：只排队，由后台任务进程（run_jobs）空闲时或 extract_pending 抽取",
        )
        parser.add_argument(
            "--processes", type=int, default=default_processes(),
            help=f"抽取时并行的进程数（默认每个 CPU 核一个：{default_processes()}）",
        )

    def handle(self, *args, **options):
        paths = options["paths"]
        files = expand_paths(paths)
        if not files:
            raise CommandError(f"{'、'.join(paths)} 中没有可导入的文件（可读的类型：{'、'.join(sorted(READERS))}）")
        status = Speech.DRAFT if options["draft"] else Speech.PUBLISHED
        reports = []
        # Counted in speeches, as they are stored: one large records file is long work too.
        with Progress(self, total=None, unit="篇讲话", desc="导入", quiet=options["json"]) as progress:
            for number, path in enumerate(files, start=1):
                progress.describe(f"导入 {Path(path).name}（第 {number}/{len(files)} 个文件）")
                for report in import_file(path, status=status, field_map=options["field_map"], on_speech=progress.update):
                    reports.append(report)
                    if not options["json"]:
                        self._print(report, progress)
        if options["json"]:
            self.stdout.write(json.dumps([r.as_dict() for r in reports], ensure_ascii=False, indent=2))
        failed = [r for r in reports if not r.ok]
        files_failed = f"{len(reports)} 个文件中有 {len(failed)} 个导入失败"
        try:
            self._extract(options)
        except CommandError as extraction_failed:
            # Both said: the speeches whose extraction failed must not hide the files that did not import.
            if failed:
                raise CommandError(f"{files_failed}；{extraction_failed}", returncode=1) from extraction_failed
            raise
        if failed:
            raise CommandError(files_failed, returncode=1)

    def _print(self, report, progress):
        if not report.ok:
            progress.write(f"{report.path}：导入失败：{report.error}", self.style.ERROR, stream=self.stderr)
            return
        progress.write(report.path, self.style.SUCCESS)
        progress.write(
            f"  讲话：新建 {len(report.created)} 篇，更新 {len(report.updated)} 篇，"
            f"未变 {len(report.unchanged)} 篇；合并重复副本 {report.duplicates_merged} 份"
        )
        for merged in report.merged_with_archive:
            progress.write(
                f"  已合并：{merged['uid']} 与 {merged['into']}（{merged['title']}，来自 {merged['source']}）正文相同"
            )
        for near in report.near_duplicates:
            progress.write(
                f"  近似重复，已送审核：{near['uid']} 与 {near['of']}（{near['title']}，来自 {near['source']}）"
                f"相似度 {near['similarity']:.0%}",
                self.style.WARNING,
            )
        progress.write("  清除的杂项行：" + (
            "、".join(f"{DEBRIS_LABELS.get(kind, kind)} {n}" for kind, n in sorted(report.debris_removed.items())) or "无"
        ))
        for line in report.furniture_removed:
            kind, _sep, text = line.partition(": ")
            progress.write(f"    {DEBRIS_LABELS.get(kind, kind)}：{text}")
        progress.write(f"  修复的片段：{len(report.repairs)}")
        for repair in report.repairs:
            progress.write(f"    {repair['fragment']} → …{repair['result']}…")
        for warning in report.warnings:
            progress.write(f"  提示：{warning}", self.style.WARNING)

    def _extract(self, options):
        """Every file is searchable now; extract what waits (or say where it waits)."""
        if options["extract"] == "after":
            # With --json, no words: the output is the JSON above.
            run_extraction(self, options["processes"], quiet=options["json"])
            return
        waiting = queue.waiting().count()
        if waiting and not options["json"]:
            self.stdout.write(
                f"{waiting} 篇讲话等待抽取地区、官员、主题等：后台任务进程（run_jobs）空闲时处理，"
                "或运行 python manage.py extract_pending"
            )
