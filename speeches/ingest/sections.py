"""The outline of a speech: paragraphs that begin with 第一部分 / 一、 / （一） / 1. / （1）,
and the notes that follow the text (名词解释, 注释, numbered notes), which are no outline.

Levels follow the usual order of Chinese official documents (第一部分 above 一、 above
（一） above 1. above （1）), counted among the styles a speech actually uses: a speech
whose first heading style is （一） has it at level 1. Full-width and half-width numbers
read alike (speeches.ingest.lines).
"""

import re
from dataclasses import dataclass

from speeches.ingest.lines import OUTLINE_STYLES, ends_paragraph, is_salutation, outline_number
from speeches.ingest.width import fold

# Unnumbered headings (2023年工作回顾, 关于形势和任务) stand above every numbered level.
PLAIN = "plain"
_RANK = {PLAIN: -1, **{name: rank for rank, (name, _pattern) in enumerate(OUTLINE_STYLES)}}
# A heading without a number: a short line with no punctuation, between paragraphs of text.
MAX_PLAIN_HEADING = 24
_HEADING_PUNCTUATION = re.compile(r"[,.。:;!?…“”\[\]]")
# More unnumbered short lines than this share of paragraphs is verse or a list, not headings.
MAX_PLAIN_SHARE = 0.2
_HEADING_END = re.compile(r"[。!?:;]")
_CLAUSE_END = re.compile(r"[,、]")
MAX_HEADING = 60

# A heading that opens the notes: 名词解释 / 注释 / 名 词 解 释 / 附:名词解释 / 注:
_NOTES_HEADING = re.compile(r"^(?:附(?:件\d*)?:?)?(?:本报告)?(?:名词|术语|有关)?(?:解释|注释|注解|释义|说明)?:?$|^(?:注|附注|注释|注解):?$")
# A note: [3]… / ①… / ↑… (a wiki's back-link) / 1. term: explanation
_NOTE_MARK = re.compile(r"^(?:\[(\d{1,3})\]|([①-⑳])|↑)")
_GLOSSARY_ENTRY = re.compile(r"^(?:\d{1,2}[.、])?\s*[^。,;!?]{1,30}?(?::|——)")
_NUMBERED_NOTE = re.compile(r"^(\d{1,2})[.、]")
MAX_NOTES_HEADING = 12
# What a note's opening shows (its mark, its number, a glossary term and its colon).
MAX_NOTE_START = 40
# Notes begin in the last part of a text, never in its first half.
NOTES_AFTER = 0.5
MIN_TRAILING_NOTES = 2


@dataclass(frozen=True)
class SectionSpec:
    order: int
    number: str
    heading: str
    level: int
    start: int
    end: int


def heading_of(rest):
    """The heading is the first sentence after the number, shortened to a clause if long."""
    folded = fold(rest)
    m = _HEADING_END.search(folded)
    heading = rest[: m.start()] if m else rest
    if len(heading) > MAX_HEADING:
        clause = _CLAUSE_END.search(folded[: len(heading)])
        heading = heading[: clause.start()] if clause and clause.start() <= MAX_HEADING else heading[:MAX_HEADING] + "…"
    return heading.strip()


def _paragraphs(body):
    """(offset, paragraph) for each line of body."""
    offset = 0
    for paragraph in body.split("\n"):
        yield offset, paragraph
        offset += len(paragraph) + 1


def _is_note(folded):
    return bool(_NOTE_MARK.match(folded)) or bool(_GLOSSARY_ENTRY.match(folded) and _NUMBERED_NOTE.match(folded))


