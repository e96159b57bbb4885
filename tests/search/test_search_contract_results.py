"""The search runs its queries over posting blocks and in-memory facet postings
(speeches/search/evaluate.py, columns.py, tiers.py) instead of Whoosh's matchers.
What it finds must be exactly the published speeches whose text holds the query —
as typed when any speech does, else tier by tier by its words — checked against the
database; scored by the BM25F computed here from the database's texts and the
index's statistics; in date order as Whoosh's sorted collector orders them; the
facets what Whoosh's postings count, and the related speeches what Whoosh's
more-like-this gives, on an index of several segments with deleted, draft and merged
documents.

Whoosh is not the reference for what is found: its AndNot misses exclusions across
segments (for 经济 -改革 it returned a speech saying 改革). Nor for the order: its
BM25F saturates title and text apart (a title word outscored every word of a query in
the text); the archive's adds the fields before they saturate (evaluate.py)."""

import math
import random

import pytest
from whoosh import query as wq
from whoosh.sorting import FieldFacet

from speeches import search
from speeches.models import Region, Section, Speech
from speeches.search import engine, related, store, tiers
from speeches.search.query import parse
from speeches.search.text import matchable
from speeches.search.words import query_words, resegmented
from tests.factories import make_region, make_speech, make_topic

pytestmark = pytest.mark.django_db

# Words the generated texts are made of (some traditional, some repeated characters).
WORDS = [
    "防汛", "抗旱", "水利", "工程", "农业", "农村", "农民", "改革", "开放", "教育", "科技",
    "人民", "群众", "经济", "发展", "知识产权", "保护", "知識產權", "國務院", "谢谢谢谢",
    "中华人民共和国", "社会主义", "市场", "安全生产", "河长制", "同志们", "我们", "要",
]

QUERIES = [
    {"q": "防汛"}, {"q": "农"}, {"q": "人民群众"}, {"q": '"人民群众"'}, {"q": "知识产权"},
    {"q": "识产"}, {"q": "谢谢谢"}, {"q": "民共"}, {"q": "國務院"}, {"q": "防汛 水利"},
    {"q": "防汛 OR 抗旱 教育"}, {"q": "经济 -改革"}, {"q": "经济 经济"}, {"q": "中华人民共和国"},
    {"q": "社会主义市场"}, {"q": "要"}, {"q": "不存在的词语"}, {"q": "的"},
    {"q": "发展", "sort": "newest"}, {"q": "发展", "sort": "oldest", "page": "2"},
    {"q": "发展", "page": "2"}, {"q": "发展", "region": "13"}, {"q": "发展", "region": "1301"},
    {"q": "发展", "topic": "flood-test"}, {"q": "教育", "year": "2001-2010"},
    {"q": "教育", "year": "2005"}, {"q": "人民", "kind": "work_report"},
    {"q": "", "region": "13"}, {"q": "", "topic": "flood-test", "sort": "oldest"},
    # Found by their words (no text holds them as typed): tiers, ranking words, exclusions.
    {"q": "防汛水利的改革是什么？"}, {"q": "怎样保护知识产权和发展农业"},
    {"q": "河长制工程在哪里"}, {"q": "农民教育科技"}, {"q": "农民教育科技", "page": "2"},
    {"q": "农民教育科技", "sort": "newest"}, {"q": "经济群众开放 -改革"},
    {"q": "群众的知識產權"}, {"q": "防汛水利 OR 抗旱农业 科技"}, {"q": "保护安全生产河长"},
]
@pytest.fixture
def archive(settings):
    # Changes are queued and applied every ten speeches: each drain writes a segment.
    settings.SEARCH_INDEX_UPDATES = "queue"
    rng = random.Random(11)
    hebei = make_region("13", "河北省")
    shijiazhuang = make_region("1301", "石家庄市", Region.PREFECTURE, hebei)
    beijing = make_region("11", "北京市")
    flood = make_topic("防汛抗旱", "flood-test")
    water = make_topic("水利建设", "water-test")
    speeches = []
    for number in range(40):
        body = "。".join(
            "".join(rng.choice(WORDS) for _ in range(rng.randint(3, 9))) for _ in range(rng.randint(2, 12))
        )
        title = "".join(rng.choice(WORDS) for _ in range(rng.randint(1, 3))) + f"讲话{number}"
        speech = make_speech(
            title=title,
            body=body,
            region=rng.choice([hebei, shijiazhuang, beijing, None]),
            year=rng.choice([None, 1998, 2001, 2005, 2010, 2019]),
            kind=rng.choice([Speech.SPEECH, Speech.SPEECH, Speech.WORK_REPORT]),
        )
        speech.topics.add(*rng.sample([flood, water], rng.randint(0, 2)))
        if number % 7 == 0:
            Section.objects.create(speech=speech, order=1, number="一、", heading=rng.choice(WORDS),
                                   level=1, start=0, end=len(body))
        speeches.append(speech)
        if number % 10 == 9:
            search.process_pending()
    speeches[3].status = Speech.DRAFT
    speeches[3].save()
    speeches[4].merged_into = speeches[5]
    speeches[4].save()
    speeches[6].delete()
    speeches[7].body += "。防汛抗旱水利工程"  # re-indexed: deleted from its segment, written again
    speeches[7].save()
    search.process_pending()
    settings.SEARCH_INDEX_UPDATES = "immediate"
    return speeches


