"""The contract every search backend passes (speeches/search/backend.py). Each test runs
once per backend in BACKENDS, through speeches.search's public functions (what views,
the API, feeds, exports, jobs and commands call) and the backend's own methods, on a
small archive written here: texts in full-width and half-width punctuation, drafts, a
withdrawn speech and a merged copy that must never be listed. The expected answers are
read from the database, never from the engine under test.

A new backend is added to BACKENDS (its dotted path, as settings.SEARCH_BACKEND names it).
"""

from datetime import date

import pytest

from speeches import search
from speeches.models import Citation, Official, PendingIndexUpdate, Region, Speech
from speeches.search import backend, tiers
from speeches.search.text import matchable
from tests.factories import make_region, make_speech, make_topic

pytestmark = pytest.mark.django_db

BACKENDS = [
    "speeches.search.whoosh_backend.WhooshBackend",
]
ROUTINE_MEETINGS = 12  # more than a page (search.PER_PAGE) of speeches holding 安全生产


@pytest.fixture(params=BACKENDS)
def configured(request, settings):
    """The backend under test, named in settings as the site names it."""
    settings.SEARCH_BACKEND = request.param
    return request.param


@pytest.fixture
def archive(configured, settings):
    """The archive written and indexed by the backend under test; afterwards every save
    reaches the index before it returns."""
    settings.SEARCH_INDEX_UPDATES = "queue"
    hebei = make_region("13", "河北省")
    shijiazhuang = make_region("1301", "石家庄市", Region.PREFECTURE, hebei)
    beijing = make_region("11", "北京市")
    farming = make_topic("农业生产", "farming-contract")
    flood = make_topic("防汛抗旱", "flood-contract")
    governor = Official.objects.create(name="王明远", title="省长")
    mayor = Official.objects.create(name="李清和", title="市长")

    spring = make_speech(
        title="在全县春季农业生产工作会议上的讲话",
        body="同志们：\n今年春耕备耕工作（种子、化肥、农机）要抓早抓实；各乡镇要提前调运种子和化肥，"
        "组织农机检修，确保不误农时。春耕备耕是全年农业生产的基础。",
        region=shijiazhuang, date=date(2019, 3, 5), year=2019, speaker=mayor,
    )
    spring.topics.add(farming)
    machines = make_speech(
        title="农机推广现场会讲话",
        body="同志们:\n春耕备耕离不开农机,种子和化肥也要跟上;农机合作社要为农户检修农机,"
        "帮助农户不误农时,把农业生产的基础打牢.",
        region=beijing, date=date(2017, 4, 12), year=2017,
    )
    machines.topics.add(farming)
    flood_2015 = make_speech(
        title="全省防汛抗旱工作会议讲话",
        body="同志们:\n汛期将至,防汛抗旱工作(特别是水库安全)一刻也不能放松;各级要落实防汛责任,确保安全度汛.",
        region=hebei, year=2015,
    )
    flood_2015.topics.add(flood)
    Citation.objects.create(speech=flood_2015, official=governor, mention="王明远省长", offset=0)
    flood_2010 = make_speech(
        title="全市防汛工作部署会讲话",
        body="同志们：\n防汛工作事关人民群众生命财产安全。水库、河道要逐一排查；防汛物资要储备充足。",
        region=shijiazhuang, date=date(2010, 6, 1), year=2010,
    )
    flood_2010.topics.add(flood)
    report = make_speech(
        title="政府工作报告",
        body="各位代表：\n过去一年，我们坚持稳中求进，农业生产保持稳定，防汛抗旱取得胜利；今年要推进乡村振兴。",
        region=beijing, date=date(2021, 1, 20), year=2021, kind=Speech.WORK_REPORT, speaker=governor,
    )
    report.topics.add(farming, flood)
    schools = make_speech(
        title="在教育工作座谈会上的讲话",
        body="老师们,同学们:\n教育是国之大计;要办好人民满意的教育(尤其是农村教育),让每个孩子都有书读.",
    )
    draft = make_speech(title="春耕备耕讲话（草稿）", body="春耕备耕草稿：防汛与农机。", status=Speech.DRAFT)
    withdrawn = make_speech(title="已撤回的防汛讲话", body="防汛抗旱，撤回的文本。", status=Speech.WITHDRAWN,
                            region=hebei, year=2015)
    copy = make_speech(title=spring.title, body=spring.body + "（另一版本）", region=shijiazhuang, year=2019)
    copy.merged_into = spring
    copy.save()
    meetings = [
        make_speech(
            title=f"安全生产例会讲话（第{number}次）" if number % 2 else f"安全生产例会讲话(第{number}次)",
            body=f"同志们：\n第{number}次安全生产例会，要抓好安全生产；隐患要排查到位。"
            if number % 2 else f"同志们:\n第{number}次安全生产例会,安全生产不能松懈;隐患排查要到位.",
            region=hebei if number % 3 else beijing, date=date(2000 + number, 5, 1), year=2000 + number,
        )
        for number in range(1, ROUTINE_MEETINGS + 1)
    ]
    search.process_pending(blocking=True)
    settings.SEARCH_INDEX_UPDATES = "immediate"
    speeches = {
        "spring": spring, "machines": machines, "flood_2015": flood_2015, "flood_2010": flood_2010,
        "report": report, "schools": schools, "draft": draft, "withdrawn": withdrawn, "copy": copy,
    }
    return {**speeches, "meetings": meetings, "governor": governor, "mayor": mayor,
            "hebei": hebei, "shijiazhuang": shijiazhuang, "beijing": beijing}


