"""annotate_speech: store what the pure extractors find in one saved speech, replacing
the previous extraction, leaving alone what a curator locked or decided.

The finding (find_in_speech: text in, values out, the costly part) is apart from the
storing, so the extraction queue (speeches.extract.queue) finds outside its write
transaction, and several processes find at once while one of them writes."""

from dataclasses import dataclass

from speeches import counts
from speeches.extract.dates import extract_dates
from speeches.extract.officials import extract_officials
from speeches.extract.regions import extract_regions
from speeches.extract.speaker import SpeakerResult, find_speaker
from speeches.extract.taxonomy import TOPICS
from speeches.extract.topics import assign_topics, extract_keywords
from speeches.locks import EXTRACTION_QUESTIONS
from speeches.models import (
    Citation,
    Official,
    Region,
    RegionMention,
    ReviewItem,
    Speech,
    SpeechTopic,
    Topic,
    fit,
    fit_value,
)

# Below this confidence an extraction goes to the review queue.
REVIEW_THRESHOLD = 0.6
KEYWORD_COUNT = 10


def ensure_topics():
    """Topic rows for the taxonomy (keywords a curator changed are kept)."""
    existing = set(Topic.objects.values_list("slug", flat=True))
    Topic.objects.bulk_create(
        [Topic(slug=slug, name=name, keywords=keywords) for slug, name, keywords in TOPICS if slug not in existing],
        ignore_conflicts=True,
    )


def _inputs(speech):
    """What the extractors read of a speech: findings made from other values are stale."""
    return (speech.title, speech.body, speech.kind, speech.meeting, speech.speaker_title, speech.delegated_by)


@dataclass(frozen=True)
class Findings:
    """What the pure extractors found in a speech's text (the speaker aside: who read a
    national report depends on the region and year stored)."""

    inputs: tuple
    regions: object
    officials: list
    topics: list
    keywords: list
    dates: object


def taxonomy():
    """(slug, name, keywords) of every topic, as assign_topics takes them."""
    ensure_topics()
    return [(t.slug, t.name, t.keywords) for t in Topic.objects.all()]


def find_in_speech(speech, topics=None):
    """Findings for a speech: reads nothing but the speech and the taxonomy (`topics`, as
    taxonomy() gives it, read once for many speeches), writes nothing."""
    topics = taxonomy() if topics is None else topics
    return Findings(
        inputs=_inputs(speech),
        regions=extract_regions(
            speech.body, speech.title, kind=speech.kind, meeting=speech.meeting,
            speaker_title=speech.speaker_title, delegated_by=speech.delegated_by,
        ),
        officials=extract_officials(speech.body),
        topics=assign_topics(speech.body, speech.title, topics),
        keywords=[word for word, _ in extract_keywords(speech.body, KEYWORD_COUNT)],
        dates=extract_dates(speech.body, speech.title),
    )


# A text of our own touching every extractor: a county, an official, a date, a topic's words.
_WARM_UP_TITLE = "在全县春季农业生产工作会议上的讲话"
_WARM_UP_BODY = (
    "同志们：\n2024年3月12日，县委书记王建林同志主持召开会议。"
    "岚皋县各乡镇要抓好春耕备耕，稳定粮食播种面积，落实耕地保护责任。"
)


def warm_up():
    """Load the extractors' dictionaries and tables (seconds of work) in this process: a
    drain does it once before it forks its workers, which then share them."""
    from speeches.extract.names import dictionary

    dictionary()
    find_in_speech(Speech(title=_WARM_UP_TITLE, body=_WARM_UP_BODY), taxonomy())


