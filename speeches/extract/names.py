"""Personal names in running text, read as whole runs of the word segmentation.

A name starts and ends where the segmentation has a word boundary, so it is never a
piece of a longer word (雷斯 in 古特雷斯, 赫鲁 in 尼赫鲁, 来西亚 in 马来西亚, 仲勋 in
习仲勋) and never takes a piece of the next one (梅州长潭水库 holds no 梅州长). Chinese
names are a surname (surname lists) and a one- or two-character given name; foreign
names are transliterations, taken whole or not at all. Pure functions over text;
recognition reads a width-folded copy, so offsets are those of the text as written
(full-width `：（）；，` and ideographic spaces read as their half-width forms).
"""

import os
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, repeat
from typing import NamedTuple

import jieba
import rjieba

from speeches.extract.countries import COUNTRIES

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
    湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由才傅洪阎丘钮郦毋蔚萧雒溥逄禤
    邴靖暴铁隗郗蓟粘鄂昌竺甯郄谯訾习荀扶蹇逢宓滑厍""".split()
    )
)
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 令狐 司徒 夏侯 长孙 宇文 轩辕 单于 端木 西门".split()
)
# Surnames that are also everyday words; alone before a title (管局长, 全面) they mean nothing.
NOT_ALONE = frozenset("管和向于由才全都时原明来国平安成强花海区信利但干战公富常应相计能")

# Characters of the standard transliteration of foreign names (新华社译名), and those of
# them that Chinese given names seldom use: a run holding one of these reads as foreign.
TRANSLITERATION = frozenset(
    "阿埃艾爱安昂奥澳巴拜班邦保鲍贝本比彼毕宾波伯博布查察楚茨达戴丹道德登迪蒂丁东杜敦多厄恩尔"
    "法凡菲费芬佛夫弗伏福盖甘冈戈哥格贡古瓜圭哈海汉豪赫亨华怀霍基吉加贾杰金喀卡凯坎康考柯科克肯库"
    "夸奎拉莱赖兰朗劳勒雷蕾黎里利莉丽林琳卢鲁路伦罗洛马玛迈麦曼芒梅蒙米缪莫姆穆纳娜乃奈南内尼涅"
    "宁纽努诺欧帕潘佩彭皮珀普齐奇契恰乔切钦琼丘屈热瑞若萨塞赛桑瑟森沙莎尚舍什施舒斯松苏索塔泰坦"
    "汤唐特提廷通图托瓦威韦维温沃乌伍西希锡夏谢辛休雅亚扬耶伊因尤约扎泽詹兹佐娅妮娃京"
)
FOREIGN_MARKERS = frozenset("斯尔夫娃娜茨兹契娅妮蒂埃奥瓦萨塞普卡诺耶维赫莱布拉鲁尼佩霍戈奇索姆")
NAME_DOTS = frozenset("·•‧・-")
# Endings of country names (哈萨克斯坦, 印度尼西亚, 坦桑尼亚, 叙利亚, 赞比亚, 塞尔维亚).
_COUNTRY_ENDINGS = ("斯坦", "西亚", "尼亚", "利亚", "比亚", "维亚", "群岛")

# Characters that never belong to a personal name but often sit next to one.
NOT_NAME = frozenset(
    "委局厅府办部院处司室省市县区镇乡村党的了在与是不这那其各每该此们个年月日号以将把被对向从让给请"
    "使而所就也都还又再只很最更要会能及等我你他她它总姓某氏"
)
# Words written where a given name would be: 黄先生, 施女士, 方总 are no names.
HONORIFICS = frozenset("先生 女士 小姐 太太 夫人 老师 师傅 同学 同志 老板 大爷 阿姨".split())
# One-character names of countries and sides: 中方, 哈方, 美方 are sides, not people.
SIDES = frozenset("中美俄英法德日韩朝印巴哈乌吉塔土伊越老柬泰缅菲蒙新澳加意西葡荷比瑞丹挪芬波捷匈罗希埃沙阿以叙约黎双我对外资甲乙")

# One-character names of China's provinces and regions (京, 沪, 台, 澳).
PLACE_ABBREVIATIONS = frozenset("京津沪渝冀晋辽吉黑苏浙皖闽赣鲁豫鄂湘粤桂琼川蜀贵黔云滇藏陕秦甘陇青宁新港澳台蒙")
# Segmentation tags: personal names, places and organisations, words never inside a name.
NAME_TAGS = frozenset({"nr", "nrt", "nrfg"})
PLACE_TAGS = frozenset({"ns", "nt", "nz", "j"})
FUNCTION_TAGS = frozenset({"p", "c", "u", "uj", "ul", "uz", "ud", "ug", "uv", "r", "m", "q", "mq", "x", "e", "y", "o"})
# Tags of a word that ends the phrase a name stands in (what follows 张勤 in 张勤作了…).
CLAUSE_TAGS = frozenset({"v", "vd", "vi", "p", "c", "u", "uj", "ul", "uz", "ud", "ug", "uv", "d", "t", "m", "r", "f", "ad", "zg", "y", "x"})
# Words that may follow a name: 张勤作了…, 邢胜才出席…, 许业安分别…
FOLLOWERS = frozenset(
    """同志 先生 女士 出席 作 在 对 来 到 专题 分别 就 也 多次 等 的 和 与 及 主持 讲话 指出 强调
    表示 带领 率 一行 亲自 听取 视察 检查 调研 宣读 传达 代表 参加 批示 荣获 获得 说 要求 提出 介绍
    首先 还 到会 先后 一起 同 为 向 所作 认为 告诉 透露 称 曾 将 已 则 都 又 即 会见 会晤 会谈 访问
    宣布 发表 致辞 致信 签署 看望 考察 接受 出访 抵达""".split()
)
# One-character words that follow a name (王伟|说, 张勤|作了): a three-character reading
# that ends in one is the two-character name and the word.
_GLUED_AFTER = frozenset(w for w in FOLLOWERS if len(w) == 1)
_CONJUNCTION_CHARACTERS = frozenset("同和与跟及")
# Tags of everyday words of three or more characters (not t: 周恩来 is tagged as a time).
_WORD_TAGS = frozenset("v vn vd a ad an d c p n m q r l i u ns nt nz j".split())
# A dictionary word with a tag other than a name's, at least this frequent, is an
# everyday word (素质 in 高素质, 衔接 in 相衔接), not a given name.
MAX_COMMON_NAME_FREQUENCY = 600
# A given name this frequent as a word (素质) is that word even where jieba reads a name.
VERY_COMMON_WORD_FREQUENCY = 2000
# A dictionary word less frequent than this may be a name jieba did not recognise.
RARE_WORD_FREQUENCY = 200
# Transliterations the dictionary knows this well, or as places, are no person (马来西亚).
MAX_FOREIGN_NAME_FREQUENCY = 500

_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FOLD[0x3000] = ord(" ")
PUNCTUATION = frozenset(",，、。；;：:！!？?（）()《》“”\"'‘’…—\n\t 　[]【】<>「」『』")
# What may stand just before a partial name: 所以高市长, 是罗书记, 的包市长.
SMALL_WORDS = frozenset("以是的和与及请由向对跟同让给把被将从")


def fold_width(text):
    """text with full-width ASCII and ideographic spaces as their half-width forms;
    the same length, so offsets carry over."""
    return text.translate(_FOLD)


def is_han(char):
    return "\u4e00" <= char <= "\u9fff"


@lru_cache(maxsize=1)
def dictionary():
    """jieba's dictionary as word → (frequency, tag)."""
    table = {}
    path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            parts = line.split()
            if len(parts) == 3:
                table[parts[0]] = (int(parts[1]), parts[2])
    return table


