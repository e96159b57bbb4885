"""Synthetic speeches recombined at run time from the shared corpora.

Paragraphs come from ../shared/corpus (the seed compilation page and the national
work reports), cleaned by the importer's own functions; nothing is copied into the
repository. Each generated speech gets a title naming a real region (a Region row
the migrations load), a topic of the taxonomy and a year, a dateline, and
paragraphs of which about half mention the topic's keywords, so extraction finds
the region, topic and date the way it does for real speeches.

Rows are written as JSON lines in shards of SHARD_ROWS, with column names the
importer does not know by default, so the bench imports them with a field map
(FIELD_MAP) through the real import path.
"""

import json
import random
from dataclasses import dataclass
from pathlib import Path

from bench.common import REPORTS, SEED_PAGE

SHARD_ROWS = 1000
FIELD_MAP = "title=headline,text=content,date=delivered,url=link"
# Characters per speech: the seed page's speeches run from ~1,500 to ~6,000 characters.
MEAN_CHARS, MIN_CHARS, MAX_CHARS = 2800, 900, 9000
TOPIC_PARAGRAPH_SHARE = 0.5
FIRST_YEAR, LAST_YEAR = 1990, 2024
UNDATED_SHARE = 0.05
MIN_PARAGRAPH_CHARS = 20
# Region levels a speech is placed at, and how often.
LEVEL_WEIGHTS = {"province": 0.25, "prefecture": 0.4, "county": 0.35}
TITLE_TEMPLATES = (
    "在{region}{year}年{topic}工作会议上的讲话",
    "{region}{topic}工作推进会讲话",
    "在{region}{topic}工作座谈会上的讲话",
    "{region}领导在{year}年{topic}专题会议上的讲话",
)
UNDATED_TITLE = "在{region}{topic}工作会议上的讲话"


def paragraph_pool():
    """Clean paragraphs of the shared corpora (a list of str)."""
    from speeches.ingest.decode import decode_bytes
    from speeches.ingest.parse import parse_compilation
    from speeches.ingest.records import clean_record_text

    paragraphs = []
    for line in REPORTS.read_text(encoding="utf-8").splitlines():
        if line.strip():
            found, _repairs = clean_record_text(json.loads(line)["content"])
            paragraphs.extend(found)
    if SEED_PAGE.exists():
        text, _encoding = decode_bytes(SEED_PAGE.read_bytes())
        for speech in parse_compilation(text, fallback_title="seed").speeches:
            paragraphs.extend(speech.body.split("\n"))
    unique = dict.fromkeys(p.strip() for p in paragraphs if len(p.strip()) >= MIN_PARAGRAPH_CHARS)
    # Only paragraphs the importer keeps as they are (a stray licence notice would end a text).
    return [p for p in unique if clean_record_text(p)[0] == [p]]


@dataclass
class Catalogue:
    """What speeches are spread over: real regions and topics from the database."""

    regions: dict  # level -> [(code, name, [ancestor codes])]
    topics: list  # [(slug, name, keywords)]

    @classmethod
    def from_database(cls):
        from speeches.models import Region, Topic

        regions = {level: [] for level in LEVEL_WEIGHTS}
        for region in Region.objects.filter(level__in=list(LEVEL_WEIGHTS)).select_related("parent__parent"):
            path = [r.code for r in region.ancestors()]
            regions[region.level].append((region.code, region.name, path))
        topics = [(t.slug, t.name, list(t.keywords or [])) for t in Topic.objects.order_by("slug")]
        return cls(regions=regions, topics=topics)


class SpeechGenerator:
    def __init__(self, paragraphs, catalogue, seed=20240501):
        self.rng = random.Random(seed)
        self.paragraphs = paragraphs
        self.catalogue = catalogue
        self.levels = list(LEVEL_WEIGHTS)
        self.level_weights = [LEVEL_WEIGHTS[level] for level in self.levels]
        # Paragraphs mentioning each topic's keywords.
        self.on_topic = {
            slug: [i for i, p in enumerate(paragraphs) if any(k in p for k in keywords)]
            for slug, _name, keywords in catalogue.topics
        }
        years = list(range(FIRST_YEAR, LAST_YEAR + 1))
        # More speeches in recent years, as on the sites the archive is fed from.
        self.years, self.year_weights = years, [1 + (y - FIRST_YEAR) / 8 for y in years]

    def _body_paragraphs(self, slug):
        rng = self.rng
        target = min(MAX_CHARS, max(MIN_CHARS, int(rng.lognormvariate(0, 0.45) * MEAN_CHARS * 0.9)))
        on_topic = self.on_topic.get(slug) or []
        chosen, length = [], 0
        while length < target:
            if on_topic and rng.random() < TOPIC_PARAGRAPH_SHARE:
                paragraph = self.paragraphs[rng.choice(on_topic)]
            else:
                paragraph = rng.choice(self.paragraphs)
            chosen.append(paragraph)
            length += len(paragraph)
        return chosen

    def speech(self, number):
        """One JSON row (a dict)."""
        rng = self.rng
        level = rng.choices(self.levels, self.level_weights)[0]
        code, region_name, path = rng.choice(self.catalogue.regions[level])
        slug, topic_name, _keywords = rng.choice(self.catalogue.topics)
        body = self._body_paragraphs(slug)
        row = {"link": f"https://bench.invalid/speeches/{number}", "region_path": path, "topic": slug}
        if rng.random() < UNDATED_SHARE:
            title = UNDATED_TITLE.format(region=region_name, topic=topic_name)
        else:
            year = rng.choices(self.years, self.year_weights)[0]
            month, day = rng.randint(1, 12), rng.randint(1, 28)
            title = rng.choice(TITLE_TEMPLATES).format(region=region_name, topic=topic_name, year=year)
            body.insert(0, f"({year}年{month}月{day}日)")
            row["delivered"] = f"{year:04d}-{month:02d}-{day:02d}"
        row["headline"] = title
        row["content"] = "\n".join(body)
        return row


def write_corpus(directory, count, seed=20240501):
    """Write `count` speeches as JSON-lines shards into directory; returns the paths."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    generator = SpeechGenerator(paragraph_pool(), Catalogue.from_database(), seed=seed)
    paths = []
    for first in range(0, count, SHARD_ROWS):
        path = directory / f"speeches-{first // SHARD_ROWS:04d}.jsonl"
        with path.open("w", encoding="utf-8") as handle:
            for number in range(first, min(count, first + SHARD_ROWS)):
                handle.write(json.dumps(generator.speech(number), ensure_ascii=False) + "\n")
        paths.append(path)
    return paths
