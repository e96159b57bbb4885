import csv
import re

import pytest

from speeches.extract.gazetteer import package_places
from speeches.extract.regions import extract_regions, find_mentions
from speeches.models import Region
from tests.conftest import shared_path

PROVINCE_SPEECH = (
    "同志们:\n今天召开全省文化工作会议。一年来,我省文化事业稳步发展,甘肃各地涌现出一批好作品。"
    "兰州、天水的剧团深入基层演出。我们要为甘肃文化繁荣多作贡献。"
)


def test_a_province_speech_is_placed_in_the_speakers_province():
    result = extract_regions(PROVINCE_SPEECH)
    assert result.primary.code == "62"
    assert result.confidence >= 0.6
    assert {"兰州市", "天水市"} <= {m.name for m in result.mentions}


def test_a_bare_county_name_gives_the_county():
    text = "同志们:\n全县上下要齐心协力。鹿邑是农业大县,我县要稳住粮食生产,为鹿邑发展打好基础。"
    assert extract_regions(text).primary.code == "411628"


@pytest.mark.parametrize(
    "landmark, code",
    [("一机厂、二机厂的职工住房改造", "150204"), ("武钢周边老旧小区改造", "420107")],
)
def test_a_shared_district_name_is_told_apart_by_landmarks(landmark, code):
    text = f"同志们:\n今天召开全区城建工作会议。我们青山区今年要抓好{landmark},我区还要加快道路建设。青山区的群众盼望已久。"
    assert extract_regions(text).primary.code == code


@pytest.mark.parametrize(
    "text",
    [
        "同志们:\n今天召开全区社保工作会议。xx地区的社保工作比较落后,我区要迎头赶上。",
        "同志们:\n全市少先队工作要再上台阶,我市各级团组织要加强辅导员队伍建设。",
    ],
)
def test_no_region_where_the_text_names_none(text):
    assert extract_regions(text).primary is None


def test_a_meeting_venue_is_not_the_speakers_jurisdiction():
    text = "同志们:\n团代会刚刚在北京落下帷幕。我市各级团组织要认真学习,全市要掀起学习热潮。"
    result = extract_regions(text)
    assert result.primary is None
    assert [m.name for m in result.mentions] == ["北京市"]


def test_a_provincial_document_places_the_speech_in_that_province_with_doubt():
    text = "同志们:\n今年要严格执行《山西省农村信用社贷款管理办法》,全力做好清收工作。"
    result = extract_regions(text)
    assert result.primary.code == "14"
    assert result.doubtful


def test_ordinary_words_that_spell_county_names_are_not_places():
    text = "我们要充分利用各方资源,开展互助活动,比如组织志愿者上门服务。"
    assert find_mentions(text)[0] == []


def test_a_national_report_is_placed_at_national_level():
    text = "各位代表:\n现在,我代表国务院,向大会报告政府工作,请予审议。"
    result = extract_regions(text)
    assert result.primary.level == "national"
    assert result.primary.code == Region.NATIONAL_CODE


def _reference_rows():
    rows = {}
    for name in ("provinces", "cities", "areas"):
        with open(shared_path("gazetteer", f"{name}.csv"), encoding="utf-8") as handle:
            rows.update({r["code"]: r["name"] for r in csv.DictReader(handle)})
    # Placeholders (市辖区) and development zones are not divisions a speech is placed in.
    skip = re.compile(r"^(市辖区|县)$|直辖|开发区|园区|管理区|试验区|示范区|新城|风景名胜区|食品区|聚集区")
    return {code: name for code, name in rows.items() if not skip.search(name)}


def test_the_gazetteer_covers_the_reference_division_list():
    reference = _reference_rows()
    ours = {p.code: p.name for p in package_places()}
    found = [code for code, name in reference.items() if ours.get(code) == name]
    assert len(found) / len(reference) >= 0.99


@pytest.mark.django_db
def test_migrations_load_the_divisions_with_hierarchy_and_coordinates():
    qingshan = Region.objects.get(code="150204")
    assert [r.name for r in qingshan.ancestors()] == ["内蒙古自治区", "包头市", "青山区"]
    assert qingshan.latitude and qingshan.longitude
    assert Region.objects.get(code="310120").parent.code == "31"  # Shanghai's districts hang under 上海市
    assert Region.objects.get(code=Region.NATIONAL_CODE).level == Region.NATIONAL
    assert Region.objects.filter(level=Region.COUNTY).count() > 2800
