"""The public pages: home, the list of speeches, one speech, one source."""

import datetime
import re

import pytest
from django.urls import reverse

from speeches.models import Citation, Official, Region, Section, Speech
from tests.factories import make_source, make_speech, make_topic

pytestmark = pytest.mark.django_db


def division(code, name, level=Region.PROVINCE, parent=None):
    """The division with this code: loaded by the gazetteer migration, or created here."""
    defaults = {"name": name, "level": level, "parent": parent}
    return Region.objects.get_or_create(code=code, defaults=defaults)[0]


OUTLINED_BODY = "\n".join(
    [
        "同志们:",
        "今天召开全市科技创新工作会议,主要任务是回顾去年工作,安排今年任务。",
        "",
        "一、充分肯定过去一年的工作成绩",
        "过去一年,全市上下齐心协力,创新能力稳步提升。王明远副市长多次强调,创新是发展的第一动力。",
        "二、准确把握当前面临的形势",
        "(一)外部环境更加复杂",
        "我们要清醒认识到困难和挑战,不能盲目乐观。",
        "(二)内部条件持续改善",
        "人才队伍不断壮大,研发投入逐年增加。",
        "三、扎实做好今年各项工作",
        "希望大家振奋精神,真抓实干,确保各项任务落到实处。",
    ]
)
OUTLINE = [
    ("一、", "充分肯定过去一年的工作成绩", 1),
    ("二、", "准确把握当前面临的形势", 1),
    ("(一)", "外部环境更加复杂", 2),
    ("(二)", "内部条件持续改善", 2),
    ("三、", "扎实做好今年各项工作", 1),
]


def make_outlined_speech(**fields):
    """A published speech with five sections at their real offsets and one citation."""
    speech = make_speech(title="在全市科技创新工作会议上的讲话", body=OUTLINED_BODY, **fields)
    for order, (number, heading, level) in enumerate(OUTLINE, start=1):
        start = OUTLINED_BODY.index(number + heading)
        Section.objects.create(
            speech=speech,
            order=order,
            number=number,
            heading=heading,
            level=level,
            start=start,
            end=start + len(number + heading),
        )
    official = Official.objects.create(name="王明远", title="副市长")
    sentence = "王明远副市长多次强调,创新是发展的第一动力。"
    Citation.objects.create(
        speech=speech,
        official=official,
        mention="王明远",
        title_as_written="副市长",
        offset=OUTLINED_BODY.index(sentence),
        sentence=sentence,
    )
    return speech


def ids_in(html):
    return set(re.findall(r'\bid="([^"]+)"', html))


def paragraph_with_id(html, anchor):
    """The text of the <p> element that holds the element with this id."""
    for match in re.finditer(r"<p\b[^>]*>(.*?)</p>", html, re.S):
        if f'id="{anchor}"' in match.group(0):
            # The ¶ link to the paragraph is not part of its text.
            text = re.sub(r'<a class="para-link"[^>]*>¶</a>', "", match.group(1))
            return re.sub(r"<[^>]+>", "", text)
    return None


