"""The one place that writes imports: each file is read, parsed by the pure functions of
this package, then stored in one transaction. A file that fails changes nothing; the
other files of the run still import."""

import hashlib
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from speeches.extract import annotate_speech
from speeches.ingest.archive import ZIP_SUFFIXES, zip_members
from speeches.ingest.decode import decode_bytes
from speeches.ingest.documents import docx_paragraphs, html_to_text
from speeches.ingest.errors import IngestError
from speeches.ingest.parse import parse_compilation, parse_single
from speeches.ingest.records import (
    parse_field_map,
    parse_records,
    rows_from_csv,
    rows_from_json,
    rows_from_jsonl,
)
from speeches.ingest.sanitise import sanitise_document
from speeches.models import Section, Source, SourceContent, Speech

log = logging.getLogger(__name__)

# Extension → reader(raw bytes, path, field_map) returning (ParsedDocument, encoding).
READERS = {}

MB = 1024 * 1024
# A scraped compilation page is a few hundred KB (the seed page: 183 KB). Splitting a page
# compares every pair of its blocks for copies, so a 50 MB "page" would take most of an
# hour: bulk text comes as records or as a zip of pages instead.
MAX_PAGE_BYTES = 10 * MB
# The longest national work report runs to ~58,000 characters. A "speech" of millions is a
# file the splitter could not cut, and indexing it alone would take gigabytes of memory.
MAX_SPEECH_CHARS = 1_000_000


def reader(*extensions):
    def register(func):
        for ext in extensions:
            READERS[ext] = func
        return func

    return register


def _check_page_size(raw):
    if len(raw) > MAX_PAGE_BYTES:
        raise IngestError(
            f"页面有 {len(raw) / MB:.1f} MB,超过 {MAX_PAGE_BYTES // MB} MB 的页面不予导入:"
            "请拆成几个文件,或把大量文本作为批量记录(.jsonl、.csv)导入"
        )


@reader(".txt", ".text")
def read_text_page(raw, path, field_map=None):
    _check_page_size(raw)
    text, encoding = decode_bytes(raw)
    return parse_compilation(text, fallback_title=Path(path).stem), encoding


@reader(".html", ".htm", ".xhtml")
def read_html_page(raw, path, field_map=None):
    _check_page_size(raw)
    html, encoding = decode_bytes(raw)
    text, page_title = html_to_text(html)
    if not text.strip():
        raise IngestError("这个 HTML 页面除了脚本、样式和导航之外没有文字")
    return parse_compilation(text, fallback_title=page_title or Path(path).stem), encoding


@reader(".docx")
def read_word(raw, path, field_map=None):
    paragraphs, title = docx_paragraphs(raw)
    return parse_single(paragraphs, title=title), "docx"


@reader(".doc")
def read_old_word(raw, path, field_map=None):
    raise IngestError("无法读取旧版二进制 Word(.doc)文件:请另存为 .docx")


@reader(".jsonl", ".ndjson")
def read_json_lines(raw, path, field_map=None):
    text, encoding = decode_bytes(raw)
    return parse_records(*rows_from_jsonl(text), parse_field_map(field_map)), encoding


@reader(".json")
def read_json(raw, path, field_map=None):
    text, encoding = decode_bytes(raw)
    return parse_records(*rows_from_json(text), parse_field_map(field_map)), encoding


@reader(".csv")
def read_csv(raw, path, field_map=None):
    text, encoding = decode_bytes(raw)
    return parse_records(*rows_from_csv(text), parse_field_map(field_map)), encoding


@dataclass
class FileReport:
    path: str
    ok: bool = True
    error: str = ""
    source_id: int | None = None
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    duplicates_merged: int = 0
    debris_removed: dict = field(default_factory=dict)
    repairs: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    def as_dict(self):
        return asdict(self)

    def fail(self, message):
        self.ok = False
        self.error = message
        self.created, self.updated, self.unchanged = [], [], []
        return self


def expand_paths(paths):
    """Files named, and the importable files inside folders named (sorted, recursive)."""
    files = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            files.extend(
                p for p in sorted(path.rglob("*")) if p.is_file() and (p.suffix.lower() in READERS or p.suffix.lower() in ZIP_SUFFIXES)
            )
        else:
            files.append(path)
    return files


def import_paths(paths, status=Speech.PUBLISHED, field_map=None):
    """Import every file; returns the FileReports (one per file, one per zip member)."""
    reports = []
    for path in expand_paths(paths):
        reports.extend(import_file(path, status=status, field_map=field_map))
    return reports


