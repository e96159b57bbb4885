"""Official names with precision: a name is a whole run of words, a foreign name is
whole or absent, a title is the whole title phrase and takes nothing from its
neighbours. Every text is checked as written with half-width punctuation and with
the full-width punctuation of real documents."""

import pytest

from speeches.extract.officials import extract_officials, find_mentions

_FULL_WIDTH = str.maketrans({",": "，", ":": "：", ";": "；", "(": "（", ")": "）", "!": "！", "?": "？"})


def both_widths(*texts):
    """Each text as written (half-width) and with full-width punctuation."""
    return [variant for text in texts for variant in (text, text.translate(_FULL_WIDTH))]


def people(text):
    return {p.name: p for p in extract_officials(text)}


def names(text):
    return {m.name for m in find_mentions(text)}


# Organisations and places that contain a surname or a place are no people.
@pytest.mark.parametrize(
    "text",
    both_widths(
        "去年,梅州长潭水库完成了除险加固,库区群众喝上了放心水。",
        "我市承办了中俄蒙旅游部长会议,来宾对接待工作很满意。",
        "成功举办第三届吉林市马拉松、全市职工运动会,获得广泛好评。",
        "支持红星化工公司高纯锑、天山锗业公司高纯锗项目扩能,带动上下游配套。",
        "办好哈洽会、冰雪节等节会活动,扩大城市影响。",
        "支持市工程学院申硕、市职业学院升本,加快职教园区建设。",
    ),
)
def test_organisations_places_and_products_are_not_people(text):
    assert extract_officials(text) == []


@pytest.mark.parametrize(
    "text",
    both_widths(
        "南师大副校长陈凌孚、省文联党组书记王慧芬出席了开幕式。",
        "新浪乐居主编杨熙主持了当天的论坛。",
    ),
)
def test_an_organisation_before_a_title_is_no_name_when_a_name_follows(text):
    assert names(text) <= {"陈凌孚", "王慧芬", "杨熙"} and names(text)


# Foreign names are taken whole, or not at all.
@pytest.mark.parametrize(
    ("text", "whole"),
    [
        *[(t, "古特雷斯") for t in both_widths("联合国秘书长古特雷斯表示,各方应当保持克制。")],
        *[(t, "尼赫鲁") for t in both_widths("当年,印度尼赫鲁总理曾多次谈到两国友谊。")],
        *[(t, "安瓦尔") for t in both_widths("会谈中,我同安瓦尔总理就双边合作深入交换意见。")],
        *[(t, "恩维尔·霍查") for t in both_widths("会议向恩维尔·霍查同志致以问候。")],
        *[(t, "梅德韦杰夫") for t in both_widths("俄罗斯总统梅德韦杰夫当天在索契发表讲话。")],
    ],
)
def test_a_foreign_name_is_kept_whole(text, whole):
    found = names(text)
    assert whole in found
    assert all(n == whole or n not in whole for n in found)


@pytest.mark.parametrize(
    "text",
    both_widths(
        "沙特王储纳伊夫亲王会见了代表团,双方签署了合作文件。",
        "马来西亚总理表示,愿同中方加强合作。",
        "哈萨克斯坦总统表示欢迎,双方还谈到了能源合作。",
        "俄罗斯国防部副部长阿列克谢克里沃鲁奇科前几天宣布了这一计划。",
    ),
)
def test_no_piece_of_a_foreign_name_or_country_is_taken_for_a_person(text):
    assert not names(text) & {"伊夫", "纳伊夫", "来西亚", "马来西亚", "哈萨克斯坦", "斯坦", "鲁奇", "阿列克谢克里沃鲁奇"}


@pytest.mark.parametrize(
    "text",
    both_widths("我们要学习习仲勋同志的优秀品质。", "周恩来同志为新中国外交事业鞠躬尽瘁。"),
)
def test_a_famous_name_is_never_cut_short(text):
    found = names(text)
    assert found & {"习仲勋", "周恩来"}
    assert not found & {"仲勋", "周恩", "恩来"}


# A title takes nothing from the word after it, and a name nothing from its neighbours.
@pytest.mark.parametrize(
    "text",
    both_widths(
        "我国接任主席国工作以来,积极推动各方对话。",
        "要建立以城带乡长效机制,促进城乡融合发展。",
        "严格执行长江流域十年禁渔,加强岸线保护。",
        "开展千名教授游咸宁活动,吸引人才回流。",
        "开展千企万众评科长活动,提升服务效能。",
        "打造高素质校长教师队伍,提高办学水平。",
    ),
)
def test_a_title_inside_another_word_is_no_title(text):
    assert extract_officials(text) == []


@pytest.mark.parametrize(
    ("text", "only"),
    [
        *[(t, {"习近平"}) for t in both_widths("全市上下牢记习近平总书记殷殷嘱托,扎实推进各项工作。")],
        *[(t, {"习近平"}) for t in both_widths("深入贯彻习近平总书记来川视察重要指示精神。")],
        *[(t, {"王诚"}) for t in both_widths("下面请富龙集团董事长王诚王总讲话,有请!")],
        *[(t, {"杨斌"}) for t in both_widths("收藏家协会会长杨斌拿起一把紫砂壶介绍起来。")],
    ],
)
def test_a_name_takes_nothing_from_the_word_after_it(text, only):
    assert names(text) == only


# Conjunctions, verbs and pronouns before a title are not names.
@pytest.mark.parametrize(
    "text",
    both_widths(
        "请各位政协委员和列席同志提出意见。",
        "会谈中,我同总理就地区形势交换了看法。",
        "哈方主席表示,愿意继续推进互联互通。",
        "各项安排要与国家规划相衔接,确保落到实处。",
        "加强中小学校长和师资队伍建设,积极推进教学改革。",
        "建强校长、教师、教研三支队伍,定向培养乡村教师。",
        "聘请一批科技城招才引智大使,开展引才活动。",
    ),
)
def test_conjunctions_verbs_and_pronouns_before_a_title_are_not_names(text):
    assert extract_officials(text) == []


