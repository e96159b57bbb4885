"""Bad input to the search page and API: a clear message or a sensible reading,
never a server error."""

import pytest

from speeches import search
from speeches.search.query import MAX_QUERY_CHARS, parse
from tests.factories import make_speech

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def speeches(settings):
    settings.SEARCH_INDEX_UPDATES = "immediate"
    make_speech(title="防汛工作讲话", body="防汛工作要抓紧,抗旱也不能放松。")


@pytest.mark.parametrize(
    "query",
    ["", "   ", "OR", "-", "+", '"', '""', "“”", "OR OR -", "- OR |", "\x00\x01\x7f", "\u200b\ufeff"],
)
def test_empty_or_operator_only_queries_get_a_message_on_the_page_and_the_api(client, query):
    page = client.get("/search/", {"q": query})
    api = client.get("/api/search/", {"q": query})

    assert page.status_code == 200
    assert "请输入" in page.content.decode()
    assert api.status_code == 200
    assert api.json()["total"] == 0
    assert any("请输入" in note for note in api.json()["notes"])


def test_exclusions_alone_ask_for_a_word_to_look_for():
    results = search.search({"q": "-防汛 -抗旱"})

    assert results.total == 0
    assert any("排除" in note for note in results.notes)


def test_an_unbalanced_quote_reads_the_rest_as_a_phrase():
    results = search.search({"q": '"防汛 工作'})

    assert results.total == 1
    assert any("引号" in note for note in results.notes)
    assert "<mark>防汛工作</mark>" in results.hits[0].snippet


def test_a_ten_thousand_character_query_is_cut_and_explained(client):
    query = "防汛工作" + "很" * 9996

    response = client.get("/api/search/", {"q": query})

    assert response.status_code == 200
    answer = response.json()
    assert any(str(MAX_QUERY_CHARS) in note for note in answer["notes"])
    assert len(parse(query).clauses[0][0].needle) == MAX_QUERY_CHARS
    # No text holds the cut query as typed: the speech is found by its words, 很 missing.
    assert [tier["tier"] for tier in answer["tiers"]] == ["some_words"]
    assert any("以下结果不含：很" in note for note in answer["notes"])


def test_a_long_query_of_many_words_keeps_the_first_ones():
    results = search.search({"q": " ".join(["防汛"] * 500)})

    assert results.total == 1
    assert results.notes


def test_control_characters_separate_words_instead_of_breaking_the_search(client):
    response = client.get("/api/search/", {"q": "防汛\x00抗旱\x1f\u200b"})

    assert response.status_code == 200
    assert response.json()["total"] == 1


@pytest.mark.parametrize(
    "params",
    [
        {"q": "防汛", "page": "abc"},
        {"q": "防汛", "page": "-3"},
        {"q": "防汛", "page": "999999999999"},
        {"q": "防汛", "sort": "random"},
        {"q": "防汛", "year": "二〇〇八"},
        {"q": "防汛", "year": "2008-"},
        {"q": "防汛", "region": "<script>alert(1)</script>"},
        {"q": "防汛", "topic": "x" * 500},
        {"q": "防汛", "official": "abc"},
        {"q": "防汛", "kind": "poem"},
    ],
)
def test_bad_parameters_are_never_a_server_error(client, params):
    page = client.get("/search/", params)
    api = client.get("/api/search/", params)

    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.content.decode()
    assert api.status_code == 200
    assert set(api.json()) >= {"query", "total", "page", "results", "facets"}


def test_a_page_past_the_end_says_so(client):
    response = client.get("/search/", {"q": "防汛", "page": "5"})

    assert response.status_code == 200
    assert "没有第 5 页" in response.content.decode()


def test_repeated_parameters_use_the_last_value(client):
    response = client.get("/api/search/?q=抗旱&q=防汛&page=1&page=x")

    assert response.status_code == 200
    assert response.json()["query"] == "防汛"