def import_file(path, status=Speech.PUBLISHED, field_map=None, on_speech=None):
    """Import one file, or each member of a zip; returns a list of FileReports.
    on_speech(), if given, is called as each speech of the file is stored (progress)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return [FileReport(path=str(path)).fail(f"无法读取文件:{exc.strerror or exc}")]
    name = str(path.resolve())
    if path.suffix.lower() in ZIP_SUFFIXES:
        try:
            members = list(zip_members(raw, readable=READERS))
        except IngestError as exc:
            return [FileReport(path=str(path)).fail(str(exc))]
        return [
            import_bytes(data, f"{name}!/{member}", FileReport(path=f"{path}!/{member}"), status, field_map, on_speech)
            for member, data in members
        ]
    return [import_bytes(raw, name, FileReport(path=str(path)), status, field_map, on_speech)]


def import_bytes(raw, path, report, status=Speech.PUBLISHED, field_map=None, on_speech=None):
    """Parse raw bytes named path and store them; IngestError becomes a failed report."""
    read = READERS.get(Path(path).suffix.lower(), read_text_page)
    try:
        doc, encoding = read(raw, path, field_map)
        _check_speeches(doc)
        sanitise_document(doc)
        with transaction.atomic():
            _store(doc, raw, path, encoding, status, report, on_speech)
    except IngestError as exc:
        return report.fail(str(exc))
    except Exception as exc:  # a bug or a database failure: report it, keep the batch going
        log.exception("import of %s failed", path)
        return report.fail(f"意外错误({type(exc).__name__}):{exc}")
    return report


def _check_speeches(doc):
    for parsed in doc.speeches:
        if len(parsed.body) > MAX_SPEECH_CHARS:
            raise IngestError(
                f"第 {parsed.position} 篇讲话({parsed.title[:40]})长 {len(parsed.body):,} 字,"
                f"最多接受 {MAX_SPEECH_CHARS:,} 字:文件是否标出了每篇讲话从哪里开始?"
            )
        # A JSON record may carry one escaped (\u0000); PostgreSQL cannot store it.
        if "\x00" in parsed.title or "\x00" in parsed.body:
            raise IngestError(f"第 {parsed.position} 篇讲话({parsed.title[:40]})含有 NUL 字符:是二进制数据,不是文本")


def _store(doc, raw, path, encoding, status, report, on_speech=None):
    source = _upsert_source(doc, raw, path, encoding)
    report.source_id = source.pk
    report.duplicates_merged = doc.duplicates_merged
    report.debris_removed = dict(doc.debris)
    report.warnings.extend(doc.warnings)

    existing = list(source.speeches.all())
    by_hash = {s.content_hash: s for s in existing}
    by_position = {s.position: s for s in existing}
    incoming_hashes = {p.content_hash for p in doc.speeches}
    matched = set()
    for parsed in doc.speeches:
        if on_speech is not None:
            on_speech()
        speech = by_hash.get(parsed.content_hash)
        if speech is None:
            # The same place in a changed page: the speech was edited at its source.
            candidate = by_position.get(parsed.position)
            if candidate and candidate.pk not in matched and candidate.content_hash not in incoming_hashes:
                speech = candidate
        report.repairs.extend({"speech": parsed.title, **r} for r in parsed.repairs)
        if speech is None:
            speech = _create_speech(source, parsed, status)
            report.created.append(speech.uid)
        elif _update_speech(speech, parsed):
            report.updated.append(speech.uid)
        else:
            report.unchanged.append(speech.uid)
            matched.add(speech.pk)
            continue
        matched.add(speech.pk)
        # extraction
        annotate_speech(speech)
    for speech in existing:
        if speech.pk not in matched:
            report.warnings.append(
                f"讲话 {speech.uid}({speech.title})已不在这个文件中,保持原样"
            )


def _upsert_source(doc, raw, path, encoding):
    digest = hashlib.sha256(raw).hexdigest()
    source = Source.objects.filter(raw_sha256=digest).first() or Source.objects.filter(path=path).first()
    published = doc.published_at
    if published is not None and timezone.is_naive(published):
        published = timezone.make_aware(published)
    fields = {
        "title": doc.title[:300],
        "published_at": published,
        "author": doc.author[:200],
        "intro": doc.intro,
        "encoding": encoding,
        "raw_sha256": digest,
    }
    if source is None:
        source = Source.objects.create(path=path, **fields)
        SourceContent.objects.create(source=source, raw_bytes=raw)
        return source
    changed = [name for name, value in fields.items() if getattr(source, name) != value]
    if changed:
        for name in changed:
            setattr(source, name, fields[name])
        source.save()
        SourceContent.objects.update_or_create(source=source, defaults={"raw_bytes": raw})
    return source


def _import_log(parsed):
    log = [{"kind": "repair", **r} for r in parsed.repairs]
    log += [{"kind": "merged_copy", "note": note} for note in parsed.notes]
    return log


def _create_speech(source, parsed, status):
    speech = Speech.objects.create(
        uid=Speech.new_uid(parsed.content_hash),
        title=parsed.title[:300],
        body=parsed.body,
        kind=parsed.kind,
        source=source,
        position=parsed.position,
        content_hash=parsed.content_hash,
        status=status,
        copies=parsed.copies,
        import_log=_import_log(parsed),
        **parsed.given_metadata(),
    )
    _write_sections(speech, parsed.sections)
    return speech


def _update_speech(speech, parsed):
    """Bring speech in line with the parsed text, except fields a curator locked.
    Returns whether anything changed."""
    wanted = {
        "title": parsed.title[:300],
        "body": parsed.body,
        "kind": parsed.kind,
        "position": parsed.position,
        "content_hash": parsed.content_hash,
        "copies": parsed.copies,
        "import_log": _import_log(parsed),
        **parsed.given_metadata(),
    }
    changed = [
        name
        for name, value in wanted.items()
        if name not in speech.locked_fields and getattr(speech, name) != value
    ]
    sections_changed = "body" not in speech.locked_fields and _section_rows(speech) != [
        (s.order, s.number, s.heading, s.level, s.start, s.end) for s in parsed.sections
    ]
    if not changed and not sections_changed:
        return False
    for name in changed:
        setattr(speech, name, wanted[name])
    speech.save()
    if sections_changed:
        speech.sections.all().delete()
        _write_sections(speech, parsed.sections)
    return True


def _section_rows(speech):
    return list(speech.sections.values_list("order", "number", "heading", "level", "start", "end"))


def _write_sections(speech, specs):
    Section.objects.bulk_create(
        Section(
            speech=speech,
            order=s.order,
            number=s.number,
            heading=s.heading[:300],
            level=s.level,
            start=s.start,
            end=s.end,
        )
        for s in specs
    )
