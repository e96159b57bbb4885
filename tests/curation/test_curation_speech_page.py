"""The speech's admin page as a curator reads it: the text with the officials and places
extraction found marked (escaped, each mark saying what it was taken for), each
extraction's confidence and reason, keywords edited as one line of words, locks as
checkboxes, the importer's log as sentences and its content hash folded away."""

import re

import pytest
from django.urls import reverse

from speeches.curation.marked_text import (
    OFFICIAL,
    REGION,
    Mark,
    import_log_lines,
    marked_paragraphs,
)
from speeches.extract import annotate_speech
from speeches.models import Citation, Official, ReviewItem
from tests.curation_helpers import change_form_data, edit_speech, logged_in
from tests.factories import make_region, make_speech

pytestmark = pytest.mark.django_db

BODY = (
    "同志们：\n今年我县要抓好防汛，岚皋县各乡镇要行动起来。县长王明远同志要亲自部署。\n\n"
    "　　全县要守住<安全>底线，岚皋县上下齐心，把岚皋县建设好。"
)


@pytest.fixture
def curator(client):
    return logged_in(client, "curator")


@pytest.fixture
def speech():
    speech = make_speech(title="全县防汛工作会议讲话", body=BODY, region=make_region("610925", "岚皋县"))
    annotate_speech(speech)
    return speech


def page(client, speech):
    response = client.get(reverse("admin:speeches_speech_change", args=[speech.pk]))
    assert response.status_code == 200
    return response.content.decode()


def runs(paragraph):
    return [(run.text, run.mark.kind if run.mark else None) for run in paragraph[1]]


def test_marks_cut_paragraphs_into_plain_and_marked_runs():
    body = "甲乙丙丁\n戊己庚"
    marks = [Mark(1, 3, OFFICIAL, "官员"), Mark(5, 6, REGION, "地区")]

    paragraphs = marked_paragraphs(body, marks)

    assert [number for number, _runs in paragraphs] == [1, 2]
    assert runs(paragraphs[0]) == [("甲", None), ("乙丙", OFFICIAL), ("丁", None)]
    assert runs(paragraphs[1]) == [("戊", REGION), ("己庚", None)]


def test_overlapping_marks_keep_the_first_and_blank_lines_are_skipped():
    body = "\n　甲乙丙丁\n\n戊"
    marks = [Mark(2, 5, OFFICIAL, "a"), Mark(3, 4, REGION, "b"), Mark(8, 9, REGION, "c")]

    paragraphs = marked_paragraphs(body, marks)

    # Leading ideographic space is not part of the paragraph, as on the public page.
    assert runs(paragraphs[0]) == [("甲乙丙", OFFICIAL), ("丁", None)]
    assert runs(paragraphs[1]) == [("戊", REGION)]


def test_the_page_marks_officials_and_places_in_the_escaped_text(curator, speech):
    html = page(curator, speech)

    panel = html[html.index('class="marked-text"'):html.index("</div>\n</div>", html.index('class="marked-text"'))]
    assert re.search(r'<mark class="mark-official" title="官员：王明远[^"]*置信度 [0-9.]+[^"]*">王明远</mark>', panel)
    assert re.search(r'<mark class="mark-region" title="地区：岚皋县（610925） · 讲话所属地区">岚皋县</mark>', panel)
    # The text is escaped: a tag written in a speech is shown, never obeyed.
    assert "&lt;安全&gt;" in panel and "<安全>" not in panel
    assert '<span class="paragraph-number">3</span>' in panel


def test_marks_whose_text_was_edited_away_are_counted_not_shown(curator, speech):
    Citation.objects.filter(speech=speech).update(offset=1)

    html = page(curator, speech)

    assert "mark-official" not in html.split('class="marked-text-body"')[1].split("</div>")[0]
    assert re.search(r"另有 \d+ 处因正文修改已对不上位置", html)


def test_each_extraction_is_listed_with_its_confidence_and_reason(curator, speech):
    html = page(curator, speech)

    table = html[html.index('<table class="findings">'):html.index("</table>", html.index('<table class="findings">'))]
    assert re.search(r"<td>地区</td><td>岚皋县（610925）</td><td>[0-9.]+</td><td>本级称谓“县”，提及\d+次</td>", table)
    assert re.search(r"<td>官员</td><td>王明远[^<]*</td><td>[0-9.]+</td><td>提及 1 次；首次：", table)
    assert "<td>日期</td>" in table


