"""Term trends: occurrences per year and province counted from the index equal a count
over the texts themselves, on our own speeches and on the national reports 1954–2025;
the page draws them without script, the API gives them as JSON and CSV."""

import csv
import io
import json

import opencc
import pytest
from django.test import override_settings

from speeches import search
from speeches.identity import content_hash
from speeches.models import PendingIndexUpdate, PendingPassageUpdate, Region, Speech
from speeches.search.trends import term_trends
from tests.conftest import shared_path
from tests.factories import make_region, make_speech
from tests.search.test_search_recall import REPORTS, _without_whitespace, truth_fold

_s2t = opencc.OpenCC("s2t")


def brute_count(text, term):
    """Non-overlapping occurrences of term in text, folded and without whitespace,
    computed without speeches.search."""
    return _without_whitespace(truth_fold(text)).count(_without_whitespace(truth_fold(term)))


def by_year(trends, term):
    (trend,) = [t for t in trends.terms if t.term == term]
    return {y.year: y for y in trend.years}


@pytest.fixture
def speeches(db, settings):
    settings.SEARCH_INDEX_UPDATES = "immediate"
    henan = make_region("41", "河南省")
    county = make_region("411628", "鹿邑县", level="county", parent=henan)
    national = Region.objects.get(code=Region.NATIONAL_CODE)
    return [
        # Half-width punctuation, a line break inside the phrase.
        make_speech(title="甲", body="同志们:\n要坚持改革开放,改革\n开放是强国之路。", year=2001, region=county),
        # Full-width punctuation and ideographic spaces, traditional characters.
        make_speech(title="乙", body="各位代表：\n堅持改革開放，擴大改革　開放。\n哈哈哈。", year=2001, region=national,
                    kind=Speech.WORK_REPORT),
        make_speech(title="丙", body="同志们：\n推动高质量发展，高质量发展是首要任务。", year=2003, region=county),
        make_speech(title="改革开放", body="同志们：\n今天不谈这个。", year=2003, region=county),
        make_speech(title="丁", body="同志们：\n改革开放。", year=None, region=county),
        make_speech(title="戊", body="同志们：\n改革开放以来。", year=2002, status=Speech.DRAFT),
    ]


def test_trend_counts_literal_occurrences_across_line_breaks_and_traditional_forms(speeches):
    trends = term_trends(["改革开放", "高质量发展"], {})
    reform = by_year(trends, "改革开放")
    assert [(y, c.occurrences, c.speeches, c.speeches_in_year) for y, c in reform.items()] == [
        (2001, 4, 2, 2), (2003, 0, 0, 2)
    ]
    (trend,) = [t for t in trends.terms if t.term == "改革开放"]
    # The undated speech counts apart; the title of 改革开放 and the draft do not count.
    assert (trend.undated_occurrences, trend.occurrences, trend.speeches) == (1, 5, 3)
    quality = by_year(trends, "高质量发展")
    assert quality[2003].occurrences == 2 and quality[2003].share == 0.5


def test_per_10k_chars_divides_by_the_years_characters_as_matching_counts_them(speeches):
    trends = term_trends(["改革开放"], {})
    year = by_year(trends, "改革开放")[2001]
    chars = sum(len(_without_whitespace(truth_fold(s.body))) for s in speeches[:2])
    assert year.chars_in_year == chars
    assert year.per_10k_chars == pytest.approx(4 * 10000 / chars)


def test_a_traditional_query_and_overlapping_repeats_count_as_in_the_text(speeches):
    trends = term_trends(["改革開放", "哈哈"], {})
    assert by_year(trends, "改革開放")[2001].occurrences == 4
    # 哈哈 occurs once in 哈哈哈, as str.count counts it.
    assert by_year(trends, "哈哈")[2001].occurrences == 1


def test_trends_take_the_search_filters_and_count_per_province(speeches):
    trends = term_trends(["改革开放"], {"kind": Speech.WORK_REPORT})
    assert by_year(trends, "改革开放")[2001].occurrences == 2
    trends = term_trends(["改革开放"], {"region": "41"})
    assert by_year(trends, "改革开放")[2001].occurrences == 2
    (trend,) = term_trends(["改革开放"], {}).terms
    assert {code: (p.occurrences, p.speeches) for code, p in trend.places.items()} == {
        "41": (3, 2), Region.NATIONAL_CODE: (2, 1)
    }


