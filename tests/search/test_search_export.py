"""Search results taken away: every match as streamed CSV or JSON, and any search as a feed."""

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest

from speeches.models import Official, Speech
from tests.factories import make_region, make_speech

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("index_at_once")]


@pytest.fixture
def speeches():
    region = make_region("62", "甘肃省")
    found = [
        make_speech(title=f"防汛会议讲话{n}", body=f"同志们:\n防汛物资第{n}批,要\"备足\"<b>。", year=2000 + n, region=region)
        for n in range(25)
    ]
    make_speech(title="教育工作会议讲话", body="同志们:\n办好教育。", year=2010)
    make_speech(title="撤回的防汛讲话", body="防汛物资。", status=Speech.WITHDRAWN)
    return found


def streamed(response):
    return b"".join(response.streaming_content).decode("utf-8")


def test_csv_export_streams_every_match_not_just_a_page(client, speeches):
    response = client.get("/api/search/", {"q": "防汛物资", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["X-Total-Count"] == "25"
    rows = list(csv.DictReader(io.StringIO(streamed(response).lstrip("\ufeff"))))
    assert len(rows) == 25
    assert rows[0]["year"] == "2024"  # newest first
    assert rows[0]["region_name"] == "甘肃省"
    assert rows[0]["speaker_name"] == "" and rows[0]["speaker_title"] == ""
    assert '"备足"<b>' in rows[0]["text"]
    assert {r["id"] for r in rows} == {s.uid for s in speeches}


def test_json_export_is_one_valid_document_with_filters_applied(client, speeches):
    response = client.get("/api/search/", {"q": "防汛", "year": "2000-2004", "format": "json"})
    data = json.loads(streamed(response))
    assert data["query"] == "防汛"
    assert sorted(r["year"] for r in data["results"]) == [2000, 2001, 2002, 2003, 2004]
    assert all(r["url"].startswith("http://testserver/speeches/") for r in data["results"])


def test_exports_name_the_speaker_with_the_title_the_speech_gives(client, speeches):
    person = Official.objects.create(name="赵明远", title="副市长")
    make_speech(title="防汛讲话", body="防汛物资要备足。", speaker=person, speaker_title="云溪市市长")

    data = json.loads(streamed(client.get("/api/search/", {"q": "防汛", "speaker": str(person.pk), "format": "json"})))

    assert [(r["speaker_name"], r["speaker_title"]) for r in data["results"]] == [("赵明远", "云溪市市长")]


def test_export_of_a_search_that_finds_nothing_is_empty_not_an_error(client, speeches):
    data = json.loads(streamed(client.get("/api/search/", {"q": "不存在的词语", "format": "json"})))
    assert data["results"] == []


def test_any_search_is_a_feed_of_its_newest_matches(client, speeches):
    response = client.get("/feeds/search/", {"q": "防汛物资"})
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    titles = [item.findtext("title") for item in root.iter("item")]
    assert len(titles) == 25
    assert "撤回的防汛讲话" not in titles and "教育工作会议讲话" not in titles
    assert "q=%E9%98%B2" in root.find("channel").findtext("link")


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_neutralised(client):
    make_speech(title="=HYPERLINK(\"http://evil.example\",\"防汛\")", body="@SUM(A1:A9) 防汛物资")
    make_speech(title="+1-2 防汛", body="-3+4 防汛物资")
    make_speech(title="\t=1+1 防汛", body="\r=2+2 防汛物资")
    make_speech(title="防汛物资讲话", body="同志们:\n防汛物资到位。")

    response = client.get("/api/search/", {"q": "防汛物资", "format": "csv"})

    rows = list(csv.DictReader(io.StringIO(streamed(response).lstrip("\ufeff"))))
    cells = {cell for row in rows for field, cell in row.items() if field in ("title", "text")}
    assert {cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")} == set()
    assert "'=HYPERLINK(\"http://evil.example\",\"防汛\")" in cells
    assert "'@SUM(A1:A9) 防汛物资" in cells and "'-3+4 防汛物资" in cells and "'+1-2 防汛" in cells
    assert "'\t=1+1 防汛" in cells and "'\r=2+2 防汛物资" in cells
    # Ordinary text is left as it is, and the JSON export is not a spreadsheet: untouched.
    assert "防汛物资讲话" in cells
    exported = json.loads(streamed(client.get("/api/search/", {"q": "防汛物资", "format": "json"})))
    assert "=HYPERLINK(\"http://evil.example\",\"防汛\")" in {item["title"] for item in exported["results"]}
