"""What texts are compared on, and in what pieces (pure functions over strings).

A speech is compared on its *key*: its characters folded as search folds them
(traditional → simplified, full-width → half-width, lower case) with everything but
letters, digits and Han characters left out, so a copy whose punctuation, spacing or
line breaks were changed still reads the same. `offsets[i]` is where key[i] stands in
the body, so what is found in keys is marked in the text.

Keys are cut into chunks of about a paragraph. A salutation on a line of its own
(各位代表：, 同志们！: a few characters ending the sentence) is left out, never part of a
chunk; any other line shorter than MIN_CHUNK key characters (a heading, a short
sentence, a piece of a paragraph broken by a stray line break) joins the next line; a
long paragraph is cut into overlapping windows. Stock phrases longer than a salutation
are told by how many speeches repeat them (detect.py).
"""

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from speeches.search.text import fold

# A passage counts as shared from this many key characters (letters, digits, Han; no
# punctuation): a salutation or a stock phrase is shorter.
MIN_PASSAGE = 50
MIN_CHUNK = MIN_PASSAGE
# Longer paragraphs are cut into windows of WINDOW key characters, each starting
# WINDOW_STEP after the last. Windows are short because a passage copied into a paragraph
# of other text is found only where a window of each holds much of the passage: a run of
# 100 characters covers at least half of some window of either text.
MAX_CHUNK = 150
WINDOW = 100
WINDOW_STEP = 50
# What ends a sentence, a salutation or an exclamation (closing quotes and brackets may follow).
SENTENCE_ENDS = set("。！？!?：:；;…")
CLOSING = set("”’」』）)】]\"'")
PLANE = 0x10000
# A line this short that ends its sentence is a salutation (各位代表：).
SALUTATION_MAX = 12


@lru_cache(maxsize=1)
def _alnum_table():
    """Whether each character of the Basic Multilingual Plane is a letter, digit or Han."""
    return np.array([chr(code).isalnum() for code in range(PLANE)], dtype=bool)


def key_text(body):
    """(key, offsets): the body's letters, digits and Han characters, folded, and the
    offset in body of each (a numpy array)."""
    folded = fold(body)
    codes = np.frombuffer(folded.encode("utf-32-le"), dtype=np.uint32)
    keep = _alnum_table()[np.minimum(codes, PLANE - 1)]
    astral = np.nonzero(codes >= PLANE)[0]
    for index in astral:  # outside the table (rare): asked one by one
        keep[index] = folded[index].isalnum()
    offsets = np.nonzero(keep)[0]
    return codes[offsets].tobytes().decode("utf-32-le"), offsets


def body_span(text, offsets, key_start, key_end):
    """(start, end) in text of key[key_start:key_end], with the punctuation right after it
    (a sentence's full stop, a closing quote)."""
    start, end = int(offsets[key_start]), int(offsets[key_end - 1]) + 1
    while end < len(text) and not text[end].isalnum() and not text[end].isspace():
        end += 1
    return start, end


@dataclass(frozen=True)
class Chunk:
    key_start: int  # in the key
    key_end: int
    key: str

    def body_span(self, body, offsets):
        """(start, end) of the chunk in the body."""
        return body_span(body, offsets, self.key_start, self.key_end)


def _ends_sentence(line):
    line = line.rstrip()
    while line and line[-1] in CLOSING:
        line = line[:-1]
    return bool(line) and line[-1] in SENTENCE_ENDS


def _lines(body, offsets):
    """(key start, key end, ends a sentence) of the body's lines, empty lines left out."""
    line_starts = [0]
    position = body.find("\n")
    while position != -1:
        line_starts.append(position + 1)
        position = body.find("\n", position + 1)
    bounds = np.searchsorted(offsets, line_starts + [len(body)]).tolist()
    found = []
    for number, (start, end) in enumerate(zip(bounds, bounds[1:], strict=False)):
        if end > start:
            line_end = line_starts[number + 1] - 1 if number + 1 < len(line_starts) else len(body)
            found.append((start, end, _ends_sentence(body[line_starts[number] : line_end])))
    return found


def chunks(body, key=None, offsets=None):
    """The body's chunks (see the module docstring)."""
    if key is None:
        key, offsets = key_text(body)
    found, pending = [], None
    for line_start, line_end, complete in _lines(body, offsets):
        start = line_start if pending is None else pending
        if line_end - start < MIN_CHUNK:
            salutation = pending is None and complete and line_end - line_start <= SALUTATION_MAX
            pending = None if salutation else start
            continue
        pending = None
        if line_end - start <= MAX_CHUNK:
            found.append(Chunk(start, line_end, key[start:line_end]))
            continue
        window_start = start
        while True:
            window_end = min(window_start + WINDOW, line_end)
            if line_end - window_end < WINDOW_STEP // 2:
                window_end = line_end  # a short tail joins the last window
            found.append(Chunk(window_start, window_end, key[window_start:window_end]))
            if window_end == line_end:
                break
            window_start += WINDOW_STEP
    if pending is not None and found and found[-1].key_end - found[-1].key_start <= MAX_CHUNK:
        # Short last lines (a closing sentence) join the chunk before them.
        last = found.pop()
        found.append(Chunk(last.key_start, len(key), key[last.key_start :]))
    return found
