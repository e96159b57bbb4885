"""Concurrency against a live server: gunicorn (2 workers) on loopback answers a stream of
searches and page views from several threads while a curator's edits are committed from
another process and an import runs in a third, then while the index is rebuilt. No request
fails with a server error, no process logs a LockError, and no search is stale: once the
index queue holds nothing of an edit, every worker finds the new text, and a withdrawn
speech is gone from the results.

Bounded: a fixed number of edit rounds, every wait has a deadline, and the search threads
stop when the edits and the import are done."""

import json
import random
import subprocess
import textwrap
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter

import pytest

from tests.conftest import PROJECT_DIR
from tests.live_archive import PYTHON, Gunicorn, LiveArchive, write_corpus

pytestmark = pytest.mark.slow

ROUNDS = 4
SEARCH_THREADS = 4
DEADLINE = 180  # seconds for the whole concurrent phase

# A curator in a process of its own: edits a speech (title and body), withdraws it,
# publishes it again. After each commit it waits until the index queue holds nothing of
# that speech, says what it did, and waits for the test to check the live server.
CURATOR = textwrap.dedent(
    """
    import json, sys, time
    import django
    django.setup()
    from speeches.models import PendingIndexUpdate, Speech

    def applied(speech):
        deadline = time.monotonic() + 60
        while PendingIndexUpdate.objects.filter(speech_id=speech.pk).exists():
            if time.monotonic() > deadline:
                sys.exit(f"the index queue kept speech {speech.pk} for 60 s")
            time.sleep(0.02)

    def step(kind, speech, token):
        applied(speech)
        print(json.dumps({"step": kind, "uid": speech.uid, "title": speech.title, "token": token},
                         ensure_ascii=False), flush=True)
        if sys.stdin.readline().strip() != "ok":
            sys.exit("stopped by the test")

    print(json.dumps({"step": "ready"}), flush=True)
    if sys.stdin.readline().strip() != "ok":
        sys.exit("stopped by the test")
    for round_number, pk in enumerate(sys.argv[1:]):
        speech = Speech.objects.get(pk=pk)
        token = f"校订记号{round_number:02d}"
        speech.title = f"{speech.title}(第{round_number + 1}次校订)"
        speech.body = speech.body + f"\\n\\n校订时补充了一段话,记号是{token}。"
        speech.save()
        step("edited", speech, token)
        speech.status = Speech.WITHDRAWN
        speech.save()
        step("withdrawn", speech, token)
        speech.status = Speech.PUBLISHED
        speech.save()
        step("published", speech, token)
    print(json.dumps({"step": "done"}), flush=True)
    """
)

SPEECH_IDS = textwrap.dedent(
    """
    import json
    import django
    django.setup()
    from speeches.models import Speech
    print(json.dumps(list(Speech.objects.order_by("pk").values_list("pk", "uid"))))
    """
)


