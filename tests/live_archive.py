"""A throwaway archive in its own data folder, driven through real processes: manage.py
commands, Django shell scripts and gunicorn. For the reliability tests that kill, race and
load the archive, which pytest-django's test database cannot do: every process here shares
one file-backed SQLite database in the data folder (DATABASE_URL is ignored on purpose, so
these tests run the same way in the PostgreSQL pass of CI)."""

import json
import os
import random
import re
import signal
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.conftest import PROJECT_DIR

PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
# Every subprocess gets a deadline: a hung child fails the test instead of the CI job.
COMMAND_TIMEOUT = 300

QUERY = textwrap.dedent(
    """
    import json, sys
    import django
    django.setup()
    from speeches import search
    from speeches.models import PendingIndexUpdate, Speech
    print(json.dumps({
        "speeches": Speech.objects.count(),
        "queued": PendingIndexUpdate.objects.count(),
        "found": {q: sorted(search.matching_ids({"q": q})) for q in sys.argv[1:]},
    }))
    """
)


# Phrases for generated speeches (written for these tests): subjects, actions, aims.
_SUBJECTS = ("各乡镇", "各部门", "全县上下", "各级干部", "村两委", "驻村工作队", "各社区", "有关单位")
_ACTIONS = (
    "要把责任落实到人", "要抓好项目建设", "要守住安全生产底线", "要办好民生实事", "要做好防汛准备",
    "要推进乡村振兴", "要改善人居环境", "要稳住粮食生产", "要扩大有效投资", "要提高办事效率",
    "要关心困难群众", "要加强基层治理", "要保护好耕地", "要发展特色产业", "要抓好学校建设",
)
_AIMS = (
    "确保年底前见到成效", "让群众真正得到实惠", "不能搞形式主义", "做到件件有着落",
    "把好事办好、实事办实", "以实绩检验工作成效", "切实增强群众的获得感",
)
_PLACES = ("东湖镇", "西山乡", "南塘街道", "北岭村", "清河县", "石门镇", "柳林乡", "白沙社区")
_MEETINGS = ("工作会议", "推进会", "动员大会", "总结会", "座谈会", "调度会")


def speech_text(rng, paragraphs, token):
    """A speech of generated paragraphs; token (a unique word) is in the second paragraph."""
    lines = ["同志们:"]
    for i in range(paragraphs):
        sentences = [
            f"{rng.choice(_SUBJECTS)}{rng.choice(_ACTIONS)},{rng.choice(_AIMS)}。" for _ in range(rng.randint(2, 4))
        ]
        if i == 1:
            sentences.insert(1, f"这项工作的代号是{token}。")
        lines.append("".join(sentences))
    lines.append("谢谢大家!")
    return "\n\n".join(lines)


def write_corpus(folder, files=6, per_file=10, paragraphs=12, seed=1):
    """JSON lines files of generated speeches (one import transaction per file).
    Returns {token: title}: each speech has a unique token that only it contains."""
    rng = random.Random(seed)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    speeches = {}
    for f in range(files):
        rows = []
        for n in range(per_file):
            number = f * per_file + n + 1
            token = f"样本{seed:02d}编号{number:04d}"
            title = f"在{rng.choice(_PLACES)}第{number}次{rng.choice(_MEETINGS)}上的讲话"
            rows.append(json.dumps({"title": title, "text": speech_text(rng, paragraphs, token)}, ensure_ascii=False))
            speeches[token] = title
        (folder / f"batch_{f:03d}.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return speeches


BULK_SPEECHES = textwrap.dedent(
    """
    import json, random, sys
    import django
    django.setup()
    from speeches.models import Speech, content_hash
    from tests.live_archive import speech_text

    count, seed = int(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(seed)
    rows, tokens = [], {}
    for n in range(count):
        token = f"批量{seed:02d}编号{n:05d}"
        title = f"在第{n + 1}次工作调度会上的讲话"
        body = speech_text(rng, 12, token)
        rows.append(Speech(uid=f"b{seed:02d}{n:07d}", title=title, body=body,
                           content_hash=content_hash(title + body), status=Speech.PUBLISHED))
        tokens[token] = title
    Speech.objects.bulk_create(rows, batch_size=500)
    print(json.dumps(tokens, ensure_ascii=False))
    """
)


class LiveArchive:
    def __init__(self, data_dir):
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SEARCH_INDEX_DIR", "SECRET_KEY")}
        self.env.update(
            ARCHIVE_DATA_DIR=str(self.data_dir),
            DJANGO_SETTINGS_MODULE="archive.settings",
            PYTHONPATH=str(PROJECT_DIR),
            DEBUG="0",
            SECURE_SSL_REDIRECT="0",
            API_ANON_RATE_PER_MINUTE="0",
            SEARCH_ANON_RATE_PER_MINUTE="0",
            LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",  # progress lines reach the log as they are written
        )

    @property
    def index_dir(self):
        return self.data_dir / "index"

    def manage_args(self, *args):
        return [PYTHON, "manage.py", *args]

    def run(self, args, timeout=COMMAND_TIMEOUT):
        return subprocess.run(args, cwd=PROJECT_DIR, env=self.env, capture_output=True, text=True, timeout=timeout)

    def manage(self, *args, timeout=COMMAND_TIMEOUT):
        return self.run(self.manage_args(*args), timeout=timeout)

    def start(self, args, log_path):
        """A background process writing stdout and stderr to log_path."""
        log = open(log_path, "w")  # noqa: SIM115 - the child keeps it; closed with the process
        return subprocess.Popen(args, cwd=PROJECT_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def migrate(self):
        result = self.manage("migrate", "--noinput", "-v0")
        assert result.returncode == 0, result.stdout + result.stderr
        return self

    def python(self, code, *args, timeout=COMMAND_TIMEOUT):
        """Run code (Django not yet set up) in a process of its own; returns CompletedProcess."""
        return self.run([PYTHON, "-c", code, *map(str, args)], timeout=timeout)

    def state(self, *queries):
        """Speech count, queued index updates and the speech ids each query finds."""
        result = self.python(QUERY, *queries)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout.strip().splitlines()[-1])

    def bulk_speeches(self, count, seed):
        """Store `count` generated speeches at once, bypassing the importer and the index
        queue (rebuild_index indexes them); returns {token: title}."""
        result = self.python(BULK_SPEECHES, count, seed)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout.strip().splitlines()[-1])

    def count_speeches(self):
        return self.state()["speeches"]

    def search_total(self, query):
        return len(self.state(query)["found"][query])


class Gunicorn:
    """gunicorn serving the archive on a free loopback port, stopped on exit."""

    def __init__(self, archive, log_path, workers=2, threads=1):
        self.archive = archive
        self.log_path = Path(log_path)
        self.args = [
            GUNICORN, "archive.wsgi:application",
            "--bind", "127.0.0.1:0",  # the kernel picks the port; read back from the log
            "--workers", str(workers), "--threads", str(threads),
            "--timeout", "60", "--graceful-timeout", "5",
            "--log-level", "info", "--error-logfile", "-", "--access-logfile", "/dev/null",
        ]
        self.process = None
        self.base_url = None

    def __enter__(self):
        self.process = self.archive.start(self.args, self.log_path)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            match = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", self.log_path.read_text(errors="replace"))
            if match and self._healthy(match.group(1)):
                self.base_url = match.group(1)
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not start:\n{self.log()}")

    def __exit__(self, *exc):
        self.stop()

    def _healthy(self, base_url):
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=5) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
