"""make bench: the archive's pipeline and a common baseline on the same synthetic corpus.

    .venv/bin/python -m bench.run [--sizes 1000 10000] [--dir DIR] [--keep] [--runs 3]

For each size N, in a process of its own with its own data directory (a temporary
folder, or DIR/N): generate N speeches from the shared corpora (bench/corpus.py),
import them through the real import path (import_paths with a field map: parse,
store, index, extraction queued: "file → searchable"), drain the extraction queue with
several processes ("file → extracted": regions, topics and the rest found and indexed
again), import the seed page, rebuild the index, then index the
same files with the baseline (Whoosh + jieba ChineseAnalyzer, bench/baseline.py)
and time both on the same query mix (bench/queries.py). Pages are timed with
Django's test client; a separate worker process reports its peak memory. Last, one more
file goes into the full archive and is drained (bench/grow.py): file → searchable and
file → extracted at N speeches, beside the baseline's rate on that file.
Prints one table per size, each figure with its project/baseline ratio and the
target it is held to; --json writes all figures.
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import grow
from bench.common import (
    PROJECT_DIR,
    REPORTS,
    SEED_PAGE,
    directory_size,
    setup_django,
    summary_ms,
    timed,
)

# Timed requests per page (after one that warms it), spread over its addresses.
PAGE_SAMPLES = 20
# The browse pages held to the 30 ms target at 10,000 speeches (the home page and a region's
# page are timed too), and those held to 100 ms at 100,000.
BROWSE_TARGETED = ("/regions/", "/topics/<slug>/", "/speeches/<uid>/", "/years/")
BROWSE_TARGETED_100K = ("/", "/regions/", "/regions/<code>/", "/topics/<slug>/", "/speeches/<uid>/")
SPEECH_PAGES = 10
MB = 1_000_000


def log(message):
    print(message, file=sys.stderr, flush=True)


# One size, in its own process ---------------------------------------------------------


def import_files(paths, searchable=True):
    from bench.corpus import FIELD_MAP
    from speeches.ingest.pipeline import import_paths
    from speeches.models import PendingIndexUpdate

    seconds, reports = timed(import_paths, paths, field_map=FIELD_MAP)
    failed = [r for r in reports if not r.ok]
    if failed:
        raise SystemExit(f"import failed: {failed[0].path}: {failed[0].error}")
    if searchable and PendingIndexUpdate.objects.exists():
        raise SystemExit("the import left index updates queued: it did not end searchable")
    return seconds, sum(len(r.created) for r in reports)


def drain_extraction(processes):
    """(seconds, speeches) of draining the extraction queue the import left, in
    `processes` worker processes, until every speech is extracted and indexed again."""
    from speeches.extract import queue
    from speeches.models import PendingExtraction, PendingIndexUpdate

    log(f"extracting the {queue.waiting().count():,} speeches queued, {processes} processes")
    seconds, (done, failed) = timed(queue.drain, processes)
    if failed or PendingExtraction.objects.exists():
        raise SystemExit(f"extraction failed for {failed} speeches")
    if PendingIndexUpdate.objects.exists():
        raise SystemExit("the extraction left index updates queued: it did not end searchable")
    return seconds, done


def _generator_metadata(paths):
    """{speech url: (region code, topic slug)} from the generator's own columns."""
    found = {}
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                found[row["link"]] = (row["region_path"][-1], row["topic"])
    return found


def _import_without_extraction(paths):
    """Import through the same path with extraction replaced by the generator's region
    and topic (extraction costs ~0.1 s a speech: hours at 100,000), index updates only
    queued (SEARCH_INDEX_UPDATES = "queue", as for a bulk load): the rebuild that
    follows indexes them."""
    from django.test import override_settings

    from speeches.ingest import pipeline
    from speeches.models import Region, SpeechTopic, Topic

    metadata = _generator_metadata(paths)
    regions = dict(Region.objects.values_list("code", "pk"))
    topics = dict(Topic.objects.values_list("slug", "pk"))

    def annotate_from_generator(speech):
        code, slug = metadata[speech.url]
        speech.region_id = regions.get(code)
        speech.save(update_fields=["region"])
        if slug in topics:
            SpeechTopic.objects.create(speech=speech, topic_id=topics[slug], score=1.0)

    real = pipeline.annotate_speech
    pipeline.annotate_speech = annotate_from_generator
    try:
        with override_settings(SEARCH_INDEX_UPDATES="queue", EXTRACTION_ON_IMPORT="at_once"):
            return import_files(paths, searchable=False)
    finally:
        pipeline.annotate_speech = real


