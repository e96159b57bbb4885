"""Browse counts: how many public speeches each region, topic, year, source and official
holds, and the archive's totals, kept current as speeches change so the browse pages
read them (BrowseCount) instead of counting the archive on every request.

Each counted speech has a record of the keys it adds (CountedSpeech). refresh(ids)
reads what those speeches hold now, compares it with their records, and moves each
count by exactly the difference: counting a speech twice changes nothing, a change
subtracts the old keys and adds the new ones, a deleted speech subtracts its record.
recount() counts everything from scratch and reports (or repairs) drift.

Why in the transaction of the change and not through the search index queue: the
queue is applied after commit by the single index writer, or, with
SEARCH_INDEX_UPDATES = "queue", whenever a worker drains it, and not at all while a
rebuild holds the writer. Counts applied from it would lag the lists, which read the
database: a province page would say 120 speeches and list 121. Counted in the same
transaction, a page's numbers and its lists always agree, and a rolled-back change
takes its counts with it. The price: on PostgreSQL, writers that move the same
counts (the archive's total) wait for each other until commit. Imports and
extraction, the busy writers, count once per file or speech (deferred()), not once
per row. A save outside any transaction (autocommit) is counted just after it, in a
transaction of its own; `manage.py check_counts --repair` mends what a crash between
the two would leave.

Changes that send no signals call speeches_changed(ids) themselves (bulk_create of
speeches, topics or citations; queryset.update() of a counted column).
"""

import threading
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db import connection, transaction
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from speeches import models as archive_models
from speeches.models import BrowseCount, stated_year

# Speeches read per round of queries, and count rows written per statement.
BATCH = 500
UPSERT_ROWS = 300
# The Speech columns a count depends on: a save naming none of them moves no count.
COUNTED_FIELDS = frozenset(
    {"status", "merged_into", "region", "date", "year", "year_masked", "source", "speaker"}
)
# A public speech: published and not a copy merged into another (Speech.is_merged_copy).
COUNTED = Q(status=archive_models.Speech.PUBLISHED) & archive_models.NOT_MERGED

_state = threading.local()


def _models(apps=None):
    """The models counted with: the project's, or a migration's historical ones."""
    get = apps.get_model if apps is not None else (lambda app, name: getattr(archive_models, name))
    return SimpleNamespace(
        **{name: get("speeches", name) for name in ("Speech", "SpeechTopic", "Citation", "BrowseCount", "CountedSpeech")}
    )


def current_keys(ids, apps=None):
    """{speech id: set of (kind, key)} for those of `ids` that are public now."""
    m = _models(apps)
    speeches = (
        m.Speech.objects.filter(COUNTED, pk__in=ids)
        .order_by()
        .values_list("pk", "region_id", "source_id", "speaker_id", "date", "year", "year_masked")
    )
    keys = {}
    for pk, region, source, speaker, date, year, masked in speeches:
        held = {(BrowseCount.ALL, 0), (BrowseCount.YEAR, stated_year(date, year, masked) or 0)}
        held.add((BrowseCount.REGION, region) if region else (BrowseCount.UNPLACED, 0))
        if source:
            held.add((BrowseCount.SOURCE, source))
        if speaker:
            held.add((BrowseCount.SPEAKER, speaker))
        keys[pk] = held
    if keys:
        topics = m.SpeechTopic.objects.filter(speech_id__in=keys).order_by().values_list("speech_id", "topic_id")
        for pk, topic in topics:
            keys[pk].add((BrowseCount.TOPIC, topic))
        cited = (
            m.Citation.objects.filter(speech_id__in=keys).order_by().values_list("speech_id", "official_id").distinct()
        )
        for pk, official in cited:
            keys[pk].add((BrowseCount.OFFICIAL, official))
    for held in keys.values():
        if not any(kind == BrowseCount.TOPIC for kind, _ in held):
            held.add((BrowseCount.UNTAGGED, 0))
    return keys


def _stored(ids, m):
    rows = m.CountedSpeech.objects.filter(speech_id__in=ids).values_list("speech_id", "keys")
    return {pk: {tuple(key) for key in keys} for pk, keys in rows}


def refresh(speech_ids, apps=None):
    """Count these speeches as they are now: each count moves by what changed since
    they were last counted. Returns the number of speeches whose keys changed."""
    ids = sorted({int(i) for i in speech_ids if i is not None})
    changed = 0
    with transaction.atomic():
        for start in range(0, len(ids), BATCH):
            changed += _refresh_batch(ids[start : start + BATCH], apps)
    return changed


