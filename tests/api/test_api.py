"""The JSON API: its field names are a contract for outside readers."""

import datetime
import re

import pytest
from django.urls import reverse

from speeches.models import Citation, Official, Region, Section, Speech
from tests.factories import make_source, make_speech, make_topic

pytestmark = pytest.mark.django_db


def division(code, name, level=Region.PROVINCE, parent=None):
    """The division with this code: loaded by the gazetteer migration, or created here."""
    defaults = {"name": name, "level": level, "parent": parent}
    return Region.objects.get_or_create(code=code, defaults=defaults)[0]


LIST_URL = reverse("speeches:api_speech_list")
SUMMARY_KEYS = {"id", "title", "url", "date", "year", "year_masked", "region", "speaker", "topics"}
DETAIL_KEYS = {
    "id",
    "title",
    "text",
    "sections",
    "region",
    "speaker",
    "topics",
    "officials",
    "source",
    "date",
    "year",
    "year_masked",
    "kind",
    "url",
}


def detail_url(speech):
    return reverse("speeches:api_speech_detail", args=[speech.uid])


def make_sectioned_speech(**fields):
    body = "同志们:\n一、总体要求\n要坚持稳中求进。\n(一)突出重点\n抓好关键环节。\n二、主要任务\n李青同志已经作了部署。"
    speech = make_speech(title="在全省农业工作会议上的讲话", body=body, **fields)
    for order, (number, heading, level) in enumerate(
        [("一、", "总体要求", 1), ("(一)", "突出重点", 2), ("二、", "主要任务", 1)], start=1
    ):
        start = body.index(number + heading)
        Section.objects.create(
            speech=speech, order=order, number=number, heading=heading, level=level,
            start=start, end=start + len(number + heading),
        )  # fmt: skip
    official = Official.objects.create(name="李青", title="副省长")
    for offset in (body.index("李青"), body.index("李青")):
        Citation.objects.create(
            speech=speech, official=official, mention="李青", offset=offset,
            sentence="李青同志已经作了部署。",
        )  # fmt: skip
    return speech


def test_the_list_gives_published_speeches_in_the_documented_shape(client):
    region = division("51", "四川省")
    topic = make_topic("乡村振兴", "rural")
    speech = make_speech(
        title="乡村振兴讲话", date=datetime.date(2022, 6, 1), year=2022, region=region
    )
    speech.topics.add(topic)
    make_speech(title="草稿", body="草稿正文。", status=Speech.DRAFT)

    response = client.get(LIST_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert set(data) == {"count", "next", "previous", "page", "results"}
    assert data["count"] == 1
    assert data["page"] == 1
    assert data["next"] is None and data["previous"] is None
    assert data["results"] == [
        {
            "id": speech.uid,
            "title": "乡村振兴讲话",
            "url": f"/speeches/{speech.uid}/",
            "date": "2022-06-01",
            "year": 2022,
            "year_masked": False,
            "region": {"code": "51", "name": "四川省"},
            "speaker": None,
            "topics": [{"name": "乡村振兴", "slug": "rural"}],
        }
    ]


def test_chinese_text_is_sent_as_is_not_as_escapes(client):
    make_speech(title="乡村振兴讲话")

    raw = client.get(LIST_URL).content.decode("utf-8")

    assert "乡村振兴讲话" in raw
    assert "\\u" not in raw


def test_a_speech_without_date_region_or_topics_gives_nulls_and_an_empty_list(client):
    make_speech(title="年份被遮蔽的讲话", year=2015, year_masked=True)

    result = client.get(LIST_URL).json()["results"][0]

    assert set(result) == SUMMARY_KEYS
    assert result["date"] is None
    assert result["year"] is None
    assert result["year_masked"] is True
    assert result["region"] is None
    assert result["speaker"] is None
    assert result["topics"] == []


def test_the_list_has_twenty_per_page_with_next_and_previous_links(client):
    for n in range(45):
        make_speech(title=f"讲话{n}", body=f"正文{n}。", year=1980 + n)

    first = client.get(LIST_URL).json()
    second = client.get(LIST_URL, {"page": 2}).json()
    third = client.get(LIST_URL, {"page": 3}).json()

    assert first["count"] == 45
    assert [len(p["results"]) for p in (first, second, third)] == [20, 20, 5]
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/speeches/?page=2"
    assert second["previous"] == "http://testserver/api/speeches/?page=1"
    assert third["next"] is None
    ids = [r["id"] for p in (first, second, third) for r in p["results"]]
    assert len(set(ids)) == 45
    assert first["results"][0]["year"] == 2024


def test_page_links_keep_the_filters(client):
    topic = make_topic("职业培训", "training")
    for n in range(25):
        make_speech(title=f"讲话{n}", body=f"正文{n}。").topics.add(topic)

    data = client.get(LIST_URL, {"topic": "training"}).json()

    assert data["next"] == "http://testserver/api/speeches/?topic=training&page=2"


@pytest.mark.parametrize("page", ["abc", "0", "-3", "2", "1.5"])
def test_a_bad_page_number_is_a_json_404(client, page):
    make_speech()

    response = client.get(LIST_URL, {"page": page})

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]


