"""The officials finder measured on CLUENER2020 (fine-grained Chinese NER over news
sentences: `name`, `position`, `government`… spans), e.g. ../shared/eval/ner/cluener_dev.json.

For each sentence the finder's mentions are compared with the gold:
- precision: a reported name is right when a gold `name` span has exactly its offsets
  (a surname alone before a title, 罗书记, claims no name and is listed apart);
- recall: of the gold name+position pairs (a `position` span touching a `name` span)
  whose position is a public office by the finder's own title list (is_public_office
  over the position and the gold spans right before it; the pairs are printed), those
  whose name the finder reports;
- title agreement, on the public-office pairs found (and, printed, on every pair
  found): a reported title agrees with the gold position next to the name
  when it ends where the position ends and begins where the position or another gold
  span of the same phrase begins (住房和城乡建设部部长, 部长): never inside a gold span
  (保监局局长 for 省保监局局长), never in words nobody marked (和列席).
Pure: text in, figures and a printable table out."""

import json
from dataclasses import dataclass, field
from pathlib import Path

from speeches.evaluation.gold import Tally
from speeches.extract.officials import find_mentions, is_public_office

PRECISION_TARGET = 0.95
RECALL_TARGET = 0.60
TITLE_TARGET = 0.90
# Gold spans that may make up a title phrase with the position after them.
_TITLE_PART_KINDS = ("government", "organization", "company", "address", "position")
_FORMER = "原前"
_CLAUSE_BREAKS = "，,。；;：:、（）()“”\""


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str
    kind: str


@dataclass(frozen=True)
class Sentence:
    text: str
    spans: tuple

    def of_kind(self, kind):
        return [s for s in self.spans if s.kind == kind]


@dataclass(frozen=True)
class Pair:
    """A gold name with the gold position touching it."""

    sentence: int
    name: Span
    position: Span
    phrase: str  # the position with the gold spans right before it
    public: bool


@dataclass
class NerReport:
    sentences: int = 0
    gold_names: int = 0
    pairs: list = field(default_factory=list)
    precision: Tally = field(default_factory=Tally)
    recall: Tally = field(default_factory=Tally)
    title_agreement: Tally = field(default_factory=Tally)  # on the public-office pairs found
    title_agreement_all: Tally = field(default_factory=Tally)  # on every pair found
    surname_only: list = field(default_factory=list)
    wrong_names: list = field(default_factory=list)
    found_pairs: dict = field(default_factory=dict)  # pair → reported title
    title_disagreements: list = field(default_factory=list)

    @property
    def public_pairs(self):
        return [p for p in self.pairs if p.public]

    def targets(self):
        """(label, value, target) for each target."""
        return [
            ("官员姓名准确率（precision）", self.precision.rate, PRECISION_TARGET),
            ("公职人名+职务对召回率（recall）", self.recall.rate, RECALL_TARGET),
            ("找到的公职对中职务与金标准一致", self.title_agreement.rate, TITLE_TARGET),
        ]

    def met(self):
        return all(value >= target for _label, value, target in self.targets())

    def table(self):
        """The figures, each target met or not, and the pairs behind them, as lines of text."""
        lines = [
            f"CLUENER: {self.sentences} 句，金标准人名 {self.gold_names} 个， "
            f"人名+职务 {len(self.pairs)} 对，其中职务为公职者 {len(self.public_pairs)} 对",
            f"报告的官员姓名 {self.precision.total} 个，正确 {self.precision.correct} 个"
            f"（另有姓+职务 {len(self.surname_only)} 处，如罗书记，不算姓名）",
        ]
        for label, value, target in self.targets():
            mark = "达标" if value >= target else "未达标"
            lines.append(f"  目标 {label} ≥ {target:.0%}：{value:.1%} {mark}")
        lines.append(f"  所有人名+职务对中找到 {sum(1 for p in self.pairs if p in self.found_pairs)}/{len(self.pairs)}, "
                     f"其职务与金标准一致 {self.title_agreement_all}")
        lines.append("职务表算作公职的金标准对（✓ 找到， ✗ 漏掉；金标准职务 → 报告的职务）：")
        for pair in self.public_pairs:
            mark = "✓" if pair in self.found_pairs else "✗"
            reported = self.found_pairs.get(pair, "")
            lines.append(f"  {mark} {pair.name.text} | {pair.phrase}" + (f" → {reported}" if reported else ""))
        if self.wrong_names:
            lines.append("报告了而金标准无此人名：")
            lines.extend(f"  - {name} | {title} | {text}" for name, title, text in self.wrong_names)
        if self.title_disagreements:
            lines.append("职务与金标准不一致（报告 / 金标准）：")
            lines.extend(f"  - {name}：{title} / {gold}" for name, title, gold in self.title_disagreements)
        return "\n".join(lines)


