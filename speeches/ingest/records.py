"""Bulk records (JSON lines, JSON, CSV): one speech per row, columns chosen by a field map.

Texts copied from wiki pages carry their artefacts: a removed link leaves its words on a line
of their own (single line breaks inside a paragraph), names are spaced with full-width
spaces (李　强), and a licence notice ends the page. These are undone here.
"""

import csv
import io
import json
import re
from datetime import date

from speeches.ingest.errors import IngestError
from speeches.ingest.parse import ParsedDocument, ParsedSpeech, classify_kind
from speeches.ingest.sections import find_sections
from speeches.models import content_hash

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

_LICENCE_START = re.compile(r"^(本作品(是|来自)中华人民共和国|Public domain$|本作品在全世界都属于公有领域)")
_BLANK_LINES = re.compile(r"\n[ \t\u3000\u200b]*\n")
_SPACED_NAME = re.compile(r"(?<![\u4e00-\u9fff])([\u4e00-\u9fff])[\u3000 ]+([\u4e00-\u9fff]{1,2})(?![\u4e00-\u9fff])")
_YEAR = re.compile(r"^(1[89]\d\d|20\d\d)$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})")


def parse_field_map(spec):
    """'title=title,text=content,date=year' → {'title': ('title',), ...}."""
    if not spec:
        return dict(DEFAULT_FIELD_MAP)
    mapping = dict(DEFAULT_FIELD_MAP)
    for pair in spec.split(","):
        target, sep, column = (part.strip() for part in pair.partition("="))
        if not sep or not column or target not in FIELDS:
            raise IngestError(
                f"字段对应“{pair}”有误:应写成 字段=列名,字段为 {'、'.join(FIELDS)} 之一"
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
            bad.append(f"第 {number} 行:不是 JSON({exc.msg})")
            continue
        if not isinstance(row, dict):
            bad.append(f"第 {number} 行:不是 JSON 对象")
            continue
        rows.append((number, row))
    return rows, bad


def rows_from_json(text):
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise IngestError(f"不是有效的 JSON:第 {exc.lineno} 行,{exc.msg}") from exc
    if isinstance(data, dict):
        data = next((v for v in data.values() if isinstance(v, list)), [data])
    if not isinstance(data, list):
        raise IngestError("JSON 应是对象的列表(或包含这样一个列表的对象)")
    rows = [(i, row) for i, row in enumerate(data, start=1) if isinstance(row, dict)]
    bad = [f"第 {i} 项:不是 JSON 对象" for i, row in enumerate(data, start=1) if not isinstance(row, dict)]
    return rows, bad


def rows_from_csv(text):
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise IngestError("CSV 文件没有标题行")
    return [(number, row) for number, row in enumerate(reader, start=2)], []


def clean_record_text(text):
    """Paragraphs of a record's text, wiki artefacts undone; returns (paragraphs, repairs)."""
    text = text.replace("\r\n", "\n").replace("\u200b", "")
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if _LICENCE_START.match(line.strip()):
            lines = lines[:i]
            break
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
    joined = []
    for paragraph in paragraphs:
        fixed = _SPACED_NAME.sub(r"\1\2", paragraph) if len(paragraph) <= 30 else paragraph
        if fixed != paragraph:
            repairs.append({"fragment": paragraph, "result": fixed})
        joined.append(fixed)
    return joined, repairs


def _first(row, columns):
    for column in columns:
        value = row.get(column)
        if value not in (None, ""):
            return value
    return None


def _year_and_date(row, field_map):
    """(year, date) from the mapped date and year columns; a bare year is a year, not a date."""
    year = day = None
    for raw in (_first(row, field_map["date"]), _first(row, field_map["year"])):
        if raw is None:
            continue
        value = str(raw).strip()
        if m := _ISO_DATE.match(value):
            try:
                day = day or date(int(m[1]), int(m[2]), int(m[3]))
                year = year or day.year
            except ValueError:
                pass
        elif _YEAR.match(value):
            year = year or int(value)
    return year, day


def parse_records(rows, bad_rows, field_map):
    """A ParsedDocument with one speech per row; raises IngestError listing bad rows."""
    doc = ParsedDocument()
    seen = {}
    for number, row in rows:
        title = _first(row, field_map["title"])
        text = _first(row, field_map["text"])
        if not isinstance(text, str) or not text.strip():
            bad_rows.append(f"第 {number} 条:没有正文(查找的列:{' / '.join(field_map['text'])})")
            continue
        paragraphs, repairs = clean_record_text(text)
        if not paragraphs:
            bad_rows.append(f"第 {number} 条:正文只有版权声明或为空")
            continue
        title = str(title).strip() if title else paragraphs[0][:60]
        body = "\n".join(paragraphs)
        digest = content_hash(title + "\n" + body)
        if digest in seen:
            doc.duplicates_merged += 1
            doc.warnings.append(f"第 {number} 条记录与第 {seen[digest]} 条相同,只导入一次")
            continue
        seen[digest] = number
        year, day = _year_and_date(row, field_map)
        url = _first(row, field_map["url"])
        doc.speeches.append(
            ParsedSpeech(
                title=title[:300],
                body=body,
                position=len(doc.speeches) + 1,
                kind=classify_kind(title, body),
                sections=find_sections(body),
                repairs=repairs,
                year=year,
                date=day,
                url=str(url).strip() if url else "",
            )
        )
    if bad_rows:
        listed = ";".join(bad_rows[:MAX_BAD_ROWS_LISTED])
        more = f"(另有 {len(bad_rows) - MAX_BAD_ROWS_LISTED} 条)" if len(bad_rows) > MAX_BAD_ROWS_LISTED else ""
        raise IngestError(f"{len(bad_rows)} 条记录有误,未导入任何内容:{listed}{more}")
    if not doc.speeches:
        raise IngestError("没有含正文的记录")
    return doc