def test_the_region_filter_includes_sub_regions(client):
    province = division("44", "广东省")
    city = division("4401", "广州市", Region.PREFECTURE, province)
    other = division("45", "广西壮族自治区")
    in_province = make_speech(title="省里的讲话", body="甲。", region=province)
    in_city = make_speech(title="市里的讲话", body="乙。", region=city)
    make_speech(title="邻省的讲话", body="丙。", region=other)

    province_ids = {r["id"] for r in client.get(LIST_URL, {"region": "44"}).json()["results"]}
    city_ids = {r["id"] for r in client.get(LIST_URL, {"region": "4401"}).json()["results"]}

    assert province_ids == {in_province.uid, in_city.uid}
    assert city_ids == {in_city.uid}


def test_the_topic_and_year_filters_narrow_the_list(client):
    topic = make_topic("湿地保护", "wetlands")
    tagged = make_speech(title="环保讲话", body="甲。", year=2018)
    tagged.topics.add(topic)
    make_speech(title="另一篇", body="乙。", year=2018)
    masked = make_speech(title="遮蔽年份", body="丙。", year=2018, year_masked=True)
    dated = make_speech(title="有日期", body="丁。", date=datetime.date(2017, 1, 2))

    by_topic = client.get(LIST_URL, {"topic": "wetlands"}).json()
    by_year = client.get(LIST_URL, {"year": "2018"}).json()
    by_date_year = client.get(LIST_URL, {"year": "2017"}).json()
    unknown = client.get(LIST_URL, {"year": "unknown"}).json()

    assert [r["id"] for r in by_topic["results"]] == [tagged.uid]
    assert by_year["count"] == 2
    assert masked.uid not in {r["id"] for r in by_year["results"]}
    assert [r["id"] for r in by_date_year["results"]] == [dated.uid]
    assert [r["id"] for r in unknown["results"]] == [masked.uid]


def test_the_speaker_is_given_with_the_title_the_speech_gives_them(client):
    person = Official.objects.create(name="赵明远", title="副市长")
    by_header = make_speech(title="甲", speaker=person, speaker_name="赵明远", speaker_title="云溪市人民政府市长")
    by_record = make_speech(title="乙", speaker=person)

    results = {r["id"]: r for r in client.get(LIST_URL).json()["results"]}
    detail = client.get(detail_url(by_header)).json()

    url = person.get_absolute_url()
    assert results[by_header.uid]["speaker"] == {"name": "赵明远", "title": "云溪市人民政府市长", "url": url}
    assert results[by_record.uid]["speaker"] == {"name": "赵明远", "title": "副市长", "url": url}
    assert detail["speaker"] == results[by_header.uid]["speaker"]


def test_the_speaker_filter_lists_the_speeches_a_person_delivered_not_those_citing_them(client):
    person = Official.objects.create(name="赵明远", title="市长")
    delivered = make_speech(title="本人讲话", speaker=person)
    citing = make_speech(title="提及讲话", body="同志们:\n赵明远市长作了部署。")
    Citation.objects.create(speech=citing, official=person, mention="赵明远", offset=4, sentence="赵明远市长作了部署。")

    found = client.get(LIST_URL, {"speaker": str(person.pk)}).json()

    assert [r["id"] for r in found["results"]] == [delivered.uid]


@pytest.mark.parametrize("params", [{"year": "二〇一八"}, {"year": "20xx"}, {"speaker": "张三"}])
def test_a_malformed_filter_value_is_a_json_400_with_a_message(client, params):
    make_speech()

    response = client.get(LIST_URL, params)

    assert response.status_code == 400
    assert response.json()["error"]


