import time

from django.core.management.base import BaseCommand

from speeches import search
from speeches.management.progress import Progress
from speeches.models import Speech

# Why --if-needed rebuilds.
REBUILD_REASONS = {search.MISSING: "还没有检索索引，现在建立。", search.OTHER_SCHEMA: "检索索引的结构已经改变，现在重建。"}


class Command(BaseCommand):
    help = (
        "从数据库重建检索索引：先建在新的目录里，建好后一次切换过去；"
        "重建失败或被中断时，原有的索引继续提供检索。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-needed",
            action="store_true",
            help="只在需要时重建：索引已是最新则什么也不做，与数据库只有部分不同则只重新索引这些讲话（同 check_index --repair）",
        )

    def handle(self, *args, **options):
        if options["if_needed"]:
            state = search.index_state()
            applied = 0
            if state == search.UNSURE:
                # Updates waiting in the queue (a bulk import's) are the usual difference.
                applied = search.process_pending(blocking=True)
                state = search.index_state()
            if state == search.CURRENT:
                self.stdout.write(
                    f"检索索引已是最新（应用了排队的 {applied} 篇更新），不必重建。" if applied
                    else "检索索引已是最新，不必重建。"
                )
                return
            if state == search.UNSURE:
                drift = search.check(repair=True)
                fixed = len(drift.missing) + len(drift.stale) + len(drift.extra)
                self.stdout.write(self.style.SUCCESS(
                    f"检索索引已核对 {drift.checked} 篇讲话，重新索引了 {fixed} 篇。" if fixed
                    else f"检索索引已核对 {drift.checked} 篇讲话，与数据库一致。"
                ))
                return
            self.stdout.write(REBUILD_REASONS[state])
        started = time.monotonic()
        with Progress(self, total=Speech.objects.count(), unit="篇", desc="建立索引") as progress:
            count = search.rebuild(progress=progress.reach)
        self.stdout.write(self.style.SUCCESS(f"已索引 {count} 篇讲话，用时 {time.monotonic() - started:.1f} 秒。"))