def read_cluener(path):
    """[Sentence] from a CLUENER file: pretty-printed JSON objects one after another
    (or JSON lines), each {"text", "label": {kind: {surface: [[start, end], …]}}} with
    inclusive ends."""
    raw = Path(path).read_text(encoding="utf-8")
    decoder = json.JSONDecoder()
    sentences, position = [], 0
    while True:
        while position < len(raw) and raw[position].isspace():
            position += 1
        if position >= len(raw):
            return sentences
        try:
            item, position = decoder.raw_decode(raw, position)
            text = item["text"]
            spans = [
                Span(start, end + 1, surface, kind)
                for kind, surfaces in (item.get("label") or {}).items()
                for surface, places in surfaces.items()
                for start, end in places
            ]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"{path}：第 {len(sentences) + 1} 条不是 CLUENER 的 {{text, label}} 对象（{exc}）") from exc
        sentences.append(Sentence(text, tuple(sorted(spans, key=lambda s: (s.start, s.end)))))


def _title_phrase(sentence, position):
    """The gold position with the chain of gold spans written right before it
    (住房和城乡建设部 + 部长): what says whether the office is public."""
    ends = {s.end: s for s in sentence.spans if s.kind in _TITLE_PART_KINDS}
    start = position.start
    while start in ends:
        start = ends[start].start
    return sentence.text[start : position.end]


def gold_pairs(sentence, index):
    """[Pair] of a sentence: each gold name with a gold position right before or after it."""
    pairs = []
    for name in sentence.of_kind("name"):
        for position in sentence.of_kind("position"):
            if position.end == name.start or name.end == position.start:
                phrase = _title_phrase(sentence, position)
                pairs.append(Pair(index, name, position, phrase, is_public_office(phrase)))
    return pairs


def _title_span(sentence, mention, title):
    """Where the reported title is written: right before the name or right after it."""
    text = sentence.text
    if text[: mention.offset].endswith(title):
        return mention.offset - len(title), mention.offset
    after = mention.offset + len(mention.name)
    if text.startswith(title, after):
        return after, after + len(title)
    return None


def title_agrees(sentence, pair, mention):
    """Whether the reported title is the gold position, alone or with gold spans before
    it (a title begun inside a gold span is cut short, 保监局局长 for 省保监局局长; one
    begun in unmarked text has taken a neighbour's words). A leading 原 or 前 (former)
    is the title's own."""
    title = mention.title.split("、")[-1]
    span = _title_span(sentence, mention, title)
    position = pair.position
    if span is None:  # written around the name (市委宋卫平书记 → 市委书记)
        return title == position.text
    start, end = span
    while sentence.text[start] in _FORMER and start < position.start:
        start += 1
    if end != position.end:
        return False
    if start == position.start:
        return True
    between = sentence.text[start : position.start]
    return not any(c in _CLAUSE_BREAKS for c in between) and any(
        s.start == start and s.kind in _TITLE_PART_KINDS for s in sentence.spans
    )


def evaluate_cluener(sentences, find=find_mentions):
    """NerReport of the finder over CLUENER sentences."""
    report = NerReport(sentences=len(sentences))
    for index, sentence in enumerate(sentences):
        names = {(s.start, s.end) for s in sentence.of_kind("name")}
        report.gold_names += len(names)
        pairs = gold_pairs(sentence, index)
        report.pairs.extend(pairs)
        by_name = {}
        for pair in pairs:
            by_name.setdefault((pair.name.start, pair.name.end), []).append(pair)
        for mention in find(sentence.text):
            if mention.surname_only:
                report.surname_only.append(mention.mention)
                continue
            span = (mention.offset, mention.offset + len(mention.name))
            right = span in names
            report.precision.add(right)
            if not right:
                report.wrong_names.append((mention.name, mention.title, sentence.text))
                continue
            named = by_name.get(span, [])
            for pair in named:
                report.found_pairs[pair] = mention.title
            if mention.title and named:
                # A name between two positions (记者朱楠实习生) agrees with either.
                agrees = any(title_agrees(sentence, pair, mention) for pair in named)
                report.title_agreement_all.add(agrees)
                if any(pair.public for pair in named):
                    report.title_agreement.add(agrees)
                if not agrees:
                    report.title_disagreements.append((mention.name, mention.title, named[0].phrase))
    for pair in report.public_pairs:
        report.recall.add(pair in report.found_pairs)
    return report


def evaluate_cluener_file(path, find=find_mentions):
    return evaluate_cluener(read_cluener(path), find)


def cluener_rows(path, find=find_mentions):
    """(rows, details) for the evaluation table: one row per target, and the report's
    table (the public-office pairs the title list counts, what was missed) as details."""
    from speeches.evaluation.gold import Row

    report = evaluate_cluener_file(path, find)
    name = Path(path).name
    rows = [
        Row(name, label, f"{value:.1%}", f"≥ {target:.0%}", value >= target)
        for label, value, target in report.targets()
    ]
    return rows, report.table().split("\n")