def _import_corpus(paths, extracted_files, extract_processes):
    """(seconds, speeches) of the import with extraction queued (every file, or the first
    `extracted_files`), of the extraction queue's drain, and of the rest imported
    without extraction (or None)."""
    if extracted_files is None or extracted_files >= len(paths):
        return import_files(paths), drain_extraction(extract_processes), None
    imported = import_files(paths[:extracted_files])
    return imported, drain_extraction(extract_processes), _import_without_extraction(paths[extracted_files:])


def _spread():
    """How the imported speeches spread over regions, topics and years (from extraction)."""
    from django.db.models import Count

    from speeches.models import Region, Speech, Topic

    published = Speech.objects.published()
    provinces = {}
    placed = published.exclude(region=None).exclude(region__level=Region.NATIONAL)
    for code, n in placed.order_by().values_list("region__code").annotate(n=Count("id")):
        provinces[code[:2]] = provinces.get(code[:2], 0) + n
    topics = (
        Topic.objects.annotate(n=Count("speeches")).filter(n__gt=0).order_by("-n", "slug").values_list("slug", "n")
    )
    return {
        "regions": published.exclude(region=None).values("region").distinct().count(),
        "provinces": len(provinces),
        "top_province": max(provinces, key=lambda c: (provinces[c], c)) if provinces else "",
        "placed": published.exclude(region=None).count(),
        "topics": topics.count(),
        "top_topic": topics[0][0] if topics else "",
        "years": len([y for y, _ in published.year_counts() if y is not None]),
        "speeches": published.count(),
    }


def _project_search(params):
    from speeches.search import search
    from speeches.search.highlight import excerpt, highlight

    seconds, results = timed(search, params)
    needles = [literal.needle for literal in results.query.positive]
    started = time.perf_counter()
    for hit in results.hits:
        excerpt(hit.speech.body, list(hit.speech.sections.all()), needles)
        highlight(hit.speech.title, needles)
    return seconds, time.perf_counter() - started, results.total


def _time_queries(mix, baseline, runs, baseline_runs):
    from django.test import Client

    from speeches.search import search

    client = Client()
    search({"q": "预热"})  # open the index, load the vocabulary
    client.get("/api/search/", {"q": "预热"})
    if baseline is None:
        baseline_runs = 0
    else:
        baseline.search_with_highlights({"q": "预热"})
    project = {"all": [], "highlight": [], "groups": {}, "api": []}
    base = {"all": [], "highlight": [], "groups": {}}
    totals = []
    for run in range(max(runs, baseline_runs)):
        for group, params in mix:
            total = None
            if run < runs:
                seconds, highlighting, total = _project_search(params)
                project["all"].append(seconds)
                project["highlight"].append(highlighting)
                project["groups"].setdefault(group, []).append(seconds)
            if run < baseline_runs:
                started = time.perf_counter()
                results, _facets = baseline.search(params)
                searched = time.perf_counter()
                baseline.highlights(results)
                done = time.perf_counter()
                base["all"].append(done - started)
                base["highlight"].append(done - searched)
                base["groups"].setdefault(group, []).append(done - started)
            if run == 0:
                found = results.total if run < baseline_runs else None
                totals.append({"group": group, "params": params, "project": total, "baseline": found})
        if run < runs:
            # The API's pass over the mix comes after the whole mix, not right after the same
            # query: its postings are then cached only if the mix's all fit the cache
            # (POSTINGS_CACHE_BYTES), as for a worker that has served other searches since.
            for _group, params in mix:
                elapsed, response = timed(client.get, "/api/search/", params)
                if response.status_code != 200:
                    raise SystemExit(f"/api/search/ {params} answered {response.status_code}")
                project["api"].append(elapsed)
    return project, base, totals


