"""Real Chinese documents parse right: both punctuation widths alike, one document per file
or many per compilation page, report headers read, every outline level, notes apart,
flattened and hard-wrapped layouts recovered, web furniture removed."""

import re

import pytest

from speeches.ingest.errors import IngestError
from speeches.ingest.header import read_header, report_year
from speeches.ingest.layout import recover_paragraphs
from speeches.ingest.parse import classify_kind, parse_compilation, parse_single
from speeches.ingest.sections import find_notes, find_sections
from speeches.ingest.width import fold
from speeches.models import Speech
from tests.conftest import FIXTURES_DIR

SAMPLES = FIXTURES_DIR / "ingest"
# Half-width punctuation written as the full-width forms Chinese documents use.
_WIDEN = str.maketrans({",": "，", ":": "：", ";": "；", "!": "！", "?": "？", "(": "（", ")": "）"})


def sample(name):
    return (SAMPLES / name).read_text(encoding="utf-8")


def widen(text):
    return text.translate(_WIDEN)


def both_widths(text):
    """The text as written in full-width punctuation, and in half-width."""
    full = widen(text)
    return [full, fold(full)]


def structure(doc):
    """What a parse found, with the widths of what was written folded away."""
    return {
        "title": fold(doc.title),
        "published_at": doc.published_at,
        "author": doc.author,
        "speeches": [
            {
                "title": fold(s.title),
                "kind": s.kind,
                "paragraphs": len(s.body.split("\n")),
                "sections": [(fold(x.number), fold(x.heading), x.level, x.start, x.end) for x in s.sections],
                "speaker": (fold(s.speaker_title), s.speaker_name),
                "meeting": s.meeting,
                "date": s.source_date,
                "year": s.source_year,
                "notes_start": s.notes_start,
            }
            for s in doc.speeches
        ],
    }


# ---- Both widths ----


@pytest.mark.parametrize(
    "name", ["report_with_header.txt", "云溪.txt", "compilation_fullwidth.txt", "compilation_basic.txt", "single_speech.txt"]
)
def test_full_width_and_half_width_punctuation_give_the_same_result(name):
    full, half = both_widths(sample(name))
    assert structure(parse_compilation(full, name[:-4])) == structure(parse_compilation(half, name[:-4]))


def test_the_stored_text_keeps_the_width_it_was_written_in():
    doc = parse_compilation(sample("report_with_header.txt"), "x")
    assert "各位代表：" in doc.speeches[0].body
    assert any(s.number == "（一）" for s in doc.speeches[0].sections)


# ---- One document or many ----


@pytest.mark.parametrize("text", both_widths(sample("云溪.txt")))
def test_a_file_of_one_report_is_never_split_at_its_inner_headings_or_salutations(text):
    doc = parse_compilation(text, "云溪")
    assert len(doc.speeches) == 1
    body = doc.speeches[0].body
    # The inner line that reads like a title (……工作部署) and the repeated 各位代表! stay inside.
    assert "2031年重点工作部署" in body and fold(body).count("各位代表!") == 3


@pytest.mark.parametrize("text", both_widths(sample("compilation_fullwidth.txt")))
def test_a_compilation_of_speeches_that_open_only_with_a_salutation_is_split(text):
    doc = parse_compilation(text, "x")
    assert len(doc.speeches) == 3
    assert doc.author == "示例编辑" and doc.published_at.isoformat() == "2030-05-01T09:00:00"
    assert all(s.title == fold(doc.title).replace("(3篇)", "") or s.title in doc.title for s in doc.speeches)


def test_a_compilation_without_its_page_header_is_still_split_where_each_outline_counts_from_one():
    lines = sample("compilation_fullwidth.txt").splitlines()
    headless = "\n".join(lines[4:])
    assert len(parse_compilation(headless, "x").speeches) == 3


