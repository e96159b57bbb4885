"""Paragraphs back from texts whose layout was lost in copying.

Two damages, both common in reports copied out of PDFs and wikis:
- hard-wrapped: every paragraph cut into lines of the page's width (about 30 characters),
  with the PDF's page numbers (`— 12 —`) between them;
- flattened: a whole report on one line, paragraphs run together, separated at best by
  spaces (ASCII or full-width double spaces) or by nothing at all (`…意见。一、2023年…`).
Lines are (number, text) pairs so callers keep pointing at the file's lines.
"""

import re
from dataclasses import dataclass, field

from speeches.ingest.lines import (
    CLOSERS,
    OUTLINE_START,
    PARAGRAPH_END,
    SALUTATION_PREFIX,
    ends_paragraph,
)
from speeches.ingest.width import fold

# `— 12 —`, `- 3 -`, `－ 7 －`: the page numbers of a printed document.
PDF_PAGE_NUMBER = re.compile(r"^[-—–―─]\s*\d{1,4}\s*[-—–―─]$")
_INLINE_PAGE_NUMBER = re.compile(r"\s[-—–―─]\s*\d{1,4}\s*[-—–―─](?=\s)")

_CJK = "\u4e00-\u9fff"

# A line this long is not one paragraph: the longest real paragraphs (national reports,
# city reports) run to about 2,200 characters.
FLATTENED_CHARS = 3000
# Hard-wrapped text (widths in columns: a Chinese character is two, a digit or Latin letter
# one): cut at 20 to 50 characters, nearly every line within the cut, most open lines full.
MIN_WRAP_WIDTH = 40
MAX_WRAP_WIDTH = 100
WRAP_SLACK = 6
MIN_WRAPPED_LINES = 10
WITHIN_SHARE = 0.95
FULL_SHARE = 0.6


@dataclass
class Recovered:
    lines: list
    page_numbers: int = 0
    notes: list = field(default_factory=list)


_WIDE = re.compile(r"[^\u0000-\u10ff]")


def columns(text):
    """Printed width: a Chinese character or full-width sign is two columns, ASCII one. A
    line wider than any cut is measured no further than needed to say so."""
    if len(text) > MAX_WRAP_WIDTH:
        return len(text) + MAX_WRAP_WIDTH
    return len(text) + len(_WIDE.findall(text))


