"""Which changes the edit history records.

Assignment history keeps what curators do through the admin (a request is being
served). Extraction replaces a speech's citations and topic scores wholesale; it marks
each row it deletes as not to be recorded (speeches.extract.annotate) and writes the new
ones in bulk, which records nothing: recording that churn would bury the curators' own
changes and offer "undo" on rows extraction re-creates anyway."""

from simple_history.models import HistoricalRecords


def _recording():
    return getattr(HistoricalRecords.context, "request", None) is not None


class SpeechHistory(HistoricalRecords):
    """HistoricalRecords for Speech. Speeches created outside a request (scripts, the job
    worker) start their history at their next save; the importer leaves every creation out
    (Speech.objects.create_from_text), so each imported speech has one complete row, the
    state after its extraction. Speeches a curator creates are kept."""

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
        # simple-history honours skip_history_when_saving on saves only; deletions too here.
        if _recording() and not hasattr(instance, "skip_history_when_saving"):
            super().post_delete(instance, using=using, **kwargs)
