"""Repair keyword-link fragments.

Compilation sites turn phrases such as 工作报告 into links; the scraper then cuts the
sentence in three: `刚才,朱晓力同志在。` / `工作报告。` / `中,认真总结……`. The repair joins
the three lines back into one sentence: the full stop the scraper put after the first part
goes; the fragment's own stop stays only where the next part begins a new sentence.
"""

import re
from dataclasses import dataclass

from speeches.ingest.lines import OUTLINE_START
from speeches.ingest.width import fold

# Phrases these sites link; a short line that is one of them, cut out of its sentence,
# is a fragment.
LINKED_PHRASES = (
    "工作报告", "工作方案", "规章制度", "责任书", "工作计划", "工作总结", "心得体会",
    "述职报告", "讲话稿", "演讲稿", "发言稿", "主持词", "实施方案", "活动方案", "调研报告",
    "自查报告", "申请书", "承诺书", "倡议书", "策划书", "思想汇报", "入党申请书", "个人总结",
    "工作要点", "管理制度", "工作职责", "岗位职责", "会议纪要", "整改报告", "通知", "决定",
)
_FRAGMENT = re.compile(r"^(" + "|".join(sorted(LINKED_PHRASES, key=len, reverse=True)) + r")[。.]$")
# Where the text after a fragment cannot start a sentence, the fragment's stop is the
# scraper's, not the author's (folded text).
_CONTINUATION_START = re.compile(r"^[,、;:》」』)\]】”’的中上下里内外前后时等和与及或之为了地得着过]")


@dataclass(frozen=True)
class Repair:
    fragment: str
    result: str

    def as_dict(self):
        return {"fragment": self.fragment, "result": self.result}


def repair_fragments(paragraphs):
    """Return (paragraphs, repairs) with keyword-link fragments joined back."""
    out = []
    repairs = []
    i = 0
    while i < len(paragraphs):
        line = paragraphs[i]
        m = _FRAGMENT.match(fold(line))
        if m and out and out[-1].endswith("。") and i + 1 < len(paragraphs):
            following = paragraphs[i + 1]
            if not OUTLINE_START.match(fold(following)):
                phrase = m.group(1)
                stop = "" if _CONTINUATION_START.match(fold(following)) else "。"
                joined = out[-1][:-1] + phrase + stop + following
                repairs.append(Repair(fragment=line, result=_excerpt(joined, len(out[-1]) - 1, phrase)))
                out[-1] = joined
                i += 2
                continue
        out.append(line)
        i += 1
    return out, repairs


def _excerpt(text, at, phrase, context=12):
    start = max(0, at - context)
    return text[start : at + len(phrase) + context]
