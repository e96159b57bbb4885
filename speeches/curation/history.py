"""Edit history (django-simple-history) as curators need it: a revertable starting point
for records written in bulk, and the topic and official assignments of a speech."""

from collections import defaultdict
from itertools import chain

from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction

from speeches.locks import lock_hand_edits
from speeches.models import Citation, SpeechTopic

# history_change_reason of the rows written by ensure_baseline.
BASELINE_REASON = "修改前的状态"
# Assignment models → the Speech.locked_fields entry a revert sets (see speeches.locks).
ASSIGNMENT_LOCKS = {SpeechTopic: "speechtopic", Citation: "citation"}


def ensure_baseline(objects):
    """Record the stored state of records that have no history yet (imported in bulk,
    or before history was kept), so the change about to be made can be reverted.
    Call before changing them; reads the database, not the objects in memory."""
    by_model = defaultdict(list)
    for obj in objects:
        if obj.pk is not None:
            by_model[type(obj)].append(obj.pk)
    for model, ids in by_model.items():
        recorded = set(model.history.filter(id__in=ids).values_list("id", flat=True).distinct())
        missing = [pk for pk in ids if pk not in recorded]
        if missing:
            stored = list(model.objects.filter(pk__in=missing))
            for obj in stored:
                # Nobody made this state in the admin: not the curator about to change it.
                obj._history_user = None
            model.history.bulk_history_create(stored, default_change_reason=BASELINE_REASON)


def assignment_changes(speech, limit=200):
    """The recorded changes to a speech's topics and cited officials, newest first."""
    topics = SpeechTopic.history.filter(speech_id=speech.pk).select_related("history_user", "topic")
    citations = Citation.history.filter(speech_id=speech.pk).select_related("history_user", "official")
    records = chain(topics.order_by("-history_date")[:limit], citations.order_by("-history_date")[:limit])
    changes = sorted(records, key=lambda r: (r.history_date, r.history_id), reverse=True)[:limit]
    for record in changes:
        record.is_baseline = record.history_change_reason == BASELINE_REASON
        record.label = assignment_label(record)
        record.model_name = record.instance_type._meta.model_name
    return changes


def assignment_label(record):
    """What a topic or citation history row is about, for messages and the history page."""
    if isinstance(record.instance, SpeechTopic):
        return f"主题：{_name(record, 'topic')}"
    return f"提及：{record.mention}（{_name(record, 'official')}）"


def _name(record, field):
    """The related row's name, or its id when the row is gone since."""
    try:
        return getattr(record, field).name
    except ObjectDoesNotExist:
        return f"#{getattr(record, field + '_id')}"


class RevertError(ValueError):
    """A change that cannot be undone as asked; the message says why."""


def revert_assignment(record, speech):
    """Undo one recorded change of a topic or citation row of `speech`: an addition is
    removed, a removal restored, a change set back to the state before it. The speech's
    assignments are then curated by hand: re-extraction leaves them alone."""
    model = type(record.instance)
    if model not in ASSIGNMENT_LOCKS or record.speech_id != speech.pk:
        raise RevertError("这条记录不属于这篇讲话。")
    current = model.objects.filter(pk=record.id).first()
    with transaction.atomic():
        if record.history_type == "+":
            if current is None:
                raise RevertError("这一项已经不在了，无需撤销。")
            current.delete()
        elif record.history_type == "-":
            if current is not None:
                raise RevertError("这一项已经恢复了。")
            _restore(record.instance)
        else:
            previous = record.prev_record
            if previous is None:
                raise RevertError("没有这次修改之前的记录，无法撤销。")
            _restore(previous.instance)
        if lock_hand_edits(speech, [ASSIGNMENT_LOCKS[model]]):
            speech.save(update_fields=["locked_fields"])


def _restore(instance):
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        raise RevertError("无法恢复：讲话已有相同的一项（例如同一主题）。") from exc