def _refresh_batch(ids, apps):
    m = _models(apps)
    if connection.features.has_select_for_update:
        # Two transactions counting the same speech wait for each other, so the second
        # reads the first's record and keys, never a stale pair (PostgreSQL).
        list(m.Speech.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))
    now = current_keys(ids, apps)
    before = _stored(ids, m)
    deltas = Counter()
    moved = []
    for pk in ids:
        old, new = before.get(pk, set()), now.get(pk, set())
        if old == new:
            continue
        deltas.update(dict.fromkeys(new - old, 1))
        deltas.subtract(dict.fromkeys(old - new, 1))
        moved.append(pk)
    if not moved:
        return 0
    _write_records(moved, now, m)
    add(deltas, m)
    return len(moved)


def _write_records(ids, keys, m):
    m.CountedSpeech.objects.filter(speech_id__in=ids).delete()
    m.CountedSpeech.objects.bulk_create(
        [m.CountedSpeech(speech_id=pk, keys=sorted(keys[pk])) for pk in ids if keys.get(pk)]
    )


def add(deltas, m=None):
    """Add {(kind, key): delta} to the counts, and move the numbers of distinct keys
    (BrowseCount.DISTINCT) where a key gains its first speech or loses its last."""
    m = m or _models()
    distinct = Counter()
    for kind, key, count in _upsert({k: d for k, d in deltas.items() if d}, m):
        if kind in BrowseCount.DISTINCT:
            delta = deltas[(kind, key)]
            was = count - delta
            if was <= 0 < count:
                distinct[(BrowseCount.DISTINCT[kind], 0)] += 1
            elif count <= 0 < was:
                distinct[(BrowseCount.DISTINCT[kind], 0)] -= 1
    if any(distinct.values()):
        _upsert({k: d for k, d in distinct.items() if d}, m)


def _upsert(deltas, m):
    """count += delta for each (kind, key), the row created where missing; returns the
    rows' new (kind, key, count). One statement per batch, in key order, so that
    concurrent writers lock shared rows in the same order (PostgreSQL: no deadlock
    within a statement). INSERT … ON CONFLICT … RETURNING: SQLite ≥ 3.35, PostgreSQL."""
    table, kind, key, count = (
        connection.ops.quote_name(name) for name in (m.BrowseCount._meta.db_table, "kind", "key", "count")
    )
    items = sorted(deltas.items())
    found = []
    with connection.cursor() as cursor:
        for start in range(0, len(items), UPSERT_ROWS):
            batch = items[start : start + UPSERT_ROWS]
            values = ", ".join(["(%s, %s, %s)"] * len(batch))
            cursor.execute(
                f"INSERT INTO {table} ({kind}, {key}, {count}) VALUES {values} "
                f"ON CONFLICT ({kind}, {key}) DO UPDATE SET {count} = {table}.{count} + excluded.{count} "
                f"RETURNING {kind}, {key}, {count}",
                [value for (row_kind, row_key), delta in batch for value in (row_kind, row_key, delta)],
            )
            found.extend(cursor.fetchall())
    return found


# Counting once per block ----------------------------------------------------------------


def speeches_changed(speech_ids):
    """These speeches changed: count them now, or at the end of the deferred() block
    this runs in."""
    pending = getattr(_state, "pending", None)
    if pending is not None:
        pending.update(i for i in speech_ids if i is not None)
    else:
        refresh(speech_ids)


@contextmanager
def deferred():
    """A transaction in which the speeches changed are counted once, at its end: an
    import or an extraction rewrites a speech's topics and citations row by row, and
    counting after each row would count every intermediate state."""
    if getattr(_state, "pending", None) is not None:  # inside another block: it counts
        with transaction.atomic():
            yield
        return
    _state.pending = set()
    try:
        with transaction.atomic():
            yield
            pending, _state.pending = _state.pending, None
            refresh(pending)
    finally:
        _state.pending = None


# Recounting from scratch ------------------------------------------------------------------


@dataclass
class Drift:
    """What a recount found: speeches whose record differed, counts that differed
    ({(kind, key): (kept, counted)})."""

    checked: int = 0
    speeches: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)

    @property
    def ok(self):
        return not self.speeches and not self.counts