def _indexed():
    """{speech id: (folded title, folded text, published and not merged)} of every speech the index holds."""
    found = {}
    for speech in Speech.objects.all():
        listed = speech.status == Speech.PUBLISHED and speech.merged_into_id in (None, speech.pk)
        found[speech.pk] = (matchable(speech.title), matchable(speech.body), listed)
    return found


def _kept(request, pks):
    """The published speeches of pks the request's filters keep."""
    kept = set()
    for speech in Speech.objects.filter(pk__in=pks).prefetch_related("topics").select_related("region"):
        if speech.status != Speech.PUBLISHED or speech.merged_into_id not in (None, speech.pk):
            continue
        if request.region and not (speech.region and speech.region.code.startswith(request.region)):
            continue
        if request.topic and request.topic not in {t.slug for t in speech.topics.all()}:
            continue
        if request.year_range:
            first, last = request.year_range
            if not speech.known_year or not int(first) <= speech.known_year <= int(last):
                continue
        if request.kind and speech.kind != request.kind:
            continue
        kept.add(speech.pk)
    return kept


def expected_tiers(request, parsed, indexed):
    """([(tier, speech ids)], needles scored) the request should list, from the database."""
    def holds(pk, needle):
        title, body, _listed = indexed[pk]
        return needle in title or needle in body

    if parsed.is_empty:
        return [(tiers.EXACT, _kept(request, indexed))], []
    excluded = {pk for pk in indexed if any(holds(pk, lit.needle) for lit in parsed.excluded)}
    exact = {
        pk for pk in indexed
        if all(any(holds(pk, lit.needle) for lit in clause) for clause in parsed.clauses)
    } - excluded
    exact = _kept(request, exact)
    if exact:
        return [(tiers.EXACT, exact)], [lit.needle for lit in parsed.positive]
    words = resegmented(query_words(parsed), lambda needle: any(holds(pk, needle) for pk in indexed))
    unit_holders = [
        {pk for pk in indexed if any(all(holds(pk, n) for n in alt) for alt in unit.alternatives)} - excluded
        for unit in words.units
    ]
    listed = _kept(request, set().union(*unit_holders))
    every = {pk for pk in listed if all(pk in holders for holders in unit_holders)}
    found = [(tiers.ALL_WORDS, every), (tiers.SOME_WORDS, listed - every)]
    return [(tier, pks) for tier, pks in found if pks], words.needles + words.ranking_needles


def _occurrences(needle, text):
    """Occurrences of needle in text, overlapping ones included (谢谢 twice in 谢谢谢)."""
    return sum(1 for start in range(len(text) - len(needle) + 1) if text.startswith(needle, start))


def expected_scores(pks, needles, indexed):
    """{speech id: BM25F} computed from the database's texts and Whoosh's statistics."""
    searcher = store.searcher()
    reader = searcher.reader()
    count = reader.doc_count()
    docnum = {pk: searcher.document_number(id=str(pk)) for pk in indexed}
    averages = {f: searcher.avg_field_length(f) for f in ("title_chars", "body_chars")}
    boosts = {"title_chars": 3.0, "body_chars": 1.0}
    scores = dict.fromkeys(pks, 0.0)
    for needle in dict.fromkeys(needles):
        held = sum(1 for title, body, _ in indexed.values() if needle in title or needle in body)
        if not held:
            continue
        idf = math.log(1 + (count - held + 0.5) / (held + 0.5))
        for pk in pks:
            title, body, _listed = indexed[pk]
            frequency = 0.0
            for fieldname, text in (("title_chars", title), ("body_chars", body)):
                length = reader.doc_field_length(docnum[pk], fieldname, 1)
                norm = (1 - 0.75) + 0.75 * length / averages[fieldname]
                frequency += boosts[fieldname] * _occurrences(needle, text) / norm
            if frequency:
                scores[pk] += idf * frequency * 2.2 / (frequency + 1.2)
    return scores


