"""The search page /search/: results with highlights, facet links, removable active
filters, a sort switch, pagination that keeps the filters, help when nothing is found,
tiers and missing words when a question is searched by its words."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from speeches.models import Region
from tests.factories import make_region, make_speech, make_topic

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("index_at_once")]


@pytest.fixture
def places():
    hebei = make_region("13", "河北省")
    city = make_region("1301", "石家庄市", Region.PREFECTURE, hebei)
    return {"hebei": hebei, "city": city}


def page(client, **params):
    response = client.get("/search/", params)
    assert response.status_code == 200
    return response.content.decode()


def links(html):
    return [href.replace("&amp;", "&") for href in re.findall(r'href="([^"]*)"', html)]


def params_of(href):
    return {key: values[-1] for key, values in parse_qs(urlsplit(href).query).items()}


def test_results_show_highlighted_titles_and_snippets(client):
    speech = make_speech(title="防汛工作会议讲话", body="今年防汛任务很重。")

    html = page(client, q="防汛")

    assert "找到 1 篇" in html
    assert f'href="{speech.get_absolute_url()}"' in html
    assert "<mark>防汛</mark>工作会议讲话" in html
    assert "今年<mark>防汛</mark>任务很重。" in html


def test_facet_links_add_a_filter_and_keep_the_query(client, places):
    make_speech(title="石家庄防汛讲话", body="防汛。", region=places["city"])
    speech = make_speech(title="另一篇防汛讲话", body="防汛。", year=2010)
    speech.topics.add(make_topic("防汛抗旱", "flood-page"))

    html = page(client, q="防汛")
    facet_links = [params_of(href) for href in links(html)]

    assert {"q": "防汛", "region": places["hebei"].code} in facet_links
    assert {"q": "防汛", "topic": "flood-page"} in facet_links
    assert {"q": "防汛", "year": "2010"} in facet_links
    assert "河北省" in html and "防汛抗旱" in html


def test_an_active_filter_is_shown_and_can_be_removed_alone(client, places):
    make_speech(title="石家庄防汛讲话", body="防汛。", region=places["city"], year=2010)

    html = page(client, q="防汛", region=places["hebei"].code, year="2010")

    assert "地区：河北省" in html and "年份：2010" in html
    removal = [params_of(href) for href in links(html)]
    assert {"q": "防汛", "year": "2010"} in removal  # region removed, year kept
    assert {"q": "防汛", "region": places["hebei"].code} in removal  # year removed
    # Under a province the region facet offers its prefectures.
    assert "下级地区" in html and "石家庄市" in html


def test_the_sort_switch_keeps_query_and_filters(client):
    make_speech(title="讲话", body="防汛。", year=2010)

    html = page(client, q="防汛", year="2000-2020")
    switches = [params_of(href) for href in links(html) if "sort=" in href]

    assert {"q": "防汛", "year": "2000-2020", "sort": "newest"} in switches
    assert {"q": "防汛", "year": "2000-2020", "sort": "oldest"} in switches


def test_pagination_keeps_query_filters_and_sort(client):
    for year in range(2001, 2026):
        make_speech(title=f"{year}年讲话", body="防汛。", year=year)

    html = page(client, q="防汛", year="2001-2025", sort="oldest", page="2")

    assert "2011年讲话" in html and "2001年讲话" not in html
    pages = [params_of(href) for href in links(html) if "page=" in href]
    assert {"q": "防汛", "year": "2001-2025", "sort": "oldest", "page": "3"} in pages
    assert {"q": "防汛", "year": "2001-2025", "sort": "oldest", "page": "1"} in pages


def test_help_is_shown_when_nothing_is_found(client):
    make_speech(title="讲话", body="防汛。")

    html = page(client, q="不存在的词")

    assert "找到 0 篇" in html
    assert "没有找到符合条件的讲话" in html
    assert "怎样检索" in html


def test_the_form_shows_what_was_searched(client):
    html = page(client, q='"改革<开放>"', kind="work_report")

    assert 'value="&quot;改革&lt;开放&gt;&quot;"' in html
    assert '<option value="work_report" selected>' in html


def test_a_question_is_shown_tier_by_tier_with_the_words_each_speech_lacks(client):
    make_speech(title="全县防汛工作会议讲话", body="同志们：\n防汛物资要存放在乡镇仓库，水库除险加固要抓紧。")
    make_speech(title="秋冬季防火工作讲话", body="同志们:\n防火检查要细,物资储备要足。")
    make_speech(title="防汛物资", body="关于农业生产的一些意见。")

    html = page(client, q="防汛物资存放在哪个仓库？")

    assert "按词语找到 3 篇" in html
    assert "包含全部词语（共 1 篇）" in html
    assert "只含部分词语（共 2 篇）" in html
    assert "不含：存放、仓库" in html
    assert "已按其中的词语查找：防汛、物资、存放、仓库（不要求出现：在、哪个）" in html
    assert "包括只含部分词语的讲话" in html  # what the facet counts count


def test_when_no_speech_holds_every_word_the_page_names_the_missing_ones(client):
    make_speech(title="全县防汛工作会议讲话", body="防汛物资要存放在乡镇仓库。")

    html = page(client, q="防汛物资存放在哪个粮库?")

    assert "没有同时包含全部词语的讲话；以下结果不含：粮库。" in html
    assert "全县<mark>防汛</mark>工作会议讲话" in html