@pytest.mark.parametrize("params", [{"region": "99"}, {"topic": "no-such-topic"}, {"speaker": "999999"}])
def test_a_filter_naming_nothing_in_the_archive_is_a_json_404_with_a_message(client, params):
    make_speech()

    response = client.get(LIST_URL, params)

    assert response.status_code == 404
    assert response.json()["error"]


def test_the_list_uses_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    region = division("33", "浙江省")
    topics = [make_topic("甲", "a"), make_topic("乙", "b")]
    for n in range(30):
        make_speech(title=f"讲话{n}", body=f"正文{n}。", region=region).topics.add(*topics)

    # Region and topic lookups, the region's sub-regions, count, the page's ids, their rows,
    # their topics: not one per speech.
    with django_assert_max_num_queries(6):
        response = client.get(LIST_URL, {"region": "33", "topic": "a"})

    assert len(response.json()["results"]) == 20


def test_the_detail_gives_the_whole_speech_in_the_documented_shape(client):
    region = division("41", "河南省")
    source = make_source(
        path="compilations/henan.txt",
        title="农业讲话汇编",
        author="资料室",
        published_at=datetime.datetime(2021, 2, 3, 4, 5, tzinfo=datetime.UTC),
    )
    speech = make_sectioned_speech(
        date=datetime.date(2021, 1, 20), year=2021, region=region, source=source
    )
    speech.topics.add(make_topic("农田水利", "irrigation"))

    response = client.get(detail_url(speech))

    assert response.status_code == 200
    data = response.json()
    assert set(data) == DETAIL_KEYS
    assert data["id"] == speech.uid
    assert data["title"] == "在全省农业工作会议上的讲话"
    assert data["text"] == speech.body
    assert data["sections"] == [
        {"number": "一、", "heading": "总体要求", "level": 1, "anchor": "s1"},
        {"number": "(一)", "heading": "突出重点", "level": 2, "anchor": "s2"},
        {"number": "二、", "heading": "主要任务", "level": 1, "anchor": "s3"},
    ]
    assert data["region"] == {"code": "41", "name": "河南省"}
    assert data["topics"] == [{"name": "农田水利", "slug": "irrigation"}]
    # Two mentions of one person: listed once.
    assert data["officials"] == [{"name": "李青", "title": "副省长"}]
    assert data["source"] == {
        "title": "农业讲话汇编",
        "path": "henan.txt",  # the file name, never the path it was read from
        "published": "2021-02-03T04:05:00+00:00",
        "author": "资料室",
    }
    assert data["date"] == "2021-01-20"
    assert data["year"] == 2021
    assert data["year_masked"] is False
    assert data["kind"] == "speech"
    assert data["url"] == speech.get_absolute_url()


def test_a_speech_without_source_or_region_gives_nulls(client):
    speech = make_speech(kind=Speech.WORK_REPORT)

    data = client.get(detail_url(speech)).json()

    assert data["source"] is None
    assert data["region"] is None
    assert data["sections"] == []
    assert data["officials"] == []
    assert data["kind"] == "work_report"


def test_every_section_anchor_in_the_api_is_an_id_on_the_speech_page(client):
    speech = make_sectioned_speech()

    anchors = [s["anchor"] for s in client.get(detail_url(speech)).json()["sections"]]
    html = client.get(speech.get_absolute_url()).content.decode()

    assert anchors
    page_ids = set(re.findall(r'\bid="([^"]+)"', html))
    assert set(anchors) <= page_ids


@pytest.mark.parametrize("status", [Speech.DRAFT, Speech.WITHDRAWN])
def test_an_unpublished_speech_is_a_json_404(client, status):
    speech = make_speech(status=status)

    response = client.get(detail_url(speech))

    assert response.status_code == 404
    assert response.json()["error"]


def test_an_unknown_speech_is_a_json_404(client):
    response = client.get(reverse("speeches:api_speech_detail", args=["0000000000"]))

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "error" in response.json()


def test_a_merged_duplicate_redirects_to_the_kept_speech(client):
    kept = make_speech(title="保留", body="完整正文。")
    duplicate = make_speech(
        title="重复", body="残缺正文。", status=Speech.WITHDRAWN, merged_into=kept
    )

    response = client.get(detail_url(duplicate))

    assert response.status_code == 301
    assert response["Location"] == detail_url(kept)


def test_the_api_answers_only_get(client):
    assert client.post(LIST_URL).status_code == 405
