"""Filters: region (with everything below it), topic, official, year or year range,
kind; and only published speeches are ever found."""

import datetime

import pytest

from speeches import search
from speeches.models import Citation, Official, Region, Speech
from tests.factories import make_region, make_speech, make_topic

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("index_at_once")]


def titles(**params):
    params.setdefault("q", "讲话")
    return {hit.speech.title for hit in search.search(params).hits}


@pytest.fixture
def regions():
    hebei = make_region("13", "河北省")
    shijiazhuang = make_region("1301", "石家庄市", Region.PREFECTURE, hebei)
    county = make_region("130102", "长安区", Region.COUNTY, shijiazhuang)
    beijing = make_region("11", "北京市")
    return {"hebei": hebei, "shijiazhuang": shijiazhuang, "county": county, "beijing": beijing}


def test_region_filter_finds_speeches_of_the_region_and_all_below_it(regions):
    make_speech(title="县里的讲话", body="县委书记讲话。", region=regions["county"])
    make_speech(title="市里的讲话", body="市委书记讲话。", region=regions["shijiazhuang"])
    make_speech(title="省里的讲话", body="省委书记讲话。", region=regions["hebei"])
    make_speech(title="北京的讲话", body="市委书记讲话。", region=regions["beijing"])

    assert titles(region=regions["hebei"].code) == {"县里的讲话", "市里的讲话", "省里的讲话"}
    assert titles(region=regions["shijiazhuang"].code) == {"县里的讲话", "市里的讲话"}
    assert titles(region=regions["county"].code) == {"县里的讲话"}
    assert titles(region=regions["beijing"].code) == {"北京的讲话"}


def test_topic_filter(db):
    water = make_topic("水利建设", "water-test")
    farming = make_topic("农业农村", "farming-test")
    canal = make_speech(title="水利讲话", body="修渠讲话。")
    canal.topics.add(water)
    field = make_speech(title="农业讲话", body="种田讲话。")
    field.topics.add(farming)

    assert titles(topic=water.slug) == {"水利讲话"}
    assert titles(topic=farming.slug) == {"农业讲话"}


def test_official_filter_uses_cited_officials_and_the_speaker(db):
    cited = Official.objects.create(name="田力普", title="局长")
    speaker = Official.objects.create(name="张三丰", title="县长")
    citing = make_speech(title="引用的讲话", body="田力普局长讲话指出。")
    Citation.objects.create(speech=citing, official=cited, mention="田力普", offset=0)
    make_speech(title="亲自讲话", body="我讲几点意见。", speaker=speaker)
    make_speech(title="无关的讲话", body="别的讲话。")

    assert titles(official=str(cited.pk)) == {"引用的讲话"}
    assert titles(official=str(speaker.pk)) == {"亲自讲话"}


def test_speaker_filter_finds_the_speeches_a_person_delivered_not_those_citing_them(db):
    person = Official.objects.create(name="张三丰", title="县长")
    make_speech(title="亲自讲话", body="我讲几点意见。", speaker=person)
    citing = make_speech(title="提到他的讲话", body="张三丰县长讲话指出。")
    Citation.objects.create(speech=citing, official=person, mention="张三丰", offset=0)

    assert titles(speaker=str(person.pk)) == {"亲自讲话"}
    assert titles(official=str(person.pk)) == {"亲自讲话", "提到他的讲话"}
    results = search.search({"q": "讲话", "speaker": str(person.pk)})
    assert [f.label for f in results.filters] == ["讲话人：张三丰"]


def test_a_malformed_speaker_id_is_ignored_with_a_note(db):
    make_speech(title="一篇讲话", body="讲话。")

    results = search.search({"q": "讲话", "speaker": "张三"})

    assert {hit.speech.title for hit in results.hits} == {"一篇讲话"}
    assert any("讲话人编号" in note for note in results.notes)


def test_year_and_year_range_filters():
    make_speech(title="一九九八年讲话", body="讲话。", year=1998)
    make_speech(title="二〇〇八年讲话", body="讲话。", date=datetime.date(2008, 5, 12))
    make_speech(title="二〇一〇年讲话", body="讲话。", year=2010)
    make_speech(title="年份被遮蔽的讲话", body="讲话。", year=2011, year_masked=True)

    assert titles(year="2008") == {"二〇〇八年讲话"}
    assert titles(year="2000-2010") == {"二〇〇八年讲话", "二〇一〇年讲话"}
    assert titles(year="2010-1990") == {"一九九八年讲话", "二〇〇八年讲话", "二〇一〇年讲话"}
    assert titles(year="2011") == set()  # a masked year is never guessed


def test_kind_filter():
    make_speech(title="工作报告讲话", body="讲话。", kind=Speech.WORK_REPORT)
    make_speech(title="普通讲话", body="讲话。", kind=Speech.SPEECH)

    assert titles(kind=Speech.WORK_REPORT) == {"工作报告讲话"}
    assert titles(kind=Speech.SPEECH) == {"普通讲话"}


def test_filters_combine(regions):
    make_speech(title="河北二〇〇八讲话", body="讲话。", region=regions["county"], year=2008)
    make_speech(title="河北二〇一二讲话", body="讲话。", region=regions["county"], year=2012)
    make_speech(title="北京二〇〇八讲话", body="讲话。", region=regions["beijing"], year=2008)

    assert titles(region=regions["hebei"].code, year="2008") == {"河北二〇〇八讲话"}


def test_filters_alone_list_the_matching_speeches_newest_first(regions):
    make_speech(title="早的", body="甲。", region=regions["county"], year=2001)
    make_speech(title="晚的", body="乙。", region=regions["county"], year=2019)

    results = search.search({"region": regions["hebei"].code})

    assert [hit.speech.title for hit in results.hits] == ["晚的", "早的"]


def test_only_published_speeches_are_found():
    make_speech(title="已发布的讲话", body="讲话。")
    make_speech(title="草稿讲话", body="讲话。", status=Speech.DRAFT)
    make_speech(title="撤回的讲话", body="讲话。", status=Speech.WITHDRAWN)

    assert titles() == {"已发布的讲话"}


def test_an_unknown_filter_value_is_explained_not_an_error():
    make_speech(title="讲话", body="讲话。")

    results = search.search({"q": "讲话", "region": "999999", "year": "去年", "kind": "poem"})

    assert results.total == 0  # the region filter stands: nothing is in it
    assert any("999999" in note for note in results.notes)
    assert any("去年" in note for note in results.notes)
    assert any("poem" in note for note in results.notes)