class _Annotator:
    def __init__(self, speech, found=None):
        self.speech = speech
        # Findings of another text (the speech changed since) are found again.
        self.found = found if found is not None and found.inputs == _inputs(speech) else find_in_speech(speech)
        self.locked = set(speech.locked_fields or [])
        self.decisions = {
            (item.field, item.value): item.status
            for item in speech.review_items.exclude(status=ReviewItem.PENDING)
        }
        self.queue = {}
        self.update_fields = set()
        # What each extraction found, how sure and why (Speech.extraction_notes); a
        # locked field's notes stay as its last extraction left them.
        self.notes = dict(speech.extraction_notes or {})

    def note(self, field, value, confidence, reason):
        self.notes[field] = {"value": str(value), "confidence": round(confidence, 3), "reason": reason}

    def rejected(self, field, value):
        return self.decisions.get((field, value)) == ReviewItem.REJECTED

    def review(self, field, value, confidence, reason):
        """Queue a doubtful value unless a curator already decided on it."""
        value = fit_value(ReviewItem, "value", str(value))
        if (field, value) in self.decisions or confidence >= REVIEW_THRESHOLD:
            return
        self.queue[(field, value)] = ReviewItem(
            **fit(ReviewItem, speech=self.speech, field=field, value=value, confidence=round(confidence, 3), reason=reason)
        )

    def regions(self):
        speech = self.speech
        result = self.found.regions
        codes = {m.code for m in result.mentions}
        if result.primary is not None:
            codes.add(result.primary.code)
        rows = Region.objects.in_bulk(codes, field_name="code")
        primary = result.primary
        if primary is not None and (self.rejected(ReviewItem.REGION, primary.code) or primary.code not in rows):
            primary = None
        if "region" not in self.locked:
            speech.region = rows[primary.code] if primary else None
            speech.region_confidence = result.confidence if primary else None
            self.update_fields.update({"region", "region_confidence"})
            if primary is not None:
                self.review(ReviewItem.REGION, primary.code, result.confidence, f"{primary.name}：{result.reason}")
        found = f"{result.primary.name}（{result.primary.code}）" if result.primary is not None else "未确定"
        self.note("region", found, result.confidence, result.reason)
        primary_code = speech.region.code if speech.region_id else None
        speech.region_mentions.all().delete()
        mentions = [
            RegionMention(**fit(RegionMention, speech=speech, region=rows[m.code], mention=m.mention, offset=m.offset,
                                is_primary=m.code == primary_code))
            for m in result.mentions
            if m.code in rows and not m.in_title
        ]
        if primary_code and not any(m.is_primary for m in mentions) and speech.region.level == Region.NATIONAL:
            mentions.append(RegionMention(speech=speech, region=speech.region, mention="", offset=0, is_primary=True))
        RegionMention.objects.bulk_create(mentions)

    def officials(self):
        speech = self.speech
        if "officials" in self.locked:
            return
        before = set(speech.citations.order_by().values_list("official_id", flat=True))
        _delete_unrecorded(speech.citations.all())
        for person in self.found.officials:
            if self.rejected(ReviewItem.OFFICIAL, person.name):
                continue
            official = _official_for(person)
            Citation.objects.bulk_create(
                Citation(**fit(
                    Citation, speech=speech, official=official, mention=m.mention, title_as_written=m.title,
                    offset=m.offset, sentence=m.sentence, confidence=m.confidence,
                ))
                for m in person.mentions
            )
            self.review(ReviewItem.OFFICIAL, person.name, person.confidence,
                        f"{person.mentions[0].mention}：{person.mentions[0].sentence[:120]}")
        _delete_orphans(before)

    def topics(self):
        speech = self.speech
        if "topics" not in self.locked:
            scores = [t for t in self.found.topics if not self.rejected(ReviewItem.TOPIC, t.slug)]
            _delete_unrecorded(SpeechTopic.objects.filter(speech=speech))
            by_slug = Topic.objects.in_bulk([t.slug for t in scores], field_name="slug")
            SpeechTopic.objects.bulk_create(
                SpeechTopic(speech=speech, topic=by_slug[t.slug], score=t.score) for t in scores
            )
            self.notes["topics"] = {
                t.slug: {"value": t.name, "confidence": t.confidence, "reason": f"关键词命中{t.hits}次"} for t in scores
            }
            # Only a weak main topic is worth a curator's look; secondary ones are weak by nature.
            if scores:
                best = scores[0]
                self.review(ReviewItem.TOPIC, best.slug, best.confidence, f"{best.name}：关键词命中{best.hits}次")
        if "keywords" not in self.locked:
            speech.keywords = list(self.found.keywords)
            self.update_fields.add("keywords")

    def dates(self):
        """Date and year: what the text's header or a mapped column states (source_date,
        source_year) is never overridden; extraction fills in what it does not state."""
        speech = self.speech
        result = self.found.dates
        stated_year = speech.source_date.year if speech.source_date else speech.source_year
        if speech.source_date:
            date = speech.source_date
        elif result.date is not None and (stated_year is None or result.date.year == stated_year):
            date = result.date
        else:
            date = None
        year = stated_year or result.year
        if "date" not in self.locked and (date is not None or stated_year is not None):
            speech.date = date
            self.update_fields.add("date")
        if "year" not in self.locked:
            if year is not None:
                speech.year, speech.year_masked = year, False
            elif result.year_masked and not speech.date:
                speech.year, speech.year_masked = None, True
            self.update_fields.update({"year", "year_masked"})
        if date is not None and date != speech.source_date:
            self.review(ReviewItem.DATE, date.isoformat(), result.confidence, result.reason)
        if speech.source_date or speech.source_year:
            self.note("date", date or year, 1.0, "原文报头所载")
        else:
            self.note("date", date or year or "未确定", result.confidence, result.reason)
        return result

    def speaker(self, dated):
        """Who delivered it: the name its header, byline or resolution gives (read on
        import: speaker_name); else, for a national government work report not read by
        someone delegated, the premier in office, with doubt."""
        speech = self.speech
        if "speaker" in self.locked:
            return
        before = {speech.speaker_id} - {None}
        speech.speaker = None
        self.notes.pop("speaker", None)
        self.update_fields.add("speaker")
        found = None
        if speech.speaker_name:
            found = SpeakerResult(speech.speaker_name, speech.speaker_title, 0.95, "原文署名")
        elif speech.kind == Speech.WORK_REPORT and speech.region_id and speech.region.level == Region.NATIONAL:
            found = find_speaker(
                speech.body, year=speech.year or dated.year, date=speech.date or dated.date,
                delegated=bool(speech.delegated_by),
            )
        if found and not self.rejected(ReviewItem.SPEAKER, found.name):
            official = (
                Official.objects.filter(name=found.name, name_is_partial=False).order_by("id").first()
                or Official.objects.create(name=found.name, title=found.title)
            )
            speech.speaker = official
            self.review(ReviewItem.SPEAKER, found.name, found.confidence, found.reason)
            self.note("speaker", found.name, found.confidence, found.reason)
        self.after_save_orphans = before

    def run(self):
        speech = self.speech
        self.after_save_orphans = set()
        speech.review_items.filter(status=ReviewItem.PENDING, field__in=EXTRACTION_QUESTIONS).delete()
        self.regions()
        self.officials()
        self.topics()
        dated = self.dates()
        self.speaker(dated)
        speech.extraction_notes = self.notes
        self.update_fields.add("extraction_notes")
        # Saving the speech queues its search index update (speeches.search signals).
        speech.save(update_fields=sorted(self.update_fields))
        # Its topics and citations were bulk-written (no signals), and the save may name
        # no counted field (all of them locked): count it (once, at the end of the block).
        counts.speeches_changed([speech.pk])
        _delete_orphans(self.after_save_orphans)
        ReviewItem.objects.bulk_create(self.queue.values(), ignore_conflicts=True)
        return speech