def listed_in_database(needles=(), excluded=(), **filters):
    """Ids of published, not merged speeches whose folded title or text holds every needle
    and none of the excluded, among those `filters` (Django lookups) keep."""
    found = set()
    for speech in Speech.objects.published().not_merged().filter(**filters):
        text = matchable(speech.title) + "\n" + matchable(speech.body)
        if all(matchable(n) in text for n in needles) and not any(matchable(n) in text for n in excluded):
            found.add(speech.pk)
    return found


def every_hit(params):
    """[(speech id, tier)] of every page of a search, in order."""
    hits, page = [], 1
    while True:
        results = search.search({**params, "page": str(page)})
        hits.extend((hit.speech.pk, hit.tier) for hit in results.hits)
        if not results.has_next:
            return hits
        page += 1


def found_ids(params):
    return {speech_id for speech_id, _tier in every_hit(params)}


def exact_ids(params):
    """The speeches listed as holding the query as typed (a query no speech holds so is
    read as words, and its words may be held elsewhere: tiers.py)."""
    return {speech_id for speech_id, tier in every_hit(params) if tier == tiers.EXACT}


def test_the_backend_configured_is_the_one_under_test(configured):
    engine = backend.current()
    assert f"{type(engine).__module__}.{type(engine).__name__}" == configured
    assert isinstance(engine, backend.SearchBackend)


def test_a_phrase_finds_exactly_the_speeches_holding_it(archive):
    for phrase in ("春耕备耕", "不误农时", "防汛抗旱", "水库安全", "安全生产例会"):
        expected = listed_in_database([phrase])
        assert expected, phrase
        assert found_ids({"q": phrase}) == expected, phrase
        assert search.matching_ids({"q": phrase}) == expected, phrase
    # Punctuation of either width finds text written with either.
    assert found_ids({"q": '"（特别是水库安全）"'}) == {archive["flood_2015"].pk}
    assert found_ids({"q": '"同志们:"'}) == found_ids({"q": '"同志们："'}) == listed_in_database(["同志们:"])
    assert len(listed_in_database(["同志们:"])) > ROUTINE_MEETINGS


