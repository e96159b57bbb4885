"""Browse pages against archive size: p50/p95 of the home page, /regions/, a province's
page, a county's page, /topics/, a topic's page, /years/, /officials/ and /speeches/ served
by this checkout (kept counts, speeches/counts.py; listings read off an index), and the
same pages served by an earlier version, in the same run.

    .venv/bin/python -m bench.browse_pages [--size 10000] [--baseline REV] [--samples 20]

Builds a scratch data directory (a temporary folder) with `size` speeches generated as
make bench does (bench/corpus.py: real regions, topics and years, bodies of real
paragraphs), written with bulk_create and counted through the same path every change
takes (counts.speeches_changed; the time it takes is reported), with citations of a few
hundred officials. Then each version serves the pages in a process of its own, with
Django's test client: this checkout, and the tree of `--baseline` (default: the commit
before speeches/counts.py was added) unpacked with `git archive`, on a copy of the data
whose schema this checkout's migrations take back to the baseline's last one; the two are asked in
turn, request by request, so a busy moment of a shared machine slows both alike. Prints
a Markdown table with the ratio new / baseline of each page's p95.
"""

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
OFFICIALS = 300
PER_SOURCE = 1000


def log(message):
    print(message, file=sys.stderr, flush=True)


def build(size):
    """`size` generated speeches with regions, topics, years, sources and citations."""
    from bench.corpus import Catalogue, SpeechGenerator, paragraph_pool
    from speeches import counts
    from speeches.extract.annotate import ensure_topics
    from speeches.identity import speech_hash
    from speeches.models import Citation, Official, Region, Source, Speech, SpeechTopic, Topic

    ensure_topics()
    generator = SpeechGenerator(paragraph_pool(), Catalogue.from_database())
    rng = random.Random(size)
    regions = dict(Region.objects.values_list("code", "pk"))
    topics = dict(Topic.objects.values_list("slug", "pk"))
    officials = Official.objects.bulk_create(Official(name=f"测试官员{i}") for i in range(OFFICIALS))
    started = time.perf_counter()
    for first in range(0, size, PER_SOURCE):
        source = Source.objects.create(path=f"bench/{first}.jsonl", raw_sha256=f"{first:064d}")
        speeches, rows = [], []
        for number in range(first, min(size, first + PER_SOURCE)):
            row = generator.speech(number)
            digest = speech_hash(row["headline"], row["content"])
            delivered = date.fromisoformat(row["delivered"]) if "delivered" in row else None
            speeches.append(Speech(
                uid=f"{digest[:10]}{number}", title=row["headline"], body=row["content"], content_hash=digest,
                source=source, position=number, region_id=regions.get(row["region_path"][-1]),
                date=delivered, year=delivered.year if delivered else None, url=row["link"],
            ))
            rows.append(row)
        Speech.objects.bulk_create(speeches)
        SpeechTopic.objects.bulk_create(
            SpeechTopic(speech=speech, topic_id=topics[row["topic"]], score=1.0)
            for speech, row in zip(speeches, rows, strict=True) if row["topic"] in topics
        )
        Citation.objects.bulk_create(
            Citation(speech=speech, official=official, mention=official.name, offset=0)
            for speech in speeches for official in rng.sample(officials, rng.randint(0, 4))
        )
    loaded = time.perf_counter() - started
    # bulk_create sends no signals: the same call every bulk path makes counts them.
    started = time.perf_counter()
    counts.speeches_changed(Speech.objects.values_list("pk", flat=True))
    counted = time.perf_counter() - started
    return {"load_s": loaded, "count_s": counted}


def page_urls():
    from speeches.models import BrowseCount, Region, Topic

    by_code = Region.objects.speech_counts()
    provinces = {}
    for code, n in by_code.items():
        if code != Region.NATIONAL_CODE:
            provinces[code[:2]] = provinces.get(code[:2], 0) + n
    province = max(provinces, key=lambda code: (provinces[code], code))
    # A county of few speeches: a listing the database must not find by walking the archive.
    county = min((code for code in by_code if len(code) == 6 and code != Region.NATIONAL_CODE),
                 key=lambda code: (by_code[code], code))
    topic = Topic.objects.with_speech_counts().first()
    assert BrowseCount.objects.count_of(BrowseCount.ALL) > 0
    return {
        "/": ["/"],
        "/regions/": ["/regions/"],
        "/regions/<province>/": [f"/regions/{province}/", f"/regions/{province}/?page=3"],
        "/regions/<county>/": [f"/regions/{county}/"],
        "/speeches/": ["/speeches/", "/speeches/?page=5"],
        "/topics/": ["/topics/"],
        "/topics/<slug>/": [f"/topics/{topic.slug}/", f"/topics/{topic.slug}/?page=5"],
        "/years/": ["/years/"],
        "/officials/": ["/officials/"],
    }


