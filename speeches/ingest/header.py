"""What a document's header says: its title, the meeting it was delivered at (date,
meeting, host), who delivered it (title and name), on whose behalf or by whose
delegation, and a byline at its end. Pure functions over paragraphs.

Headers as printed in Chinese reports and speeches:
    政 府 工 作 报 告                                  (a spaced title)
    ——2024年1月16日在亳州市第五届人民代表大会第三次会议上   (date, meeting, host)
    （2024年1月29日在杭州市第十四届人民代表大会第四次会议上）
    杭州市人民政府市长  姚高员 / 市长 黄 江 / 国务院总理 + 李　强 on the next line
    各位代表：                                          (the speech begins)
The opening sentence says who reports (我代表市人民政府向大会报告工作) or that the speaker
was delegated (我受国务院的委托); a title such as 政府工作报告 says nothing of the level
of government, so a meaningful one is composed from these facts.
"""

import re
from dataclasses import dataclass, field

from speeches.extract.dates import stated_date
from speeches.ingest.lines import TITLE_BREAKERS, ends_paragraph, is_salutation, outline_number
from speeches.ingest.width import fold

_CJK = "\u4e00-\u9fff"
_SPACES = re.compile(r"[\s\u200b\u200d]+")
# How far into a document its header may reach (paragraphs before the speech begins).
HEADER_PARAGRAPHS = 8
# How far into the speech the opening sentence (我代表……/我受……委托) is looked for.
OPENING_PARAGRAPHS = 4
BYLINE_PARAGRAPHS = 3

# Offices whose holder delivers a speech or report; a header line is TITLE NAME.
_OFFICE = (
    r"(?:代理?|常务副|副)?(?:总理|省长|市长|州长|县长|区长|盟长|旗长|主席|总书记|书记|委员长|"
    r"主任|专员|部长|厅长|局长|行长|院长|检察长|秘书长|署长|主任委员)"
)
_SPEAKER = re.compile(rf"^(?P<title>[{_CJK}]{{0,24}}?{_OFFICE})(?P<name>[{_CJK}·]{{2,4}})$")
_OFFICE_ONLY = re.compile(rf"^[{_CJK}]{{0,24}}?{_OFFICE}$")
_NAME_ONLY = re.compile(rf"^[{_CJK}·]{{2,4}}$")
# Words that are never part of a person's name: what follows an office in a sentence.
_NOT_A_NAME = re.compile(r"报告|讲话|会议|工作|政府|人民|代表|委员|同志|在|的|和|与|及|对|为|是|了|我|们|关于|通过")

# ——2024年1月16日在亳州市第五届人民代表大会第三次会议上 / (1957年6月26日在……会議上)
# / 人民代表大会第二次会议上 (a header that lost its start) / (……会议通过) (a resolution)
_MEETING_WORDS = r"(?:会议|會議|大会|大會|全会|全會|常委会|座谈会|论坛|典礼|开幕式|闭幕式)"
_MEETING = re.compile(rf"(?:在(?P<at>[^在]{{2,60}}?{_MEETING_WORDS}))上|(?P<bare>[^在]{{2,60}}?{_MEETING_WORDS})(?:上|通过)")
_MEETING_START = re.compile(r"^[-—–―─~]*\(?(?:\d{4}年|[一二三四五六七八九〇○零]{4}年|在)")
_DATE_ONLY = re.compile(r"^\(?[\d一二三四五六七八九十〇○零年月日]{6,16}\)?$")
# The host of a meeting: 在杭州市第十四届人民代表大会 / 在第十四届全国人民代表大会.
_HOST = re.compile(
    rf"^(?P<place>[{_CJK}]{{2,15}}?(?:特别行政区|自治区|自治州|自治县|省|市|州|县|区|盟|旗))第[一二三四五六七八九十百\d]+届"
)
_NATIONAL_HOST = re.compile(r"全国人民代表大会|全國人民代表大會|全国代表大会|全國代表大會")

# 我代表市人民政府,向大会报告工作 / 我代表国务院向大会作政府工作报告 / 我代表行署作工作报告
_ON_BEHALF = re.compile(rf"我(?:现在)?代表(?P<body>[{_CJK}]{{2,30}}?)(?=[,、]|向|作|提出|对|报告)")
# 我受国务院的委托 / 受中共中央和国务院的委托 / 我受十二届中央委员会委托
_DELEGATED = re.compile(rf"受(?P<by>[{_CJK}]{{2,30}}?)的?委托")
_REPORTS_WORK = re.compile(r"报告(?:政府)?工作|作(?:政府)?工作报告|报告过去.{0,6}工作")
# A title that names no one: 政府工作报告 / 2024年政府工作报告 / 市人民政府工作报告 / 讲话
_GENERIC_TITLE = re.compile(
    r"^(?:\d{4}年)?(?:(?:省|市|州|县|区|盟|旗)?人民)?(?:政府)?(?:工作)?(?:报告|讲话|讲话稿|发言|致辞)(?:\(\d{4}年\))?$"
)


