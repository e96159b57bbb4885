"""Shared-passage detection at archive scale, against naive pairwise alignment measured
in the same run.

    .venv/bin/python -m bench.reuse [--size 10000] [--sample 100] [--dir DIR] [--json FILE]

Generates SIZE speeches with bench/corpus.py (paragraphs of the shared corpora recombined,
so nearly every paragraph is shared by many speeches: reuse at its heaviest), creates them
directly in a scratch database (bulk_create: no extraction, no index), then times

  - find_shared_passages() over the whole archive (MinHash, LSH, alignment, writing),
  - the queue path: 10 speeches changed, find_shared_passages(their ids),
  - the pages that show shared passages: speech pages and compare pages (test client),
  - the baseline: speeches.reuse.align over every pair of a random sample of SAMPLE
    speeches (what finding shared passages without LSH costs), scaled to SIZE speeches by
    the number of pairs, SIZE·(SIZE−1) / (SAMPLE·(SAMPLE−1)).
"""

import argparse
import json
import random
import shutil
import tempfile
import time
from pathlib import Path

from bench.common import REPORTS, setup_django, summary_ms, timed

CHANGED = 10
PAGES = 20


def log(message):
    print(message, flush=True)


def create_speeches(rows):
    from speeches.identity import content_hash
    from speeches.models import Speech

    speeches = []
    for number, row in enumerate(rows):
        digest = content_hash(row["headline"] + row["content"])
        year = int(row["delivered"][:4]) if row.get("delivered") else None
        speeches.append(Speech(uid=f"b{number:06d}{digest[:8]}", title=row["headline"], body=row["content"],
                               content_hash=digest, year=year))
    Speech.objects.bulk_create(speeches, batch_size=1000)
    return list(Speech.objects.order_by("id").values_list("id", flat=True))


def baseline(ids, sample, rng):
    """Seconds to align every pair of `sample` speeches whole, and the passages found."""
    from speeches.models import Speech
    from speeches.reuse.align import align
    from speeches.reuse.text import key_text

    chosen = rng.sample(ids, min(sample, len(ids)))
    keys = [key_text(body)[0] for body in Speech.objects.filter(pk__in=chosen).values_list("body", flat=True)]
    started, found = time.perf_counter(), 0
    for n, first in enumerate(keys):
        for second in keys[n + 1 :]:
            found += len(align(first, second))
    return time.perf_counter() - started, len(keys), found


def time_pages(ids, rng):
    """p50/p95 (ms) of PAGES speech pages and PAGES compare pages of speeches sharing text."""
    from django.test import Client

    from speeches.models import PassageChunk, Speech

    client = Client()
    sharing = list(PassageChunk.objects.exclude(passage=None).values_list("speech_id", "passage_id"))
    holders = {}
    for speech_id, passage_id in sharing:
        holders.setdefault(passage_id, set()).add(speech_id)
    pairs = [sorted(found)[:2] for found in holders.values() if len(found) > 1]
    uids = dict(Speech.objects.filter(pk__in={pk for pair in pairs for pk in pair} | set(ids[:PAGES])).values_list("id", "uid"))
    speech_urls = [f"/speeches/{uids[pk]}/" for pk in rng.sample(sorted({p[0] for p in pairs}), min(PAGES, len(pairs)))]
    compare_urls = [f"/compare/{uids[a]}/{uids[b]}/" for a, b in rng.sample(pairs, min(PAGES, len(pairs)))]
    found = {}
    for name, urls in (("speech", speech_urls), ("compare", compare_urls)):
        seconds = []
        for url in urls:
            client.get(url)  # warm
            elapsed, response = timed(client.get, url)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
            seconds.append(elapsed)
        found[name] = summary_ms(seconds)
    return found


def measure(size, sample, workdir):
    setup_django(workdir / "data")
    from bench.corpus import Catalogue, SpeechGenerator, paragraph_pool
    from speeches.models import PassageChunk, Speech
    from speeches.reuse.detect import find_shared_passages

    log(f"[{size}] generating and creating the speeches")
    generator = SpeechGenerator(paragraph_pool(), Catalogue.from_database())
    ids = create_speeches([generator.speech(number) for number in range(size)])
    chars = sum(len(body) for body in Speech.objects.values_list("body", flat=True))
    figures = {"size": size, "characters": chars}

    log(f"[{size}] finding shared passages in the whole archive")
    seconds, summary = timed(find_shared_passages)
    figures["whole"] = {"seconds": seconds, **vars(summary)}
    log(f"  {seconds:.1f} s: {vars(summary)}")

    rng = random.Random(size)
    changed = rng.sample(ids, CHANGED)
    for speech in Speech.objects.filter(pk__in=changed):
        speech.body = speech.body.replace("。", "；", 3)
        speech.save(update_fields=["body"])
    seconds, summary = timed(find_shared_passages, changed)
    figures["queue"] = {"seconds": seconds, "speeches": CHANGED, "chunks_stored": PassageChunk.objects.count()}
    log(f"  queue of {CHANGED} changed speeches: {seconds:.1f} s")

    log(f"[{size}] timing speech and compare pages")
    figures["pages"] = time_pages(ids, rng)

    log(f"[{size}] baseline: every pair of {sample} speeches aligned whole")
    seconds, aligned, found = baseline(ids, sample, rng)
    pairs = aligned * (aligned - 1) / 2
    scale = size * (size - 1) / 2 / pairs
    figures["baseline"] = {"sample": aligned, "pairs": pairs, "seconds": seconds, "passages": found,
                           "scaled_seconds": seconds * scale}
    figures["speedup"] = seconds * scale / figures["whole"]["seconds"]
    return figures


def table(f):
    whole, base = f["whole"], f["baseline"]
    return "\n".join([
        f"### Shared passages, {f['size']:,} speeches ({f['characters'] / 1e6:.1f} M characters)",
        "",
        "| measure | figure |",
        "| --- | --- |",
        f"| whole archive: MinHash + LSH + alignment + writing (s) | {whole['seconds']:.1f} |",
        f"| chunks / LSH candidate pairs / pairs aligned | {whole['chunks']:,} / {whole['candidates']:,} / "
        f"{whole['aligned']:,} |",
        f"| shared passages found / speeches holding one / stock phrases left out | {whole['passages']:,} / "
        f"{whole['sharing']:,} / {whole['stock']:,} |",
        f"| queue: {f['queue']['speeches']} changed speeches against the stored MinHashes (s) | "
        f"{f['queue']['seconds']:.1f} |",
        f"| baseline: every pair of {base['sample']} speeches aligned whole ({base['pairs']:,.0f} pairs, s) | "
        f"{base['seconds']:.1f} |",
        f"| baseline scaled to {f['size']:,} speeches (s) | {base['scaled_seconds']:,.0f} |",
        f"| whole archive vs baseline | {f['speedup']:.0f}× faster |",
        *(f"| {name} page with shared passages, p50 / p95 (ms) | {page['p50']:.1f} / {page['p95']:.1f} |"
          for name, page in f.get("pages", {}).items() if page),
    ])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10000, help="speeches generated")
    parser.add_argument("--sample", type=int, default=100, help="speeches the baseline aligns pairwise")
    parser.add_argument("--dir", type=Path, help="where data goes (default: a temporary folder, removed)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    if not REPORTS.exists():
        raise SystemExit(f"{REPORTS} is absent: the benchmark recombines the shared corpus")
    workdir = args.dir or Path(tempfile.mkdtemp(prefix="archive-reuse-"))
    try:
        figures = measure(args.size, args.sample, workdir)
    finally:
        if args.dir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    print(table(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
