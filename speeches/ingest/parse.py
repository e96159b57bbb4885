"""Text of a page to the speeches it holds: split → remove debris → repair fragments →
merge copies → header → sections. Pure: no database, no HTML."""

import re
from dataclasses import dataclass, field

from speeches import identity
from speeches.ingest.dedupe import Candidate, best_copy, group_copies
from speeches.ingest.errors import IngestError
from speeches.ingest.header import (
    is_generic_title,
    read_header,
    report_title,
    report_year,
    speaker_in_title,
)
from speeches.ingest.layout import recover_paragraphs
from speeches.ingest.lines import SALUTATION_PREFIX, TITLE_BREAKERS, is_salutation
from speeches.ingest.page import Block, split_page
from speeches.ingest.repair import repair_fragments
from speeches.ingest.sections import find_notes, find_sections
from speeches.ingest.width import fold

_NEWS_SUMMARY_TITLE = re.compile(r"总结|综述|纪要|召开|会议")
NEWS_SUMMARY_MAX_CHARS = 1500
# A title made of the text's first words, when nothing better names it.
FIRST_WORDS_TITLE = 30
# A file name says little; one longer than this, or with other than Chinese, says nothing.
MAX_NAME_HINT = 12
_NAME_HINT = re.compile(r"^[\u4e00-\u9fff]+$")


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
    # What the input itself states (a header, a byline, a mapped column); None/"" where it
    # states nothing. Extraction never overrides a stated date or year.
    source_year: int | None = None
    source_date: object = None
    url: str = ""
    speaker_name: str = ""
    speaker_title: str = ""
    meeting: str = ""
    delegated_by: str = ""
    # Where the notes after the text (名词解释, 注释) begin, as an offset in body.
    notes_start: int | None = None
    # What the importer did besides repairs and merges, for Speech.import_log.
    log: list = field(default_factory=list)

    def __post_init__(self):
        # Cut here, before anything hashes it: the hash is of the title as stored.
        self.title = self.title[: identity.TITLE_LENGTH]

    def given_metadata(self):
        """Model fields the input states. The header's are always given (an emptied
        header empties them); a URL only when the input has one."""
        given = {
            "source_year": self.source_year,
            "source_date": self.source_date,
            "speaker_name": self.speaker_name,
            "speaker_title": self.speaker_title,
            "meeting": self.meeting,
            "delegated_by": self.delegated_by,
            "notes_start": self.notes_start,
        }
        if self.url:
            given["url"] = self.url
        return given

    @property
    def content_hash(self):
        return identity.speech_hash(self.title, self.body)


@dataclass
class ParsedDocument:
    title: str = ""
    published_at: object = None
    author: str = ""
    intro: str = ""
    speeches: list = field(default_factory=list)
    debris: dict = field(default_factory=dict)
    furniture: list = field(default_factory=list)
    duplicates_merged: int = 0
    warnings: list = field(default_factory=list)


def classify_kind(title, body, reports_work=False):
    """The kind of a speech: a resolution, a government work report (its title says so, or
    its opening reports a government's work to a congress), a news summary, or a speech."""
    if "决议" in title:
        return identity.RESOLUTION
    if "政府工作报告" in title or reports_work:
        return identity.WORK_REPORT
    opening = body.split("\n", 3)[:3]
    has_salutation = any(is_salutation(line) or SALUTATION_PREFIX.match(fold(line)) for line in opening)
    if (
        not has_salutation
        and len(body) <= NEWS_SUMMARY_MAX_CHARS
        and _NEWS_SUMMARY_TITLE.search(title)
        and "召开" in body
    ):
        return identity.NEWS_SUMMARY
    return identity.SPEECH


def name_hint(name):
    """What a file's name may say (a place: 杭州, 黔东南), or "" when it says nothing usable."""
    name = (name or "").strip()
    return name if len(name) <= MAX_NAME_HINT and _NAME_HINT.match(name) else ""


def header_fields(header):
    """The ParsedSpeech fields a Header gives."""
    return {
        "source_date": header.date,
        "source_year": header.date.year if header.date else None,
        "speaker_name": header.speaker_name,
        "speaker_title": header.speaker_title,
        "meeting": header.meeting,
        "delegated_by": header.delegated_by,
    }