def test_terms_are_read_without_quotes_duplicates_or_blanks_and_at_most_six():
    trends = term_trends(['"改革"', "改革", " ", *[f"词{n}" for n in range(8)]], {})
    assert trends.terms == [] and any("最多" in note for note in trends.notes)


def test_trends_page_draws_an_svg_chart_linking_points_to_the_search_and_a_table(client, speeches):
    response = client.get("/trends/", {"q": ["改革开放", "高质量发展"]})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html and "<script" not in html.split("</header>", 1)[1]
    assert 'href="/search/?q=%22%E6%94%B9%E9%9D%A9%E5%BC%80%E6%94%BE%22&amp;year=2001"' in html
    assert "<table" in html and "style=" not in html
    # The map of the provinces for the first term.
    assert "province-map" in html
    response = client.get("/trends/", {"q": "改革开放", "measure": "per10k"})
    assert "每万字出现次数" in response.content.decode()


def test_trends_api_answers_json_and_neutralised_csv(client, speeches):
    response = client.get("/api/trends/", {"q": ["改革开放", "=HYPERLINK()"]})
    assert response.status_code == 200
    data = response.json()
    first = data["terms"][0]
    assert first["term"] == "改革开放"
    assert first["years"][0] == {
        "year": 2001, "occurrences": 4, "speeches": 2, "per_10k_chars": first["years"][0]["per_10k_chars"],
        "speeches_in_year": 2, "share": 1.0,
    }
    response = client.get("/api/trends/", {"q": ["改革开放", "=HYPERLINK()"], "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["term", "year", "occurrences", "speeches"]
    assert {row[0] for row in rows[1:]} == {"改革开放", "'=HYPERLINK()"}
    response = client.get("/api/trends/")
    assert response.status_code == 200 and response.json()["terms"] == [] and response.json()["notes"]


@pytest.fixture(scope="module")
def national_reports(django_db_setup, django_db_blocker, tmp_path_factory):
    """The national reports 1954–2025 bulk created (national, dated by their year) and indexed."""
    path = shared_path(*REPORTS)
    index_dir = tmp_path_factory.mktemp("trends") / "index"
    with django_db_blocker.unblock(), override_settings(SEARCH_INDEX_DIR=index_dir, SEARCH_INDEX_UPDATES="queue"):
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        created = Speech.objects.bulk_create(
            Speech(
                uid=f"t{number:03d}{content_hash(row['title'] + row['content'])[:12]}",
                title=row["title"],
                body=row["content"],
                content_hash=content_hash(row["title"] + row["content"]),
                year=int(row["year"]) if row.get("year") else None,
                kind=Speech.WORK_REPORT,
            )
            for number, row in enumerate(rows)
        )
        search.rebuild()
        yield index_dir, created
        ids = [s.pk for s in created]
        Speech.objects.filter(pk__in=ids).delete()
        # What the deletion queued and recorded, committed outside any test: later tests
        # expect empty queues.
        PendingIndexUpdate.objects.filter(speech_id__in=ids).delete()
        PendingPassageUpdate.objects.filter(speech_id__in=ids).delete()
        Speech.history.filter(id__in=ids).delete()


@pytest.mark.shared
@pytest.mark.django_db
@pytest.mark.parametrize("term", ["改革开放", "高质量发展", "人民公社", "社会主义", "經濟建設", "科学 技术"])
def test_trend_counts_equal_a_count_over_the_national_reports_texts(national_reports, settings, term):
    index_dir, created = national_reports
    settings.SEARCH_INDEX_DIR = index_dir
    expected = {}
    for speech in created:
        if speech.year:
            n = brute_count(speech.body, term)
            occurrences, holding = expected.get(speech.year, (0, 0))
            expected[speech.year] = (occurrences + n, holding + (1 if n else 0))
    trends = term_trends([term], {})
    found = {y: (c.occurrences, c.speeches) for y, c in by_year(trends, term).items()}
    assert found == expected
    assert sum(n for n, _ in found.values()) > 0
    assert min(found) == 1954 and max(found) == 2025


@pytest.mark.shared
@pytest.mark.django_db
def test_a_traditional_form_query_counts_what_its_simplified_form_counts(national_reports, settings):
    settings.SEARCH_INDEX_DIR = national_reports[0]
    simplified = term_trends(["经济建设"], {}).terms[0]
    traditional = term_trends([_s2t.convert("经济建设")], {}).terms[0]
    assert traditional.term == "經濟建設"
    assert [y.occurrences for y in traditional.years] == [y.occurrences for y in simplified.years]
    assert traditional.occurrences > 100
