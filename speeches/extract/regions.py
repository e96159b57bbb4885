"""Where a speech is from: the jurisdiction of the body that speaks (the primary region)
and the other places it names. Pure functions over text and the facts its header states.

The evidence, strongest first:
1. The header (read on import, speeches.ingest.header): the host of the meeting
   (在杭州市第十四届人民代表大会…), the speaker's office (杭州市人民政府市长), the body the
   speaker represents or was delegated by (我代表市人民政府, 受国务院委托), a title that
   names a body (杭州市政府工作报告). A national body's speech is 全国.
2. Self-reference: 我市 / 全县 / 本区 say which level the speaker's body is at.
3. Mentions, matched as whole words of the segmentation and weighted by their context
   (为阜阳经济…, 我们青山区…). A place inside an organisation's or event's name
   (上海合作组织), inside a longer word (三江源), glued to a foreign name (我同安瓦尔总理),
   in a passing list (香港、澳门) or named as a venue (在北京) says little.
The kind of body decides between places sharing a name (吉林省/吉林市, 恩施州/恩施市,
黄山市/黄山区). Where the text gives no such evidence: no region rather than a guess."""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from speeches.extract.countries import COUNTRIES
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
from speeches.extract.names import FUNCTION_TAGS, TRANSLITERATION, dictionary, segment
from speeches.ingest.header import compact, meeting_host, meeting_in, read_header

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
# A full name the dictionary knows this well as a common noun (解放区 of the 1940s) is
# that noun unless the place's parents are named too.
COMMON_NOUN_FREQUENCY = 300
_NOUN_TAGS = frozenset({"n", "nt", "s"})

# ---- The kind of body that speaks ----

# Kinds of body, by the word that names their level: 市人民政府 / 市长 / 我市 → 市.
PROVINCE_KEY, REGION_KEY, CITY_KEY, PREFECTURE_KEY = "省", "自治区", "市", "州"
LEAGUE_KEY, DISTRICT_AREA_KEY, COUNTY_KEY, BANNER_KEY, DISTRICT_KEY = "盟", "地区", "县", "旗", "区"
# The level word before the body or office it names (杭州市|人民政府, 州|长, 县|委).
_BODY_LEVEL = re.compile(
    r"(自治区|自治州|自治县|自治旗|行政公署|行署|省|市|州|盟|地区|县|旗|区)"
    r"(?=委员会|委|人民政府|政府|人大|人民代表大会|政协|长|党委|党工委|工委|行署|行政公署|专员|$)"
)
_LEVEL_WORDS = {
    "自治区": REGION_KEY, "自治州": PREFECTURE_KEY, "自治县": COUNTY_KEY, "自治旗": BANNER_KEY,
    "行政公署": DISTRICT_AREA_KEY, "行署": DISTRICT_AREA_KEY,
}
# A national body or office: it speaks for the whole country.
_NATIONAL_BODY = re.compile(
    r"国务院|中央人民政府|中央政府|中共中央|党中央|中央委员会|全国人民代表大会|全国人大|全国政协|"
    r"中国人民政治协商会议全国委员会|中央军事委员会|中央军委"
)
_NATIONAL_OFFICE = re.compile(
    r"^(?:中共中央|中央|国务院|国家|中华人民共和国|全国人大|全国人民代表大会|全国政协|"
    r"中国人民政治协商会议全国委员会)|^(?:总书记|总理|副总理|委员长)$"
)
# A text of a national body that says so (我代表国务院, 国务院总理……所作的).
_NATIONAL = re.compile(
    r"我代表国务院|受国务院的?委托|代表中央人民政府|根据国务院的决定|"
    r"国务院总理\S{0,8}所作的\s*政府工作报告|总理代表国务院所作的政府工作报告|中华人民共和国国务院"
)
# A speaker who addresses the whole Party and country (全党同志, 全国各族人民, 我们党) and
# never a province, city or county of their own (我省, 全市): a national leader. A local
# speech names those words too, but beside its own 我市 / 全县.
_NATIONAL_VOICE = re.compile(r"全党|全国各族人民|我们党|全军")
NATIONAL_VOICE_MIN = 3
# A title of the State Council's report or of the National People's Congress's resolution.
_NATIONAL_TITLE = re.compile(r"国务院|全国人民代表大会|全國人民代表大會")
# A document filed under a national congress of the Party by its short name: 报告 (十二大),
# 中共七大报告. (党的二十大 in running text names it only as something studied.)
_CONGRESS_TAG = re.compile(r"[(（](?:中共)?[一二三四五六七八九十]{1,3}大[)）]\s*$|^(?:中共)?[一二三四五六七八九十]{1,3}大(?:政治)?报告$")
# A title or meeting that names a body: 杭州市政府工作报告, 中共某县委全会, 某市第五届人大.
_AFTER_BODY_PLACE = re.compile(
    r"^(?:\d{4}年)?(?:人民政府|政府|人大常委会|人大|人民代表大会|政协|委员会|委|党委|行署|行政公署|"
    r"工作报告|第[一二三四五六七八九十百\d]+(?:届|次))"
)

