"""Bulk records (JSON lines, JSON, CSV, tab-separated): one speech per row, columns chosen by
a field map (by a column's name or, for tables, its number from 1).

Texts copied from wiki pages carry their artefacts: a removed link leaves its words on a line
of their own (single line breaks inside a paragraph), names are spaced with full-width
spaces (李　强), and a licence notice ends the page. Texts copied from news sites carry the
site's furniture; texts copied from PDFs are hard-wrapped or flattened. These are undone here,
and each record's header is read (speeches.ingest.header) as a file's would be.
"""

import csv
import io
import json
import re
from datetime import date

from speeches import identity
from speeches.extract.dates import stated_date
from speeches.ingest.errors import IngestError
from speeches.ingest.furniture import find_furniture
from speeches.ingest.header import read_header, resolution_speaker, speaker_in_title
from speeches.ingest.layout import recover_paragraphs
from speeches.ingest.parse import (
    ParsedDocument,
    ParsedSpeech,
    classify_kind,
    first_words,
    header_fields,
)
from speeches.ingest.sections import find_notes, find_sections
from speeches.ingest.width import fold

# Archive field → the column it is read from unless --map says otherwise. The first
# column present wins.
DEFAULT_FIELD_MAP = {
    "title": ("title", "标题", "name"),
    "text": ("text", "content", "body", "正文", "内容"),
    "date": ("date", "日期", "published"),
    "year": ("year", "年份"),
    "url": ("url", "link", "网址"),
}
FIELDS = tuple(DEFAULT_FIELD_MAP)
MAX_BAD_ROWS_LISTED = 10

# A licence notice that ends a wiki page: 本作品……属于公有领域 / 这部作品在……屬於公有領域 / Public domain
_LICENCE_START = re.compile(r"^(?:本作品|这部作品|這部作品|此作品)")
_LICENCE_WORDS = re.compile(r"公有领域|公有領域|公共领域|著作权|著作權|版权|版權|Public domain", re.I)
_LICENCE_LINE = re.compile(r"^(?:Public domain|本作品在全世界都属于公有领域)$", re.I)
_BLANK_LINES = re.compile(r"\n[ \t\u3000\u200b]*\n")
_SPACED_NAME = re.compile(r"(?<![\u4e00-\u9fff])([\u4e00-\u9fff])[\u3000 ]+([\u4e00-\u9fff]{1,2})(?![\u4e00-\u9fff])")
_YEAR = re.compile(r"^(1[89]\d\d|20\d\d)(?:年)?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})")
# A text file that is a table: most lines hold the same number of tabs.
TABULAR_SHARE = 0.8


def parse_field_map(spec):
    """'title=title,text=content,date=year' → {'title': ('title',), ...}; a column may be
    given by its number (text=2) for tables."""
    if not spec:
        return dict(DEFAULT_FIELD_MAP)
    mapping = dict(DEFAULT_FIELD_MAP)
    for pair in spec.split(","):
        target, sep, column = (part.strip() for part in pair.partition("="))
        if not sep or not column or target not in FIELDS:
            raise IngestError(
                f"字段对应“{pair}”有误：应写成 字段=列名，字段为 {'、'.join(FIELDS)} 之一"
            )
        mapping[target] = (column,)
    return mapping


def rows_from_jsonl(text):
    rows, bad = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            bad.append(f"第 {number} 行：不是 JSON（{exc.msg}）")
            continue
        if not isinstance(row, dict):
            bad.append(f"第 {number} 行：不是 JSON 对象")
            continue
        rows.append((number, row))
    return rows, bad


def rows_from_json(text):
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise IngestError(f"不是有效的 JSON：第 {exc.lineno} 行，{exc.msg}") from exc
    if isinstance(data, dict):
        data = next((v for v in data.values() if isinstance(v, list)), [data])
    if not isinstance(data, list):
        raise IngestError("JSON 应是对象的列表（或包含这样一个列表的对象）")
    rows = [(i, row) for i, row in enumerate(data, start=1) if isinstance(row, dict)]
    bad = [f"第 {i} 项：不是 JSON 对象" for i, row in enumerate(data, start=1) if not isinstance(row, dict)]
    return rows, bad


def _table_rows(text, delimiter, field_map):
    """(rows, bad rows, column names) of a table: rows are dicts keyed by the header row's
    names, or by each column's number ("1", "2" …) when the table has no header row."""
    cells = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    cells = [(number, row) for number, row in enumerate(cells, start=1) if any(c.strip() for c in row)]
    if not cells:
        raise IngestError("表格是空的")
    header = [c.strip() for c in cells[0][1]]
    if _is_header_row(header, cells[1:], field_map):
        names, body = header, cells[1:]
    else:
        names, body = [str(i) for i in range(1, max(len(r) for _n, r in cells) + 1)], cells
    rows = [(number, dict(zip(names, row, strict=False))) for number, row in body]
    return rows, [], names


