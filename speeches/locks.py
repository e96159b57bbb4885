"""The lock and review vocabulary of a speech, in one place: which fields the importer
rewrites, which extraction fills, what a curator's hand edit locks, and which of the review
queue's questions a hand edit answers.

Who reads it: the import pipeline skips locked imported fields (speeches.ingest.pipeline),
extraction skips locked extracted fields (speeches.extract.annotate), the admin and the
curation actions lock what a curator changed (lock_hand_edits) and settle the queue's
questions about it (speeches.curation.review.settle_hand_edits)."""

from speeches.models import ReviewItem, Speech

# Fields the importer rewrites from the source file (a lock keeps the curator's value).
IMPORTED_FIELDS = ("title", "body", "kind", "url", "date", "year")
# Fields extraction fills (a lock keeps the curator's value on re-extraction).
EXTRACTED_FIELDS = ("region", "officials", "speaker", "topics", "keywords", "date", "year")

# Speech form fields and inline models → the extracted field a hand edit of them locks.
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

# The review queue's questions: those extraction asks (each extraction replaces its pending
# ones) and those the importer asks (speeches.ingest.flags keeps them in line).
EXTRACTION_QUESTIONS = (ReviewItem.REGION, ReviewItem.OFFICIAL, ReviewItem.SPEAKER, ReviewItem.TOPIC, ReviewItem.DATE)
IMPORT_QUESTIONS = (ReviewItem.REPAIR, ReviewItem.DUPLICATE)

# Speech form fields → the review queue's field a hand edit of them answers.
HAND_EDIT_ANSWERS = {"region": ReviewItem.REGION, "date": ReviewItem.DATE, "speaker": ReviewItem.SPEAKER}


def lockable_fields():
    """(name, label) of every field a curator can lock: the imported ones, then the
    extracted ones. Each name is a field of Speech, whose label it takes."""
    names = dict.fromkeys([*IMPORTED_FIELDS, *EXTRACTED_FIELDS])
    return [(name, Speech._meta.get_field(name).verbose_name) for name in names]


def lock_curated_fields(speech, changed):
    """Add to speech.locked_fields the extracted fields a curator just changed by hand
    (form field names or inline model names), so re-extraction keeps them. Returns
    whether the list changed; the caller saves."""
    wanted = {FORM_FIELD_LOCKS[name] for name in changed if name in FORM_FIELD_LOCKS}
    locked = list(speech.locked_fields or [])
    added = [name for name in EXTRACTED_FIELDS if name in wanted and name not in locked]
    speech.locked_fields = locked + added
    return bool(added)


def lock_hand_edits(speech, changed):
    """Add what the curator changed (form field names, or inline model names such as
    "speechtopic" and "citation") to speech.locked_fields: the extracted fields they
    stand for and the imported fields themselves. Returns whether the list grew; the
    caller saves."""
    grew = lock_curated_fields(speech, changed)
    locked = list(speech.locked_fields or [])
    added = [name for name in IMPORTED_FIELDS if name in changed and name not in locked]
    speech.locked_fields = locked + added
    return grew or bool(added)
