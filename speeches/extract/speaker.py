"""Who delivered a national government work report: the name the report's header
gives (国务院总理 李强), otherwise the premier in office on the report's date, with
less confidence. Pure functions over text."""

import datetime
import re
from dataclasses import dataclass

PREMIER_TITLE = "国务院总理"

# Premiers of the State Council and the day each took office (the next one's day ends it).
PREMIERS = [
    ("周恩来", datetime.date(1949, 10, 1)),
    ("华国锋", datetime.date(1976, 2, 3)),
    ("赵紫阳", datetime.date(1980, 9, 10)),
    ("李鹏", datetime.date(1987, 11, 24)),
    ("朱镕基", datetime.date(1998, 3, 17)),
    ("温家宝", datetime.date(2003, 3, 16)),
    ("李克强", datetime.date(2013, 3, 15)),
    ("李强", datetime.date(2023, 3, 11)),
]
# A guess from the table, not a statement of the text: below the review threshold
# (annotate.REVIEW_THRESHOLD), so a curator confirms it.
PREMIER_IN_OFFICE_CONFIDENCE = 0.5
# National People's Congress sessions open in early March since 1985; a report dated
# only by its year is taken to be of that time.
DEFAULT_SESSION_DAY = (3, 5)

_SPACES = re.compile(r"[\s\u3000\u200b\u200d]+")
_HEADER_PREMIER = re.compile(r"国务院总理([\u4e00-\u9fff]{2,4})")
_HEADER_NAME_LINE = re.compile(r"^\s*([\u4e00-\u9fff][\s\u3000]*[\u4e00-\u9fff](?:[\s\u3000]*[\u4e00-\u9fff]){0,2})\s*$", re.M)
# Reports read for the State Council by someone else (a vice-premier or minister).
_DELEGATED = re.compile(r"我受国务院的?委托|受中共中央和国务院的委托")


@dataclass(frozen=True)
class SpeakerResult:
    name: str
    title: str
    confidence: float
    reason: str


def premier_on(day):
    name = None
    for premier, start in PREMIERS:
        if start <= day:
            name = premier
    return name


def find_speaker(text, year=None, date=None, delegated=False):
    """SpeakerResult for a government work report, or None when nothing says who. A report
    read by someone the State Council delegated (我受国务院的委托; delegated) is not taken
    to be the premier's."""
    header = text[:400]
    compact = _SPACES.sub("", header)
    match = _HEADER_PREMIER.search(compact)
    if match:
        name = match.group(1)
        # 国务院总理李强各位代表 → stop at the salutation that follows the name.
        name = re.split(r"各位|现在|同志", name)[0]
        if 2 <= len(name) <= 3:
            return SpeakerResult(name, PREMIER_TITLE, 0.95, "报告开头署名")
    known = {premier for premier, _ in PREMIERS}
    for line in _HEADER_NAME_LINE.findall(header):
        name = _SPACES.sub("", line)
        if name in known:
            return SpeakerResult(name, PREMIER_TITLE, 0.9, "报告开头署名")
    if delegated or _DELEGATED.search(text[:600]):
        return None
    day = date or (datetime.date(year, *DEFAULT_SESSION_DAY) if year else None)
    if day is None:
        return None
    name = premier_on(day)
    if name is None:
        return None
    return SpeakerResult(name, PREMIER_TITLE, PREMIER_IN_OFFICE_CONFIDENCE, "正文未署名；按报告日期取当时的国务院总理")
