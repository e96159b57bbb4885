"""Merging duplicates: one speech is kept; the copies point to it (merged_into), leave
public lists and search (status withdrawn, indexed as merged) and their addresses
redirect to it (speeches.views.pages.speech_detail)."""

from speeches import counts
from speeches.curation.history import ensure_baseline
from speeches.ingest.flags import duplicate_value, near_duplicate_value
from speeches.models import ReviewItem, Speech


class MergeError(ValueError):
    """A merge that cannot be done as asked; the message says why."""


def merge_duplicates(keep, copies, user=None):
    """Merge `copies` into `keep`; returns the copies merged. Copies merged earlier into
    one of them now point straight to `keep`, so a redirect never takes two hops."""
    copies = [copy for copy in copies if copy.pk != keep.pk]
    if not copies:
        raise MergeError("请至少选择两篇讲话：一篇保留，其余并入它。")
    if keep.is_merged_copy:
        raise MergeError(f"“{keep.title}”已并入另一篇讲话，不能作为保留的一篇。")
    with counts.deferred():  # one transaction, the browse counts moved once at its end
        earlier = list(Speech.objects.filter(merged_into__in=copies).exclude(pk=keep.pk))
        moved = copies + earlier
        ensure_baseline(moved)
        for copy in moved:
            copy.merged_into = keep
            copy.status = Speech.WITHDRAWN
            copy.save(update_fields=["merged_into", "status", "updated_at"])
        _settle_duplicate_flags(keep, copies, user)
    return copies


def _settle_duplicate_flags(keep, copies, user):
    """The queue's duplicate flags the merge answers: every one on the copies, and those
    on the kept speech that name one of the copies."""
    pending = ReviewItem.objects.filter(field=ReviewItem.DUPLICATE, status=ReviewItem.PENDING)
    answered = pending.filter(speech__in=copies) | pending.filter(
        speech=keep,
        value__in=[value(copy) for copy in copies for value in (duplicate_value, near_duplicate_value)],
    )
    for item in answered:
        item.decide(ReviewItem.ACCEPTED, user)
