"""Is the index equal to the database? Each speech's signature (indexing.document_signature,
computed from the database) against the one the backend stored with its entry; the
same for every backend (backend.SearchBackend.signatures)."""

from dataclasses import dataclass, field

from speeches.models import PendingIndexUpdate, Speech
from speeches.search import backend
from speeches.search.backend import CURRENT, UNSURE
from speeches.search.indexing import _speeches, document_signature

# Speeches whose entries index_state() compares, spread over the archive.
STATE_SAMPLE = 100
_ABSENT = object()


def index_speeches(speech_ids):
    """Queue these speeches and apply the queue now (bulk loads that bypass signals)."""
    PendingIndexUpdate.objects.bulk_create([PendingIndexUpdate(speech_id=i) for i in set(speech_ids)])
    return backend.current().apply_pending(blocking=True)


@dataclass
class Drift:
    """Differences between database and index, as speech ids."""

    checked: int = 0
    missing: list = field(default_factory=list)  # in the database, not in the index
    stale: list = field(default_factory=list)  # indexed from an older state
    extra: list = field(default_factory=list)  # in the index, gone from the database

    @property
    def ok(self):
        return not (self.missing or self.stale or self.extra)


def check(repair=False):
    """Compare every speech with its index entry; with repair, re-index the differences."""
    engine = backend.current()
    engine.apply_pending(blocking=True)
    indexed = engine.signatures()
    drift = Drift()
    for speech in _speeches():
        drift.checked += 1
        signature = indexed.pop(speech.pk, _ABSENT)
        if signature is _ABSENT:
            drift.missing.append(speech.pk)
        elif signature != document_signature(speech):
            drift.stale.append(speech.pk)
    drift.extra = sorted(indexed)
    if repair and not drift.ok:
        index_speeches(drift.missing + drift.stale + drift.extra)
    return drift


def index_state():
    """How the served index stands against the database, found cheaply: it reads
    STATE_SAMPLE speeches where check() reads them all. CURRENT when nothing is queued,
    the index holds one entry per speech and the sampled entries match their speeches
    (a change to what is indexed changes every signature, so a sample finds it);
    MISSING or OTHER_SCHEMA as the backend's layout() says; else UNSURE."""
    engine = backend.current()
    layout = engine.layout()
    if layout != CURRENT:
        return layout
    ids = list(Speech.objects.order_by("id").values_list("id", flat=True))
    if PendingIndexUpdate.objects.exists() or engine.entry_count() != len(ids):
        return UNSURE
    # Evenly spaced, and the newest speech, the likeliest to have been missed.
    sample = set(ids[:: max(1, len(ids) // STATE_SAMPLE)]) | set(ids[-1:])
    indexed = engine.signatures(sample)
    for speech in _speeches(sample):
        if indexed.get(speech.pk, _ABSENT) != document_signature(speech):
            return UNSURE
    return CURRENT