# How a speaker names their own jurisdiction: 我省 / 全省 / 本省 …
_SCOPE = re.compile(r"(我|全|本)(省|市|州|盟|县|旗|区)")
# 全省第一, 居全省前列, 占全市的: the body compared within a larger one, not speaking for it.
_COMPARED_BEFORE = re.compile(r"(居|占|列|位居|位列|名列|领跑|领先|高于|低于|快于|超过|入选|获评)$")
_COMPARED_AFTER = re.compile(r"^(第[一二三四五六七八九十\d]|首|前[列茅三五十]|唯一|排名|率先|之首|最)")
# A self-reference → the kinds of body it may be (我区: a district or an autonomous region).
_SCOPE_KEYS = {
    "省": (PROVINCE_KEY,),
    "市": (CITY_KEY,),
    "州": (PREFECTURE_KEY,),
    "盟": (LEAGUE_KEY,),
    "县": (COUNTY_KEY,),
    "旗": (BANNER_KEY,),
    "区": (DISTRICT_KEY, REGION_KEY, DISTRICT_AREA_KEY),
}

# ---- What a mention's context says ----

# Context that marks a place as the speaker's own (为阜阳经济… 我们青山区 …) or as a venue (在北京 …).
_OWN_BEFORE = re.compile(r"(我们|我|全|本|宣传|振兴|建设|为|加快|不出|打造|推动|促进|创新型|造福于)$")
_OWN_AFTER = re.compile(r"^(的?发展|的?经济|人民|各族|特色|富民|的老百姓|的居民|的群众|发展史|的工作|历史)")
_VENUE_BEFORE = re.compile(r"(在|到|赴|去|来|回到|至|经|从|往)$")
# What makes a place the first word of an organisation's, an agreement's or an event's
# name (上海合作组织, 上海精神, 杭州亚运会, 北京峰会): no place of the speech.
_ORGANISATION_AFTER = re.compile(
    r"^(?:合作组织|国际组织|公约|宣言|协定|议定书|条约|精神|共识|进程|倡议|宪章|议程|峰会|论坛|"
    r"[亚奥残冬]运会|世博会|园博会|博览会|交易会|运动会|大学|学院|银行|证券交易所|交易所|集团|股份|"
    r"有限公司|公司|机场|海关|舰|号)"
)
# Characters a place's name may be followed by in its own right (杭州人, 兰州市内, 境外).
_PLACE_FOLLOWERS = frozenset("人籍地境内外上下中里间边方城段区县市镇乡村省州盟旗的之和与及、")
_NUMERALS = frozenset("0123456789一二三四五六七八九十两几")
_ADDRESSING = frozenset({"各位", "诸位", "尊敬的", "亲爱的"})
FOREIGN_COUNTRIES = COUNTRIES - {"中国"}
# A level word the segmenter glued to the body word after it (吉林|市政府, 黔南|州委): the
# place's full name ends inside that token.
_GLUED_LEVEL = re.compile(r"^[省市州县区盟旗](?:人民政府|政府|委员会|委|党委|工委|长|人大|政协|域|级|直|民)$")
_BOOK_TITLE = re.compile(r"《[^》]{1,60}》")
# Mentions joined by one of these form a list (香港、澳门): passing, not the speaker's own.
_LIST_JOINERS = frozenset("、,，和与及")
LIST_WEIGHT = 0.25


@dataclass(frozen=True)
class RegionMention:
    code: str
    name: str
    mention: str
    offset: int
    in_title: bool = False
    listed: bool = False


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


def is_rare_word(name):
    frequency, tag = dictionary().get(name, (0, "ns"))
    return frequency < RARE_WORD_FREQUENCY and tag not in _WORD_TAGS


