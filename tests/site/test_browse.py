"""Browsing by region, topic, official and year."""

import datetime

import pytest
from django.urls import reverse

from speeches.models import Citation, Official, Region, Speech
from tests.factories import make_speech, make_topic

pytestmark = pytest.mark.django_db


def division(code, name, level=Region.PROVINCE, parent=None):
    """The division with this code: loaded by the gazetteer migration, or created here."""
    defaults = {"name": name, "level": level, "parent": parent}
    return Region.objects.get_or_create(code=code, defaults=defaults)[0]


@pytest.fixture
def regions():
    guangdong = division("44", "广东省")
    shenzhen = division("4403", "深圳市", Region.PREFECTURE, guangdong)
    nanshan = division("440305", "南山区", Region.COUNTY, shenzhen)
    guangzhou = division("4401", "广州市", Region.PREFECTURE, guangdong)
    zhejiang = division("33", "浙江省")
    division("3301", "杭州市", Region.PREFECTURE, zhejiang)  # no speeches
    return {
        "guangdong": guangdong,
        "shenzhen": shenzhen,
        "nanshan": nanshan,
        "guangzhou": guangzhou,
        "zhejiang": zhejiang,
    }


def make_cited(official, title, sentence, **fields):
    speech = make_speech(title=title, body=f"开头。\n{sentence}\n结尾。", **fields)
    Citation.objects.create(
        speech=speech,
        official=official,
        mention=official.name,
        offset=speech.body.index(sentence),
        sentence=sentence,
    )
    return speech


def test_the_region_tree_counts_speeches_of_sub_regions(client, regions):
    make_speech(title="省级讲话", body="甲。", region=regions["guangdong"])
    make_speech(title="区级讲话一", body="乙。", region=regions["nanshan"])
    make_speech(title="区级讲话二", body="丙。", region=regions["nanshan"])
    make_speech(title="广州讲话", body="丁。", region=regions["guangzhou"])
    make_speech(title="草稿", body="戊。", region=regions["zhejiang"], status=Speech.DRAFT)
    make_speech(title="没有地区", body="己。")

    response = client.get(reverse("speeches:region_list"))

    assert response.status_code == 200
    roots = response.context["roots"]
    assert [r.name for r in roots] == ["广东省"]
    guangdong = roots[0]
    assert guangdong.speech_count == 4
    assert [(r.name, r.speech_count) for r in guangdong.tree_children] == [
        ("广州市", 1),
        ("深圳市", 2),
    ]
    shenzhen = guangdong.tree_children[1]
    assert [(r.name, r.speech_count) for r in shenzhen.tree_children] == [("南山区", 2)]
    html = response.content.decode()
    # The tree lists only regions holding speeches (the map draws every province).
    tree = html[html.index('<ul class="region-tree">') :]
    assert "浙江省" not in tree and "杭州市" not in tree
    assert 'href="/regions/440305/"' in html
    # The speech without a region is not dropped: it is counted under 地区不详.
    assert 'href="/regions/unknown/"' in html
    assert response.context["unplaced_count"] == 1


def test_a_region_page_lists_speeches_of_the_region_and_its_sub_regions(client, regions):
    in_province = make_speech(title="省级讲话", body="甲。", region=regions["guangdong"])
    in_district = make_speech(title="区级讲话", body="乙。", region=regions["nanshan"])
    make_speech(title="浙江讲话", body="丙。", region=regions["zhejiang"])

    response = client.get(regions["guangdong"].get_absolute_url())

    assert response.status_code == 200
    assert set(response.context["page"].object_list) == {in_province, in_district}
    assert response.context["total"] == 2
    assert [(c.name, c.speech_count) for c in response.context["children"]] == [("深圳市", 1)]
    assert "浙江讲话" not in response.content.decode()


def test_a_county_page_shows_the_breadcrumb_from_its_province(client, regions):
    make_speech(region=regions["nanshan"])

    html = client.get(regions["nanshan"].get_absolute_url()).content.decode()

    assert html.index('href="/regions/44/"') < html.index('href="/regions/4403/"')
    assert '<span aria-current="page">南山区</span>' in html


def test_an_unknown_region_code_is_not_found(client, regions):
    assert client.get(reverse("speeches:region_detail", args=["99"])).status_code == 404


def test_region_pages_use_a_bounded_number_of_queries(
    client, regions, django_assert_max_num_queries
):
    for n in range(25):
        region = regions["nanshan"] if n % 2 else regions["guangzhou"]
        make_speech(title=f"讲话{n}", body=f"正文{n}。", region=region)

    # The tree (two) and the unplaced count; the map is drawn from the tree.
    with django_assert_max_num_queries(3):
        assert client.get(reverse("speeches:region_list")).status_code == 200
    with django_assert_max_num_queries(7):
        assert client.get(regions["guangdong"].get_absolute_url()).status_code == 200


