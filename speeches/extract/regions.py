"""Where a speech is from: the speaker's jurisdiction (primary region) and the other
places it names. Pure functions over text."""

import os
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

import jieba
import rjieba

from speeches.extract.gazetteer import (
    COUNTY,
    NATIONAL,
    NATIONAL_CODE,
    NATIONAL_NAME,
    PREFECTURE,
    PROVINCE,
    Place,
    default_gazetteer,
)

# Landmarks that tell apart places sharing a name (青山区 of 包头 or of 武汉 …).
CONTEXT_CLUES = {
    "150204": ["一机厂", "二机厂", "一机集团", "北方重工", "赛汗塔拉", "青山路", "昆区", "青昆"],
    "420107": ["武钢", "武汉钢铁", "红钢城", "青山镇", "武汉"],
    "210112": ["浑南", "沈阳"],
    "440307": ["深圳", "龙岗"],
}
# Words used only in one province's administration (旗县, 苏木 and 嘎查 are Inner Mongolian).
REGIONAL_VOCABULARY = {
    "15": ["旗县", "苏木", "嘎查", "牧区", "盟市", "自治区"],
    "65": ["兵团", "团场", "自治区"],
    "45": ["自治区"],
    "64": ["自治区"],
    "54": ["自治区"],
}
MUNICIPALITIES = {"11", "12", "31", "50"}

# Full names too generic to mean one place on their own.
# 和县 is mostly 和 + 县 (园区和县城区).
GENERIC_FULL_NAMES = frozenset("城区 郊区 矿区 东区 西区 南区 北区 新区 市区 中区 林区 和县".split())

# How a speaker names their own jurisdiction: 我省 / 全省 / 本省 …
_SCOPE = re.compile(r"(我|全|本)(省|市|州|盟|县|旗|区)")
_SCOPE_LEVEL = {"省": "province", "市": "city", "州": "city", "盟": "city", "县": "county", "旗": "county", "区": "district"}
# How a reason names a scope to curators.
_SCOPE_NAMES = {"province": "省级", "city": "市级", "county": "县级", "district": "区级"}
# Context that marks a place as the speaker's own (为阜阳经济… 我们青山区 …) or as a venue (在北京 …).
_OWN_BEFORE = re.compile(r"(我们|我|全|本|宣传|振兴|建设|为|加快|不出|打造|推动|促进|创新型|造福于)$")
_OWN_AFTER = re.compile(r"^(的?发展|的?经济|人民|各族|特色|富民|的老百姓|的居民|的群众|发展史|的工作|历史)")
_VENUE_BEFORE = re.compile(r"(在|到|赴|去|来|回到|至|经|从|往)$")
_NATIONAL = re.compile(
    r"我代表国务院|受国务院的?委托|代表中央人民政府|根据国务院的决定|"
    r"国务院总理\S{0,8}所作的\s*政府工作报告|总理代表国务院所作的政府工作报告|中华人民共和国国务院"
)
# A title of the State Council's report or of the National People's Congress's resolution.
_NATIONAL_TITLE = re.compile(r"国务院|全国人民代表大会|全國人民代表大會")
_NUMERALS = frozenset("0123456789一二三四五六七八九十两几")
_BOOK_TITLE = re.compile(r"《[^》]{1,60}》")


@dataclass(frozen=True)
class RegionMention:
    code: str
    name: str
    mention: str
    offset: int
    in_title: bool = False


@dataclass
class RegionResult:
    primary: Place | None
    confidence: float
    reason: str
    mentions: list = field(default_factory=list)
    # Names found that could not be told apart (e.g. 青山区 without context), for review.
    ambiguous: list = field(default_factory=list)

    @property
    def doubtful(self):
        return self.primary is not None and self.confidence < 0.6


NATIONAL_PLACE = Place(NATIONAL_CODE, NATIONAL_NAME, NATIONAL, None)


# Parts of speech of ordinary words that county names sometimes spell (延长, 富裕, 振兴).
_WORD_TAGS = frozenset("v vn a ad an d c p r m q u f t".split())
RARE_WORD_FREQUENCY = 150


@lru_cache(maxsize=1)
def _word_frequencies():
    """jieba's dictionary: word → (frequency, part of speech), for the gazetteer's short names."""
    names = set(default_gazetteer().short_names)
    table = {}
    path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            parts = line.split()
            if len(parts) == 3 and parts[0] in names:
                table[parts[0]] = (int(parts[1]), parts[2])
    return table


