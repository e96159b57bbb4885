"""When a speech was given: the meeting date or year where the text states it. Masked
years (20xx) are flagged, never guessed. Pure functions over text."""

import datetime
import re
from dataclasses import dataclass

_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_CN_DIGITS = {"〇": "0", "○": "0", "零": "0", "一": "1", "二": "2", "三": "3", "四": "4",
              "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}
_FULL_DATE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_CN_FULL_DATE = re.compile(r"([一二三四五六七八九〇○零]{4})年([一二三四五六七八九十]{1,2})月([一二三四五六七八九十]{1,3})日")
_MONTH_DAY = re.compile(r"(?<![\d年])(\d{1,2})月(\d{1,2})日")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})年")
_MASKED_YEAR = re.compile(r"(?:19|20)[xX×]{2}|[xX]{2}大")
_MEETING = re.compile(r"召开|举行|会议|会上|讲话|报告|通过")
_SENTENCE = re.compile(r"[^。！？!?\n]+")

# How far into the text a stated date still dates the speech itself.
OPENING_CHARS = 400


@dataclass(frozen=True)
class DateResult:
    date: datetime.date | None
    year: int | None
    year_masked: bool
    confidence: float
    reason: str


def _cn_number(text):
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + int(_CN_DIGITS[text[1]])
    if text.endswith("十"):
        return int(_CN_DIGITS[text[0]]) * 10
    if "十" in text:
        tens, ones = text.split("十")
        return int(_CN_DIGITS[tens]) * 10 + int(_CN_DIGITS[ones])
    return int(_CN_DIGITS[text])


def _make_date(year, month, day):
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError:
        return None


# Spaces a PDF or a typesetter put between digits: 1 9 9 8 年3 月5 日.
_SPACED_DATE_PART = re.compile(r"(?<=[\d年月])[ \u3000]+(?=[\d年月日])")


def stated_date(text):
    """The first full date text states (2024年1月16日, 一九五九年四月十八日, １９９８年,
    1 9 9 8 年3 月5 日), or None."""
    text = _SPACED_DATE_PART.sub("", text.translate(_FULLWIDTH))
    if match := _FULL_DATE.search(text):
        if date := _make_date(*match.groups()):
            return date
    if match := _CN_FULL_DATE.search(text):
        year = "".join(_CN_DIGITS[c] for c in match.group(1))
        return _make_date(year, _cn_number(match.group(2)), _cn_number(match.group(3)))
    return None


def extract_dates(text, title=""):
    """DateResult for a speech's text and title."""
    opening = _SPACED_DATE_PART.sub("", text[:OPENING_CHARS].translate(_FULLWIDTH))
    # A dated header or resolution line: ——2024年3月5日在… / （2023年3月13日…通过）.
    match = _FULL_DATE.search(opening)
    if match:
        date = _make_date(*match.groups())
        if date:
            return DateResult(date, date.year, False, 0.9, "开头注明日期")
    match = _CN_FULL_DATE.search(opening)
    if match:
        year = "".join(_CN_DIGITS[c] for c in match.group(1))
        date = _make_date(year, _cn_number(match.group(2)), _cn_number(match.group(3)))
        if date:
            return DateResult(date, date.year, False, 0.85, "开头注明日期")
    # 4月10日,……召开了2017年……会: month and day of the meeting, year in the same sentence.
    for sentence in _SENTENCE.findall(opening):
        day = _MONTH_DAY.search(sentence)
        year = _YEAR.search(sentence)
        if day and year and _MEETING.search(sentence):
            date = _make_date(year.group(1), *day.groups())
            if date:
                return DateResult(date, date.year, False, 0.75, "会议日期与年份见于同一句")
    title_year = _YEAR.search(title.translate(_FULLWIDTH))
    if title_year:
        return DateResult(None, int(title_year.group(1)), False, 0.85, "标题注明年份")
    masked = bool(_MASKED_YEAR.search(text))
    reason = "年份被遮蔽（20xx），不作推测" if masked else "正文未注明日期"
    return DateResult(None, None, masked, 0.0, reason)
