"""One more file into an archive that is already full: file → searchable and file →
extracted where the archive holds N speeches, beside the baseline's indexing rate on
the same file.

    .venv/bin/python -m bench.grow --data DIR [--speeches 1000] [--processes 2]

`make bench` runs it at the end of each size (bench/run.py), after every other figure:
the first files of a size are imported into an empty archive, so they say nothing of
the archive at N. Alone, it measures an archive kept by `bench.run --keep --dir D`
(D/N/data), which grows by the file. The baseline indexes the same file into an empty
index of its own: its rate is that of Whoosh with jieba's analyzer, about the same per
speech whatever the size (it was 21-23 speeches a second over the whole corpus at 10,000).
"""

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from bench.common import setup_django, timed

# Other speeches than the archive's own (bench/corpus.py's default seed).
GROWTH_SEED = 20261202


def log(message):
    print(message, file=sys.stderr, flush=True)


def measure(workdir, speeches=1000, processes=2):
    """Figures of importing and draining one generated file of `speeches` into the archive
    Django is set up on; workdir holds the file and the baseline's index."""
    from django.conf import settings

    from bench import corpus
    from bench.baseline import Baseline
    from bench.run import drain_extraction, import_files
    from speeches.models import Speech

    archive = Speech.objects.count()
    paths = corpus.write_corpus(workdir / "growth-corpus", speeches, seed=GROWTH_SEED)
    log(f"one more file of {speeches:,} speeches into the archive of {archive:,}")
    seconds, created = import_files(paths)
    extract_seconds, extracted = drain_extraction(processes)
    log("the baseline indexing the same file")
    baseline = Baseline(workdir / "growth-baseline", cache_dir=settings.DATA_DIR)
    base_seconds, base_count = timed(baseline.index_files, paths)
    baseline.close()
    return {
        "archive": archive,
        "speeches": created,
        "speeches_s": created / seconds,
        "processes": processes,
        "extract_speeches_s": extracted / extract_seconds,
        "baseline_speeches_s": base_count / base_seconds,
        "ratio": created / seconds / (base_count / base_seconds),
    }


def rows(growth):
    """(measure, project, baseline, ratio, target, met) rows of the table (bench/run.py)."""
    g = growth
    label = f"one more file of {g['speeches']:,} into the archive of {g['archive']:,}"
    return [
        (f"{label}: file → searchable (speeches/s)", f"{g['speeches_s']:.1f}", f"{g['baseline_speeches_s']:.1f}",
         f"{g['ratio']:.2f}", "≥ 3× the baseline's indexing", g["ratio"] >= 3),
        (f"{label}: its extraction drained, {g['processes']} processes, indexed again (speeches/s)",
         f"{g['extract_speeches_s']:.1f}", "—", "—", "≥ 30", g["extract_speeches_s"] >= 30),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="the archive's data directory (it grows)")
    parser.add_argument("--speeches", type=int, default=1000, help="speeches in the file")
    parser.add_argument("--processes", type=int, default=2, help="processes draining its extraction")
    args = parser.parse_args()
    setup_django(args.data, migrate=False)
    workdir = Path(tempfile.mkdtemp(prefix="archive-grow-"))
    try:
        growth = measure(workdir, args.speeches, args.processes)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print("| measure | project | baseline | project / baseline | target |\n| --- | --- | --- | --- | --- |")
    for measure_, project, baseline, ratio, target, ok in rows(growth):
        print(f"| {measure_} | {project} | {baseline} | {ratio} | {target} {'met' if ok else '**not met**'} |")


if __name__ == "__main__":
    main()