@dataclass
class Header:
    """The facts a document's header and opening state; "" or None where it states none."""

    title: str = ""
    meeting_line: str = ""
    meeting: str = ""
    host: str = ""
    date: object = None
    speaker_name: str = ""
    speaker_title: str = ""
    byline: bool = False
    on_behalf_of: str = ""
    delegated_by: str = ""
    reports_work: bool = False
    # Leading paragraphs that are the title (they leave the body); header lines stay.
    title_paragraphs: int = 0
    lines: list = field(default_factory=list)


def compact(text):
    """Folded text without spaces: 政 府 工 作 报 告 → 政府工作报告, 黄 江 → 黄江."""
    return _SPACES.sub("", fold(text))


def read_speaker(line):
    """(title, name) of a header or byline line such as 杭州市人民政府市长  姚高员 or
    市长 黄 江, or None."""
    if len(line) > 60:
        return None
    text = compact(line)
    if len(text) > 30 or any(c in text for c in TITLE_BREAKERS):
        return None
    m = _SPEAKER.match(text)
    if not m or _NOT_A_NAME.search(m["name"]):
        return None
    return m["title"], m["name"]


def _is_office_only(line):
    text = compact(line)
    return len(text) <= 26 and bool(_OFFICE_ONLY.match(text))


def _is_name_only(line):
    text = compact(line)
    return len(fold(line).strip()) <= 10 and bool(_NAME_ONLY.match(text)) and not _NOT_A_NAME.search(text)


_TITLE_FORM = re.compile(r"^在.{2,60}上的(?:讲话|报告|发言|致辞|講話|報告|發言)$")
_LEADING_DATE = re.compile(r"^[-—–―─~(]*(?:\d{4}年\d{1,2}月\d{1,2}日|[一二三四五六七八九〇○零]{4}年[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日)?")


def read_meeting(line):
    """(meeting, date, the rest of the line) of a meeting line, or None. A title of the
    form 在……会议上的讲话 is a title, not a meeting line."""
    if len(line) > 2 * 90:
        return None
    text = compact(line)
    if len(text) > 90 or _TITLE_FORM.match(text) or (ends_paragraph(text.rstrip(")")) and "通过" not in text):
        return None
    m = _MEETING.search(text)
    if m and (_MEETING_START.match(text) or m.start() == 0):
        rest = text[m.end():].lstrip(")").removeprefix("的报告").removeprefix("的讲话").lstrip(")")
        meeting = _LEADING_DATE.sub("", m["at"] or m["bare"])
        return meeting, stated_date(text[: m.end()]), rest
    if _DATE_ONLY.match(text) and (day := stated_date(text)):
        return "", day, ""
    return None


def meeting_in(title):
    """The meeting a title names (在全镇防汛工作会议上的讲话 → 全镇防汛工作会议), or ""."""
    m = _MEETING.search(compact(title))
    return _LEADING_DATE.sub("", m["at"] or m["bare"]) if m else ""


def meeting_host(meeting):
    """The jurisdiction whose congress holds a meeting: 杭州市第十四届人民代表大会第四次会议 →
    杭州市, 第十四届全国人民代表大会第二次会议 → 全国; "" when the meeting names none."""
    if _NATIONAL_HOST.search(meeting):
        return "全国"
    m = _HOST.match(meeting)
    return m["place"] if m else ""


def _is_title_piece(line):
    text = compact(line)
    return (
        0 < len(text) <= 40
        and text[-1] not in TITLE_BREAKERS
        and not is_salutation(line)
        and outline_number(line) is None
        and read_speaker(line) is None
        and read_meeting(line) is None
    )


def _is_body(paragraph):
    if len(paragraph) > 2 * 90:
        return True
    text = fold(paragraph).strip()
    return len(text) > 90 or (ends_paragraph(text) and len(text) > 30 and read_meeting(text) is None)


_GENRE = re.compile(r"讲话|報告|报告|講話|致辞|發言|发言|演讲|总结|决议|決議|公报|意见|纲要|说明")


