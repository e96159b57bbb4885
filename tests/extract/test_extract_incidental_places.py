"""Places a speech names in passing are not where it is from: a place inside an
organisation's name, a county's name inside a longer word, a name glued to a foreign
person's, a town abroad, a list of places. None of them gives a region, and none gives
an official. Every text is written here, once with full-width punctuation and once
with half-width."""

import pytest

from speeches.extract.officials import extract_officials
from speeches.extract.regions import extract_regions

_HALF = str.maketrans({"：": ":", "，": ",", "。": ".", "；": ";", "（": "(", "）": ")", "！": "!"})


def both_widths(texts):
    """Each text as written (full-width) and with half-width punctuation."""
    return [pytest.param(text, id=f"{name}-full") for name, text in texts.items()] + [
        pytest.param(text.translate(_HALF), id=f"{name}-half") for name, text in texts.items()
    ]


INCIDENTAL = {
    # 上海合作组织, 上海精神, 北京峰会: organisations and events, not 上海市 or 北京市.
    "organisation": "同志们：\n我市外贸企业要抓住上海合作组织扩员的机遇，全市要办好上海精神主题论坛，"
    "为北京峰会做好服务。上海合作组织国家的客商越来越多。",
    # 伟大复兴 holds 复兴 (复兴区), 三江源 holds 三江 (三江侗族自治县).
    "longer words": "同志们：\n全县上下要为实现中华民族伟大复兴贡献力量。我县要守护好三江源的生态，"
    "让三江源的水更清。",
    # 我同安瓦尔总理: 同安 (同安区) is glued to a foreign name.
    "foreign name": "同志们：\n上个月我同安瓦尔总理会面时谈到，我市同马来西亚的合作前景广阔。",
    # 韩国大田, 日本福冈: towns abroad; 大田县 is in Fujian.
    "venue abroad": "同志们：\n我市代表团赴韩国大田参加了科技博览会，又在日本福冈举办了推介会，"
    "全市企业签约金额创新高。",
    # 香港、澳门: a list of places the speech passes through.
    "list of places": "同志们：\n我市今年接待了来自香港、澳门和台湾的客商，全市招商引资成效明显。",
    # 各位来宾: guests, not 来宾市.
    "guests": "各位来宾：\n欢迎大家来到我市参加交流活动，我们愿同各方深化合作。",
}


@pytest.mark.parametrize("text", both_widths(INCIDENTAL))
def test_a_place_named_in_passing_gives_no_region(text):
    result = extract_regions(text)
    assert result.primary is None, result.reason
    assert not [m for m in result.mentions if not m.listed], [m.mention for m in result.mentions]


@pytest.mark.parametrize("text", both_widths(INCIDENTAL))
def test_a_place_named_in_passing_gives_no_official(text):
    # A foreign name is kept whole (安瓦尔) or dropped, never cut into a place.
    assert {person.name for person in extract_officials(text)} <= {"安瓦尔"}


OWN_PLACE_WITH_INCIDENTALS = {
    "organisation": "同志们：\n今年兰州要抓住上海合作组织扩员的机遇。上海合作组织国家的客商来兰州的越来越多，"
    "我市要为兰州发展打开新的空间。",
    "list of places": "同志们：\n香港、澳门、深圳的客商来到兰州考察。我市要为兰州经济发展多作贡献，"
    "全市上下要努力建设美丽兰州。",
}


@pytest.mark.parametrize("text", both_widths(OWN_PLACE_WITH_INCIDENTALS))
def test_the_speakers_own_place_wins_over_places_named_in_passing(text):
    assert extract_regions(text).primary.name == "兰州市"


NATIONAL_BODY = {
    "congress report": "同志们：\n现在，我代表第十九届中央委员会向大会作报告。上海合作组织和香港、澳门的事业都在发展。"
    "上海合作组织的朋友遍天下。",
    # A leader speaking to the whole Party, recalling a province he knows well.
    "national leader": "同志们：\n我们党走过了不平凡的历程。全党同志要牢记初心，全国各族人民要团结奋斗。"
    "我在福建工作多年，福建的干部群众敢闯敢拼，福建的经验值得全党学习。",
}


@pytest.mark.parametrize("text", both_widths(NATIONAL_BODY))
def test_a_national_body_speaks_for_the_country_whatever_places_it_names(text):
    assert extract_regions(text).primary.name == "全国"


CITY_NAMED_BY_A_WORD = {
    # 北海 is also a lake in Beijing: the city only where a city government speaks of it.
    "city report": "各位代表：\n现在，我代表市人民政府，向大会报告工作，请予审议。一年来，北海经济稳步发展，"
    "北海港吞吐量创新高，我们要为北海人民办好实事。",
    "self-reference": "同志们：\n一年来，全市经济稳步发展。我市要为北海发展多作贡献，让北海人民过上好日子。",
}


@pytest.mark.parametrize("text", both_widths(CITY_NAMED_BY_A_WORD))
def test_a_city_whose_short_name_is_a_word_is_found_where_a_city_speaks(text):
    assert extract_regions(text).primary.name == "北海市"


def test_a_short_name_that_is_a_word_is_no_place_where_no_city_speaks():
    text = "同志们：\n今年全省要办好各项民生实事。春天到北海公园划船的游客很多。"
    assert "北海市" not in {m.name for m in extract_regions(text).mentions}


def test_a_local_speech_that_quotes_the_partys_words_keeps_its_own_place():
    text = "同志们：\n全党要学习，我们党要自我革命，全军要听党指挥。我市要抓好落实，为兰州发展多作贡献，让兰州更美好。"
    for variant in (text, text.translate(_HALF)):
        assert extract_regions(variant).primary.name == "兰州市"
