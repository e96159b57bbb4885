"""The browse counts kept as speeches change (speeches/counts.py) equal a count made
afresh from the speeches themselves, whatever sequence of changes came before."""

import datetime
import random
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count

from speeches import counts
from speeches.curation.merge import merge_duplicates
from speeches.curation.status import publish, withdraw
from speeches.ingest.pipeline import FileReport, import_bytes
from speeches.models import (
    BrowseCount,
    Citation,
    CountedSpeech,
    Official,
    Region,
    Speech,
    SpeechTopic,
    Topic,
)
from tests.factories import make_region, make_source, make_speech, make_topic

pytestmark = pytest.mark.django_db


def counted_afresh():
    """{(kind, key): count} counted over the speeches with the ORM, as the pages once did."""
    public = Speech.objects.published().not_merged()
    found = Counter()
    found[(BrowseCount.ALL, 0)] = public.count()
    found[(BrowseCount.UNPLACED, 0)] = public.filter(region=None).count()
    found[(BrowseCount.UNTAGGED, 0)] = public.filter(topics=None).count()
    for kind, rows in (
        (BrowseCount.REGION, public.exclude(region=None).values_list("region").annotate(n=Count("id"))),
        (BrowseCount.SOURCE, public.exclude(source=None).values_list("source").annotate(n=Count("id"))),
        (BrowseCount.SPEAKER, public.exclude(speaker=None).values_list("speaker").annotate(n=Count("id"))),
        (BrowseCount.TOPIC, SpeechTopic.objects.filter(speech__in=public).values_list("topic").annotate(n=Count("id"))),
        (
            BrowseCount.OFFICIAL,
            Citation.objects.filter(speech__in=public).values_list("official").annotate(n=Count("speech", distinct=True)),
        ),
    ):
        for key, n in rows.order_by():
            found[(kind, key)] = n
        if kind in BrowseCount.DISTINCT:
            found[(BrowseCount.DISTINCT[kind], 0)] = sum(1 for k, _ in list(found) if k == kind)
    for year, n in public.year_counts():
        found[(BrowseCount.YEAR, year or 0)] = n
    return {pair: n for pair, n in found.items() if n}


def kept():
    return {(kind, key): n for kind, key, n in BrowseCount.objects.values_list("kind", "key", "count") if n}


