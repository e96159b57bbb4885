"""Splitting a speech the importer joined with the next one: the paragraphs from the
chosen one on become a new speech with its own public id."""

from django.db import transaction

from speeches.curation.history import ensure_baseline
from speeches.extract import annotate_speech
from speeches.ingest.parse import classify_kind
from speeches.ingest.sections import find_notes, find_sections
from speeches.locks import lock_hand_edits
from speeches.models import Speech, fit_value


class SplitError(ValueError):
    """A split that cannot be done as asked; the message says why."""


def rewrite_sections(speech):
    """Replace the speech's outline with the one its body has now (a glossary at its end,
    found again, is never outline)."""
    notes_start = find_notes(speech.body)
    if notes_start != speech.notes_start:
        speech.notes_start = notes_start
        Speech.objects.filter(pk=speech.pk).update(notes_start=notes_start)
    speech.write_sections(find_sections(speech.body, notes_start))


def split_speech(speech, paragraph, title):
    """Cut `speech` before its paragraph number `paragraph` (as numbered on the public
    page, from 1); the tail becomes a new speech titled `title`, of the same source and
    status. Both get new sections and a new extraction; title and body of both are
    locked so a re-import of the source does not join them again. Returns the new speech."""
    title = fit_value(Speech, "title", " ".join((title or "").split()))
    if not title:
        raise SplitError("请填写后一篇讲话的标题。")
    spans = speech.paragraph_spans()
    if not 2 <= paragraph <= len(spans):
        raise SplitError(f"段落编号应在 2 到 {len(spans)} 之间：第 1 段之前无可拆分。")
    cut = spans[paragraph - 1][2]
    head, tail = speech.body[:cut].strip(), speech.body[cut:].strip()
    with transaction.atomic():
        ensure_baseline([speech])
        second = Speech.objects.create_from_text(
            title,
            tail,
            kind=classify_kind(title, tail),
            source=speech.source,
            # Same place in the source; lists order it after the first part by id.
            position=speech.position,
            url=speech.url,
            status=speech.status,
            import_log=[{"kind": "split", "note": f"由 {speech.uid} 第 {paragraph} 段起拆分而来"}],
            locked_fields=["title", "body"],
        )
        speech.body = head
        lock_hand_edits(speech, ["title", "body"])
        speech.save(update_fields=["body", "locked_fields", "updated_at"])
        for part in (speech, second):
            rewrite_sections(part)
            annotate_speech(part)
    return second
