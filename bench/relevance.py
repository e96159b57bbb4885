"""Relevance on a public Chinese retrieval set: does the right speech come first?

    make bench-relevance
    .venv/bin/python -m bench.relevance [--data FILE] [--json FILE] [--halves]

A reading-comprehension set in SQuAD's format (by default the CMRC 2018 trial
split in ../shared/eval/retrieval/, read at run time, never copied into the
repository) becomes a retrieval set: every paragraph is imported as a speech
through the archive's importer (JSON lines, title and text mapped with --map),
and each question must find its own paragraph. Each question is asked three ways:

    question      typed as it is (`黄河大桥全长多少米？`)
    keywords AND  its KEYWORDS best words by jieba's TF-IDF keyword extractor, all required
    keywords OR   the same words, any of them

and answered, in the same run, by

    archive       GET /api/search/ (Django's test client): snippets and facets included
    whoosh+jieba  the usual setup (bench/baseline.py): Whoosh with jieba's ChineseAnalyzer,
                  MultifieldParser over title and text; OrGroup for questions and OR
    bm25 (jieba)  rank_bm25's BM25Okapi over jieba's tokens of title and text; the
                  documents holding a query token, best score first (AND: all of them)

For each: hit@1, hit@5, hit@10 (the paragraph among the first k), MRR@10, the
share of questions answered with no result at all, and the latency per question
(p50, p95; the archive's through the API with its facets and snippets, the peers'
in-process). --halves also reports the paragraphs of even and odd position
separately, so a change that helps one half only shows.
"""

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from bench.common import SHARED_DIR, percentile, setup_django

DATA = SHARED_DIR / "eval" / "retrieval" / "cmrc2018_trial.json"
FIELD_MAP = "title=headline,text=content,url=link"
URL = "https://example.org/cmrc2018/{}"
TOP = 10
KEYWORDS = 4
MODES = ("question", "keywords AND", "keywords OR")
ENGINES = ("archive", "whoosh+jieba", "bm25 (jieba)")


