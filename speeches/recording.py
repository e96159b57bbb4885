"""Which changes the edit history records.

Assignment history keeps what curators do through the admin (a request is being
served). Extraction replaces a speech's citations and topic scores wholesale; it marks
each row it deletes as not to be recorded (speeches.extract.annotate) and writes the new
ones in bulk, which records nothing: recording that churn would bury the curators' own
changes and offer "undo" on rows extraction re-creates anyway."""

from django.db.models import Field
from simple_history.models import HistoricalRecords


def _recording():
    return getattr(HistoricalRecords.context, "request", None) is not None


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
    """HistoricalRecords for Speech. Speeches created outside a request (scripts, the job
    worker) start their history at their next save; the importer leaves every creation out
    (Speech.objects.create_from_text), so each imported speech has one complete row, the
    state after its extraction. Speeches a curator creates are kept."""

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
        # simple-history honours skip_history_when_saving on saves only; deletions too here.
        if _recording() and not hasattr(instance, "skip_history_when_saving"):
            super().post_delete(instance, using=using, **kwargs)
