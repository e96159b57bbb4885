"""Publishing, withdrawing, re-extracting and re-indexing speeches. Each change is a
save(): it is recorded in the history and queued for the search index."""

from django.db import transaction

from speeches import counts, search
from speeches.curation.history import ensure_baseline
from speeches.extract import annotate_speech
from speeches.models import Speech


def set_status(speeches, status):
    """Give the speeches `status`; returns (changed, skipped) lists. A copy merged into
    another speech stays withdrawn: its address redirects to the kept one."""
    changed, skipped = [], []
    # The browse counts of all of them moved once, at the end (a job withdraws thousands).
    with counts.deferred():
        for speech in speeches:
            if speech.status == status:
                continue
            if status == Speech.PUBLISHED and speech.is_merged_copy:
                skipped.append(speech)
                continue
            ensure_baseline([speech])
            speech.status = status
            speech.save(update_fields=["status", "updated_at"])
            changed.append(speech)
    return changed, skipped


def publish(speeches):
    return set_status(speeches, Speech.PUBLISHED)


def withdraw(speeches):
    return set_status(speeches, Speech.WITHDRAWN)


def reextract(speeches):
    """Run extraction again; fields in locked_fields and decided review items are kept."""
    count = 0
    for speech in speeches:
        with transaction.atomic():
            ensure_baseline([speech])
            annotate_speech(speech)
        count += 1
    return count


def reindex(speech_ids):
    """Write these speeches' index entries now."""
    return search.index_speeches(list(speech_ids))
