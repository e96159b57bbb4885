"""Crash safety: import_speeches and rebuild_index killed (SIGKILL) at random points, several
times with a fixed seed, in a throwaway data folder shared by real processes.

After every kill the index that was served before still answers searches, and check_index
(without --repair) finds no drift: a killed import leaves committed speeches in the index
queue, which check_index applies before it compares, and a killed rebuild never swapped its
half-written generation in. Running the command again then completes with every speech
found exactly once."""

import json
import random
import signal
import textwrap
import time
from pathlib import Path

import pytest

from tests.live_archive import LiveArchive, write_corpus

pytestmark = pytest.mark.slow

SEED = 20240601
KILLS = 3

# Run in a fresh process after each kill: first search with whatever index is served, then
# run check_index as an operator would, then search again.
PROBE = textwrap.dedent(
    """
    import io, json, sys
    import django
    django.setup()
    from django.core.management import call_command
    from django.core.management.base import CommandError
    from speeches import search
    from speeches.models import PendingIndexUpdate, Speech

    tokens = json.loads(sys.argv[1])

    def found():
        # Quoted: the speeches holding the token as typed (unquoted, a token no speech
        # holds any more would be searched by its words and find the others).
        return {t: sorted(search.matching_ids({"q": f'"{t}"'})) for t in tokens}

    before = found()
    queued = PendingIndexUpdate.objects.count()
    out = io.StringIO()
    try:
        call_command("check_index", stdout=out)
        status = 0
    except CommandError as exc:
        out.write(str(exc))
        status = exc.returncode
    by_token = {t: sorted(Speech.objects.filter(body__contains=t).values_list("pk", flat=True)) for t in tokens}
    print(json.dumps({
        "found_before_check": before, "queued": queued, "check_status": status,
        "check_output": out.getvalue(), "found": found(), "in_database": by_token,
        "speeches": Speech.objects.count(),
    }))
    """
)


def probe(live, tokens):
    result = live.python(PROBE, json.dumps(sorted(tokens), ensure_ascii=False))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "LockError" not in result.stderr, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def assert_index_matches_database(state):
    assert state["check_status"] == 0, state["check_output"]
    assert "索引中缺少：0 篇" in state["check_output"] and "索引内容过时：0 篇" in state["check_output"]
    assert "检索索引与数据库一致。" in state["check_output"]
    # Entry by entry: each speech in the database is found by its own word, and only it.
    assert state["found"] == state["in_database"]


def kill_when(process, seconds):
    """SIGKILL process after `seconds` (0: now); False if it had already finished by then."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        time.sleep(0.01)
    if process.poll() is not None:
        return False
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    return True


@pytest.fixture
def live(tmp_path):
    return LiveArchive(tmp_path / "data").migrate()


def test_killed_imports_leave_no_drift_without_repair_and_a_rerun_completes(live, tmp_path):
    rng = random.Random(SEED)
    # What is served before the first kill: one file imported and indexed.
    served = write_corpus(tmp_path / "served", files=1, per_file=5, seed=1)
    assert live.manage("import_speeches", str(tmp_path / "served")).returncode == 0
    batch = write_corpus(tmp_path / "batch", files=8, per_file=20, seed=2)
    tokens = set(served) | set(batch)

    kills = []
    for attempt in range(KILLS):
        log = tmp_path / f"import_{attempt}.log"
        process = live.start(live.manage_args("import_speeches", str(tmp_path / "batch")), log)
        # Kill while file `after_files` + 1 is being read, stored, extracted or indexed.
        after_files = rng.randrange(0, 7)
        while log.read_text().count("讲话：新建") < after_files and process.poll() is None:
            time.sleep(0.01)
        delay = rng.uniform(0.0, 0.6)
        killed = kill_when(process, delay)
        files_done = log.read_text().count("讲话：新建")

        state = probe(live, tokens)
        kills.append((after_files, round(delay, 2), killed, files_done, state["queued"]))
        # The old index still serves: every speech of the first import is found.
        for token in served:
            assert len(state["found_before_check"][token]) == 1, (token, kills)
        # Nothing half-imported: a file's speeches are all there or none (20 per file).
        assert (state["speeches"] - len(served)) % 20 == 0, state["speeches"]
        assert_index_matches_database(state)
    print(f"import kills (after files, delay s, killed, files done, left queued): {kills}")
    assert sum(kill[2] for kill in kills) >= KILLS // 2, kills

    rerun = live.manage("import_speeches", str(tmp_path / "batch"))
    assert rerun.returncode == 0, rerun.stderr
    assert "Traceback" not in rerun.stderr
    state = probe(live, tokens)
    assert_index_matches_database(state)
    assert state["speeches"] == len(tokens)
    assert all(len(ids) == 1 for ids in state["found"].values())


def children(pid):
    """The processes `pid` started (a parallel rebuild's writers)."""
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def alive(pid):
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:")[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


# Below 1,000 speeches the rebuild writes in its own process; from 1,000 on it forks one
# writer per core, which hold the index's writer lock with it (an inherited descriptor).
@pytest.mark.parametrize("size", [300, 1200], ids=["one-writer", "parallel-writers"])
def test_killed_rebuilds_leave_the_old_index_serving_with_no_drift_without_repair(live, tmp_path, size):
    rng = random.Random(SEED + size)
    corpus = live.bulk_speeches(size, seed=size % 97)
    sample = dict(list(corpus.items())[:: max(1, size // 100)])
    started = time.monotonic()
    first = live.manage("rebuild_index")
    full_rebuild = time.monotonic() - started
    assert first.returncode == 0, first.stderr

    kills = []
    upper = full_rebuild
    for attempt in range(KILLS):
        killed, writers = False, []
        for _retry in range(3):  # a rebuild that finished before the kill is tried sooner
            process = live.start(live.manage_args("rebuild_index"), tmp_path / f"rebuild_{attempt}.log")
            delay = rng.uniform(0.35 * upper, 0.95 * upper)
            deadline = time.monotonic() + delay
            while time.monotonic() < deadline and process.poll() is None:
                writers = children(process.pid) or writers
                time.sleep(0.02)
            killed = kill_when(process, 0)
            if killed:
                break
            upper = delay
        generations = len([p for p in live.index_dir.iterdir() if p.name.startswith("gen-")])

        state = probe(live, sample)
        kills.append((round(delay, 2), killed, len(writers), generations))
        assert all(len(ids) == 1 for ids in state["found_before_check"].values()), kills
        assert_index_matches_database(state)
        # Writers of the killed rebuild do not live on holding the writer lock.
        assert not [pid for pid in writers if alive(pid)], kills
    print(f"{size} speeches, full rebuild {full_rebuild:.1f} s; kills (delay s, killed, writer processes, generation folders): {kills}")
    assert sum(kill[1] for kill in kills) >= KILLS // 2, kills

    rerun = live.manage("rebuild_index")
    assert rerun.returncode == 0, rerun.stderr
    assert f"已索引 {len(corpus)} 篇讲话" in rerun.stdout
    state = probe(live, sample)
    assert_index_matches_database(state)
    assert all(len(ids) == 1 for ids in state["found"].values())
    # Half-written generations of the killed rebuilds do not pile up: the served one and
    # one previous are kept.
    generations = [p for p in live.index_dir.iterdir() if p.is_dir() and p.name.startswith("gen-")]
    assert len(generations) <= 2, generations
