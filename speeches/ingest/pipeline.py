"""The one place that writes imports: each file is read, parsed by the pure functions of
this package, then stored in one transaction. A file that fails changes nothing; the
other files of the run still import."""

import hashlib
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.utils import timezone

from speeches import counts, search
from speeches.extract import annotate_speech
from speeches.extract import queue as extraction_queue
from speeches.ingest.archive import ZIP_SUFFIXES, zip_members
from speeches.ingest.decode import decode_bytes
from speeches.ingest.dedupe import CONTAINMENT, band_keys, same_text, similarity
from speeches.ingest.documents import docx_paragraphs, html_to_text
from speeches.ingest.errors import IngestError
from speeches.ingest.flags import near_duplicate_value, sync_import_flags
from speeches.ingest.parse import parse_compilation, parse_single
from speeches.ingest.records import (
    is_tabular,
    parse_field_map,
    parse_records,
    rows_from_csv,
    rows_from_json,
    rows_from_jsonl,
    rows_from_tsv,
)
from speeches.ingest.sanitise import sanitise_document
from speeches.models import (
    Section,
    SimilarityKey,
    Source,
    SourceContent,
    Speech,
    UidsInUse,
    batched,
    fit,
)

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
            f"页面有 {len(raw) / MB:.1f} MB，超过 {MAX_PAGE_BYTES // MB} MB 的页面不予导入："
            "请拆成几个文件，或把大量文本作为批量记录（.jsonl、.csv）导入"
        )


@reader(".txt", ".text")
def read_text_page(raw, path, field_map=None):
    text, encoding = decode_bytes(raw)
    # A text file may be a table (year<TAB>text per line): records, not a page.
    if is_tabular(text):
        return _table_records(text, field_map), encoding
    _check_page_size(raw)
    return parse_compilation(text, fallback_title=Path(path).stem), encoding


@reader(".tsv", ".tab")
def read_tsv(raw, path, field_map=None):
    text, encoding = decode_bytes(raw)
    return _table_records(text, field_map), encoding


def _table_records(text, field_map):
    fields = parse_field_map(field_map)
    rows, bad, columns = rows_from_tsv(text, fields)
    return parse_records(rows, bad, fields, columns)


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
    return parse_single(paragraphs, title=title, hint=Path(path).stem), "docx"


@reader(".doc")
def read_old_word(raw, path, field_map=None):
    raise IngestError("无法读取旧版二进制 Word（.doc）文件：请另存为 .docx")


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
    rows, bad, columns = rows_from_csv(text)
    return parse_records(rows, bad, parse_field_map(field_map), columns), encoding


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
    # Speeches already in the archive from another file: {"uid", "into"|"of", "source", …}.
    merged_with_archive: list = field(default_factory=list)
    near_duplicates: list = field(default_factory=list)
    debris_removed: dict = field(default_factory=dict)
    # The web furniture removed, line by line ("kind: line as written").
    furniture_removed: list = field(default_factory=list)
    repairs: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    @property
    def speech_uids(self):
        return [*self.created, *self.updated, *self.unchanged]

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
        return [FileReport(path=str(path)).fail(f"无法读取文件：{exc.strerror or exc}")]
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
        # One transaction per file; the browse counts of its speeches moved once, at its end.
        with counts.deferred():
            _store(doc, raw, path, encoding, status, report, on_speech)
        # Waiting for the index writer: the commit's own application gives up at once when
        # a web request's save holds it, and that request would then apply an import's
        # updates file after file while its curator waits (a rebuild serves what was queued).
        search.apply_queued_now()
    except IngestError as exc:
        return report.fail(str(exc))
    except Exception as exc:  # a bug or a database failure: report it, keep the batch going
        log.exception("import of %s failed", path)
        return report.fail(f"意外错误（{type(exc).__name__}）：{exc}")
    return report


def _check_speeches(doc):
    for parsed in doc.speeches:
        if len(parsed.body) > MAX_SPEECH_CHARS:
            raise IngestError(
                f"第 {parsed.position} 篇讲话（{parsed.title[:40]}）长 {len(parsed.body):,} 字，"
                f"最多接受 {MAX_SPEECH_CHARS:,} 字：文件是否标出了每篇讲话从哪里开始？"
            )
        # A JSON record may carry one escaped (\u0000); PostgreSQL cannot store it.
        if "\x00" in parsed.title or "\x00" in parsed.body:
            raise IngestError(f"第 {parsed.position} 篇讲话（{parsed.title[:40]}）含有 NUL 字符：是二进制数据，不是文本")


