from django.core.management.base import BaseCommand, CommandError

from speeches import search

SHOWN = 20
DRIFT_LABELS = (("missing", "索引中缺少"), ("stale", "索引内容过时"), ("extra", "索引中多出"))


class Command(BaseCommand):
    help = (
        "核对检索索引与数据库：数据库中有而索引中缺少的讲话、索引内容已过时的讲话、"
        "索引中有而数据库已删除的讲话。--repair 重新索引这些讲话。发现差异而未修复时退出状态为 1。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--repair", action="store_true", help="重新索引有差异的讲话")

    def handle(self, *args, **options):
        drift = search.check(repair=options["repair"])
        self.stdout.write(f"已核对 {drift.checked} 篇讲话。")
        for attr, label in DRIFT_LABELS:
            ids = getattr(drift, attr)
            shown = "、".join(str(i) for i in ids[:SHOWN]) + (" …" if len(ids) > SHOWN else "")
            self.stdout.write(f"  {label}：{len(ids)} 篇" + (f"（讲话 ID {shown}）" if ids else ""))
        if drift.ok:
            self.stdout.write(self.style.SUCCESS("检索索引与数据库一致。"))
        elif options["repair"]:
            fixed = len(drift.missing) + len(drift.stale) + len(drift.extra)
            self.stdout.write(self.style.SUCCESS(f"已修复 {fixed} 条索引记录。"))
        else:
            raise CommandError("检索索引与数据库不一致；加 --repair 重新索引有差异的讲话。", returncode=1)
