"""Searches typed as questions or runs of words: the speeches holding the query as typed,
else tiers of those holding all its words and some of them, never a silent zero
(speeches/search/tiers.py). Texts are our own, written with full-width punctuation
and with half-width."""

import datetime

import pytest

from speeches import search
from speeches.search import tiers
from tests.factories import make_speech

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("index_at_once")]


@pytest.fixture
def archive():
    return {
        "flood": make_speech(
            title="全县防汛工作会议讲话",
            body="同志们：\n今年汛期来得早，防汛物资要存放在乡镇仓库，水库除险加固要抓紧。",
            date=datetime.date(2019, 6, 1),
        ),
        "fire": make_speech(
            title="秋冬季防火工作讲话",
            body="同志们:\n防火检查要细,物资储备要足,巡查要到位。",
            date=datetime.date(2022, 11, 3),
        ),
        "reservoirs": make_speech(
            title="城区水库情况通报",
            body="本县共有大小水库十二座,城区有三座,汛前都已检查。",
            date=datetime.date(2021, 4, 9),
        ),
        # One word of the questions below in its title, none in its text.
        "title_only": make_speech(
            title="防汛物资",
            body="关于农业生产的一些意见:春耕要早,种子要好。",
            date=datetime.date(2023, 3, 1),
        ),
    }


def ids(results):
    return [hit.speech.pk for hit in results.hits]


def tier_names(results):
    return [tier["tier"] for tier in results.tiers]


@pytest.mark.parametrize("question", ["防汛物资存放在哪个仓库？", "防汛物资存放在哪个仓库?"])
def test_a_question_lists_the_speech_holding_all_its_words_first(archive, question):
    results = search.search({"q": question})

    assert tier_names(results) == [tiers.ALL_WORDS, tiers.SOME_WORDS]
    assert ids(results)[0] == archive["flood"].pk
    assert results.hits[0].tier == tiers.ALL_WORDS
    assert {hit.tier for hit in results.hits[1:]} == {tiers.SOME_WORDS}
    assert any("已按其中的词语查找" in note for note in results.notes)


def test_one_word_in_a_title_never_outranks_every_word_in_the_text(archive):
    results = search.search({"q": "防汛物资存放在仓库里吗，水库呢"})

    found = ids(results)
    assert found.index(archive["flood"].pk) < found.index(archive["title_only"].pk)


def test_partial_matches_come_under_a_notice_naming_the_words_not_found(archive):
    results = search.search({"q": "防汛物资存放在哪个粮库？"})

    assert tier_names(results) == [tiers.SOME_WORDS]
    assert results.total > 0
    assert "没有同时包含全部词语的讲话；以下结果不含：粮库。" in results.notes
    assert ids(results)[0] == archive["flood"].pk


def test_partial_matches_each_missing_a_different_word_are_explained_as_such(archive):
    results = search.search({"q": "水库防火"})  # no text holds both

    assert tier_names(results) == [tiers.SOME_WORDS]
    assert any("各含其中一部分" in note for note in results.notes)
    assert {tuple(hit.matched) for hit in results.hits} == {("水库",), ("防火",)}
    assert {tuple(hit.missing) for hit in results.hits} == {("防火",), ("水库",)}


def test_words_no_text_holds_at_all_are_said_so(archive):
    results = search.search({"q": "粮库在哪里扩建"})

    assert results.total == 0
    assert any("也没有讲话含有其中任何一个词语" in note for note in results.notes)


def test_an_unquoted_word_finds_every_speech_holding_it_literally_and_only_those(archive):
    results = search.search({"q": "物资"})

    assert tier_names(results) == [tiers.EXACT]
    assert set(ids(results)) == {archive["flood"].pk, archive["fire"].pk, archive["title_only"].pk}
    assert results.words is None


def test_text_found_as_typed_lists_only_the_speeches_holding_it(archive):
    results = search.search({"q": "水库除险加固"})

    assert ids(results) == [archive["flood"].pk]
    assert tier_names(results) == [tiers.EXACT]
    assert results.hits[0].matched == ["水库除险加固"]


def test_a_quoted_phrase_is_held_whole_or_not_at_all(archive):
    results = search.search({"q": '"防火物资" 储备'})  # the fire speech holds 防火 and 物资 apart

    assert tier_names(results) == [tiers.SOME_WORDS]
    assert results.hits[0].speech.pk == archive["fire"].pk
    assert results.hits[0].matched == ["储备"]
    assert results.hits[0].missing == ['"防火物资"']


def test_excluded_words_stay_excluded_from_the_word_tiers(archive):
    results = search.search({"q": "防汛物资存放在哪里 -水库"})

    assert results.total > 0
    assert archive["flood"].pk not in ids(results)
    assert archive["reservoirs"].pk not in ids(results)


def test_or_still_means_either(archive):
    results = search.search({"q": "粮库 OR 水库 城区"})

    assert ids(results) == [archive["reservoirs"].pk]
    assert tier_names(results) == [tiers.EXACT]


def test_counts_facets_exports_and_feeds_count_the_speeches_listed(archive, client):
    question = "防汛物资存放在哪个仓库？"
    results = search.search({"q": question})

    assert results.total == sum(tier["count"] for tier in results.tiers) == 3
    assert sum(item["count"] for item in results.facets["year"]) == results.total
    assert search.matching_ids({"q": question}) == set(ids(results))
    export = client.get("/api/search/", {"q": question, "format": "json"})
    assert export["X-Total-Count"] == "3"
    feed = client.get("/feeds/search/", {"q": question}).content.decode()
    assert all(speech.title in feed for speech in (archive["flood"], archive["fire"], archive["title_only"]))
    assert archive["reservoirs"].title not in feed


def test_date_order_keeps_the_tiers(archive):
    results = search.search({"q": "防汛物资存放在哪个仓库？", "sort": "newest"})

    assert ids(results)[0] == archive["flood"].pk  # the oldest, but the only one holding every word
    assert [hit.speech.date for hit in results.hits[1:]] == sorted(
        (hit.speech.date for hit in results.hits[1:]), reverse=True
    )
    assert all(hit.score is None for hit in results.hits)


def test_filters_narrow_the_tiers(archive):
    results = search.search({"q": "防汛物资存放在哪个仓库？", "year": "2022-2023"})

    assert set(ids(results)) == {archive["fire"].pk, archive["title_only"].pk}
    assert tier_names(results) == [tiers.SOME_WORDS]


def test_the_api_gives_the_tiers_and_each_hit_its_words(archive, client):
    answer = client.get("/api/search/", {"q": "防汛物资存放在哪个仓库？"}).json()

    assert [(t["tier"], t["count"]) for t in answer["tiers"]] == [("all_words", 1), ("some_words", 2)]
    assert answer["total"] == 3
    first = answer["results"][0]
    assert first["tier"] == "all_words"
    assert first["matched"] == ["防汛", "物资", "存放", "仓库"]
    assert all(result["matched"] for result in answer["results"])
    assert any("哪个" in note for note in answer["notes"])