def test_home_page_shows_counts_and_latest_published_speeches(client):
    province = division("44", "广东省")
    topic = make_topic("知识产权保护", "ip")
    source = make_source()
    shown = make_speech(
        title="关于加强知识产权保护的讲话", year=2021, region=province, source=source
    )
    shown.topics.add(topic)
    make_speech(title="尚未发布的草稿讲话", body="草稿内容。", status=Speech.DRAFT)

    response = client.get(reverse("speeches:home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "关于加强知识产权保护的讲话" in html
    assert "尚未发布的草稿讲话" not in html
    assert response.context["speech_count"] == 1
    assert response.context["source_count"] == 1
    assert response.context["region_count"] == 1
    assert response.context["topic_count"] == 1
    for name in ["speech_list", "region_list", "topic_list", "official_list", "year_list"]:
        assert reverse(f"speeches:{name}") in html


def test_the_home_page_uses_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    province = division("44", "广东省")
    topic = make_topic("甲", "a")
    for n in range(15):
        speech = make_speech(title=f"讲话{n}", body=f"正文{n}。", year=2000 + n, region=province)
        speech.topics.add(topic)

    # Five counts, the region tree (two), the topics, the unplaced and untagged counts,
    # the latest speeches and their topics.
    with django_assert_max_num_queries(12):
        response = client.get(reverse("speeches:home"))

    assert len(response.context["latest"]) == 10


def test_every_page_has_landmarks_navigation_and_a_labelled_search_box(client):
    html = client.get(reverse("speeches:home")).content.decode()

    for landmark in ["<header", "<nav", "<main", "<footer"]:
        assert landmark in html
    form = re.search(r"<form[^>]*>.*?</form>", html, re.S).group(0)
    assert 'action="/search/"' in form
    assert 'method="get"' in form
    assert 'name="q"' in form
    input_id = re.search(r'<input id="([^"]+)"[^>]*name="q"', form).group(1)
    assert f'<label for="{input_id}">' in form
    assert '<html lang="zh-Hans">' in html
    assert "/static/css/site.css" in html
    for label in ["首页", "全部讲话", "地区", "主题", "人物", "年份"]:
        assert f">{label}</a>" in html


def test_speech_list_shows_only_published_speeches_with_year_region_and_topics(client):
    region = division("11", "北京市")
    topic = make_topic("科技创新", "innovation")
    published = make_speech(title="公开的讲话", year=2019, region=region)
    published.topics.add(topic)
    make_speech(title="草稿讲话", body="另一段文字。", status=Speech.DRAFT)
    make_speech(title="撤回的讲话", body="第三段文字。", status=Speech.WITHDRAWN)

    html = client.get(reverse("speeches:speech_list")).content.decode()

    assert "公开的讲话" in html
    assert "草稿讲话" not in html
    assert "撤回的讲话" not in html
    assert "2019" in html
    assert "北京市" in html
    assert 'href="/topics/innovation/"' in html


def test_speech_list_keeps_a_short_last_page_with_the_previous_one(client):
    for n in range(23):
        make_speech(title=f"讲话第{n}篇", body=f"内容{n}。", year=2000 + n)

    response = client.get(reverse("speeches:speech_list"))

    # 20 per page with orphans=3: three left over join the first page.
    assert response.context["page"].paginator.num_pages == 1
    assert len(response.context["page"].object_list) == 23


def test_speech_list_pages_newest_first_and_links_to_the_next_page(client):
    for n in range(25):
        make_speech(title=f"讲话第{n}篇", body=f"内容{n}。", year=2000 + n)
    make_speech(title="年份不详的讲话", body="没有年份。")

    first = client.get(reverse("speeches:speech_list"))
    second = client.get(reverse("speeches:speech_list"), {"page": 2})

    assert [s.title for s in first.context["page"].object_list][:2] == ["讲话第24篇", "讲话第23篇"]
    assert 'href="?page=2"' in first.content.decode()
    titles = [s.title for s in second.context["page"].object_list]
    assert titles[-1] == "年份不详的讲话"
    assert len(titles) == 6


@pytest.mark.parametrize("page", ["abc", "0", "-1", "999", ""])
def test_a_bad_page_number_on_the_list_gives_a_page_not_an_error(client, page):
    make_speech()

    response = client.get(reverse("speeches:speech_list"), {"page": page})

    assert response.status_code == 200
    assert "测试讲话" in response.content.decode()


def test_the_speech_list_uses_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    topic_a, topic_b = make_topic("甲", "a"), make_topic("乙", "b")
    region = division("32", "江苏省")
    source = make_source()
    for n in range(30):
        speech = make_speech(title=f"讲话{n}", body=f"正文{n}。", region=region, source=source)
        speech.topics.add(topic_a, topic_b)

    with django_assert_max_num_queries(4):
        response = client.get(reverse("speeches:speech_list"))

    assert response.status_code == 200


def test_speech_page_shows_title_facts_outline_and_every_paragraph(client):
    province = division("44", "广东省")
    city = division("4403", "深圳市", Region.PREFECTURE, province)
    district = division("440305", "南山区", Region.COUNTY, city)
    source = make_source(
        title="科技会议讲话汇编", published_at=datetime.datetime(2020, 3, 5, tzinfo=datetime.UTC)
    )
    speech = make_outlined_speech(
        date=datetime.date(2020, 3, 1), year=2020, region=district, source=source
    )
    speech.topics.add(make_topic("科技创新", "innovation"))

    response = client.get(speech.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html and "在全市科技创新工作会议上的讲话" in html
    assert "2020年3月1日" in html
    assert "<dt>类型</dt>\n      <dd>讲话</dd>" in html
    # The breadcrumb runs province → prefecture → county.
    assert html.index('href="/regions/44/"') < html.index('href="/regions/4403/"')
    assert html.index('href="/regions/4403/"') < html.index('href="/regions/440305/"')
    assert 'href="/topics/innovation/"' in html
    assert f'href="{source.get_absolute_url()}"' in html
    assert "2020年3月5日" in html
    for index, text in speech.paragraphs():
        assert paragraph_with_id(html, f"p{index}") == text
    for number, heading, _ in OUTLINE:
        assert f"{number}{heading}</a>" in html


def test_each_section_anchor_sits_on_the_paragraph_that_starts_the_section(client):
    speech = make_outlined_speech()

    html = client.get(speech.get_absolute_url()).content.decode()

    for section in speech.sections.all():
        assert f'href="#{section.anchor}"' in html
        assert paragraph_with_id(html, section.anchor) == f"{section.number}{section.heading}"


def test_a_section_starting_on_a_blank_line_anchors_the_next_paragraph(client):
    body = "开场白。\n\n一、第一部分\n内容。"
    speech = make_speech(body=body)
    Section.objects.create(
        speech=speech, order=1, number="一、", heading="第一部分", level=1, start=5, end=11
    )

    html = client.get(speech.get_absolute_url()).content.decode()

    assert paragraph_with_id(html, "s1") == "一、第一部分"


def test_speech_page_links_cited_officials_and_other_speeches_of_the_same_source(client):
    source = make_source()
    speech = make_outlined_speech(source=source, position=1)
    sibling = make_speech(
        title="同一汇编中的另一篇讲话", body="别的内容。", source=source, position=2
    )
    make_speech(
        title="同一汇编中的草稿", body="草稿。", source=source, position=3, status=Speech.DRAFT
    )
    official = Official.objects.get(name="王明远")

    html = client.get(speech.get_absolute_url()).content.decode()

    assert f'href="{official.get_absolute_url()}"' in html
    assert "王明远（副市长）" in html
    assert f'href="{sibling.get_absolute_url()}"' in html
    assert "同一汇编中的草稿" not in html


def test_speech_page_names_the_speaker_and_links_the_original_address(client):
    speaker = Official.objects.create(name="周明", title="国务院总理")
    speech = make_speech(
        title="政府工作报告", speaker=speaker, url="https://example.org/reports/2001"
    )

    html = client.get(speech.get_absolute_url()).content.decode()

    assert f'国务院总理 <a href="{speaker.get_absolute_url()}">周明</a>' in html
    assert 'href="https://example.org/reports/2001"' in html


def test_speech_page_gives_the_speakers_title_as_the_speech_states_it(client):
    speaker = Official.objects.create(name="周明", title="副市长")
    speech = make_speech(title="政府工作报告", speaker=speaker, speaker_name="周明", speaker_title="云溪市人民政府市长")

    html = client.get(speech.get_absolute_url()).content.decode()

    assert f'云溪市人民政府市长 <a href="{speaker.get_absolute_url()}">周明</a>' in html


def test_an_original_address_that_is_not_http_is_shown_but_not_linked(client):
    speech = Speech.objects.get(pk=make_speech().pk)
    Speech.objects.filter(pk=speech.pk).update(url="javascript:alert(1)")

    html = client.get(speech.get_absolute_url()).content.decode()

    assert 'href="javascript:' not in html
    assert "javascript:alert(1)" in html


def test_a_masked_year_is_shown_as_unknown_and_never_guessed(client):
    speech = make_speech(title="在20xx年工作会议上的讲话", year=2016, year_masked=True)

    html = client.get(speech.get_absolute_url()).content.decode()

    assert "年份不详" in html
    assert "2016" not in html


def test_a_draft_speech_is_not_found(client):
    speech = make_speech(status=Speech.DRAFT)

    assert client.get(speech.get_absolute_url()).status_code == 404


def test_an_unknown_speech_id_is_not_found(client):
    assert client.get(reverse("speeches:speech_detail", args=["nosuchid"])).status_code == 404


def test_a_withdrawn_speech_is_gone_with_an_explanation(client):
    speech = make_speech(title="已撤回的讲话标题", status=Speech.WITHDRAWN)

    response = client.get(speech.get_absolute_url())

    assert response.status_code == 410
    html = response.content.decode()
    assert "已撤回" in html
    assert "已撤回的讲话标题" not in html


def test_a_merged_duplicate_redirects_permanently_to_the_kept_speech(client):
    kept = make_speech(title="保留的讲话", body="完整的正文。")
    duplicate = make_speech(
        title="重复的讲话", body="残缺的正文。", status=Speech.WITHDRAWN, merged_into=kept
    )

    response = client.get(duplicate.get_absolute_url())

    assert response.status_code == 301
    assert response["Location"] == kept.get_absolute_url()


def test_html_in_a_title_or_body_is_shown_escaped(client):
    speech = make_speech(
        title="<b>加粗</b>标题", body="第一段。\n<script>alert(1)</script>\n第三段。"
    )

    html = client.get(speech.get_absolute_url()).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>加粗</b>" not in html
    assert "&lt;b&gt;加粗&lt;/b&gt;标题" in html


def test_the_speech_page_uses_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    province = division("44", "广东省")
    city = division("4403", "深圳市", Region.PREFECTURE, province)
    source = make_source()
    speech = make_outlined_speech(region=city, source=source)
    speech.topics.add(make_topic("甲", "a"), make_topic("乙", "b"))
    for n in range(5):
        make_speech(title=f"同源讲话{n}", body=f"正文{n}。", source=source, position=n + 2)

    # Related speeches from the database: a neighbour in the same city.
    make_speech(title="同城讲话", body="别的正文。", region=city)

    # The speech, its sections, citations, the same source, topics, related ids (its
    # topics, the newest of its topics and of its region, those ranked), related speeches,
    # its shared passages and the copies merged into it.
    with django_assert_max_num_queries(12):
        response = client.get(speech.get_absolute_url())

    assert response.status_code == 200
    assert [other.title for other in response.context["related"]] == ["同城讲话"]


def test_source_page_shows_its_metadata_and_published_speeches_in_order(client):
    source = make_source(title="某市讲话汇编", author="编辑部", intro="本页收录多篇讲话。")
    second = make_speech(title="第二篇", body="乙。", source=source, position=2)
    first = make_speech(title="第一篇", body="甲。", source=source, position=1)
    make_speech(title="草稿篇", body="丙。", source=source, position=3, status=Speech.DRAFT)

    response = client.get(source.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert "某市讲话汇编" in html and "编辑部" in html and "本页收录多篇讲话。" in html
    assert html.index(first.get_absolute_url()) < html.index(second.get_absolute_url())
    assert "草稿篇" not in html


def test_the_source_page_uses_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    source = make_source()
    topic = make_topic("甲", "a")
    for n in range(12):
        make_speech(title=f"讲话{n}", body=f"正文{n}。", source=source, position=n).topics.add(
            topic
        )

    with django_assert_max_num_queries(4):
        assert client.get(source.get_absolute_url()).status_code == 200


def test_a_source_without_published_speeches_is_not_found(client):
    source = make_source()
    make_speech(source=source, status=Speech.DRAFT)

    assert client.get(source.get_absolute_url()).status_code == 404


def test_every_paragraph_has_a_link_to_itself(client):
    speech = make_outlined_speech()

    html = client.get(speech.get_absolute_url()).content.decode()

    for index, _text in speech.paragraphs():
        assert f'<a class="para-link" href="#p{index}" aria-label="链接到第 {index} 段"' in html


def test_speech_page_offers_downloads_keywords_and_feeds(client):
    province = division("44", "广东省")
    topic = make_topic("科技创新", "innovation")
    speech = make_outlined_speech(region=province)
    speech.topics.add(topic)
    Speech.objects.filter(pk=speech.pk).update(keywords=["科技创新", "人才队伍"])

    html = client.get(speech.get_absolute_url()).content.decode()

    assert f'href="{reverse("speeches:speech_text", args=[speech.uid])}"' in html
    assert f'href="{reverse("speeches:speech_docx", args=[speech.uid])}"' in html
    # Each keyword searches the archive for that exact phrase.
    assert 'href="/search/?q=%22%E7%A7%91%E6%8A%80%E5%88%9B%E6%96%B0%22"' in html
    assert ">人才队伍</a>" in html
    head = html[: html.index("</head>")]
    for url in [
        reverse("speeches:feed_latest"),
        reverse("speeches:feed_region", args=["44"]),
        reverse("speeches:feed_topic", args=["innovation"]),
    ]:
        assert re.search(rf'<link rel="alternate" type="application/rss\+xml" title="[^"]+" href="{url}">', head)


def test_related_speeches_prefer_same_topic_and_region_and_skip_the_same_source(client):
    province = division("44", "广东省")
    other_province = division("45", "广西壮族自治区")
    topic = make_topic("科技创新", "innovation")
    source = make_source()
    speech = make_outlined_speech(region=province, source=source, position=1)
    speech.topics.add(topic)
    sibling = make_speech(title="同源讲话", body="同源。", region=province, source=source, position=2)
    sibling.topics.add(topic)
    both = make_speech(title="同主题同地区", body="甲。", region=province)
    both.topics.add(topic)
    topic_only = make_speech(title="只同主题", body="乙。", region=other_province)
    topic_only.topics.add(topic)
    make_speech(title="只同地区", body="丙。", region=province)
    make_speech(title="毫不相干", body="丁。", region=other_province)
    make_speech(title="同主题的草稿", body="戊。", region=province, status=Speech.DRAFT).topics.add(topic)

    response = client.get(speech.get_absolute_url())

    assert [other.title for other in response.context["related"]] == ["同主题同地区", "只同主题", "只同地区"]
    html = response.content.decode()
    assert 'id="related-heading"' in html and 'id="same-source-heading"' in html


def test_pages_load_the_keyboard_script_from_a_file_and_have_no_inline_scripts_or_styles(client):
    speech = make_outlined_speech()
    for url in [reverse("speeches:home"), speech.get_absolute_url(), reverse("speeches:search") + "?q=创新"]:
        html = client.get(url).content.decode()

        assert '<script src="/static/js/site.js" defer></script>' in html
        assert re.search(r"<script(?![^>]*\bsrc=)", html) is None
        assert "<style" not in html and " style=" not in html


def test_the_keyboard_script_and_stylesheet_are_served(client):
    for path in ["/static/js/site.js", "/static/css/site.css", "/static/favicon.svg"]:
        response = client.get(path)
        assert response.status_code == 200, path


def test_an_unknown_address_gets_a_chinese_not_found_page(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "找不到这个页面" in html
    assert 'role="search"' in html and reverse("speeches:region_list") in html


def test_the_server_error_page_renders_without_any_context():
    from django.template import loader

    html = loader.get_template("500.html").render()

    assert "服务器出错" in html and 'lang="zh-Hans"' in html


def test_the_gone_page_explains_in_chinese(client):
    speech = make_speech(status=Speech.WITHDRAWN)

    response = client.get(speech.get_absolute_url())

    assert response.status_code == 410
    html = response.content.decode()
    assert "讲话已撤回" in html and speech.uid in html


def test_a_speech_page_sets_its_glossary_apart_as_notes_not_as_outline(client):
    from speeches.ingest.pipeline import import_paths
    from tests.conftest import FIXTURES_DIR

    (report,) = import_paths([FIXTURES_DIR / "ingest" / "report_with_header.txt"])
    speech = Speech.objects.get(uid=report.created[0])
    page = client.get(speech.get_absolute_url()).content.decode()
    outline, text = page.split('<div class="speech-text">')
    notes = text.split('<section class="speech-notes"')[1]
    glossary_only = "指由市直部门干部担任"
    assert "名词解释" in notes and glossary_only in notes
    assert glossary_only not in outline and 'href="#notes-heading"' in outline
    assert glossary_only not in text.split('<section class="speech-notes"')[0]
