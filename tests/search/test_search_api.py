"""GET /api/search/: the JSON answer's field names are a contract."""

import datetime

import pytest

from speeches.models import Official, Region, Section
from tests.factories import make_region, make_speech, make_topic

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("index_at_once")]


@pytest.fixture
def speech():
    hebei = make_region("13", "河北省")
    county = make_region("130102", "长安区", Region.COUNTY, make_region("1301", "石家庄市", Region.PREFECTURE, hebei))
    body = "同志们:\n一、防汛工作\n防汛物资要备足。"
    speech = make_speech(title="防汛工作会议讲话", body=body, region=county, date=datetime.date(2019, 6, 1))
    speech.topics.add(make_topic("防汛抗旱", "flood-api"))
    Section.objects.create(speech=speech, order=1, number="一、", heading="防汛工作", level=1, start=body.index("一、"), end=len(body))
    return speech


def test_the_answer_has_the_documented_shape(client, speech):
    data = client.get("/api/search/", {"q": "防汛物资"}).json()

    assert data["query"] == "防汛物资"
    assert data["total"] == 1
    assert data["page"] == 1
    [result] = data["results"]
    assert set(result) >= {
        "id", "title", "url", "section_anchor", "snippet", "date", "region", "speaker", "topics", "score",
    }
    assert result["id"] == speech.uid
    assert result["title"] == "防汛工作会议讲话"
    assert result["url"] == speech.get_absolute_url()
    assert result["section_anchor"] == "s1"
    assert "<mark>防汛物资</mark>" in result["snippet"]
    assert result["date"] == "2019-06-01"
    assert result["region"] == {"code": "130102", "name": "长安区"}
    assert result["topics"] == [{"slug": "flood-api", "name": "防汛抗旱"}]
    assert result["speaker"] is None
    assert result["score"] > 0
    assert set(data["facets"]) == {"region", "topic", "year", "official", "speaker"}


def test_facets_use_the_documented_keys(client, speech):
    facets = client.get("/api/search/", {"q": "防汛"}).json()["facets"]

    assert {"code": "13", "name": "河北省", "count": 1} in facets["region"]
    assert facets["topic"] == [{"slug": "flood-api", "name": "防汛抗旱", "count": 1}]
    assert facets["year"] == [{"year": 2019, "count": 1}]
    assert facets["official"] == []
    assert facets["speaker"] == []


def test_the_speaker_filter_and_facet_are_read_and_answered(client, speech):
    person = Official.objects.create(name="赵明远", title="市长")
    delivered = make_speech(title="防汛动员讲话", body="防汛工作要抓实。", speaker=person, speaker_title="云溪市市长")

    data = client.get("/api/search/", {"q": "防汛", "speaker": str(person.pk)}).json()

    assert [r["id"] for r in data["results"]] == [delivered.uid]
    assert data["results"][0]["speaker"] == {"name": "赵明远", "title": "云溪市市长", "url": person.get_absolute_url()}
    assert data["facets"]["speaker"] == [{"id": person.pk, "name": str(person), "count": 1}]


def test_filters_sort_and_page_are_read_from_the_query_string(client, speech):
    for year in range(2001, 2013):
        make_speech(title=f"{year}年防汛讲话", body="防汛。", year=year)

    data = client.get(
        "/api/search/", {"q": "防汛", "year": "2001-2012", "sort": "oldest", "page": "2", "kind": "speech"}
    ).json()

    assert data["total"] == 12
    assert data["page"] == 2
    assert [r["title"] for r in data["results"]] == ["2011年防汛讲话", "2012年防汛讲话"]
    assert all(r["score"] is None for r in data["results"])
    assert all(r["region"] is None for r in data["results"])


def test_region_filter_with_descendants_and_topic_filter(client, speech):
    make_speech(title="别处的防汛讲话", body="防汛。")

    by_province = client.get("/api/search/", {"q": "防汛", "region": "13"}).json()
    by_topic = client.get("/api/search/", {"q": "防汛", "topic": "flood-api"}).json()

    assert [r["id"] for r in by_province["results"]] == [speech.uid]
    assert [r["id"] for r in by_topic["results"]] == [speech.uid]


def test_the_answer_is_utf8_json_not_escaped(client, speech):
    response = client.get("/api/search/", {"q": "防汛"})

    assert response["Content-Type"].startswith("application/json")
    assert "防汛".encode() in response.content
