"""The seed compilation page imports exactly as ../shared/eval/seed_gold.json says."""

import json

import pytest
from django.utils import timezone

from speeches.ingest.pipeline import import_paths
from speeches.models import Section, Source, Speech
from tests.conftest import shared_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def gold():
    return json.loads(shared_path("eval", "seed_gold.json").read_text(encoding="utf-8"))


@pytest.fixture
def seed_report():
    (report,) = import_paths([shared_path("corpus", "seed")])
    assert report.ok, report.error
    return report


def test_seed_page_yields_exactly_the_gold_speeches(gold, seed_report):
    assert Speech.objects.count() == gold["speech_count"] == 14
    assert len(seed_report.created) == 14
    bodies = list(Speech.objects.values_list("body", flat=True))
    for speech in gold["speeches"]:
        holders = [b for b in bodies if speech["key"] in b]
        assert len(holders) == 1, f"gold key of {speech['id']} is in {len(holders)} speeches"


def test_seed_speeches_carry_the_gold_titles_and_copies(gold, seed_report):
    for speech in gold["speeches"]:
        stored = Speech.objects.get(body__contains=speech["key"])
        assert stored.title == speech["title"]
        assert stored.copies == speech["copies"], speech["id"]


def test_seed_debris_is_gone_after_import(gold, seed_report):
    for speech in Speech.objects.all():
        for debris in gold["absent_after_import"]:
            assert debris not in speech.body and debris not in speech.title
        # Pagination lines (lone page numbers) are gone too.
        assert not any(p.strip().isdigit() for p in speech.body.split("\n"))
    assert seed_report.debris_removed["pagination"] >= 2
    assert seed_report.debris_removed["footer"] == 3
    assert seed_report.duplicates_merged == 2


def test_seed_keyword_link_fragments_are_repaired(gold, seed_report):
    for repair in gold["repairs"]:
        key = next(s["key"] for s in gold["speeches"] if s["id"] == repair["speech"])
        assert repair["expected"] in Speech.objects.get(body__contains=key).body


def test_seed_page_header_becomes_source_metadata(gold, seed_report):
    source = Source.objects.get()
    assert source.title == gold["compilation"]["title"]
    assert source.author == gold["compilation"]["author"]
    # The page's time has no zone; it is read as the archive's (Asia/Shanghai).
    published = timezone.localtime(source.published_at).replace(tzinfo=None)
    assert published.isoformat() == gold["compilation"]["published"]
    assert bytes(source.content.raw_bytes) == shared_path("corpus", "seed", gold["source"]).read_bytes()


def test_seed_speeches_have_outlines(seed_report):
    annual = Speech.objects.get(body__contains="下面,我就全省知识产权工作向大会作工作报告")
    numbers = list(annual.sections.filter(level=1).values_list("number", flat=True))
    assert numbers[:2] == ["一、", "二、"]
    assert annual.sections.filter(level=2, number="(二)").exists()
    for section in Section.objects.all():
        assert section.speech.body[section.start:].startswith(section.number)


def test_seed_reimport_changes_nothing(seed_report):
    before = {s.uid: (s.title, s.body, s.updated_at) for s in Speech.objects.all()}
    sections_before = Section.objects.count()
    (again,) = import_paths([shared_path("corpus", "seed")])
    assert again.ok
    assert again.created == [] and again.updated == []
    assert sorted(again.unchanged) == sorted(before)
    assert {s.uid: (s.title, s.body, s.updated_at) for s in Speech.objects.all()} == before
    assert Section.objects.count() == sections_before
    assert Source.objects.count() == 1
