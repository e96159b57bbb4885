"""Imports from the admin's upload form: the uploaded bytes go straight to the import
pipeline; the client's file name is only a label (its last part, never a path)."""

import re

from django.conf import settings

from speeches.curation.recording import extraction_writes
from speeches.curation.review import refresh_import_flags
from speeches.ingest.archive import ZIP_SUFFIXES, zip_members
from speeches.ingest.errors import IngestError
from speeches.ingest.pipeline import READERS, FileReport, import_bytes
from speeches.models import Speech

ALLOWED_SUFFIXES = tuple(sorted(set(READERS) | ZIP_SUFFIXES))
# Characters never kept in a label: path separators and control characters.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")


def upload_label(client_name):
    """The last part of the name the browser sent, cleaned: 'C:\\a\\b.txt' → 'b.txt'."""
    name = re.split(r"[\\/]", str(client_name or ""))[-1]
    name = _UNSAFE.sub("", name).strip().lstrip(".")
    return name[-200:] or "upload"


def _suffix(name):
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def refusal(uploaded):
    """Why this upload is not imported, or None."""
    name = upload_label(uploaded.name)
    if _suffix(name) not in ALLOWED_SUFFIXES:
        return f"“{name}”的类型不能导入:只接受 {'、'.join(ALLOWED_SUFFIXES)} 文件。"
    if uploaded.size > settings.IMPORT_UPLOAD_MAX_BYTES:
        limit = settings.IMPORT_UPLOAD_MAX_BYTES / 1024 / 1024
        return f"“{name}”有 {uploaded.size / 1024 / 1024:.1f} MB,超过了单个文件 {limit:.0f} MB 的上限。"
    return None


def import_upload(uploaded, status=Speech.PUBLISHED):
    """FileReports for one uploaded file (one per member of a zip)."""
    name = upload_label(uploaded.name)
    reason = refusal(uploaded)
    if reason:
        return [FileReport(path=name).fail(reason)]
    raw = b"".join(uploaded.chunks())
    if _suffix(name) in ZIP_SUFFIXES:
        try:
            members = list(zip_members(raw, readable=READERS))
        except IngestError as exc:
            return [FileReport(path=name).fail(str(exc))]
        return [
            import_bytes(data, f"upload/{name}!/{member}", FileReport(path=f"{name}!/{member}"), status)
            for member, data in members
        ]
    return [import_bytes(raw, f"upload/{name}", FileReport(path=name), status)]


def import_uploads(files, status=Speech.PUBLISHED):
    """Import every uploaded file; a refused or failing file changes nothing and the
    others still import. The importer's repairs and merged copies join the review queue."""
    with extraction_writes():
        reports = [report for uploaded in files for report in import_upload(uploaded, status)]
    if any(report.ok and (report.created or report.updated) for report in reports):
        refresh_import_flags()
    return label_debris(reports)


# The importer's names for the lines it removed (speeches.ingest.page), for the report.
DEBRIS_LABELS = {"header": "页首信息", "footer": "页尾推荐", "pagination": "分页", "site_blurb": "网站导语"}


def label_debris(reports):
    """Give each report `debris_labelled`: [(label, lines removed)] for the page."""
    for report in reports:
        report.debris_labelled = [
            (DEBRIS_LABELS.get(kind, kind), count) for kind, count in sorted(report.debris_removed.items())
        ]
    return reports


def report_totals(reports):
    return {
        "files": len(reports),
        "failed": sum(not r.ok for r in reports),
        "created": sum(len(r.created) for r in reports),
        "updated": sum(len(r.updated) for r in reports),
        "unchanged": sum(len(r.unchanged) for r in reports),
    }
