"""Snippets and highlights: escaped first, then marked; the whole matched text is
marked (never half a word); the hit links to the section holding the best match."""

import pytest

from speeches import search
from speeches.models import Section
from speeches.search.highlight import excerpt, find_matches, highlight
from tests.factories import make_speech

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("index_at_once")]


def only_hit(query):
    results = search.search({"q": query})
    assert results.total == 1
    return results.hits[0]


def test_html_in_the_text_is_escaped_before_marking():
    make_speech(title="<b>标题</b>讲话", body='有人写了<script>alert("x")</script>脚本,要警惕。')

    hit = only_hit("script")

    assert "<script>" not in hit.snippet
    assert "&lt;<mark>script</mark>&gt;alert(&quot;x&quot;)&lt;/<mark>script</mark>&gt;" in hit.snippet
    assert hit.title_html == "&lt;b&gt;标题&lt;/b&gt;讲话"


def test_a_query_that_looks_like_markup_is_marked_as_text():
    make_speech(title="讲话", body="不要写<mark>这样的</mark>东西。")

    hit = only_hit("<mark>")

    assert "<mark>&lt;mark&gt;</mark>这样的&lt;/mark&gt;" in hit.snippet


def test_the_whole_matched_word_is_marked_not_part_of_it():
    make_speech(title="学习讲话", body="认真学习马克思主义理论。")

    hit = only_hit("马克思")

    assert "<mark>马克思</mark>主义" in hit.snippet


def test_traditional_text_is_marked_where_a_simplified_query_matched():
    make_speech(title="旧报告", body="保護知識產權,發展經濟。")

    hit = only_hit("知识产权")

    assert "保護<mark>知識產權</mark>," in hit.snippet


def test_a_match_across_a_line_break_is_marked_whole():
    make_speech(title="讲话", body="推进改革\n开放不动摇。")

    hit = only_hit("改革开放")

    assert "<mark>改革 开放</mark>" in hit.snippet


def test_overlapping_matches_are_marked_as_one():
    assert str(highlight("知识产权局", ["知识", "识产"])) == "<mark>知识产</mark>权局"
    assert str(highlight("哈哈哈", ["哈哈"])) == "<mark>哈哈哈</mark>"


def test_title_matches_are_marked():
    make_speech(title="全县防汛工作会议讲话", body="同志们,今天开会。")

    hit = only_hit("防汛")

    assert hit.title_html == "全县<mark>防汛</mark>工作会议讲话"
    assert hit.section is None


def test_hit_links_to_the_section_with_the_best_match():
    body = "同志们:\n一、总体情况\n防汛很重要。\n二、防汛抗旱\n防汛物资、防汛队伍、抗旱水源都要落实。\n三、其他\n别的事。"
    speech = make_speech(title="讲话", body=body)
    for order, (number, heading) in enumerate([("一、", "总体情况"), ("二、", "防汛抗旱"), ("三、", "其他")], start=1):
        start = body.index(number)
        following = body.find("\n", body.find("\n", start) + 1)
        end = following if following != -1 else len(body)
        Section.objects.create(speech=speech, order=order, number=number, heading=heading, level=1, start=start, end=end)

    hit = only_hit("防汛 抗旱")

    assert hit.section_anchor == "s2"
    assert hit.url == f"{speech.get_absolute_url()}#s2"
    assert "<mark>防汛</mark>物资" in hit.snippet


def test_the_deepest_section_holding_the_match_is_chosen():
    body = "一、大标题\n开场。\n(一)小标题\n这里讲河长制。\n二、下一部分\n别的。"
    speech = make_speech(title="讲话", body=body)
    Section.objects.create(speech=speech, order=1, number="一、", heading="大标题", level=1, start=0, end=body.index("二、") - 1)
    Section.objects.create(speech=speech, order=2, number="(一)", heading="小标题", level=2, start=body.index("(一)"), end=body.index("二、") - 1)
    Section.objects.create(speech=speech, order=3, number="二、", heading="下一部分", level=1, start=body.index("二、"), end=len(body))

    assert only_hit("河长制").section_anchor == "s2"


def test_snippet_of_a_long_speech_is_cut_around_the_match():
    body = "开头的话。" * 200 + "这里提到乡村振兴。" + "结尾的话。" * 200
    make_speech(title="长讲话", body=body)

    hit = only_hit("乡村振兴")

    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
    assert "<mark>乡村振兴</mark>" in hit.snippet
    assert len(hit.snippet) < 250


def test_find_matches_reports_every_occurrence_with_offsets_into_the_original():
    text = "A股与a股,知識產權"
    assert find_matches(text, ["a股", "知识"]) == [(0, 2, 0), (3, 5, 0), (6, 8, 1)]


def test_excerpt_without_a_match_shows_the_beginning():
    found = excerpt("第一句。第二句。", [], ["不存在"])
    assert found.html == "第一句。第二句。"
    assert found.section is None and not found.matched
