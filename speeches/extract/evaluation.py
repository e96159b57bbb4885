"""Extraction measured against a gold file (the format of ../shared/eval/seed_gold.json)
and against the national government work reports."""

import json
import re
from dataclasses import dataclass, field

from speeches.extract.dates import extract_dates
from speeches.extract.regions import extract_regions
from speeches.extract.speaker import find_speaker
from speeches.models import Speech


@dataclass
class Tally:
    correct: int = 0
    total: int = 0

    def add(self, ok):
        self.correct += bool(ok)
        self.total += 1

    @property
    def rate(self):
        return self.correct / self.total if self.total else 0.0

    def __str__(self):
        return f"{self.rate:.1%} ({self.correct}/{self.total})"


@dataclass
class GoldReport:
    matched: int = 0
    missing: list = field(default_factory=list)
    region: Tally = field(default_factory=Tally)
    region_precision: Tally = field(default_factory=Tally)
    region_recall: Tally = field(default_factory=Tally)
    official_precision: Tally = field(default_factory=Tally)
    official_recall: Tally = field(default_factory=Tally)
    official_title: Tally = field(default_factory=Tally)
    topic: Tally = field(default_factory=Tally)
    errors: list = field(default_factory=list)


def speech_for_key(key):
    """The stored speech holding a gold key: the kept copy, not a merged duplicate."""
    candidates = Speech.objects.filter(body__contains=key).order_by("merged_into_id", "id")
    return candidates.first()


def _topic_matches(names, wanted):
    return any(w in n or n in w for n in names for w in wanted)


def evaluate_gold(gold):
    """GoldReport for a parsed gold file, reading the extraction stored in the database."""
    report = GoldReport()
    for item in gold["speeches"]:
        speech = speech_for_key(item["key"])
        if speech is None:
            report.missing.append(item["id"])
            continue
        report.matched += 1
        label = item["id"]

        want_region = (item.get("region") or {}).get("code")
        got_region = speech.region.code if speech.region_id else None
        report.region.add(want_region == got_region)
        if got_region:
            report.region_precision.add(want_region == got_region)
        if want_region:
            report.region_recall.add(want_region == got_region)
        if want_region != got_region:
            report.errors.append(f"{label}: 地区 期望 {want_region} 得到 {got_region}")

        cited = {}
        for citation in speech.citations.select_related("official"):
            cited.setdefault(citation.official.name, set()).add(citation.title_as_written)
            cited[citation.official.name].add(citation.official.title)
        wanted = {o["name"]: o.get("title", "") for o in item.get("officials", [])}
        for name in cited:
            report.official_precision.add(name in wanted)
            if name not in wanted:
                report.errors.append(f"{label}: 多出官员 {name}")
        for name, title in wanted.items():
            report.official_recall.add(name in cited)
            if name not in cited:
                report.errors.append(f"{label}: 漏掉官员 {name}")
            elif title:
                report.official_title.add(title in cited[name])

        topics = list(speech.topics.values_list("name", flat=True))
        ok = _topic_matches(topics, item.get("topic_any", []))
        report.topic.add(ok)
        if not ok:
            report.errors.append(f"{label}: 主题 期望 {item.get('topic_any')} 得到 {topics}")
    return report


# The resolution on a report names who delivered it: 国务院总理李强所作的政府工作报告.
_RESOLUTION_SPEAKER = re.compile(r"(?:国务院总理|听取了)([\u4e00-\u9fff]{2,3}?)(?:总理)?(?:代表国务院)?所作的")


@dataclass
class ReportsReport:
    rows: int = 0
    national: Tally = field(default_factory=Tally)
    speaker_found: Tally = field(default_factory=Tally)
    speaker_agrees: Tally = field(default_factory=Tally)
    review: int = 0
    errors: list = field(default_factory=list)


def evaluate_reports(path):
    """National reports (JSON lines with title, content, year): the region must be the
    national one; each report's speaker is compared with the premier its resolution names."""
    rows = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    result = ReportsReport(rows=len(rows))
    for index, row in enumerate(rows):
        title, text = row.get("title", ""), row.get("content", "")
        kind = Speech.RESOLUTION if "决议" in title else Speech.WORK_REPORT if "政府工作报告" in title else None
        region = extract_regions(text, title, kind=kind)
        ok = region.primary is not None and region.primary.level == "national"
        result.national.add(ok)
        if not ok:
            result.errors.append(f"{title}: 地区 {region.primary}")
        if kind != Speech.WORK_REPORT:
            continue
        dated = extract_dates(text, title)
        found = find_speaker(text, year=dated.year or row.get("year"), date=dated.date)
        result.speaker_found.add(found is not None)
        if found is not None and found.confidence < 0.6:
            result.review += 1
        following = rows[index + 1] if index + 1 < len(rows) else None
        if following and "决议" in following.get("title", ""):
            match = _RESOLUTION_SPEAKER.search(re.sub(r"\s+", "", following["content"]))
            if match:
                agrees = found is not None and found.name == match.group(1)
                result.speaker_agrees.add(agrees)
                if not agrees:
                    result.errors.append(f"{title}: 讲话人 {found and found.name} 决议为 {match.group(1)}")
    return result
