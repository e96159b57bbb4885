"""What texts are compared on, and in what pieces (pure functions over strings).

A speech is compared on its *key*: its characters folded as search folds them
(traditional → simplified, full-width → half-width, lower case) with everything but
letters, digits and Han characters left out, so a copy whose punctuation, spacing or
line breaks were changed still reads the same. `offsets[i]` is where key[i] stands in
the body, so what is found in keys is marked in the text.

Keys are cut into chunks of about a paragraph: a line shorter than MIN_CHUNK key
characters joins the next (headings, salutations such as 各位代表：), a long paragraph
is cut into overlapping windows. Shared passages are found between chunks.
"""

from dataclasses import dataclass

from speeches.search.text import fold

# A passage counts as shared from this many key characters (letters, digits, Han; no
# punctuation): a salutation or a stock phrase is shorter.
MIN_PASSAGE = 50
MIN_CHUNK = MIN_PASSAGE
# Longer paragraphs are cut into windows of WINDOW key characters, each starting
# WINDOW_STEP after the last: any run of WINDOW - WINDOW_STEP characters lies whole in one.
MAX_CHUNK = 360
WINDOW = 240
WINDOW_STEP = 160


def key_text(body):
    """(key, offsets): the body's letters, digits and Han characters, folded, and the
    offset in body of each."""
    folded = fold(body)
    keep = [i for i, char in enumerate(folded) if char.isalnum()]
    return "".join(folded[i] for i in keep), keep


def body_span(text, offsets, key_start, key_end):
    """(start, end) in text of key[key_start:key_end], with the punctuation right after it
    (a sentence's full stop, a closing quote)."""
    start, end = offsets[key_start], offsets[key_end - 1] + 1
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


def _lines(body, offsets):
    """Key ranges of the body's lines, in order, empty lines left out."""
    ranges, index = [], 0
    line_ends = [i for i, char in enumerate(body) if char == "\n"] + [len(body)]
    for line_end in line_ends:
        end = index
        while end < len(offsets) and offsets[end] < line_end:
            end += 1
        if end > index:
            ranges.append((index, end))
        index = end
    return ranges


def chunks(body, key=None, offsets=None):
    """The body's chunks (see the module docstring)."""
    if key is None:
        key, offsets = key_text(body)
    found, first = [], None
    for line_start, line_end in _lines(body, offsets):
        start = line_start if first is None else first
        if line_end - start < MIN_CHUNK:
            first = start  # too short alone: joins the next line
            continue
        first = None
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
    if first is not None and len(key) - first >= MIN_CHUNK:
        found.append(Chunk(first, len(key), key[first:]))
    elif first is not None and found and found[-1].key_end - found[-1].key_start <= MAX_CHUNK:
        # A short last line joins the chunk before it.
        last = found.pop()
        found.append(Chunk(last.key_start, len(key), key[last.key_start :]))
    return found