def _page_urls(spread, rng):
    from speeches.models import Speech

    province, topic = spread["top_province"], spread["top_topic"]
    uids = list(Speech.objects.published().values_list("uid", flat=True))
    speeches = rng.sample(uids, min(SPEECH_PAGES, len(uids)))
    return {
        "/search/": [("/search/", {"q": "经济"}), ("/search/", {"q": "改革开放", "region": province}),
                     ("/search/", {"q": '"人民群众"', "sort": "newest"}), ("/search/", {"q": "国", "page": "5"})],
        "/api/search/": [("/api/search/", {"q": "经济"}), ("/api/search/", {"q": "改革", "topic": topic}),
                         ("/api/search/", {"q": '"深化改革"'}), ("/api/search/", {"q": "识产"})],
        "/": [("/", {})],
        "/regions/": [("/regions/", {})],
        "/regions/<code>/": [(f"/regions/{province}/", {}), (f"/regions/{province}/", {"page": "3"})],
        "/topics/<slug>/": [(f"/topics/{topic}/", {}), (f"/topics/{topic}/", {"page": "5"})],
        "/speeches/<uid>/": [(f"/speeches/{uid}/", {}) for uid in speeches],
        "/years/": [("/years/", {})],
        # Lists over bulk files (a shard is ~9 MB of records): no listing reads a file's bytes.
        "/api/speeches/": [("/api/speeches/", {}), ("/api/speeches/", {"page": "7"})],
        "/feeds/latest/": [("/feeds/latest/", {})],
        "/feeds/topics/<slug>/": [(f"/feeds/topics/{topic}/", {})],
    }