def recount(repair=False, apps=None):
    """Count every speech from scratch and compare with the kept counts and records;
    with repair=True, write what differs. Returns a Drift (what differed before)."""
    m = _models(apps)
    drift = Drift()
    expected = Counter()
    with transaction.atomic():
        if repair and connection.vendor == "postgresql":
            # Writers wait while the counts are rewritten, so none adds a delta in between.
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {connection.ops.quote_name(m.BrowseCount._meta.db_table)} IN EXCLUSIVE MODE")
        last = 0
        while True:
            ids = list(m.Speech.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH])
            if not ids:
                break
            last = ids[-1]
            drift.checked += len(ids)
            now, before = current_keys(ids, apps), _stored(ids, m)
            for keys in now.values():
                expected.update(keys)
            moved = [pk for pk in ids if before.get(pk, set()) != now.get(pk, set())]
            drift.speeches.extend(moved)
            if repair and moved:
                _write_records(moved, now, m)
        # Records of speeches no longer in the archive.
        gone = list(m.CountedSpeech.objects.filter(speech_id__gt=last).values_list("speech_id", flat=True))
        gone += list(
            m.CountedSpeech.objects.filter(speech_id__lte=last)
            .exclude(speech_id__in=m.Speech.objects.values("pk"))
            .values_list("speech_id", flat=True)
        )
        drift.speeches.extend(sorted(gone))
        if repair and gone:
            m.CountedSpeech.objects.filter(speech_id__in=gone).delete()
        distinct = Counter()
        for kind, _key in list(expected):
            if kind in BrowseCount.DISTINCT:
                distinct[(BrowseCount.DISTINCT[kind], 0)] += 1
        expected.update(distinct)
        kept = {(kind, key): count for kind, key, count in m.BrowseCount.objects.values_list("kind", "key", "count")}
        for pair in sorted(set(kept) | set(expected)):
            if kept.get(pair, 0) != expected.get(pair, 0):
                drift.counts[pair] = (kept.get(pair, 0), expected.get(pair, 0))
        if repair and drift.counts:
            # Absolute values: the kept count plus its difference from the recount.
            _upsert({pair: counted - had for pair, (had, counted) in drift.counts.items()}, m)
    return drift


# Signals ----------------------------------------------------------------------------------


def _speech_saved(sender, instance, update_fields=None, **kwargs):
    if update_fields is not None and not COUNTED_FIELDS.intersection(update_fields):
        return
    speeches_changed([instance.pk])


def _speech_deleting(sender, instance, **kwargs):
    # Copies merged into it get merged_into=NULL (SET_NULL sends no signal): public again.
    instance._counts_copies = list(instance.merged_copies.values_list("pk", flat=True))


def _speech_deleted(sender, instance, **kwargs):
    speeches_changed([instance.pk, *getattr(instance, "_counts_copies", [])])


def _speech_row_changed(sender, instance, **kwargs):
    speeches_changed([instance.speech_id])


def _relation_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """speech.topics.add(...), topic.speeches.remove(...) and the like."""
    if action == "pre_clear" and reverse:
        instance._counts_cleared = list(instance.speeches.values_list("pk", flat=True))
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        speeches_changed([instance.pk])
    elif action == "post_clear":
        speeches_changed(getattr(instance, "_counts_cleared", []))
    else:
        speeches_changed(pk_set or [])


def _remember(related_name):
    """pre_delete handler: the speeches a SET_NULL through `related_name` will change
    (the update sends no signal); counted in post_delete, once they have changed."""

    def handler(sender, instance, **kwargs):
        instance._counts_speeches = list(getattr(instance, related_name).values_list("pk", flat=True))

    return handler


def _recount_remembered(sender, instance, **kwargs):
    speeches_changed(getattr(instance, "_counts_speeches", []))


def connect():
    Speech, SpeechTopic, Citation = archive_models.Speech, archive_models.SpeechTopic, archive_models.Citation
    Region, Official = archive_models.Region, archive_models.Official
    uid = "speeches.counts"
    post_save.connect(_speech_saved, sender=Speech, dispatch_uid=f"{uid}.speech_saved")
    pre_delete.connect(_speech_deleting, sender=Speech, dispatch_uid=f"{uid}.speech_deleting")
    post_delete.connect(_speech_deleted, sender=Speech, dispatch_uid=f"{uid}.speech_deleted")
    for model in (SpeechTopic, Citation):
        post_save.connect(_speech_row_changed, sender=model, dispatch_uid=f"{uid}.{model.__name__}_saved")
        post_delete.connect(_speech_row_changed, sender=model, dispatch_uid=f"{uid}.{model.__name__}_deleted")
    m2m_changed.connect(_relation_changed, sender=Speech.topics.through, dispatch_uid=f"{uid}.topics")
    m2m_changed.connect(_relation_changed, sender=Speech.officials.through, dispatch_uid=f"{uid}.officials")
    # Speech.region and Speech.speaker are SET_NULL: the deletion's UPDATE sends no signal.
    for model, related_name in ((Region, "speeches"), (Official, "speeches_delivered")):
        pre_delete.connect(
            _remember(related_name), sender=model, dispatch_uid=f"{uid}.{model.__name__}_deleting", weak=False
        )
        post_delete.connect(_recount_remembered, sender=model, dispatch_uid=f"{uid}.{model.__name__}_deleted")