def _is_header_row(header, rest, field_map):
    """A first row is a header when its cells are short labels (not years or numbers) and
    it names a column the map knows, or the rows below hold long texts."""
    if not all(cell and len(cell) <= 20 and not _YEAR.match(fold(cell)) and not cell.isdigit() for cell in header):
        return False
    known = {spec for specs in field_map.values() for spec in specs}
    return bool(known & set(header)) or not rest or any(len(cell) > 40 for _n, row in rest[:20] for cell in row)


def rows_from_csv(text):
    if not text.strip():
        raise IngestError("CSV 文件没有标题行")
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise IngestError("CSV 文件没有标题行")
    rows = [(number, row) for number, row in enumerate(reader, start=2)]
    return rows, [], list(reader.fieldnames)


def rows_from_tsv(text, field_map):
    return _table_rows(text, "\t", field_map)


def is_tabular(text):
    """Whether a text file is a table: most of its lines hold the same number (≥ 1) of tabs."""
    counts = [line.count("\t") for line in text.splitlines() if line.strip()]
    if len(counts) < 2:
        return False
    common = max(set(counts), key=counts.count)
    return common >= 1 and counts.count(common) >= TABULAR_SHARE * len(counts)


def _cut_licence(lines):
    for i, line in enumerate(lines):
        stripped = line.strip()
        if _LICENCE_LINE.match(stripped):
            return lines[:i]
        if _LICENCE_START.match(stripped) and _LICENCE_WORDS.search("".join(lines[i : i + 12])):
            return lines[:i]
    return lines


def clean_record_text(text, doc=None):
    """Paragraphs of a record's text, wiki artefacts, web furniture and lost layout undone;
    returns (paragraphs, repairs). What was removed is counted on doc (a ParsedDocument)."""
    text = text.replace("\r\n", "\n").replace("\u200b", "")
    lines = _cut_licence(text.split("\n"))
    # Furniture goes line by line, before a scar's lines are joined into paragraphs.
    numbered = [(i, line.strip()) for i, line in enumerate(lines) if line.strip()]
    furniture = find_furniture([line for _i, line in numbered])
    dropped = {numbered[k][0] for k in furniture}
    if doc is not None:
        for k, kind in sorted(furniture.items()):
            doc.debris[kind] = doc.debris.get(kind, 0) + 1
            doc.furniture.append(f"{kind}: {numbered[k][1]}")
    lines = ["" if i in dropped else line for i, line in enumerate(lines)]
    text = "\n".join(lines)
    repairs = []
    if _BLANK_LINES.search(text):
        # Blank lines separate paragraphs; a single break is a removed link's scar.
        chunks = _BLANK_LINES.split(text)
        paragraphs = []
        for chunk in chunks:
            # Strip ASCII blanks only: a full-width space may separate a title from a name.
            parts = [p.strip(" \t") for p in chunk.split("\n") if p.strip()]
            if len(parts) > 1:
                repairs.append({"fragment": " / ".join(parts[1:3])[:40], "result": "".join(parts)[:40]})
            if parts:
                paragraphs.append("".join(parts).strip())
    else:
        paragraphs = [line.strip() for line in lines if line.strip()]
    recovered = recover_paragraphs(list(enumerate(paragraphs, start=1)))
    if doc is not None:
        if recovered.page_numbers:
            doc.debris["page_number"] = doc.debris.get("page_number", 0) + recovered.page_numbers
        doc.warnings.extend(recovered.notes)
    joined = []
    for _n, paragraph in recovered.lines:
        fixed = _SPACED_NAME.sub(r"\1\2", paragraph) if len(paragraph) <= 30 else paragraph
        if fixed != paragraph:
            repairs.append({"fragment": paragraph, "result": fixed})
        joined.append(fixed)
    return joined, repairs


def _column(row, spec, columns):
    """A row's value for a column given by name, or by number (from 1) for a table."""
    if spec in row:
        return row[spec]
    if spec.isdigit() and columns and 1 <= int(spec) <= len(columns):
        return row.get(columns[int(spec) - 1])
    return None


def _first(row, specs, columns=None):
    for spec in specs:
        value = _column(row, spec, columns)
        if value not in (None, ""):
            return value
    return None


def _year_and_date(row, field_map, columns=None):
    """(year, date) from the mapped date and year columns; a bare year is a year, not a date."""
    year = day = None
    for raw in (_first(row, field_map["date"], columns), _first(row, field_map["year"], columns)):
        if raw is None:
            continue
        value = "".join(fold(str(raw)).split())
        if m := _ISO_DATE.match(value):
            try:
                day = day or date(int(m[1]), int(m[2]), int(m[3]))
                year = year or day.year
            except ValueError:
                pass
        elif _YEAR.match(value):
            year = year or int(_YEAR.match(value)[1])
        elif found := stated_date(value):
            day = day or found
            year = year or found.year
    return year, day


