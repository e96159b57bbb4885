"""The search runs its queries over posting blocks and in-memory facet postings
(speeches/search/evaluate.py, columns.py) instead of Whoosh's matchers. What it
finds must be exactly the published speeches whose text holds the words (checked
against the database), in the order and with the scores Whoosh computes for the
same query written as Whoosh queries (engine.whoosh_form, every document scored),
the facet counts what Whoosh's postings give, and the related speeches what Whoosh's
more-like-this gives, on an index of several segments with deleted, draft and merged
documents.

Whoosh is not the reference for what is found: its AndNot misses exclusions across
segments (for 经济 -改革 it returned a speech saying 改革)."""

import random

import pytest
from whoosh import query as wq
from whoosh.sorting import FieldFacet

from speeches import search
from speeches.models import Region, Section, Speech
from speeches.search import engine, related, store
from speeches.search.query import parse
from speeches.search.text import matchable
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


def literally_found(request, parsed):
    """Ids of the published speeches the request should find, read from the database."""
    found = set()
    for speech in Speech.objects.published().prefetch_related("topics"):
        if speech.merged_into_id not in (None, speech.pk):
            continue
        texts = (matchable(speech.title), matchable(speech.body))

        def holds(literal, texts=texts):
            return any(literal.needle in text for text in texts)

        if not all(any(holds(literal) for literal in clause) for clause in parsed.clauses):
            continue
        if any(holds(literal) for literal in parsed.excluded):
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
        found.add(speech.pk)
    return found


def whoosh_answer(params):
    """(total, [(speech id, score)] of the page, facets): the speeches found read from
    the database, ordered and scored by Whoosh, counted from Whoosh's postings."""
    request = engine.SearchRequest.from_params(params)
    parsed = parse(request.q)
    searcher = store.searcher()
    match, ranking, _filter_query = engine.whoosh_form(parsed, request)
    docset = {searcher.document_number(id=str(pk)) for pk in literally_found(request, parsed)}
    sort = request.sort
    if parsed.is_empty and sort == "relevance":
        sort = "newest"
    first = (request.page - 1) * engine.PER_PAGE
    limit = first + engine.PER_PAGE
    if sort == "relevance":
        scored = wq.AndMaybe(match, ranking) if ranking is not None else match
        # limit=None: every document scored (a limited search may skip blocks by estimate).
        found = searcher.search(scored, filter=docset, limit=None)
        ranked = sorted(((hit.score, hit.docnum) for hit in found), key=lambda item: (-item[0], item[1]))
        page = [(docnum, round(score, 4)) for score, docnum in ranked[first:limit]]
    else:
        key = FieldFacet("newest_key", reverse=True) if sort == "newest" else FieldFacet("oldest_key")
        found = searcher.search(match, filter=docset, limit=limit, sortedby=key)
        page = [(hit.docnum, None) for hit in found[first:limit]]
    reader = searcher.reader()

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
    return len(docset), [(int(searcher.stored_fields(d)["id"]), score) for d, score in page], facets


def answer(params):
    results = search.search(params)
    facets = results.facets
    return (
        results.total,
        [(hit.speech.pk, hit.score) for hit in results.hits],
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


def test_search_finds_orders_and_scores_what_whoosh_does(archive):
    for params in QUERIES:
        total, page, facets = whoosh_answer(params)
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

    total, page, _facets = whoosh_answer({"q": "防汛"})
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