def test_a_speech_that_calls_on_its_audience_again_with_its_outline_running_on_is_one_speech():
    text = widen(
        "同志们:\n今天开会,讲三点意见。\n一、统一思想。大家要提高认识。\n我们要抓好落实。\n要加强协调。\n"
        "同志们:\n二、明确责任。各单位要各负其责。\n三、狠抓落实。要确保各项任务完成。"
    )
    assert len(parse_compilation(text, "x").speeches) == 1


# ---- Header fields ----


@pytest.mark.parametrize("text", both_widths(sample("report_with_header.txt")))
def test_a_report_header_is_read_into_title_meeting_date_and_speaker(text):
    (speech,) = parse_compilation(text, "随便什么名字").speeches
    assert speech.title == "云溪市政府工作报告（2031年）"
    assert speech.kind == "work_report"
    assert speech.meeting == "云溪市第八届人民代表大会第二次会议"
    assert speech.source_date.isoformat() == "2031-01-12" and speech.source_year == 2031
    assert (speech.speaker_title, speech.speaker_name) == ("云溪市人民政府市长", "刘明")
    # The spaced title line is the title, not a paragraph; the header lines stay in the text.
    assert not speech.body.startswith("政 府") and speech.body.startswith("——2031年")


def test_the_file_name_names_the_place_only_where_the_text_names_none():
    assert parse_compilation(sample("云溪.txt"), "云溪").speeches[0].title == "云溪市政府工作报告（2031年）"
    assert parse_compilation(sample("云溪.txt"), "report-final").speeches[0].title == "政府工作报告（2031年）"
    assert parse_compilation(sample("report_with_header.txt"), "别处").speeches[0].title.startswith("云溪市")


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["政府工作报告", "——2 0 3 1 年1 月1 2 日在云溪市第八届人民代表大会第二次会议上", "市长 黄 江", "各位代表："],
         ("2031-01-12", "市长", "黄江")),
        (["（2031年1月12日在云溪州第三届人民代表大会第一次会议上）", "州长  杨光明", "各位代表："],
         ("2031-01-12", "州长", "杨光明")),
        (["政府工作报告", "——2031年2月3日在云溪市第六届人民代表大会", "第六次会议上", "国务院总理", "李　明", "各位代表："],
         ("2031-02-03", "国务院总理", "李明")),
        (["——2031年2月9日在云溪市第六届人民代表大会第六次会议上 市长 张惠明", "各位代表："],
         ("2031-02-09", "市长", "张惠明")),
    ],
)
def test_header_lines_are_read_however_they_are_spaced_or_broken(lines, expected):
    header = read_header([*lines, "现在，我代表市人民政府向大会报告工作。"])
    assert (header.date.isoformat(), header.speaker_title, header.speaker_name) == expected


def test_a_delegation_and_the_reporting_body_are_read_from_the_opening():
    header = read_header(["各位代表：", "我受国务院的委托，现在向大会提出关于今年国民经济计划的报告。"])
    assert header.delegated_by == "国务院" and not header.speaker_name
    header = read_header(["各位代表:", "现在,我代表县人民政府向大会报告工作,请予审议。"])
    assert header.on_behalf_of == "县人民政府" and header.reports_work


def test_a_byline_at_the_end_names_the_speaker():
    header = read_header(["同志们：", "今天的会议很重要。", "大家要认真落实。", "县委书记　王　强"])
    assert (header.speaker_title, header.speaker_name, header.byline) == ("县委书记", "王强", True)


@pytest.mark.parametrize(
    ("lead", "expected"),
    [
        ("新华社云溪1月1日电 国家主席周明远1日在云溪发表新年贺词，向全国人民致以祝福。", ("国家主席", "周明远")),
        ("国务院总理李明出席论坛开幕式并致辞，介绍了今年的经济形势。", ("国务院总理", "李明")),
        ("中共中央总书记、国家主席周明远5日上午在云溪代表团参加审议并发表重要讲话。",
         ("中共中央总书记、国家主席", "周明远")),
    ],
)
def test_a_lead_sentence_that_says_who_speaks_names_the_speaker(lead, expected):
    for text in both_widths(lead):
        header = read_header(["新年贺词", text, "大家好。" * 30])
        assert (header.speaker_title, header.speaker_name) == expected


