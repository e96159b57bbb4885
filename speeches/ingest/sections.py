"""The outline of a speech: paragraphs that begin with 一、 / (一) / 1、 / (1).

Levels follow the usual order of Chinese official documents (一、 above (一) above 1、 above
(1)), counted among the styles a speech actually uses: a speech whose first heading style is
(一) has it at level 1.
"""

import re
from dataclasses import dataclass

_STYLES = (
    ("cn", re.compile(r"^([一二三四五六七八九十百]{1,3}、)")),
    ("paren_cn", re.compile(r"^([((][一二三四五六七八九十]{1,3}[))])")),
    ("arabic", re.compile(r"^(\d{1,2}[、.．])(?!\d)")),
    ("paren_arabic", re.compile(r"^([((]\d{1,2}[))])")),
)
_RANK = {name: rank for rank, (name, _pattern) in enumerate(_STYLES)}
_HEADING_END = re.compile(r"[。!?!?::;;]")
_CLAUSE_END = re.compile(r"[,,、]")
MAX_HEADING = 60


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
    m = _HEADING_END.search(rest)
    heading = rest[: m.start()] if m else rest
    if len(heading) > MAX_HEADING:
        clause = _CLAUSE_END.search(heading)
        heading = heading[: clause.start()] if clause and clause.start() <= MAX_HEADING else heading[:MAX_HEADING] + "…"
    return heading.strip()


def find_sections(body):
    """SectionSpecs for the numbered paragraphs of body (paragraphs separated by newlines)."""
    found = []  # (style, number, heading, start)
    offset = 0
    for paragraph in body.split("\n"):
        for style, pattern in _STYLES:
            m = pattern.match(paragraph)
            if m:
                heading = heading_of(paragraph[m.end():])
                if heading:
                    found.append((style, m.group(1), heading, offset))
                break
        offset += len(paragraph) + 1
    used = sorted({style for style, *_ in found}, key=_RANK.get)
    level_of = {style: i + 1 for i, style in enumerate(used)}
    specs = []
    for order, (style, number, heading, start) in enumerate(found, start=1):
        level = level_of[style]
        end = len(body)
        for later_style, _n, _h, later_start in found[order:]:
            if level_of[later_style] <= level:
                end = later_start - 1
                break
        specs.append(SectionSpec(order, number, heading, level, start, end))
    return specs
