"""Finding the passages speeches share, for the whole archive or for changed speeches.

Every published speech (merged copies left out) is cut into chunks of about a paragraph
(text.py). Each chunk gets a MinHash of its 5-character shingles (datasketch), and
MinHash LSH proposes the chunks of other speeches likely to be near-identical; each
proposal is checked by exact alignment (align.py) and kept when they share a passage of
at least MIN_PASSAGE characters. Chunks found alike are joined (union-find) into a
SharedPassage: the text several speeches share, each chunk marking the part it shares.

    find_shared_passages(speech_ids=None, progress=None) -> Summary

With speech_ids=None the whole archive is done again from scratch. With ids (the queue
of changed speeches), those speeches' chunks are computed again and compared with the
chunks stored for all the others, whose MinHashes are read back from the database:
nothing else is recomputed. Chunks with identical text skip the alignment.
"""

import datetime
from dataclasses import dataclass

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH
from django.db import connection, transaction
from django.db.models import Count

from speeches.models import PassageChunk, PendingPassageUpdate, SharedPassage, Speech
from speeches.reuse.align import align
from speeches.reuse.text import body_span, chunks, key_text

SHINGLE = 5
NUM_PERM = 64
SEED = 20240501
# LSH proposes pairs whose shingle sets are likely this alike (Jaccard) or more: a copied
# paragraph with a few words changed is well above, two paragraphs on one theme below; a
# window holding 3/4 of a passage another window holds whole is at about 0.6.
LSH_THRESHOLD = 0.3
# Text that many speeches repeat and that is not much longer than a passage must be is a
# stock phrase (a formula of thanks, an opening sentence), not a passage copied: counted
# in characters of the text, punctuation included (about 100 key characters).
STOCK_SPEECHES = 4
STOCK_CHARS = 120
# Two shared parts hold the same text when their MinHashes agree this much (an estimate
# of their Jaccard similarity): near-identical texts agree far more, unrelated ones hardly.
CONFIRM = 0.4
# A piece is held whole by another when an alignment covers this much of it.
COVERED = 0.8
# Pieces this close in a speech (a line break between paragraphs) are neighbours.
NEIGHBOUR_GAP = 3
WRITE_BATCH = 2000
LOAD_BATCH = 500


# datasketch's default scheme (2.0): 32-bit hash values, stored as 4 bytes each.
SCHEME = "affine32"
_template = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)
# Shingles are hashed here, all of a key at once (a polynomial over the characters' code
# points, folded to 32 bits): datasketch then hashes each value with int().
_POWERS = np.array([1_000_003**power % 2**64 for power in range(SHINGLE - 1, -1, -1)], dtype=np.uint64)


def shingle_hashes(key):
    """The 32-bit hashes of the key's SHINGLE-character shingles (repeats included:
    they change no minimum)."""
    codes = np.frombuffer(key.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(codes) < SHINGLE:
        codes = np.concatenate([codes, np.zeros(SHINGLE - len(codes), dtype=np.uint64)])
    count = len(codes) - SHINGLE + 1
    hashed = codes[:count] * _POWERS[0]
    for offset in range(1, SHINGLE):
        hashed += codes[offset : offset + count] * _POWERS[offset]  # wraps modulo 2**64
    return (hashed ^ (hashed >> np.uint64(32))) & np.uint64(0xFFFFFFFF)


_sketch = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=int, permutations=_template.permutations, scheme=SCHEME)


def minhash(key):
    """The MinHash (hash values, uint32) of a key's SHINGLE-character shingles."""
    _sketch.clear()  # one MinHash reused: making one per chunk cost as much as hashing
    _sketch.update_batch(shingle_hashes(key).tolist())
    return _sketch.hashvalues.copy()


class _Sketch(LeanMinHash):
    """One LeanMinHash whose hash values are swapped for each chunk LSH is given or asked
    about (building one per chunk cost ~50 µs)."""

    def __init__(self):
        super().__init__(seed=SEED, hashvalues=np.zeros(NUM_PERM, dtype=np.uint32), scheme=SCHEME)

    def of(self, hashvalues):
        self.hashvalues = hashvalues
        return self


def eligible_speeches():
    """Speeches compared: published ones, merged copies (redirects) left out."""
    return Speech.objects.published().not_merged()


