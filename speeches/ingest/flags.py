"""The importer's flags in the review queue: fragments it repaired, copies it merged,
texts equal or nearly equal to another speech's. The importer queues them in the
transaction that writes the speeches (sync_import_flags), so the queue is right the
moment an import ends, whether it came through the admin or the command line; no page
writes them when it is read."""

from collections import defaultdict

from django.db import transaction
from django.db.models import Count, Q

from speeches.locks import IMPORT_QUESTIONS
from speeches.models import ReviewItem, Speech, fit, fit_value

# Confidence shown for importer flags: they are questions, not scored guesses.
FLAG_CONFIDENCE = 0.5
# The value of a flag naming another speech with the same text, or a nearly same one
# (found on import from another file).
SAME_TEXT_PREFIX = "同文:"
NEAR_TEXT_PREFIX = "近似:"


def duplicate_value(speech):
    return f"{SAME_TEXT_PREFIX}{speech.uid}"


def near_duplicate_value(speech):
    return f"{NEAR_TEXT_PREFIX}{speech.uid}"


def duplicate_of(item):
    """The other speech a same-text or near-text flag names, or None."""
    if item.field != ReviewItem.DUPLICATE:
        return None
    for prefix in (SAME_TEXT_PREFIX, NEAR_TEXT_PREFIX):
        if item.value.startswith(prefix):
            return Speech.objects.filter(uid=item.value[len(prefix):]).first()
    return None


def _wanted_flags(speech_ids=None):
    """{(speech id, field, value): reason} for everything the importer left to check,
    for these speeches (and those with the same text), or for the whole archive."""
    wanted = {}
    speeches = Speech.objects.not_merged()
    if speech_ids is not None:
        speeches = speeches.filter(pk__in=speech_ids)
    logged = speeches.exclude(import_log=[]).values_list("pk", "import_log")
    for pk, log in logged:
        for entry in log if isinstance(log, list) else []:
            kind = entry.get("kind") if isinstance(entry, dict) else None
            if kind == "repair" and entry.get("result"):
                reason = f"导入时把断开的“{entry.get('fragment', '')}”并回了句中，请核对"
                wanted[(pk, ReviewItem.REPAIR, fit_value(ReviewItem, "value", str(entry["result"])))] = reason
            elif kind == "merged_copy" and entry.get("note"):
                reason = "导入时把同一页面上的另一份副本并入了这篇，请核对是否确为同一讲话"
                wanted[(pk, ReviewItem.DUPLICATE, fit_value(ReviewItem, "value", str(entry["note"])))] = reason
            elif kind == "near_duplicate" and entry.get("note"):
                reason = str(entry.get("reason") or "导入时发现与另一文件中的讲话近似")
                wanted[(pk, ReviewItem.DUPLICATE, fit_value(ReviewItem, "value", str(entry["note"])))] = reason
    # The same text imported as separate speeches (from different files).
    hashes = Speech.objects.not_merged()
    if speech_ids is not None:
        hashes = hashes.filter(content_hash__in=speeches.values("content_hash"))
    shared = (
        hashes.order_by().values("content_hash")
        .annotate(n=Count("id")).filter(n__gt=1).values_list("content_hash", flat=True)
    )
    groups = defaultdict(list)
    for speech in Speech.objects.not_merged().filter(content_hash__in=list(shared)).order_by("pk").only(
        "pk", "uid", "title", "content_hash"
    ):
        groups[speech.content_hash].append(speech)
    for first, *others in groups.values():
        for other in others:
            reason = f"与“{first.title}”（{first.uid}）文本相同：合并，或确认两篇都保留"
            wanted[(other.pk, ReviewItem.DUPLICATE, duplicate_value(first))] = reason
    return wanted


def sync_import_flags(speech_ids=None):
    """Bring the queue's importer flags in line with these speeches (None: the whole
    archive): new flags are queued, pending ones whose cause is gone are dropped, decided
    ones are kept as they are. Returns the number of flags added."""
    wanted = _wanted_flags(speech_ids)
    items = ReviewItem.objects.filter(field__in=IMPORT_QUESTIONS)
    if speech_ids is not None:
        # The speeches asked about and those sharing their text (a flag sits on the later copy).
        named = [value(s) for s in Speech.objects.filter(pk__in=speech_ids) for value in (duplicate_value, near_duplicate_value)]
        items = items.filter(Q(speech_id__in={*speech_ids, *(key[0] for key in wanted)}) | Q(value__in=named))
    existing = {
        (speech_id, field, value): status
        for speech_id, field, value, status in items.values_list("speech_id", "field", "value", "status")
    }
    stale = [key for key, status in existing.items() if status == ReviewItem.PENDING and key not in wanted]
    with transaction.atomic():
        for speech_id, field, value in stale:
            ReviewItem.objects.filter(
                speech_id=speech_id, field=field, value=value, status=ReviewItem.PENDING
            ).delete()
        new = [
            ReviewItem(**fit(ReviewItem, speech_id=speech_id, field=field, value=value, confidence=FLAG_CONFIDENCE, reason=reason))
            for (speech_id, field, value), reason in wanted.items()
            if (speech_id, field, value) not in existing
        ]
        ReviewItem.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)