def _store(doc, raw, path, encoding, status, report, on_speech=None):
    source, earlier_path = _upsert_source(doc, raw, path, encoding)
    report.source_id = source.pk
    report.duplicates_merged = doc.duplicates_merged
    report.debris_removed = dict(doc.debris)
    report.furniture_removed = list(doc.furniture)
    report.warnings.extend(doc.warnings)
    if earlier_path:
        report.warnings.append(f"与此前导入的 {file_name(earlier_path)} 内容完全相同：其中的讲话即本文件的讲话")

    at_once = extraction_queue.extract_on_import()
    extract = []
    existing = list(source.speeches.all())
    by_hash = {s.content_hash: s for s in existing}
    by_position = {s.position: s for s in existing}
    incoming_hashes = {p.content_hash for p in doc.speeches}
    matched = set()
    rows = _NewRows()
    fingerprints = None
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
        near = None
        if speech is None:
            if fingerprints is None:  # the file's new texts looked up together, once
                new_texts = [(p.body, p.content_hash) for p in doc.speeches if p.content_hash not in by_hash]
                fingerprints = ArchiveFingerprints(new_texts)
                rows.uids_in_use = UidsInUse(text_hash for _, text_hash in new_texts)
            twin, score = copy_in_archive(parsed.body, parsed.content_hash, source, fingerprints)
            if twin is not None and score == 1.0:
                speech = _create_speech(source, parsed, Speech.WITHDRAWN, rows, merged_into=twin)
                report.merged_with_archive.append(
                    {"uid": speech.uid, "into": twin.uid, "title": twin.title, "source": file_name(twin.source.path)}
                )
            else:
                speech = _create_speech(source, parsed, status, rows)
                near = (twin, score) if twin is not None else None
            report.created.append(speech.uid)
        elif _update_speech(speech, parsed):
            speech.similarity_keys.all().delete()
            report.updated.append(speech.uid)
        else:
            report.unchanged.append(speech.uid)
            matched.add(speech.pk)
            continue
        matched.add(speech.pk)
        rows.similarity_keys += [
            SimilarityKey(speech=speech, key=key)
            for key in (fingerprints.keys_of(speech.body) if fingerprints else band_keys(speech.body))
        ]
        if at_once:
            rows.insert()  # extraction reads the speech's sections
            annotate_speech(speech)
        else:
            extract.append(speech.pk)
        if near:
            report.near_duplicates.append(_flag_near_duplicate(speech, *near))
    rows.insert()
    # Stored and indexed now; regions, topics and the rest are found by the queue's drain.
    extraction_queue.enqueue(extract)
    # The repairs, merged copies and equal texts of this file join the review queue now.
    sync_import_flags(matched)
    for speech in existing:
        if speech.pk not in matched:
            report.warnings.append(
                f"讲话 {speech.uid}（{speech.title}）已不在这个文件中，保持原样"
            )


def file_name(path):
    """The name of an imported file (a zip member's own name), never the server's folders."""
    return str(path).rsplit("!/", 1)[-1].replace("\\", "/").rsplit("/", 1)[-1]


# Candidates compared in full for each new speech, the most band-sharing first. A copy
# shares most of the fingerprint's bands (a text of Jaccard similarity 0.9 shares two or
# more of 8 with probability 0.998); texts that only quote each other share one by chance.
MAX_COPY_CANDIDATES = 5
MIN_SHARED_BANDS = 2


class ArchiveFingerprints:
    """The archive's speeches that share a fingerprint band or the content hash with some
    texts: read for a whole file in a few queries, not two for each of its speeches."""

    def __init__(self, texts):
        """texts: (body, content hash) pairs."""
        texts = list(texts)
        self._keys = {body: band_keys(body) for body, _ in texts}
        self._by_key, self._by_hash = {}, {}
        keys = sorted({key for keys in self._keys.values() for key in keys})
        for batch in batched(keys):
            for key, speech_id in SimilarityKey.objects.filter(key__in=batch).values_list("key", "speech_id"):
                self._by_key.setdefault(key, []).append(speech_id)
        hashes = sorted({text_hash for _, text_hash in texts if text_hash})
        for batch in batched(hashes):
            for text_hash, speech_id in Speech.objects.filter(content_hash__in=batch).values_list("content_hash", "pk"):
                self._by_hash.setdefault(text_hash, []).append(speech_id)

    def keys_of(self, body):
        """The text's band keys (dedupe.band_keys), made once."""
        if body not in self._keys:
            self._keys[body] = band_keys(body)
        return self._keys[body]

    def shared(self, body, text_hash):
        """{speech id: bands shared with the text}; the same content hash counts as every
        band and MIN_SHARED_BANDS more."""
        keys = self.keys_of(body)
        shared = {}
        for key in keys:
            for speech_id in self._by_key.get(key, ()):
                shared[speech_id] = shared.get(speech_id, 0) + 1
        for speech_id in self._by_hash.get(text_hash, ()) if text_hash else ():
            shared[speech_id] = shared.get(speech_id, 0) + len(keys) + MIN_SHARED_BANDS
        return shared