def is_common_word(span):
    """Whether span is an everyday word rather than a name. Words the dictionary tags
    as names are names (毛泽东) unless they are frequent two-character words; longer
    words count only with a clearly non-name tag, since the dictionary tags some famous
    names oddly (周恩来 as a time word)."""
    entry = dictionary().get(span)
    if entry is None:
        return False
    frequency, tag = entry
    if tag in NAME_TAGS:
        return len(span) == 2 and frequency > MAX_COMMON_NAME_FREQUENCY
    if len(span) >= 3:
        return tag in _WORD_TAGS
    return True


def is_everyday_word(span):
    """A frequent dictionary word with a tag other than a name's (素质, 衔接; not 明远)."""
    entry = dictionary().get(span)
    return entry is not None and entry[1] not in NAME_TAGS and entry[0] > MAX_COMMON_NAME_FREQUENCY


def is_famous_name(span):
    """A name the dictionary knows (习仲勋, 周恩来: tagged as a name or, oddly, a time word)."""
    entry = dictionary().get(span)
    return entry is not None and len(span) >= 3 and entry[1] in NAME_TAGS | {"t"}


class Token(NamedTuple):
    start: int
    end: int
    word: str
    tag: str


class Segmented:
    """A text with its segmentation: tokens with offsets and part-of-speech tags."""

    def __init__(self, text):
        self.original = text
        self.text = fold_width(text)
        tagged = rjieba.tag(self.text)
        ends = list(accumulate(len(word) for word, _tag in tagged))
        starts = [0, *ends[:-1]] if ends else []
        make = Token._make
        self.tokens = [make((s, e, w, t)) for s, e, (w, t) in zip(starts, ends, tagged, strict=True)]
        self.index = []  # character offset → number of the token holding it
        for number, (word, _tag) in enumerate(tagged):
            self.index.extend(repeat(number, len(word)))
        self.boundaries = set(starts)
        self.boundaries.add(len(text))

    def token_at(self, offset):
        """The token holding the character at offset, or None past either end."""
        if 0 <= offset < len(self.text):
            return self.tokens[self.index[offset]]
        return None

    def token_after(self, offset):
        """The token starting at offset, or None."""
        token = self.token_at(offset)
        return token if token is not None and token.start == offset else None

    def token_before(self, offset):
        """The token ending at offset, or None."""
        token = self.token_at(offset - 1)
        return token if token is not None and token.end == offset else None

    def is_boundary(self, offset):
        return offset in self.boundaries

    def tokens_within(self, start, end):
        """The tokens lying wholly inside [start, end)."""
        if start >= end:
            return []
        first, last = self.index[start], self.index[end - 1]
        return [t for t in self.tokens[first : last + 1] if t.start >= start and t.end <= end]

    def single_tag(self, start, end):
        """The tag of the one token spanning exactly [start, end), or None."""
        token = self.token_at(start)
        return token.tag if token is not None and token.start == start and token.end == end else None

    def is_punctuation(self, offset):
        return offset < 0 or offset >= len(self.text) or self.text[offset] in PUNCTUATION


