"""Queue an index update whenever a speech or one of its rows changes.

The PendingIndexUpdate row is written in the same transaction as the change, so
nothing is lost if the process dies before indexing; the queue is applied after
commit (one drain per transaction, not per row). settings.SEARCH_INDEX_UPDATES:

    "on_commit"  (default) apply the queue after the transaction commits
    "immediate"  apply it at once, inside the transaction (tests: pytest-django
                 wraps each test in a transaction that never commits)
    "queue"      only queue; `manage.py check_index --repair` or
                 speeches.search.process_pending() applies it

Within updates_held(), a thread's changes only queue, whatever the mode, and the queue is
applied when it ends (apply_queued_now): a loop of many small transactions (the extraction
queue's batches) then writes one index segment for hundreds of speeches, not one per
transaction, each of which Whoosh may merge into the segments before it.

The queue is applied by the configured backend (backend.py: apply_pending).

Connected in SpeechesConfig.ready().
"""

import logging
import threading
from contextlib import contextmanager

from django.conf import settings
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from speeches.models import (
    Citation,
    Official,
    PendingIndexUpdate,
    Region,
    Section,
    Speech,
    SpeechTopic,
    Topic,
)
from speeches.search import backend, dictionary

log = logging.getLogger(__name__)
_state = threading.local()


def _mode():
    return "queue" if getattr(_state, "held", False) else settings.SEARCH_INDEX_UPDATES


@contextmanager
def updates_held(blocking=True):
    """This thread's changes only queue their index updates until the block ends; then
    the queue is applied (apply_queued_now(blocking)). Call apply_queued_now() inside it
    to apply what is queued so far. The vocabulary's reload is not held."""
    if getattr(_state, "held", False):  # nested: the outer block applies
        yield
        return
    _state.held = True
    failed = True
    try:
        yield
        failed = False
    finally:
        # Even when the block failed: what its committed transactions queued is applied.
        _state.held = False
        if not failed:
            apply_queued_now(blocking)
        else:
            try:
                apply_queued_now(blocking)
            except Exception:  # the block's own error is the one to raise
                log.exception("applying held index updates failed; the queue keeps them")


def apply_queued_now(blocking=True):
    """Apply the queue now as the mode says. Outside a transaction, when another process
    holds the index writer, wait for it (blocking) or leave the queue to it (it applies the
    queue again before it lets go). Inside an outer transaction (a caller's) nothing is
    committed yet: in "on_commit" mode the queue is applied when that commits."""
    mode = settings.SEARCH_INDEX_UPDATES
    if mode == "immediate":
        backend.current().apply_pending(blocking=True)
    elif mode == "on_commit":
        if transaction.get_connection().in_atomic_block:
            _once_after_commit(_apply_queue)
        else:
            _apply_queue(blocking=blocking)


def enqueue(speech_ids):
    """Queue these speeches for re-indexing (call it after bulk changes that send no signals)."""
    ids = sorted({int(i) for i in speech_ids if i is not None})
    if not ids:
        return
    PendingIndexUpdate.objects.bulk_create([PendingIndexUpdate(speech_id=i) for i in ids])
    mode = _mode()
    if mode == "immediate":
        backend.current().apply_pending(blocking=True)
    elif mode == "on_commit":
        _once_after_commit(_apply_queue)


def _apply_queue(blocking=False):
    # After commit the change is safe in the queue: a failure here must not turn
    # the user's successful save into an error page.
    try:
        backend.current().apply_pending(blocking=blocking)
    except Exception:
        log.exception("search index update failed; the queue keeps it for the next writer")


def vocabulary_changed():
    """Every process reloads the dictionary: at once, or after the transaction commits
    (held index updates or not: the held updates are written with the new vocabulary)."""
    if settings.SEARCH_INDEX_UPDATES == "immediate":
        dictionary.mark_stale()
    else:
        _once_after_commit(dictionary.mark_stale)


