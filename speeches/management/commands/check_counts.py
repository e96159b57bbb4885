from django.core.management.base import BaseCommand, CommandError

from speeches import counts

SHOWN = 20


class Command(BaseCommand):
    help = (
        "重新统计每个地区、主题、年份、来源和官员的讲话数,与浏览页面使用的计数比较;"
        "--repair 改正不一致之处。发现不一致且未修复时退出码为 1。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--repair", action="store_true", help="改正不一致的计数")

    def handle(self, *args, **options):
        drift = counts.recount(repair=options["repair"])
        self.stdout.write(f"已重新统计 {drift.checked} 篇讲话。")
        if drift.speeches:
            shown = ", ".join(str(i) for i in drift.speeches[:SHOWN]) + (" …" if len(drift.speeches) > SHOWN else "")
            self.stdout.write(f"  计数记录不符的讲话:{len(drift.speeches)} 篇(编号 {shown})")
        for (kind, key), (kept, counted) in list(drift.counts.items())[:SHOWN]:
            self.stdout.write(f"  {kind} {key}:保存的计数 {kept},重新统计 {counted}")
        if len(drift.counts) > SHOWN:
            self.stdout.write(f"  …… 共 {len(drift.counts)} 项计数不符")
        if drift.ok:
            self.stdout.write(self.style.SUCCESS("计数与数据库一致。"))
        elif options["repair"]:
            self.stdout.write(self.style.SUCCESS(f"已改正 {len(drift.counts)} 项计数、{len(drift.speeches)} 篇讲话的计数记录。"))
        else:
            raise CommandError("计数与数据库不一致;加 --repair 改正。", returncode=1)
