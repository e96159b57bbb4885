"""Related speeches on a speech page: the index's more-like-this first, then neighbours
by topic and region from the database."""

import pytest

from speeches.models import Speech
from speeches.search import related_speeches
from speeches.search.related import _neighbour_ids
from tests.factories import make_region, make_speech

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("index_at_once")]


FLOOD_CONTROL = (
    "今年汛期防汛抗旱形势严峻,各级防汛指挥部要加强水库巡查,落实堤防责任人,"
    "做好山洪地质灾害预警,确保防汛物资储备到位,转移安置群众要提前部署。"
)
FLOOD_CONTROL_AGAIN = (
    "入汛以来降雨偏多,防汛抗旱工作要立足防大汛,水库堤防必须有人值守,"
    "山洪地质灾害易发区要提前转移群众,防汛物资和抢险队伍要随时待命。"
)
SCHOOLS = (
    "义务教育阶段要均衡发展,改善农村学校办学条件,加强教师队伍建设,"
    "落实课后服务,减轻学生过重作业负担,办好人民满意的教育。"
)
TOURISM = (
    "文化旅游产业要融合发展,打造精品旅游线路,办好乡村旅游节庆活动,"
    "提升景区服务水平,让游客进得来、留得住、玩得好。"
)


def test_a_speech_on_the_same_subject_comes_first_among_related_speeches():
    speech = make_speech(title="全县防汛工作会议讲话", body=FLOOD_CONTROL)
    alike = make_speech(title="在防汛抗旱动员会上的讲话", body=FLOOD_CONTROL_AGAIN)
    make_speech(title="全县教育工作会议讲话", body=SCHOOLS)
    make_speech(title="文化旅游发展大会讲话", body=TOURISM)

    related = related_speeches(speech, limit=3)

    assert related[0] == alike
    assert speech not in related


def test_unpublished_speeches_are_never_related():
    speech = make_speech(title="全县防汛工作会议讲话", body=FLOOD_CONTROL)
    make_speech(title="防汛讲话草稿", body=FLOOD_CONTROL_AGAIN, status=Speech.DRAFT)

    assert related_speeches(speech) == []


def test_a_speech_page_lists_the_more_like_this_speech_as_related(client):
    speech = make_speech(title="全县防汛工作会议讲话", body=FLOOD_CONTROL)
    alike = make_speech(title="在防汛抗旱动员会上的讲话", body=FLOOD_CONTROL_AGAIN)
    make_speech(title="全县教育工作会议讲话", body=SCHOOLS)

    html = client.get(speech.get_absolute_url()).content.decode()

    related = html[html.index('id="related-heading"') :]
    assert f'href="{alike.get_absolute_url()}"' in related
    assert "全县教育工作会议讲话" not in related


def test_a_speech_without_topics_is_related_to_another_of_its_region():
    """No index and no topics yet (a speech waiting for extraction): the database's
    neighbours by region still answer."""
    county = make_region("620102", "城关区", level="county")
    waiting = make_speech(title="待抽取的讲话", body="今年的工作安排。", region=county)
    neighbour = make_speech(title="同一区的另一篇讲话", body="去年的工作回顾。", region=county)
    make_speech(title="别处的讲话", body="另一个地方。")

    assert _neighbour_ids(waiting, [], 5) == [neighbour.pk]
