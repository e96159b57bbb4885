"""The words of a query, for when the query as typed is found nowhere.

A query is first looked up literally (query.py): every unquoted run and every
quoted phrase as typed. People also type questions and several words without
spaces (`黄河大桥全长多少米？`), which no text holds as typed. Then each
unquoted run is cut into words with the archive's segmenter (dictionary.py) and
the words become what a speech must hold:

    黄河大桥全长多少米？    ->  黄河 · 大桥 · 全长 · 米     (多少 and ？ are never required)
    "改革开放" 深化        ->  "改革开放" · 深化           (a quoted phrase stays one unit)
    雄安新区 OR 浦东        ->  雄安新区 OR 浦东             (an OR clause is one unit: either side)

Words a question is built with rather than about are never required: the
function words of Chinese grammar, recognised by their part of speech — pronouns,
interrogative ones included (什么, 谁, 哪里, 如何, 怎么, 为什么: jieba's r),
particles (的, 了, 吗, 呢: u…, y), prepositions (p), conjunctions (c),
interjections (e), onomatopoeia (o) — the interrogatives jieba files under other
parts of speech (the closed class of question words: 多少, 几…, 是否, 多久 …), and
punctuation. A run of nothing but function words keeps them (a search for 什么
looks for 什么).
"""

from dataclasses import dataclass, field

from speeches.search.dictionary import search_pieces, tag_words
from speeches.search.text import is_word, matchable

# jieba parts of speech of function words: exact tags, and tag families by first letter.
FUNCTION_TAGS = frozenset({"p", "c", "e", "o", "y"})
FUNCTION_TAG_FAMILIES = ("r", "u")  # r, rr, rz…: pronouns; uj, ul, uz…: structural particles
# Question words jieba tags as numerals, verbs, adjectives or idioms (the rest are pronouns).
INTERROGATIVES = frozenset({
    "多少", "几", "是否", "能否", "可否", "是不是", "有没有", "对不对", "多久", "多大", "多长",
    "多高", "多远", "多重", "多深", "多宽", "多厚", "多快", "何时", "何地", "何处", "何人", "何故",
    "为何", "啥", "干什么", "干吗", "干嘛",
})
# Interrogative and demonstrative determiners begin compounds jieba tags as measure
# words, numerals or descriptives (哪张, 哪些方面, 这张, 多少钱): such a word asks or
# points, unless jieba knows it as a noun or a name (哪吒).
DETERMINER_PREFIXES = ("哪", "什么", "多少", "怎", "谁", "这", "那")
# 几 begins a number asked for (几个, 几届, 几首歌), not 几乎 or 几何.
HOW_MANY = "几"


def is_function_word(word, tag):
    """Whether a segmented word (with jieba's tag) says how a question is asked, not what about."""
    if not is_word(word):
        return True  # punctuation, spaces
    if word in INTERROGATIVES:
        return True
    if tag in FUNCTION_TAGS or tag.startswith(FUNCTION_TAG_FAMILIES):
        return True
    if word.startswith(DETERMINER_PREFIXES) and not tag.startswith("n"):
        return True
    return word.startswith(HOW_MANY) and tag in ("m", "q")


@dataclass(frozen=True)
class Unit:
    """One thing a speech holds or not: held when it holds every needle of one of
    the alternatives literally (a word: one alternative of one needle)."""

    label: str
    alternatives: tuple  # of tuples of needles (matchable text)
    segmented: bool = False  # a word of an unquoted run, cut by the segmenter

    @property
    def needles(self):
        return tuple(dict.fromkeys(n for alternative in self.alternatives for n in alternative))


@dataclass
class QueryWords:
    units: list = field(default_factory=list)
    optional: list = field(default_factory=list)  # function words left out (shown to users)
    split: bool = False  # a run became several words, or lost its function words
    # Two words typed next to each other, as one needle: never required, they rank the
    # speeches holding them together (堤坝 巡查 -> 堤坝巡查) above those holding them apart;
    # and the single characters of a word no text holds (see resegmented).
    phrases: list = field(default_factory=list)

    @property
    def needles(self):
        """Every needle of the units, each once, in order."""
        return list(dict.fromkeys(n for unit in self.units for n in unit.needles))

    @property
    def ranking_needles(self):
        """Needles that rank but are never required: the phrases, and the shorter words
        inside each long word or quoted phrase (社会保障体系: 社会, 保障, 体系), so a
        text that says 社会保险体系 ranks above one that says neither."""
        required = self.needles
        extra = list(self.phrases)
        for needle in required:
            if len(needle) > 2:
                extra.extend(matchable(piece) for piece in search_pieces(needle))
        return [needle for needle in dict.fromkeys(extra) if needle and needle not in required]

    @property
    def labels(self):
        return [unit.label for unit in self.units]


