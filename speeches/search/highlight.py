"""Snippets with the matched text marked.

Matches are found in the folded stored text (fold keeps offsets) with the same
literal needles the query matched on, so a highlight always covers the whole
matched string, never half a word, and nothing is re-tokenized. The text is
escaped first and <mark> added around the escaped pieces.
"""

import bisect
import functools
import html
import re
from dataclasses import dataclass

from django.utils.safestring import mark_safe

from speeches.search.text import fold, literal_source, unfolded_source

SNIPPET_CHARS = 160
CONTEXT_BEFORE = 40
# Enough to find the best section in long speeches and keep common characters cheap.
MAX_MATCHES_PER_NEEDLE = 2000
_WHITESPACE = re.compile(r"\s+")


def _overlapping(source):
    # A lookahead finds overlapping occurrences too (哈哈 twice in 哈哈哈).
    return re.compile(f"(?=({source}))")


# Compiling costs about a millisecond a needle (every gap between two characters is a
# class of the characters matching skips): each pattern is compiled once, when first needed.
@functools.lru_cache(maxsize=1024)
def _stored_text_pattern(needle):
    """The pattern finding needle in the stored text, or None (fold the text instead)."""
    source = unfolded_source(needle)
    return None if source is None else _overlapping(source)


@functools.lru_cache(maxsize=256)
def _folded_text_pattern(needle):
    return _overlapping(literal_source(needle))


def find_matches(text, needles):
    """Sorted (start, end, needle_number) of every occurrence of the needles in text.

    The stored text is searched directly with patterns that accept every variant
    of each character (識 for 识, A for a); folding the whole text first costs
    more than the search itself."""
    found, folded = [], None
    for number, needle in enumerate(needles):
        unfolded = _stored_text_pattern(needle)
        if unfolded is not None:
            matches = unfolded.finditer(text)
        else:
            folded = fold(text) if folded is None else folded
            matches = _folded_text_pattern(needle).finditer(folded)
        for count, match in enumerate(matches):
            if count >= MAX_MATCHES_PER_NEEDLE:
                break
            found.append((match.start(1), match.end(1), number))
    found.sort()
    return found


def _merge(spans):
    merged = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def render(text, start, end, matches):
    """HTML of text[start:end] with the given matches marked, whitespace collapsed."""
    spans = _merge((max(s, start), min(e, end)) for s, e, *_ in matches if s < end and e > start)
    pieces, cursor = [], start
    for s, e in spans:
        pieces.append(_escape(text[cursor:s]))
        pieces.append(f"<mark>{_escape(text[s:e])}</mark>")
        cursor = e
    pieces.append(_escape(text[cursor:end]))
    return "".join(pieces)


def _escape(piece):
    return html.escape(_WHITESPACE.sub(" ", piece))


def highlight(text, needles):
    """The whole (short) text, e.g. a title, escaped with every match marked."""
    return mark_safe(render(text, 0, len(text), find_matches(text, needles)))


@dataclass
class Excerpt:
    html: str
    section: object  # the Section holding the best match, or None
    matched: bool


def _innermost_section(sections, starts, offset):
    """The deepest section containing offset. Sections (sorted by start) nest, so
    that is the latest-starting one that contains it."""
    index = bisect.bisect_right(starts, offset) - 1
    while index >= 0:
        section = sections[index]
        if section.start <= offset <= section.end:
            return section
        index -= 1
    return None


def excerpt(body, sections, needles):
    """A snippet of body around the best match, and the section it lies in.

    The best section is the one matching the most different needles, then the
    most occurrences; the snippet starts just before its first match."""
    matches = find_matches(body, needles)
    if not matches:
        end = min(len(body), SNIPPET_CHARS)
        return Excerpt(mark_safe(_escape(body[:end]) + ("…" if end < len(body) else "")), None, False)
    sections = sorted(sections, key=lambda s: (s.start, s.level))
    starts = [s.start for s in sections]
    tally = {}
    for start, _end, number in matches:
        section = _innermost_section(sections, starts, start) if sections else None
        key = section.pk if section is not None else None
        entry = tally.setdefault(key, {"section": section, "needles": set(), "count": 0, "first": start})
        entry["needles"].add(number)
        entry["count"] += 1
    best = max(tally.values(), key=lambda e: (len(e["needles"]), e["count"], -e["first"]))
    first = next(m for m in matches if m[0] == best["first"])
    start = max(0, first[0] - CONTEXT_BEFORE)
    end = min(len(body), max(start + SNIPPET_CHARS, first[1]))
    html_text = render(body, start, end, matches)
    if start > 0:
        html_text = "…" + html_text
    if end < len(body):
        html_text += "…"
    return Excerpt(mark_safe(html_text), best["section"], True)
