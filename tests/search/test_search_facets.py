"""Facet counts over the matching speeches: region (top level, then the level below
the region filter), topic, official (cited or speaking), speaker and year."""

import pytest

from speeches import search
from speeches.models import Citation, Official, Region, Speech
from tests.factories import make_region, make_speech, make_topic

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("index_at_once")]


@pytest.fixture
def places():
    hebei = make_region("13", "河北省")
    shijiazhuang = make_region("1301", "石家庄市", Region.PREFECTURE, hebei)
    tangshan = make_region("1302", "唐山市", Region.PREFECTURE, hebei)
    county = make_region("130102", "长安区", Region.COUNTY, shijiazhuang)
    beijing = make_region("11", "北京市")
    make_speech(title="长安区讲话", body="防汛工作。", region=county)
    make_speech(title="石家庄讲话", body="防汛工作。", region=shijiazhuang)
    make_speech(title="唐山讲话", body="防汛工作。", region=tangshan)
    make_speech(title="北京讲话", body="防汛工作。", region=beijing)
    make_speech(title="不知何地的讲话", body="防汛工作。")
    return {"hebei": hebei, "shijiazhuang": shijiazhuang, "county": county, "beijing": beijing}


def counts(facet, key):
    return {item[key]: item["count"] for item in facet}


def test_region_facet_counts_top_level_regions(places):
    facets = search.search({"q": "防汛"}).facets

    assert counts(facets["region"], "code") == {places["hebei"].code: 3, places["beijing"].code: 1}
    assert {item["name"] for item in facets["region"]} == {"河北省", "北京市"}


def test_region_facet_drills_down_below_the_region_filter(places):
    in_province = search.search({"q": "防汛", "region": places["hebei"].code}).facets["region"]
    in_city = search.search({"q": "防汛", "region": places["shijiazhuang"].code}).facets["region"]

    assert counts(in_province, "code") == {"1301": 2, "1302": 1}
    assert counts(in_city, "code") == {"130102": 1}


def test_topic_facet_counts_speeches_per_topic():
    flood = make_topic("防汛抗旱", "flood-test")
    water = make_topic("水利建设", "water-test")
    for number, topics in enumerate([[flood], [flood, water], [water], []]):
        speech = make_speech(title=f"防汛讲话{number}", body="防汛。")
        speech.topics.add(*topics)

    facet = search.search({"q": "防汛"}).facets["topic"]

    assert counts(facet, "slug") == {"flood-test": 2, "water-test": 2}
    assert {item["name"] for item in facet} == {"防汛抗旱", "水利建设"}


def test_official_facet_counts_speeches_citing_each_official():
    first = Official.objects.create(name="王甲乙", title="县长")
    second = Official.objects.create(name="李丙丁")
    for number, cited in enumerate([[first], [first, second], [first]]):
        speech = make_speech(title=f"防汛讲话{number}", body="防汛。")
        for official in cited:
            Citation.objects.create(speech=speech, official=official, mention=official.name, offset=0)

    facet = search.search({"q": "防汛"}).facets["official"]

    assert counts(facet, "id") == {first.pk: 3, second.pk: 1}
    assert facet[0]["name"] == str(first)


def test_speaker_facet_counts_speeches_each_person_delivered_apart_from_those_citing_them():
    person = Official.objects.create(name="王甲乙", title="县长")
    other = Official.objects.create(name="李丙丁", title="副县长")
    make_speech(title="防汛讲话一", body="防汛。", speaker=person)
    make_speech(title="防汛讲话二", body="防汛。", speaker=person)
    citing = make_speech(title="防汛讲话三", body="防汛。", speaker=other)
    Citation.objects.create(speech=citing, official=person, mention=person.name, offset=0)

    facets = search.search({"q": "防汛"}).facets

    assert counts(facets["speaker"], "id") == {person.pk: 2, other.pk: 1}
    assert counts(facets["official"], "id") == {person.pk: 3, other.pk: 1}


def test_year_facet_counts_known_years_newest_first():
    for year in (2008, 2008, 2012):
        make_speech(title=f"防汛讲话{year}", body=f"防汛。{year}", year=year)
    make_speech(title="无年份", body="防汛。")

    facet = search.search({"q": "防汛"}).facets["year"]

    assert facet == [{"year": 2012, "count": 1}, {"year": 2008, "count": 2}]


def test_facets_count_only_matching_published_speeches(places):
    make_speech(title="草稿", body="防汛工作。", region=places["beijing"], status=Speech.DRAFT)
    make_speech(title="别的事", body="招商引资。", region=places["beijing"])

    facets = search.search({"q": "防汛"}).facets

    assert counts(facets["region"], "code")[places["beijing"].code] == 1
