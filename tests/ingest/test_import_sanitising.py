"""Text is sanitised once on the way in, for every format: control characters other than
newline and tab, noncharacters and bidirectional overrides are removed, line-breaking
controls become spaces (a lone carriage return a newline), and the outline still points
at its headings."""

import io
import json

import docx
import pytest

from speeches.ingest.pipeline import FileReport, import_bytes
from speeches.ingest.sanitise import clean_line, clean_text
from speeches.models import Source, Speech

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("index_at_once")]

RLO, PDI = "\u202e", "\u2069"


def _import(name, raw):
    report = import_bytes(raw, name, FileReport(path=name))
    assert report.ok, report.error
    return report


def _assert_clean(text):
    assert not any(ord(ch) < 32 and ch not in "\n\t" for ch in text), repr(text)
    assert not any(ch in text for ch in "\x7f\x85\ufffe\uffff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _sections_point_at_their_headings(speech):
    sections = list(speech.sections.all())
    assert sections
    for section in sections:
        assert speech.body[section.start :].startswith(section.number + section.heading), (section, speech.body)


@pytest.mark.parametrize(
    "colon, paren_open, paren_close", [(":", "(", ")"), (":", "(", ")")], ids=["full-width", "half-width"]
)
def test_records_lose_their_control_characters_and_keep_their_outline(colon, paren_open, paren_close):
    body = (
        f"同志们{colon}\n\x01今年的工作\x1f很重要。\n一、抓好\x0c防汛\n要备足物资\x7f。\n"
        f"{paren_open}一{paren_close}{RLO}压实责任{PDI}\n\ufffe各乡镇要落实到人。"
    )
    rows = [{"title": f"在全县{RLO}防汛{PDI}工作\x0b会议上的讲话", "text": body}]
    raw = "\n".join(json.dumps(row, ensure_ascii=False) for row in rows).encode()

    _import("records.jsonl", raw)

    speech = Speech.objects.get()
    assert speech.title == "在全县防汛工作 会议上的讲话"
    _assert_clean(speech.title)
    _assert_clean(speech.body)
    assert "今年的工作很重要。" in speech.body
    assert "抓好 防汛" in speech.body  # a form feed does not glue words together
    _sections_point_at_their_headings(speech)


def test_a_compilation_page_loses_its_control_characters():
    page = (
        "县委书记在全县\x01安全生产会议上的讲话\n\n同志们:\n今天召开\x02会议。\n"
        f"一、认清形势\n安全{RLO}生产形势\x1b严峻。\n二、压实责任\n各部门要负起责任。\n"
    ).encode()

    _import("page.txt", page)

    speech = Speech.objects.get()
    _assert_clean(speech.title)
    _assert_clean(speech.body)
    assert "今天召开会议。" in speech.body and "安全生产形势严峻。" in speech.body
    _sections_point_at_their_headings(speech)


def test_a_word_file_loses_its_bidirectional_overrides():
    # XML cannot carry control characters: what a Word file can hold are the overrides.
    document = docx.Document()
    document.add_paragraph(f"在全市{RLO}科技大会上的讲话{PDI}")
    document.add_paragraph("同志们:")
    document.add_paragraph(f"一、坚持{RLO}创新驱动{PDI}")
    document.add_paragraph(f"科技是第一生产力{RLO}。")
    buffer = io.BytesIO()
    document.save(buffer)

    _import("speech.docx", buffer.getvalue())

    speech = Speech.objects.get()
    _assert_clean(speech.title)
    _assert_clean(speech.body)
    _sections_point_at_their_headings(speech)


def test_the_source_header_is_sanitised_too():
    page = f"讲话汇编{RLO}\n作者:办公室\x01\n\n第一篇讲话\n\n同志们:\n内容\x07。\n".encode()

    _import("header.txt", page)

    source = Source.objects.get()
    _assert_clean(source.title)
    _assert_clean(source.author)


def test_clean_text_reports_what_it_removed_so_offsets_can_follow():
    text, removed = clean_text("a\x01b\r\nc\rd\x0be\u202ef")
    assert text == "ab\nc\nd ef"
    assert removed == [1, 3, 10]
    assert clean_line("标题\n第二行\t\x0c结束\x01") == "标题 第二行  结束"
    assert clean_text("没有控制字符的正文。\n第二段。") == ("没有控制字符的正文。\n第二段。", [])