@lru_cache(maxsize=8)
def segment(text):
    """Segmented text, cached for the few texts read last: the officials finder and the
    keyword extractor read the same speech."""
    return Segmented(text)


@dataclass(frozen=True)
class Name:
    """A name found at [start, end): kind is full, foreign, given (a given name alone,
    明利同志) or surname (a surname alone before a title, 罗书记)."""

    start: int
    end: int
    kind: str

    @property
    def partial(self):
        return self.kind in ("given", "surname")


def _surname_length(span):
    if len(span) >= 3 and span[:2] in COMPOUND_SURNAMES:
        return 2
    return 1 if span[:1] in SURNAMES else 0


def _chinese_shape(span):
    """surname + a one- or two-character given name, all Han characters that names use."""
    if not all(is_han(c) and c not in NOT_NAME for c in span):
        return False
    surname = _surname_length(span)
    if len(span) == 2 and span[0] == span[1]:
        return False  # 殷殷, 常常: a doubled character is a word
    return surname > 0 and 1 <= len(span) - surname <= 2 and span[surname:] not in HONORIFICS


def _left_edge(seg, start):
    """A name starts at a word boundary; jieba sometimes glues a small word to a
    surname (和王, 是罗), which still leaves the name whole."""
    if seg.is_boundary(start):
        return True
    token = seg.token_at(start)
    return token.start == start - 1 and seg.text[start - 1] in SMALL_WORDS


def _right_edge(seg, end, glued=False):
    """A name ends at a word boundary, or before a word jieba glued to its last
    character: a word that follows names (张勤|作了, 刘海生|曾表示, 李晓林|先生), a word of
    its own (杨斌|拿起), a surname with 总 (王诚|王总), the title (glued: 周|总理)."""
    if seg.is_boundary(end) or glued:
        return True
    token = seg.token_at(end)
    rest = token.word[end - token.start :]
    if rest in FOLLOWERS or rest in HONORIFICS:
        return True
    return _binds_right(seg, end) or _addressed_as_boss(seg, end)


