"""Near-duplicate speeches on one page: the same speech twice, one copy partial or with
damaged punctuation. Copies are grouped by shared character shingles; the best copy is kept.
Across files, a fingerprint of each text finds the archive's copies of a new speech."""

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from speeches.ingest.width import fold

_NOT_CONTENT = re.compile(r"[\W_]+", re.UNICODE)
# Punctuation a copy keeps or loses (folded text: full-width and half-width alike).
_PUNCTUATION = re.compile(r"[,。、;:!?“”《》()]")
SHINGLE = 8
# Share of the smaller copy's shingles found in the larger one for the two to be copies.
CONTAINMENT = 0.8
# A copy at least this share of the longest copy's length counts as complete.
COMPLETE = 0.95


@dataclass
class Candidate:
    """What dedupe needs to know of a parsed speech."""

    index: int
    text: str
    repairs: int = 0


def content_of(text):
    """Letters and digits only: punctuation damage does not hide a copy."""
    return _NOT_CONTENT.sub("", text)


def shingles(text):
    content = content_of(text)
    if len(content) <= SHINGLE:
        return {content}
    return {content[i : i + SHINGLE] for i in range(len(content) - SHINGLE + 1)}


def containment(a, b):
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def group_copies(candidates):
    """Groups (lists of candidate indexes, in page order) of speeches that are copies."""
    sets = [shingles(c.text) for c in candidates]
    parent = list(range(len(candidates)))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(candidates)):
        for j in range(i + 1, len(candidates)):
            if containment(sets[i], sets[j]) >= CONTAINMENT:
                parent[root(j)] = root(i)
    groups = {}
    for i in range(len(candidates)):
        groups.setdefault(root(i), []).append(candidates[i].index)
    return list(groups.values())


def best_copy(candidates):
    """The copy to keep: complete, then fewest repairs, then most punctuation intact."""
    longest = max(len(content_of(c.text)) for c in candidates)
    complete = [c for c in candidates if len(content_of(c.text)) >= COMPLETE * longest]
    return min(
        complete,
        key=lambda c: (c.repairs, -len(_PUNCTUATION.findall(fold(c.text))), -len(content_of(c.text)), c.index),
    )


# ---- Copies across files: a fingerprint whose bands find candidates in the archive ----

# One-permutation MinHash: each shingle's hash falls in one of BINS bins, each bin keeps its
# smallest value; BANDS bands of ROWS bins each become one key. Two texts sharing most of
# their shingles agree on most bins, so on at least one band: a Jaccard similarity of 0.8
# shares a band with probability 1-(1-0.8**4)**8 ≈ 0.98, one of 0.3 with ≈ 0.06.
BINS = 32
ROWS = 4
BANDS = BINS // ROWS
_EMPTY = -1
_SLOT_BITS = BINS.bit_length() - 1  # a hash's low bits pick its bin
_VALUE_BITS = 64 - _SLOT_BITS
# A shingle's code points as a polynomial in this odd multiplier, then splitmix64's finaliser
# (every bit of the hash depends on every code point).
_MULTIPLIER = np.uint64(0x100000001B3)
_MIX = (np.uint64(30), np.uint64(0xBF58476D1CE4E5B9), np.uint64(27), np.uint64(0x94D049BB133111EB), np.uint64(31))


def _shingle_hashes(content):
    """64-bit hashes (uint64) of every SHINGLE-character window of content (of content
    itself when shorter), computed over all windows at once: a Python loop hashing each
    shingle's UTF-8 bytes cost ~1.6 ms a speech, a fifth of storing it on import."""
    codes = np.frombuffer(content.encode("utf-32-le"), np.uint32).astype(np.uint64)
    windows = max(1, len(codes) - SHINGLE + 1)
    hashes = np.zeros(windows, np.uint64)
    for offset in range(min(SHINGLE, len(codes))):
        hashes = hashes * _MULTIPLIER + codes[offset : offset + windows]
    shift1, times1, shift2, times2, shift3 = _MIX
    hashes = (hashes ^ (hashes >> shift1)) * times1
    hashes = (hashes ^ (hashes >> shift2)) * times2
    return hashes ^ (hashes >> shift3)


def fingerprint(text):
    """The smallest shingle hash of each bin (or -1 for an empty bin), over the text's
    letters and digits with full-width forms folded."""
    hashes = _shingle_hashes(content_of(fold(text)))
    # Slot in the top bits, value below: sorted, each slot's first entry is its minimum.
    ordered = np.sort((hashes << np.uint64(_VALUE_BITS)) | (hashes >> np.uint64(_SLOT_BITS)))
    slots = (ordered >> np.uint64(_VALUE_BITS)).astype(np.int64)
    firsts = np.flatnonzero(np.r_[True, slots[1:] != slots[:-1]])
    bins = [_EMPTY] * BINS
    values = (ordered[firsts] & np.uint64((1 << _VALUE_BITS) - 1)).tolist()
    for slot, value in zip(slots[firsts].tolist(), values, strict=True):
        bins[slot] = value
    return bins


# Kept for the few texts asked last: looking up one text's copies alone (copy_in_archive)
# and writing its keys ask for the same keys.
@lru_cache(maxsize=8)
def band_keys(text):
    """Keys (63-bit integers, a tuple) of the fingerprint's bands with no empty bin: a text
    shorter than a few dozen characters has none and is only matched by its exact hash."""
    bins = fingerprint(text)
    keys = []
    for band in range(BANDS):
        values = bins[band * ROWS : (band + 1) * ROWS]
        if _EMPTY in values:
            continue
        digest = hashlib.blake2b(f"{band}:{values}".encode(), digest_size=8).digest()
        keys.append(int.from_bytes(digest, "big") >> 1)
    return tuple(keys)


def same_text(a, b):
    """Whether two texts are the same text: letters, digits and punctuation alike once
    spaces are ignored and full-width forms folded."""
    return "".join(fold(a).split()) == "".join(fold(b).split())


def similarity(a, b):
    """Share of the smaller text's shingles found in the other (dedupe's containment)."""
    return containment(_folded_shingles(a), _folded_shingles(b))


# A new speech's comparison with up to five candidates uses its shingles: made once, not
# five times.
@lru_cache(maxsize=4)
def _folded_shingles(text):
    return frozenset(shingles(fold(text)))
