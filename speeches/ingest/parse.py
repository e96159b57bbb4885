"""Text of a page to the speeches it holds: split → remove debris → repair fragments →
merge copies → sections. Pure: no database, no HTML."""

import re
from dataclasses import dataclass, field
from datetime import date

from speeches.ingest.dedupe import Candidate, best_copy, group_copies
from speeches.ingest.errors import IngestError
from speeches.ingest.page import SALUTATION, split_page
from speeches.ingest.repair import repair_fragments
from speeches.ingest.sections import find_sections
from speeches.models import Speech, content_hash

_NEWS_SUMMARY_TITLE = re.compile(r"总结|综述|纪要|召开|会议")
NEWS_SUMMARY_MAX_CHARS = 1500


@dataclass
class ParsedSpeech:
    title: str
    body: str
    position: int
    kind: str
    sections: list
    repairs: list = field(default_factory=list)
    copies: int = 1
    notes: list = field(default_factory=list)
    # Given by the input itself (bulk records); None/"" leaves them to extraction.
    year: int | None = None
    date: object = None
    url: str = ""

    def given_metadata(self):
        given = {"year": self.year, "date": self.date, "url": self.url}
        return {name: value for name, value in given.items() if value}

    @property
    def content_hash(self):
        return content_hash(self.title + "\n" + self.body)


@dataclass
class ParsedDocument:
    title: str = ""
    published_at: object = None
    author: str = ""
    intro: str = ""
    speeches: list = field(default_factory=list)
    debris: dict = field(default_factory=dict)
    duplicates_merged: int = 0
    warnings: list = field(default_factory=list)


def classify_kind(title, body):
    if "决议" in title:
        return Speech.RESOLUTION
    if "政府工作报告" in title:
        return Speech.WORK_REPORT
    opening = body.split("\n", 3)[:3]
    has_salutation = any(SALUTATION.match(line) for line in opening)
    if (
        not has_salutation
        and len(body) <= NEWS_SUMMARY_MAX_CHARS
        and _NEWS_SUMMARY_TITLE.search(title)
        and "召开" in body
    ):
        return Speech.NEWS_SUMMARY
    return Speech.SPEECH


def parse_compilation(text, fallback_title=""):
    """A ParsedDocument for page text; raises IngestError when it holds no speech."""
    page = split_page(text, fallback_title=fallback_title)
    doc = ParsedDocument(
        title=page.title,
        published_at=page.published_at,
        author=page.author,
        intro=page.intro,
        debris=dict(page.debris),
        warnings=list(page.warnings),
    )
    drafts = []
    for block in page.blocks:
        paragraphs, repairs = repair_fragments(block.lines)
        drafts.append((block, "\n".join(paragraphs), repairs))

    candidates = [Candidate(index=i, text=body, repairs=len(r)) for i, (_b, body, r) in enumerate(drafts)]
    position = 0
    for group in group_copies(candidates):
        keep = best_copy([candidates[i] for i in group]).index
        block, body, repairs = drafts[keep]
        title = block.title
        if not block.titled:
            # An untitled copy borrows the title of a titled copy of the same speech.
            title = next((drafts[i][0].title for i in group if drafts[i][0].titled), title)
        notes = [
            f"并入了页面第 {drafts[i][0].first_line} 行起的副本"
            for i in group
            if i != keep
        ]
        doc.duplicates_merged += len(group) - 1
        position += 1
        doc.speeches.append(
            ParsedSpeech(
                title=title,
                body=body,
                position=position,
                kind=classify_kind(title, body),
                sections=find_sections(body),
                repairs=[r.as_dict() for r in repairs],
                copies=len(group),
                notes=notes,
            )
        )
    # Groups come out in page order of their first copy; keep that order.
    return doc


# A report's header line: ----2025年1月15日某某市长在…… / ——2024年3月5日在……上
_HEADER_DATE = re.compile(r"^[-—–\s]*(\d{4})年(\d{1,2})月(\d{1,2})日")


def parse_single(paragraphs, title=""):
    """One speech from the paragraphs of a document that holds only it (a Word file):
    the title is the document's or its first short line; a dated header line gives the date."""
    paragraphs = [p.strip() for p in paragraphs if p.strip()]
    if not paragraphs:
        raise IngestError("文档没有正文")
    if not title and len(paragraphs[0]) <= 60 and paragraphs[0][-1] not in "。!?;:,!?;:,":
        title, paragraphs = paragraphs[0], paragraphs[1:]
    if not paragraphs:
        raise IngestError("文档只有标题,没有正文")
    day = None
    for line in paragraphs[:6]:
        if m := _HEADER_DATE.match(line):
            try:
                day = date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                continue
            break
    body = "\n".join(paragraphs)
    title = title or paragraphs[0][:60]
    speech = ParsedSpeech(
        title=title[:300],
        body=body,
        position=1,
        kind=classify_kind(title, body),
        sections=find_sections(body),
        date=day,
        year=day.year if day else None,
    )
    return ParsedDocument(title=title, speeches=[speech])
