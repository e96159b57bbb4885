"""Named officials a speech cites, with titles: 田力普局长, 副主席张来武, 苟明利同志 and later
明利同志, surname-only 罗书记. Pure functions over text; names are never completed beyond
what the text writes."""

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache

import jieba
import rjieba

# Common single-character surnames (百家姓 and the most frequent modern ones).
SURNAMES = frozenset(
    "".join(
        """王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程
    苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚
    邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘
    祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾
    尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师
    和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳
    谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门
    云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈
    湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由才傅洪阎丘钮郦毋蔚""".split()
    )
)
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 令狐 司徒 夏侯 长孙 宇文 轩辕 单于 端木 西门".split()
)
# Surnames that are also everyday words; alone before a title (管局长, 全面) they mean nothing.
_NOT_ALONE = frozenset("管和向于由才全都时原明来国平安成强花海区信利但干战公富常应相计能")

# Title words, longest first; 副/常务 prefixes are taken with them.
_TITLE_WORDS = (
    "总书记 书记 副总理 总理 委员长 省长 市长 县长 区长 州长 旗长 镇长 乡长 主席 主任 局长 部长 厅长 "
    "处长 科长 组长 秘书长 理事长 董事长 总经理 经理 行长 社长 院长 校长 教授 专员 署长 司长 检察长 "
    "庭长 所长 站长 政委 司令员 会长 主编 巡视员 调研员 主委 盟长"
).split()
_TITLE = "(?:常务)?(?:副)?(?:" + "|".join(sorted(_TITLE_WORDS, key=len, reverse=True)) + ")"
_TITLE_RE = re.compile(_TITLE)
_COMRADE_RE = re.compile(r"同志(?!们)")
# Party committees whose 书记 is written around the name: 市委宋卫平书记 → 市委书记.
_COMMITTEE = re.compile(r"(省委|市委|县委|区委|州委|旗委|党委|党组|纪委|镇党委|乡党委)$")
# What may stand before a surname-only mention: 所以高市长, 是罗书记, 的包市长.
_SURNAME_LEFT = set("以是的和与及请由向对跟同让给把被将从")
# Where an organisation's name ends (张掖市知识产权局冯谦).
_ORG_END = re.compile(
    r"(局|委|厅|部|办|府|院|会|组|处|司|室|中心|公司|大学|学院|集团|协会|银行|政府|人大|政协|联社|社|"
    r"会议|省|市|县|区|州|旗|盟|镇|乡)$"
)
# Leading words of an organisation phrase that are not part of it (当年习酒公司 → 习酒公司).
_NOT_ORG_TAGS = frozenset("t v vn p c d r u ul uj ud uz m q f".split())
_PUNCT = set(",，、。；;：:！!？?（）()《》“”\"'‘’…—\n\t 　")
_SENTENCE_END = re.compile(r"[。！？!?；;\n]")
# Characters that never belong to a personal name but often sit next to one.
_NOT_NAME = set("委局厅府办部院处司室省市县区镇乡村党的了在与是有不这那其各每该此之们个年月日号以为将把被对向从让给请使而所就也都还又再只很最更要会能及等")
# Words that may follow a name: 张勤作了…, 邢胜才出席…, 许业安分别…
_FOLLOWERS = (
    "同志 出席 作 在 对 来 到 专题 分别 就 也 多次 等 的 和 与 及 主持 讲话 指出 强调 表示 带领 率 一行 亲自 "
    "听取 视察 检查 调研 宣读 传达 代表 参加 批示 荣获 获得 说 要求 提出 介绍 首先 还 到会 先后 一起 同 为 向 所作"
).split()

MAX_COMMON_NAME_FREQUENCY = 600
_WORD_TAGS = frozenset("v vn vd a ad an d c p n m q r l i u".split())
_NAME_TAGS = {"nr", "nrt", "nrfg"}

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


@lru_cache(maxsize=1)
def _dictionary():
    """jieba's dictionary as word → (frequency, tag)."""
    table = {}
    path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            parts = line.split()
            if len(parts) == 3:
                table[parts[0]] = (int(parts[1]), parts[2])
    return table


def _is_common_word(span):
    """Whether span is an everyday word rather than a name. Words jieba tags as names
    are names (毛泽东); 3-character words count only with a clearly non-name tag, since
    the dictionary tags some famous names oddly (周恩来 as a time word)."""
    entry = _dictionary().get(span)
    if entry is None:
        return False
    frequency, tag = entry
    if tag in _NAME_TAGS:
        return len(span) == 2 and frequency > MAX_COMMON_NAME_FREQUENCY
    if len(span) >= 3:
        return tag in _WORD_TAGS
    return True


def _binds_left(text, start):
    """Whether the character before start forms a word with the one at start (刚才雷… → 刚才)."""
    if start == 0 or text[start - 1] in _PUNCT:
        return False
    pair = text[start - 1 : start + 1]
    return pair in _dictionary() and _dictionary()[pair][1] not in _NAME_TAGS


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