def test_a_doubtful_extraction_links_to_its_place_in_the_queue(curator, speech):
    ReviewItem.objects.create(speech=speech, field=ReviewItem.OFFICIAL, value="王明远", confidence=0.3, reason="只见一次")

    html = page(curator, speech)

    assert "待审核：官员“王明远”（置信度 0.30，只见一次）" in html
    assert f"?speech__id__exact={speech.pk}&amp;status__exact=pending" in html


def test_keywords_are_one_line_of_words_and_come_back_as_a_list(curator, speech):
    speech.keywords = ["防汛", "安全"]
    speech.save()

    html = page(curator, speech)
    assert re.search(r'<input type="text" name="keywords" value="防汛、安全"', html)
    assert "[&quot;" not in html and '["' not in html

    edit_speech(curator, speech, keywords="防汛，抗旱, 安全、、防汛\n救灾")

    speech.refresh_from_db()
    assert speech.keywords == ["防汛", "抗旱", "安全", "救灾"]
    assert "keywords" in speech.locked_fields


def test_saving_without_touching_the_keywords_neither_changes_nor_locks_them(curator, speech):
    before = speech.keywords
    edit_speech(curator, speech, title="全县防汛工作会议上的讲话")

    speech.refresh_from_db()
    assert speech.keywords == before
    assert "keywords" not in speech.locked_fields


def test_locks_are_checkboxes_of_the_lockable_fields(curator, speech):
    speech.locked_fields = ["region", "legacy_field"]
    speech.save()

    html = page(curator, speech)
    boxes = dict(re.findall(r'<input type="checkbox" name="locked_fields" value="(\w+)"[^>]*?( checked)?>', html))
    assert {"title", "body", "region", "officials", "topics", "keywords", "date", "year", "speaker"} <= set(boxes)
    assert boxes["region"] == " checked" and boxes["title"] == ""
    # A name this version does not know is kept, not dropped on save.
    assert boxes["legacy_field"] == " checked"
    assert '<label for="id_locked_fields_0"><input type="checkbox" name="locked_fields" value="title"' in html

    url = reverse("admin:speeches_speech_change", args=[speech.pk])
    data = change_form_data(curator.get(url))
    data["locked_fields"] = ["title", "legacy_field"]
    curator.post(url, data)

    speech.refresh_from_db()
    assert speech.locked_fields == ["title", "legacy_field"]


def test_the_import_log_reads_as_sentences_and_the_hash_is_folded_away(curator, speech):
    speech.import_log = [
        {"kind": "repair", "fragment": "工作方案。", "result": "要按照工作方案逐项抓好整改。"},
        {"kind": "merged_copy", "note": "并入了页面第 67 行起的副本"},
    ]
    speech.save()

    html = page(curator, speech)

    assert "<li>把断开的“工作方案。”并回句中：…要按照工作方案逐项抓好整改。…</li>" in html
    assert "<li>并入了页面第 67 行起的副本</li>" in html
    assert "&quot;kind&quot;" not in html and "merged_copy" not in html
    folded = html[html.index("<details>", html.index("内部信息") - 200):]
    assert speech.content_hash in folded[: folded.index("</details>")]
    assert f'value="{speech.content_hash}"' not in html  # shown, not editable


def test_import_log_lines_read_every_kind_of_entry():
    lines = import_log_lines([
        {"kind": "repair", "fragment": "甲", "result": "甲乙"},
        {"kind": "split", "note": "由 abc 第 3 段起拆分而来"},
        {"kind": "other", "count": 2},
        "旧格式",
    ])

    assert lines == ["把断开的“甲”并回句中：…甲乙…", "由 abc 第 3 段起拆分而来", "kind:other、count:2", "旧格式"]


def test_a_new_speech_page_explains_the_panels_come_after_saving(curator):
    html = curator.get(reverse("admin:speeches_speech_add")).content.decode()

    assert "保存后显示抽取出的官员与地区。" in html


def test_every_inline_input_has_a_label_and_every_column_a_name(curator, speech):
    Official.objects.create(name="李红")
    html = page(curator, speech)

    inputs = re.findall(r'<input type="(?:text|number)" name="((?:citations|sections|speechtopic_set)-\d+-\w+)"[^>]*id="([^"]+)"', html)
    assert inputs
    for _name, input_id in inputs:
        assert f'<label class="visually-hidden" for="{input_id}">' in html, input_id
    assert '<th class="original"><span class="visually-hidden">记录</span></th>' in html
    assert "<th></th>" not in html