def _time_pages(pages):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from archive.wsgi import freeze_loaded_objects

    # As a web worker does once loaded: this process also holds what the import and the
    # rebuild left, which the collector's full passes would walk during the timed requests.
    freeze_loaded_objects()
    client = Client()
    timings = {}
    for name, requests in pages.items():
        seconds, queries = [], 0
        for path, params in requests:
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path, params)  # warm: the first request opens what it needs
            if response.status_code != 200:
                log(f"{path} {params} answered {response.status_code}")
            queries = max(queries, len(captured.captured_queries))
            for _ in range(-(-PAGE_SAMPLES // len(requests))):
                elapsed, _response = timed(client.get, path, params)
                seconds.append(elapsed)
        timings[name] = {**summary_ms(seconds), "sql_queries": queries}
    return timings


def _worker_memory(data_dir, pages, mix):
    requests = [req for group in pages.values() for req in group]
    requests += [("/api/search/", params) for _group, params in mix]
    requests_file = Path(data_dir).parent / "worker-requests.json"
    requests_file.write_text(json.dumps(requests, ensure_ascii=False), encoding="utf-8")
    output = subprocess.run(
        [sys.executable, "-m", "bench.worker", str(data_dir), str(requests_file)],
        cwd=PROJECT_DIR, check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def measure(size, workdir, runs, baseline_runs, extracted_files=None, extract_processes=2):
    """Every figure for one corpus size (run in a fresh process)."""
    data_dir, corpus_dir = workdir / "data", workdir / "corpus"
    setup_django(data_dir)
    from django.conf import settings

    from bench import corpus
    from bench.baseline import Baseline
    from bench.queries import QUERY_MIX, resolved

    figures = {"size": size}
    log(f"[{size}] generating the corpus")
    paths = corpus.write_corpus(corpus_dir, size)
    corpus_bytes = sum(p.stat().st_size for p in paths)
    figures["corpus_mb"] = corpus_bytes / MB

    log(f"[{size}] importing {len(paths)} files ({corpus_bytes / MB:.0f} MB) through the import path")
    (seconds, created), (extract_seconds, extracted), rest = _import_corpus(paths, extracted_files, extract_processes)
    imported_bytes = sum(p.stat().st_size for p in paths[: extracted_files or len(paths)])
    figures["import"] = {"seconds": seconds, "speeches": created, "mb_s": imported_bytes / MB / seconds,
                         "speeches_s": created / seconds}
    figures["extract"] = {"seconds": extract_seconds, "speeches": extracted, "processes": extract_processes,
                          "speeches_s": extracted / extract_seconds,
                          "file_to_extracted_s": created / (seconds + extract_seconds)}
    if rest is not None:
        rest_bytes = corpus_bytes - imported_bytes
        figures["import_without_extraction"] = {"seconds": rest[0], "speeches": rest[1],
                                                "mb_s": rest_bytes / MB / rest[0], "speeches_s": rest[1] / rest[0]}
    from speeches.search import rebuild
    from speeches.search.store import current_generation

    def timed_rebuild():
        log(f"[{size}] rebuilding the index")
        seconds, indexed = timed(rebuild)
        figures["rebuild"] = {"seconds": seconds, "speeches": indexed}

    if rest is not None:
        # Those imported without extraction are only queued: this rebuild makes them
        # searchable (before the seed page, whose import would apply the queue one
        # update at a time), and is the rebuild timed.
        timed_rebuild()
    seed_seconds, _ = timed(_import_seed)
    figures["seed_import_s"] = seed_seconds
    figures["spread"] = _spread()
    if rest is None:
        timed_rebuild()
    figures["index_mb"] = directory_size(current_generation()) / MB

    baseline = figures["baseline_index"] = figures["baseline_index_mb"] = None
    if baseline_runs:
        log(f"[{size}] indexing the same files with the baseline")
        baseline = Baseline(workdir / "baseline", cache_dir=settings.DATA_DIR)
        base_seconds, base_count = timed(baseline.index_files, paths)
        figures["baseline_index"] = {"seconds": base_seconds, "speeches": base_count,
                                     "mb_s": corpus_bytes / MB / base_seconds, "speeches_s": base_count / base_seconds}
        figures["baseline_index_mb"] = directory_size(workdir / "baseline") / MB

    log(f"[{size}] timing the query mix")
    spread = figures["spread"]
    mix = resolved(QUERY_MIX, spread["top_province"], spread["top_topic"])
    project, base, totals = _time_queries(mix, baseline, runs, baseline_runs)
    figures["search"] = {"project": summary_ms(project["all"]), "baseline": summary_ms(base["all"])}
    figures["search_api"] = summary_ms(project["api"])
    figures["highlight"] = {"project": summary_ms(project["highlight"]), "baseline": summary_ms(base["highlight"])}
    figures["groups"] = {
        group: {"project": summary_ms(project["groups"][group]),
                "baseline": summary_ms(base["groups"].get(group, []))}
        for group in project["groups"]
    }
    figures["totals"] = totals
    if baseline is not None:
        baseline.close()

    log(f"[{size}] timing pages")
    pages = _page_urls(spread, random.Random(size))
    figures["pages"] = _time_pages(pages)
    figures["worker"] = _worker_memory(data_dir, pages, mix)
    # Last: the archive grows by this file.
    log(f"[{size}] one more file into the full archive")
    figures["growth"] = grow.measure(workdir, processes=extract_processes)
    return figures


def _import_seed():
    from speeches.ingest.pipeline import import_paths

    if SEED_PAGE.exists():
        import_paths([SEED_PAGE])


# The table ---------------------------------------------------------------------------


def _ratio(project, baseline):
    return f"{project / baseline:.2f}" if project is not None and baseline else "—"


def _verdict(ok):
    return "met" if ok else "**not met**"


def table(f):
    """A Markdown table of one size's figures."""
    size = f["size"]
    at_10k, at_100k = size >= 10_000, size >= 100_000
    rows = []

    def row(measure, project, baseline="—", ratio="—", target="", ok=None):
        met = _verdict(ok) if ok is not None else ""
        rows.append(f"| {measure} | {project} | {baseline} | {ratio} | {target} {met} |".replace("  |", " |"))

    imp, base = f["import"], f["baseline_index"] or {}
    base_search = f["search"]["baseline"] or {}

    def number(value, spec):
        return "—" if value is None else format(value, spec)

    row("import, file → searchable (MB/s)", f"{imp['mb_s']:.2f}", number(base.get("mb_s"), ".2f"),
        _ratio(imp["mb_s"], base.get("mb_s")))
    searchable_ratio = imp["speeches_s"] / base["speeches_s"] if base else None
    row("import, file → searchable: stored and indexed, extraction queued (speeches/s)", f"{imp['speeches_s']:.1f}",
        number(base.get("speeches_s"), ".1f"), number(searchable_ratio, ".2f"), "≥ 3× the baseline's indexing",
        searchable_ratio >= 3 if searchable_ratio is not None else None)
    extract = f.get("extract")
    if extract:
        row(f"extraction queue drained, {extract['processes']} processes, indexed again (speeches/s)",
            f"{extract['speeches_s']:.1f}", target="≥ 30", ok=extract["speeches_s"] >= 30)
        row("file → extracted: import, then the drain (speeches/s)", f"{extract['file_to_extracted_s']:.1f}")
    for cells in grow.rows(f["growth"]) if "growth" in f else ():
        row(*cells)
    if "import_without_extraction" in f:
        rest = f["import_without_extraction"]
        row(f"import of the other {rest['speeches']:,} speeches into the database, extraction and indexing "
            "left out: the rebuild indexes them (speeches/s)", f"{rest['speeches_s']:.1f}")
    row("seed page import (s)", f"{f['seed_import_s']:.2f}", target="≤ 2 s", ok=f["seed_import_s"] <= 2)
    rebuild = f["rebuild"]["seconds"]
    ratio = rebuild / base["seconds"] if base else None
    row("full index rebuild vs baseline indexing (s)", f"{rebuild:.1f}", number(base.get("seconds"), ".1f"),
        number(ratio, ".2f"), "≤ 15 min" if at_100k else "≤ 60 s and ≥ 3× faster" if at_10k else "",
        rebuild <= 900 if at_100k else (rebuild <= 60 and ratio is not None and ratio <= 1 / 3) if at_10k else None)
    row("index size (MB)", f"{f['index_mb']:.0f}", number(f["baseline_index_mb"], ".0f"),
        _ratio(f["index_mb"], f["baseline_index_mb"]))
    search = f["search"]["project"]
    for p in ("p50", "p95", "p99"):
        row(f"search {p} (ms), facets and highlights, {search['n']} / {base_search.get('n', 0)} queries",
            f"{search[p]:.1f}", number(base_search.get(p), ".1f"), _ratio(search[p], base_search.get(p)))
    api = f.get("search_api")
    if api:
        for p in ("p50", "p95", "p99"):
            target, ok = "", None
            if p == "p95" and at_10k:
                limit = 200 if at_100k else 50
                faster = "" if at_100k else " and ≥ 8× faster"
                target = f"≤ {limit} ms{faster}"
                ok = api[p] <= limit and (at_100k or (bool(base_search) and api[p] * 8 <= base_search[p]))
            row(f"search API {p} (ms), the same mix through /api/search/ (test client)", f"{api[p]:.1f}",
                number(base_search.get(p), ".1f"), _ratio(api[p], base_search.get(p)), target, ok)
    for group, g in f["groups"].items():
        base_group = g["baseline"] or {}
        row(f"  p95 (ms): {group}", f"{g['project']['p95']:.1f}", number(base_group.get("p95"), ".1f"),
            _ratio(g["project"]["p95"], base_group.get("p95")))
    hl, base_hl = f["highlight"]["project"], f["highlight"]["baseline"] or {}
    row("highlight a page of 10 hits, p50 / p95 (ms)", f"{hl['p50']:.1f} / {hl['p95']:.1f}",
        f"{number(base_hl.get('p50'), '.1f')} / {number(base_hl.get('p95'), '.1f')}",
        _ratio(hl["p95"], base_hl.get("p95")))
    if base:
        found_more = sum(1 for t in f["totals"] if t["project"] and not t["baseline"])
        row("queries of the mix the baseline finds nothing for", str(sum(1 for t in f["totals"] if not t["project"])),
            str(sum(1 for t in f["totals"] if not t["baseline"])), target=f"{found_more} found by the project only")
    for name, page in f["pages"].items():
        target, ok = "", None
        if name == "/api/search/" and at_10k:
            limit = 200 if at_100k else 50
            target, ok = f"p95 ≤ {limit} ms", page["p95"] <= limit
        elif name in BROWSE_TARGETED_100K and at_100k:
            target, ok = "p95 ≤ 100 ms", page["p95"] <= 100
        elif name in BROWSE_TARGETED and at_10k and not at_100k:
            target, ok = "p95 ≤ 30 ms", page["p95"] <= 30
        row(f"page {name} p50 / p95 (ms), SQL queries", f"{page['p50']:.1f} / {page['p95']:.1f}, {page['sql_queries']}",
            target=target, ok=ok)
    rss = f["worker"]["peak_rss_mb"]
    row(f"web worker peak RSS (MB), {f['worker']['requests']} requests", f"{rss:.0f}",
        target="≤ 400 MB" if at_100k else "", ok=rss <= 400 if at_100k else None)
    spread = f["spread"]
    header = (
        f"### {size:,} speeches ({f['corpus_mb']:.0f} MB of JSON lines; {spread['speeches']:,} published after "
        f"the seed page; extraction placed {spread['placed']:,} in {spread['regions']:,} regions of "
        f"{spread['provinces']} provinces, {spread['topics']} topics, {spread['years']} years)\n\n"
        "| measure | project | baseline | project / baseline | target |\n| --- | --- | --- | --- | --- |"
    )
    return header + "\n" + "\n".join(rows)


# Several sizes, each in its own process ---------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000], help="corpus sizes (speeches)")
    parser.add_argument("--dir", type=Path, help="where data goes (default: a temporary folder, removed)")
    parser.add_argument("--keep", action="store_true", help="keep the data directories")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of the query mix (project)")
    parser.add_argument("--baseline-runs", type=int, default=None,
                        help="timed runs of the query mix for the baseline (default: as --runs; "
                        "0 leaves the baseline out, indexing included)")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    parser.add_argument(
        "--extracted-files", type=int, default=None, metavar="K",
        help="extract regions, topics and dates in the first K files of 1,000 speeches only; "
        "the rest import without extraction, with the generator's region and topic, and are "
        "indexed by the rebuild (import throughput is then measured on the first K files)",
    )
    parser.add_argument(
        "--extract-processes", type=int, default=os.cpu_count() or 1, metavar="N",
        help="processes draining the extraction queue after the import (default: one per core)",
    )
    parser.add_argument("--table", type=Path, metavar="JSON", help="print the tables of a --json file and stop")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.table:
        for figures in json.loads(args.table.read_text(encoding="utf-8")):
            print(table(figures) + "\n")
        return
    if not REPORTS.exists():
        sys.exit(f"{REPORTS} is absent: the benchmark recombines the shared corpus")
    baseline_runs = args.baseline_runs if args.baseline_runs is not None else args.runs

    if args.one:  # a child process measuring one size
        figures = measure(args.one, args.dir, args.runs, baseline_runs, args.extracted_files, args.extract_processes)
        args.out.write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")
        return

    root = args.dir or Path(tempfile.mkdtemp(prefix="archive-bench-"))
    results = []
    try:
        for size in args.sizes:
            workdir = root / str(size)
            shutil.rmtree(workdir, ignore_errors=True)
            workdir.mkdir(parents=True)
            out = workdir / "figures.json"
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "bench.run", "--one", str(size), "--dir", str(workdir), "--out", str(out),
                 "--runs", str(args.runs), "--baseline-runs", str(baseline_runs),
                 "--extract-processes", str(args.extract_processes),
                 *(["--extracted-files", str(args.extracted_files)] if args.extracted_files is not None else [])],
                cwd=PROJECT_DIR, check=True,
            )
            figures = json.loads(out.read_text(encoding="utf-8"))
            figures["wall_s"] = time.perf_counter() - started
            results.append(figures)
            print(table(figures) + f"\n\n(run took {figures['wall_s'] / 60:.1f} min)\n", flush=True)
            if not args.keep:
                shutil.rmtree(workdir, ignore_errors=True)
    finally:
        if args.json:
            args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
        if not args.keep and args.dir is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
