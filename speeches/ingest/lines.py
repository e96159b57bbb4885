"""What a line of a speech is: a salutation, an outline heading, the end of a sentence.

The recognisers of the whole package, in one place. Each reads folded text
(speeches.ingest.width.fold): full-width and half-width punctuation alike.
"""

import re

from speeches.ingest.width import fold

# A paragraph ends with one of these; a title or heading line never does (nor with , 、).
PARAGRAPH_END = "。!?;:…"
TITLE_BREAKERS = PARAGRAPH_END + ",、"
CLOSERS = "”’」』)】"

_ADDRESSEES = r"(?:代表|领导|来宾|委员|同志|同仁|主任|嘉宾|朋友)"
_SALUTATION_BODY = (
    rf"(?:尊敬的)?(?:同志们|朋友们|各位{_ADDRESSEES}[^:。!]{{0,20}}|女士们[、,]?先生们|老师们[、,]?同学们)"
)
# A whole line that greets the audience: 同志们: / 各位代表! / 各位主任、委员:
SALUTATION = re.compile(rf"^{_SALUTATION_BODY}[:,!]?$")
# A greeting run into the text that follows it (a flattened text): 各位代表:现在,我代表……
SALUTATION_PREFIX = re.compile(rf"^{_SALUTATION_BODY}[:!](?=\S)")

# Outline numbers, highest level first (the usual order of Chinese official documents).
OUTLINE_STYLES = (
    ("part", re.compile(r"^(第[一二三四五六七八九十百]{1,3}(?:部分|篇|章))")),
    ("cn", re.compile(r"^([一二三四五六七八九十百]{1,3}、)")),
    ("paren_cn", re.compile(r"^(\([一二三四五六七八九十]{1,3}\))")),
    ("arabic", re.compile(r"^(\d{1,2}[、.](?!\d))")),
    ("paren_arabic", re.compile(r"^(\(\d{1,2}\))")),
)
OUTLINE_START = re.compile("|".join(f"(?:{pattern.pattern[1:]})" for _name, pattern in OUTLINE_STYLES))


# Longer than this, a line is no salutation; an outline number is within this many characters.
MAX_SALUTATION = 40
MAX_NUMBER = 12


def is_salutation(line):
    return len(line) <= MAX_SALUTATION and bool(SALUTATION.match(fold(line).strip()))


def opens_speech(line):
    """A salutation that opens a speech (同志们: / 各位代表:), not one that calls on the
    audience in the middle of it (各位代表! / 同志们,)."""
    if len(line) > MAX_SALUTATION:
        return False
    text = fold(line).strip()
    return bool(SALUTATION.match(text)) and text[-1] not in "!,"


def outline_number(line):
    """(style, number as written) of a line that begins with an outline number, or None."""
    folded = fold(line[:MAX_NUMBER])
    if not OUTLINE_START.match(folded):
        return None
    for style, pattern in OUTLINE_STYLES:
        if m := pattern.match(folded):
            return style, line[: m.end()]
    return None


def ends_paragraph(text):
    """Whether text ends a sentence (closing quotes and brackets aside)."""
    stripped = fold(text[-8:]).rstrip().rstrip(CLOSERS)
    return bool(stripped) and stripped[-1] in PARAGRAPH_END