def _column_names(rows, columns):
    names = list(columns or [])
    if not names:
        for _number, row in rows:
            names.extend(key for key in row if key not in names)
    return names


def _check_text_column(rows, field_map, columns):
    """Refuse a file none of whose columns is the text column, naming the columns it has."""
    if not rows or any(_column(row, spec, columns) is not None for _n, row in rows for spec in field_map["text"]):
        return
    names = _column_names(rows, columns)
    raise IngestError(
        f"没有哪一列是正文：查找的列为 {' / '.join(field_map['text'])}，文件中的列为 "
        f"{'、'.join(names) or '（无）'}；请用 --map text=列名 指明正文所在的列"
    )


def _used_columns(field_map, columns):
    used = set()
    for specs in field_map.values():
        for spec in specs:
            used.add(spec)
            if spec.isdigit() and columns and 1 <= int(spec) <= len(columns):
                used.add(columns[int(spec) - 1])
    return used


def _unmapped_warning(rows, field_map, columns):
    names = _column_names(rows, columns)
    unused = [name for name in names if name not in _used_columns(field_map, columns)]
    if not unused:
        return None
    listed = "、".join(unused)
    return f"未导入的列：{listed}（可用 --map 字段=列名 把它对应到某个字段）"


def parse_records(rows, bad_rows, field_map, columns=None):
    """A ParsedDocument with one speech per row; raises IngestError listing bad rows.
    columns: a table's column names in order, so the map may name a column by number."""
    doc = ParsedDocument()
    _check_text_column(rows, field_map, columns)
    seen = {}
    for number, row in rows:
        title = _first(row, field_map["title"], columns)
        text = _first(row, field_map["text"], columns)
        if not isinstance(text, str) or not text.strip():
            bad_rows.append(f"第 {number} 条：没有正文（查找的列：{' / '.join(field_map['text'])}）")
            continue
        paragraphs, repairs = clean_record_text(text, doc)
        if not paragraphs:
            bad_rows.append(f"第 {number} 条：正文只有版权声明、网站栏目文字或为空")
            continue
        title = str(title).strip() if title else first_words(paragraphs)
        body = "\n".join(paragraphs)
        digest = identity.speech_hash(title, body)
        if digest in seen:
            doc.duplicates_merged += 1
            doc.warnings.append(f"第 {number} 条记录与第 {seen[digest]} 条相同，只导入一次")
            continue
        seen[digest] = number
        doc.speeches.append(_record_speech(row, field_map, columns, title, body, repairs, len(doc.speeches) + 1))
    if bad_rows:
        listed = ";".join(bad_rows[:MAX_BAD_ROWS_LISTED])
        more = f"（另有 {len(bad_rows) - MAX_BAD_ROWS_LISTED} 条）" if len(bad_rows) > MAX_BAD_ROWS_LISTED else ""
        raise IngestError(f"{len(bad_rows)} 条记录有误，未导入任何内容：{listed}{more}")
    if not doc.speeches:
        raise IngestError("没有含正文的记录")
    if warning := _unmapped_warning(rows, field_map, columns):
        doc.warnings.append(warning)
    _speakers_from_resolutions(doc.speeches)
    return doc


def _record_speech(row, field_map, columns, title, body, repairs, position):
    """A record's speech: the mapped columns state date and year; the text's header the
    rest. A mapped date or year wins over a date found in the text."""
    header = read_header(body.split("\n"))
    fields = header_fields(header)
    year, day = _year_and_date(row, field_map, columns)
    if year or day:
        text_day = fields["source_date"]
        fields["source_year"] = year or day.year
        fields["source_date"] = day or (text_day if text_day and text_day.year == fields["source_year"] else None)
    if not fields["speaker_name"] and (named := speaker_in_title(title)):
        fields["speaker_title"], fields["speaker_name"] = named
    url = _first(row, field_map["url"], columns)
    notes_start = find_notes(body)
    return ParsedSpeech(
        title=title,
        body=body,
        position=position,
        kind=classify_kind(title, body),
        sections=find_sections(body, notes_start),
        repairs=repairs,
        url=str(url).strip() if url else "",
        notes_start=notes_start,
        **fields,
    )


def _speakers_from_resolutions(speeches):
    """A congress's resolution names who delivered the report it approves
    (听取和审议了国务院总理李强所作的政府工作报告): that report, the last one before the
    resolution, takes the name where its own header gives none."""
    report = None
    for speech in speeches:
        if speech.kind == identity.WORK_REPORT:
            report = speech
            continue
        if speech.kind != identity.RESOLUTION:
            continue
        named = resolution_speaker(speech.body)
        if (
            named
            and report is not None
            and not report.speaker_name
            and (not speech.source_year or not report.source_year or speech.source_year == report.source_year)
        ):
            report.speaker_title, report.speaker_name = named
            report.log.append({"kind": "speaker", "note": f"讲话人见于决议“{speech.title[:60]}”"})
        # A resolution answers one report; the next resolution needs a report of its own.
        report = None
