"""Recall: every string drawn from the texts is found in every speech that contains it.

Substrings of 1–6 characters are drawn from the national government work reports
and from the seed compilation page (imported by the ingest pipeline): at random
places, straddling jieba's word boundaries, from titles, and in traditional
characters (OpenCC s2t). The ground truth is computed here, from the database,
with its own folding (per-character OpenCC t2s, lower case, half-width letters,
whitespace and control characters ignored), independently of speeches.search.
"""

import functools
import json
import random
import unicodedata

import opencc
import pytest
import rjieba
from django.test import override_settings

from speeches import search
from speeches.identity import content_hash
from speeches.models import Source, Speech
from tests.conftest import shared_path

REPORTS = ("corpus", "gov_work_reports", "government_work_reports.jsonl")
SEED_PAGE = ("corpus", "seed", "000_90d96380ab40a5b4.txt")
QUOTES = set('"“”「」『』＂')

_t2s = opencc.OpenCC("t2s")
_s2t = opencc.OpenCC("s2t")


@functools.cache
def _truth_char(char):
    if char.isspace() or unicodedata.category(char) in ("Cc", "Cf"):
        return ""
    simplified = _t2s.convert(char)
    char = simplified if len(simplified) == 1 else char
    if "\uff01" <= char <= "\uff5e":
        char = chr(ord(char) - 0xFEE0)
    lower = char.lower()
    return lower if len(lower) == 1 else char


def truth_fold(text):
    return "".join(_truth_char(char) for char in text)


def _without_whitespace(text):
    return "".join(char for char in text if _truth_char(char))


def _usable(needle):
    """Strings a user could type as one literal: no quotes, not an operator."""
    return (
        needle
        and not QUOTES & set(needle)
        and needle[0] not in "-－+"
        and needle not in ("OR", "|", "｜")
    )


@pytest.fixture(scope="module")
def corpus(django_db_setup, django_db_blocker, tmp_path_factory):
    """The national reports (bulk created) and, when the ingest pipeline exists, the seed
    page (imported), indexed once for the module."""
    reports_path = shared_path(*REPORTS)
    index_dir = tmp_path_factory.mktemp("recall") / "index"
    with django_db_blocker.unblock(), override_settings(
        SEARCH_INDEX_DIR=index_dir, SEARCH_INDEX_UPDATES="queue"
    ):
        rows = [json.loads(line) for line in reports_path.read_text(encoding="utf-8").splitlines() if line.strip()]
        speeches = []
        for number, row in enumerate(rows):
            digest = content_hash(row["title"] + row["content"])
            speeches.append(
                Speech(
                    uid=f"r{number:03d}{digest[:12]}",
                    title=row["title"],
                    body=row["content"],
                    year=row.get("year"),
                    kind=Speech.WORK_REPORT if row.get("year") else Speech.RESOLUTION,
                    content_hash=digest,
                )
            )
        reports = Speech.objects.bulk_create(speeches)
        seed_ids = []
        seed_path = None
        try:
            from speeches.ingest.pipeline import import_paths
        except ImportError:
            import_paths = None
        if import_paths is not None:
            seed_path = shared_path(*SEED_PAGE)
            before = set(Speech.objects.values_list("pk", flat=True))
            import_paths([seed_path])
            seed_ids = sorted(set(Speech.objects.values_list("pk", flat=True)) - before)
        search.rebuild()
        yield {
            "index_dir": index_dir,
            "report_ids": [s.pk for s in reports],
            "seed_ids": seed_ids,
        }
        created = [s.pk for s in reports] + seed_ids
        Speech.objects.filter(pk__in=created).delete()
        # Their history too (the import's rows and the deletions'): later tests count it.
        Speech.history.filter(id__in=created).delete()
        if seed_path is not None:
            Source.objects.filter(path=str(seed_path.resolve())).delete()
        search.process_pending()  # leave no queued deletions behind for later tests


@pytest.fixture
def served(corpus, settings):
    settings.SEARCH_INDEX_DIR = corpus["index_dir"]
    settings.SEARCH_INDEX_UPDATES = "queue"
    return corpus


