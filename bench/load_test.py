"""Load test: the search and speech pages under gunicorn on loopback.

    .venv/bin/python -m bench.load_test                       # 60 s, throwaway archive
    .venv/bin/python -m bench.load_test --duration 5 --speeches 60 --json
    .venv/bin/python -m bench.load_test --url http://127.0.0.1:8000   # a running server
    .venv/bin/python -m bench.load_test --import-during 400   # while a 400-speech file imports

Without --url it builds a throwaway archive (a temporary data folder, or --data DIR):
migrate, import --speeches generated speeches through import_speeches (extraction and
index included), then serve it with gunicorn (--workers sync workers) on a free loopback
port, with the job worker (manage.py run_jobs) beside it. --clients threads then send a
fixed mix of requests, each thread from its own seeded sequence, for --duration seconds:

    45 %  search page    /search/?q=…   (words, phrases, exclusions, OR, filters, newest first)
    20 %  search API     /api/search/?q=…
    25 %  speech page    /speeches/<id>/ (ids read from /api/speeches/)
    10 %  listing        /api/speeches/?page=…, /feeds/latest/, /speeches/

With --import-during N, N generated speeches are imported from the start of the load to
its end, in records files of 50 (extraction included; each file one transaction, holding
the database's write lock, then its commit updates the index); the report says whether
the import was still running when the load ended. It reports requests per second, errors (any answer but 200, or no answer) and
latency percentiles and maximum per kind; the exit status is 1 if any request failed. The
clients run on the same cores as the server, so the figures are a floor for the server alone.
"""

import argparse
import contextlib
import http.client
import json
import os
import random
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode, urlsplit

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

from tests.live_archive import Gunicorn, LiveArchive, write_corpus  # noqa: E402

MIX = (("search_page", 45), ("search_api", 20), ("speech_page", 25), ("listing", 10))
LISTINGS = ("/api/speeches/", "/api/speeches/?page=2", "/api/speeches/?page=3", "/feeds/latest/", "/speeches/")
QUERIES = (
    {"q": "防汛"},
    {"q": "乡村振兴"},
    {"q": '"把责任落实到人"'},
    {"q": "项目 建设"},
    {"q": "安全 -耕地"},
    {"q": "学校 OR 养老"},
    {"q": "群众", "sort": "newest"},
    {"q": "产业", "page": "2"},
    {"q": "民生实事", "kind": "speech"},
    {"q": "发展"},
)
SPEECH_PAGES = 100  # distinct speech pages in the mix
TIMEOUT = 60


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def get(base, path, timeout=TIMEOUT):
    """(status, seconds); status 0 when no answer came (within `timeout` seconds)."""
    parts = urlsplit(base)
    started = time.perf_counter()
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Accept-Encoding": "identity"})
        response = connection.getresponse()
        response.read()
        status = response.status
    except OSError:
        status = 0
    finally:
        connection.close()
    return status, time.perf_counter() - started


def speech_paths(base):
    paths, page = [], 1
    while len(paths) < SPEECH_PAGES:
        status, body = _get_json(base, f"/api/speeches/?page={page}")
        if status != 200:
            break
        paths.extend(item["url"] for item in body["results"])
        if not body.get("next"):
            break
        page += 1
    if not paths:
        raise SystemExit(f"{base} lists no speeches: nothing to load")
    return paths[:SPEECH_PAGES]


def _get_json(base, path):
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=TIMEOUT)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        connection.close()


def request_sequence(seed, speeches):
    """An endless, reproducible sequence of (kind, path)."""
    rng = random.Random(seed)
    kinds = [kind for kind, weight in MIX for _ in range(weight)]
    while True:
        kind = rng.choice(kinds)
        if kind == "speech_page":
            yield kind, rng.choice(speeches)
        elif kind == "listing":
            yield kind, rng.choice(LISTINGS)
        else:
            prefix = "/search/" if kind == "search_page" else "/api/search/"
            yield kind, f"{prefix}?{urlencode(rng.choice(QUERIES))}"


def warm_up(base, speeches, workers):
    """Each kind of request a few times from as many threads as there are workers, untimed:
    a worker's first search loads the segmenter and opens the index (~0.5 s), once."""
    paths = [f"/search/?{urlencode(QUERIES[0])}", f"/api/search/?{urlencode(QUERIES[1])}", speeches[0], LISTINGS[0]]

    def client():
        for path in paths * 2:
            get(base, path)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(4 * TIMEOUT)