def _binds_right(seg, end):
    """Whether the character at end forms a word with the next one, the word ending
    at a boundary (拿起 in 杨斌拿起; not 生在 in 罗冰生在: 在 is a word of its own)."""
    word = seg.text[end : end + 2]
    entry = dictionary().get(word)
    if len(word) < 2 or entry is None or entry[1] in NAME_TAGS or word[1] in _GLUED_AFTER:
        return False
    return seg.is_boundary(end + 2)


def _last_binds_right(seg, end):
    """杨斌拿|起, 王诚王|总: the name's last character belongs with what follows."""
    return _binds_right(seg, end - 1) or _addressed_as_boss(seg, end - 1)


def _addressed_as_boss(seg, offset):
    """王总: a surname and 总 standing alone (not 总经理, 总理)."""
    text = seg.text
    if text[offset : offset + 1] not in SURNAMES or text[offset + 1 : offset + 2] != "总":
        return False
    token = seg.token_at(offset + 1)
    return token.word == "总" or token.start <= offset


def _clean_left(seg, start):
    return start == 0 or seg.is_punctuation(start - 1) or seg.text[start - 1] in SMALL_WORDS


def _words_fit(seg, start, end, surname, straddle_ok=False):
    """The segmentation agrees with surname + given name at [start, end): a word that
    crosses from the surname into the given name is read as a name (陈家|强, not 支行|缪,
    谢谢|肖); the given name holds no function word (我同, 於一個) and no place (游咸宁)
    unless jieba read the surname as a name (杨|建国); it is no side (哈方). A word across
    surname and given name that jieba does not read as a name (林家|彬) is let pass only
    where a title before the name vouches for it (straddle_ok)."""
    first = seg.token_at(start)
    straddles = start + surname < first.end < end
    if straddles and not (_may_hold_surname(first) and (first.tag in NAME_TAGS or straddle_ok)):
        return False
    surname_token = seg.token_before(start + surname)
    places_allowed = surname > 1 or surname_token is not None and surname_token.tag in NAME_TAGS
    given_read = seg.single_tag(start + surname, end) in NAME_TAGS
    if surname_token is not None and surname_token.tag == "c" and not given_read:
        return False  # 毛主席和周总理, 校长和师资: a conjunction, not the surname 和
    for token in seg.tokens_within(start + surname, end):
        # 一 and other numerals do stand in names (朱中一), and so may a small word before
        # 同志 (李春和同志) or a verb (王建和介绍); words of numbers do not (一個).
        single = len(token.word) == 1
        if token.tag in FUNCTION_TAGS and not (
            single and (token.tag in ("m", "q") or _comrade_at(seg, end) or _joins_no_noun(seg, end))
        ):
            return False
        if token.tag in PLACE_TAGS and len(token.word) >= 2 and not places_allowed:
            return False
    return not _is_side(seg.text[start:end])


def _is_side(span):
    """中方, 哈方, 我方: a country's or a party's side in talks."""
    return len(span) == 2 and span[1] == "方" and span[0] in SIDES


def _may_hold_surname(token):
    """Whether a word jieba made of a surname and the given name's first character can
    be part of a name: read as a name (陈家), unknown to the dictionary (崔少), or a rare
    noun (林家); not 支行 or 谢谢."""
    entry = dictionary().get(token.word)
    if entry is None:
        return True
    if token.tag in NAME_TAGS:
        return not is_common_word(token.word)
    return not entry[1].startswith("v") and entry[0] < RARE_WORD_FREQUENCY


def _comrade_at(seg, offset):
    """同志, 先生 or 女士 right at offset: the strongest end a name can have."""
    text = seg.text
    return text.startswith(("同志", "先生", "女士"), offset) and not text.startswith("同志们", offset)


def _foreign_word(token):
    word = token.word
    if word[0] in SMALL_WORDS and word[0] not in TRANSLITERATION and len(word) > 2:
        word = word[1:]  # 和普京: a small word jieba glued to a transliteration
    if all(c in TRANSLITERATION or c in NAME_DOTS for c in word):
        return True
    return token.tag == "nrt" or (token.tag in NAME_TAGS and any(c in FOREIGN_MARKERS for c in word))