def read_header(paragraphs):
    """The Header of a document given as its paragraphs (strings, in order)."""
    header = Header()
    zone = []
    for paragraph in paragraphs[:HEADER_PARAGRAPHS]:
        if is_salutation(paragraph) or _is_body(paragraph):
            break
        zone.append(paragraph)
    opens_with_salutation = len(zone) < len(paragraphs) and is_salutation(paragraphs[len(zone)])
    title_pieces = []
    i = 0
    while i < len(zone):
        line = zone[i]
        following = zone[i + 1] if i + 1 < len(zone) else ""
        meeting = read_meeting(line)
        taken = [i]
        if meeting is None and following and _MEETING_START.match(compact(line)):
            # A meeting line broken in two: ——2024年2月3日在某市第六届人民代表大会 / 第六次会议上
            joined = read_meeting(line + following)
            if joined and joined[0]:
                meeting, line, taken = joined, line + following, [i, i + 1]
        if meeting is not None:
            name, day, rest = meeting
            if name and not header.meeting:
                header.meeting, header.meeting_line = name, line.strip()
                header.host = meeting_host(name)
            header.date = header.date or day
            if rest and (speaker := read_speaker(rest)):
                header.speaker_title, header.speaker_name = speaker
        elif speaker := read_speaker(line):
            header.speaker_title, header.speaker_name = speaker
        elif _is_office_only(line) and following and _is_name_only(following):
            header.speaker_title, header.speaker_name = compact(line), compact(following)
            taken = [i, i + 1]
        elif _is_name_only(line) and (header.meeting or header.date) and not header.speaker_name:
            header.speaker_name = compact(line)
        elif _is_title_piece(line) and not header.lines:
            title_pieces.append(line)
            taken = []
        else:
            taken = []
        header.lines.extend(taken)
        i = (taken[-1] if taken else i) + 1
    title = _join_title(title_pieces)
    # A short line is a title when header lines or the salutation follow it, or when it
    # names its genre; otherwise it is the first heading of a text that lost its title.
    if title and (header.lines or opens_with_salutation or _GENRE.search(title)):
        header.title = title
        header.title_paragraphs = len(title_pieces)
        header.meeting = header.meeting or meeting_in(title)
        header.host = header.host or meeting_host(header.meeting)
    _read_opening(header, paragraphs[len(zone): len(zone) + OPENING_PARAGRAPHS + 1])
    if not header.speaker_name and (byline := read_byline(paragraphs)):
        header.speaker_title, header.speaker_name = byline
        header.byline = True
    return header


def _join_title(pieces):
    """Title lines as one title: a word broken across lines (政府工作报 / 告) is joined, a
    title and its subtitle are kept apart by a space; spaced letters (政 府 工 作) closed up."""
    title = ""
    for piece in pieces:
        text = fold(piece).strip()
        words = text.split()
        if len(words) >= 3 and all(len(w) == 1 for w in words):
            piece = "".join(piece.split())
        piece = piece.strip()
        if title and len(compact(piece)) > 2:
            title += " "
        title += piece
    return title


# The opening sentence is read no further than this.
OPENING_CHARS = 200


def _read_opening(header, paragraphs):
    for paragraph in paragraphs:
        text = compact(paragraph[:OPENING_CHARS])
        if not header.on_behalf_of and (m := _ON_BEHALF.search(text)):
            header.on_behalf_of = m["body"]
        if not header.delegated_by and (m := _DELEGATED.search(text[:120])):
            header.delegated_by = m["by"]
        if _REPORTS_WORK.search(text[:200]):
            header.reports_work = True


def read_byline(paragraphs):
    """(title, name) of a byline among the last paragraphs (主席　习近平), or None."""
    for paragraph in reversed(paragraphs[-BYLINE_PARAGRAPHS:]):
        if len(paragraph) <= 40 and len(compact(paragraph)) <= 20 and (speaker := read_speaker(paragraph)):
            return speaker
    return None


# ---- Year of a work report and a title that says whose report it is ----

_NUMBERED_HEADING = r"(?:\d{1,2}[、.]|[一二三四五六七八九十]{1,3}、)?"
_REVIEWED_YEAR = re.compile(rf"(?:^{_NUMBERED_HEADING}|[。!?])(\d{{4}})年(?:[^,。]{{0,8}})?(?:工作)?回顾")
_PLANNED_YEAR = re.compile(
    rf"^{_NUMBERED_HEADING}(\d{{4}})年(?:政府)?(?:[^,。]{{0,6}})?"
    r"(?:工作安排|工作任务|重点工作|主要任务|工作建议|总体要求|目标任务|工作部署|工作目标)"
)
_HEADING_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})年")
# 今年是新中国成立75周年: the anniversary of 1949 dates the year.
_ANNIVERSARY = re.compile(r"今年[,]?是(?:新中国|中华人民共和国)成立(\d{1,3})周年")
# A sentence that begins with a year: 2023年是……开局之年 / 2024年,我们要……
_YEAR_SENTENCE = re.compile(r"(?:^|[。!?])(\d{4})年(?:是|,|以来|我们|全市|全州|全县|全区|全省|全国|要|将)")
_NATIONAL_BODIES = ("国务院", "中央人民政府")
MAX_HEADING_CHARS = 40


def _consecutive_latest(years):
    years = sorted(set(years))
    return years[-1] if years and years[-1] - years[0] == 1 else None