@dataclass
class _Piece:
    """One chunk in memory: new (computed now) or stored (read back)."""

    speech_id: int
    start: int  # body offsets
    end: int
    hashvalues: object  # numpy uint32 array
    text: str | None = None  # the body's characters start:end (new chunks; stored ones on demand)
    key: str | None = None
    chunk_id: int | None = None  # stored chunks
    passage_id: int | None = None
    shared: tuple | None = None  # (start, end) in the body
    hull: list | None = None  # [start, end] of the shared key range found now
    shared_hash: bytes | None = None  # MinHash of the shared part, when written now


@dataclass
class Summary:
    speeches: int = 0  # compared now
    chunks: int = 0  # of those
    candidates: int = 0  # pairs LSH proposed
    aligned: int = 0  # pairs aligned
    stock: int = 0  # groups of alike chunks left out as stock phrases
    passages: int = 0  # shared passages in the archive afterwards
    sharing: int = 0  # speeches holding one


class _UnionFind(dict):
    """Disjoint sets of piece indexes, with the size of each."""

    def __init__(self):
        super().__init__()
        self.sizes = {}

    def find(self, item):
        root = item
        while self.get(root, root) != root:
            root = self[root]
        while item != root:
            self[item], item = root, self.get(item, item)
        return root

    def size(self, item):
        return self.sizes.get(self.find(item), 1)

    def union(self, a, b):
        a, b = self.find(a), self.find(b)
        if a != b:
            low, high = min(a, b), max(a, b)
            self[high] = low
            self.sizes[low] = self.sizes.get(low, 1) + self.sizes.pop(high, 1)


def _new_pieces(speech):
    pieces = []
    key, offsets = key_text(speech.body)
    for chunk in chunks(speech.body, key, offsets):
        start, end = chunk.body_span(speech.body, offsets)
        pieces.append(_Piece(speech.pk, start, end, minhash(chunk.key), text=speech.body[start:end], key=chunk.key))
    return pieces


def _stored_pieces(excluded_ids):
    rows = (
        PassageChunk.objects.exclude(speech_id__in=excluded_ids)
        .order_by("id")
        .values_list("id", "speech_id", "start", "end", "minhash", "passage_id", "shared_start", "shared_end")
    )
    pieces = []
    for chunk_id, speech_id, start, end, hashes, passage_id, shared_start, shared_end in rows.iterator(chunk_size=5000):
        pieces.append(_Piece(
            speech_id, start, end, np.frombuffer(bytes(hashes), dtype=np.uint32), chunk_id=chunk_id,
            passage_id=passage_id, shared=(shared_start, shared_end) if passage_id else None,
        ))
    return pieces


def _load_keys(pieces):
    """Read the text of stored pieces that lack it (one query per batch of speeches)."""
    wanted = {}
    for piece in pieces:
        if piece.key is None:
            wanted.setdefault(piece.speech_id, []).append(piece)
    ids = sorted(wanted)
    for first in range(0, len(ids), LOAD_BATCH):
        for speech_id, body in Speech.objects.filter(pk__in=ids[first : first + LOAD_BATCH]).values_list("id", "body"):
            for piece in wanted[speech_id]:
                piece.text = body[piece.start : piece.end]
                piece.key = key_text(piece.text)[0]


def _widen(piece, start, end):
    if piece.hull is None:
        piece.hull = [start, end]
    else:
        piece.hull = [min(piece.hull[0], start), max(piece.hull[1], end)]


def _shared_span(piece):
    """(start, end) in the body of the part of the piece shared with others."""
    if piece.hull is None:
        return piece.shared or (piece.start, piece.end)
    _key, offsets = key_text(piece.text)
    start, end = body_span(piece.text, offsets, *piece.hull)
    start, end = piece.start + start, piece.start + end
    if piece.shared:  # a stored piece keeps what it shared before, too
        start, end = min(start, piece.shared[0]), max(end, piece.shared[1])
    return start, end


def _signature(piece):
    # Identical texts (new pieces) or identical MinHashes (stored ones, whose text is not read).
    return piece.key if piece.key is not None else piece.hashvalues.tobytes()


def _covers(hull, key):
    return hull[1] - hull[0] >= COVERED * len(key)


def _shared_minhash(piece):
    text = piece.text[piece.shared[0] - piece.start : piece.shared[1] - piece.start]
    return minhash(key_text(text)[0]).tobytes()


