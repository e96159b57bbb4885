"""The admin's word on the extraction queue: how many speeches wait, how many failed."""

from django import template

from speeches.models import PendingExtraction

register = template.Library()


@register.simple_tag
def extraction_waiting():
    """{"waiting": n, "failed": n} of the speeches not extracted yet."""
    failed = PendingExtraction.objects.exclude(error="").count()
    return {"waiting": PendingExtraction.objects.count() - failed, "failed": failed}