def wrap_width(texts):
    """The width (columns) a hard-wrapped text was cut at, or None when lines are paragraphs.
    Cut text has almost no line wider than the cut, and most lines that do not end a
    sentence reach it; in a text of paragraphs the paragraphs run far past the headings."""
    lines = [t for t in texts if len(t) > 10]
    # A line longer than the widest cut in characters is wider in columns too.
    if len(lines) < MIN_WRAPPED_LINES or sum(len(t) > MAX_WRAP_WIDTH for t in lines) > (1 - WITHIN_SHARE) * len(lines):
        return None
    open_ended = sorted(columns(t) for t in lines if not ends_paragraph(t))
    if len(open_ended) < MIN_WRAPPED_LINES:
        return None
    width = open_ended[len(open_ended) // 2]
    if not MIN_WRAP_WIDTH <= width <= MAX_WRAP_WIDTH:
        return None
    within = sum(1 for t in lines if columns(t) <= width + WRAP_SLACK)
    full = sum(1 for w in open_ended if w >= width - WRAP_SLACK)
    if within >= WITHIN_SHARE * len(lines) and full >= FULL_SHARE * len(open_ended):
        return width
    return None


def unwrap(lines, width):
    """Join lines cut at `width` back into paragraphs: a full line that does not end a
    sentence continues on the next, unless the next begins an outline heading."""
    out = []
    joining = False
    for n, text in lines:
        if joining and out and not OUTLINE_START.match(fold(text)):
            out[-1] = (out[-1][0], out[-1][1] + text)
        else:
            out.append((n, text))
        joining = columns(text) >= width - WRAP_SLACK and not ends_paragraph(text)
    return out


def _split_points(text):
    """Offsets in a flattened line where a new paragraph begins."""
    folded = fold(text)
    points = set()
    if m := SALUTATION_PREFIX.match(folded):
        points.add(m.end())
    for m in re.finditer(r"\s+", folded):
        before = folded[: m.start()].rstrip(CLOSERS)
        after = folded[m.end():]
        if not before or not after:
            continue
        if text[m.start(): m.end()].count("\u3000") >= 2 or before[-1] in PARAGRAPH_END or OUTLINE_START.match(after):
            points.add(m.end())
    previous = None
    for m in OUTLINE_START.finditer(folded):
        before = folded[: m.start()].rstrip()
        if before and before.rstrip(CLOSERS)[-1:] in tuple(PARAGRAPH_END):
            points.add(m.start())
        elif previous is not None and previous in points | {0} and m.start() - previous <= MAX_RUN_ON_HEADING:
            # A heading run into the next level's number: 二、2031年主要任务(一)聚力……
            if not any(c in PARAGRAPH_END for c in folded[previous : m.start()]):
                points.add(m.start())
        previous = m.start()
    return sorted(points)


def _heading_then_text(piece):
    """An outline heading run into its first paragraph across a space: split them."""
    folded = fold(piece)
    if not OUTLINE_START.match(folded):
        return [piece]
    m = re.search(r"\s+", folded)
    if m and m.start() <= 40 and not any(c in PARAGRAPH_END for c in folded[: m.start()]):
        return [piece[: m.start()], piece[m.end():]]
    return [piece]


def _rejoin_wrapped_words(text):
    """A single space between two Chinese characters in a flattened PDF text is a line wrap."""
    return re.sub(rf"(?<=[{_CJK}，、“”（）])[ ](?=[{_CJK}，、。“”（）])", "", text)


def split_flattened(n, text):
    """The paragraphs of one flattened line, as (n, paragraph) pairs."""
    points = [0, *_split_points(text), len(text)]
    pieces = []
    for start, end in zip(points, points[1:], strict=False):
        piece = text[start:end].strip(" \t\u3000")
        if piece:
            pieces.extend(p.strip(" \t\u3000") for p in _heading_then_text(piece))
    spaced = sum(1 for p in pieces for _ in re.finditer(rf"[{_CJK}] [{_CJK}]", p))
    if spaced >= 10:
        pieces = [_rejoin_wrapped_words(p) for p in pieces]
    return [(n, p) for p in pieces if p]


# Paragraph boundaries run together and marked: spaces right after a sentence. (Outline
# numbers right after a sentence are also inline lists: only a line longer than any
# paragraph is split at them without spaces.)
_RUN_TOGETHER = re.compile(r"[。!?;:！？；：][”’」』)）】]?\s+\S")
MIN_RUN_TOGETHER = 3
# A heading is at most this long when the next level's number follows it directly.
MAX_RUN_ON_HEADING = 30
MIN_FLATTENED_CHARS = 400


def is_flattened(text):
    """Whether one line holds many paragraphs: longer than any real paragraph, or long and
    with several spaced paragraph boundaries inside it."""
    if len(text) >= FLATTENED_CHARS:
        return True
    return len(text) >= MIN_FLATTENED_CHARS and len(_RUN_TOGETHER.findall(text)) >= MIN_RUN_TOGETHER


def recover_paragraphs(lines):
    """Recovered paragraphs of (n, text) lines: PDF page numbers dropped, hard-wrapped
    lines joined, flattened lines split."""
    kept = []
    page_numbers = 0
    for n, text in lines:
        if len(text) <= 12 and PDF_PAGE_NUMBER.match(fold(text).strip()):
            page_numbers += 1
            continue
        kept.append((n, text))
    result = Recovered(lines=kept, page_numbers=page_numbers)
    width = wrap_width([t for _n, t in kept])
    if width:
        joined = unwrap(kept, width)
        result.notes.append(f"每行在第 {width} 字处折断：{len(kept)} 行合并为 {len(joined)} 段")
        kept = joined
    out = []
    for n, text in kept:
        if not is_flattened(text):
            out.append((n, text))
            continue
        text, inline = _INLINE_PAGE_NUMBER.subn(" ", text)
        result.page_numbers += inline
        pieces = split_flattened(n, text)
        result.notes.append(f"第 {n} 行有 {len(text):,} 字连成一片：拆为 {len(pieces)} 段")
        out.extend(pieces)
    result.lines = out
    return result
