import os
import signal
import threading

from django.core.management.base import BaseCommand

from speeches import jobs


class Command(BaseCommand):
    help = (
        "后台任务进程：逐个执行排队的任务（管理后台上传的导入、批量重新抽取、更新索引、发布与撤回、修复索引），"
        "启动时和每隔一段时间应用崩溃后遗留的索引更新并统计搜索记录，空闲时为修改过的讲话查找共用段落。与网站进程（gunicorn）并行运行；"
        "被终止的任务在下次启动时从中断处继续。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="执行完当前排队的任务后退出（测试与定时任务用）")
        parser.add_argument(
            "--nice", type=int, default=10,
            help="降低本进程的 CPU 优先级（默认 10）：导入时把 CPU 先让给网站进程，0 表示不降低",
        )
        parser.add_argument(
            "--poll", type=float, default=jobs.POLL_SECONDS, help=f"没有任务时每隔几秒查看一次（默认 {jobs.POLL_SECONDS:g}）"
        )
        parser.add_argument(
            "--housekeeping", type=float, default=jobs.HOUSEKEEPING_SECONDS,
            help=f"每隔几秒应用遗留的索引更新、统计搜索记录（默认 {jobs.HOUSEKEEPING_SECONDS:g}）",
        )

    def handle(self, *args, **options):
        stopping = threading.Event()

        def stop(signum, frame):
            # Between two items: the running job goes back to the queue and resumes later.
            self.stdout.write("收到停止信号，完成当前一项后退出。")
            stopping.set()

        if options["nice"] > 0:
            os.nice(options["nice"])
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        if not options["once"]:
            self.stdout.write(f"后台任务进程 {jobs.worker_name()} 已启动。")
        jobs.work(
            once=options["once"],
            stop=stopping.is_set,
            poll_seconds=options["poll"],
            housekeeping_seconds=options["housekeeping"],
            report=self.stdout.write,
        )