def _foreign_run(seg, start, step):
    """The run of transliterated words from start (forwards) or ending at start
    (backwards): (start, end)."""
    edge = start
    while True:
        token = seg.token_after(edge) if step > 0 else seg.token_before(edge)
        if token is None or not _foreign_word(token):
            break
        # A small word jieba glued to a transliteration (米诺尔和|佩斯林) ends the run.
        if token.word[0] in SMALL_WORDS and token.word[0] not in TRANSLITERATION:
            if step < 0:
                edge = token.start + 1
            break
        edge = token.end if step > 0 else token.start
    begin, end = (start, edge) if step > 0 else (edge, start)
    if begin < end and (seg.text[end - 1] in NAME_DOTS or seg.text[begin] in NAME_DOTS):
        return begin, begin  # 罗纳-p-斯波利: the name goes on in letters the run cannot read
    # A run whose neighbour is no word of the dictionary and begins (or ends) with a
    # transliteration character goes on into it (阿列克谢克里沃鲁奇|科前, 帕拉斯|特说):
    # it is cut, not whole.
    for neighbour, edge_char in ((seg.token_after(end), 0), (seg.token_before(begin), -1)):
        if (
            neighbour is not None
            and neighbour.word[edge_char] in TRANSLITERATION
            and neighbour.word not in dictionary()
            and neighbour.word not in FOLLOWERS
        ):
            return begin, begin
    return begin, end


def foreign_name(seg, start, end, place_limit=0):
    """Whether [start, end) is a whole foreign name: transliterated words marked as
    foreign (a character seldom in Chinese names, a dot, a word jieba reads as a
    transliteration), no country (马来西亚, 哈萨克斯坦), no everyday word, and no place the
    dictionary knows at least place_limit times (普京 is one, a rare one; 巴黎 a frequent
    one): a title before the name vouches for rarer places than one after it."""
    span = seg.text[start:end]
    tokens = seg.tokens_within(start, end)
    if len(span) < 2 or span[0] not in TRANSLITERATION:
        return False
    entry = dictionary().get(span)
    # A two-character transliteration must be a word of its own, to jieba or its dictionary.
    word_tag = seg.single_tag(start, end) or (entry[1] if entry else None)
    if len(span) == 2 and word_tag not in NAME_TAGS | PLACE_TAGS:
        return False
    marked = any(c in FOREIGN_MARKERS or c in NAME_DOTS for c in span) or any(t.tag == "nrt" for t in tokens)
    if not marked and not (len(span) == 2 and word_tag in NAME_TAGS | {"ns"}):
        return False
    if span in COUNTRIES or span.endswith(_COUNTRY_ENDINGS) or any(span.startswith(c) for c in COUNTRIES if len(c) >= 3):
        return False
    if entry is not None and entry[0] >= MAX_FOREIGN_NAME_FREQUENCY and (entry[1] not in NAME_TAGS or not place_limit):
        return False
    if entry is not None and entry[1] in PLACE_TAGS and entry[0] >= place_limit:
        return False
    return not any(len(t.word) >= 2 and is_everyday_word(t.word) for t in tokens)


def is_cut_from_longer_name(seg, start, end):
    """Whether [start, end) is a piece of a longer name: of a transliteration (古特雷斯,
    纳伊夫, 罗纳-斯波利) or of a name the dictionary knows (习仲勋, 周恩来)."""
    text = seg.text
    for s, e in ((start - 1, end), (start - 2, end), (start, end + 1), (start - 1, end + 1)):
        if 0 <= s and e <= len(text) and is_famous_name(text[s:e]):
            return True
    if end < len(text) and text[end] in NAME_DOTS or start > 0 and text[start - 1] in NAME_DOTS:
        return True
    # 谢尔久|科夫: the next or previous word is a transliteration jieba read as one.
    for token in (seg.token_after(end), seg.token_before(start)):
        if token is not None and token.tag == "nrt":
            return True
    if not all(c in TRANSLITERATION for c in text[start:end]):
        return False
    left = start
    while left > 0 and text[left - 1] in TRANSLITERATION:
        left -= 1
    right = end
    while right < len(text) and text[right] in TRANSLITERATION:
        right += 1
    return any(c in FOREIGN_MARKERS for c in text[left:start] + text[end:right])


