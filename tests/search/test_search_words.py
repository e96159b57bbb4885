"""Query understanding: the words a query is searched by when no text holds it as typed
(speeches/search/words.py). Questions and phrases are our own, written both with
full-width and with half-width punctuation."""

import pytest

from speeches.search.query import parse
from speeches.search.words import (
    QueryWords,
    Unit,
    is_function_word,
    pieces,
    query_words,
    resegmented,
)

pytestmark = pytest.mark.django_db


def words_of(q):
    return query_words(parse(q))


def labels(q):
    return words_of(q).labels


@pytest.mark.parametrize(
    ("question", "required"),
    [
        ("防汛物资存放在哪里？", {"防汛", "物资", "存放"}),
        ("防汛物资存放在哪里?", {"防汛", "物资", "存放"}),
        ("谁主持了全县防汛工作会议？", {"主持", "全县", "防汛", "工作", "会议"}),
        ("怎么做好秋冬季防火工作呢", {"做好", "秋冬季", "防火", "工作"}),
        ("几个乡镇完成了验收吗", {"乡镇", "完成", "验收"}),
        ("这项工程是否如期完工？", {"工程", "如期", "完工"}),
        ("为什么要加强堤坝巡查", {"要", "加强", "堤坝", "巡查"}),
        ("如何申请救灾补助", {"申请", "救灾", "补助"}),
        ("城区有几座水库呢?", {"城区", "有", "水库"}),
        ("大桥全长多少米，哪一年通车？", {"大桥", "全长", "米", "通车"}),
    ],
)
def test_a_question_is_searched_by_its_content_words(question, required):
    assert set(labels(question)) == required


@pytest.mark.parametrize(
    "asking",
    ["什么", "哪", "哪里", "哪个", "多少", "几", "谁", "吗", "呢", "如何", "怎么", "为什么", "是否", "？", "?"],
)
def test_interrogatives_particles_and_punctuation_are_never_required(asking):
    question = f"水库除险加固{asking}"

    found = words_of(question)

    assert asking not in found.labels
    assert "水库" in found.labels
    assert found.split


def test_function_words_are_a_grammatical_class_not_a_list_of_questions():
    # Pronouns, particles, prepositions, conjunctions by part of speech; names kept.
    assert is_function_word("这些", "r")
    assert is_function_word("了", "ul")
    assert is_function_word("关于", "p")
    assert is_function_word("而且", "c")
    assert is_function_word("哪张", "q")  # a question word jieba files as a measure word
    assert is_function_word("几届", "m")
    assert not is_function_word("哪吒", "nrt")
    assert not is_function_word("几乎", "d")
    assert not is_function_word("2024", "m")
    assert not is_function_word("Nexon", "eng")
    assert not is_function_word("万村千乡", "")  # the archive's own vocabulary has no tag


def test_the_words_left_out_are_reported_without_punctuation():
    found = words_of("防汛物资存放在哪里？")

    assert set(found.optional) == {"在", "哪里"}


def test_a_quoted_phrase_stays_one_unit_and_other_runs_are_cut():
    assert labels('"改革开放" 怎样深化') == ['"改革开放"', "深化"]
    assert labels("“改革开放”怎样深化") == ['"改革开放"', "深化"]


def test_an_or_clause_is_one_unit_either_side_of_which_will_do():
    found = words_of("雄安新区 OR 浦东新区 建设")

    assert found.labels == ["雄安新区 OR 浦东新区", "建设"]
    assert found.units[0].alternatives == (("雄安新区",), ("浦东新区",))


def test_a_run_of_function_words_alone_is_looked_for_as_typed():
    assert labels("什么") == ["什么"]
    assert labels("？") == ["？"]


def test_traditional_characters_and_full_width_letters_are_folded():
    assert labels("防汛物資存放在哪裡？") == labels("防汛物资存放在哪里？")
    assert "abc" in labels("ＡＢＣ水库在哪里")


def test_words_typed_together_rank_as_a_phrase_too():
    found = words_of("堤坝巡查制度如何落实")

    assert "堤坝巡查" in found.ranking_needles
    assert all(needle not in found.needles for needle in found.ranking_needles)


def test_long_words_rank_by_the_words_inside_them_too():
    found = words_of("中华人民共和国成立")

    assert {"中华", "人民", "共和国"} <= set(found.ranking_needles)


def test_a_word_no_text_holds_is_read_as_the_longest_pieces_texts_hold():
    held = {"王小七", "是", "死", "水库"}.__contains__

    assert pieces("王小七是", held) == ["王小七", "是"]
    assert pieces("此水库", held) == ["水库"]  # 此 is held by no text here
    assert pieces("无从说起", held) == []


def test_a_word_no_text_holds_is_replaced_by_its_longer_pieces_its_characters_only_rank():
    found = words_of("堤坝巡查制度")
    assert found.labels == ["堤坝", "巡查", "制度"]
    held = {"堤坝", "巡", "查", "制", "度"}.__contains__

    again = resegmented(found, held)

    # 巡查 has no piece longer than a character: it stays, to be reported as not found.
    assert again.labels == ["堤坝", "巡查", "制度"]
    assert {"巡", "查", "制", "度"} <= set(again.ranking_needles)
    assert resegmented(found, lambda needle: True) is found


def test_a_name_glued_to_the_next_character_is_found_by_its_longer_piece():
    # The segmenter cut 王小七是 as one word (a name it does not know, and the verb after it).
    found = QueryWords(units=[Unit("王小七是", (("王小七是",),), segmented=True), Unit("哪里人", (("哪里人",),))])
    held = {"王小七", "是", "哪里人"}.__contains__

    again = resegmented(found, held)

    assert again.labels == ["王小七", "哪里人"]
    assert "是" in again.ranking_needles