def expected_answer(params):
    """(total, [(speech id, tier, score)] of the page, facets): the speeches listed read
    from the database, scored here, put in date order by Whoosh, counted from Whoosh's
    postings."""
    request = engine.SearchRequest.from_params(params)
    parsed = parse(request.q)
    searcher = store.searcher()
    indexed = _indexed()
    found, needles = expected_tiers(request, parsed, indexed)
    sort = request.sort
    if parsed.is_empty and sort == "relevance":
        sort = "newest"
    first = (request.page - 1) * engine.PER_PAGE
    limit = first + engine.PER_PAGE
    listed = []
    if sort == "relevance":
        scores = expected_scores(set().union(*(pks for _tier, pks in found)), needles, indexed)
        for tier, pks in found:
            listed.extend((pk, tier, round(scores[pk], 4))
                          for pk in sorted(pks, key=lambda pk: (-scores[pk], searcher.document_number(id=str(pk)))))
    else:
        key = FieldFacet("newest_key", reverse=True) if sort == "newest" else FieldFacet("oldest_key")
        for tier, pks in found:
            docset = {searcher.document_number(id=str(pk)) for pk in pks}
            hits = searcher.search(wq.Every(), filter=docset, limit=None, sortedby=key)
            listed.extend((int(hit["id"]), tier, None) for hit in hits)
    reader = searcher.reader()
    docset = {searcher.document_number(id=str(pk)) for _tier, pks in found for pk in pks}

    def count(fieldname, term):
        if (fieldname, term) not in reader:
            return 0
        return sum(1 for docnum in reader.postings(fieldname, term).all_ids() if docnum in docset)

    facets = {
        fieldname: {term: n for term in reader.field_terms(fieldname) if (n := count(fieldname, term))}
        for fieldname in ("topic", "year", "official")
    }
    facets["region"] = {
        code: n for code in reader.field_terms("region") if len(code) <= 2 and (n := count("region", code))
    }
    return len(docset), listed[first:limit], facets


def answer(params):
    results = search.search(params)
    facets = results.facets
    return (
        results.total,
        [(hit.speech.pk, hit.tier, hit.score) for hit in results.hits],
        {
            "topic": {item["slug"]: item["count"] for item in facets["topic"]},
            "year": {str(item["year"]): item["count"] for item in facets["year"]},
            "official": {str(item["id"]): item["count"] for item in facets["official"]},
            "region": {
                item["code"]: item["count"] for item in facets["region"] if not params.get("region")
            },
        },
    )


def test_the_index_under_test_has_several_segments_and_deletions(archive):
    reader = store.searcher().reader()
    assert len(list(reader.leaf_readers())) > 1
    assert reader.doc_count_all() > reader.doc_count()


def test_search_finds_orders_and_scores_what_the_database_and_whoosh_give(archive):
    for params in QUERIES:
        total, page, facets = expected_answer(params)
        found_total, found_page, found_facets = answer(params)

        assert found_total == total, params
        assert found_page == page, params
        assert found_facets["topic"] == facets["topic"], params
        assert found_facets["year"] == facets["year"], params
        if not params.get("region"):
            assert found_facets["region"] == facets["region"], params


def test_searches_see_speeches_indexed_after_the_facets_were_read(archive):
    before = search.search({"q": "防汛"}).total

    make_speech(title="后来的讲话", body="防汛抗旱要早作准备。")

    total, page, _facets = expected_answer({"q": "防汛"})
    found_total, found_page, _found_facets = answer({"q": "防汛"})
    assert found_total == total == before + 1
    assert found_page == page


def test_exports_list_what_the_search_finds(archive):
    results = search.search({"q": "防汛", "region": "13"})

    ids = search.matching_ids({"q": "防汛", "region": "13"})

    assert len(ids) == results.total
    assert {hit.speech.pk for hit in results.hits} <= ids



def test_related_speeches_are_whoosh_more_like_this(archive):
    searcher = store.searcher()
    compared = 0
    for speech in Speech.objects.published().order_by("pk")[:20]:
        terms = related._key_terms(searcher, speech)
        if len(terms) < related.MIN_MATCHED_TERMS:
            continue
        own = searcher.document_number(id=str(speech.pk))
        found = searcher.search(
            related.like_query(terms), filter=wq.Term("status", Speech.PUBLISHED), mask={own}, limit=None
        )
        ranked = sorted(((hit.score, hit.docnum) for hit in found), key=lambda item: (-item[0], item[1]))
        expected = [int(searcher.stored_fields(docnum)["id"]) for _score, docnum in ranked[:5]]

        assert related._similar_ids(speech, 5) == expected, speech.pk
        compared += 1
    assert compared >= 10


def test_key_terms_of_a_speech_are_whoosh_key_terms(archive):
    searcher = store.searcher()
    for speech in Speech.objects.order_by("pk")[:15]:
        text = f"{speech.title}\n{speech.body}"

        found = related.key_terms_from_text(searcher, "body_words", text, related.KEY_TERM_CANDIDATES)

        assert found == searcher.key_terms_from_text("body_words", text, numterms=related.KEY_TERM_CANDIDATES)


def test_the_queries_compared_reach_every_tier(archive):
    reached = set()
    for params in QUERIES:
        reached.update(tier["tier"] for tier in search.search(params).tiers)

    assert reached == {tiers.EXACT, tiers.ALL_WORDS, tiers.SOME_WORDS}