class Server:
    """A process serving the pages with the code of project_dir (Django's test client on
    the same database): asked one address at a time, it answers with the seconds the
    request took and its SQL queries."""

    SCRIPT = (
        "import json, sys, time; sys.path.insert(0, sys.argv[1]);"
        "from bench.common import setup_django; setup_django(sys.argv[2], migrate=False);"
        "from django.db import connection; from django.test import Client;"
        "from django.test.utils import CaptureQueriesContext; client = Client();"
        "\nfor url in sys.stdin:\n"
        "    with CaptureQueriesContext(connection) as captured:\n"
        "        started = time.perf_counter(); response = client.get(url.strip());"
        " elapsed = time.perf_counter() - started\n"
        "    print(json.dumps([response.status_code, elapsed, len(captured.captured_queries)]), flush=True)\n"
    )

    def __init__(self, project_dir, data_dir):
        self.process = subprocess.Popen(
            [sys.executable, "-c", self.SCRIPT, str(project_dir), str(data_dir)],
            cwd=project_dir, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )

    def get(self, url):
        self.process.stdin.write(url + "\n")
        self.process.stdin.flush()
        status, elapsed, queries = json.loads(self.process.stdout.readline())
        if status != 200:
            raise SystemExit(f"{url} answered {status}")
        return elapsed, queries

    def close(self):
        self.process.stdin.close()
        self.process.wait()


def time_pages(servers, pages, samples):
    """{server name: {page: p50, p95 (ms), queries}}: the servers asked in turn, request by
    request, so that a busy moment of the machine falls on both alike."""
    from bench.common import summary_ms

    timings = {name: {} for name in servers}
    for page, urls in pages.items():
        seconds = {name: [] for name in servers}
        queries = dict.fromkeys(servers, 0)
        for url in urls:
            for name, server in servers.items():
                queries[name] = max(queries[name], server.get(url)[1])  # warm
            for _ in range(-(-samples // len(urls))):
                for name, server in servers.items():
                    seconds[name].append(server.get(url)[0])
        for name in servers:
            timings[name][page] = {**summary_ms(seconds[name]), "queries": queries[name]}
    return timings


def default_baseline():
    added = subprocess.run(
        ["git", "log", "--diff-filter=A", "--format=%H", "-1", "--", "speeches/counts.py"],
        cwd=PROJECT_DIR, check=True, capture_output=True, text=True,
    ).stdout.strip()
    return f"{added}~1" if added else "HEAD"


def unpack(rev, directory):
    directory.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", rev], cwd=PROJECT_DIR, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(directory)], input=archive, check=True)
    return directory


def migrated_copy(data_dir, baseline_dir, target_dir):
    """A copy of the data directory with its schema taken back to the baseline's last
    migration (by this checkout's migrations, run backwards), so each version is timed on
    the schema and indexes its own migrations make."""
    migrations = sorted(p.stem for p in (baseline_dir / "speeches" / "migrations").glob("0*.py"))
    shutil.copytree(data_dir, target_dir)
    subprocess.run(
        [sys.executable, "-c",
         "import sys; sys.path.insert(0, sys.argv[1]); from bench.common import setup_django;"
         " setup_django(sys.argv[2], migrate=False); from django.core.management import call_command;"
         " call_command('migrate', 'speeches', sys.argv[3], verbosity=0)",
         str(PROJECT_DIR), str(target_dir), migrations[-1]],
        cwd=PROJECT_DIR, check=True,
    )
    return target_dir


def table(size, built, new, old, rev):
    lines = [
        f"{size:,} speeches; counted in {built['count_s']:.1f} s after a bulk load of {built['load_s']:.1f} s; "
        f"baseline {rev}",
        "",
        "| page | p50 / p95 (ms), kept counts | p50 / p95 (ms), baseline | p95 ratio | SQL queries |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, page in new.items():
        base = old[name]
        lines.append(
            f"| {name} | {page['p50']:.1f} / {page['p95']:.1f} | {base['p50']:.1f} / {base['p95']:.1f} "
            f"| {page['p95'] / base['p95']:.2f} | {page['queries']} / {base['queries']} |"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--baseline", help="git revision of the code to compare with")
    parser.add_argument("--samples", type=int, default=20)
    args = parser.parse_args()
    rev = args.baseline or default_baseline()
    with tempfile.TemporaryDirectory(prefix="bench-browse-") as work:
        work = Path(work)
        data_dir = work / "data"
        sys.path.insert(0, str(PROJECT_DIR))
        from bench.common import setup_django

        setup_django(data_dir)
        log(f"building {args.size:,} speeches")
        built = build(args.size)
        pages = page_urls()
        log(f"timing the pages with kept counts and those of {rev}, request by request in turn")
        from django.db import connections

        connections.close_all()
        baseline = unpack(rev, work / "baseline")
        baseline_data = migrated_copy(data_dir, baseline, work / "baseline-data")
        servers = {"new": Server(PROJECT_DIR, data_dir), "old": Server(baseline, baseline_data)}
        try:
            timings = time_pages(servers, pages, args.samples)
        finally:
            for server in servers.values():
                server.close()
    print(table(args.size, built, timings["new"], timings["old"], rev))


if __name__ == "__main__":
    main()