def document_title(header, paragraphs, hint=""):
    """(title, delivered year or None, whether it is a government work report) for a
    document of its own: its header's title unless that names no one; for a government
    work report one composed from the header (杭州市政府工作报告（2024年）); the file name
    (hint) only where the text names nothing; else the text's first words."""
    year = header.date.year if header.date else None
    # A report that lost its opening still has the headings of one (2023年工作回顾).
    reports_work = (
        header.reports_work
        or "工作报告" in header.title
        or (not header.title and report_year(paragraphs, headings_only=True) is not None)
    )
    if reports_work:
        year = year or report_year(paragraphs)
    if header.title and not is_generic_title(header.title):
        return header.title, year, reports_work
    if reports_work:
        return report_title(header, year, name_hint(hint)), year, True
    if header.title:
        return header.title, year, False
    if name_hint(hint) or hint:
        return hint, year, False
    return first_words(paragraphs), year, False


_SENTENCE_STOP = re.compile(r"[。!?;]")


def first_words(paragraphs):
    """A title made of a text's first sentence (its greeting aside), when nothing names it."""
    for paragraph in paragraphs:
        text = paragraph.strip()
        if is_salutation(text):
            continue
        if m := SALUTATION_PREFIX.match(fold(text)):
            text = text[m.end():]
        if m := _SENTENCE_STOP.search(fold(text)):
            text = text[: m.start()]
        if text:
            return text[:FIRST_WORDS_TITLE]
    return paragraphs[0][:FIRST_WORDS_TITLE]


def _document_speech(block, hint):
    """The one speech of a file that holds one document."""
    header = block.header
    paragraphs, repairs = repair_fragments(block.lines)
    title, year, reports_work = document_title(header, paragraphs, hint)
    body = "\n".join(paragraphs)
    notes_start = find_notes(body)
    fields = header_fields(header)
    fields["source_year"] = fields["source_year"] or (year if reports_work else None)
    if not fields["speaker_name"] and (named := speaker_in_title(title)):
        fields["speaker_title"], fields["speaker_name"] = named
    return ParsedSpeech(
        title=title,
        body=body,
        position=1,
        kind=classify_kind(title, body, reports_work),
        sections=find_sections(body, notes_start),
        repairs=[r.as_dict() for r in repairs],
        notes_start=notes_start,
        **fields,
    )


def parse_compilation(text, fallback_title=""):
    """A ParsedDocument for page text (a compilation page, or a file of one document);
    raises IngestError when it holds no speech."""
    page = split_page(text, fallback_title=fallback_title)
    doc = ParsedDocument(
        title=page.title,
        published_at=page.published_at,
        author=page.author,
        intro=page.intro,
        debris=dict(page.debris),
        furniture=list(page.furniture),
        warnings=list(page.warnings),
    )
    if page.single:
        doc.speeches.append(_document_speech(page.blocks[0], fallback_title))
        return doc
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
        header = read_header(body.split("\n"))
        notes_start = find_notes(body)
        doc.speeches.append(
            ParsedSpeech(
                title=title,
                body=body,
                position=position,
                kind=classify_kind(title, body),
                sections=find_sections(body, notes_start),
                repairs=[r.as_dict() for r in repairs],
                copies=len(group),
                notes=notes,
                notes_start=notes_start,
                **header_fields(header),
            )
        )
    # Groups come out in page order of their first copy; keep that order.
    return doc


def parse_single(paragraphs, title="", hint=""):
    """One speech from the paragraphs of a document that holds only it (a Word file):
    the title is the document's own (a Word file's title property) or its header's."""
    lines = [(i + 1, p.strip()) for i, p in enumerate(paragraphs) if p.strip()]
    if not lines:
        raise IngestError("文档没有正文")
    recovered = recover_paragraphs(lines)
    paragraphs = [p for _n, p in recovered.lines]
    header = read_header(paragraphs)
    if title:
        header.title = title
    elif not header.title and len(paragraphs) > 1 and fold(paragraphs[0])[-1] not in TITLE_BREAKERS and len(paragraphs[0]) <= 60:
        # A Word file's first short line is its title, whatever it says.
        header.title, header.title_paragraphs = paragraphs[0], 1
    rest = paragraphs[header.title_paragraphs:]
    if not rest:
        raise IngestError("文档只有标题，没有正文")
    speech = _document_speech(Block(title=header.title, lines=rest, first_line=1, header=header), hint)
    doc = ParsedDocument(title=speech.title, speeches=[speech], warnings=list(recovered.notes))
    if recovered.page_numbers:
        doc.debris["page_number"] = recovered.page_numbers
    return doc
