"""Named officials a speech cites, with titles: 田力普局长, 副主席张来武, 苟明利同志 and later
明利同志, surname-only 罗书记. Pure functions over text; names are never completed beyond
what the text writes.

Each title is read once: the name written after it (国家知识产权局局长田力普), else the
name written before it (田力普局长). Names are whole runs of the segmentation
(speeches.extract.names); the title is the whole title phrase before the name
(市文化旅游广电局局长), never a word glued from a neighbour."""

import re
from dataclasses import dataclass, field
from functools import lru_cache

from speeches.extract.countries import COUNTRIES
from speeches.extract.gazetteer import default_gazetteer
from speeches.extract.names import (
    NAME_TAGS,
    SURNAMES,
    Name,
    dictionary,
    is_han,
    name_after,
    name_before,
    segment,
)

# Title words the finder reads, public offices and others (教授, 总经理); 副/常务 prefixes
# are taken with them.
PUBLIC_OFFICE_TITLES = frozenset(
    """总书记 书记 常委 委员长 主任委员 总理 国务委员 部长 厅长 局长 处长 科长 司长 署长 省长 市长
    县长 区长 州长 旗长 盟长 镇长 乡长 行政长官 检察长 庭长 审判长 法官 检察官 专员 巡视员 调研员
    主委 总统 首相 议长 大使 总领事 领事 参赞 外长 防长""".split()
)
# Titles held in government and outside it alike (办公室主任 and 研究部主任, 政协主席
# and 董事局主席): a public office when the body before them is a public one.
SHARED_TITLES = frozenset("主任 主席 院长 所长 委员 组长 秘书长 发言人 行长 站长".split())
# Titles of heads of state, government and international bodies: a transliteration the
# dictionary knows as a rare place may stand before them as a person (普京总统, 安南秘书长),
# never before a local one (悉尼市长).
HEAD_TITLES = frozenset("总统 总理 首相 主席 秘书长 议长".split())
HEAD_PLACE_LIMIT = 300
OTHER_TITLES = frozenset("理事长 董事长 总经理 经理 社长 校长 教授 政委 司令员 会长 主编".split())
TITLE_WORDS = PUBLIC_OFFICE_TITLES | SHARED_TITLES | OTHER_TITLES
_TITLE = "(?:常务|执行|代理|名誉|第一|正)?(?:副)?(?:" + "|".join(sorted(TITLE_WORDS, key=len, reverse=True)) + ")"
_TITLE_RE = re.compile(_TITLE)
_CORE_TITLE_RE = re.compile("(?:" + "|".join(sorted(TITLE_WORDS, key=len, reverse=True)) + ")$")
# Bodies whose officers hold public office: governments and their departments, the
# Party, people's congresses, CPPCC, courts and procuratorates.
# (A department, 部, is left out: companies have them too, 市场部.)
_PUBLIC_BODY = re.compile(
    r"国务院|中央|政府|人大|政协|常委会|法院|检察院|党委|党组|纪委|[省市县区州旗乡镇]委|"
    r"(?:厅|局|署|办|办公室|司|处|科|委|委员会)$"
)
# Bodies whose officers do not: companies, banks, schools, associations, the press.
_PRIVATE_BODY = re.compile(
    r"公司|集团|银行|企业|股份|有限|地产|置业|传媒|基金|证券|信托|酒店|商场|俱乐部|球队|协会|学会|"
    r"研究会|大学|学院|学校|医院|报社|杂志|网站"
)
_COMRADE_RE = re.compile(r"同志(?!们)")
# Party committees whose 书记 is written around the name: 市委宋卫平书记 → 市委书记.
_COMMITTEE = re.compile(r"(省委|市委|县委|区委|州委|旗委|党委|党组|纪委|镇党委|乡党委)$")
# Where an organisation's or a place's name ends (张掖市知识产权局冯谦, 宁夏回族自治区).
_ORG_END = re.compile(
    r"(局|委|厅|部|办|府|院|会|组|处|司|室|中心|公司|大学|学院|集团|协会|银行|政府|人大|政协|联社|社|"
    r"会议|省|市|县|区|州|旗|盟|镇|乡)$"
)
_PLACE_END = re.compile(r"[省市县区州旗盟镇乡]$")
# A news report's dateline (本报讯, 新华社北京3月5日电) is not part of a title phrase.
_DATELINE_ENDS = ("讯", "电", "新华社")
# One-character words that end the name of a unit, however jieba tags them (金融|所,
# 水产|站, 结算|司).
_UNIT_WORDS = frozenset("局委厅部办院处司室科所站组队署")
# Tags of words no organisation's name is made of, even where jieba does not know them.
_NOT_IN_NAMES = frozenset({"p", "c", "u", "uj", "ul", "r", "m", "q", "x", "t", "d", "f", "eng"})
# Prepositions jieba glues to the next character (对原, 向省): where a phrase stops.
_GLUED_PREPOSITIONS = frozenset("对向由和与及在从被把将让给为请")
# Where an organisation's name ends, places left out (吉林市马拉松 is no organisation).
_AGENCY_END = re.compile(r"(局|委|厅|部|办|府|院|会|组|处|司|室|中心|公司|大学|学院|集团|协会|银行|政府|人大|政协|联社)$")
# Tags of the words a title phrase is made of: nouns, places, organisations,
# abbreviations (中共), distinguishing words (副); the phrase stops at anything else.
_PHRASE_TAGS = frozenset({"n", "nt", "ns", "nz", "j", "b", "vn", "ng", "l"})
_PHRASE_CONJUNCTIONS = frozenset("和与及")
_ORGANISATION_TAGS = frozenset({"n", "nt", "ns", "nz", "j"})
MAX_TITLE_PHRASE = 24
# A title after a number (千名教授, 三位市长) is about many people, not one.
_COUNT_TAGS = frozenset({"m", "q", "mq"})
_SENTENCE_END = re.compile(r"[。！？!?；;\n]")
# An organisation, then a name, in a list of people honoured: 定西市知识产权局侯俊峰、….
_HONOURED = re.compile(r"荣获|获得|被评为|被授予|受到表彰")