def _truth_index():
    """(id, folded title, folded body) of every published speech in the database."""
    return [
        (pk, truth_fold(title), truth_fold(body))
        for pk, title, body in Speech.objects.published().values_list("pk", "title", "body")
    ]


def _truth(needle, index):
    folded = truth_fold(needle)
    return {pk for pk, title, body in index if folded in title or folded in body}


def draw_needles(texts, count, rng):
    """At least `count` substrings of 1–6 characters: random, across word boundaries,
    from titles, and traditional forms of some of them."""
    bodies = [_without_whitespace(body) for _title, body in texts]
    titles = [_without_whitespace(title) for title, _body in texts]
    needles = []

    def add(needle):
        if _usable(needle):
            needles.append(needle)

    while len(needles) < count * 4 // 10:  # anywhere
        body = rng.choice(bodies)
        length = rng.randint(1, 6)
        start = rng.randrange(max(1, len(body) - length))
        add(body[start : start + length])
    while len(needles) < count * 8 // 10:  # across a jieba word boundary
        body = rng.choice(bodies)
        start = rng.randrange(max(1, len(body) - 40))
        window = body[start : start + 40]
        boundaries, offset = [], 0
        for word in rjieba.cut(window)[:-1]:
            offset += len(word)
            boundaries.append(offset)
        inner = [b for b in boundaries if 1 <= b <= len(window) - 1]
        if not inner:
            continue
        boundary = rng.choice(inner)
        before, after = rng.randint(1, 3), rng.randint(1, 3)
        add(window[max(0, boundary - before) : boundary + after])
    while len(needles) < count * 9 // 10:  # from titles
        title = rng.choice(titles)
        length = rng.randint(1, 6)
        start = rng.randrange(max(1, len(title) - length))
        add(title[start : start + length])
    simplified = list(needles)
    rng.shuffle(simplified)
    for needle in simplified:  # traditional forms
        if len(needles) >= count:
            break
        traditional = _s2t.convert(needle)
        if traditional != needle:
            add(traditional)
    return needles


def _compare(needles, index):
    """(misses, false hits) over all needles, unquoted and quoted."""
    misses, false_hits = [], []
    for needle in needles:
        expected = _truth(needle, index)
        for query in (needle, f'"{needle}"'):
            found = search.matching_ids({"q": query})
            misses.extend((query, pk) for pk in expected - found)
            false_hits.extend((query, pk) for pk in found - expected)
    return misses, false_hits


def _texts(ids):
    return list(Speech.objects.filter(pk__in=ids).values_list("title", "body"))


@pytest.mark.django_db
def test_every_substring_of_the_national_reports_is_found_and_nothing_else(served):
    index = _truth_index()
    needles = draw_needles(_texts(served["report_ids"]), 600, random.Random(2260))
    assert len(needles) >= 500
    assert sum(len(n) == 1 for n in needles) >= 30
    assert sum(truth_fold(n) != n for n in needles) >= 50  # traditional forms

    misses, false_hits = _compare(needles, index)

    assert misses == []
    assert false_hits == []


@pytest.mark.django_db
def test_every_substring_of_the_seed_page_is_found_and_nothing_else(served):
    if not served["seed_ids"]:
        pytest.skip("the ingest pipeline imported nothing from the seed page")
    index = _truth_index()
    needles = draw_needles(_texts(served["seed_ids"]), 500, random.Random(1954))
    assert len(needles) >= 500

    misses, false_hits = _compare(needles, index)

    assert misses == []
    assert false_hits == []


@pytest.mark.django_db
def test_each_hit_highlights_the_text_that_matched(served):
    index = _truth_index()
    needles = draw_needles(_texts(served["report_ids"]), 60, random.Random(7))
    for needle in needles:
        results = search.search({"q": needle})
        assert results.total == len(_truth(needle, index)), needle
        for hit in results.hits:
            assert "<mark>" in hit.snippet or "<mark>" in hit.title_html, (needle, hit.speech.pk)