def clause_ends(seg, offset):
    """Whether what follows offset ends the phrase a name stands in: punctuation, the
    end, a verb or function word (说, 表示, 在, 等), a time (9日)."""
    if seg.is_punctuation(offset) or not seg.is_boundary(offset):
        return True  # not a boundary: a glued one-character word (张勤|作了)
    token = seg.token_after(offset)
    return token.tag in CLAUSE_TAGS or token.word in FOLLOWERS or token.word[:2] in FOLLOWERS


def _chinese_candidates(seg, start=None, end=None, glued=False):
    """Surname + given name spans starting at start or ending at end, longest first."""
    text = seg.text
    found = []
    for length in (4, 3, 2):
        s, e = (start, start + length) if start is not None else (end - length, end)
        if s < 0 or e > len(text):
            continue
        span = text[s:e]
        surname = _surname_length(span)
        if not _chinese_shape(span) or not _left_edge(seg, s) or not _right_edge(seg, e, glued):
            continue
        if is_common_word(span) or is_cut_from_longer_name(seg, s, e):
            continue
        if not _words_fit(seg, s, e, surname, straddle_ok=start is not None):
            continue
        if seg.is_boundary(e) and _last_binds_right(seg, e):
            continue
        found.append((s, e))
    return found


def name_after(seg, start):
    """The name that starts at start (after a title: 副局长周富强, 秘书长古特雷斯), or None."""
    if not seg.is_boundary(start) or seg.is_punctuation(start):
        return None
    text = seg.text
    candidates = [e for _s, e in _chinese_candidates(seg, start=start)]
    # Three characters unless the third is a word of its own that ends the clause
    # (王伟|说, 张勤|作了): 邢胜才出席, 陈家强表示.
    if len(candidates) > 1 and candidates[0] - start == 3 and text[start + 2] in _GLUED_AFTER:
        if not _comrade_at(seg, candidates[0]) and not _joins_no_noun(seg, candidates[0]):
            candidates = candidates[1:]
    for end in candidates[:1]:
        surname = _surname_length(text[start:end])
        given = text[start + surname : end]
        entry = dictionary().get(given)
        surname_token = seg.token_before(start + surname)
        read_as_name = seg.single_tag(start, end) in NAME_TAGS or (
            surname_token is not None and surname_token.tag in NAME_TAGS
        )
        # A given name that is a verb (才透露, 来宣布), or an everyday word after a surname
        # that is also a small word (和列席, 和中央), needs jieba to read it as a name.
        doubtful = entry is not None and (
            entry[1].startswith("v") or (text[start] in NOT_ALONE and is_everyday_word(given))
        )
        if doubtful and not read_as_name:
            continue
        if seg.single_tag(start, end) in NAME_TAGS or clause_ends(seg, end):
            return Name(start, end, "full")
    begin, end = _foreign_run(seg, start, 1)
    if begin == start and foreign_name(seg, start, end, place_limit=MAX_FOREIGN_NAME_FREQUENCY):
        # A dot, or words jieba reads as names and as a transliteration, vouch for it.
        tokens = seg.tokens_within(start, end)
        vouched = (
            any(c in NAME_DOTS for c in text[start:end])
            or seg.single_tag(start, end) in NAME_TAGS
            or (len(tokens) > 1 and all(t.tag in NAME_TAGS for t in tokens) and any(t.tag == "nrt" for t in tokens))
        )
        if vouched or clause_ends(seg, end):
            return Name(start, end, "foreign")
    return None


def _joins_no_noun(seg, offset):
    """韩世同|分析, 胡文和|理清: a conjunction (同, 和, 与) joins nouns, so one before a
    verb or an adverb is the last character of the name."""
    following = seg.token_after(offset)
    return (
        seg.text[offset - 1] in _CONJUNCTION_CHARACTERS
        and following is not None
        and (following.tag.startswith("v") or following.tag == "d")
    )


