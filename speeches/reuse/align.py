"""Exact alignment of two keys (speeches.reuse.text): the near-identical runs they share.

Seeds are the SEED-character strings the two keys have in common; seeds on one diagonal
(the same shift between the keys) that touch make an exact block; blocks follow one
another into a passage while each starts at most MAX_GAP characters after the last
one ended, in both keys (a changed, added or dropped word). A passage is kept when it
is at least MIN_PASSAGE characters long on both sides and its blocks cover at least
MIN_SIMILARITY of the longer side.
"""

from dataclasses import dataclass

from speeches.reuse.text import MIN_PASSAGE

SEED = 8
MAX_GAP = 12
MIN_SIMILARITY = 0.8
# A seed found more often than this in the other key says nothing about where it is.
MAX_SEED_REPEATS = 8


@dataclass(frozen=True)
class Match:
    a_start: int
    a_end: int
    b_start: int
    b_end: int
    similarity: float

    @property
    def length(self):
        return max(self.a_end - self.a_start, self.b_end - self.b_start)


def _blocks(a, b):
    """Maximal exact blocks (a_start, b_start, length) of at least SEED characters,
    ordered by a_start, then b_start."""
    where = {}
    for j in range(len(b) - SEED + 1):
        where.setdefault(b[j : j + SEED], []).append(j)
    open_runs = {}  # diagonal -> [a_start, b_start, last a index]
    blocks = []
    for i in range(len(a) - SEED + 1):
        found = where.get(a[i : i + SEED])
        if not found or len(found) > MAX_SEED_REPEATS:
            continue
        for j in found:
            run = open_runs.get(j - i)
            if run is not None and run[2] == i - 1:
                run[2] = i
            else:
                if run is not None:
                    blocks.append((run[0], run[1], run[2] - run[0] + SEED))
                open_runs[j - i] = [i, j, i]
    blocks.extend((run[0], run[1], run[2] - run[0] + SEED) for run in open_runs.values())
    blocks.sort()
    return blocks


def align(a, b):
    """The passages a and b share, as Matches (key offsets), in the order of a."""
    active, done = [], []  # chains [a_start, a_end, b_start, b_end, matched]; active may still grow
    for a_start, b_start, length in _blocks(a, b):
        a_end, b_end = a_start + length, b_start + length
        still = []
        for chain in active:
            (still if chain[1] + MAX_GAP >= a_start else done).append(chain)
        active = still
        for chain in reversed(active):
            if chain[1] - SEED < a_start and chain[3] - SEED < b_start <= chain[3] + MAX_GAP:
                # Overlapping blocks (a repeated seed) count once.
                chain[4] += min(a_end - chain[1], b_end - chain[3], length)
                chain[1], chain[3] = max(chain[1], a_end), max(chain[3], b_end)
                break
        else:
            active.append([a_start, a_end, b_start, b_end, length])
    matches = []
    for a_start, a_end, b_start, b_end, matched in sorted(done + active):
        longer = max(a_end - a_start, b_end - b_start)
        if min(a_end - a_start, b_end - b_start) >= MIN_PASSAGE and matched / longer >= MIN_SIMILARITY:
            matches.append(Match(a_start, a_end, b_start, b_end, round(min(1.0, matched / longer), 3)))
    return matches