def _delete_unrecorded(rows):
    """Delete the topic scores or citations extraction replaces wholesale without a
    history row each: their history holds curators' changes, not extraction's churn
    (the new rows are written in bulk, which records nothing either)."""
    for row in rows.order_by():  # unordered: the models' orderings join other tables
        row.skip_history_when_saving = True
        row.delete()


def _official_for(person):
    """The Official row for a person: full names are shared across speeches (the same
    田力普 everywhere); partial ones (罗书记, 明利) belong to one speech and are new rows."""
    if not person.name_is_partial:
        official = Official.objects.filter(name=person.name, name_is_partial=False).order_by("id").first()
        if official is not None:
            changed = []
            if not official.title and person.title:
                official.title = fit_value(Official, "title", person.title)
                changed.append("title")
            if not official.organisation and person.organisation:
                official.organisation = fit_value(Official, "organisation", person.organisation)
                changed.append("organisation")
            if changed:
                official.save(update_fields=changed)
            return official
    return Official.objects.create(**fit(
        Official, name=person.name, title=person.title, organisation=person.organisation,
        name_is_partial=person.name_is_partial,
    ))


def _delete_orphans(official_ids):
    """Officials no speech cites or names as speaker any more."""
    if official_ids:
        Official.objects.filter(pk__in=official_ids, citations__isnull=True, speeches_delivered__isnull=True).delete()


def annotate_speech(speech, found=None):
    """Extract and store region, region mentions, officials and citations, speaker,
    topics, keywords, date/year and review items for one saved speech. Idempotent:
    replaces this speech's previous extraction; fields in speech.locked_fields and
    values a curator rejected are left as they are. `found`: the speech's Findings made
    beforehand (find_in_speech), used when the speech's text is still the one read."""
    # One transaction, the browse counts moved once at its end, not after each row rewritten.
    with counts.deferred():
        return _Annotator(speech, found).run()
