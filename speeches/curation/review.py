"""The review queue beyond extraction: what the importer did that a curator should
check (fragments it repaired, copies it merged, texts equal to another speech's), and
the fixes a curator applies to any queued item. Decisions are ReviewItem rows that
are never deleted, so they survive re-import (speeches.extract.review keeps the
extraction side: apply_decision, decided values skipped by extraction)."""

from collections import defaultdict

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery

from speeches.curation.history import ensure_baseline
from speeches.curation.locks import lock_hand_edits
from speeches.curation.recording import extraction_writes
from speeches.curation.split import rewrite_sections
from speeches.extract import annotate_speech
from speeches.models import Citation, Official, Region, ReviewItem, Speech, SpeechTopic, Topic

IMPORT_FLAGS = (ReviewItem.REPAIR, ReviewItem.DUPLICATE)
# Confidence shown for importer flags: they are questions, not scored guesses.
FLAG_CONFIDENCE = 0.5
# The value of a flag naming another speech with the same text, or a nearly same one
# (found on import from another file).
SAME_TEXT_PREFIX = "同文:"
NEAR_TEXT_PREFIX = "近似:"


class FixError(ValueError):
    """A fix that cannot be applied as asked; the message says why."""


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


def with_value_labels(items):
    """ReviewItems annotated with what their value names: `region_name` for a region
    code, `topic_name` for a topic slug (one query, however many items)."""
    return items.annotate(
        region_name=Subquery(Region.objects.filter(code=OuterRef("value")).values("name")[:1]),
        topic_name=Subquery(Topic.objects.filter(slug=OuterRef("value")).values("name")[:1]),
    )


def value_label(item):
    """A queued value as a curator reads it: 山西省(14) for a region code, 经济发展 for
    a topic slug (items from with_value_labels), else the value itself."""
    if item.field == ReviewItem.REGION and getattr(item, "region_name", None):
        return f"{item.region_name}（{item.value}）"
    if item.field == ReviewItem.TOPIC and getattr(item, "topic_name", None):
        return item.topic_name
    return item.value


def _wanted_flags():
    """{(speech id, field, value): reason} for everything the importer left to check."""
    wanted = {}
    logged = Speech.objects.filter(merged_into=None).exclude(import_log=[]).values_list("pk", "import_log")
    for pk, log in logged:
        for entry in log if isinstance(log, list) else []:
            kind = entry.get("kind") if isinstance(entry, dict) else None
            if kind == "repair" and entry.get("result"):
                reason = f"导入时把断开的“{entry.get('fragment', '')}”并回了句中，请核对"
                wanted[(pk, ReviewItem.REPAIR, str(entry["result"])[:200])] = reason
            elif kind == "merged_copy" and entry.get("note"):
                reason = "导入时把同一页面上的另一份副本并入了这篇，请核对是否确为同一讲话"
                wanted[(pk, ReviewItem.DUPLICATE, str(entry["note"])[:200])] = reason
            elif kind == "near_duplicate" and entry.get("note"):
                reason = str(entry.get("reason") or "导入时发现与另一文件中的讲话近似")
                wanted[(pk, ReviewItem.DUPLICATE, str(entry["note"])[:200])] = reason
    # The same text imported as separate speeches (from different files).
    shared = (
        Speech.objects.filter(merged_into=None).order_by().values("content_hash")
        .annotate(n=Count("id")).filter(n__gt=1).values_list("content_hash", flat=True)
    )
    groups = defaultdict(list)
    for speech in Speech.objects.filter(merged_into=None, content_hash__in=list(shared)).order_by("pk").only(
        "pk", "uid", "title", "content_hash"
    ):
        groups[speech.content_hash].append(speech)
    for first, *others in groups.values():
        for other in others:
            reason = f"与“{first.title}”（{first.uid}）文本相同：合并，或确认两篇都保留"
            wanted[(other.pk, ReviewItem.DUPLICATE, duplicate_value(first))] = reason
    return wanted


def refresh_import_flags():
    """Bring the queue's importer flags in line with the speeches: new flags are queued,
    pending ones whose cause is gone are dropped, decided ones are kept as they are.
    Returns the number of flags added."""
    wanted = _wanted_flags()
    existing = {
        (speech_id, field, value): status
        for speech_id, field, value, status in ReviewItem.objects.filter(field__in=IMPORT_FLAGS).values_list(
            "speech_id", "field", "value", "status"
        )
    }
    stale = [key for key, status in existing.items() if status == ReviewItem.PENDING and key not in wanted]
    with transaction.atomic():
        for speech_id, field, value in stale:
            ReviewItem.objects.filter(
                speech_id=speech_id, field=field, value=value, status=ReviewItem.PENDING
            ).delete()
        new = [
            ReviewItem(speech_id=speech_id, field=field, value=value, confidence=FLAG_CONFIDENCE, reason=reason[:300])
            for (speech_id, field, value), reason in wanted.items()
            if (speech_id, field, value) not in existing
        ]
        ReviewItem.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