@lru_cache(maxsize=4096)
def _is_common_noun(name):
    frequency, tag = dictionary().get(name, (0, "ns"))
    return tag in _NOUN_TAGS and frequency >= COMMON_NOUN_FREQUENCY


def fits(place, key):
    """Whether a place is a body of kind key (市: a prefecture-level or county-level city, or
    a municipality; 州: an autonomous prefecture; 区: a district …)."""
    name, level = place.name, place.level
    if key == PROVINCE_KEY:
        return level == PROVINCE and name.endswith("省")
    if key == REGION_KEY:
        return level == PROVINCE and name.endswith("自治区")
    if key == CITY_KEY:
        return name.endswith("市") and level in (PROVINCE, PREFECTURE, COUNTY)
    if key == PREFECTURE_KEY:
        return level == PREFECTURE and name.endswith("州")
    if key == LEAGUE_KEY:
        return level == PREFECTURE and name.endswith("盟")
    if key == DISTRICT_AREA_KEY:  # a 行署 governs a 地区 or a 盟
        return level == PREFECTURE and name.endswith(("地区", "盟"))
    if key == COUNTY_KEY:
        return level == COUNTY and name.endswith("县")
    if key == BANNER_KEY:
        return level == COUNTY and name.endswith("旗")
    if key == DISTRICT_KEY:
        return level == COUNTY and name.endswith("区")
    return False


def fits_any(place, keys):
    return any(fits(place, key) for key in keys)


def body_level(phrase):
    """The kind of body a phrase names (杭州市人民政府市长 → 市, 州长 → 州, 中共某县委 → 县,
    行署 → 地区), or ""."""
    found = ""
    for match in _BODY_LEVEL.finditer(compact(phrase)):
        found = _LEVEL_WORDS.get(match.group(1), match.group(1))
    return found


def is_national_body(phrase):
    """Whether a body or office speaks for the country (国务院, 国家主席, 中共中央总书记)."""
    text = compact(phrase)
    return bool(text) and bool(_NATIONAL_BODY.search(text) or _NATIONAL_OFFICE.search(text))


# ---- Place names in text ----


def _raw_matches(seg, gazetteer, keys=()):
    """(surface, offset, places, is_full, listed) for every place name of a segmented text,
    longest first; names inside organisation names, longer words and foreign names left out.
    keys: the kinds of body that speaks; a short name that is also an ordinary word (北海)
    is taken for a place of that kind only."""
    text = seg.text
    ends = {token.end for token in seg.tokens}
    ends.update(token.start + 1 for token in seg.tokens if _GLUED_LEVEL.match(token.word))
    found = []
    skip_to = 0
    for token in seg.tokens:
        i = token.start
        if i < skip_to:
            continue
        for length in gazetteer.lengths_from.get(text[i], ()):
            if i + length not in ends:
                continue
            surface = text[i : i + length]
            if surface not in gazetteer.names:
                continue
            places, is_full = gazetteer.lookup(surface)
            if not places and keys:
                places = [p for p in gazetteer.lookup(surface, word_names=True)[0] if fits_any(p, keys)]
            if not places or surface in GENERIC_FULL_NAMES:
                continue
            if _not_a_place_here(seg, i, i + length, is_full):
                break
            found.append([surface, i, places, is_full, False])
            skip_to = i + length
            break
    # Names joined by 、/和 form a list: every name in it passes.
    for before, after in zip(found, found[1:], strict=False):
        gap = text[before[1] + len(before[0]) : after[1]]
        if len(gap) == 1 and gap in _LIST_JOINERS:
            before[4] = after[4] = True
    return [tuple(item) for item in found]


def _not_a_place_here(seg, start, end, is_full):
    text = seg.text
    # 10项城市 is a count of cities, not 项城市.
    if start > 0 and text[start - 1] in _NUMERALS and seg.token_after(start + 1) is not None:
        return True
    following = text[end : end + 8]
    if _ORGANISATION_AFTER.match(following):
        return True
    after = seg.token_after(end)
    if after is not None and not is_full:
        # 三江|源: a short name with one more character that is no suffix of a place's own is a
        # piece of a longer word.
        if len(after.word) == 1 and after.word not in _PLACE_FOLLOWERS and after.tag not in FUNCTION_TAGS:
            return True
    # 我同安|瓦尔总理: a name running on into a transliteration is a piece of a foreign name.
    if after is not None and _transliterated(after):
        return True
    before = seg.token_before(start)
    # 各位来宾, 诸位嘉宾: those addressed are people, never a place (来宾市).
    if before is not None and before.word in _ADDRESSING:
        return True
    # 韩国大田, 越南海防: a town abroad that shares a name with one at home (大田县).
    if before is not None and before.end == start and before.word in FOREIGN_COUNTRIES:
        return True
    return before is not None and _transliterated(before) and not is_full