def test_the_topic_list_counts_published_speeches_and_hides_empty_topics(client):
    ip = make_topic("知识产权保护", "ip")
    make_topic("没有讲话的主题", "empty")
    make_speech(title="甲", body="甲。").topics.add(ip)
    make_speech(title="乙", body="乙。").topics.add(ip)
    make_speech(title="丙", body="丙。", status=Speech.DRAFT).topics.add(ip)

    response = client.get(reverse("speeches:topic_list"))

    assert [(t.name, t.speech_count) for t in response.context["topics"]] == [("知识产权保护", 2)]
    assert "没有讲话的主题" not in response.content.decode()


def test_a_topic_page_lists_its_published_speeches(client):
    ip = make_topic("知识产权保护", "ip")
    tagged = make_speech(title="知识产权讲话", body="甲。")
    tagged.topics.add(ip)
    make_speech(title="别的讲话", body="乙。")

    response = client.get(ip.get_absolute_url())

    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [tagged]
    assert "别的讲话" not in response.content.decode()


def test_topic_pages_use_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    topics = [make_topic(f"主题{n}", f"topic-{n}") for n in range(5)]
    for n in range(25):
        make_speech(title=f"讲话{n}", body=f"正文{n}。").topics.add(*topics)

    # The topics with their counts, the untagged count.
    with django_assert_max_num_queries(2):
        assert client.get(reverse("speeches:topic_list")).status_code == 200
    # The topic, its kept count, the page's ids, their rows, their topics.
    with django_assert_max_num_queries(5):
        assert client.get(topics[0].get_absolute_url()).status_code == 200


def test_an_unknown_topic_is_not_found(client):
    assert client.get(reverse("speeches:topic_detail", args=["nope"])).status_code == 404


def test_the_official_list_gives_name_title_and_number_of_speeches(client):
    wang = Official.objects.create(name="王明远", title="副市长")
    luo = Official.objects.create(name="罗", title="书记", name_is_partial=True)
    Official.objects.create(name="无人提及")
    make_cited(wang, "讲话一", "王明远同志作了部署。")
    speech = make_cited(wang, "讲话二", "王明远同志提出要求。")
    # Two mentions in one speech count as one speech.
    Citation.objects.create(speech=speech, official=wang, mention="王明远", offset=0)
    make_cited(luo, "讲话三", "罗书记讲得很透彻。")
    make_cited(luo, "草稿讲话", "罗书记再次强调。", status=Speech.DRAFT)

    response = client.get(reverse("speeches:official_list"))

    rows = [(o.name, o.title, o.speech_count) for o in response.context["page"].object_list]
    assert rows == [("王明远", "副市长", 2), ("罗", "书记", 1)]
    html = response.content.decode()
    assert "无人提及" not in html
    assert "姓名不完整" in html


def test_an_official_page_shows_each_speech_with_the_citing_sentence(client):
    wang = Official.objects.create(name="王明远", title="副市长")
    other = Official.objects.create(name="赵敏")
    first = make_cited(wang, "讲话一", "王明远同志作了部署。", year=2020)
    make_cited(other, "讲话二", "赵敏同志提出要求。")
    make_cited(wang, "撤回的讲话", "王明远同志另有讲话。", status=Speech.WITHDRAWN)

    response = client.get(wang.get_absolute_url())

    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [first]
    html = response.content.decode()
    assert "王明远同志作了部署。" in html
    assert "赵敏同志提出要求。" not in html
    assert "撤回的讲话" not in html


def test_a_speaker_is_listed_with_the_speeches_they_gave(client):
    premier = Official.objects.create(name="周明", title="国务院总理")
    report = make_speech(title="政府工作报告", body="各位代表。", speaker=premier, year=2001)
    make_speech(title="草稿报告", body="草稿。", speaker=premier, status=Speech.DRAFT)

    listing = client.get(reverse("speeches:official_list"))
    page = client.get(premier.get_absolute_url())

    rows = [
        (o.name, o.speech_count, o.delivered_count) for o in listing.context["page"].object_list
    ]
    assert rows == [("周明", 0, 1)]
    assert list(page.context["delivered"]) == [report]
    assert "草稿报告" not in page.content.decode()


def test_official_pages_use_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    wang = Official.objects.create(name="王明远", title="副市长")
    for n in range(25):
        make_cited(wang, f"讲话{n}", f"王明远同志第{n}次讲到。")

    with django_assert_max_num_queries(3):
        assert client.get(reverse("speeches:official_list")).status_code == 200
    with django_assert_max_num_queries(7):
        assert client.get(wang.get_absolute_url()).status_code == 200


def test_an_unknown_official_is_not_found(client):
    assert client.get(reverse("speeches:official_detail", args=[999])).status_code == 404


