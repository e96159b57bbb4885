"""Near-duplicate speeches on one page: the same speech twice, one copy partial or with
damaged punctuation. Copies are grouped by shared character shingles; the best copy is kept."""

import re
from dataclasses import dataclass

_NOT_CONTENT = re.compile(r"[\W_]+", re.UNICODE)
_PUNCTUATION = re.compile(r"[,,。、;;::!!??“”《》()()]")
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
        key=lambda c: (c.repairs, -len(_PUNCTUATION.findall(c.text)), -len(content_of(c.text)), c.index),
    )