def _transliterated(token):
    word = token.word
    if len(word) < 2 or not all(char in TRANSLITERATION for char in word):
        return False
    entry = dictionary().get(word)
    return entry is None or entry[1] in ("nr", "nrt", "nrfg")


def _resolve(places, text, mentioned_codes, gazetteer, keys=()):
    """The one place meant among places sharing a name, or None when context can't tell.
    keys: the kinds of body the speaker's is (市, 州 …): a place of that kind is meant."""
    if len(places) == 1:
        return places[0]
    if keys:
        fitting = [place for place in places if fits_any(place, keys)]
        if len(fitting) == 1:
            return fitting[0]
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


def find_mentions(text, title="", gazetteer=None, keys=(), own_keys=None):
    """(mentions, ambiguous surfaces): every place the title and text name, resolved where
    possible (keys: the kinds of body the speaker's is, for names several places share;
    own_keys, default keys: the kinds the speaker calls their own (我市), for short names
    that are also ordinary words)."""
    gazetteer = gazetteer or default_gazetteer()
    own_keys = keys if own_keys is None else own_keys
    raw = [(*m, True) for m in _raw_matches(segment(title), gazetteer, own_keys)] if title else []
    raw += [(*m, False) for m in _raw_matches(segment(text), gazetteer, own_keys)]
    # Places named unambiguously (bare county names vouch for nothing: they are the doubtful ones).
    unambiguous = {
        places[0].code
        for _s, _o, places, is_full, _l, _t in raw
        if len(places) == 1 and (is_full or places[0].level != COUNTY)
    }
    # Codes named at all, with ancestors, to check short county names against.
    named = set(unambiguous)
    for code in list(unambiguous):
        named.update(a.code for a in gazetteer.ancestors(gazetteer.get(code)))
    full_named = {surface for surface, _o, _p, is_full, _l, _t in raw if is_full}
    context = f"{title}\n{text}"
    mentions, ambiguous = [], []
    for surface, offset, places, is_full, listed, in_title in raw:
        place = _resolve(places, context, named, gazetteer, keys)
        if place is None:
            ambiguous.append(surface)
            continue
        if not _trusted(place, surface, is_full, full_named, unambiguous, gazetteer):
            continue
        mentions.append(RegionMention(place.code, place.name, surface, offset, in_title, listed))
    return mentions, sorted(set(ambiguous))


def _trusted(place, surface, is_full, full_named, unambiguous, gazetteer):
    """Whether a name is the place, not an ordinary word that spells it."""
    parent = gazetteer.parent(place)
    if is_full:
        # 解放区, 城区: a common noun first, the place only beside its parents.
        return not _is_common_noun(surface) or (parent is not None and parent.code in unambiguous)
    if place.level != COUNTY:
        return True
    # A bare county name is often also a word (资源, 互助, 复兴): trust it when it is rare
    # as a word, or when its full name or its own prefecture is named too.
    return (
        is_rare_word(surface)
        or place.name in full_named
        or (parent is not None and parent.code in unambiguous)
    )


# ---- The body that speaks ----


@dataclass
class SpeakingBody:
    """What the header and the text say of the body that speaks."""

    national: str = ""  # why it is a national body, or ""
    keys: tuple = ()  # the kinds of body it may be (市, 州 …), from the header
    places: list = field(default_factory=list)  # (surface, reason) of places the header names
    reason: str = ""


def _leading_place(phrase, gazetteer):
    """The place a body's name begins with (杭州市人民政府 → 杭州市; 中共黔南州委 → 黔南州)."""
    text = compact(phrase).removeprefix("中国共产党").removeprefix("中共")
    for length in gazetteer.lengths:
        surface = text[:length]
        if len(surface) == length and gazetteer.lookup(surface)[0]:
            return surface
    return ""


def _place_naming_a_body(phrase, gazetteer):
    """The place of a title or meeting that names a body of it: 杭州市政府工作报告,
    2024年黔南州政府工作报告, 某县委全会, 某市第五届人民代表大会."""
    text = compact(phrase)
    for match in _raw_matches(segment(text), gazetteer):
        surface, offset = match[0], match[1]
        if _AFTER_BODY_PLACE.match(text[offset + len(surface) :]):
            return surface
    return ""