def test_a_phrase_held_by_no_speech_finds_nothing_and_says_so(archive):
    results = search.search({"q": '"月球基地"'})

    assert results.total == 0 and results.hits == []
    assert search.matching_ids({"q": '"月球基地"'}) == set()


def test_words_are_all_required_or_one_of_alternatives_and_exclusions_remove(archive):
    assert found_ids({"q": "防汛 水库"}) == listed_in_database(["防汛", "水库"])
    either = listed_in_database(["春耕"]) | listed_in_database(["教育"])
    assert found_ids({"q": "春耕 OR 教育"}) == either
    assert found_ids({"q": "防汛 -水库"}) == listed_in_database(["防汛"], excluded=["水库"])
    assert found_ids({"q": "防汛 -水库"}) == {archive["report"].pk}


def test_filters_keep_the_speeches_of_a_region_topic_year_kind_and_person(archive):
    published = Speech.objects.published().not_merged()
    cases = [
        ({"region": "13"}, published.filter(region__code__startswith="13")),
        ({"region": "1301"}, published.filter(region__code__startswith="1301")),
        ({"topic": "flood-contract"}, published.filter(topics__slug="flood-contract")),
        ({"year": "2015-2019"}, published.filter(year__gte=2015, year__lte=2019)),
        ({"year": "2010"}, published.filter(year=2010)),
        ({"kind": Speech.WORK_REPORT}, published.filter(kind=Speech.WORK_REPORT)),
        ({"speaker": str(archive["governor"].pk)}, published.filter(speaker=archive["governor"])),
        ({"official": str(archive["governor"].pk)},
         published.filter(pk__in=[archive["flood_2015"].pk, archive["report"].pk])),
    ]
    for params, expected in cases:
        expected = set(expected.values_list("pk", flat=True))
        assert expected, params
        assert found_ids(params) == expected, params
        assert search.matching_ids(params) == expected, params
    with_words = {"q": "防汛", "region": "13", "year": "2010-2015"}
    assert found_ids(with_words) == {archive["flood_2010"].pk, archive["flood_2015"].pk}


def test_facet_counts_equal_the_databases_counts_of_the_speeches_listed(archive):
    for params in ({"q": "防汛"}, {"q": "农业生产"}, {"q": "同志们"}, {"region": "13"}):
        results = search.search(params)
        listed = Speech.objects.filter(pk__in=found_ids(params)).select_related("region", "speaker")
        regions, topics, years, officials, speakers = {}, {}, {}, {}, {}
        for speech in listed:
            if speech.region:
                top = speech.region.ancestors()[0].code if not params.get("region") else None
                if top:
                    regions[top] = regions.get(top, 0) + 1
            for slug in speech.topics.values_list("slug", flat=True):
                topics[slug] = topics.get(slug, 0) + 1
            if speech.known_year:
                years[speech.known_year] = years.get(speech.known_year, 0) + 1
            people = set(speech.citations.values_list("official_id", flat=True)) | (
                {speech.speaker_id} if speech.speaker_id else set()
            )
            for person in people:
                officials[person] = officials.get(person, 0) + 1
            if speech.speaker_id:
                speakers[speech.speaker_id] = speakers.get(speech.speaker_id, 0) + 1

        facets = results.facets
        assert results.total == len(listed), params
        if not params.get("region"):
            assert {f["code"]: f["count"] for f in facets["region"]} == regions, params
        assert {f["slug"]: f["count"] for f in facets["topic"]} == topics, params
        assert {f["year"]: f["count"] for f in facets["year"]} == years, params
        assert {f["id"]: f["count"] for f in facets["official"]} == officials, params
        assert {f["id"]: f["count"] for f in facets["speaker"]} == speakers, params


def test_the_region_facet_under_a_region_filter_counts_the_level_below(archive):
    results = search.search({"q": "防汛", "region": "13"})

    assert {f["code"]: f["count"] for f in results.facets["region"]} == {"1301": 1}