class Archive:
    """A small archive and random changes to it, each one a path the archive changes by."""

    def __init__(self, rng):
        self.rng = rng
        province = make_region("99", "测试省")
        cities = [make_region(f"99{i:02d}", f"测试市{i}", Region.PREFECTURE, province) for i in range(1, 3)]
        self.regions = [province, *cities] + [
            make_region(f"{city.code}{j:02d}", f"测试县{city.code}{j}", Region.COUNTY, city)
            for city in cities for j in range(1, 3)
        ]
        self.topics = [make_topic(f"计数主题{i}", f"count-topic-{i}") for i in range(4)]
        self.officials = [Official.objects.create(name=f"计数人{i}") for i in range(4)]
        self.sources = [make_source(path=f"counts/{i}.txt") for i in range(3)]
        self.made = 0

    def pick(self, rows, none=0.0):
        rows = list(rows)
        return None if not rows or self.rng.random() < none else self.rng.choice(rows)

    def speech(self):
        return self.pick(Speech.objects.order_by("pk"))

    def create(self):
        self.made += 1
        rng = self.rng
        speech = make_speech(
            title=f"计数讲话{self.made}", body=f"第{self.made}篇。",
            status=rng.choice([Speech.PUBLISHED, Speech.PUBLISHED, Speech.DRAFT, Speech.WITHDRAWN]),
            region=self.pick(self.regions, none=0.3), source=self.pick(self.sources, none=0.3),
            speaker=self.pick(self.officials, none=0.6),
            year=rng.choice([None, 1999, 2008, 2023]), year_masked=rng.random() < 0.15,
            date=rng.choice([None, None, datetime.date(2010, 5, 1)]),
        )
        if rng.random() < 0.5:
            speech.topics.add(*rng.sample(self.topics, rng.randint(1, min(3, len(self.topics)))))

    def edit_fields(self):
        speech = self.speech()
        if speech is None:
            return
        rng = self.rng
        name = rng.choice(["region", "year", "date", "source", "speaker", "status"])
        value = {
            "region": lambda: self.pick(self.regions, none=0.3),
            "year": lambda: rng.choice([None, 1999, 2008, 2023]),
            "date": lambda: rng.choice([None, datetime.date(2001, 1, 2)]),
            "source": lambda: self.pick(self.sources, none=0.3),
            "speaker": lambda: self.pick(Official.objects.all(), none=0.5),
            "status": lambda: rng.choice([Speech.PUBLISHED, Speech.DRAFT, Speech.WITHDRAWN]),
        }[name]()
        setattr(speech, name, value)
        speech.year_masked = rng.random() < 0.1
        if rng.random() < 0.5:
            speech.save()
        else:
            speech.save(update_fields=[name, "year_masked"])

    def edit_topics(self):
        speech, topic = self.speech(), self.pick(Topic.objects.filter(slug__startswith="count-topic"))
        if speech is None or topic is None:
            return
        how = self.rng.choice(["add", "remove", "clear", "row", "row_delete", "reverse_clear", "reverse_add"])
        if how == "add":
            speech.topics.add(topic)
        elif how == "remove":
            speech.topics.remove(topic)
        elif how == "clear":
            speech.topics.clear()
        elif how == "row":
            SpeechTopic.objects.get_or_create(speech=speech, topic=topic)
        elif how == "row_delete":
            SpeechTopic.objects.filter(speech=speech).delete()
        elif how == "reverse_clear":
            topic.speeches.clear()
        else:
            topic.speeches.add(speech)

    def edit_citations(self):
        speech, official = self.speech(), self.pick(Official.objects.all())
        if speech is None or official is None:
            return
        if self.rng.random() < 0.6:
            Citation.objects.create(speech=speech, official=official, mention=official.name, offset=0)
        else:
            Citation.objects.filter(speech=speech, official=official).delete()

    def status_in_bulk(self):
        chosen = self.rng.sample(list(Speech.objects.all()), min(3, Speech.objects.count()))
        (publish if self.rng.random() < 0.5 else withdraw)(chosen)

    def merge(self):
        keep = self.pick(Speech.objects.not_merged())
        copy = self.speech()
        if keep is None or copy is None or keep.pk == copy.pk:
            return
        merge_duplicates(keep, [copy])

    def unmerge(self):
        copy = self.pick(Speech.objects.exclude(merged_into=None))
        if copy is None:
            return
        # By hand in the admin: a copy pointing at itself counts as not merged.
        copy.merged_into = copy if self.rng.random() < 0.3 else None
        copy.status = Speech.PUBLISHED
        copy.save()

    def delete_speech(self):
        speech = self.speech()
        if speech is not None:
            speech.delete()

    def delete_official(self):
        official = self.pick(Official.objects.all())
        if official is not None and self.rng.random() < 0.3:
            official.delete()
            self.officials = list(Official.objects.all())
        if not self.officials:
            self.officials = [Official.objects.create(name=f"计数人新{self.made}")]

    def delete_region_or_topic(self):
        if self.rng.random() < 0.5:
            leaves = [r for r in self.regions if r.level == Region.COUNTY]
            if len(leaves) > 1:
                leaf = self.rng.choice(leaves)
                leaf.delete()
                self.regions.remove(leaf)
        elif len(self.topics) > 1:
            topic = self.rng.choice(self.topics)
            topic.delete()
            self.topics.remove(topic)

    def bulk_writes(self):
        """Writes that send no signals, followed by the call that counts them."""
        if self.rng.random() < 0.5:
            made = Speech.objects.bulk_create(
                [Speech(uid=f"bulk{self.made}-{i}", title="批量", body="批量。", content_hash=f"b{self.made}{i}",
                        region=self.pick(self.regions, none=0.3), year=2008) for i in range(2)]
            )
            self.made += 1
            counts.speeches_changed([s.pk for s in made])
        else:
            ids = list(Speech.objects.order_by("?").values_list("pk", flat=True)[:3])
            Speech.objects.filter(pk__in=ids).update(status=Speech.PUBLISHED)
            counts.speeches_changed(ids)

    def rolled_back(self):
        """A change whose transaction is rolled back takes its counts with it."""
        with pytest.raises(RuntimeError), transaction.atomic():
            self.rng.choice([self.create, self.edit_fields, self.edit_topics, self.delete_speech])()
            raise RuntimeError("rolled back")

    def change(self):
        self.rng.choice([
            self.create, self.create, self.create, self.edit_fields, self.edit_fields, self.edit_topics,
            self.edit_topics, self.edit_citations, self.status_in_bulk, self.merge, self.unmerge,
            self.delete_speech, self.delete_official, self.delete_region_or_topic, self.bulk_writes,
            self.rolled_back,
        ])()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kept_counts_equal_a_fresh_count_after_random_changes(seed):
    archive = Archive(random.Random(seed))
    for step in range(150):
        archive.change()
        if step % 50 == 49:
            assert kept() == counted_afresh(), f"after step {step}"

    assert kept() == counted_afresh()
    assert counts.recount().ok