def speaking_body(text, title="", meeting="", speaker_title="", delegated_by="", gazetteer=None):
    """SpeakingBody from the header facts the importer stored (meeting, speaker_title,
    delegated_by) and those header.read_header finds in the text (the body the speaker
    represents: 我代表市人民政府)."""
    gazetteer = gazetteer or default_gazetteer()
    header = read_header(text.split("\n"))
    meeting = meeting or header.meeting or meeting_in(title)
    speaker_title = speaker_title or header.speaker_title
    delegated_by = delegated_by or header.delegated_by
    on_behalf_of = header.on_behalf_of
    body = SpeakingBody()
    host = meeting_host(meeting)
    if host == NATIONAL_NAME:
        body.national = f"会议:{meeting}"
    elif is_national_body(on_behalf_of):
        body.national = f"代表{on_behalf_of}"
    elif is_national_body(delegated_by):
        body.national = f"受{delegated_by}委托"
    elif is_national_body(speaker_title):
        body.national = f"讲话人职务:{speaker_title}"
    elif _CONGRESS_TAG.search(compact(title)):
        body.national = "党的全国代表大会文件"
    if body.national:
        return body
    # The kind of body: the speaker's office, then the body represented, then the host.
    for phrase, label, key in (
        (speaker_title, "讲话人职务", body_level(speaker_title)),
        (on_behalf_of, "代表", body_level(on_behalf_of)),
        (host, "会议", _name_level(host)),
    ):
        if key:
            body.keys, body.reason = (key,), f"{label}“{phrase}”"
            break
    for phrase, label in ((host, "会议"), (speaker_title, "讲话人职务"), (on_behalf_of, "代表")):
        if phrase and (surface := _leading_place(phrase, gazetteer)):
            body.places.append((surface, f"{label}“{phrase}”"))
    for phrase, label in ((title, "标题"), (meeting, "会议")):
        if phrase and (surface := _place_naming_a_body(phrase, gazetteer)):
            body.places.append((surface, f"{label}“{phrase}”"))
    return body


def _name_level(name):
    """The level word a place's name ends with (杭州市 → 市, 黔南州 → 州), or ""."""
    for word in ("自治区", "自治州", "自治县", "自治旗", "地区", "省", "市", "州", "盟", "县", "旗", "区"):
        if name.endswith(word):
            return _LEVEL_WORDS.get(word, word)
    return ""


def _header_place(body, gazetteer):
    """(place, reason) of the first place the header names that is a body of the kind that
    speaks (the header's kind, else the kind its own name says: 黔南州 → 州), or (None, "")."""
    for surface, reason in body.places:
        places, _is_full = gazetteer.lookup(surface)
        own_level = _name_level(surface)
        keys = body.keys or ((own_level,) if own_level else ())
        fitting = [p for p in places if fits_any(p, keys)] if keys else places
        if len(fitting) == 1:
            return fitting[0], reason
    return None, ""


# ---- Self-reference and mentions ----


def _scope(text, title=""):
    """Counter of the kinds of body the speaker calls their own (我市 ×2, 全市 ×1; in the
    title ×3), 全省第一 and the like left out."""
    weights = Counter()
    for source, factor in ((text, 1), (title, 3)):
        for match in _SCOPE.finditer(source):
            own = match.group(1) != "全"
            if not own:
                before = source[max(0, match.start() - 2) : match.start()]
                after = source[match.end() : match.end() + 3]
                if _COMPARED_BEFORE.search(before) or _COMPARED_AFTER.match(after):
                    continue
            weights[match.group(2)] += (2 if own else 1) * factor
    return weights


def _fits_scope(place, scope):
    return fits_any(place, _SCOPE_KEYS[scope]) or (
        scope == "市" and place.level == COUNTY and place.name.endswith("市")
    ) or (scope == "县" and place.level == COUNTY and place.name.endswith(("市", "旗")))


