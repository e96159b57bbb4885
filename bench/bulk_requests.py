"""Requests after a bulk import, under gunicorn: listings, feeds, the health check and
searches made while another import holds the database's write lock.

    .venv/bin/python -m bench.bulk_requests                  # ~9 MB bulk file, 3 workers
    .venv/bin/python -m bench.bulk_requests --speeches 400 --json

A throwaway archive (a temporary data folder) is served by gunicorn (--workers sync
workers, DEBUG=0) in three steps, each timing the same requests:

1. small archive: 60 speeches in three records files of 20 (the baseline);
2. after one bulk records file of --speeches generated speeches (~4.7 KB each: 2,000
   make ~9 MB), stored through the import pipeline with extraction left out (every
   speech gets the first topic, so a topic's feed lists bulk speeches), then indexed;
3. while a second records file imports with extraction (one long write transaction):
   searches on the page and the API, and the health check.

Each figure is reported with its ratio to step 1, measured in the same run. A request
that takes more than --timeout seconds counts as failed (gunicorn's own timeout is 60 s).
"""

import argparse
import http.client
import json
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlencode, urlsplit

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

from bench.load_test import get  # noqa: E402
from tests.live_archive import Gunicorn, LiveArchive, write_corpus  # noqa: E402

# The bulk file's speeches: paragraphs per speech (~195 bytes each).
BULK_PARAGRAPHS = 24
SMALL_FILES, SMALL_PER_FILE = 3, 20
# Page 10 lists speeches of the bulk file (the small archive fills the first three pages).
LISTINGS = ("/api/speeches/", "/api/speeches/?page=10", "/feeds/latest/", "/feeds/topics/{topic}/")
SEARCHES = tuple(
    f"{path}?{urlencode(params)}"
    for path, params in (("/search/", {"q": "防汛"}), ("/api/search/", {"q": "乡村振兴"}),
                         ("/search/", {"q": "项目 建设"}), ("/api/search/", {"q": "群众", "sort": "newest"}))
)

# Stores a records file through the import pipeline without extraction (every speech gets
# the first topic), index updates only queued, then rebuilds the index.
BULK_LOAD = textwrap.dedent(
    """
    import sys
    import django
    django.setup()
    from django.test import override_settings
    from speeches import search
    from speeches.ingest import pipeline
    from speeches.models import SpeechTopic, Topic

    topic = Topic.objects.filter(slug=sys.argv[1]).first() or Topic.objects.order_by("slug").first()

    def first_topic(speech):
        SpeechTopic.objects.get_or_create(speech=speech, topic=topic, defaults={"score": 1.0})

    pipeline.annotate_speech = first_topic
    with override_settings(SEARCH_INDEX_UPDATES="queue", EXTRACTION_ON_IMPORT="at_once"):
        reports = pipeline.import_paths(sys.argv[2:])
    failed = [r for r in reports if not r.ok]
    if failed:
        raise SystemExit(f"{failed[0].path}: {failed[0].error}")
    search.rebuild()
    print(topic.slug)
    """
)