def fetch(url, timeout=60):
    """(status, body); status -1 when the server could not be reached or timed out."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError) as exc:
        return -1, str(exc)


def search_api(base_url, query):
    status, body = fetch(f"{base_url}/api/search/?{urllib.parse.urlencode({'q': query})}")
    assert status == 200, (status, body[:500])
    return json.loads(body)


def search_token(base_url, token):
    """The API's answer for the speeches holding token as typed (quoted: unquoted, a token
    no speech holds any more would be searched by its words and find the others)."""
    return search_api(base_url, f'"{token}"')


class Traffic:
    """Threads requesting a fixed mix of pages until stopped; records every status."""

    def __init__(self, base_url, speech_uids):
        self.base_url = base_url
        queries = ["防汛", "乡村振兴", '"把责任落实到人"', "项目 -学校", "安全 OR 耕地", "样本04编号0003", "校订记号"]
        self.paths = (
            [f"/search/?{urllib.parse.urlencode({'q': q})}" for q in queries]
            + [f"/api/search/?{urllib.parse.urlencode({'q': q, 'sort': 'newest'})}" for q in queries]
            + [f"/speeches/{uid}/" for uid in speech_uids[:10]]
            + ["/", "/speeches/", "/feeds/latest/"]
        )
        self.statuses = Counter()
        self.failures = []
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(SEARCH_THREADS)]

    def _run(self, n):
        rng = random.Random(n)
        deadline = time.monotonic() + DEADLINE
        while not self.stop.is_set() and time.monotonic() < deadline:
            path = rng.choice(self.paths)
            status, body = fetch(self.base_url + path)
            with self.lock:
                self.statuses[status] += 1
                # 410: a speech page while its speech is withdrawn.
                if status not in (200, 410):
                    self.failures.append((path, status, body[:300]))

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=90)


def test_searches_during_edits_and_an_import_never_fail_and_never_see_a_stale_index(tmp_path):
    live = LiveArchive(tmp_path / "data").migrate()
    write_corpus(tmp_path / "initial", files=2, per_file=15, seed=4)
    assert live.manage("import_speeches", str(tmp_path / "initial")).returncode == 0
    incoming = write_corpus(tmp_path / "incoming", files=10, per_file=20, seed=5)
    speeches = json.loads(live.python(SPEECH_IDS).stdout)
    edited_pks = [pk for pk, _uid in speeches[:ROUNDS]]

    stale = []
    import_log = tmp_path / "import.log"
    with Gunicorn(live, tmp_path / "gunicorn.log", workers=2) as server, Traffic(server.base_url, [u for _, u in speeches]) as traffic:
        curator = subprocess.Popen(
            [PYTHON, "-c", CURATOR, *map(str, edited_pks)],
            cwd=PROJECT_DIR, env=live.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=(tmp_path / "curator.log").open("w"), text=True,
        )
        timer = threading.Timer(DEADLINE, curator.kill)  # a stuck curator fails the test, never hangs it
        timer.start()
        steps = 0
        import_running_during_edits = 0
        importer = None
        try:
            assert json.loads(curator.stdout.readline())["step"] == "ready"
            # The edits begin once the import is under way: its first file is in.
            importer = live.start(live.manage_args("import_speeches", str(tmp_path / "incoming")), import_log)
            while "讲话：新建" not in import_log.read_text() and importer.poll() is None:
                time.sleep(0.02)
            curator.stdin.write("ok\n")
            curator.stdin.flush()
            for line in curator.stdout:
                message = json.loads(line)
                if message["step"] == "done":
                    break
                steps += 1
                import_running_during_edits += importer.poll() is None
                found = search_token(server.base_url, message["token"])
                hit_ids = [hit["id"] for hit in found["results"]]
                page_status, page = fetch(f"{server.base_url}/speeches/{message['uid']}/")
                if message["step"] in ("edited", "published"):
                    ok = hit_ids == [message["uid"]] and found["results"][0]["title"] == message["title"]
                    ok = ok and page_status == 200 and message["token"] in page
                else:
                    ok = hit_ids == [] and page_status == 410
                if not ok:
                    stale.append((message, hit_ids, page_status))
                curator.stdin.write("ok\n")
                curator.stdin.flush()
        finally:
            timer.cancel()
            curator.stdin.close()
        assert curator.wait(timeout=60) == 0, (tmp_path / "curator.log").read_text()
        assert importer is not None and importer.wait(timeout=DEADLINE) == 0, import_log.read_text()[-3000:]
        # A rebuild swaps index generations under the same traffic.
        rebuild = live.manage("rebuild_index")
        assert rebuild.returncode == 0, rebuild.stdout + rebuild.stderr
        # A last look with the import finished, the edits done and the index rebuilt.
        found_incoming = {token: search_token(server.base_url, token)["total"] for token in list(incoming)[::20]}

    print(
        f"requests by status: {dict(traffic.statuses)}; curator steps: {steps} "
        f"({import_running_during_edits} while the import ran)"
    )
    assert steps == 3 * ROUNDS
    assert import_running_during_edits > 0
    assert stale == []
    assert traffic.failures == []
    assert sum(traffic.statuses.values()) > 0 and not any(status >= 500 for status in traffic.statuses)
    for log_name in ("gunicorn.log", "import.log", "curator.log"):
        log = (tmp_path / log_name).read_text(errors="replace")
        assert "LockError" not in log and "Traceback" not in log, f"{log_name}:\n{log[-3000:]}"
    assert set(found_incoming.values()) == {1}
    check = live.manage("check_index")
    assert check.returncode == 0, check.stdout + check.stderr
