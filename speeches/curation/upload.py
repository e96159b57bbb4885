"""Imports from the admin's upload form. The request only spools the files and queues an
import job; the job worker (speeches.jobs) passes each file, each member of a zip, to the
import pipeline in a transaction of its own. The client's file name is only a label (its
last part, never a path)."""

import re
import shutil
import uuid

from django.conf import settings

from speeches import jobs
from speeches.ingest.archive import ZIP_SUFFIXES, zip_members
from speeches.ingest.errors import IngestError
from speeches.ingest.pipeline import READERS, FileReport, import_bytes
from speeches.models import Job, Speech

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
        return f"“{name}”的类型不能导入：只接受 {'、'.join(ALLOWED_SUFFIXES)} 文件。"
    if uploaded.size > settings.IMPORT_UPLOAD_MAX_BYTES:
        limit = settings.IMPORT_UPLOAD_MAX_BYTES / 1024 / 1024
        return f"“{name}”有 {uploaded.size / 1024 / 1024:.1f} MB，超过了单个文件 {limit:.0f} MB 的上限。"
    return None


def queue_import(files, status=Speech.PUBLISHED, user=None):
    """An import job for the uploaded files: each accepted file is spooled to a folder of
    the job's own (named by us, never by the client), a refused one is noted with the
    reason; the job worker imports them (speeches.jobs)."""
    folder = uuid.uuid4().hex
    directory = jobs.spool_folder(folder)
    directory.mkdir(parents=True)
    try:
        uploads = []
        for number, uploaded in enumerate(files):
            label = upload_label(uploaded.name)
            reason = refusal(uploaded)
            if reason:
                uploads.append({"label": label, "refusal": reason})
                continue
            name = f"{number}.upload"
            with open(directory / name, "wb") as handle:
                for chunk in uploaded.chunks():
                    handle.write(chunk)
            uploads.append({"label": label, "file": name})
        return Job.objects.create(
            kind=Job.IMPORT,
            arguments={"status": status, "folder": folder, "uploads": uploads},
            total=len(uploads),
            started_by=user if user is not None and user.is_authenticated else None,
        )
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)  # no job will ever read them
        raise


def _import_work(raw, label, member, status):
    def work():
        shown = f"{label}!/{member}" if member else label
        report = import_bytes(raw, f"upload/{shown}", FileReport(path=shown), status)
        return report.ok, report.as_dict()

    return work


def _failed(label, message):
    return lambda: (False, FileReport(path=label).fail(message).as_dict())


def import_items(job):
    """(label, work) for each file of an import job, each member of a zip on its own:
    the same files in the same order every time the job is (re)started."""
    directory = jobs.spool_folder(job.arguments["folder"])
    status = job.arguments["status"]
    for upload in job.arguments["uploads"]:
        label = upload["label"]
        if "refusal" in upload:
            yield label, _failed(label, upload["refusal"])
            continue
        raw = (directory / upload["file"]).read_bytes()
        if _suffix(label) not in ZIP_SUFFIXES:
            yield label, _import_work(raw, label, "", status)
            continue
        try:
            for member, data in zip_members(raw, readable=READERS):
                yield f"{label}!/{member}", _import_work(data, label, member, status)
        except IngestError as exc:
            yield label, _failed(label, str(exc))


def import_item_count(job):
    directory = jobs.spool_folder(job.arguments["folder"])
    count = 0
    for upload in job.arguments["uploads"]:
        if "refusal" in upload or _suffix(upload["label"]) not in ZIP_SUFFIXES:
            count += 1
            continue
        try:
            count += sum(1 for _member in zip_members((directory / upload["file"]).read_bytes(), readable=READERS))
        except IngestError:
            count += 1
    return count


def job_reports(job):
    """The FileReports of an import job's files done so far, labelled for the page."""
    return label_debris([FileReport(**item.report) for item in job.items.order_by("position")])


# The importer's names for the lines it removed (speeches.ingest.page), for the report.
DEBRIS_LABELS = {
    "header": "页首信息",
    "footer": "页尾推荐",
    "pagination": "分页",
    "site_blurb": "网站导语",
    "page_number": "页码",
    "breadcrumb": "导航路径",
    "source_line": "来源与发布信息",
    "font_size": "字号切换",
    "page_tools": "页面工具",
    "qr_code": "二维码",
    "site_footer": "网站页脚",
}


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
