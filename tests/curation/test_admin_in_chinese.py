"""The admin speaks Chinese: the archive's name in the header and title, every list,
form, filter, column and inline named in Chinese, and no English word anywhere a curator
reads (text, tooltips, labels, button captions) on the pages they use."""

import re
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

from speeches.curation import upload
from speeches.extract import annotate_speech
from speeches.models import Job, ReviewItem, SearchQueryLog, Speech
from tests.curation_helpers import COMPILATION, run_jobs
from tests.factories import make_region, make_source, make_speech, make_topic

pytestmark = pytest.mark.django_db

# Three or more Latin letters standing as a word: English, where a curator reads it.
LATIN_WORD = re.compile(r"(?<![\w.])[A-Za-z]{3,}(?![\w])")
# Readable attributes: what tooltips, screen readers and buttons say.
READ_ATTRIBUTES = ("title", "alt", "aria-label", "placeholder")


class ReadableText(HTMLParser):
    """The words of a page a person reads or hears: text outside scripts and styles,
    tooltips, labels and the captions of buttons."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.words, self.skipping = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self.skipping += 1
        attrs = dict(attrs)
        self.words += [attrs[name] for name in READ_ATTRIBUTES if attrs.get(name)]
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.words.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template"):
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping and data.strip():
            self.words.append(data.strip())


# Data, not labels: uploaded files are stored under upload/, a text's encoding is utf-8.
DATA_WORDS = {"upload", "utf"}


def english_on(html):
    parser = ReadableText()
    parser.feed(html)
    return sorted({word for text in parser.words for word in LATIN_WORD.findall(text)} - DATA_WORDS)


@pytest.fixture
def chief(client):
    """A superuser, named in Chinese as the archive's staff are: every page is open to them."""
    user = get_user_model().objects.create_superuser("馆员甲", "staff@example.org", password=None)
    client.force_login(user)
    return client


@pytest.fixture
def archive(chief):
    """A small archive with every kind of record the admin lists, in Chinese: an uploaded
    compilation (merged copies, a repair, a job with its report), a region, a topic, a
    search logged, review items queued."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload.queue_import([SimpleUploadedFile("汇编.txt", COMPILATION.read_bytes())], Speech.PUBLISHED)
    run_jobs()
    county = make_region("610925", "岚皋县")
    speech = make_speech(
        title="全县防汛工作会议讲话",
        body="同志们:\n岚皋县要抓好防汛。县长王明远同志要亲自部署。\n要守住安全底线。",
        source=make_source("资料/防汛.txt", "防汛汇编"),
        region=county,
    )
    annotate_speech(speech)
    speech.topics.add(make_topic("防汛抗旱", "flood-control"))
    SearchQueryLog.record("防汛", 1)
    return speech


def admin_urls(speech):
    urls = [reverse("admin:index"), reverse("admin:app_list", args=["speeches"])]
    for model in admin.site._registry:
        if model._meta.app_label != "speeches":
            continue
        name = model._meta.model_name
        urls.append(reverse(f"admin:speeches_{name}_changelist"))
        row = model.objects.first()
        if row is not None:
            urls.append(reverse(f"admin:speeches_{name}_change", args=[row.pk]))
    job = Job.objects.first()
    item = ReviewItem.objects.filter(status=ReviewItem.PENDING).exclude(field=ReviewItem.DUPLICATE).first()
    return [
        *urls,
        reverse("admin:speeches_speech_add"),
        reverse("admin:speeches_speech_change", args=[speech.pk]),
        reverse("admin:speeches_speech_history", args=[speech.pk]),
        reverse("admin:speeches_speech_split", args=[speech.pk]),
        reverse("admin:speeches_source_import"),
        reverse("admin:speeches_search_health"),
        reverse("admin:speeches_reviewitem_fix", args=[item.pk]),
        job.get_absolute_url(),
        reverse("admin:speeches_reviewitem_changelist") + "?status__exact=pending",
    ]


def test_the_header_and_title_name_the_archive(chief):
    html = chief.get(reverse("admin:index")).content.decode()

    assert re.search(r"<title>[^<]*\| 领导讲话档案</title>", html)
    assert '<div id="site-name"><a href="/admin/">领导讲话档案</a></div>' in html
    assert "Django" not in html.replace("django", "")


def test_no_page_a_curator_uses_shows_an_english_word(chief, archive):
    found = {}
    for url in admin_urls(archive):
        response = chief.get(url)
        assert response.status_code == 200, url
        words = english_on(response.content.decode())
        if words:
            found[url] = words
    assert found == {}


def test_every_field_and_model_of_the_archive_has_a_chinese_name():
    from django.apps import apps

    unnamed = []
    for model in apps.get_app_config("speeches").get_models():
        for name in (model._meta.verbose_name, model._meta.verbose_name_plural):
            if not re.search(r"[\u4e00-\u9fff]", str(name)):
                unnamed.append(f"{model.__name__}: {name}")
        for field in model._meta.get_fields():
            if field.auto_created or field.name in ("id",) or not hasattr(field, "verbose_name"):
                continue
            if not re.search(r"[\u4e00-\u9fff]", str(field.verbose_name)):
                unnamed.append(f"{model.__name__}.{field.name}: {field.verbose_name}")
    assert unnamed == []


def test_list_filters_are_titled_in_chinese(chief, archive):
    html = chief.get(reverse("admin:speeches_speech_changelist")).content.decode()

    for title in ("按状态", "按省级地区", "按主题", "按类型", "按来源", "按有无地区", "按地区置信度", "按审核情况"):
        assert f"<summary>{title}</summary>" in html
    assert "以 " not in html


def test_speech_list_columns_and_inline_headers_are_chinese(chief, archive):
    listing = chief.get(reverse("admin:speeches_speech_changelist")).content.decode()
    page = chief.get(reverse("admin:speeches_speech_change", args=[archive.pk])).content.decode()

    for header in ("标题", "编号", "年份", "地区", "类型", "状态", "来源"):
        assert re.search(rf'<th scope="col" class="[^"]*">\s*(<div class="text">(<a [^>]*>|<span>))?{header}<', listing), header
    # The source column shows the file's name, never the path it was read from.
    assert "防汛.txt" in listing and "资料/防汛.txt" not in listing
    for header in ("官员", "原文提及", "主题", "得分", "顺序"):
        assert re.search(rf'<th class="column-[a-z_]+( required)?">{header}', page), header


def test_the_sign_in_page_is_chinese(client):
    response = client.get(reverse("admin:login"))

    assert response.status_code == 200
    assert english_on(response.content.decode()) == []
    assert "领导讲话档案" in response.content.decode()


def test_the_project_catalogue_is_compiled_from_its_source():
    from django.conf import settings
    from django.utils import translation

    source = (settings.LOCALE_PATHS[0] / "zh_Hans" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    pairs = re.findall(r'^msgid "(.+)"\nmsgstr "(.+)"$', source, re.M)
    assert pairs
    with translation.override("zh-hans"):
        assert [(msgid, translation.gettext(msgid)) for msgid, _ in pairs] == pairs


def test_topic_keywords_are_edited_as_one_line_of_words(chief):
    from speeches.models import Topic

    topic = Topic.objects.create(name="水利建设", slug="water-works", keywords=["水利", "灌溉"])
    url = reverse("admin:speeches_topic_change", args=[topic.pk])
    assert re.search(r">\s*水利、灌溉</textarea>", chief.get(url).content.decode())

    chief.post(url, {"name": "水利建设", "slug": "water-works", "keywords": "水利，灌溉、节水"})

    topic.refresh_from_db()
    assert topic.keywords == ["水利", "灌溉", "节水"]
