"""The index layout: one document per speech.

Text is indexed twice. The *word* fields hold rjieba words with sequential
positions (0, 1, 2, …: jieba's own ChineseAnalyzer stores character offsets
there, which breaks phrase queries) and rank results with BM25F. The *chars*
fields hold every character and every pair of adjacent characters of the folded
text at the position of their first character: any string of n >= 2 characters
is then exactly the phrase of its n-1 pairs, so substrings, phrases and single
characters are found wherever they occur, whatever jieba's cuts.
"""

from array import array

import numpy as np
from whoosh.analysis import Token, Tokenizer
from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.formats import Positions

from speeches.search.dictionary import cut_words
from speeches.search.text import char_grams, matchable


class WordTokenizer(Tokenizer):
    """rjieba words of folded text, positions counted in words."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for number, word in enumerate(cut_words(value)):
            token.text = word
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = word
            if positions:
                token.pos = start_pos + number
            if chars:  # offsets are not used: highlights come from the stored text
                token.startchar = token.endchar = start_char
            yield token


class CharGramTokenizer(Tokenizer):
    """Characters and adjacent pairs of folded text, at the first character's position."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for gram, position in char_grams(value):
            token.text = gram
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = gram
            if positions:
                token.pos = start_pos + position
            if chars:
                token.startchar = token.endchar = start_char
            yield token


# {position: CompactPositions' value of a term found once, there}; a module's, not the
# format's: Whoosh pickles the schema into the index.
_ONE_POSITION = {}


class CompactPositions(Positions):
    """Whoosh's Positions with a posting's positions stored as one array of unsigned
    integers (2 bytes each when all are below 65,536, else 4) behind its type code,
    instead of a 4-byte count and a pickled list of gaps: encoded and decoded in C,
    and about half the size. Native byte order: an index is rebuilt, not moved between machines."""

    def encode(self, poslist):
        # Positions come ascending: the last is the largest.
        if poslist[-1] < 65536:
            return b"H" + array("H", poslist).tobytes()
        return b"I" + array("I", poslist).tobytes()

    def encode_one(self, position):
        """encode([position]), kept below 65,536 (a few MB at most): most terms of a text
        are found once."""
        encoded = _ONE_POSITION.get(position)
        if encoded is None:
            encoded = self.encode([position])
            if position < 65536:
                _ONE_POSITION[position] = encoded
        return encoded

    def decode_positions(self, valuestring):
        return array(chr(valuestring[0]), valuestring[1:]).tolist()

    def decode_frequency(self, valuestring):
        return (len(valuestring) - 1) // (2 if valuestring[:1] == b"H" else 4)

    def decode_weight(self, valuestring):
        return self.decode_frequency(valuestring) * self.field_boost

    def decode_position_boosts(self, valuestring):
        return [(pos, 1) for pos in self.decode_positions(valuestring)]


class _FastText(TEXT):
    """A TEXT field whose postings are computed in one pass over the text instead of
    token by token through the analyzer: the same terms, positions, weights and
    encoded values, about three times faster, which is most of what indexing costs
    besides writing. The analyzer stays for everything else (key terms for
    more-like-this, query-time tokenizing)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.format = CompactPositions(field_boost=self.format.field_boost)

    def index(self, value, **kwargs):
        if not isinstance(value, str):
            yield from super().index(value, **kwargs)
            return
        boost = self.format.field_boost
        for term, frequency, encoded in self.postings(value):
            yield term.encode("utf-8"), frequency, float(frequency) * boost, encoded

    def postings(self, value):
        """[(term, frequency, encoded positions)] of the terms of value (a str): what
        Whoosh's own writer indexes; the bulk writer takes term_arrays whole."""
        terms, counts, positions = self.term_arrays(value)
        format_ = self.format
        found = []
        end = 0
        for term, count in zip(self.term_texts(terms), counts.tolist(), strict=True):
            start, end = end, end + count
            encoded = format_.encode_one(int(positions[start])) if count == 1 else format_.encode(positions[start:end].tolist())
            found.append((term, count, encoded))
        return found


