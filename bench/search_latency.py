"""Search latency on the national government work reports (../shared/corpus).

    .venv/bin/python -m bench.search_latency [--runs 3] [--random 200] [--seed-page]

Loads the reports into a scratch database and data directory (a temporary
folder, removed afterwards), builds the index, then times speeches.search.search
end to end (parsing, matching, facets, the page of hits from the database,
snippets and highlights) for a fixed set of queries plus random substrings of
the texts. Prints indexing time and p50/p95/max per query group. (make bench,
bench/run.py, measures the whole archive against a baseline on generated speeches.)
"""

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.common import REPORTS, SEED_PAGE, percentile, setup_django

FIXED_QUERIES = {
    "word": ["经济", "改革开放", "人民", "科技创新", "农业"],
    "phrase": ['"改革开放"', "“社会主义市场经济”", '"国内生产总值"'],
    "substring": ["识产", "民共", "济发", "国", "的"],
    "traditional": ["經濟發展", "國務院", "知識產權"],
    "operators": ["改革 -开放", "农业 OR 农村", "经济 发展 -改革", "教育 科技 人才"],
    "filtered": ["经济|year=2000-2010", "改革|sort=newest", "人民|kind=work_report"],
    # Typed as questions: no text holds them as typed, so they are searched by their words.
    "question": ["今年经济增长的预期目标是多少？", "怎样推进农业农村现代化", "就业优先政策如何落实?",
                 "为什么要坚持稳中求进工作总基调", "哪些地方要加快建设保障性住房呢"],
}


def load_reports(include_seed):
    from speeches.identity import content_hash
    from speeches.models import Speech

    rows = [json.loads(line) for line in REPORTS.read_text(encoding="utf-8").splitlines() if line.strip()]
    speeches = []
    for number, row in enumerate(rows):
        digest = content_hash(row["title"] + row["content"])
        speeches.append(
            Speech(
                uid=f"{digest[:10]}{number}",
                title=row["title"],
                body=row["content"],
                year=row.get("year"),
                kind=Speech.WORK_REPORT if row.get("year") else Speech.RESOLUTION,
                content_hash=digest,
            )
        )
    Speech.objects.bulk_create(speeches)
    # bulk_create sends no signals: the browse counts are told.
    from speeches import counts

    counts.speeches_changed(Speech.objects.values_list("pk", flat=True))
    if include_seed and SEED_PAGE.exists():
        from speeches.ingest.pipeline import import_paths

        import_paths([SEED_PAGE])
    return Speech.objects.count()


def random_substrings(count, rng):
    from speeches.models import Speech

    bodies = ["".join(b.split()) for b in Speech.objects.values_list("body", flat=True)]
    queries = []
    while len(queries) < count:
        body = rng.choice(bodies)
        length = rng.randint(1, 6)
        start = rng.randrange(0, max(1, len(body) - length))
        piece = body[start : start + length]
        if piece and not any(c in piece for c in '"“”「」『』＂-－|') and piece != "OR":
            queries.append(piece)
    return queries


def run(query_line):
    from speeches.search import search

    q, _, extra = query_line.partition("|")
    params = {"q": q}
    for pair in filter(None, extra.split("&")):
        key, _, value = pair.partition("=")
        params[key] = value
    started = time.perf_counter()
    results = search(params)
    elapsed = (time.perf_counter() - started) * 1000
    return elapsed, results.total


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each fixed query")
    parser.add_argument("--random", type=int, default=200, help="random substrings to time")
    parser.add_argument("--seed-page", action="store_true", help="also import the seed compilation page")
    args = parser.parse_args()
    if not REPORTS.exists():
        sys.exit(f"{REPORTS} is absent: this benchmark reads the shared corpus")

    with tempfile.TemporaryDirectory(prefix="search-bench-") as data_dir:
        setup_django(data_dir)
        from django.conf import settings

        settings.SEARCH_INDEX_UPDATES = "queue"
        speeches = load_reports(args.seed_page)
        from speeches.search import rebuild

        started = time.perf_counter()
        rebuild()
        indexing = time.perf_counter() - started
        size = sum(f.stat().st_size for f in Path(settings.SEARCH_INDEX_DIR).rglob("*") if f.is_file())
        chars = sum(len(b) for b in __import__("speeches.models").models.Speech.objects.values_list("body", flat=True))
        print(f"indexed {speeches} speeches, {chars:,} characters in {indexing:.1f} s "
              f"({chars / indexing / 1000:.0f}k chars/s); index {size / 1e6:.1f} MB")

        rng = random.Random(20240501)
        groups = dict(FIXED_QUERIES)
        groups["random substring"] = random_substrings(args.random, rng)
        run("预热")  # open the index and load the vocabulary once
        every = []
        print(f"{'group':18} {'queries':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
        for name, queries in groups.items():
            times = []
            for query in queries:
                for _ in range(args.runs if name != "random substring" else 1):
                    elapsed, _total = run(query)
                    times.append(elapsed)
            every.extend(times)
            print(f"{name:18} {len(queries):>7} {percentile(times, .5):>8.1f} "
                  f"{percentile(times, .95):>8.1f} {max(times):>8.1f}")
        print(f"{'all':18} {len(every):>7} {percentile(every, .5):>8.1f} "
              f"{percentile(every, .95):>8.1f} {max(every):>8.1f}  (mean {statistics.mean(every):.1f})")


if __name__ == "__main__":
    main()