def test_the_year_list_groups_unknown_and_masked_years_honestly(client):
    make_speech(title="甲", body="甲。", year=2019)
    make_speech(title="乙", body="乙。", date=datetime.date(2019, 5, 4))
    make_speech(title="丙", body="丙。", date=datetime.date(2021, 1, 1), year=2021)
    make_speech(title="丁", body="丁。", year=2016, year_masked=True)
    make_speech(title="戊", body="戊。")
    make_speech(title="己", body="己。", year=2019, status=Speech.DRAFT)

    response = client.get(reverse("speeches:year_list"))

    assert response.context["years"] == [(2021, 1), (2019, 2), (None, 2)]
    html = response.content.decode()
    assert 'href="/years/2019/"' in html
    assert 'href="/years/unknown/"' in html
    assert "2016" not in html


def test_a_year_page_lists_the_speeches_of_that_year(client):
    dated = make_speech(title="有日期", body="甲。", date=datetime.date(2019, 5, 4))
    stated = make_speech(title="有年份", body="乙。", year=2019)
    make_speech(title="别的年份", body="丙。", year=2018)

    response = client.get(reverse("speeches:year_detail", args=["2019"]))

    assert response.status_code == 200
    assert set(response.context["page"].object_list) == {dated, stated}


def test_the_unknown_year_page_holds_masked_and_undated_speeches(client):
    masked = make_speech(title="遮蔽", body="甲。", year=2016, year_masked=True)
    undated = make_speech(title="无日期", body="乙。")
    make_speech(title="有年份", body="丙。", year=2019)

    response = client.get(reverse("speeches:year_detail", args=["unknown"]))

    assert response.status_code == 200
    assert set(response.context["page"].object_list) == {masked, undated}
    assert "年份不详" in response.content.decode()


@pytest.mark.parametrize("year", ["20xx", "abcd", "0", "12345", "二〇一九"])
def test_a_malformed_year_is_not_found(client, year):
    assert client.get(f"/years/{year}/").status_code == 404


def test_the_year_pages_use_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    topic = make_topic("甲", "a")
    for n in range(30):
        make_speech(title=f"讲话{n}", body=f"正文{n}。", year=2000 + n % 3).topics.add(topic)

    with django_assert_max_num_queries(2):
        assert client.get(reverse("speeches:year_list")).status_code == 200
    with django_assert_max_num_queries(4):
        assert client.get(reverse("speeches:year_detail", args=["2001"])).status_code == 200


def test_the_home_page_lists_provinces_and_topics_with_counts(client, regions):
    ip = make_topic("知识产权保护", "ip")
    make_speech(title="区级讲话", body="甲。", region=regions["nanshan"]).topics.add(ip)
    make_speech(title="没有地区也没有主题", body="乙。")

    html = client.get(reverse("speeches:home")).content.decode()

    # Two clicks to any speech: its province's or topic's page, then the speech.
    assert 'href="/regions/44/"' in html
    assert 'href="/topics/ip/"' in html
    assert 'href="/regions/unknown/"' in html
    assert 'href="/topics/unclassified/"' in html


def test_speeches_without_a_region_are_listed_as_region_unknown(client, regions):
    unplaced = make_speech(title="不知何地", body="甲。")
    make_speech(title="南山", body="乙。", region=regions["nanshan"])
    make_speech(title="草稿", body="丙。", status=Speech.DRAFT)

    response = client.get(reverse("speeches:region_unknown"))

    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [unplaced]
    assert "地区不详" in response.content.decode()


def test_a_speech_without_a_region_has_the_unknown_region_as_its_breadcrumb(client):
    speech = make_speech(title="不知何地", body="甲。")

    html = client.get(speech.get_absolute_url()).content.decode()

    assert '<a href="/regions/unknown/">地区不详</a>' in html


def test_speeches_without_a_topic_are_listed_as_unclassified(client):
    ip = make_topic("知识产权保护", "ip")
    untagged = make_speech(title="没有主题", body="甲。")
    make_speech(title="有主题", body="乙。").topics.add(ip)

    listing = client.get(reverse("speeches:topic_list"))
    response = client.get(reverse("speeches:topic_unclassified"))

    assert 'href="/topics/unclassified/"' in listing.content.decode()
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [untagged]


def test_the_year_histogram_spans_the_years_evenly_and_keeps_unknown_years_apart(client):
    make_speech(title="甲", body="甲。", year=2019)
    make_speech(title="乙", body="乙。", date=datetime.date(2019, 5, 4))
    make_speech(title="丙", body="丙。", year=2021)
    make_speech(title="丁", body="丁。", year=2016, year_masked=True)

    response = client.get(reverse("speeches:year_list"))

    histogram = response.context["histogram"]
    assert [(bar["year"], bar["count"], bar["step"]) for bar in histogram["bars"]] == [
        (2019, 2, 20),
        (2020, 0, 0),
        (2021, 1, 10),
    ]
    assert histogram["unknown_count"] == 1
    html = response.content.decode()
    assert '<a class="bar h-20" href="/years/2019/" title="2019年：2 篇">' in html
    assert "另有 1 篇年份不详，不在图中" in html