@pytest.mark.parametrize(
    "lead",
    [
        "国家主席周明远1日在云溪会见来访的外国客人，双方就合作深入交换意见。",  # a meeting, not a speech
        "我们要认真学习国家主席周明远在大会上的重要讲话精神，抓好落实。",  # studied, not delivered
        "刚才市长王明作了很好的报告，我完全同意，再讲几点意见。",  # another speaker's report
    ],
)
def test_a_lead_that_only_mentions_a_leader_names_no_speaker(lead):
    for text in both_widths(lead):
        assert not read_header([text, "大家好。" * 30]).speaker_name


def test_a_date_line_is_never_a_title():
    doc = parse_compilation("（2031年3月2日）\n同志们：\n今天开会。\n谢谢大家！", "讲话")
    assert doc.speeches[0].title == "讲话" and doc.speeches[0].source_date.isoformat() == "2031-03-02"


@pytest.mark.parametrize(
    ("headings", "year"),
    [
        (["一、2030年工作回顾", "二、2031年工作安排"], 2031),
        (["一、2030年工作回顾"], 2031),
        (["奋力完成2030年的各项任务", "全力实现2031年的奋斗目标"], 2031),
        (["今年是新中国成立80周年，做好全年工作意义重大。"], 2029),
    ],
)
def test_a_work_report_states_its_year_in_its_headings(headings, year):
    paragraphs = ["各位代表：", *headings, "全市经济平稳运行，各项事业全面进步。"]
    assert report_year(paragraphs) == year
    assert report_year([fold(p) for p in paragraphs]) == year


# ---- Outline levels and notes ----


@pytest.mark.parametrize("widths", ["full", "half"])
def test_every_outline_level_is_recognised(widths):
    body = "\n".join(
        [
            "第一部分　总体要求", "总的要求是稳中求进。",
            "一、主要目标", "目标是增长百分之五。",
            "（一）稳定增长。要扩大投资。",
            "１．抓项目。项目是关键。",
            "（１）重大项目。要加快建设。",
            "2、抓消费。消费要恢复。",
            "第二部分　重点任务", "任务很重。",
        ]
    )
    body = body if widths == "full" else fold(body)
    levels = [(fold(s.number), s.level) for s in find_sections(body)]
    assert levels == [
        ("第一部分", 1), ("一、", 2), ("(一)", 3), ("1.", 4), ("(1)", 5), ("2、", 4), ("第二部分", 1),
    ]


def test_chapters_are_a_level_of_their_own():
    body = "第一章　总则\n为了规范工作，制定本办法。\n第二章　职责\n各部门按职责分工负责。"
    assert [(s.number, s.heading, s.level) for s in find_sections(body)] == [
        ("第一章", "总则", 1), ("第二章", "职责", 1),
    ]


@pytest.mark.parametrize("text", both_widths(sample("report_with_header.txt")))
def test_a_glossary_is_kept_in_the_text_but_is_no_part_of_the_outline(text):
    (speech,) = parse_compilation(text, "x").speeches
    assert speech.body[speech.notes_start:].startswith("名词解释")
    assert "企业服务专员：指" in fold(speech.body).replace(":", "：")
    assert all(s.start < speech.notes_start and s.end < speech.notes_start for s in speech.sections)
    assert [fold(s.number) for s in speech.sections if s.level == 1] == ["一、", "二、"]