def find_notes(body):
    """Offset in body where its notes begin (a 名词解释 / 注释 heading, or a closing run of
    numbered notes and glossary entries), or None when it has none."""
    paragraphs = [(offset, p) for offset, p in _paragraphs(body) if p.strip()]
    if len(paragraphs) < 4:
        return None
    earliest = int(len(paragraphs) * NOTES_AFTER)
    for offset, paragraph in paragraphs[earliest:]:
        if len(paragraph) > 2 * MAX_NOTES_HEADING:
            continue
        compact = re.sub(r"\s+", "", fold(paragraph))
        if compact and len(compact) <= MAX_NOTES_HEADING and _NOTES_HEADING.match(compact) and re.search(r"解释|注|释义|说明", compact):
            return offset
    # No heading: the run of notes the text ends with, numbered from 1.
    run = []
    tail = paragraphs[earliest:]
    i = len(tail) - 1
    while i >= 0:
        offset, paragraph = tail[i]
        folded = fold(paragraph[:MAX_NOTE_START]).strip()
        if i > 0 and len(tail[i - 1][1]) <= 8 and _NOTE_MARK.fullmatch(fold(tail[i - 1][1]).strip()):
            # A wiki's note: its back-link (↑, [3]) on a line of its own, then the note.
            run.append((tail[i - 1][0], fold(tail[i - 1][1]).strip()))
            i -= 2
            continue
        if not _is_note(folded):
            break
        run.append((offset, folded))
        i -= 1
    run.reverse()
    if len(run) < MIN_TRAILING_NOTES:
        return None
    first = run[0][1]
    numbered = _NUMBERED_NOTE.match(first) or _NOTE_MARK.match(first)
    number = next((g for g in numbered.groups() if g and g.isdigit()), None) if numbered else None
    if number is not None and int(number) != 1:
        return None
    return run[0][0]


def _plain_headings(paragraphs):
    """Offsets of the unnumbered headings among (offset, paragraph) pairs: a short line
    without punctuation after a finished paragraph and before a longer one."""
    texts = [(offset, p.strip()) for offset, p in paragraphs if p.strip()]
    found = set()
    for i in range(1, len(texts) - 1):
        offset, text = texts[i]
        if len(text) > 2 * MAX_PLAIN_HEADING:
            continue
        folded = fold(text)
        previous, following = texts[i - 1][1], texts[i + 1][1]
        if (
            2 <= len(folded) <= MAX_PLAIN_HEADING
            and not _HEADING_PUNCTUATION.search(folded)
            and not folded.isdigit()
            and not is_salutation(text)
            and outline_number(text) is None
            and (ends_paragraph(previous) or is_salutation(previous))
            and (len(following) > len(text) * 2 or outline_number(following) is not None)
        ):
            found.add(offset)
    return found if len(found) <= MAX_PLAIN_SHARE * len(texts) else set()


_NOT_GIVEN = object()


def find_sections(body, notes_start=_NOT_GIVEN):
    """SectionSpecs for the headings of body (paragraphs separated by newlines): numbered
    ones and unnumbered ones; none among its notes (from notes_start, found by find_notes
    when not given; None: the body has none)."""
    if notes_start is _NOT_GIVEN:
        notes_start = find_notes(body)
    limit = len(body) if notes_start is None else notes_start
    paragraphs = [(offset, p) for offset, p in _paragraphs(body) if offset < limit]
    plain = _plain_headings(paragraphs)
    found = []  # (style, number, heading, start)
    for offset, paragraph in paragraphs:
        if offset in plain:
            found.append((PLAIN, "", paragraph.strip(), offset))
        elif numbered := outline_number(paragraph):
            style, number = numbered
            heading = heading_of(paragraph[len(number):])
            if heading:
                found.append((style, number, heading, offset))
    used = sorted({style for style, *_ in found}, key=_RANK.get)
    level_of = {style: i + 1 for i, style in enumerate(used)}
    specs = []
    for order, (style, number, heading, start) in enumerate(found, start=1):
        level = level_of[style]
        end = len(body) if notes_start is None else notes_start - 1
        for later_style, _n, _h, later_start in found[order:]:
            if level_of[later_style] <= level:
                end = later_start - 1
                break
        specs.append(SectionSpec(order, number, heading, level, start, end))
    return specs
