"""Fuzzing (hypothesis): whatever is typed into the search box or put in a query string or
an address — random unicode, control characters, operators, quotes, huge inputs, broken
percent escapes, NUL — the query parser never raises and no page, API answer or feed is a
server error, on SQLite and on PostgreSQL (which cannot look up text holding NUL)."""

import xml.etree.ElementTree as ET
from urllib.parse import quote, quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from speeches.search import SearchRequest
from speeches.search.query import MAX_QUERY_CHARS, MAX_TERMS, parse
from tests.factories import make_speech

OPERATORS = ['"', "“", "”", "「", "」", "-", "－", "+", "OR", "|", "｜", "AND", "NOT", "(", ")", "*", "?", "~", "^", ":", "\\", "/", "%", "&", "=", "#"]
CONTROLS = [chr(c) for c in (*range(0x00, 0x20), 0x7F, 0x85, 0x200B, 0x200E, 0x2028, 0xFEFF, 0xFFFE, 0xFFFF)]

pieces = st.one_of(
    st.text(max_size=20),
    st.sampled_from(OPERATORS + CONTROLS + ["防汛", "知识产权", "知識產權", "国", " ", "\u3000"]),
)
# Typed queries: words, operators and control characters in any order, sometimes huge.
queries = st.one_of(
    st.lists(pieces, max_size=30).map("".join),
    st.builds(lambda chunk, times: chunk * times, st.text(min_size=1, max_size=8), st.integers(100, 5000)),
)
param_values = st.one_of(queries, st.integers(-10, 10**12).map(str), st.sampled_from(["", "2008", "2000-2010", "0", "62", "unknown"]))
PARAMS = ("q", "region", "topic", "official", "year", "kind", "sort", "page", "format")
param_dicts = st.dictionaries(st.sampled_from(PARAMS), param_values, max_size=len(PARAMS))
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


@FUZZ
@given(queries)
def test_the_query_parser_reads_anything_without_raising(text):
    query = parse(text)
    assert len(query.clauses) + len(query.excluded) <= MAX_TERMS
    for literal in query.positive + query.excluded:
        assert literal.needle and len(literal.text) <= MAX_QUERY_CHARS
    assert isinstance(str(query), str)
    assert query.is_empty or query.positive


@FUZZ
@given(param_dicts)
def test_the_search_form_accepts_any_parameters(params):
    request = SearchRequest.from_params(params)
    assert request.sort in ("relevance", "newest", "oldest")
    assert request.page >= 1


@pytest.fixture
def archive(db, settings):
    settings.SEARCH_INDEX_UPDATES = "immediate"
    make_speech(title="在全县防汛工作会议上的讲话", body="同志们:\n今年防汛形势严峻。\n知识产权工作也要抓好。")
    # An imported text with the control characters the importer lets through.
    make_speech(title="关于\x0b防汛\x0c的讲话", body="第一段\x0c防汛。\n第二段\x01\x1f结束。")


def assert_no_server_error(response, path):
    assert response.status_code < 500, (path, response.status_code)
    if path.startswith("/feeds/") and response.status_code == 200:
        ET.fromstring(response.content)


@FUZZ
@given(params=param_dicts)
def test_search_page_api_and_feed_never_answer_with_a_server_error(client, archive, params):
    for path in ("/search/", "/api/search/", "/feeds/search/", "/api/speeches/", "/speeches/", "/api/officials/"):
        assert_no_server_error(client.get(path, params), path)


# Addresses that carry a value into a database lookup.
PATH_TEMPLATES = (
    "/speeches/{}/", "/speeches/{}/export.txt", "/api/speeches/{}/", "/regions/{}/", "/feeds/regions/{}/",
    "/topics/{}/", "/years/{}/", "/officials/{}/", "/sources/{}/",
)


@FUZZ
@given(value=st.one_of(queries, st.sampled_from(["%00", "\x00", "0", "-1", "99999999999999999999", "..", "%"])))
def test_values_in_the_address_never_answer_with_a_server_error(client, archive, value):
    for template in PATH_TEMPLATES:
        path = template.format(quote(value, safe=""))
        assert_no_server_error(client.get(path), path)


@pytest.mark.parametrize(
    "url",
    ["/regions/%00/", "/speeches/%00/", "/api/speeches/%00/", "/api/speeches/?region=%00", "/api/speeches/?topic=a%00",
     "/search/?q=x&region=%00", "/api/search/?q=x&topic=%00", "/feeds/regions/%00/", "/feeds/search/?q=x&year=%00",
     "/speeches/?page=%00", "/api/officials/?q=%00", "/speeches/%00/export.txt"],
)
def test_a_nul_character_in_the_address_is_refused_as_a_bad_request(client, archive, url):
    # PostgreSQL cannot store or compare text holding NUL: looked up, it would be a 500.
    response = client.get(url)
    assert response.status_code == 400
    if url.startswith("/api/"):
        assert "空字符" in response.json()["error"]
    else:
        assert "空字符" in response.content.decode()


def test_a_nul_character_typed_in_the_search_box_separates_words(client, archive):
    for path in ("/search/", "/feeds/search/"):
        assert client.get(path, {"q": "防汛\x00形势"}).status_code == 200, path
    typed = client.get("/api/search/", {"q": "防汛\x00形势"}).json()
    spaced = client.get("/api/search/", {"q": "防汛 形势"}).json()
    found = [hit["title"] for hit in typed["results"]]
    assert found == ["在全县防汛工作会议上的讲话"]
    assert found == [hit["title"] for hit in spaced["results"]]


@pytest.mark.parametrize(
    "params",
    [{"page": "²"}, {"page": "١٢"}, {"page": "1" * 5000}, {"official": "²"}, {"official": "9" * 5000}, {"year": "٢٠٠٨"}],
    ids=["superscript-page", "arabic-page", "huge-page", "superscript-official", "huge-official", "arabic-year"],
)
def test_numbers_python_cannot_read_are_ignored_not_a_server_error(client, archive, params):
    for path in ("/search/", "/api/search/", "/feeds/search/"):
        assert client.get(path, {"q": "防汛", **params}).status_code == 200, (path, params)


def test_a_nul_character_in_a_form_is_refused_as_a_bad_request(client, archive):
    response = client.post("/admin/login/", {"username": "curator\x00", "password": "x"})
    assert response.status_code == 400


@FUZZ
@given(raw=st.binary(max_size=200))
def test_raw_query_strings_with_broken_escapes_never_answer_with_a_server_error(client, archive, raw):
    for path in ("/search/", "/api/search/", "/feeds/search/"):
        url = f"{path}?q={quote_from_bytes(raw)}&region={quote_from_bytes(raw[::-1])}"
        assert_no_server_error(client.get(url), path)


def test_feeds_carry_texts_with_control_characters(client, archive):
    for path in ("/feeds/latest/", "/feeds/search/?q=%E9%98%B2%E6%B1%9B%01"):
        response = client.get(path)
        assert response.status_code == 200, path
        titles = [item.findtext("title") for item in ET.fromstring(response.content).iter("item")]
        assert "关于 防汛 的讲话" in titles