def test_date_order_lists_newest_or_oldest_first_with_undated_speeches_last(archive):
    def day(speech):
        return speech.date or date(speech.known_year, 1, 1) if speech.known_year else None

    expected = sorted(Speech.objects.filter(pk__in=listed_in_database(["讲话"])), key=lambda s: s.pk)
    dated = [s for s in expected if day(s)]
    undated = [s.pk for s in expected if not day(s)]
    newest = [s.pk for s in sorted(dated, key=day, reverse=True)]
    oldest = [s.pk for s in sorted(dated, key=day)]

    assert [pk for pk, _ in every_hit({"q": "讲话", "sort": "newest"})] == newest + undated
    assert [pk for pk, _ in every_hit({"q": "讲话", "sort": "oldest"})] == oldest + undated
    assert undated == [archive["schools"].pk]


def test_pages_split_the_listing_without_overlap_or_loss(archive):
    for sort in ("relevance", "newest", "oldest"):
        first = search.search({"q": "安全生产", "sort": sort})
        second = search.search({"q": "安全生产", "sort": sort, "page": "2"})
        beyond = search.search({"q": "安全生产", "sort": sort, "page": "3"})

        assert first.total == second.total == ROUTINE_MEETINGS
        assert len(first.hits) == search.PER_PAGE
        assert len(second.hits) == ROUTINE_MEETINGS - search.PER_PAGE
        assert beyond.hits == [] and beyond.total == ROUTINE_MEETINGS
        pages = [hit.speech.pk for hit in first.hits + second.hits]
        assert len(set(pages)) == len(pages)
        assert set(pages) == {speech.pk for speech in archive["meetings"]}
    relevance = [hit.score for hit in search.search({"q": "安全生产"}).hits]
    assert relevance == sorted(relevance, reverse=True)


def test_drafts_withdrawn_speeches_and_merged_copies_are_never_listed(archive):
    hidden = {archive["draft"].pk, archive["withdrawn"].pk, archive["copy"].pk}
    for params in ({"q": "春耕备耕"}, {"q": "防汛"}, {"q": "另一版本"}, {"q": "草稿"}, {"region": "13"},
                   {"year": "2015"}, {"q": "撤回的文本"}):
        assert not found_ids(params) & hidden, params
        assert not search.matching_ids(params) & hidden, params
    assert exact_ids({"q": "另一版本"}) == set()
    assert search.search({"q": "防汛", "year": "2015"}).total == 1


def test_saved_edits_and_deletions_are_found_at_once(archive):
    schools = archive["schools"]
    schools.body += "职业教育要面向乡村振兴。"
    schools.save()
    assert exact_ids({"q": "职业教育"}) == {schools.pk}

    schools.status = Speech.WITHDRAWN
    schools.save()
    assert exact_ids({"q": "职业教育"}) == set()

    archive["flood_2010"].delete()
    assert exact_ids({"q": "防汛物资"}) == set()
    assert search.matching_ids({"q": "防汛"}) == listed_in_database(["防汛"])

    new = make_speech(title="全市防汛物资调度会讲话", body="同志们:\n防汛物资要调度到位.", year=2022)
    assert exact_ids({"q": "防汛物资"}) == {new.pk}
    assert search.check().ok


def test_changes_left_in_the_queue_are_applied_by_process_pending(archive, settings):
    settings.SEARCH_INDEX_UPDATES = "queue"
    queued = make_speech(title="排队中的讲话", body="秋收冬种工作要早谋划。")
    assert exact_ids({"q": "秋收冬种"}) == set()

    assert search.process_pending(blocking=True) >= 1
    assert exact_ids({"q": "秋收冬种"}) == {queued.pk}