@pytest.mark.parametrize("text", both_widths("我们要实现毛主席和周总理的遗愿。"))
def test_a_conjunction_between_two_titled_people_belongs_to_neither(text):
    found = people(text)
    assert "和周" not in found
    assert found["周总理"].name_is_partial


# Surname and title: kept as written, marked partial, never completed.
@pytest.mark.parametrize(
    "text",
    both_widths(
        "县委罗书记带队检查了防汛工作。随后,包市长强调要压实责任。",
        "会上,所以高市长专门作了部署。",
    ),
)
def test_a_surname_with_a_title_stays_as_written(text):
    found = people(text)
    assert found
    assert all(p.name_is_partial and len(p.name) == 3 for p in found.values())


@pytest.mark.parametrize("text", both_widths("罗书记要求抓好落实。罗明华同志作了发言。"))
def test_a_surname_with_a_title_is_not_completed_from_another_name(text):
    found = people(text)
    assert found["罗书记"].name_is_partial
    assert [m.mention for m in found["罗明华"].mentions] == ["罗明华同志"]


@pytest.mark.parametrize("text", both_widths("清华大学艾建强教授作了讲座。艾教授说,项目要早谋划。"))
def test_a_surname_with_the_same_title_joins_the_full_name(text):
    found = people(text)
    assert set(found) == {"艾建强"}
    assert [m.mention for m in found["艾建强"].mentions] == ["艾建强教授", "艾教授"]


@pytest.mark.parametrize("text", both_widths("主持人:谢谢罗会长,下面请王总发言。"))
def test_words_around_a_surname_are_no_given_name(text):
    assert not names(text) & {"谢谢罗", "谢谢", "王总"}


# The title is the whole phrase before the name.
@pytest.mark.parametrize(
    ("text", "name", "title"),
    [
        *[(t, "赵明远", "市文化旅游广电局局长") for t in both_widths("市文化旅游广电局局长赵明远介绍了有关情况。")],
        *[(t, "姜伟新", "住房和城乡建设部部长") for t in both_widths("住房和城乡建设部部长姜伟新近日表示,要加快保障房建设。")],
        *[(t, "张恩玺", "中央联席办副主任、国家信访局副局长") for t in both_widths("中央联席办副主任、国家信访局副局长张恩玺作出批示。")],
        *[(t, "何维", "全国人大常委会副委员长") for t in both_widths("3项工作获全国人大常委会副委员长何维肯定。")],
        *[(t, "刘海生", "上海市住房保障和房屋管理局局长") for t in both_widths("上海市住房保障和房屋管理局局长刘海生曾明确表示,将加大供应。")],
    ],
)
def test_the_title_is_the_whole_title_phrase_before_the_name(text, name, title):
    assert people(text)[name].title == title


@pytest.mark.parametrize("text", both_widths("本报讯(记者张三)市交通局局长李四日前表示,将开通新线路。"))
def test_a_dateline_is_not_part_of_a_title(text):
    assert people(text)["李四"].title == "市交通局局长"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        *[(t, "黄信敬") for t in both_widths("市住房保障办副主任黄信敬则透露,今年将新开工13个项目。")],
        *[(t, "邢胜才") for t in both_widths("纪检组长邢胜才出席会议。")],
        *[(t, "张勤") for t in both_widths("国家知识产权局副局长张勤作了会议总结。")],
        *[(t, "周富强") for t in both_widths("市房产管理局副局长周富强,他表示将严格审核。")],
        *[(t, "于有斌") for t in both_widths("首先有请县政府副县长于有斌致辞。")],
        *[(t, "王建和") for t in both_widths("项目经理王建和介绍说,工程已完成八成。")],
        *[(t, "王伟") for t in both_widths("副局长王伟同省里的专家一起察看了现场。")],
    ],
)
def test_a_name_after_a_title_ends_where_the_name_ends(text, name):
    assert names(text) == {name}


@pytest.mark.parametrize("text", both_widths("俄罗斯总统梅德韦杰夫会见了美国国防部长盖茨。"))
def test_a_country_before_a_title_is_part_of_the_title(text):
    found = people(text)
    assert found["梅德韦杰夫"].title == "俄罗斯总统"
    assert found["盖茨"].title == "美国国防部长"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        *[(t, {"普京"}) for t in both_widths("会谈中,我同普京总统就双边关系深入交换了意见。")],
        *[(t, {"普京"}) for t in both_widths("我和普京总统都认为,两国关系正处于历史最好时期。")],
        *[(t, {"拜登"}) for t in both_widths("应约同美国总统拜登通电话,双方进行了坦诚沟通。")],
        *[(t, {"佐科"}) for t in both_widths("同印度尼西亚总统佐科会谈时,双方签署了合作文件。")],
        *[(t, set()) for t in both_widths("悉尼市长表示欢迎,希望加强友城交流。")],
        *[(t, set()) for t in both_widths("巴西总统表示,愿同中方深化合作。")],
    ],
)
def test_a_foreign_leader_is_read_and_a_foreign_place_is_not(text, expected):
    assert names(text) == expected


@pytest.mark.parametrize(
    ("text", "name", "title"),
    [
        ("主席\u3000习近平\n", "习近平", "主席"),
        ("杭州市人民政府市长  姚高员\n", "姚高员", "杭州市人民政府市长"),
        ("国务院总理 李强", "李强", "国务院总理"),
    ],
)
def test_a_name_set_apart_from_its_title_by_spaces_is_read(text, name, title):
    assert people(text)[name].title == title
