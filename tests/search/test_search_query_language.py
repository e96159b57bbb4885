"""The query language: words, quoted phrases, exclusion, OR, and literal matching
whatever jieba's word boundaries, traditional characters or letter case."""

import pytest

from speeches import search
from speeches.search.query import parse
from tests.factories import make_speech

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("index_at_once")]


def titles(query, **filters):
    return {hit.speech.title for hit in search.search({"q": query, **filters}).hits}


@pytest.fixture
def speeches():
    return {
        "ip": make_speech(title="在知识产权工作会议上的讲话", body="同志们:\n我们要加强知识产权保护,推动改革开放。"),
        "economy": make_speech(title="关于经济工作的讲话", body="经济发展稳中向好,发展质量不断提高。"),
        "split": make_speech(title="关于基层建设的讲话", body="抓好经济和社会事业,推动各项工作发展。"),
        "old": make_speech(title="一九五四年的报告", body="中華人民共和國的知識產權事業剛剛起步。"),
        "latin": make_speech(title="对外开放的讲话", body="GDP 增长较快,WTO 规则要熟悉。"),
        "broken": make_speech(title="区县工作的讲话", body="李　强同志强调,要推进改\n革开放。"),
    }


def test_plain_words_must_all_occur(speeches):
    assert titles("经济 发展") == {"关于经济工作的讲话", "关于基层建设的讲话"}
    assert titles("经济 质量") == {"关于经济工作的讲话"}


def test_an_unquoted_string_is_found_as_written_not_as_separate_words(speeches):
    # 经济发展 occurs in one speech; the other has 经济 and 发展 apart.
    assert titles("经济发展") == {"关于经济工作的讲话"}


def test_quoted_phrase_finds_exact_text(speeches):
    assert titles('"改革开放"') == {"在知识产权工作会议上的讲话", "区县工作的讲话"}
    assert titles('"开放改革"') == set()


def test_full_width_and_corner_quotes_make_phrases(speeches):
    assert titles("“知识产权保护”") == {"在知识产权工作会议上的讲话"}
    assert titles("「知识产权保护」") == {"在知识产权工作会议上的讲话"}


def test_minus_excludes_speeches_containing_the_word(speeches):
    assert titles("讲话 -经济") == {"在知识产权工作会议上的讲话", "对外开放的讲话", "区县工作的讲话"}
    assert titles('讲话 -"改革开放" -经济') == {"对外开放的讲话"}


def test_or_finds_either_word(speeches):
    assert titles("质量 OR 社会事业") == {"关于经济工作的讲话", "关于基层建设的讲话"}


def test_or_binds_its_neighbours_only(speeches):
    # 发展 and (质量 or 社会事业)
    assert titles("推动 质量 OR 社会事业") == {"关于基层建设的讲话"}


def test_substrings_across_jieba_word_boundaries_are_found(speeches):
    # 识产 lies inside 知识产权; 民共 inside 中华人民共和国.
    assert "在知识产权工作会议上的讲话" in titles("识产")
    assert titles("民共") == {"一九五四年的报告"}


def test_a_single_character_finds_every_speech_containing_it(speeches):
    assert titles("济") == {"关于经济工作的讲话", "关于基层建设的讲话"}
    assert len(search.search({"q": "的"}).hits) == 6


def test_traditional_and_simplified_characters_find_each_other(speeches):
    assert titles("知识产权") == {"在知识产权工作会议上的讲话", "一九五四年的报告"}
    assert titles("知識產權") == {"在知识产权工作会议上的讲话", "一九五四年的报告"}
    assert titles("人民共和国") == {"一九五四年的报告"}


def test_latin_letters_match_in_any_case_and_width(speeches):
    assert titles("gdp") == {"对外开放的讲话"}
    assert titles("Wto") == {"对外开放的讲话"}
    assert titles("ＧＤＰ") == {"对外开放的讲话"}


def test_line_breaks_and_full_width_spaces_inside_words_do_not_hide_them(speeches):
    assert titles("李强") == {"区县工作的讲话"}
    assert "区县工作的讲话" in titles("改革开放")


def test_titles_are_searched_too(speeches):
    assert titles("一九五四") == {"一九五四年的报告"}


def test_parse_reads_every_operator():
    parsed = parse('经济 "改革 开放" -房地产 雄安 OR 浦东')
    assert [[lit.needle for lit in clause] for clause in parsed.clauses] == [
        ["经济"],
        ["改革开放"],
        ["雄安", "浦东"],
    ]
    assert [lit.needle for lit in parsed.excluded] == ["房地产"]
    assert parsed.notes == []


def test_parse_folds_the_query_like_the_text():
    parsed = parse("知識產權 GDP")
    assert [clause[0].needle for clause in parsed.clauses] == ["知识产权", "gdp"]
