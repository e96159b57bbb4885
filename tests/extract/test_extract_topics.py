import pytest

from speeches.extract.topics import assign_topics, extract_keywords


def test_the_main_topic_comes_from_its_keywords():
    text = "今天召开全县信访工作会议。要畅通信访渠道,做好接访工作,减少越级上访,把信访问题解决在基层。" * 3
    topics = assign_topics(text, "信访工作会议讲话")
    assert topics[0].name == "信访"
    assert topics[0].score > 0


def test_a_speech_gets_several_topics_where_they_fit():
    text = ("社会保险业务档案是参保人员的重要资料,社保经办机构要建好档案室,做好归档和档案管理。" * 3)
    names = [t.name for t in assign_topics(text)]
    assert "社会保险" in names and "档案" in names


def test_a_passing_mention_is_no_topic():
    text = "会议听取了报告,同意今年的工作安排。这次会议还提到了教育。"
    assert "教育" not in [t.name for t in assign_topics(text)]


def test_keywords_leave_out_masked_years_numbers_and_enumerators():
    text = "20xx年,全县招商引资到位资金30亿元。一是招商引资要抓项目,二是招商引资要抓服务,投资商满意是关键。"
    words = [w for w, _ in extract_keywords(text)]
    assert "招商引资" in words
    assert not any("xx" in w or any(c.isdigit() for c in w) or w.endswith("是") for w in words)


@pytest.mark.parametrize(
    "text",
    [
        "市文化旅游广电局局长赵明远介绍了文旅融合情况。赵明远表示,今年要办好旅游节,赵明远还强调安全生产。",
        "市文化旅游广电局局长赵明远介绍了文旅融合情况。赵明远表示，今年要办好旅游节，赵明远还强调安全生产。",
    ],
)
def test_keywords_are_never_a_piece_of_a_name(text):
    words = [w for w, _ in extract_keywords(text)]
    assert "旅游节" in words
    assert not {"明远", "赵明"} & set(words)