def _once_after_commit(func):
    """transaction.on_commit(func), registered once per transaction however many
    rows change in it."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        transaction.on_commit(func)  # autocommit: runs now
        return
    scheduled = getattr(_state, "scheduled", None)
    if scheduled is None:
        scheduled = _state.scheduled = {}
    callback = scheduled.get(func)
    # A callback registered in a rolled-back transaction or savepoint is gone from
    # the connection's list: register a new one then.
    if callback is not None and any(entry[1] is callback for entry in connection.run_on_commit):
        return

    def callback():
        scheduled.pop(func, None)
        func()

    scheduled[func] = callback
    transaction.on_commit(callback)


# Handlers ---------------------------------------------------------------------


def _speech_changed(sender, instance, **kwargs):
    enqueue([instance.pk])


def _speech_row_changed(sender, instance, **kwargs):
    enqueue([instance.speech_id])


def _relation_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """speech.topics.add(...), topic.speeches.remove(...) and the like."""
    if action == "pre_clear" and reverse:
        # After the clear nobody can say which speeches it touched.
        instance._search_cleared_speech_ids = list(instance.speeches.values_list("pk", flat=True))
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        enqueue([instance.pk])
    elif action == "post_clear":
        enqueue(getattr(instance, "_search_cleared_speech_ids", []))
    else:
        enqueue(pk_set or [])


def _speech_deleting(sender, instance, **kwargs):
    # Copies merged into this speech get merged_into=NULL (SET_NULL sends no signal)
    # and become searchable again.
    enqueue(instance.merged_copies.values_list("pk", flat=True))


def _remember_old_values(*field_names):
    """pre_save handler keeping the stored values of field_names, to see what changed."""

    def handler(sender, instance, **kwargs):
        if instance.pk:
            instance._search_old_values = (
                sender.objects.filter(pk=instance.pk).values_list(*field_names).first()
            )

    return handler


def _changed(instance, *field_names):
    old = getattr(instance, "_search_old_values", None)
    return old is not None and old != tuple(getattr(instance, name) for name in field_names)


def _topic_saved(sender, instance, created, **kwargs):
    vocabulary_changed()
    if _changed(instance, "slug"):
        enqueue(instance.speeches.values_list("pk", flat=True))


def _region_subtree(region):
    """The ids of region and every region below it."""
    ids, frontier = {region.pk}, [region.pk]
    while frontier:
        frontier = list(Region.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.update(frontier)
    return ids


def _region_saved(sender, instance, created, **kwargs):
    vocabulary_changed()
    if _changed(instance, "code", "parent_id"):
        # Speeches of this region and below carry its code (and its ancestors') in the index.
        enqueue(Speech.objects.filter(region__in=_region_subtree(instance)).values_list("pk", flat=True))


def _region_deleted(sender, instance, **kwargs):
    # Speech.region is SET_NULL: an UPDATE that sends no signal.
    enqueue(instance.speeches.values_list("pk", flat=True))


def _official_changed(sender, instance, **kwargs):
    vocabulary_changed()


def _official_deleting(sender, instance, **kwargs):
    # Speech.speaker is SET_NULL (no signal); citations cascade and send their own.
    enqueue(instance.speeches_delivered.values_list("pk", flat=True))


def _vocabulary_row_deleted(sender, instance, **kwargs):
    vocabulary_changed()


def connect():
    uid = "speeches.search"
    post_save.connect(_speech_changed, sender=Speech, dispatch_uid=f"{uid}.speech_saved")
    post_delete.connect(_speech_changed, sender=Speech, dispatch_uid=f"{uid}.speech_deleted")
    pre_delete.connect(_speech_deleting, sender=Speech, dispatch_uid=f"{uid}.speech_deleting")
    for model in (Section, SpeechTopic, Citation):
        post_save.connect(_speech_row_changed, sender=model, dispatch_uid=f"{uid}.{model.__name__}_saved")
        post_delete.connect(_speech_row_changed, sender=model, dispatch_uid=f"{uid}.{model.__name__}_deleted")
    m2m_changed.connect(_relation_changed, sender=Speech.topics.through, dispatch_uid=f"{uid}.topics")
    m2m_changed.connect(_relation_changed, sender=Speech.officials.through, dispatch_uid=f"{uid}.officials")

    pre_save.connect(_remember_old_values("slug"), sender=Topic, dispatch_uid=f"{uid}.topic_presave", weak=False)
    post_save.connect(_topic_saved, sender=Topic, dispatch_uid=f"{uid}.topic_saved")
    post_delete.connect(_vocabulary_row_deleted, sender=Topic, dispatch_uid=f"{uid}.topic_deleted")
    pre_save.connect(_remember_old_values("code", "parent_id"), sender=Region, dispatch_uid=f"{uid}.region_presave", weak=False)
    post_save.connect(_region_saved, sender=Region, dispatch_uid=f"{uid}.region_saved")
    pre_delete.connect(_region_deleted, sender=Region, dispatch_uid=f"{uid}.region_deleting")
    post_delete.connect(_vocabulary_row_deleted, sender=Region, dispatch_uid=f"{uid}.region_deleted")
    post_save.connect(_official_changed, sender=Official, dispatch_uid=f"{uid}.official_saved")
    pre_delete.connect(_official_deleting, sender=Official, dispatch_uid=f"{uid}.official_deleting")
    post_delete.connect(_vocabulary_row_deleted, sender=Official, dispatch_uid=f"{uid}.official_deleted")
