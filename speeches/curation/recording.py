"""Which changes the edit history records.

Extraction replaces a speech's citations and topic scores wholesale: it deletes them
one by one (each deletion would be a history row) and writes the new ones in bulk
(never recorded). Recording that churn would bury the curators' own changes and offer
"undo" on rows extraction re-creates anyway. So assignment history keeps what is done
through the admin (a request is being served) outside extraction runs."""

import contextlib
import threading

from django.db.models import Field
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


class NamedHistory(HistoricalRecords):
    """HistoricalRecords whose own fields have Chinese names: simple-history leaves them
    unnamed, and the admin showed "History date", "History user"."""

    FIELD_NAMES = {
        "history_id": "记录编号",
        "history_date": "修改时间",
        "history_change_reason": "修改原因",
        "history_type": "操作",
        "history_user": "修改人",
    }

    def get_extra_fields(self, model, fields):
        extra = super().get_extra_fields(model, fields)
        for name, label in self.FIELD_NAMES.items():
            if isinstance(extra.get(name), Field):
                # _verbose_name is what migrations record of it.
                extra[name].verbose_name = extra[name]._verbose_name = label
        return extra


class SpeechHistory(NamedHistory):
    """HistoricalRecords for Speech. An import writes each new speech twice: created,
    then saved with its extraction; only the second, complete state is kept (one copy
    of the text per imported speech, not two). Speeches a curator creates are kept."""

    def post_save(self, instance, created, using=None, **kwargs):
        if created and not _recording():
            return
        super().post_save(instance, created, using=using, **kwargs)


class AssignmentHistory(NamedHistory):
    """HistoricalRecords for SpeechTopic and Citation: curators' changes only."""

    def post_save(self, instance, created, using=None, **kwargs):
        if _recording():
            super().post_save(instance, created, using=using, **kwargs)

    def post_delete(self, instance, using=None, **kwargs):
        if _recording():
            super().post_delete(instance, using=using, **kwargs)
