"""Long work as jobs: an admin upload only spools its files and queues a job; the job
worker imports each file in a transaction of its own, recording it as done, so a job
whose worker died resumes without redoing a file; the job page shows the progress and
the full import report; large admin actions become jobs too; the worker applies index
updates left queued by a crash and counts spooled searches."""

import io
import json
import socket
import zipfile

import pytest
from django.db import DatabaseError
from django.urls import reverse

from speeches import jobs, search, search_log
from speeches.curation import upload as upload_module
from speeches.models import Job, JobItem, PendingIndexUpdate, SearchQueryLog, Source, Speech
from tests.conftest import PROJECT_DIR
from tests.curation_helpers import logged_in, post_upload, run_action, run_jobs, upload
from tests.factories import make_speech

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("index_at_once")]


def _page(number, punctuation="full"):
    colon = ":" if punctuation == "full" else ":"
    return f"第{number}次防汛工作会议讲话\n\n同志们{colon}\n今天部署第{number}批防汛物资。\n".encode()


def _zip(count):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for n in range(1, count + 1):
            archive.writestr(f"pages/{n:02d}.txt", _page(n, "full" if n % 2 else "half"))
    return buffer.getvalue()


def test_an_upload_is_spooled_and_queued_not_imported_in_the_request(curator, settings):
    response = post_upload(curator, ("pages.zip", _zip(3)), ("script.exe", b"MZ"))

    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert Speech.objects.count() == 0
    assert job.kind == Job.IMPORT and job.status == Job.QUEUED and job.started_by.username == "curator"
    spooled = list((settings.SPOOL_DIR / "jobs" / job.arguments["folder"]).iterdir())
    assert [path.name for path in spooled] == ["0.upload"]  # named by us; the refused file is not kept
    page = curator.get(job.get_absolute_url()).content.decode()
    assert "排队中" in page and 'http-equiv="refresh"' in page


def test_the_worker_imports_each_file_and_the_job_page_shows_the_whole_report(curator, settings):
    response = upload(curator, ("pages.zip", _zip(3)), ("script.exe", b"MZ"), ("one.txt", _page(9)), status="published")

    job = Job.objects.get()
    assert job.status == Job.DONE and job.done == job.total == 5
    assert Speech.objects.published().count() == 4
    assert [item.label for item in job.items.all()] == [
        "pages.zip!/pages/01.txt", "pages.zip!/pages/02.txt", "pages.zip!/pages/03.txt", "script.exe", "one.txt",
    ]
    reports = response.context["reports"]
    assert [report.ok for report in reports] == [True, True, True, False, True]
    assert response.context["totals"]["created"] == 4 and response.context["totals"]["failed"] == 1
    html = response.content.decode()
    assert "已完成" in html and "http-equiv" not in html  # finished: no more reloading
    for speech in Speech.objects.all():
        assert f"?q={speech.uid}" in html  # each new speech links to its admin page
    assert "类型不能导入" in html
    # The spooled files are gone once the job is done.
    assert not (settings.SPOOL_DIR / "jobs" / job.arguments["folder"]).exists()
    # Searchable as soon as each file is in.
    assert search.search({"q": "防汛物资"}).total == 4


def test_the_job_page_is_for_staff_who_may_see_jobs(client, curator):
    post_upload(curator, ("one.txt", _page(1)))
    job = Job.objects.get()
    curator.logout()
    assert client.get(job.get_absolute_url()).status_code == 302  # to the sign-in page
    viewer = logged_in(client, "viewer")
    assert viewer.get(job.get_absolute_url()).status_code == 200
    assert viewer.get(reverse("admin:speeches_job_changelist")).status_code == 200
    assert viewer.post(reverse("admin:speeches_job_delete", args=[job.pk])).status_code == 403


def _queue(curator, *files):
    post_upload(curator, *files)
    return Job.objects.order_by("-id").first()