# Fixes: the curator gives the right value; the queued one is rejected (or accepted when
# the curator confirms it), the field is set and locked so re-import keeps it.


def _settle(item, right, user):
    item.decide(ReviewItem.ACCEPTED if right else ReviewItem.REJECTED, user)


def _save_locked(speech, changed, fields):
    lock_hand_edits(speech, changed)
    speech.save(update_fields=sorted({*fields, "locked_fields", "updated_at"}))


def fix_region(item, region, user=None):
    speech = item.speech
    with transaction.atomic():
        ensure_baseline([speech])
        _settle(item, region.code == item.value, user)
        speech.region = region
        # Set by a curator: as sure as it gets.
        speech.region_confidence = 1.0
        _save_locked(speech, ["region"], ["region", "region_confidence"])
        # Region mentions mark the new primary region; locked fields stay as set.
        with extraction_writes():
            annotate_speech(speech)


def fix_topic(item, topic, user=None):
    speech = item.speech
    with transaction.atomic():
        _settle(item, topic.slug == item.value, user)
        for wrong in SpeechTopic.objects.filter(speech=speech, topic__slug=item.value).exclude(topic=topic):
            wrong.delete()
        SpeechTopic.objects.get_or_create(speech=speech, topic=topic, defaults={"score": 1.0})
        _save_locked(speech, ["speechtopic"], [])


def _official_named(name, title=""):
    name = " ".join(name.split())[:50]
    if not name:
        raise FixError("请填写正确的姓名。")
    return Official.objects.filter(name=name, name_is_partial=False).order_by("id").first() or Official.objects.create(
        name=name, title=title[:200]
    )


def fix_official(item, name, title="", user=None):
    """The mentions read as item.value belong to the official named `name`."""
    speech = item.speech
    with transaction.atomic():
        official = _official_named(name, title)
        _settle(item, official.name == item.value, user)
        citations = list(Citation.objects.filter(speech=speech, official__name=item.value))
        ensure_baseline(citations)
        for citation in citations:
            citation.official = official
            citation.save(update_fields=["official"])
        _save_locked(speech, ["citation"], [])


def fix_speaker(item, name, title="", user=None):
    speech = item.speech
    with transaction.atomic():
        ensure_baseline([speech])
        speech.speaker = _official_named(name, title)
        _settle(item, speech.speaker.name == item.value, user)
        _save_locked(speech, ["speaker"], ["speaker"])


def fix_date(item, day, user=None):
    speech = item.speech
    with transaction.atomic():
        ensure_baseline([speech])
        _settle(item, day.isoformat() == item.value, user)
        speech.date, speech.year, speech.year_masked = day, day.year, False
        _save_locked(speech, ["date", "year"], ["date", "year", "year_masked"])


def repaired_paragraph(item):
    """(index, text) of the paragraph holding a repaired passage, or None."""
    for index, text in item.speech.paragraphs():
        if item.value in text:
            return index, text
    return None


def fix_repair(item, text, user=None):
    """Replace the paragraph the importer repaired with the curator's text."""
    text = " ".join(text.split())
    if not text:
        raise FixError("段落不能为空；要删去整段，请在讲话页面修改正文。")
    found = repaired_paragraph(item)
    if found is None:
        raise FixError("正文里已找不到这处修复（正文可能已被修改），请在讲话页面直接修改。")
    speech = item.speech
    index = found[0]
    with transaction.atomic():
        ensure_baseline([speech])
        _settle(item, text == found[1], user)
        lines = speech.body.split("\n")
        start = speech.paragraph_spans()[index - 1][2]
        line_number = speech.body.count("\n", 0, start)
        lines[line_number] = text
        speech.body = "\n".join(lines)
        _save_locked(speech, ["body"], ["body"])
        rewrite_sections(speech)


def _answer(speech, field):
    if field == ReviewItem.REGION:
        return speech.region.code if speech.region_id else ""
    if field == ReviewItem.DATE:
        return speech.date.isoformat() if speech.date else ""
    return speech.speaker.name if speech.speaker_id else ""


# Speech form fields → the queue field a hand edit of them answers.
HAND_EDIT_ANSWERS = {"region": ReviewItem.REGION, "date": ReviewItem.DATE, "speaker": ReviewItem.SPEAKER}


def settle_hand_edits(speech, changed, user=None):
    """A curator set these fields by hand: the queue's pending questions about them are
    answered (accepted where the queued value is what the curator chose)."""
    fields = {HAND_EDIT_ANSWERS[name] for name in changed if name in HAND_EDIT_ANSWERS}
    for item in speech.review_items.filter(field__in=fields, status=ReviewItem.PENDING):
        _settle(item, item.value == _answer(speech, item.field), user)