def is_rare_word(name):
    frequency, tag = _word_frequencies().get(name, (0, "ns"))
    return frequency < RARE_WORD_FREQUENCY and tag not in _WORD_TAGS


def _raw_matches(text, gazetteer):
    """(surface, offset, places, is_full) for every place name in text, longest first."""
    starts, ends = set(), set()
    for _word, start, end in rjieba.tokenize(text):
        starts.add(start)
        ends.add(end)
    found = []
    i = 0
    while i < len(text):
        for length in gazetteer.lengths:
            surface = text[i : i + length]
            if len(surface) < length:
                continue
            places, is_full = gazetteer.lookup(surface)
            if not places:
                continue
            # A name must start and end where words do (新兴城市 holds no 兴城市).
            if i not in starts or i + length not in ends:
                continue
            # 10项城市 is a count of cities, not 项城市.
            if i > 0 and text[i - 1] in _NUMERALS and i + 1 in starts:
                continue
            if surface in GENERIC_FULL_NAMES:
                continue
            found.append((surface, i, places, is_full))
            i += length - 1
            break
        i += 1
    return found


def _resolve(places, text, mentioned_codes, gazetteer):
    """The one place meant among places sharing a name, or None when context can't tell."""
    if len(places) == 1:
        return places[0]
    # A bare name shared by a place and its own sub-places (临夏) means the larger one.
    for place in places:
        if all(other is place or other.is_within(place) for other in places):
            return place
    levels = {PROVINCE: 0.5, PREFECTURE: 0.25, COUNTY: 0.0}
    scored = []
    for place in places:
        score = levels[place.level]
        score += 2 * sum(1 for a in gazetteer.ancestors(place) if a.code in mentioned_codes)
        score += 2 * sum(1 for clue in CONTEXT_CLUES.get(place.code, []) if clue in text)
        score += sum(1 for word in REGIONAL_VOCABULARY.get(place.province_code, []) if word in text)
        scored.append((score, place))
    scored.sort(key=lambda pair: -pair[0])
    if scored[0][0] - scored[1][0] >= 0.25:
        return scored[0][1]
    return None


def find_mentions(text, title="", gazetteer=None):
    """(mentions, ambiguous surfaces): every place the text names, resolved where possible."""
    gazetteer = gazetteer or default_gazetteer()
    full_text = f"{title}\n{text}" if title else text
    title_len = len(title) + 1 if title else 0
    raw = _raw_matches(full_text, gazetteer)
    # Bare county names don't vouch for anything: they are the doubtful ones.
    unambiguous = {
        places[0].code
        for _s, _o, places, is_full in raw
        if len(places) == 1 and (is_full or places[0].level != COUNTY)
    }
    # Codes named at all, with ancestors, to check short county names against.
    named = set(unambiguous)
    for code in list(unambiguous):
        named.update(a.code for a in gazetteer.ancestors(gazetteer.get(code)))
    counts = Counter(surface for surface, *_ in raw)
    mentions, ambiguous = [], []
    for surface, offset, places, is_full in raw:
        place = _resolve(places, full_text, named, gazetteer)
        if place is None:
            ambiguous.append(surface)
            continue
        if not is_full and place.level == COUNTY:
            # A bare county name is often also a word (资源, 互助, 比如): trust it when it is
            # rare as a word, or when its full name or one of its parents is named too.
            backed = counts[place.name] or any(a.code in named for a in gazetteer.ancestors(place))
            if not backed and not is_rare_word(surface):
                continue
        in_title = offset < title_len
        mentions.append(
            RegionMention(place.code, place.name, surface, offset - title_len if not in_title else offset, in_title)
        )
    return mentions, sorted(set(ambiguous))


def _scope(text):
    weights = Counter()
    for match in _SCOPE.finditer(text):
        weights[_SCOPE_LEVEL[match.group(2)]] += 2 if match.group(1) == "我" else 1
    return weights


def _fits_scope(place, scope):
    name = place.name
    if scope == "province":
        return place.level == PROVINCE
    if scope == "city":
        return place.level == PREFECTURE or (place.level == COUNTY and name.endswith("市"))
    if scope == "county":
        return place.level == COUNTY and name.endswith(("县", "旗", "市"))
    if scope == "district":
        return (
            (place.level == COUNTY and name.endswith("区"))
            or (place.level == PROVINCE and name.endswith("自治区"))
            or (place.level == PREFECTURE and name.endswith("地区"))
        )
    return False


