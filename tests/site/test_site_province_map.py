"""The regions page's map: China's 34 provincial-level divisions as a tile grid that
draws no borders, 台湾省, 香港 and 澳门 included, each tile holding speeches a link."""

import re

import pytest
from django.urls import reverse

from speeches.extract.gazetteer import PROVINCE, package_places
from speeches.models import Region
from speeches.province_map import SHADES, grid_cells, province_map, shade
from tests.conftest import PROJECT_DIR
from tests.factories import make_region, make_speech

pytestmark = pytest.mark.django_db


def map_svg(client):
    html = client.get(reverse("speeches:region_list")).content.decode()
    return html[html.index("<svg") : html.index("</svg>")]


def tile_texts(svg):
    """{short name: count text} of every tile drawn."""
    return dict(re.findall(r'class="tile-name"[^>]*>([^<]+)</text><text class="tile-count"[^>]*>([^<]+)</text>', svg))


@pytest.fixture
def speeches_in_guangdong():
    guangdong = make_region("44", "广东省")
    shenzhen = make_region("4403", "深圳市", Region.PREFECTURE, guangdong)
    nanshan = make_region("440305", "南山区", Region.COUNTY, shenzhen)
    for n in range(4):
        make_speech(title=f"南山讲话{n}", body=f"南山正文{n}。", region=nanshan)
    make_speech(title="广东讲话", body="广东正文。", region=guangdong)


def test_the_migrations_load_taiwan_hong_kong_and_macao_as_provincial_level_divisions():
    assert dict(Region.objects.filter(code__in=["71", "81", "82"]).values_list("code", "name")) == {
        "71": "台湾省",
        "81": "香港特别行政区",
        "82": "澳门特别行政区",
    }
    assert Region.objects.filter(level=Region.PROVINCE).count() == 34


def test_the_grid_places_each_of_the_34_provincial_level_divisions_once():
    names = [name for _row, _column, name in grid_cells()]
    codes = [tile["code"] for tile in province_map({}, str)["tiles"]]

    assert len(names) == len(set(names)) == 34
    assert sorted(codes) == sorted(place.code for place in package_places() if place.level == PROVINCE)
    assert {"台湾", "香港", "澳门", "海南"} <= set(names)


def test_the_map_draws_34_tiles_taiwan_hong_kong_and_macao_among_them(client, speeches_in_guangdong):
    svg = map_svg(client)

    texts = tile_texts(svg)
    assert len(texts) == 34 and svg.count("<rect ") == 34
    assert texts["台湾"] == texts["香港"] == texts["澳门"] == "0 篇"
    assert "<title>台湾省：0 篇</title>" in svg
    # A grid of tiles: no outline, no path, nothing fetched from elsewhere.
    assert "<path" not in svg and "<image" not in svg
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_a_tile_holding_speeches_links_to_its_province_with_the_count_as_text(client, speeches_in_guangdong):
    svg = map_svg(client)

    # Speeches of the province and of every place below it.
    assert tile_texts(svg)["广东"] == "5 篇"
    # Named by what it shows (short name and count), the full name its tooltip.
    assert '<a class="tile shade-4" href="/regions/44/" aria-label="广东 5 篇"><title>广东省：5 篇</title>' in svg
    # Only tiles holding speeches are links: one tab stop per province with speeches.
    assert svg.count("<a ") == 1
    assert 'href="/regions/71/"' not in svg


def test_the_caption_says_what_the_tiles_are_and_counts_national_speeches_apart(client, speeches_in_guangdong):
    make_speech(title="全国讲话", body="全国正文。", region=make_region("000000", "全国", Region.NATIONAL))

    html = client.get(reverse("speeches:region_list")).content.decode()
    caption = html[html.index('<figcaption id="province-map-caption">') : html.index("</figcaption>")]

    assert "共 34 个，包括台湾省、香港特别行政区和澳门特别行政区" in caption
    assert "不表示边界、面积或形状" in caption and "南海诸岛" in caption
    assert "另有 1 篇全国性讲话" in caption


def test_there_is_no_map_when_no_speech_is_placed_in_a_province(client):
    make_speech(title="全国讲话", body="全国正文。", region=make_region("000000", "全国", Region.NATIONAL))

    response = client.get(reverse("speeches:region_list"))

    assert response.context["map"] is None
    assert "<svg" not in response.content.decode()


def test_tiles_are_shaded_by_the_square_root_of_their_share_of_the_largest_count():
    assert [shade(n, 100) for n in (0, 1, 6, 7, 25, 26, 56, 57, 100)] == [0, 1, 1, 2, 2, 3, 3, 4, 4]
    assert shade(0, 0) == 0


def _luminance(hex_colour):
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first, second):
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_text_on_every_shade_of_tile_has_at_least_4_5_to_1_contrast():
    """Read from the style sheet: a browser audit cannot tell the colours behind SVG text."""
    css = (PROJECT_DIR / "static" / "css" / "site.css").read_text(encoding="utf-8")
    variables = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", css))

    def colour(value):
        value = value.strip()
        value = variables[value[6:-1]] if value.startswith("var(--") else value
        return "#" + "".join(c * 2 for c in value[1:]) if len(value) == 4 else value  # #fff

    def fill(selector):
        rules = re.findall(rf"(?:^|[,}}\n])\s*([^{{}}]*{re.escape(selector)}[^{{}}]*)\{{\s*fill:\s*([^;]+);", css)
        assert rules, selector
        return colour(rules[-1][1])

    for level in range(SHADES + 1):
        tile = fill(f".shade-{level} rect") if level else fill(".tile rect")
        text = fill(f".shade-{level} text") if level else fill(".tile text")
        assert contrast(tile, text) >= 4.5, (level, tile, text)