def test_a_published_speech_counts_until_it_is_withdrawn_or_merged():
    region = make_region("99", "测试省")
    topic = make_topic("计数主题", "count-topic")
    keep = make_speech(title="保留", body="甲。", region=region, year=2020)
    copy = make_speech(title="副本", body="乙。", region=region, year=2020)
    copy.topics.add(topic)

    assert BrowseCount.objects.of_kind(BrowseCount.REGION)[region.pk] == 2
    assert BrowseCount.objects.count_of(BrowseCount.TOPIC, topic.pk) == 1

    merge_duplicates(keep, [copy])

    assert BrowseCount.objects.of_kind(BrowseCount.REGION)[region.pk] == 1
    assert BrowseCount.objects.count_of(BrowseCount.TOPIC, topic.pk) == 0
    assert BrowseCount.objects.totals(BrowseCount.DISTINCT[BrowseCount.TOPIC]) == {"topics": 0}

    withdraw([keep])

    assert BrowseCount.objects.count_of(BrowseCount.ALL) == 0
    assert BrowseCount.objects.years() == []


def test_deleting_the_kept_speech_counts_its_copies_again():
    keep = make_speech(title="保留", body="甲。")
    copy = make_speech(title="副本", body="乙。")
    merge_duplicates(keep, [copy])
    copy.refresh_from_db()
    copy.status = Speech.PUBLISHED  # a curator's edit; merged_into still points to keep
    copy.save()
    assert BrowseCount.objects.count_of(BrowseCount.ALL) == 1

    keep.delete()  # copies' merged_into is set to NULL, an update that sends no signal

    assert BrowseCount.objects.count_of(BrowseCount.ALL) == 1
    assert kept() == counted_afresh()


def test_deleting_a_region_or_speaker_moves_its_speeches_to_unknown():
    region = make_region("99", "测试省")
    speaker = Official.objects.create(name="讲话人")
    make_speech(title="甲", body="甲。", region=region, speaker=speaker)

    region.delete()
    speaker.delete()

    assert BrowseCount.objects.count_of(BrowseCount.UNPLACED) == 1
    assert BrowseCount.objects.of_kind(BrowseCount.SPEAKER) == {}
    assert kept() == counted_afresh()


def test_an_import_counts_its_speeches_once_with_what_extraction_found():
    text = "在全省防汛工作会议上的讲话\n（2021年6月1日）\n同志们：\n今年防汛形势严峻，全省上下要做好防汛抗旱工作。\n"
    half_width = text.replace("（", "(").replace("）", ")").replace("：", ":").replace("，", ",")

    for number, body in enumerate([text, half_width]):
        report = import_bytes(body.encode("utf-8"), f"counts/import{number}.txt", FileReport(path="x"))
        assert report.ok, report.error

    assert BrowseCount.objects.count_of(BrowseCount.ALL) == Speech.objects.published().count() > 0
    assert kept() == counted_afresh()
    assert CountedSpeech.objects.count() == Speech.objects.published().not_merged().count()


def test_check_counts_reports_drift_and_repairs_it(capsys):
    region = make_region("99", "测试省")
    speech = make_speech(title="甲", body="甲。", region=region)
    make_speech(title="乙", body="乙。")
    # Changes that bypass the counts: bulk writes send no signals.
    Speech.objects.filter(pk=speech.pk).update(region=None)
    BrowseCount.objects.filter(kind=BrowseCount.ALL).update(count=7)
    CountedSpeech.objects.create(speech_id=999_999, keys=[[BrowseCount.ALL, 0]])

    with pytest.raises(CommandError):
        call_command("check_counts")
    assert "计数与数据库不一致" not in capsys.readouterr().out  # the error says it, not the report
    call_command("check_counts", "--repair")
    out = capsys.readouterr().out

    assert "已改正" in out
    assert kept() == counted_afresh()
    assert counts.recount().ok
    call_command("check_counts")
    assert "计数与数据库一致" in capsys.readouterr().out


def test_counting_a_speech_again_changes_nothing():
    speech = make_speech(title="甲", body="甲。", region=make_region("99", "测试省"))
    before = kept()

    assert counts.refresh([speech.pk, speech.pk]) == 0
    assert kept() == before


def test_a_speech_page_of_a_large_source_gives_the_number_of_its_other_speeches(client):
    source = make_source(path="counts/bulk.jsonl")
    speeches = [make_speech(title=f"讲话{n}", body=f"第{n}篇。", source=source, position=n) for n in range(25)]
    make_speech(title="草稿", body="草稿。", source=source, position=99, status=Speech.DRAFT)

    response = client.get(speeches[0].get_absolute_url())

    assert response.context["same_source_count"] == 24
    assert len(response.context["same_source"]) == 20