def extract_regions(text, title="", gazetteer=None, kind=None):
    """RegionResult: the primary region (speaker's jurisdiction), every place mentioned,
    a confidence and the reason for the choice."""
    gazetteer = gazetteer or default_gazetteer()
    mentions, ambiguous = find_mentions(text, title, gazetteer)
    # A national body's report or resolution says so (我代表国务院, 国务院总理……所作的); a
    # title such as 政府工作报告 does not: provinces and cities report too.
    if _NATIONAL.search(text[:3000]) or (kind in ("work_report", "resolution") and _NATIONAL_TITLE.search(title)):
        return RegionResult(NATIONAL_PLACE, 0.95, "国务院向全国人大所作的报告或决议", mentions, ambiguous)

    scope = _scope(text)
    main_scope = scope.most_common(1)[0][0] if scope else None
    book_spans = [m.span() for m in _BOOK_TITLE.finditer(text)]

    scores = defaultdict(float)
    evidence = Counter()
    for m in mentions:
        place = gazetteer.get(m.code)
        if m.in_title:
            scores[m.code] += 3
            evidence[m.code] += 1
            continue
        in_book = any(start <= m.offset < end for start, end in book_spans)
        before = text[max(0, m.offset - 4) : m.offset]
        after = text[m.offset + len(m.mention) : m.offset + len(m.mention) + 5]
        weight = 0.5 if in_book else 1.0
        if _OWN_BEFORE.search(before) or _OWN_AFTER.search(after):
            weight += 2
        elif _VENUE_BEFORE.search(before):
            weight -= 0.5
        scores[m.code] += weight
        evidence[m.code] += 1
        # A place's sub-regions speak for it a little (兰州, 白银 … for 甘肃).
        for ancestor in gazetteer.ancestors(place):
            scores[ancestor.code] += 0.25

    if not scores:
        return RegionResult(None, 0.0, "正文未指明地区", mentions, ambiguous)

    def scope_bonus(place):
        if main_scope is None:
            return 0.0
        if _fits_scope(place, main_scope):
            if main_scope == "city" and place.level == PROVINCE:
                return 1.0
            return 2.0
        if any(_fits_scope(place, s) for s in scope) or (
            main_scope == "city" and place.level == PROVINCE and place.code in MUNICIPALITIES
        ):
            return 0.5 if place.code in MUNICIPALITIES else 1.0
        return 0.0

    ranked = []
    for code, score in scores.items():
        place = gazetteer.get(code)
        if evidence[code] == 0:
            continue  # known only through its sub-regions
        total = score + scope_bonus(place)
        if main_scope is None:
            # No self-reference: the most specific place named most often (a news item).
            total += {COUNTY: 0.5, PREFECTURE: 0.25}.get(place.level, 0.0)
        ranked.append((total, place))
    ranked.sort(key=lambda pair: (-pair[0], pair[1].code))

    if ranked and ranked[0][0] >= 3:
        best_score, best = ranked[0]
        runner_up = ranked[1][0] if len(ranked) > 1 else 0.0
        # The runner-up may be the best place's own parent or child: no real rival.
        rivals = [s for s, p in ranked[1:] if not (p.is_within(best) or best.is_within(p))]
        margin = best_score - (rivals[0] if rivals else 0.0)
        confidence = min(0.97, 0.45 + 0.06 * best_score + 0.05 * min(margin, 4))
        if margin < 1.5:
            confidence = min(confidence, 0.55)
        reason = f"本级称谓：{_SCOPE_NAMES.get(main_scope, '无')}，提及{evidence[best.code]}次"
        del runner_up
        return RegionResult(best, round(confidence, 3), reason, mentions, ambiguous)

    # Nothing clearly the speaker's own. A provincial document the speech applies
    # (《山西省…意见》) still places it in that province, with doubt.
    provinces_in_books = {
        gazetteer.get(m.code).province_code
        for m in mentions
        if any(start <= m.offset < end for start, end in book_spans)
    }
    if len(provinces_in_books) == 1:
        province = gazetteer.get(provinces_in_books.pop())
        if province is not None:
            return RegionResult(province, 0.45, "仅见于所引省级文件名", mentions, ambiguous)
    return RegionResult(None, 0.0, "正文未指明讲话人所在地区", mentions, ambiguous)