def test_numbered_notes_that_end_a_text_without_a_heading_are_notes():
    body = "\n".join(
        [
            "同志们：", "今年要做好三项工作。", "一、抓好产业。要培育新动能[1]。", "二、抓好民生。要落实惠民政策[2]。",
            "谢谢大家！", "1．新动能：指新产业、新业态、新模式。", "2．惠民政策：指就业、教育、医疗等方面的扶持政策。",
        ]
    )
    start = find_notes(body)
    assert body[start:].startswith("1．新动能")
    assert [s.number for s in find_sections(body)] == ["一、", "二、"]


def test_a_wikis_back_linked_notes_are_notes():
    body = "\n".join(["同志们：", "第一段正文，内容较长。", "第二段正文。", "第三段正文。", "↑", "原文如此。", "↑", "音译。"])
    assert body[find_notes(body):].startswith("↑")


def test_numbered_items_in_the_body_are_not_taken_for_notes():
    body = "\n".join(["同志们：", "今年重点抓好两件事：", "1．扩大投资。要抓项目。", "2．促进消费。要办展会。", "谢谢大家！"])
    assert find_notes(body) is None


# ---- Lost layout ----


def _yunxi_paragraphs():
    return [line.strip() for line in sample("云溪.txt").splitlines() if line.strip()]


def _numbered(doc, headings=True):
    return [(fold(s.number), fold(s.heading) if headings else "") for s in doc.speeches[0].sections if s.number]


def _long_report():
    """云溪.txt with more said in every paragraph of text: as long as a real report."""
    return [p if len(p) < 30 else p + "各项工作扎实推进，成效明显。" * 20 for p in _yunxi_paragraphs()]


@pytest.mark.parametrize("separator", ["\u3000\u3000", " ", ""])
def test_a_report_flattened_onto_one_line_gets_its_paragraphs_and_outline_back(separator):
    original = parse_compilation("\n".join(_long_report()), "云溪")
    doc = parse_compilation(separator.join(_long_report()), "云溪")
    assert len(doc.speeches) == 1
    assert any("连成一片：拆为" in w for w in doc.warnings)
    # Run together with nothing between them, a heading cannot be told from its first
    # sentence (nor an unnumbered one from the text); the numbered outline still comes back.
    headings = bool(separator)
    assert _numbered(doc, headings) == _numbered(original, headings)


def test_a_hard_wrapped_report_is_joined_back_and_its_page_numbers_dropped():
    original = parse_compilation(sample("云溪.txt"), "云溪")
    lines = []
    for paragraph in _yunxi_paragraphs():
        lines.extend(paragraph[i : i + 28] for i in range(0, len(paragraph), 28))
    for n, at in enumerate(range(12, len(lines), 12), start=1):
        lines.insert(at, f"— {n} —")
    doc = parse_compilation("\n\n".join(lines), "云溪")
    assert _numbered(doc) == _numbered(original)
    assert doc.debris["page_number"] >= 2
    assert "— 1 —" not in doc.speeches[0].body
    assert len(doc.speeches[0].body.split("\n")) <= len(original.speeches[0].body.split("\n")) + 3


# ---- Web furniture ----


FURNITURE = [
    "您的位置：首页 > 领导讲话 > 正文",
    "来源：云溪日报　发布时间：2031-03-02 10:00",
    "【字体：大 中 小】",
    "下载 打印 全屏 收藏",
]
TAIL = ["扫一扫在手机打开当前页", "网站地图 | 联系我们 | 版权声明", "主办单位：云溪市人民政府办公室", "党政机关"]


@pytest.mark.parametrize("fold_it", [False, True])
def test_web_furniture_is_removed_from_a_page_and_listed(fold_it):
    text = "\n".join([*FURNITURE, "在全市安全生产工作会议上的讲话", *sample("single_speech.txt").splitlines()[2:], *TAIL])
    text = fold(text) if fold_it else text
    doc = parse_compilation(text, "x")
    body = doc.speeches[0].body
    for line in FURNITURE + TAIL:
        assert fold(line) not in fold(body)
    assert len(doc.furniture) == len(FURNITURE) + len(TAIL)
    assert {"breadcrumb", "font_size", "page_tools", "qr_code", "site_footer"} <= set(doc.debris)
    # The source and time line is the page's header: its time dates the page.
    assert doc.published_at.isoformat() == "2031-03-02T10:00:00"


