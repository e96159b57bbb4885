"""The word and character fields compute their postings in one pass over the text
(speeches/search/schema.py) instead of token by token through their analyzers; the
postings must be the analyzers' own: same terms, frequencies, weights and encoded
positions."""

import pytest
from whoosh.fields import TEXT

from speeches.search.schema import (
    HEADINGS_BOOST,
    TITLE_BOOST,
    CharGramField,
    CharGramTokenizer,
    CompactPositions,
    WordField,
    WordTokenizer,
)

TEXTS = [
    "",
    "国",
    "同志们:\n今天我们召开全市防汛抗旱工作会议,部署今年的防汛工作。",
    "知識產權保護工作要常抓不懈,知识产权保护工作要常抓不懈。",
    "哈哈哈哈,谢谢谢谢!",
    "李　强同志在2024年的报告中提到GDP增长5%左右,Ｈｅｌｌｏ　ＷＯＲＬＤ。",
    "一、总体要求\n(一)坚持稳中求进\n二、主要任务\u200b\u200d与措施",
    "一、总体要求\n（一）坚持稳中求进；二、主要任务：稳就业",
    # Characters beyond the Basic Multilingual Plane (four bytes in UTF-8, one code point).
    "𠀀𠀁𠀀，𪚥字之后",
]
# Positions beyond 65,535 are written four bytes each: a term found only there, one found
# on both sides, and one found only before.
LONG_TEXT = "前言" + "防汛" * 33_000 + "抗旱，" + "水利" * 10


def postings(field, text):
    return sorted(field.index(text))


@pytest.mark.django_db
@pytest.mark.parametrize("boost", [1.0, HEADINGS_BOOST, TITLE_BOOST])
def test_word_field_postings_are_the_word_tokenizers(boost):
    reference = TEXT(analyzer=WordTokenizer(), phrase=True, field_boost=boost)
    reference.format = CompactPositions(field_boost=boost)
    fast = WordField(field_boost=boost)

    for text in TEXTS:
        assert postings(fast, text) == postings(reference, text), text


@pytest.mark.parametrize("boost", [1.0, TITLE_BOOST])
def test_character_field_postings_are_the_character_tokenizers(boost):
    reference = TEXT(analyzer=CharGramTokenizer(), phrase=True, field_boost=boost)
    reference.format = CompactPositions(field_boost=boost)
    fast = CharGramField(field_boost=boost)

    for text in [*TEXTS, LONG_TEXT]:
        assert postings(fast, text) == postings(reference, text), text[:40]
    kinds = {term.decode(): value[:1] for term, _freq, _weight, value in fast.index(LONG_TEXT)}
    assert (kinds["前"], kinds["防"], kinds["抗旱"]) == (b"H", b"I", b"I")


def test_compact_positions_decode_what_they_encode():
    format_ = CompactPositions(field_boost=TITLE_BOOST)

    for positions in ([0], [3, 7, 7000], [5, 65535], [10, 65536, 1_000_000]):
        value = format_.encode(positions)
        assert format_.decode_positions(value) == positions
        assert format_.decode_frequency(value) == len(positions)
        assert format_.decode_weight(value) == len(positions) * TITLE_BOOST
    assert len(format_.encode([1, 2, 3])) == 1 + 3 * 2  # two bytes a position below 65,536
