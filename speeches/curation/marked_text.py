"""A speech's text as the curator's page shows it: each paragraph cut into plain runs
and marked runs (an official's mention, a place's) at the offsets extraction stored,
with what was recognised and how sure, and the extraction's findings as table rows."""

from dataclasses import dataclass

OFFICIAL, REGION = "official", "region"


@dataclass(frozen=True)
class Mark:
    start: int
    end: int
    kind: str
    # The tooltip: what the mention was taken for, and how sure extraction was.
    label: str


@dataclass(frozen=True)
class Run:
    text: str
    mark: Mark | None = None


@dataclass(frozen=True)
class Finding:
    """One row of the extraction table: a field, what was found, how sure, why."""

    field: str
    value: str
    confidence: float | None
    reason: str
    locked: bool


def speech_marks(speech):
    """(marks, stale): a Mark for each citation and region mention whose offset still
    points at its words, and how many no longer do (the text was edited since)."""
    found = []
    for citation in speech.citations.select_related("official"):
        label = f"官员：{citation.official} · 置信度 {citation.confidence:.2f}"
        if citation.title_as_written:
            label += f" · 原文职务：{citation.title_as_written}"
        found.append((citation.offset, citation.mention, OFFICIAL, label))
    for mention in speech.region_mentions.select_related("region"):
        if not mention.mention:
            continue  # a national speech's own region, named nowhere in the text
        label = f"地区：{mention.region.name}（{mention.region.code}）"
        if mention.is_primary:
            label += " · 讲话所属地区"
        found.append((mention.offset, mention.mention, REGION, label))
    marks = [
        Mark(offset, offset + len(words), kind, label)
        for offset, words, kind, label in found
        if words and speech.body[offset : offset + len(words)] == words
    ]
    return marks, len(found) - len(marks)


def marked_paragraphs(body, marks):
    """[(paragraph number, [Run])] for the non-blank lines of body, numbered as the public
    page numbers them (Speech.paragraph_spans). Where marks overlap, the one starting
    first (the longer on a tie) is kept."""
    chosen, end = [], -1
    for mark in sorted(marks, key=lambda m: (m.start, -(m.end - m.start))):
        if mark.start >= end:
            chosen.append(mark)
            end = mark.end
    paragraphs, offset, number, i = [], 0, 0, 0
    for line in body.split("\n"):
        line_start, line_end = offset, offset + len(line)
        offset = line_end + 1
        text = line.strip()
        if not text:
            continue
        number += 1
        start = line_start + (len(line) - len(line.lstrip()))
        stop = start + len(text)
        runs, cursor = [], start
        while i < len(chosen) and chosen[i].end <= start:
            i += 1  # marks in blank space between paragraphs
        while i < len(chosen) and chosen[i].start < stop:
            mark = chosen[i]
            if mark.start > cursor:
                runs.append(Run(body[cursor : mark.start]))
            runs.append(Run(body[max(mark.start, cursor) : min(mark.end, stop)], mark))
            cursor = min(mark.end, stop)
            if mark.end > stop:
                break  # a mark across a line break goes on in the next paragraph
            i += 1
        if cursor < stop:
            runs.append(Run(body[cursor:stop]))
        paragraphs.append((number, runs))
    return paragraphs


def findings(speech):
    """The extraction table: region, date, speaker and topics from the last extraction's
    notes (Speech.extraction_notes), then each official cited, with the lowest confidence
    of their mentions and where they are first named."""
    notes = speech.extraction_notes or {}
    locked = set(speech.locked_fields or [])
    rows = []
    for field, label in (("region", "地区"), ("date", "日期"), ("speaker", "讲话人")):
        note = notes.get(field)
        if note:
            rows.append(Finding(label, note["value"], note.get("confidence"), note.get("reason", ""), field in locked))
    for note in (notes.get("topics") or {}).values():
        rows.append(Finding("主题", note["value"], note.get("confidence"), note.get("reason", ""), "topics" in locked))
    people = {}
    for citation in speech.citations.select_related("official").order_by("offset"):
        people.setdefault(citation.official_id, []).append(citation)
    for citations in people.values():
        first = citations[0]
        reason = f"提及 {len(citations)} 次；首次：{first.sentence[:80] or first.mention}"
        confidence = min(citation.confidence for citation in citations)
        rows.append(Finding("官员", str(first.official), confidence, reason, "officials" in locked))
    return rows


def import_log_lines(log):
    """The importer's log (Speech.import_log) as sentences for the curator."""
    lines = []
    for entry in log if isinstance(log, list) else []:
        if not isinstance(entry, dict):
            lines.append(str(entry))
        elif entry.get("kind") == "repair":
            lines.append(f"把断开的“{entry.get('fragment', '')}”并回句中：…{entry.get('result', '')}…")
        elif entry.get("note"):
            lines.append(str(entry["note"]))
        else:
            lines.append("、".join(f"{key}:{value}" for key, value in entry.items()))
    return lines