# Confidence by the evidence a mention gives.
CONFIDENCE = {
    "title_before": 0.9,
    "name_title": 0.88,
    "comrade": 0.85,
    "given_title": 0.75,
    "given_comrade": 0.7,
    "surname_title": 0.75,
    "listed": 0.6,
    "org_listed": 0.55,
}


def core_title(title):
    """The title word a title phrase ends with (市知识产权局局长 → 局长), or None."""
    match = _CORE_TITLE_RE.search(title)
    return match.group(0) if match else None


def is_public_office(title):
    """Whether a title phrase names a public office: a title in government, the Party,
    a people's congress or CPPCC, a court or procuratorate (局长, 处长, 主任委员, 行政长官,
    书记), not in a company, school or association (总经理, 教授, 协会会长)."""
    title = title.split("、")[-1]
    core = core_title(title)
    if core is None:
        return False
    body = title[: -len(core)]
    if _PRIVATE_BODY.search(body):
        return False
    if core in PUBLIC_OFFICE_TITLES:
        return True
    return core in SHARED_TITLES and bool(_PUBLIC_BODY.search(body.rstrip("副常务")))


@dataclass
class Mention:
    mention: str
    name: str
    title: str
    organisation: str
    offset: int
    sentence: str
    confidence: float
    partial: bool
    surname_only: bool = False
    given_only: bool = False


@dataclass
class Person:
    name: str
    title: str
    organisation: str
    name_is_partial: bool
    confidence: float
    mentions: list = field(default_factory=list)


def _sentence(text, offset):
    start = 0
    for match in _SENTENCE_END.finditer(text, 0, offset):
        start = match.end()
    end_match = _SENTENCE_END.search(text, offset)
    end = end_match.end() if end_match else len(text)
    return text[start:end].strip()


def _titles(seg):
    """Title words standing as words: ending where a word ends (not 行长 in 执行长江, 乡长
    in 以城带乡长效, 主席 in 主席国) and not counted (千名教授)."""
    for match in _TITLE_RE.finditer(seg.text):
        start, end = match.span()
        if not seg.is_boundary(end):
            continue
        before = seg.token_before(start)
        if before is not None and before.tag in _COUNT_TAGS and not before.word.startswith("第"):
            continue
        yield start, end