def _full_name_at(span):
    """Whether span reads as surname + given name (2-4 characters)."""
    if any(c in _NOT_NAME or c in _PUNCT or not ("\u4e00" <= c <= "\u9fff") for c in span):
        return False
    if len(span) in (3, 4) and span[:2] in COMPOUND_SURNAMES:
        return True
    return len(span) in (2, 3) and span[0] in SURNAMES


def _given_name(span):
    return (
        len(span) == 2
        and all("\u4e00" <= c <= "\u9fff" and c not in _NOT_NAME for c in span)
        and not _is_common_word(span)
    )


def _name_before(text, end, tags=None):
    """The name written just before position end (a title or 同志 follows it):
    (start, kind) with kind full / given / surname, or None."""
    tags = tags or {}
    for length in (4, 3, 2):
        start = end - length
        if start < 0:
            continue
        span = text[start:end]
        if not _full_name_at(span) or _is_common_word(span) or _starts_with_word(span):
            continue
        # A two-character name whose surname is also a small word (和王 in 张书记和王局长)
        # needs a clean left edge.
        if length == 2 and span[0] in _NOT_ALONE and not _clean_left(text, start):
            continue
        # jieba reading the span as a name outweighs a word the left neighbour could form (下田).
        if tags.get(start) == length or not _binds_left(text, start):
            return start, "full"
    # A given name alone (明利同志) needs a clean left edge: punctuation or a small word.
    start = end - 2
    if start >= 0 and _given_name(text[start:end]) and _clean_left(text, start):
        return start, "given"
    start = end - 1
    if (
        start >= 0
        and text[start] in SURNAMES
        and text[start] not in _NOT_ALONE
        and not _binds_left(text, start)
        and (_clean_left(text, start) or _COMMITTEE.search(text, max(0, start - 4), start))
    ):
        return start, "surname"
    return None


def _clean_left(text, start):
    return start == 0 or text[start - 1] in _PUNCT or text[start - 1] in _SURNAME_LEFT


def _starts_with_word(span):
    """高举毛 / 严厉查: the first two characters make an everyday word, not a name."""
    entry = _dictionary().get(span[:2])
    return entry is not None and entry[1] not in _NAME_TAGS and entry[0] > 1000 and len(span) > 2


_TITLE_MODIFIERS = ("纪检", "常务", "党组", "执行", "名誉", "第一")


def _trim_organisation(phrase):
    """phrase without the leading words that can't start an organisation's name."""
    if not phrase:
        return phrase
    words = rjieba.tag(phrase)
    cut = max((i + 1 for i, (_w, tag) in enumerate(words) if tag in _NOT_ORG_TAGS), default=0)
    return "".join(w for w, _ in words[cut:])


def _organisation_before(text, start):
    """The organisation written right before position start (清华大学艾建强教授)."""
    begin = start
    while begin > 0 and start - begin < 16:
        prev = text[begin - 1]
        if prev in _PUNCT or prev in "了的在和与对向由把被是请听据经将让给为按":
            break
        begin -= 1
    phrase = _trim_organisation(text[begin:start])
    return phrase if _ORG_END.search(phrase) else ""


def _title_phrase_before(text, end):
    """The title written before a name (宁夏回族自治区副主席, 中央联席办副主任、国家信访局副局长):
    (title, organisation)."""
    match = None
    for candidate in _TITLE_RE.finditer(text, max(0, end - 8), end):
        if candidate.end() == end:
            match = candidate
    if match is None:
        return None
    start = match.start()
    # The organisation runs back to punctuation or a function word, at most 16 characters.
    org_start = start
    while org_start > 0 and start - org_start < 16:
        prev = text[org_start - 1]
        if prev in _PUNCT or prev in "了的在和与对向由把被是请听据经将让给为":
            break
        org_start -= 1
    org_start = start - len(_trim_organisation(text[org_start:start]))
    prefix = text[org_start:start]
    organisation = prefix if _ORG_END.search(prefix) else ""
    if not organisation and prefix not in _TITLE_MODIFIERS:
        org_start = start
    title = text[org_start:end]
    # A second title joined by 、 describes the same person (副主任、…副局长).
    if org_start > 1 and text[org_start - 1] == "、":
        previous = _title_phrase_before(text, org_start - 1)
        if previous and not _ends_with_name(text, org_start - 1):
            title = previous[0] + "、" + title
    return title, organisation


def _ends_with_name(text, end):
    return _name_before(text, end) is not None and _title_phrase_before(text, end) is None


def _followed_by_boundary(text, end):
    if end >= len(text) or text[end] in _PUNCT:
        return True
    return any(text.startswith(word, end) for word in _FOLLOWERS)