class WordField(_FastText):
    """Words (WordTokenizer), positions counted in words."""

    def __init__(self, **kwargs):
        super().__init__(analyzer=WordTokenizer(), phrase=True, **kwargs)

    @staticmethod
    def term_arrays(value):
        """(words, how often each is found, their positions one word after another, each
        word's ascending) of value (a str)."""
        numbers = {}
        found = np.fromiter([numbers.setdefault(word, len(numbers)) for word in cut_words(value)], np.int64)
        order = np.argsort(found, kind="stable")  # stable: each word's positions ascending
        return list(numbers), np.bincount(found, minlength=len(numbers)), order.astype(np.uint32)

    @staticmethod
    def term_texts(terms):
        return terms


class CharGramField(_FastText):
    """Characters and adjacent pairs (CharGramTokenizer), at the first character's position."""

    def __init__(self, **kwargs):
        super().__init__(analyzer=CharGramTokenizer(), phrase=True, **kwargs)

    @staticmethod
    def term_arrays(value):
        """(term keys ascending, how often each is found, their positions one term after
        another, each term's ascending) of every character and pair of matchable(value),
        at the first character's position: one numpy sort of the text's keys, no list a term."""
        chars = matchable(value)
        count = len(chars)
        if not count:
            return _NO_KEYS, _NO_KEYS.astype(np.int64), _NO_KEYS.astype(np.uint32)
        codes = np.frombuffer(chars.encode("utf-32-le", "surrogatepass"), np.uint32).astype(np.uint64)
        keys = np.concatenate((codes << _KEY_SHIFT, (codes[:-1] << _KEY_SHIFT) | (codes[1:] + np.uint64(1))))
        order = np.argsort(keys, kind="stable")  # stable: each term's positions ascending
        ordered = keys[order]
        starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
        # Entry i of keys is the character at i, entry count + i the pair starting at i.
        positions = np.where(order < count, order, order - count).astype(np.uint32)
        return ordered[starts], np.diff(np.append(starts, len(keys))), positions

    @staticmethod
    def term_texts(keys):
        return [key_text(key) for key in keys.tolist()]

    @staticmethod
    def text_key(term):
        """The key of a term (a character or a pair) in term_arrays."""
        key = ord(term[0]) << _KEY_BITS
        return key | (ord(term[1]) + 1) if len(term) > 1 else key


# A term's key in CharGramField.term_arrays: its first character's code point shifted
# above 22 bits, and below it the second character's plus one (a single character: 0).
# Keys then sort as the terms do (a character before every pair it begins, pairs by
# their second character): the order Whoosh writes terms in, without making the strings.
_KEY_BITS = 22
_KEY_SHIFT = np.uint64(_KEY_BITS)
_SECOND_MASK = (1 << _KEY_BITS) - 1
_NO_KEYS = np.zeros(0, np.uint64)


def key_text(key):
    """The term (a character or a pair) of a CharGramField key."""
    second = key & _SECOND_MASK
    return chr(key >> _KEY_BITS) + chr(second - 1) if second else chr(key >> _KEY_BITS)


# Field boosts for BM25F: a word in the title or a heading says more than one in the body.
TITLE_BOOST = 3.0
HEADINGS_BOOST = 2.0


def build_schema():
    return Schema(
        id=ID(stored=True, unique=True),
        # What the indexed values were made from, to find stale entries (check_index).
        signature=STORED(),
        title_words=WordField(field_boost=TITLE_BOOST),
        headings_words=WordField(field_boost=HEADINGS_BOOST),
        body_words=WordField(),
        title_chars=CharGramField(field_boost=TITLE_BOOST),
        body_chars=CharGramField(),
        # Region codes of the speech's region and all its ancestors: filtering on a
        # province finds its counties' speeches.
        region=KEYWORD(scorable=False),
        topic=KEYWORD(scorable=False),
        # Cited officials and the speaker (an official filter finds both); the speaker alone.
        official=KEYWORD(scorable=False),
        speaker=KEYWORD(scorable=False),
        year=ID(),
        kind=ID(),
        status=ID(),
        # yyyymmdd (or year*10000); undated speeches sort last both ways.
        newest_key=NUMERIC(int, bits=32, sortable=True),
        oldest_key=NUMERIC(int, bits=32, sortable=True),
        # Characters of the text as matching counts them (matchable(body)): what term
        # trends divide by, read per document without touching the text (trends.py).
        body_length=COLUMN(NumericColumn("I")),
    )