def _phrase_start(seg, start):
    """Where the title phrase ending in a title word at start begins: back over the
    words of an organisation (市文化旅游广电局, 住房和城乡建设部, 中央联席办), at most
    24 characters."""
    text = seg.text
    token = seg.token_at(start)
    begin = token.start if token is not None and token.start < start else start
    while begin > 0 and start - begin < MAX_TITLE_PHRASE:
        previous = seg.token_before(begin)
        if previous is None or previous.start < start - MAX_TITLE_PHRASE or seg.is_punctuation(previous.start):
            break
        if previous.word.endswith(_DATELINE_ENDS):
            break  # 本报讯, 新华社…电: a news report's dateline
        if core_title(previous.word) and not _AGENCY_END.search(previous.word + text[begin]):
            break  # 总经理董飞与…: another person's title (委员|会 is an organisation)
        if (
            _organisation_word(previous)
            or _verb_inside_organisation(seg, previous, begin, start)
            or _name_inside_organisation(seg, previous, begin, start)
        ):
            if previous.word[0] in _GLUED_PREPOSITIONS and previous.tag not in ("n", "ns", "nt"):
                break  # 对原|中国足协, 请富龙|集团: a preposition or a verb glued to the phrase
            begin = previous.start
            continue
        # 住房和城乡建设部: a conjunction inside one organisation's name, between nouns,
        # when what follows it ends as an organisation does.
        if previous.word in _PHRASE_CONJUNCTIONS and _ORG_END.search(text[begin:start]):
            left = seg.token_before(previous.start)
            if left is not None and (_organisation_word(left) or left.tag.startswith("v")) and len(left.word) >= 2:
                begin = left.start
                continue
        break
    return begin


def _organisation_word(token):
    """A word of an organisation's or a place's name: a noun, place, organisation,
    abbreviation or distinguishing word (副); a word ending as an agency or a place does
    whatever jieba tags it (银监会, 乌审旗, 发展改革|委)."""
    if token.tag in _PHRASE_TAGS or token.word in _UNIT_WORDS:
        return True
    # Abbreviations jieba does not know and tags as it may (市住|保办, 镇合疗|办, 查违|办公室),
    # not names.
    if len(token.word) >= 2 and token.word not in dictionary() and token.tag not in _NOT_IN_NAMES | NAME_TAGS:
        return all(is_han(c) for c in token.word) and not _looks_like_a_name(token.word)
    return bool(_AGENCY_END.search(token.word) or _PLACE_END.search(token.word)) and token.tag not in ("p", "c", "u", "r")


def _name_inside_organisation(seg, token, begin, start):
    """A word tagged as a name before a place or an organisation: a brand or a place
    jieba took for a person (张家口|崇礼县, 富龙|集团)."""
    following = seg.token_after(begin)
    return (
        token.tag in NAME_TAGS
        and begin < start
        and following is not None
        and following.tag in _ORGANISATION_TAGS
        and core_title(following.word) is None
    )


def _looks_like_a_name(word):
    return word[0] in SURNAMES and len(word) in (2, 3)


def _verb_inside_organisation(seg, token, begin, start):
    """A verb inside an organisation's name, between its nouns (房地产|开发|有限公司,
    住房|保障|管理中心, 乌审旗|推进|城市化领导小组), not one before a new name (欢迎|北京…)."""
    if not token.tag.startswith("v") or len(token.word) != 2 or begin == start:
        return False
    following = seg.token_after(begin)
    if following is None or following.tag in ("ns", "nt"):
        return False
    left = seg.token_before(token.start)
    if left is not None and left.tag.startswith("v") and len(left.word) == 2:
        left = seg.token_before(left.start)  # 支付|结算|司: two verbs of one name
    return left is not None and _organisation_word(left) and core_title(left.word) is None


def _name_after_spaces(seg, end):
    """A byline or a header: the title, spaces, the name alone on its line or before
    more spaces (主席　习近平, 市长  姚高员)."""
    text = seg.text
    gap = end
    while gap < len(text) and text[gap] == " " and gap - end < 4:
        gap += 1
    if gap == end:
        return None
    found = name_after(seg, gap)
    if found is None or not (found.end == len(text) or text[found.end] in " \n\r"):
        return None
    return found