def _match_pieces(pieces, new_indexes, union, summary, progress=None):
    """Propose pairs with LSH, align them, join the alike (pieces of one speech are not paired)."""
    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    sketch = _Sketch()
    signatures = [_signature(piece) for piece in pieces]
    representative = {}  # signature -> the piece indexed for it
    with lsh.insertion_session() as session:
        for index, piece in enumerate(pieces):
            first = representative.setdefault(signatures[index], index)
            if first != index:
                # The same text: alike without aligning.
                union.union(first, index)
                if piece.key is not None and pieces[first].speech_id != piece.speech_id:
                    _widen(piece, 0, len(piece.key))
                    _widen(pieces[first], 0, len(pieces[first].key))
                continue
            session.insert(index, sketch.of(piece.hashvalues))
    proposals = []
    for done, index in enumerate(new_indexes, start=1):
        piece = pieces[index]
        if representative[signatures[index]] == index:
            for other in lsh.query(sketch.of(piece.hashvalues)):
                if other != index and pieces[other].speech_id != piece.speech_id:
                    proposals.append((index, other))
        if progress and (done % 5000 == 0 or done == len(new_indexes)):
            progress("proposing", done, len(new_indexes))
    summary.candidates = len(proposals)
    _load_keys([pieces[other] for _index, other in proposals])
    overlapping = []  # pairs sharing a part of each: joined after the others
    for done, (index, other) in enumerate(proposals, start=1):
        if union.find(index) == union.find(other):
            continue  # already joined: one alignment per piece joined is enough
        summary.aligned += 1
        found = align(pieces[index].key, pieces[other].key)
        if found:
            hull_a = (min(m.a_start for m in found), max(m.a_end for m in found))
            hull_b = (min(m.b_start for m in found), max(m.b_end for m in found))
            key_a, key_b = pieces[index].key, pieces[other].key
            if _covers(hull_a, key_a) or _covers(hull_b, key_b):
                # One holds (nearly) all of the other: whatever the one shares, the other does too.
                union.union(index, other)
                _widen(pieces[index], *hull_a)
                _widen(pieces[other], *hull_b)
            else:
                overlapping.append((index, other, hull_a, hull_b))
        if progress and (done % 5000 == 0 or done == len(proposals)):
            progress("aligning", done, len(proposals))
    # Two pieces sharing only a part of each (a passage across window edges) are joined
    # when one of them is joined to nothing else yet: a piece holding two passages would
    # otherwise join the speeches of the one to those of the other. (Pages check each
    # speech they list against the very text: speeches.reuse.display.)
    for index, other, hull_a, hull_b in overlapping:
        if union.size(index) == 1 or union.size(other) == 1:
            union.union(index, other)
            _widen(pieces[index], *hull_a)
            _widen(pieces[other], *hull_b)
    # A piece represented by another of the same text shares what that one shares.
    for index, piece in enumerate(pieces):
        first = representative[signatures[index]]
        if first != index and piece.hull is None and pieces[first].hull is not None and piece.key is not None:
            piece.hull = list(pieces[first].hull)


def earliest_key(speech):
    """Sort key of a speech as "also in" lists them: the earliest known date or year
    first, undated last."""
    year = speech.known_year
    return (year is None, year or 0, speech.date is None, speech.date or datetime.date.min, speech.pk)


def earliest_first(speech_ids):
    """The speeches' ids in the order of earliest_key."""
    speeches = Speech.objects.filter(pk__in=speech_ids).only("id", "date", "year", "year_masked")
    return [speech.pk for speech in sorted(speeches, key=earliest_key)]


def _components(pieces, union):
    """{root: [piece indexes]} of the joined pieces spanning two or more speeches."""
    members = {}
    for index in range(len(pieces)):
        members.setdefault(union.find(index), []).append(index)
    return {root: found for root, found in members.items() if len({pieces[i].speech_id for i in found}) > 1}


def _join_neighbours(pieces, union):
    """Windows of one paragraph (or neighbouring paragraphs) shared with the same speeches
    make one passage, not one per window."""
    components = _components(pieces, union)
    group_of = {i: root for root, found in components.items() for i in found}
    speech_sets = {root: frozenset(pieces[i].speech_id for i in found) for root, found in components.items()}
    by_speech = {}
    for i in group_of:
        by_speech.setdefault(pieces[i].speech_id, []).append(i)
    for found in by_speech.values():
        found.sort(key=lambda i: pieces[i].start)
        for before, after in zip(found, found[1:], strict=False):
            if (
                pieces[after].start <= pieces[before].end + NEIGHBOUR_GAP
                and speech_sets[group_of[before]] == speech_sets[group_of[after]]
            ):
                union.union(before, after)