def test_a_job_whose_worker_died_resumes_without_redoing_a_file(curator, monkeypatch):
    job = _queue(curator, ("pages.zip", _zip(4)))
    real = upload_module.import_bytes
    calls = []

    def dies_at_the_third_file(raw, path, report, status, *args, **kwargs):
        calls.append(path)
        if len(calls) == 3:
            raise SystemExit("killed")  # not an error the job handles: the process is gone
        return real(raw, path, report, status, *args, **kwargs)

    monkeypatch.setattr(upload_module, "import_bytes", dies_at_the_third_file)
    with pytest.raises(SystemExit):
        run_jobs()
    job.refresh_from_db()
    assert job.status == Job.RUNNING and job.done == 2
    assert Speech.objects.count() == 2  # the third file's transaction was rolled back
    done_before = list(JobItem.objects.filter(job=job).values_list("id", "position"))

    # The worker process is gone (a pid of this host that no longer runs).
    Job.objects.filter(pk=job.pk).update(worker=f"{socket.gethostname()}:{2**22 + 7}")
    calls.clear()
    monkeypatch.setattr(upload_module, "import_bytes", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    run_jobs()

    job.refresh_from_db()
    assert job.status == Job.DONE and job.done == job.total == 4
    assert calls == ["upload/pages.zip!/pages/03.txt", "upload/pages.zip!/pages/04.txt"]
    assert list(JobItem.objects.filter(job=job, position__lt=2).values_list("id", "position")) == done_before
    assert Speech.objects.count() == 4 and Source.objects.count() == 4


def test_a_job_of_a_live_worker_is_left_alone(curator):
    job = _queue(curator, ("one.txt", _page(1)))
    Job.objects.filter(pk=job.pk).update(status=Job.RUNNING, worker=jobs.worker_name())
    assert jobs.requeue_abandoned() == 0


def test_an_unexpected_error_fails_the_job_with_its_message_and_keeps_what_was_done(curator, monkeypatch):
    job = _queue(curator, ("pages.zip", _zip(3)))
    real = JobItem.objects.create

    def fails_on_the_second(**fields):
        if fields["position"] == 1:
            raise DatabaseError("disk full")
        return real(**fields)

    monkeypatch.setattr(JobItem.objects, "create", fails_on_the_second)
    run_jobs()

    job.refresh_from_db()
    assert job.status == Job.FAILED and "disk full" in job.error
    assert job.done == 1 and Speech.objects.count() == 1  # the second file rolled back with its item
    assert "disk full" in curator.get(job.get_absolute_url()).content.decode()


def test_a_worker_asked_to_stop_puts_its_job_back_in_the_queue(curator):
    job = _queue(curator, ("pages.zip", _zip(3)))
    asked = []

    def stop_after_one_item():
        asked.append(1)
        return len(asked) > 2  # the loop's check, then one item's

    jobs.work(stop=stop_after_one_item, poll_seconds=0)
    job.refresh_from_db()
    assert job.status == Job.QUEUED and job.done == 1 and job.worker == ""
    run_jobs()
    job.refresh_from_db()
    assert job.status == Job.DONE and Speech.objects.count() == 3


@pytest.mark.parametrize(
    ("action", "kind"),
    [("withdraw_speeches", Job.WITHDRAW), ("reextract_speeches", Job.REEXTRACT), ("reindex_speeches", Job.REINDEX)],
)
def test_a_large_admin_action_becomes_a_job(curator, settings, action, kind):
    settings.ADMIN_ACTION_INLINE_MAX = 2
    speeches = [make_speech(title=f"第{n}篇防汛讲话", body=f"同志们:\n第{n}批防汛物资。") for n in range(25)]

    response = run_action(curator, "speech", action, speeches)

    assert response.status_code == 302
    job = Job.objects.get()
    assert job.kind == kind and job.arguments["speech_ids"] == sorted(s.pk for s in speeches)
    assert job.total == (1 if kind == Job.REINDEX else 2)
    messages = [str(m) for m in curator.get(reverse("admin:speeches_speech_changelist")).context["messages"]]
    assert any(f"任务 #{job.pk}" in m for m in messages)
    if kind == Job.WITHDRAW:
        assert Speech.objects.published().count() == 25  # not in the request
    run_jobs()
    job.refresh_from_db()
    assert job.status == Job.DONE and job.done == job.total
    if kind == Job.WITHDRAW:
        assert Speech.objects.published().count() == 0
        # Recorded in the history as the curator's change.
        assert Speech.history.filter(status=Speech.WITHDRAWN, history_user__username="curator").count() == 25
    assert search.check().ok


def test_a_small_admin_action_is_still_done_at_once(curator, settings):
    settings.ADMIN_ACTION_INLINE_MAX = 10
    speeches = [make_speech(title=f"第{n}篇讲话") for n in range(3)]
    run_action(curator, "speech", "withdraw_speeches", speeches)
    assert not Job.objects.exists() and Speech.objects.published().count() == 0


def test_the_worker_applies_index_updates_a_crash_left_queued(settings):
    settings.SEARCH_INDEX_UPDATES = "queue"  # committed, then the process died before indexing
    make_speech(title="抗旱讲话", body="同志们:\n打好抗旱保卫战。")
    assert PendingIndexUpdate.objects.exists() and search.search({"q": "抗旱保卫战"}).total == 0

    run_jobs()  # a worker starting with no job to run

    assert not PendingIndexUpdate.objects.exists()
    assert search.search({"q": "抗旱保卫战"}).total == 1


def test_housekeeping_applies_the_queue_and_counts_spooled_searches(settings):
    settings.SEARCH_INDEX_UPDATES = "queue"
    make_speech(title="抗旱讲话", body="同志们:\n打好抗旱保卫战。")
    search_log.record("抗旱", 1)

    jobs.housekeeping()

    assert search.search({"q": "抗旱保卫战"}).total == 1
    assert SearchQueryLog.objects.get(query="抗旱").count == 1


def test_make_run_starts_the_worker_next_to_the_web_server():
    import subprocess

    plan = subprocess.run(["make", "-n", "run"], cwd=PROJECT_DIR, capture_output=True, text=True, check=True).stdout
    serve = next(line for line in plan.splitlines() if "runserver" in line)
    assert "run_jobs" in serve and "&" in serve  # in the background, stopped with the server


def test_the_job_report_is_json_a_page_can_show_after_any_restart(curator):
    upload(curator, ("one.txt", _page(1)))
    item = JobItem.objects.get()
    stored = json.loads(json.dumps(item.report))
    assert stored["ok"] and stored["created"] and stored["path"] == "one.txt"


def test_an_upload_the_database_cannot_queue_leaves_no_files_behind(settings, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    def refuses(**fields):
        raise DatabaseError("database is locked")

    monkeypatch.setattr(Job.objects, "create", refuses)
    with pytest.raises(DatabaseError):
        upload_module.queue_import([SimpleUploadedFile("one.txt", _page(1))], Speech.PUBLISHED)
    assert list((settings.SPOOL_DIR / "jobs").iterdir()) == []
