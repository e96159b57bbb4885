import time

from django.core.management.base import BaseCommand

from speeches.reuse.detect import find_shared_passages, process_queue

STAGES = {"reading": "读取并切分讲话", "proposing": "查找相似片段", "aligning": "逐字比对"}


class Command(BaseCommand):
    help = (
        "找出讲话之间共用的段落（字符片段的 MinHash 与 LSH 提出候选，再逐字比对确认）：默认为整个档案从头计算；"
        "加 --pending 只处理此后导入或修改过的讲话（排队等待比对的，可由定时任务或导入后运行）。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--pending", action="store_true",
            help="只比对排队等待的讲话（导入或修改过的），而不是整个档案",
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        shown = {}

        def progress(stage, done, total):
            # One line per stage, rewritten in place on a terminal.
            end = "\n" if done == total else "\r"
            if self.stdout.isatty() or done == total or shown.get(stage, 0) + 10 <= 100 * done // max(1, total):
                shown[stage] = 100 * done // max(1, total)
                self.stdout.write(f"  {STAGES[stage]}：{done}/{total}（{shown[stage]}%）", ending=end)
                self.stdout.flush()

        if options["pending"]:
            summary = process_queue(progress)
            if summary is None:
                self.stdout.write("没有等待比对的讲话。")
                return
        else:
            summary = find_shared_passages(progress=progress)
        seconds = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(
            f"比对了 {summary.speeches} 篇讲话（{summary.chunks} 个片段，{summary.candidates} 对候选，"
            f"逐字比对 {summary.aligned} 对，{summary.stock} 组套话不计），用时 {seconds:.1f} 秒。"
            f"档案中共有 {summary.passages} 段共用文字，见于 {summary.sharing} 篇讲话。"
        ))