def run_load(base, duration, clients, seed=1, workers=0):
    speeches = speech_paths(base)
    if workers:
        warm_up(base, speeches, workers)
    latencies = defaultdict(list)
    errors = defaultdict(int)
    samples = []
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def client(number):
        for kind, path in request_sequence(seed * 1000 + number, speeches):
            if time.monotonic() >= stop_at:
                return
            status, seconds = get(base, path)
            with lock:
                latencies[kind].append(seconds)
                if status != 200:
                    errors[kind] += 1
                    if len(samples) < 10:
                        samples.append(f"{status or 'no answer'} {path}")

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(duration + 2 * TIMEOUT)
    elapsed = time.monotonic() - started
    total = sum(len(v) for v in latencies.values())
    every = [seconds for values in latencies.values() for seconds in values]
    return {
        "duration_s": round(elapsed, 1),
        "clients": clients,
        "requests": total,
        "requests_per_s": round(total / elapsed, 1),
        "errors": sum(errors.values()),
        "error_samples": samples,
        "max_ms": round(1000 * max(every), 1) if every else None,
        "by_kind": {
            kind: {
                "requests": len(values),
                "errors": errors[kind],
                "p50_ms": round(1000 * percentile(values, 0.5), 1),
                "p95_ms": round(1000 * percentile(values, 0.95), 1),
                "p99_ms": round(1000 * percentile(values, 0.99), 1),
                "max_ms": round(1000 * max(values), 1),
            }
            for kind, values in sorted(latencies.items())
        },
    }


def serve_throwaway(data_dir, speeches, workers, log_path):
    """A migrated archive with generated speeches, and a Gunicorn context serving it."""
    live = LiveArchive(data_dir).migrate()
    per_file = 20
    corpus = Path(data_dir) / "load-corpus"
    write_corpus(corpus, files=max(1, speeches // per_file), per_file=min(per_file, speeches), seed=7)
    result = live.manage("import_speeches", str(corpus), timeout=3600)
    if result.returncode != 0:
        raise SystemExit(f"import failed:\n{result.stderr[-2000:]}")
    return Gunicorn(live, log_path, workers=workers)


@contextlib.contextmanager
def beside_the_server(live, scratch, import_during):
    """The job worker (as in production), and with import_during an import of that many
    generated speeches under way; yields a function telling whether it still runs."""
    worker = live.start(live.manage_args("run_jobs", "--housekeeping", "2"), Path(scratch) / "worker.log")
    importer = None
    if import_during:
        folder = Path(scratch) / "during-corpus"
        write_corpus(folder, files=max(1, import_during // 50), per_file=min(50, import_during), seed=9)
        importer = live.start(live.manage_args("import_speeches", str(folder)), Path(scratch) / "import.log")
        time.sleep(1.0)  # reading and parsing the file; then its transaction begins
    try:
        yield lambda: importer is not None and importer.poll() is None
    finally:
        for process in (importer, worker):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=60)


def print_report(report, server):
    print(f"{server}: {report['clients']} clients for {report['duration_s']} s")
    print(f"  {report['requests']} requests, {report['requests_per_s']} per second, {report['errors']} errors, "
          f"slowest {report['max_ms']} ms")
    if "import_overlapped" in report:
        print(f"  an import ran {'throughout' if report['import_overlapped'] else 'during part of'} the load")
    print(f"  {'kind':<12} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for kind, row in report["by_kind"].items():
        print(f"  {kind:<12} {row['requests']:>8} {row['errors']:>6} {row['p50_ms']:>8} {row['p95_ms']:>8} "
              f"{row['p99_ms']:>8} {row['max_ms']:>8}")
    for sample in report["error_samples"]:
        print(f"  error: {sample}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60, help="seconds of load (default 60)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads (default 8)")
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) + 1, help="gunicorn workers (default cores + 1)")
    parser.add_argument("--speeches", type=int, default=300, help="generated speeches to import (default 300)")
    parser.add_argument("--data", help="data folder for the throwaway archive (default: a temporary one)")
    parser.add_argument("--url", help="load this running server instead of a throwaway archive")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--import-during", type=int, default=0, metavar="N",
                        help="import a file of N generated speeches while the load runs (throwaway archive only)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)

    if args.url:
        report = run_load(args.url.rstrip("/"), args.duration, args.clients, args.seed)
        server = args.url
    else:
        with tempfile.TemporaryDirectory(prefix="archive-load-") as scratch:
            data_dir = Path(args.data) if args.data else Path(scratch) / "data"
            with serve_throwaway(data_dir, args.speeches, args.workers, Path(scratch) / "gunicorn.log") as gunicorn:
                with beside_the_server(gunicorn.archive, scratch, args.import_during) as importing:
                    report = run_load(gunicorn.base_url, args.duration, args.clients, args.seed, args.workers)
                    if args.import_during:
                        report["import_overlapped"] = importing()
                log = gunicorn.log()
            report["server_log_errors"] = [line for line in log.splitlines() if "Error" in line or "Traceback" in line][:10]
        server = f"gunicorn, {args.workers} workers, {args.speeches} speeches"
    report["server"] = server
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print_report(report, server)
    return 1 if report["errors"] or report.get("server_log_errors") else 0


if __name__ == "__main__":
    sys.exit(main())