def covered(spans):
    """Characters covered by (start, end) spans, overlaps counted once."""
    total, reach = 0, 0
    for start, end in sorted(spans):
        if end > reach:
            total += end - max(start, reach)
            reach = end
    return total


def _groups(pieces, union):
    """({root: [piece indexes]} of the passages, the same of the stock phrases: text
    repeated by STOCK_SPEECHES speeches or more and shorter than STOCK_CHARS in most of
    them). Pieces' texts must be loaded."""
    groups, stock = {}, {}
    for root, found in _components(pieces, union).items():
        spans = {}
        for i in found:
            spans.setdefault(pieces[i].speech_id, []).append(_shared_span(pieces[i]))
        lengths = sorted(covered(found_spans) for found_spans in spans.values())
        if len(spans) >= STOCK_SPEECHES and lengths[len(lengths) // 2] < STOCK_CHARS:
            stock[root] = found
        else:
            groups[root] = found
    return groups, stock


def _write(pieces, groups, stock, changed_ids, full):
    touched = {}
    for root, members in groups.items():
        stored_passages = {pieces[i].passage_id for i in members if pieces[i].chunk_id is not None}
        if (
            len(stored_passages) == 1
            and None not in stored_passages
            and all(pieces[i].chunk_id is not None and pieces[i].hull is None for i in members)
        ):
            continue  # a stored passage nothing new joined
        touched[root] = members
    with transaction.atomic():
        if full:
            PassageChunk.objects.all().delete()
            SharedPassage.objects.all().delete()
        else:
            PassageChunk.objects.filter(speech_id__in=changed_ids).delete()
        passage_of = {}
        for root, members in touched.items():
            passage_of[root] = SharedPassage.objects.create(text="", speech_count=0)
            for i in members:
                pieces[i].shared = _shared_span(pieces[i])
                pieces[i].shared_hash = _shared_minhash(pieces[i])
        in_passage = {i: passage_of[root] for root, members in touched.items() for i in members}
        in_stock = {i for members in stock.values() for i in members}
        new_rows, stored_rows = [], []
        for index, piece in enumerate(pieces):
            passage = in_passage.get(index)
            shared = piece.shared if passage is not None else None
            if piece.chunk_id is None:
                new_rows.append((
                    piece.speech_id, piece.start, piece.end, piece.hashvalues.tobytes(),
                    passage.pk if passage else None, shared[0] if shared else None, shared[1] if shared else None,
                    piece.shared_hash if passage else None,
                ))
            elif passage is not None:
                stored_rows.append(PassageChunk(
                    pk=piece.chunk_id, passage=passage, shared_start=shared[0], shared_end=shared[1],
                    shared_minhash=piece.shared_hash,
                ))
            elif piece.passage_id is not None and index in in_stock:
                # A passage grown into a stock phrase is one no longer.
                stored_rows.append(PassageChunk(
                    pk=piece.chunk_id, passage=None, shared_start=None, shared_end=None, shared_minhash=None
                ))
        _insert_chunks(new_rows)
        PassageChunk.objects.bulk_update(
            stored_rows, ["passage", "shared_start", "shared_end", "shared_minhash"], batch_size=WRITE_BATCH
        )
        _recount()


def _insert_chunks(rows):
    """INSERT the new chunks' rows (speech, start, end, minhash, passage, shared start,
    end and minhash) with executemany: bulk_create spends ~0.3 ms a row preparing model instances,
    a minute at 10,000 speeches."""
    meta = PassageChunk._meta
    names = ["speech", "start", "end", "minhash", "passage", "shared_start", "shared_end", "shared_minhash"]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in names)
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(names))})"
    with connection.cursor() as cursor:
        for first in range(0, len(rows), WRITE_BATCH):
            cursor.executemany(sql, rows[first : first + WRITE_BATCH])


