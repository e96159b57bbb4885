"""Curators' decisions on extracted values, and the fields they set by hand."""

from django.db import transaction

from speeches.extract.annotate import LOCKABLE_FIELDS, annotate_speech
from speeches.models import ReviewItem

# Speech form fields and inline models → the extraction field they override.
FORM_FIELD_LOCKS = {
    "region": "region",
    "region_confidence": "region",
    "speaker": "speaker",
    "date": "date",
    "year": "year",
    "year_masked": "year",
    "keywords": "keywords",
    "citation": "officials",
    "speechtopic": "topics",
}


def apply_decision(item, status, user=None):
    """Record a curator's decision; a rejected value leaves the speech at once (the
    speech is re-annotated, and extraction skips that value from now on)."""
    with transaction.atomic():
        item.decide(status, user)
        if status == ReviewItem.REJECTED:
            annotate_speech(item.speech)


def lock_curated_fields(speech, changed):
    """Add to speech.locked_fields the extraction fields a curator just changed by hand
    (form field names or inline model names), so re-extraction keeps them. Returns
    whether the list changed; the caller saves."""
    wanted = {FORM_FIELD_LOCKS[name] for name in changed if name in FORM_FIELD_LOCKS}
    locked = list(speech.locked_fields or [])
    added = [name for name in LOCKABLE_FIELDS if name in wanted and name not in locked]
    speech.locked_fields = locked + added
    return bool(added)
