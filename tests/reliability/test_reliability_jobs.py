"""The job worker stopped (SIGTERM) and then killed (SIGKILL) in the middle of an import job,
in a throwaway data folder shared by real processes: stopped, it puts the job back in the
queue; killed, the next worker finds the job abandoned, resumes it after the last file the
dead one committed, redoes none, applies the index updates the dead one left queued, and
every speech ends up imported and searchable exactly once."""

import json
import signal
import sqlite3
import textwrap
import time
import zipfile

import pytest

from tests.live_archive import LiveArchive, write_corpus

pytestmark = pytest.mark.slow

QUEUE = textwrap.dedent(
    """
    import sys
    import django
    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from speeches.curation.upload import queue_import

    with open(sys.argv[1], "rb") as handle:
        job = queue_import([SimpleUploadedFile("pages.zip", handle.read())], "published")
    print(job.pk)
    """
)

STATE = textwrap.dedent(
    """
    import json, sys
    import django
    django.setup()
    from speeches.models import Job, PendingIndexUpdate, Speech

    job = Job.objects.get(pk=int(sys.argv[1]))
    print(json.dumps({
        "status": job.status, "done": job.done, "total": job.total, "worker": job.worker,
        "items": sorted(job.items.values_list("position", "id")),
        "speeches": Speech.objects.count(),
    }))
    """
)


def _state(live, job_id):
    result = live.python(STATE, job_id)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _worker_caught(live, job_id, log, done_at_least):
    """A job worker started and caught between two files once the job is running under it
    with at least that many files done: the database's write lock is taken before looking,
    so the worker cannot commit another file while the test reads the job and signals it.
    Returns the worker; the caller signals it inside the `with`, which then lets go."""
    worker = live.start(live.manage_args("run_jobs", "--poll", "0.2"), log)
    database = sqlite3.connect(live.data_dir / "archive.sqlite3", timeout=60, isolation_level=None)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        database.execute("BEGIN IMMEDIATE")
        status, done, total, running_under = database.execute(
            "SELECT status, done, total, worker FROM speeches_job WHERE id = ?", (job_id,)
        ).fetchone()
        if status == "running" and running_under and done_at_least <= done < total:
            return worker, _Held(database)
        database.execute("ROLLBACK")
        assert status != "done", f"the job ended before the worker was caught: {done}/{total}"
        assert worker.poll() is None, log.read_text()
        time.sleep(0.02)
    worker.kill()
    raise AssertionError(f"the job did not reach {done_at_least} files")


class _Held:
    """The write lock taken by _worker_caught, let go at the end of the `with`."""

    def __init__(self, database):
        self.database = database

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.database.execute("ROLLBACK")
        self.database.close()


def test_a_worker_stopped_or_killed_mid_import_is_resumed_by_the_next_without_redoing_a_file(tmp_path):
    live = LiveArchive(tmp_path / "data").migrate()
    tokens = write_corpus(tmp_path / "corpus", files=6, per_file=10, seed=11)
    archive = tmp_path / "pages.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in sorted((tmp_path / "corpus").iterdir()):
            zipped.write(path, f"batches/{path.name}")
    queued = live.python(QUEUE, archive)
    assert queued.returncode == 0, queued.stderr
    job_id = int(queued.stdout.split()[-1])

    # Asked to stop (SIGTERM, as systemd does): it ends the file it is on, puts the job back.
    worker, held = _worker_caught(live, job_id, tmp_path / "first.log", 1)
    with held:
        worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=120) == 0, (tmp_path / "first.log").read_text()
    stopped = _state(live, job_id)
    assert stopped["status"] == "queued" and stopped["worker"] == "" and stopped["done"] < 6

    # Killed outright: the job stays "running" under a worker that is gone.
    worker, held = _worker_caught(live, job_id, tmp_path / "second.log", stopped["done"])
    with held:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    killed = _state(live, job_id)
    assert killed["status"] == "running" and killed["worker"] and killed["done"] < 6
    # Each committed file is one item: the speeches stored so far are whole files.
    assert killed["speeches"] == 10 * killed["done"]

    resumed = live.manage("run_jobs", "--once")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr

    final = _state(live, job_id)
    assert final["status"] == "done" and final["done"] == final["total"] == 6
    assert [position for position, _id in final["items"]] == list(range(6))
    # The files done before the kill keep their rows: not done again.
    assert [item for item in final["items"] if item[0] < killed["done"]] == killed["items"][: killed["done"]]
    state = live.state(*tokens)
    assert state["speeches"] == 60 and state["queued"] == 0
    assert all(len(found) == 1 for found in state["found"].values()), state["found"]
    check = live.manage("check_index")
    assert check.returncode == 0, check.stdout + check.stderr
