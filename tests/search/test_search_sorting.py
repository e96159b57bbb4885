"""Sorting: by relevance (the default; title and headings count more), newest or oldest
first (undated speeches last either way), and pages that follow the order."""

import datetime

import pytest

from speeches import search
from speeches.models import Section
from tests.factories import make_speech

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("index_at_once")]


def order(**params):
    return [hit.speech.title for hit in search.search(params).hits]


def test_relevance_puts_a_title_match_before_a_passing_mention():
    make_speech(title="关于其他事项的讲话", body="今天讲三件事,其中一件是安全生产,另外两件是招商和教育。")
    make_speech(title="安全生产工作讲话", body="今天讲三件事,都和企业有关,请大家认真落实。")

    assert order(q="安全生产")[0] == "安全生产工作讲话"


def test_relevance_prefers_a_speech_about_the_subject():
    make_speech(title="讲话一", body="防汛。" + "招商引资要抓紧。" * 20)
    make_speech(title="讲话二", body="防汛工作要抓紧,防汛物资要备足,防汛队伍要落实。" + "其他。" * 20)

    assert order(q="防汛") == ["讲话二", "讲话一"]


def test_relevance_counts_section_headings():
    plain = make_speech(title="讲话甲", body="一、总体情况\n今年的河长制推进顺利。各项工作有序开展。")
    headed = make_speech(title="讲话乙", body="一、河长制\n今年各项工作有序开展,进展顺利。")
    Section.objects.create(speech=plain, order=1, number="一、", heading="总体情况", level=1, start=0, end=len(plain.body))
    Section.objects.create(speech=headed, order=1, number="一、", heading="河长制", level=1, start=0, end=len(headed.body))

    assert order(q="河长制") == ["讲话乙", "讲话甲"]


def test_newest_and_oldest_sort_by_date_with_undated_last():
    make_speech(title="二〇〇一年", body="防汛。", year=2001)
    make_speech(title="二〇一九年五月", body="防汛。", date=datetime.date(2019, 5, 1))
    make_speech(title="二〇一九年一月", body="防汛。", date=datetime.date(2019, 1, 1))
    make_speech(title="不详", body="防汛。")

    assert order(q="防汛", sort="newest") == ["二〇一九年五月", "二〇一九年一月", "二〇〇一年", "不详"]
    assert order(q="防汛", sort="oldest") == ["二〇〇一年", "二〇一九年一月", "二〇一九年五月", "不详"]


def test_pages_follow_the_sort_order():
    for year in range(2001, 2024):
        make_speech(title=f"{year}年讲话", body="防汛。", year=year)

    first = search.search({"q": "防汛", "sort": "oldest"})
    third = search.search({"q": "防汛", "sort": "oldest", "page": "3"})

    assert first.total == 23 and first.num_pages == 3
    assert [hit.speech.year for hit in first.hits] == list(range(2001, 2011))
    assert [hit.speech.year for hit in third.hits] == [2021, 2022, 2023]


def test_scores_are_given_for_relevance_only():
    make_speech(title="讲话", body="防汛。", year=2001)

    assert search.search({"q": "防汛"}).hits[0].score > 0
    assert search.search({"q": "防汛", "sort": "newest"}).hits[0].score is None