def _run_words(literal, optional, phrases):
    """The (label, needle) of the words a run of text must hold (its content words), and
    whether it was split; adds its function words to optional, its pairs to phrases."""
    if literal.quoted:
        return [(f'"{literal.text}"', literal.needle)], False
    tagged = [(word, tag) for word, tag in tag_words(literal.text) if matchable(word)]
    function = [is_function_word(word, tag) for word, tag in tagged]
    content = [word for (word, _tag), skip in zip(tagged, function, strict=True) if not skip]
    dropped = [word for (word, _tag), skip in zip(tagged, function, strict=True) if skip and is_word(word)]
    if not content:
        # Only function words (什么) or only punctuation: look for what was typed.
        content = [word for word, _tag in tagged if is_word(word)] or [literal.text]
        dropped = []
    else:
        for number in range(len(tagged) - 1):
            if not function[number] and not function[number + 1]:
                pair = matchable(tagged[number][0] + tagged[number + 1][0])
                if pair not in phrases:
                    phrases.append(pair)
    optional.extend(w for w in dropped if w not in optional)
    words = list(dict.fromkeys(content))
    split = len(words) > 1 or len(tagged) > len(words)
    return [(word, matchable(word) or literal.needle) for word in words], split


def query_words(parsed):
    """The units of a parsed query (query.ParsedQuery): what 'holding all its words' means."""
    found = QueryWords()
    seen = set()

    def add(unit):
        if unit.alternatives not in seen:
            seen.add(unit.alternatives)
            found.units.append(unit)

    for clause in parsed.clauses:
        alternatives = []
        for literal in clause:
            words, split = _run_words(literal, found.optional, found.phrases)
            found.split = found.split or split
            alternatives.append(words)
        if len(alternatives) == 1:
            quoted = clause[0].quoted
            for label, needle in alternatives[0]:
                add(Unit(label, ((needle,),), segmented=not quoted))
        else:
            label = " OR ".join(" ".join(label for label, _ in words) for words in alternatives)
            add(Unit(label, tuple(tuple(dict.fromkeys(n for _, n in words)) for words in alternatives)))
    return found


def pieces(needle, held):
    """A segmented word no text holds, read as the longest pieces that texts hold, left
    to right: the segmenter glues unknown names to their neighbours (王小七是 for 王小七
    + 是, 此桥 for 此 + 桥). held(needle) says whether any text holds it; characters no
    text holds are left out, and so are pieces that are function words (此)."""
    found, start = [], 0
    while start < len(needle):
        for end in range(len(needle), start, -1):
            if held(needle[start:end]):
                found.append(needle[start:end])
                start = end
                break
        else:
            start += 1
    return [piece for piece in found if not any(is_function_word(w, t) for w, t in tag_words(piece))]


def resegmented(words, held):
    """words (QueryWords) with each segmented word no text holds replaced by its pieces
    of two characters or more; its single characters only rank (alone they say little:
    粮库 is not 库). A word without such pieces stays, and is reported as not found."""
    units, seen, ranking = [], set(), list(words.phrases)
    for unit in words.units:
        replacement = [unit]
        if unit.segmented:
            [[needle]] = unit.alternatives
            if len(needle) > 1 and not held(needle):
                found = pieces(needle, held)
                ranking.extend(piece for piece in found if len(piece) == 1)
                longer = [piece for piece in found if len(piece) > 1]
                if longer:
                    replacement = [Unit(piece, ((piece,),), segmented=True) for piece in longer]
        for new in replacement:
            if new.alternatives not in seen:
                seen.add(new.alternatives)
                units.append(new)
    if units == words.units and ranking == words.phrases:
        return words
    return QueryWords(units=units, optional=words.optional, split=True, phrases=ranking)
