from django.core.management.base import BaseCommand
from django.db import transaction

from speeches.extract import annotate_speech
from speeches.management.progress import Progress
from speeches.models import Speech

BATCH = 200


class Command(BaseCommand):
    help = (
        "对已入库的讲话重新抽取地区、官员、主题、关键词、日期与讲话人（例如分类表或抽取规则改变之后）；"
        "人工锁定的字段和审核决定保持不变。"
    )

    def add_arguments(self, parser):
        parser.add_argument("uids", nargs="*", help="讲话的公开编号（默认：全部讲话）")

    def handle(self, *args, **options):
        speeches = Speech.objects.all()
        if options["uids"]:
            speeches = speeches.filter(uid__in=options["uids"])
        ids = list(speeches.values_list("pk", flat=True))
        # Batches in one transaction each: the search index is updated once per batch.
        with Progress(self, total=len(ids), unit="篇", desc="重新抽取") as progress:
            for start in range(0, len(ids), BATCH):
                with transaction.atomic():
                    for speech in Speech.objects.filter(pk__in=ids[start : start + BATCH]):
                        annotate_speech(speech)
                        progress.update()
        self.stdout.write(f"已重新抽取 {len(ids)} 篇讲话。")