def extract_regions(text, title="", gazetteer=None, kind=None, *, meeting="", speaker_title="", delegated_by=""):
    """RegionResult: the primary region (the jurisdiction of the body that speaks), every
    place mentioned, a confidence and the reason for the choice. meeting, speaker_title
    and delegated_by: what the importer read from the header (Speech fields)."""
    gazetteer = gazetteer or default_gazetteer()
    body = speaking_body(text, title, meeting, speaker_title, delegated_by, gazetteer)
    scope = _scope(text, title)
    own_keys = body.keys or (_SCOPE_KEYS[scope.most_common(1)[0][0]] if scope else ())
    mentions, ambiguous = find_mentions(text, title, gazetteer, body.keys, own_keys)
    if body.national:
        return RegionResult(NATIONAL_PLACE, 0.95, body.national, mentions, ambiguous)
    place, reason = _header_place(body, gazetteer)
    if place is not None:
        return RegionResult(place, 0.95, reason, mentions, ambiguous)
    # A national body's report or resolution says so (我代表国务院, 国务院总理……所作的); a
    # title such as 政府工作报告 does not: provinces and cities report too.
    if _NATIONAL.search(compact(text[:3000])) or (kind in ("work_report", "resolution") and _NATIONAL_TITLE.search(title)):
        return RegionResult(NATIONAL_PLACE, 0.95, "国务院向全国人大所作的报告或决议", mentions, ambiguous)
    if not scope and not body.keys and len(_NATIONAL_VOICE.findall(text)) >= NATIONAL_VOICE_MIN:
        return RegionResult(NATIONAL_PLACE, 0.7, "对全党全国讲话,未以任何地方自称", mentions, ambiguous)
    return _by_mentions(text, mentions, ambiguous, body, scope, gazetteer)


def _by_mentions(text, mentions, ambiguous, body, scope, gazetteer):
    main_scope = scope.most_common(1)[0][0] if scope else None
    book_spans = [m.span() for m in _BOOK_TITLE.finditer(text)]

    scores = defaultdict(float)
    evidence = Counter()
    for m in mentions:
        place = gazetteer.get(m.code)
        if m.in_title:
            scores[m.code] += 1 if m.listed else 3
            evidence[m.code] += 1
            continue
        in_book = any(start <= m.offset < end for start, end in book_spans)
        before = text[max(0, m.offset - 4) : m.offset]
        after = text[m.offset + len(m.mention) : m.offset + len(m.mention) + 5]
        weight = 0.5 if in_book else 1.0
        if m.listed:
            weight = LIST_WEIGHT
        elif _OWN_BEFORE.search(before) or _OWN_AFTER.search(after):
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
            if main_scope == "市" and place.level == PROVINCE:
                return 1.0
            return 2.0
        if any(_fits_scope(place, s) for s in scope) or (
            main_scope == "市" and place.level == PROVINCE and place.code in MUNICIPALITIES
        ):
            return 0.5 if place.code in MUNICIPALITIES else 1.0
        return 0.0

    ranked = []
    for code, score in scores.items():
        place = gazetteer.get(code)
        if evidence[code] == 0:
            continue  # known only through its sub-regions
        if body.keys and not fits_any(place, body.keys):
            continue  # the header says what kind of body speaks
        total = score + scope_bonus(place)
        if main_scope is None:
            # No self-reference: the most specific place named most often (a news item).
            total += {COUNTY: 0.5, PREFECTURE: 0.25}.get(place.level, 0.0)
        ranked.append((total, place))
    ranked.sort(key=lambda pair: (-pair[0], pair[1].code))

    if ranked and ranked[0][0] >= 3:
        best_score, best = ranked[0]
        # The runner-up may be the best place's own parent or child: no real rival.
        rivals = [s for s, p in ranked[1:] if not (p.is_within(best) or best.is_within(p))]
        margin = best_score - (rivals[0] if rivals else 0.0)
        confidence = min(0.97, 0.45 + 0.06 * best_score + 0.05 * min(margin, 4))
        if margin < 1.5:
            confidence = min(confidence, 0.55)
        own = body.reason or f"本级称谓“{main_scope or '无'}”"
        reason = f"{own}，提及{evidence[best.code]}次"
        return RegionResult(best, round(confidence, 3), reason, mentions, ambiguous)

    # Nothing clearly the speaker's own. A provincial document the speech applies
    # (《山西省…意见》) still places it in that province, with doubt.
    provinces_in_books = {
        gazetteer.get(m.code).province_code
        for m in mentions
        if not m.in_title and any(start <= m.offset < end for start, end in book_spans)
    }
    if len(provinces_in_books) == 1 and not body.keys:
        province = gazetteer.get(provinces_in_books.pop())
        if province is not None:
            return RegionResult(province, 0.45, "仅见于所引省级文件名", mentions, ambiguous)
    return RegionResult(None, 0.0, "正文未指明讲话人所在地区", mentions, ambiguous)