def _recount():
    """Passages left with fewer than two speeches go; the others get their count and,
    where it changed, the text as the earliest speech holding them has it."""
    rows = SharedPassage.objects.annotate(n=Count("chunks__speech", distinct=True)).values_list(
        "id", "n", "speech_count", "text"
    )
    counts, stale = {}, []
    for pk, n, speech_count, text in rows:
        counts[pk] = n
        if n >= 2 and (n != speech_count or not text):
            stale.append(pk)
    gone = [pk for pk, n in counts.items() if n < 2]
    for first in range(0, len(gone), WRITE_BATCH):
        batch = gone[first : first + WRITE_BATCH]
        PassageChunk.objects.filter(passage_id__in=batch).update(
            passage=None, shared_start=None, shared_end=None, shared_minhash=None
        )
        SharedPassage.objects.filter(pk__in=batch).delete()
    chunks_of = {}
    for first in range(0, len(stale), WRITE_BATCH):
        for passage_id, speech_id, start, end in PassageChunk.objects.filter(
            passage__in=stale[first : first + WRITE_BATCH]
        ).values_list("passage_id", "speech_id", "shared_start", "shared_end"):
            chunks_of.setdefault(passage_id, []).append((speech_id, start, end))
    rank = {pk: n for n, pk in enumerate(earliest_first({c[0] for found in chunks_of.values() for c in found}))}
    earliest = {}
    for pk, found in chunks_of.items():
        # The earliest speech's chunks, from its first on while they touch (windows overlap).
        speech_id, start, end = min(found, key=lambda c: (rank[c[0]], c[1]))
        for _speech_id, other_start, other_end in sorted(c for c in found if c[0] == speech_id):
            if start <= other_start <= end + NEIGHBOUR_GAP:
                end = max(end, other_end)
        earliest[pk] = (speech_id, start, end)
    speech_ids = sorted({found[0] for found in earliest.values()})
    bodies = {}
    for first in range(0, len(speech_ids), LOAD_BATCH):
        bodies.update(Speech.objects.filter(pk__in=speech_ids[first : first + LOAD_BATCH]).values_list("id", "body"))
    updated = [
        SharedPassage(pk=pk, text=bodies[speech_id][start:end], speech_count=counts[pk])
        for pk, (speech_id, start, end) in earliest.items()
    ]
    SharedPassage.objects.bulk_update(updated, ["text", "speech_count"], batch_size=WRITE_BATCH)


def find_shared_passages(speech_ids=None, progress=None):
    """Find the shared passages of these speeches (None: the whole archive, from scratch).
    `progress(stage, done, total)` is called now and then."""
    full = speech_ids is None
    summary = Summary()
    speeches = eligible_speeches()
    if not full:
        speech_ids = sorted(set(speech_ids))
        speeches = speeches.filter(pk__in=speech_ids)
    stored = [] if full else _stored_pieces(speech_ids)
    pieces = list(stored)
    ids = list(speeches.order_by("id").values_list("id", flat=True))
    total = len(ids)
    for first in range(0, total, LOAD_BATCH):
        # In id order: the order pieces are proposed and joined in decides ties, and the
        # model's own ordering puts undated speeches first on PostgreSQL, last on SQLite.
        for speech in Speech.objects.filter(pk__in=ids[first : first + LOAD_BATCH]).only("id", "body").order_by("id"):
            pieces.extend(_new_pieces(speech))
        summary.speeches = min(total, first + LOAD_BATCH)
        if progress:
            progress("reading", summary.speeches, total)
    new_indexes = list(range(len(stored), len(pieces)))
    summary.chunks = len(new_indexes)
    union = _UnionFind()
    # Stored pieces of one passage stay joined.
    passage_root = {}
    for index, piece in enumerate(stored):
        if piece.passage_id is not None:
            union.union(passage_root.setdefault(piece.passage_id, index), index)
    _match_pieces(pieces, new_indexes, union, summary, progress)
    # Stored pieces' texts are read now, for what they share: then they are told apart.
    _load_keys([pieces[i] for members in _components(pieces, union).values() for i in members])
    _join_neighbours(pieces, union)
    groups, stock = _groups(pieces, union)
    summary.stock = len(stock)
    _write(pieces, groups, stock, speech_ids or [], full)
    summary.passages = SharedPassage.objects.count()
    summary.sharing = PassageChunk.objects.exclude(passage=None).values("speech").distinct().count()
    return summary


def process_queue(progress=None):
    """Apply the queue of changed speeches; returns the Summary (None when it was empty)."""
    rows = list(PendingPassageUpdate.objects.values_list("id", "speech_id"))
    if not rows:
        return None
    summary = find_shared_passages([speech_id for _, speech_id in rows], progress)
    row_ids = [row_id for row_id, _ in rows]
    for first in range(0, len(row_ids), WRITE_BATCH):
        PendingPassageUpdate.objects.filter(pk__in=row_ids[first : first + WRITE_BATCH]).delete()
    return summary
