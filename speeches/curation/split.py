"""Splitting a speech the importer joined with the next one: the paragraphs from the
chosen one on become a new speech with its own public id."""

from django.db import transaction

from speeches.curation.history import ensure_baseline
from speeches.curation.locks import lock_hand_edits
from speeches.curation.recording import extraction_writes
from speeches.extract import annotate_speech
from speeches.ingest.parse import classify_kind
from speeches.ingest.sections import find_sections
from speeches.models import Section, Speech, content_hash


class SplitError(ValueError):
    """A split that cannot be done as asked; the message says why."""


def rewrite_sections(speech):
    """Replace the speech's outline with the one its body has now."""
    speech.sections.all().delete()
    Section.objects.bulk_create(
        Section(speech=speech, order=s.order, number=s.number, heading=s.heading[:300],
                level=s.level, start=s.start, end=s.end)
        for s in find_sections(speech.body)
    )


def split_speech(speech, paragraph, title):
    """Cut `speech` before its paragraph number `paragraph` (as numbered on the public
    page, from 1); the tail becomes a new speech titled `title`, of the same source and
    status. Both get new sections and a new extraction; title and body of both are
    locked so a re-import of the source does not join them again. Returns the new speech."""
    title = " ".join((title or "").split())[:300]
    if not title:
        raise SplitError("请填写后一篇讲话的标题。")
    spans = speech.paragraph_spans()
    if not 2 <= paragraph <= len(spans):
        raise SplitError(f"段落编号应在 2 到 {len(spans)} 之间：第 1 段之前无可拆分。")
    cut = spans[paragraph - 1][2]
    head, tail = speech.body[:cut].strip(), speech.body[cut:].strip()
    with transaction.atomic():
        ensure_baseline([speech])
        digest = content_hash(title + "\n" + tail)
        second = Speech.objects.create(
            uid=Speech.new_uid(digest),
            title=title,
            body=tail,
            kind=classify_kind(title, tail),
            source=speech.source,
            # Same place in the source; lists order it after the first part by id.
            position=speech.position,
            url=speech.url,
            content_hash=digest,
            status=speech.status,
            import_log=[{"kind": "split", "note": f"由 {speech.uid} 第 {paragraph} 段起拆分而来"}],
            locked_fields=["title", "body"],
        )
        speech.body = head
        lock_hand_edits(speech, ["title", "body"])
        speech.save(update_fields=["body", "locked_fields", "updated_at"])
        for part in (speech, second):
            rewrite_sections(part)
            with extraction_writes():
                annotate_speech(part)
    return second
