import os

from django.core.management.base import BaseCommand, CommandError

from speeches.extract import queue
from speeches.management.progress import Progress
from speeches.models import PendingExtraction


def default_processes():
    """One worker process per core."""
    return os.cpu_count() or 1


class Command(BaseCommand):
    help = (
        "为等待抽取的讲话（导入时已入库并编入索引）抽取地区、官员、主题、关键词、日期与讲话人，"
        "抽取后重新编入索引，按地区、主题等检索即可找到。可用多个进程并行；"
        "被中断后再次运行，从中断处继续，已完成的不会重做。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--processes", type=int, default=default_processes(),
            help=f"并行抽取的进程数（默认每个 CPU 核一个：{default_processes()}）",
        )
        parser.add_argument("--retry-failed", action="store_true", help="先把抽取失败的讲话放回队列，再次抽取")

    def handle(self, *args, **options):
        if options["processes"] < 1:
            raise CommandError("--processes 至少为 1")
        if options["retry_failed"]:
            self.stdout.write(f"放回队列的失败讲话：{queue.retry_failed()} 篇")
        run_extraction(self, options["processes"])


def run_extraction(command, processes, quiet=False):
    """Drain the extraction queue with a progress bar and a closing line (also used by
    import_speeches after its files; `quiet`: neither). Raises CommandError while some
    speeches' extraction failed (they stay in the queue with the reason)."""
    total = queue.waiting().count()
    if not total and not quiet:
        command.stdout.write("没有等待抽取的讲话。")
    if total:
        with Progress(command, total=total, unit="篇", desc="抽取", quiet=quiet) as progress:
            done, _failed = queue.drain(processes, progress=lambda count, _total: progress.reach(count))
        if not quiet:
            command.stdout.write(command.style.SUCCESS(f"已抽取 {done} 篇讲话，并已更新检索索引。"))
    failed = PendingExtraction.objects.exclude(error="")
    if failed.exists():
        for uid, error in failed.values_list("speech__uid", "error")[:5]:
            command.stderr.write(f"  讲话 {uid}：{error}")
        raise CommandError(
            f"{failed.count()} 篇讲话抽取失败，仍留在队列中（管理后台“待抽取讲话”可见原因）；"
            "修复后运行 extract_pending --retry-failed",
            returncode=1,
        )