def _title_phrase_before(seg, start, end):
    """The title phrase whose title word is [start, end) (宁夏回族自治区副主席, 美国总统,
    中央联席办副主任、国家信访局副局长): (title, organisation)."""
    text = seg.text
    begin = _phrase_start(seg, start)
    prefix = text[begin:start]
    organisation = seg.original[begin:start] if _ORG_END.search(prefix) or _is_place(seg, begin, start) else ""
    # 文化部长, 深圳市长: the title's first character ends the organisation's name.
    if prefix and not organisation and _ORG_END.search(prefix + text[start]) and text[start] != "副":
        organisation = seg.original[begin : start + 1]
    title = seg.original[begin:end]
    # A second title joined by 、 describes the same person (副主任、…副局长).
    if begin > 1 and text[begin - 1] == "、":
        for previous_start, previous_end in _titles_ending(seg, begin - 1):
            if name_before(seg, previous_start, partial=False) is None:
                title = _title_phrase_before(seg, previous_start, previous_end)[0] + "、" + title
    return title, organisation


def _is_place(seg, begin, end):
    """美国, 俄罗斯, 张家口: a place is the jurisdiction of the title after it."""
    last = seg.token_before(end)
    return begin < end and (last is not None and last.tag == "ns" or seg.text[begin:end] in COUNTRIES)


def _titles_ending(seg, end):
    match = None
    for candidate in _TITLE_RE.finditer(seg.text, max(0, end - 8), end):
        if candidate.end() == end:
            match = candidate
    return [match.span()] if match else []


def _organisation_before(seg, start):
    """The organisation written right before a name (清华大学艾建强教授)."""
    begin = _phrase_start(seg, start)
    return seg.original[begin:start] if _ORG_END.search(seg.text[begin:start]) else ""


def _place_across(seg, title_start):
    """梅州长潭水库: the name's last character and the title's first make a place."""
    pair = seg.text[title_start - 1 : title_start + 1]
    places, _full = default_gazetteer().lookup(pair)
    return bool(places) or pair in default_gazetteer().full_names


def find_mentions(text):
    """Every mention of a named official, in text order, unmerged."""
    return list(_mentions(text))


@lru_cache(maxsize=8)
def _mentions(text):
    """find_mentions, kept for the few texts read last: a speech's officials and its
    keywords both ask for them."""
    seg = segment(text)
    found = {}

    def add(start, end, name, title, organisation, kind, partial, **flags):
        if start in found:
            return
        found[start] = Mention(
            mention=text[start:end],
            name=name,
            title=title,
            organisation=organisation,
            offset=start,
            sentence=_sentence(text, start),
            confidence=CONFIDENCE[kind],
            partial=partial,
            **flags,
        )

    for title_start, title_end in _titles(seg):
        title_word = text[title_start:title_end]
        after = name_after(seg, title_end) or _name_after_spaces(seg, title_end)
        if after is not None and seg.single_tag(after.start, after.end) not in NAME_TAGS:
            # 习近平总书记殷殷嘱托: a name jieba reads as one before the title outweighs a
            # weaker reading after it.
            before = name_before(seg, title_start, partial=False)
            if before is not None and seg.single_tag(before.start, before.end) in NAME_TAGS:
                after = None
        if after is not None:
            # Title, then name: 宁夏回族自治区副主席张来武, 纪检组长邢胜才, 副省长才利民同志.
            title, organisation = _title_phrase_before(seg, title_start, title_end)
            add(after.start, after.end, text[after.start : after.end], title, organisation, "title_before", False)
            _add_listed(seg, after.end, add)
            continue
        # Name, then title: 田力普局长, 克志省长, 罗书记 (县委罗书记 → 县委书记).
        committee = _COMMITTEE.search(seg.text, max(0, title_start - 5), title_start - 1)
        word = seg.token_at(title_start)
        glued = word.start < title_start and word.end == title_end and word.tag in NAME_TAGS  # 周|总理
        place_limit = HEAD_PLACE_LIMIT if core_title(title_word) in HEAD_TITLES else 0
        before = name_before(seg, title_start, committee=committee is not None, glued=glued, place_limit=place_limit)
        if before is None or _place_across(seg, title_start):
            continue
        name_text = text[before.start : before.end]
        committee = _COMMITTEE.search(seg.text, max(0, before.start - 4), before.start)
        title, organisation = title_word, ""
        if committee:
            title = committee.group(1) + title if title.endswith("书记") else title
        else:
            organisation = _organisation_before(seg, before.start)
        if before.kind == "surname":
            add(before.start, title_end, name_text + title_word, title, organisation, "surname_title", True,
                surname_only=True)
        elif before.kind == "given":
            add(before.start, title_end, name_text, title, organisation, "given_title", True, given_only=True)
        else:
            add(before.start, title_end, name_text, title, organisation, "name_title", False)

    # Name, then 同志: 苟明利同志, 明利同志.
    for match in _COMRADE_RE.finditer(text):
        named = name_before(seg, match.start())
        if named is None or named.kind == "surname":
            continue
        name_text = text[named.start : named.end]
        title_match = _titles_ending(seg, named.start)
        title, organisation = _title_phrase_before(seg, *title_match[0]) if title_match else ("", "")
        if named.kind == "given":
            add(named.start, match.end(), name_text, title, organisation, "given_comrade", True, given_only=True)
        else:
            add(named.start, match.end(), name_text, title, organisation, "comrade", False)

    _add_honoured(seg, text, found, add)
    return tuple(found[k] for k in sorted(found))