def _summary(results):
    seconds = [s for _status, s in results]
    return {
        "n": len(results),
        "failed": sum(status != 200 for status, _s in results),
        "median_s": round(sorted(seconds)[len(seconds) // 2], 3),
        "max_s": round(max(seconds), 3),
    }


def time_sequential(base, paths, samples, timeout):
    return {path: _summary([get(base, path, timeout) for _ in range(samples)]) for path in paths}


def time_concurrent(base, paths, probe, timeout, until=None):
    """Each of `paths` in a thread of its own (looping until `until()` is false, or once),
    while `probe` is requested over and over from another; the timings of both."""
    found = {path: [] for path in (*paths, probe)}
    lock = threading.Lock()
    done = threading.Event()

    def client(path, loop):
        while True:
            result = get(base, path, timeout)
            with lock:
                found[path].append(result)
            if not loop or done.is_set():
                return

    loop = until is not None
    threads = [threading.Thread(target=client, args=(path, loop), daemon=True) for path in paths]
    for thread in threads:
        thread.start()
    prober = threading.Thread(target=client, args=(probe, True), daemon=True)
    prober.start()
    if loop:
        while until():
            time.sleep(0.2)
        done.set()
    for thread in threads:
        thread.join()
    done.set()
    prober.join()
    return {path: _summary(results) for path, results in found.items() if results}


def _ratios(step, baseline):
    for path, row in step.items():
        # A page the small archive does not have is compared with its first page.
        base = baseline.get(path) or baseline.get(path.split("?")[0])
        if base and base["median_s"]:
            row["median_vs_small"] = round(row["median_s"] / base["median_s"], 1)


def run(data_dir, speeches, workers, timeout, samples):
    live = LiveArchive(data_dir).migrate()
    corpus = Path(data_dir) / "corpus"
    write_corpus(corpus / "small", files=SMALL_FILES, per_file=SMALL_PER_FILE, seed=3)
    result = live.manage("import_speeches", str(corpus / "small"), timeout=1800)
    assert result.returncode == 0, result.stderr[-2000:]
    write_corpus(corpus / "bulk", files=1, per_file=speeches, paragraphs=BULK_PARAGRAPHS, seed=4)
    write_corpus(corpus / "during", files=1, per_file=max(100, speeches // 10), seed=5)
    bulk_file = next((corpus / "bulk").iterdir())
    report = {"bulk_file_mb": round(bulk_file.stat().st_size / 1e6, 1), "bulk_speeches": speeches, "workers": workers}

    with Gunicorn(live, Path(data_dir) / "gunicorn.log", workers=workers) as server:
        base = server.base_url
        topic = _first_topic(base, timeout)
        listings = [path.format(topic=topic) for path in LISTINGS]
        existing = [path for path in listings if "page=" not in path]
        small = time_sequential(base, [*existing, *SEARCHES, "/healthz"], samples, timeout)

        started = time.perf_counter()
        loaded = live.python(BULK_LOAD, topic, bulk_file, timeout=3600)
        assert loaded.returncode == 0, loaded.stderr[-2000:]
        report["bulk_load_s"] = round(time.perf_counter() - started, 1)

        after = time_sequential(base, listings, samples, timeout)
        _ratios(after, small)
        # Four listings at once, as one client refreshing feeds would send them, and the
        # health check meanwhile.
        together = time_concurrent(base, listings, "/healthz", timeout)
        _ratios(together, small)

        importer = live.start(live.manage_args("import_speeches", str(corpus / "during")), Path(data_dir) / "during.log")
        time.sleep(2)  # the import has begun its transaction
        during = time_concurrent(base, SEARCHES, "/healthz", timeout, until=lambda: importer.poll() is None)
        importer.wait(timeout=3600)
        _ratios(during, small)
        report.update(small_archive=small, after_bulk=after, after_bulk_four_at_once=together,
                      during_import=during, import_returncode=importer.returncode)
    return report


def _first_topic(base, timeout):
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request("GET", "/api/topics/")
        results = json.loads(connection.getresponse().read())["results"]
    finally:
        connection.close()
    return results[0]["slug"] if results else "none"


def print_report(report):
    print(f"bulk file: {report['bulk_speeches']} speeches, {report['bulk_file_mb']} MB "
          f"(stored and indexed in {report['bulk_load_s']} s); gunicorn, {report['workers']} workers")
    for step in ("small_archive", "after_bulk", "after_bulk_four_at_once", "during_import"):
        print(f"\n{step}")
        print(f"  {'request':<32} {'n':>3} {'failed':>6} {'median s':>9} {'max s':>8} {'median / small':>15}")
        for path, row in report[step].items():
            print(f"  {unquote(path):<32} {row['n']:>3} {row['failed']:>6} {row['median_s']:>9} {row['max_s']:>8} "
                  f"{row.get('median_vs_small', '—'):>15}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--speeches", type=int, default=2000, help="speeches in the bulk file (default 2000, ~9 MB)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (default 3)")
    parser.add_argument("--timeout", type=float, default=90, help="seconds before a request counts as failed")
    parser.add_argument("--samples", type=int, default=5, help="times each request is timed in steps 1 and 2")
    parser.add_argument("--data", help="data folder (default: a temporary one)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="archive-bulk-") as scratch:
        report = run(Path(args.data or Path(scratch) / "data"), args.speeches, args.workers, args.timeout, args.samples)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print_report(report)


if __name__ == "__main__":
    main()