def copy_in_archive(body, text_hash="", exclude_source=None, fingerprints=None):
    """(speech, similarity) of the archive's closest copy of body from another source:
    similarity 1.0 for the same text (spaces and full-width forms aside), else the share of
    shingles in common when it is at least dedupe's CONTAINMENT; (None, 0.0) when none.
    Candidates share a band of the fingerprint, or the content hash (title and text) for a
    text too short for a fingerprint: looked up in fingerprints (ArchiveFingerprints made
    for a file's texts, body among them) or, without, for this text alone."""
    if fingerprints is None:
        fingerprints = ArchiveFingerprints([(body, text_hash)])
    shared = fingerprints.shared(body, text_hash)
    if not shared:  # most new speeches: no query to build
        return None, 0.0
    candidates = Speech.objects.not_merged().filter(pk__in=shared).exclude(status=Speech.WITHDRAWN)
    if exclude_source is not None:
        candidates = candidates.exclude(source=exclude_source)
    eligible = [pk for pk in candidates.values_list("pk", flat=True) if shared[pk] >= MIN_SHARED_BANDS]
    ranked = sorted(eligible, key=lambda pk: (-shared[pk], pk))[:MAX_COPY_CANDIDATES]
    best, best_score = None, 0.0
    for other in Speech.objects.filter(pk__in=ranked).select_related("source").order_by("pk"):
        if same_text(other.body, body):
            return other, 1.0
        score = similarity(other.body, body)
        if score >= CONTAINMENT and score > best_score:
            best, best_score = other, score
    return best, round(best_score, 3)


class _NewRows:
    """Sections and similarity keys of a file's speeches, inserted a table at a time, and
    which of its new speeches' public ids are taken (looked up together)."""

    def __init__(self):
        self.sections, self.similarity_keys = [], []
        self.uids_in_use = None

    def insert(self):
        Section.objects.bulk_create(self.sections)
        SimilarityKey.objects.bulk_create(self.similarity_keys)
        self.sections, self.similarity_keys = [], []


def _flag_near_duplicate(speech, twin, score):
    """Note a near-duplicate in the speech's import log: the file's sync_import_flags
    queues it for a curator."""
    value = near_duplicate_value(twin)
    reason = f"与“{twin.title}”（{twin.uid}，来自 {file_name(twin.source.path)}）相似度 {score:.0%}：合并，或确认两篇都保留"
    speech.import_log = [*speech.import_log, {"kind": NEAR_DUPLICATE, "note": value, "reason": reason}]
    speech.save(update_fields=["import_log"])
    return {"uid": speech.uid, "of": twin.uid, "title": twin.title, "source": file_name(twin.source.path), "similarity": score}


def _upsert_source(doc, raw, path, encoding):
    """(source, the path it was first imported from when that is another file with the
    same bytes, else None)."""
    digest = hashlib.sha256(raw).hexdigest()
    source = Source.objects.filter(raw_sha256=digest).first() or Source.objects.filter(path=path).first()
    published = doc.published_at
    if published is not None and timezone.is_naive(published):
        published = timezone.make_aware(published)
    fields = {
        "title": doc.title,
        "published_at": published,
        "author": doc.author,
        "intro": doc.intro,
        "encoding": encoding,
        "raw_sha256": digest,
    }
    fields = fit(Source, **fields)
    if source is None:
        source = Source.objects.create(path=path, **fields)
        SourceContent.objects.create(source=source, raw_bytes=raw)
        return source, None
    earlier = source.path if source.path != path and source.raw_sha256 == digest else None
    changed = [name for name, value in fields.items() if getattr(source, name) != value]
    if changed:
        for name in changed:
            setattr(source, name, fields[name])
        source.save()
        SourceContent.objects.update_or_create(source=source, defaults={"raw_bytes": raw})
    return source, earlier


NEAR_DUPLICATE = "near_duplicate"


def _import_log(parsed, speech=None):
    """The speech's import log: what the parse did, and the near-duplicate flags an earlier
    import of it raised (they come from the archive, not from the file)."""
    log = [{"kind": "repair", **r} for r in parsed.repairs]
    log += [{"kind": "merged_copy", "note": note} for note in parsed.notes]
    log += parsed.log
    if speech is not None:
        log += [e for e in speech.import_log if isinstance(e, dict) and e.get("kind") == NEAR_DUPLICATE]
    return log


def _create_speech(source, parsed, status, rows, merged_into=None):
    speech = Speech.objects.create_from_text(
        parsed.title,
        parsed.body,
        # One history row per imported speech: the state after its extraction.
        record_history=False,
        uids_in_use=rows.uids_in_use,
        merged_into=merged_into,
        kind=parsed.kind,
        source=source,
        position=parsed.position,
        status=status,
        copies=parsed.copies,
        import_log=_import_log(parsed),
        **fit(Speech, **parsed.given_metadata()),
    )
    rows.sections += speech.section_rows(parsed.sections)
    return speech


def _update_speech(speech, parsed):
    """Bring speech in line with the parsed text, except fields a curator locked.
    Returns whether anything changed."""
    wanted = {
        "title": parsed.title,
        "body": parsed.body,
        "kind": parsed.kind,
        "position": parsed.position,
        "content_hash": parsed.content_hash,
        "copies": parsed.copies,
        "import_log": _import_log(parsed, speech),
        **fit(Speech, **parsed.given_metadata()),
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
        speech.write_sections(parsed.sections)
    return True


def _section_rows(speech):
    return list(speech.sections.values_list("order", "number", "heading", "level", "start", "end"))
