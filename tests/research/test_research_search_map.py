"""A search's region facet drawn on the provinces' tile map, each tile narrowing the search."""

import pytest

from speeches.models import Region
from tests.factories import make_region, make_speech


@pytest.fixture
def placed(db, settings):
    settings.SEARCH_INDEX_UPDATES = "immediate"
    henan = make_region("41", "河南省")
    county = make_region("411628", "鹿邑县", level="county", parent=henan)
    guangdong = make_region("44", "广东省")
    national = Region.objects.get(code=Region.NATIONAL_CODE)
    make_speech(title="县里的讲话", body="同志们：\n抓好春耕生产。", region=county, year=2010)
    make_speech(title="省里的讲话", body="同志们：\n抓好春耕生产，保障粮食安全。", region=guangdong, year=2011)
    make_speech(title="全国的报告", body="各位代表：\n春耕生产进展顺利。", region=national, year=2012)
    make_speech(title="别的讲话", body="同志们：\n今天讨论别的事。", region=guangdong, year=2012)


def test_search_results_are_drawn_on_the_province_map_with_tiles_narrowing_the_search(client, placed):
    html = client.get("/search/", {"q": "春耕"}).content.decode()
    assert "检索结果的地区分布" in html
    assert 'href="/search/?q=%E6%98%A5%E8%80%95&amp;region=41" aria-label="河南 1 篇"' in html
    assert 'aria-label="广东 1 篇"' in html
    # The national report is named beside the map, not placed on a tile.
    assert "另有 1 篇全国性讲话" in html


def test_a_search_narrowed_to_a_region_draws_no_province_map(client, placed):
    html = client.get("/search/", {"q": "春耕", "region": "41"}).content.decode()
    assert "检索结果的地区分布" not in html