def _name_after(text, start, tags):
    """A full name starting at start (after a title): its end, or None."""
    for length in (4, 3, 2):
        span = text[start : start + length]
        if len(span) < length or not _full_name_at(span) or _is_common_word(span):
            continue
        if _starts_with_word(span):
            continue
        if not _followed_by_boundary(text, start + length):
            continue
        # Prefer the reading jieba agrees with, when it has one (张勤|作 vs 张勤作).
        strong_end = start + length >= len(text) or text[start + length] in _PUNCT or text.startswith(
            "同志", start + length
        )
        if length == 3 and not strong_end and tags.get(start) == 2 and _followed_by_boundary(text, start + 2):
            continue
        return start + length
    return None


def _person_tags(text):
    """start offset → length of tokens jieba tags as personal names."""
    tags, offset = {}, 0
    for word, tag in rjieba.tag(text):
        if tag in _NAME_TAGS:
            tags[offset] = len(word)
        offset += len(word)
    return tags


def find_mentions(text):
    """Every mention of a named official, in text order, unmerged."""
    tags = _person_tags(text)
    word_starts = {start for _w, start, _e in rjieba.tokenize(text)}
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

    # Name, then title: 田力普局长, 克志省长, 罗书记 (县委罗书记 → 县委书记).
    for match in _TITLE_RE.finditer(text):
        if match.start() not in word_starts:
            continue  # 发行长期 holds no 行长
        named = _name_before(text, match.start(), tags)
        if named is None:
            continue
        start, kind = named
        name_text = text[start : match.start()]
        committee = _COMMITTEE.search(text, max(0, start - 4), start)
        title = match.group(0)
        organisation = ""
        if committee:
            title = committee.group(1) + title if title.endswith("书记") else title
        else:
            organisation = _organisation_before(text, start)
        if kind == "surname":
            add(start, match.end(), name_text + match.group(0), title, organisation, "surname_title", True,
                surname_only=True)
        elif kind == "given" or (len(name_text) == 2 and name_text[0] not in SURNAMES):
            add(start, match.end(), name_text, title, organisation, "given_title", True, given_only=True)
        else:
            add(start, match.end(), name_text, title, organisation, "name_title", False)

    # Title, then name: 宁夏回族自治区副主席张来武, 纪检组长邢胜才, 副省长才利民同志.
    for match in _TITLE_RE.finditer(text):
        end = _name_after(text, match.end(), tags)
        if end is None:
            continue
        phrase = _title_phrase_before(text, match.end())
        title, organisation = phrase if phrase else (match.group(0), "")
        add(match.end(), end, text[match.end() : end], title, organisation, "title_before", False)
        # A list of names after one title: 张恩玺、许业安分别作出批示.
        while end < len(text) and text[end] == "、":
            nxt = _name_after(text, end + 1, tags)
            if nxt is None or tags.get(end + 1) != nxt - end - 1:
                break
            add(end + 1, nxt, text[end + 1 : nxt], "", "", "listed", False)
            end = nxt

    # Name, then 同志: 苟明利同志, 明利同志.
    for match in _COMRADE_RE.finditer(text):
        named = _name_before(text, match.start(), tags)
        if named is None or named[1] == "surname":
            continue
        start, kind = named
        name_text = text[start : match.start()]
        phrase = _title_phrase_before(text, start)
        title, organisation = phrase if phrase else ("", "")
        if kind == "given" or (len(name_text) == 2 and name_text[0] not in SURNAMES):
            add(start, match.end(), name_text, title, organisation, "given_comrade", True, given_only=True)
        else:
            add(start, match.end(), name_text, title, organisation, "comrade", False)

    # An organisation, then a name, in a list: 定西市知识产权局侯俊峰、张掖市知识产权局冯谦.
    for start, length in tags.items():
        if start in found or length not in (2, 3):
            continue
        span = text[start : start + length]
        if not _full_name_at(span) or _is_common_word(span):
            continue
        before = text[max(0, start - 12) : start]
        if not _ORG_END.search(before):
            continue
        after = text[start + length : start + length + 2]
        if not (after[:1] in ("、", ",", "，") or after.startswith(("荣获", "获得", "同志"))):
            continue
        org = re.search(r"([\u4e00-\u9fff]{2,12})$", before)
        add(start, start + length, span, "", org.group(1) if org else "", "org_listed", False)

    return [found[k] for k in sorted(found)]


def _title_rank(mention):
    return (bool(mention.title), len(mention.title))


def merge_mentions(mentions):
    """One Person per individual: 明利 joins 苟明利, 艾教授 joins 艾建强 when the speech
    names only one 艾; surname-only mentions otherwise stay as written (罗书记)."""
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
        else:  # surname only: 艾教授 → 艾建强 if the title agrees
            surname = m.name[0]
            owners = [
                n for n, ms in people.items()
                if n.startswith(surname) and len(n) >= 2
                and (not any(x.title for x in ms) or any(x.title.endswith(m.title[-2:]) for x in ms if x.title))
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