def read_set(path):
    """(paragraphs [(id, title, text)], questions [(id, question, paragraph id)], the
    number of empty questions left out: nothing typed has no answer to find)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))["data"]
    paragraphs, questions, empty = [], [], 0
    for article in data:
        for paragraph in article["paragraphs"]:
            pid = paragraph.get("id") or f"{article.get('id', len(paragraphs))}-{len(paragraphs)}"
            paragraphs.append((pid, article.get("title", ""), paragraph["context"]))
            for qa in paragraph["qas"]:
                if qa["question"].strip():
                    questions.append((qa["id"], qa["question"], pid))
                else:
                    empty += 1
    return paragraphs, questions, empty


def write_records(paragraphs, path):
    """JSON lines with the column names bench/baseline.py reads (and --map maps)."""
    with open(path, "w", encoding="utf-8") as out:
        for pid, title, text in paragraphs:
            row = {"headline": title, "content": text, "link": URL.format(pid)}
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


class Keywords:
    def __init__(self):
        import jieba.analyse

        self.extract = jieba.analyse.extract_tags

    def __call__(self, question):
        return self.extract(question, topK=KEYWORDS)


# The engines: each answers (mode, question, keywords) with paragraph ids, best first.


class Archive:
    name = "archive"

    def __init__(self, records):
        from django.test import Client

        from speeches import search
        from speeches.ingest.pipeline import import_paths
        from speeches.models import Speech

        reports = import_paths([records], field_map=FIELD_MAP)
        failed = [r for r in reports if not r.ok]
        if failed:
            raise SystemExit(f"import failed: {failed[0].path}: {failed[0].error}")
        search.process_pending()
        by_pk = {pk: (uid, merged) for pk, uid, merged in Speech.objects.values_list("pk", "uid", "merged_into")}
        self.paragraph_of = {}
        prefix = URL.format("")
        for pk, url in Speech.objects.values_list("pk", "url"):
            uid, merged = by_pk[pk]
            if merged is not None:  # a duplicate merged into another speech: that one answers
                uid = by_pk[merged][0]
            self.paragraph_of.setdefault(uid, url[len(prefix):])
        self.imported = len(self.paragraph_of)
        self.client = Client()
        self.client.get("/api/search/", {"q": "预热"})  # open the index, load the vocabulary

    def __call__(self, mode, question, keywords):
        if mode == "question":
            q = question
        else:
            q = (" OR " if mode == "keywords OR" else " ").join(keywords)
        response = self.client.get("/api/search/", {"q": q})
        if response.status_code != 200:
            raise SystemExit(f"/api/search/ {q!r} answered {response.status_code}")
        return [self.paragraph_of.get(hit["id"]) for hit in response.json()["results"][:TOP]]


class WhooshJieba:
    name = "whoosh+jieba"

    def __init__(self, records, workdir, cache_dir):
        from whoosh.qparser import OrGroup

        from bench.baseline import Baseline

        self.or_engine = Baseline(workdir / "whoosh", cache_dir, group=OrGroup)
        self.or_engine.index_files([records])
        self.and_engine = Baseline(workdir / "whoosh", cache_dir)  # the same index, AND
        self.and_engine.ix, self.and_engine.searcher = self.or_engine.ix, self.or_engine.searcher
        self.prefix = URL.format("")

    def __call__(self, mode, question, keywords):
        if mode == "question":
            engine, q = self.or_engine, question
        elif mode == "keywords OR":
            engine, q = self.or_engine, " OR ".join(keywords)
        else:
            engine, q = self.and_engine, " AND ".join(keywords)
        results, _facets = engine.search({"q": q})
        return [hit["id"][len(self.prefix):] for hit in results][:TOP]

    def close(self):
        self.or_engine.close()


class Bm25Jieba:
    name = "bm25 (jieba)"

    def __init__(self, paragraphs):
        import jieba
        from rank_bm25 import BM25Okapi

        self.cut = jieba.lcut
        self.ids = [pid for pid, _title, _text in paragraphs]
        documents = [self.tokens(f"{title}\n{text}") for _pid, title, text in paragraphs]
        self.sets = [set(tokens) for tokens in documents]
        self.bm25 = BM25Okapi(documents)

    def tokens(self, text):
        return [token.lower() for token in self.cut(text) if token.strip()]

    def __call__(self, mode, question, keywords):
        tokens = self.tokens(question) if mode == "question" else [k.lower() for k in keywords]
        if mode == "keywords AND":
            holding = [i for i, held in enumerate(self.sets) if all(t in held for t in tokens)]
        else:
            holding = [i for i, held in enumerate(self.sets) if any(t in held for t in tokens)]
        scores = self.bm25.get_scores(tokens)
        ranked = sorted(holding, key=lambda i: (-scores[i], i))
        return [self.ids[i] for i in ranked[:TOP]]


# Measuring ----------------------------------------------------------------------


def measure(engine, mode, asked):
    """{'ranks': [rank or None], 'zero': [bool], 'seconds': [...]} over the questions."""
    ranks, zero, seconds = [], [], []
    for question, keywords, gold in asked:
        started = time.perf_counter()
        found = engine(mode, question, keywords)
        seconds.append(time.perf_counter() - started)
        zero.append(not found)
        ranks.append(found.index(gold) + 1 if gold in found else None)
    return {"ranks": ranks, "zero": zero, "seconds": seconds}


def scores(run, keep=None):
    """The figures of one run (over the questions whose index `keep` accepts)."""
    picked = [i for i in range(len(run["ranks"])) if keep is None or keep(i)]
    ranks = [run["ranks"][i] for i in picked]
    n = len(ranks) or 1

    def hit(k):
        return sum(1 for r in ranks if r is not None and r <= k) / n

    seconds = [run["seconds"][i] for i in picked] or [0.0]
    return {
        "questions": len(ranks),
        "hit@1": hit(1),
        "hit@5": hit(5),
        "hit@10": hit(10),
        "mrr@10": sum(1 / r for r in ranks if r is not None) / n,
        "zero": sum(1 for i in picked if run["zero"][i]) / n,
        "p50_ms": percentile(seconds, 0.5) * 1000,
        "p95_ms": percentile(seconds, 0.95) * 1000,
    }


def table(figures, title):
    lines = [
        f"#### {title}",
        "",
        "| asked as | engine | hit@1 | hit@5 | hit@10 | MRR@10 | zero results | p50 ms | p95 ms |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for mode in MODES:
        for engine in ENGINES:
            f = figures[mode][engine]
            lines.append(
                f"| {mode} | {engine} | {f['hit@1']:.3f} | {f['hit@5']:.3f} | {f['hit@10']:.3f} | "
                f"{f['mrr@10']:.3f} | {f['zero']:.3f} | {f['p50_ms']:.1f} | {f['p95_ms']:.1f} |"
            )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="a retrieval set in SQuAD's format")
    parser.add_argument("--json", type=Path, help="also write the figures (and every rank) to this file")
    parser.add_argument("--halves", action="store_true",
                        help="also report the paragraphs of even and of odd position on their own")
    args = parser.parse_args()
    if not args.data.exists():
        sys.exit(f"{args.data} is absent: this benchmark reads the shared retrieval set")

    with tempfile.TemporaryDirectory(prefix="relevance-bench-") as scratch:
        workdir = Path(scratch)
        setup_django(workdir / "data")
        from django.conf import settings

        paragraphs, questions, empty = read_set(args.data)
        records = workdir / "paragraphs.jsonl"
        write_records(paragraphs, records)
        print(f"{len(paragraphs)} paragraphs, {len(questions)} questions ({args.data.name}; "
              f"{empty} empty questions left out)", file=sys.stderr)

        started = time.perf_counter()
        archive = Archive(records)
        print(f"archive: {archive.imported} speeches imported and indexed in "
              f"{time.perf_counter() - started:.0f} s", file=sys.stderr)
        whoosh = WhooshJieba(records, workdir, settings.DATA_DIR)
        bm25 = Bm25Jieba(paragraphs)
        keywords = Keywords()
        asked = [(question, keywords(question), gold) for _qid, question, gold in questions]
        position = {pid: n for n, (pid, _title, _text) in enumerate(paragraphs)}

        runs = {}
        for mode in MODES:
            for engine in (archive, whoosh, bm25):
                print(f"{mode} / {engine.name}", file=sys.stderr)
                runs[(mode, engine.name)] = measure(engine, mode, asked)
        whoosh.close()

    def figures(keep=None):
        return {mode: {name: scores(runs[(mode, name)], keep) for name in ENGINES} for mode in MODES}

    left_out = f" ({empty} empty ones left out)" if empty else ""
    print(table(figures(), f"{args.data.name}: {len(paragraphs)} paragraphs, {len(questions)} questions{left_out}"))
    halves = {}
    if args.halves:
        for name, parity in (("even", 0), ("odd", 1)):
            halves[name] = figures(lambda i, parity=parity: position[asked[i][2]] % 2 == parity)
            print()
            print(table(halves[name], f"paragraphs of {name} position"))
    if args.json:
        args.json.write_text(json.dumps({
            "data": str(args.data), "paragraphs": len(paragraphs), "questions": len(questions),
            "empty_questions_left_out": empty,
            "figures": figures(), "halves": halves,
            "ranks": {f"{mode} / {name}": run["ranks"] for (mode, name), run in runs.items()},
        }, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