def report_year(paragraphs, headings_only=False):
    """The year a government work report was delivered, as the report itself states it:
    the year its heading plans (2024年工作安排), the year after the one it reviews
    (2023年工作回顾), the later of the two years its headings name, the anniversary it
    celebrates (今年是新中国成立75周年), or the later of two consecutive years that open its
    sentences; None when it states none of these. headings_only: only from the headings
    that review or plan a year, which only work reports have."""
    texts = [compact(p) for p in paragraphs]
    headings = [t for t in texts if len(t) <= MAX_HEADING_CHARS and not ends_paragraph(t)]
    for t in headings:
        if m := _PLANNED_YEAR.match(t):
            return int(m[1])
    for t in texts:
        if m := _REVIEWED_YEAR.search(t):
            return int(m[1]) + 1
    if headings_only:
        return None
    if year := _consecutive_latest(int(y) for t in headings for y in _HEADING_YEAR.findall(t)):
        return year
    for t in texts:
        if m := _ANNIVERSARY.search(t):
            return 1949 + int(m[1])
    years = {int(m[1]) for t in texts for m in _YEAR_SENTENCE.finditer(t)}
    if years and max(years) - min(years) <= 1:
        return max(years)
    return None


def is_generic_title(title):
    """A title that names no one: 政府工作报告, 2024年政府工作报告, 讲话."""
    return bool(_GENERIC_TITLE.match(compact(title)))


_LEVELS = ("省", "市", "州", "县", "区", "盟", "旗", "自治区", "自治州", "自治县")


def report_title(header, year=None, place_hint=""):
    """A title for a government work report whose own says nothing of whose it is:
    杭州市政府工作报告（2024年）, 国务院政府工作报告（1998年）. place_hint (such as a file
    name) is used only where neither the meeting nor the reporting body names the place."""
    body = header.on_behalf_of
    suffix = f"（{year}年）" if year else ""
    if body.endswith(_NATIONAL_BODIES) or header.host == "全国":
        return f"国务院政府工作报告{suffix}"
    place, level = header.host, ""
    if body.endswith("政府"):
        prefix = body.removesuffix("政府").removesuffix("人民")
        if prefix in _LEVELS:
            level = prefix
        else:
            place = place or prefix
    if not place and place_hint:
        place = place_hint if not level or place_hint.endswith(level) else place_hint + level
    if not place:
        return f"政府工作报告{suffix}"
    if body and not body.endswith("政府"):
        # 行署, 行政公署: a body other than a people's government reports.
        return f"{place}{body}工作报告{suffix}"
    return f"{place}政府工作报告{suffix}"


# ---- Who delivered a speech, as other texts name them ----

# A resolution on a report: 听取和审议了国务院总理李强所作的政府工作报告 /
# 听取了周恩来总理代表国务院所作的政府工作报告 / 听取和审议了市长王明所作的政府工作报告
_RESOLUTION_SPEAKER = re.compile(
    rf"听取(?:和|并)?(?:审议)?了(?P<who>[{_CJK}]{{2,20}}?)(?:代表[{_CJK}]{{2,10}}?)?所作的"
)
# A title that names its speaker: 陈独秀在中国共产党第三次全国代表大会上的报告 /
# 习近平总书记在……上的讲话
_TITLE_SPEAKER = re.compile(rf"^(?P<who>[{_CJK}·]{{2,16}}?)(?:同志)?在[^在]{{2,60}}上的(?:讲话|报告|发言|致辞|講話|報告|發言)")
_NAME_THEN_OFFICE = re.compile(rf"^(?P<name>[{_CJK}·]{{2,4}}?)(?P<title>{_OFFICE})$")


# A name never ends as a place or a body does (云溪市副市长: 云溪市 is no one's name).
_PLACE_OR_BODY_END = re.compile(r"[省市县区州盟旗镇乡村局厅委部院署]$")


def _who(words):
    """(title, name) of words naming a person: 国务院总理李强, 周恩来总理, 陈独秀."""
    if speaker := read_speaker(words):
        return speaker
    if (m := _NAME_THEN_OFFICE.match(words)) and not _PLACE_OR_BODY_END.search(m["name"]):
        return m["title"], m["name"]
    if _NAME_ONLY.match(words) and not _NOT_A_NAME.search(words) and not _PLACE_OR_BODY_END.search(words):
        return "", words
    return None


def resolution_speaker(text):
    """(title, name) of the person a resolution says delivered the report, or None."""
    m = _RESOLUTION_SPEAKER.search(compact(text[:600]))
    return _who(m["who"]) if m else None


def speaker_in_title(title):
    """(title, name) of the speaker a title names (陈独秀在……上的报告), or None."""
    m = _TITLE_SPEAKER.match(compact(title))
    return _who(m["who"]) if m else None
