"""Which changes the edit history records.

Extraction replaces a speech's citations and topic scores wholesale: it deletes them
one by one (each deletion would be a history row) and writes the new ones in bulk
(never recorded). Recording that churn would bury the curators' own changes and offer
"undo" on rows extraction re-creates anyway. So assignment history keeps what is done
through the admin (a request is being served) outside extraction runs."""

import contextlib
import threading

from simple_history.models import HistoricalRecords

_state = threading.local()


@contextlib.contextmanager
def extraction_writes():
    """Within this block, assignment rows written or deleted are not recorded."""
    previous = getattr(_state, "extracting", False)
    _state.extracting = True
    try:
        yield
    finally:
        _state.extracting = previous


def _recording():
    in_request = getattr(HistoricalRecords.context, "request", None) is not None
    return in_request and not getattr(_state, "extracting", False)


class SpeechHistory(HistoricalRecords):
    """HistoricalRecords for Speech. An import writes each new speech twice: created,
    then saved with its extraction; only the second, complete state is kept (one copy
    of the text per imported speech, not two). Speeches a curator creates are kept."""

    def post_save(self, instance, created, using=None, **kwargs):
        if created and not _recording():
            return
        super().post_save(instance, created, using=using, **kwargs)


class AssignmentHistory(HistoricalRecords):
    """HistoricalRecords for SpeechTopic and Citation: curators' changes only."""

    def post_save(self, instance, created, using=None, **kwargs):
        if _recording():
            super().post_save(instance, created, using=using, **kwargs)

    def post_delete(self, instance, using=None, **kwargs):
        if _recording():
            super().post_delete(instance, using=using, **kwargs)