def name_before(seg, end, partial=True, committee=False, glued=False, place_limit=0):
    """The name that ends at end (before a title or 同志: 田力普局长, 尼赫鲁总理, 明利同志,
    罗书记), or None. Partial names (a given name alone, a surname alone) only when
    partial; a surname alone needs a clean left edge or a Party committee before it.
    glued: jieba wrote the name and the title as one word (周总理), so end is no word
    boundary. place_limit: see foreign_name (a head of state's title vouches for a
    transliteration the dictionary also knows as a rare place: 普京总统)."""
    if not seg.is_boundary(end) and not glued:
        return None
    text = seg.text
    for start, _e in _chinese_candidates(seg, end=end, glued=glued):
        span = text[start:end]
        surname = _surname_length(span)
        if _starts_with_word(span):
            continue
        # A given name that is an everyday word needs jieba to read the surname or the
        # whole as a name (杨|建国), and is never a very common word other than a place's
        # name (高素质, 斯集团).
        given = span[surname:]
        surname_token = seg.token_before(start + surname)
        whole = seg.single_tag(start, end) in NAME_TAGS
        if len(given) == 2 and is_everyday_word(given):
            frequency, tag = dictionary()[given]
            common = frequency > VERY_COMMON_WORD_FREQUENCY and tag != "ns"
            surname_read = surname_token is not None and surname_token.tag in NAME_TAGS
            if common or not (surname_read or whole):
                continue
        # A name whose surname is also a small word (和王 in 张书记和王局长, 招才引智大使)
        # needs a clean left edge.
        if span[0] in NOT_ALONE and not _clean_left(seg, start) and not (whole and len(span) == 3):
            continue
        return Name(start, end, "full")
    begin, _end = _foreign_run(seg, end, -1)
    if end - begin >= 2 and foreign_name(seg, begin, end, place_limit):
        return Name(begin, end, "foreign")
    if not partial:
        return None
    start = end - 2
    if start >= 0 and _given_alone(seg, start, end):
        return Name(start, end, "given")
    start = end - 1
    if (
        start >= 0
        and text[start] in SURNAMES
        and text[start] not in NOT_ALONE
        and _left_edge(seg, start)
        and (_clean_left(seg, start) or committee)
    ):
        return Name(start, end, "surname")
    return None


def _starts_with_word(span):
    """高举毛 / 严厉查: the first two characters make an everyday word, not a name."""
    entry = dictionary().get(span[:2])
    return entry is not None and entry[1] not in NAME_TAGS and entry[0] > 1000 and len(span) > 2


def _given_alone(seg, start, end):
    """A given name written alone (明利同志, 文霞区长): one or two words that are no
    everyday word, no place, no verb and no function word, after punctuation or a
    small word."""
    span = seg.text[start:end]
    if not all(is_han(c) and c not in NOT_NAME for c in span) or span in HONORIFICS or _is_side(span):
        return False
    if not seg.is_boundary(start) or not _clean_left(seg, start):
        return False
    if is_common_word(span) or is_cut_from_longer_name(seg, start, end):
        return False
    tokens = seg.tokens_within(start, end)
    if len(tokens) == 2 and any(len(t.word) == 1 and is_everyday_word(t.word) for t in tokens):
        return False
    if span[0] in PLACE_ABBREVIATIONS and seg.single_tag(start, end) not in NAME_TAGS:
        return False  # 台彩, 澳彩: a place's one-character name begins an organisation's
    # 建强校长 (build strong principals) is an action; a proper noun the dictionary does
    # not know (建林, tagged nz) may well be a name.
    return not any(
        t.tag in FUNCTION_TAGS or t.tag.startswith("v") or (t.tag in PLACE_TAGS and (t.tag != "nz" or t.word in dictionary()))
        for t in tokens
    )


def person_spans(text):
    """Spans jieba's tags read as personal names, a surname word with the given name
    that follows it included (赵|明远): words inside them are pieces of a name."""
    seg = segment(text)
    spans = []
    tokens = seg.tokens
    for i, token in enumerate(tokens):
        if token.tag not in NAME_TAGS:
            continue
        end = token.end
        if len(token.word) == 1 and token.word in SURNAMES and i + 1 < len(tokens):
            following = tokens[i + 1]
            if len(following.word) <= 2 and all(is_han(c) for c in following.word) and following.tag not in FUNCTION_TAGS:
                end = following.end
        spans.append((token.start, end))
    return spans