def _add_listed(seg, end, add):
    """A list of names after one title: 张恩玺、许业安分别作出批示."""
    text = seg.text
    while end < len(text) and text[end] == "、":
        following = name_after(seg, end + 1)
        if following is None or seg.single_tag(following.start, following.end) not in NAME_TAGS:
            break
        add(following.start, following.end, text[following.start : following.end], "", "", "listed", False)
        end = following.end


def _add_honoured(seg, text, found, add):
    """An organisation, then a name, in a list of people honoured:
    定西市知识产权局侯俊峰、张掖市知识产权局冯谦、…杨春涛荣获先进个人."""
    for token in seg.tokens:
        start, end = token.start, token.end
        if start in found or token.tag not in NAME_TAGS or len(token.word) not in (2, 3):
            continue
        before = seg.token_before(start)
        if before is None or before.tag not in _ORGANISATION_TAGS or not _AGENCY_END.search(before.word):
            continue
        if name_before(seg, end, partial=False) != Name(start, end, "full"):
            continue
        following = text[end : end + 2]
        if not (following[:1] in ("、", ",", "，") or _HONOURED.match(following)):
            continue
        sentence_end = _SENTENCE_END.search(text, end)
        if not _HONOURED.search(text, end, sentence_end.start() if sentence_end else len(text)):
            continue
        add(start, end, text[start:end], "", _organisation_before(seg, start) or before.word, "org_listed", False)


def _title_rank(mention):
    return (bool(mention.title), len(mention.title))


def merge_mentions(mentions):
    """One Person per individual: 明利 joins 苟明利, 艾教授 joins 艾建强教授 when the speech
    names only one 艾 with that title; surname-only mentions otherwise stay as written
    (罗书记), never completed from a name the text does not tie to them."""
    people = {}
    full = [m for m in mentions if not m.partial]
    longer = {m.name for m in full if len(m.name) >= 3}
    for m in full:
        owners = [n for n in longer if len(n) > len(m.name) and n.endswith(m.name)]
        # 明利 after 苟明利: the given name alone, however it reads.
        people.setdefault(owners[0] if len(owners) == 1 else m.name, []).append(m)
    for m in mentions:
        if not m.partial:
            continue
        if m.given_only:
            owners = [n for n in people if len(n) > len(m.name) and n.endswith(m.name)]
        else:  # surname only: 艾教授 → 艾建强教授 when the title agrees, never a guess
            surname = m.name[0]
            owners = [
                n for n, ms in people.items()
                if n.startswith(surname) and len(n) >= 2
                and any(x.title.endswith(m.title[-2:]) for x in ms if x.title)
            ]
        if len(owners) == 1:
            people[owners[0]].append(m)
        else:
            people.setdefault(m.name, []).append(m)
    result = []
    for name, ms in people.items():
        ms.sort(key=lambda x: x.offset)
        best_title = max(ms, key=_title_rank)
        organisation = next((x.organisation for x in ms if x.organisation), "")
        partial = all(x.partial for x in ms)
        confidence = max(x.confidence for x in ms)
        confidence = min(0.98, confidence + 0.03 * (len(ms) - 1))
        result.append(Person(name, best_title.title, organisation, partial, round(confidence, 3), ms))
    result.sort(key=lambda p: p.mentions[0].offset)
    return result


def extract_officials(text):
    """[Person]: the named officials the text cites, each with every mention."""
    return merge_mentions(find_mentions(text))
