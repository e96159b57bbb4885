"""The review queue's fixes: what a curator does with any queued item (the importer's
flags are queued by the importer itself, speeches.ingest.flags). Decisions are ReviewItem rows that
are never deleted, so they survive re-import, and extraction skips the values a curator
rejected (apply_decision)."""

from django.db import transaction
from django.db.models import OuterRef, Subquery

from speeches.curation.history import ensure_baseline
from speeches.curation.split import rewrite_sections
from speeches.extract import annotate_speech
from speeches.ingest.flags import duplicate_of  # noqa: F401 - the admin's fix page reads it here
from speeches.locks import HAND_EDIT_ANSWERS, lock_hand_edits
from speeches.models import (
    Citation,
    Official,
    Region,
    ReviewItem,
    SpeechTopic,
    Topic,
    fit,
    fit_value,
)


class FixError(ValueError):
    """A fix that cannot be applied as asked; the message says why."""


def with_value_labels(items):
    """ReviewItems annotated with what their value names: `region_name` for a region
    code, `topic_name` for a topic slug (one query, however many items)."""
    return items.annotate(
        region_name=Subquery(Region.objects.filter(code=OuterRef("value")).values("name")[:1]),
        topic_name=Subquery(Topic.objects.filter(slug=OuterRef("value")).values("name")[:1]),
    )


def value_label(item):
    """A queued value as a curator reads it: 山西省（14） for a region code, 经济发展 for
    a topic slug (items from with_value_labels), else the value itself."""
    if item.field == ReviewItem.REGION and getattr(item, "region_name", None):
        return f"{item.region_name}（{item.value}）"
    if item.field == ReviewItem.TOPIC and getattr(item, "topic_name", None):
        return item.topic_name
    return item.value


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
    name = fit_value(Official, "name", " ".join(name.split()))
    if not name:
        raise FixError("请填写正确的姓名。")
    return Official.objects.filter(name=name, name_is_partial=False).order_by("id").first() or Official.objects.create(
        **fit(Official, name=name, title=title)
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


def settle_hand_edits(speech, changed, user=None):
    """A curator set these fields by hand: the queue's pending questions about them are
    answered (accepted where the queued value is what the curator chose)."""
    fields = {HAND_EDIT_ANSWERS[name] for name in changed if name in HAND_EDIT_ANSWERS}
    for item in speech.review_items.filter(field__in=fields, status=ReviewItem.PENDING):
        _settle(item, item.value == _answer(speech, item.field), user)


def apply_decision(item, status, user=None):
    """Record a curator's decision on an extracted value; a rejected value leaves the
    speech at once (the speech is re-annotated, and extraction skips that value from now on)."""
    with transaction.atomic():
        item.decide(status, user)
        if status == ReviewItem.REJECTED:
            annotate_speech(item.speech)
