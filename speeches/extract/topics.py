"""Topics and keywords of a speech. Pure functions over text."""

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from speeches.extract.names import person_spans, segment
from speeches.extract.officials import find_mentions
from speeches.extract.taxonomy import TOPICS

MAX_TOPICS = 4
# A topic is assigned when it scores at least this share of the best topic's score …
RELATIVE_THRESHOLD = 0.35
# … and at least this many weighted keyword hits per thousand characters (or in the title).
MIN_DENSITY = 1.0
# A single passing mention is no topic (short resolutions name many fields once).
MIN_HITS = 2
TITLE_WEIGHT = 4.0


@dataclass(frozen=True)
class TopicScore:
    slug: str
    name: str
    score: float
    hits: int

    @property
    def confidence(self):
        # More evidence, more confidence; saturates near 1.
        return round(1 - math.exp(-self.hits / 3), 3)


def _count_keywords(text, keywords):
    """Occurrences of the keywords, longest first, so 农村信用社 is not also counted as 信用社."""
    remaining = text
    weighted = 0.0
    hits = 0
    for keyword in sorted(set(keywords), key=len, reverse=True):
        count = remaining.count(keyword)
        if count:
            hits += count
            weighted += count * (1.0 + 0.5 * (len(keyword) >= 3))
            remaining = remaining.replace(keyword, "\0")
    return weighted, hits


def assign_topics(text, title="", taxonomy=None):
    """[TopicScore], best first: the topics the speech is about (one or several)."""
    taxonomy = TOPICS if taxonomy is None else taxonomy
    length_k = max(len(text), 300) / 1000
    scored = []
    for slug, name, keywords in taxonomy:
        weighted, hits = _count_keywords(text, keywords)
        title_weighted, title_hits = _count_keywords(title, keywords)
        density = weighted / length_k + TITLE_WEIGHT * title_weighted
        if hits + title_hits >= MIN_HITS or title_hits:
            scored.append(TopicScore(slug, name, round(density, 3), hits + title_hits))
    if not scored:
        return []
    scored.sort(key=lambda t: (-t.score, t.slug))
    best = scored[0].score
    chosen = [t for t in scored if t.score >= max(best * RELATIVE_THRESHOLD, MIN_DENSITY)]
    return chosen[:MAX_TOPICS]


# Numbers, masked years (20xx) and enumerators (四是, 第三) are not keywords.
_MASKED_OR_NUMBER = re.compile(r"\d|[xX]{2}|^[一二三四五六七八九十]+是$|^第[一二三四五六七八九十]+$|^个")
_STOPWORDS = frozenset(
    """同志 同志们 我们 他们 大家 工作 进一步 加强 开展 推进 提高 做好 全面 各级 一个 一些 这个
    这些 没有 就是 可以 要求 今年 去年 当前 今后 方面 问题 情况 有关 积极 重要 认真 切实 坚持
    不断 继续 充分 努力 实现 发展 建设 部门 单位 领导 全省 全市 全县 全区 我省 我市 我县 我区
    以来 通过 能够 已经 目前 主要 进行 作为 突出 取得 明显 一定 需要 目标 任务 措施""".split()
)


@lru_cache(maxsize=1)
def _idf_table():
    # jieba ships an IDF table with its TF-IDF extractor; only the table is read here,
    # the segmentation is rjieba's (no dictionary cache written to disk).
    from jieba.analyse.tfidf import DEFAULT_IDF, IDFLoader

    loader = IDFLoader(DEFAULT_IDF)
    return loader.idf_freq, loader.median_idf


def extract_keywords(text, limit=10):
    """The speech's keywords by TF-IDF: [(word, weight)], heaviest first. A word that
    is a piece of a person's name (明远 in 赵|明远) is no keyword."""
    idf, median = _idf_table()
    seg = segment(text)
    pieces = _name_pieces(text, seg)
    counts = {}
    for token in seg.tokens:
        word = text[token.start : token.end].strip()
        if len(word) < 2 or word in _STOPWORDS or _MASKED_OR_NUMBER.search(word):
            continue
        if (token.start, token.end) in pieces:
            continue
        counts[word] = counts.get(word, 0) + 1
    total = sum(counts.values()) or 1
    weights = {w: c / total * idf.get(w, median) for w, c in counts.items()}
    ranked = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return [(w, round(v, 4)) for w, v in ranked]


def _name_pieces(text, seg):
    """(start, end) of the words lying inside a name but short of all of it: the names
    the officials finder reads and those the segmenter's tags give (赵|明远)."""
    spans = set(person_spans(text))
    spans.update((m.offset, m.offset + len(m.name)) for m in find_mentions(text) if not m.surname_only)
    pieces = set()
    for start, end in spans:
        pieces.update((t.start, t.end) for t in seg.tokens_within(start, end) if (t.start, t.end) != (start, end))
    return pieces