def test_a_line_of_text_that_mentions_a_source_or_a_qr_code_is_kept():
    text = "同志们：\n要加强对信息来源的核实，推广二维码支付。\n（三）推广二维码\n谢谢大家！"
    assert "（三）推广二维码" in parse_compilation(text, "x").speeches[0].body


@pytest.mark.parametrize("fold_it", [False, True])
def test_a_short_speech_after_a_source_line_is_not_taken_for_a_page_footer(fold_it):
    # Every line is short, so the whole page looks like a closing run of scraps; the lines
    # that end sentences are text.
    text = "讲话选编\n作者：办公室\n\n在防汛会议上的讲话\n\n同志们：\n我讲三点意见。\n谢谢大家！"
    text = fold(text) if fold_it else text
    body = parse_compilation(text, "x").speeches[0].body
    assert "我讲三点意见。" in fold(body) or "我讲三点意见。" in body
    assert "谢谢大家" in body


# ---- Refusals say what is missing ----


def test_a_page_of_debris_only_says_nothing_is_left():
    with pytest.raises(IngestError, match="之后什么也不剩"):
        parse_compilation("3\n页,当前第。\n1 2 3\n扫一扫在手机打开当前页", "x")


def test_a_text_without_sentences_says_what_is_missing():
    with pytest.raises(IngestError, match="没有一行是讲话标题、对听众的称呼或完整的句子"):
        parse_compilation("甲乙丙\n丁戊己", "x")


def test_a_word_file_of_one_report_reads_its_header_like_a_text_file():
    doc = parse_single(sample("report_with_header.txt").splitlines(), hint="随便")
    (speech,) = doc.speeches
    assert speech.speaker_name == "刘明" and speech.source_date.isoformat() == "2031-01-12"


def test_layout_recovery_leaves_ordinary_paragraphs_alone():
    lines = list(enumerate(_yunxi_paragraphs(), start=1))
    recovered = recover_paragraphs(lines)
    assert recovered.lines == lines and not recovered.notes and not recovered.page_numbers


def test_an_inline_list_in_a_paragraph_is_not_taken_for_a_flattened_text():
    paragraph = "今年的支出分为以下几类：" + "".join(f"（{n}）第{n}类支出比上年增长百分之十，主要用于基础设施建设。" for n in "一二三四五六")
    assert recover_paragraphs([(1, paragraph * 2)]).lines == [(1, paragraph * 2)]


def test_the_folded_form_keeps_every_offset():
    text = sample("report_with_header.txt")
    assert len(fold(text)) == len(text)
    assert re.sub(r"\s", "", fold("（一）　１．")) == "(一)1."


@pytest.mark.parametrize("salutation", ["同志们：", "同志们:", "同志们：今天召开全县安全生产工作会议。"])
def test_a_short_speech_that_opens_with_a_salutation_is_a_speech_not_a_news_summary(salutation):
    body = f"{salutation}\n今天召开全县安全生产工作会议，部署下一阶段工作。\n各乡镇要抓好落实。"
    assert classify_kind("全县安全生产工作会议讲话", body) == Speech.SPEECH
    assert classify_kind("全县安全生产工作会议召开", "会议今天召开，县长出席并讲话。") == Speech.NEWS_SUMMARY


def test_a_meetings_host_is_named_for_the_extraction_that_places_it():
    from speeches.ingest.header import meeting_host

    assert meeting_host("云溪市第八届人民代表大会第二次会议") == "云溪市"
    assert meeting_host("云溪州第三届人民代表大会第一次会议") == "云溪州"
    assert meeting_host("第十六届全国人民代表大会第四次会议") == "全国"
    assert meeting_host("人民代表大会第二次会议") == ""