def answers():
    """What the archive's searches answer, everything a page or the API shows of them."""
    found = {}
    for params in ({"q": "防汛"}, {"q": "春耕 OR 教育"}, {"q": "防汛 -水库"}, {"q": "安全生产", "sort": "oldest"},
                   {"q": "安全生产", "page": "2"}, {"q": "农业生产的基础在哪里"}, {"region": "13"},
                   {"q": "同志", "sort": "newest", "official": ""}):
        results = search.search(params)
        found[str(params)] = (
            results.total, results.tiers, results.facets,
            [(hit.speech.pk, hit.tier, hit.score, hit.matched, hit.missing, str(hit.snippet)) for hit in results.hits],
            search.matching_ids(params),
        )
    return found


def test_a_rebuild_answers_as_the_index_kept_by_updates_did(archive):
    before, signatures = answers(), backend.current().signatures()

    assert search.rebuild() == Speech.objects.count()

    assert answers() == before
    assert backend.current().signatures() == signatures
    assert backend.current().entry_count() == Speech.objects.count()
    assert search.index_state() == search.CURRENT


def test_the_drift_check_finds_missing_stale_and_extra_entries_and_repairs_them(archive, settings):
    settings.SEARCH_INDEX_UPDATES = "queue"
    # Writes that send no signals, and a queue lost: the index is not told.
    (missing,) = Speech.objects.bulk_create(
        [Speech(uid="contractmissing", title="没进索引的讲话", body="绕过队列的文本。", content_hash="x")]
    )
    stale = archive["machines"]
    Speech.objects.filter(pk=stale.pk).update(body="悄悄改过的文本。")
    gone = archive["schools"]
    gone_id = gone.pk
    gone.delete()
    PendingIndexUpdate.objects.all().delete()

    assert search.index_state() == search.UNSURE
    drift = search.check()
    assert (drift.missing, drift.stale, drift.extra) == ([missing.pk], [stale.pk], [gone_id])
    assert exact_ids({"q": "绕过队列"}) == set()
    assert exact_ids({"q": "农机合作社"}) == {stale.pk}  # the old text, still indexed

    search.check(repair=True)

    assert search.check().ok
    assert search.index_state() == search.CURRENT
    assert exact_ids({"q": "绕过队列"}) == {missing.pk}
    assert exact_ids({"q": "悄悄改过"}) == {stale.pk}
    assert exact_ids({"q": "农机合作社"}) == set()
    assert backend.current().signatures([gone_id]) == {}


def test_stored_signatures_are_those_of_the_speeches_as_written(archive):
    from speeches.search.indexing import _speeches, document_signature

    expected = {speech.pk: document_signature(speech) for speech in _speeches()}
    assert backend.current().signatures() == expected
    some = [archive["spring"].pk, archive["copy"].pk]
    assert backend.current().signatures(some) == {pk: expected[pk] for pk in some}


def test_more_like_this_finds_speeches_sharing_key_words_never_the_speech_itself(archive):
    spring, machines = archive["spring"], archive["machines"]
    hidden = {archive["draft"].pk, archive["copy"].pk, archive["withdrawn"].pk}

    similar = backend.current().similar_ids(spring, 5)

    assert similar[0] == machines.pk
    assert spring.pk not in similar and not hidden & set(similar)
    related = search.related_speeches(spring, limit=5)
    assert related[0] == machines
    assert spring not in related and not hidden & {speech.pk for speech in related}


def test_term_trends_count_what_the_published_texts_hold(archive):
    trends = search.term_trends(["防汛", "农机"], {})
    published = Speech.objects.published().not_merged()
    for trend in trends.terms:
        counts = {s.pk: matchable(s.body).count(trend.needle) for s in published}
        assert trend.occurrences == sum(counts.values()), trend.term
        assert trend.speeches == sum(1 for n in counts.values() if n), trend.term


def test_an_archive_never_indexed_answers_nothing_without_failing(configured, settings):
    settings.SEARCH_INDEX_UPDATES = "queue"
    make_speech(title="尚未索引的讲话", body="防汛。")

    assert search.search({"q": "防汛"}).total == 0
    assert search.matching_ids({"q": "防汛"}) == set()
    assert search.index_state() == search.MISSING
