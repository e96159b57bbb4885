"""Fields a curator sets by hand are kept: re-import leaves the text fields alone
(speeches.ingest.pipeline reads Speech.locked_fields by field name) and re-extraction
the extracted ones (speeches.extract.review maps form fields to extraction names)."""

from speeches.extract.annotate import LOCKABLE_FIELDS
from speeches.extract.review import lock_curated_fields
from speeches.models import Speech

# Fields the importer rewrites from the source file.
IMPORTED_FIELDS = ("title", "body", "kind", "url", "date", "year")


def lockable_fields():
    """(name, label) of every field a curator can lock: the imported ones, then the
    extracted ones. Each name is a field of Speech, whose label it takes."""
    names = dict.fromkeys([*IMPORTED_FIELDS, *LOCKABLE_FIELDS])
    return [(name, Speech._meta.get_field(name).verbose_name) for name in names]


def lock_hand_edits(speech, changed):
    """Add what the curator changed (form field names, or inline model names such as
    "speechtopic" and "citation") to speech.locked_fields. Returns whether the list
    grew; the caller saves."""
    grew = lock_curated_fields(speech, changed)
    locked = list(speech.locked_fields or [])
    added = [name for name in IMPORTED_FIELDS if name in changed and name not in locked]
    speech.locked_fields = locked + added
    return grew or bool(added)
