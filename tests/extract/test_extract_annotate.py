import shutil

import pytest

from speeches.curation.review import apply_decision
from speeches.extract import annotate_speech
from speeches.ingest.pipeline import import_paths
from speeches.locks import lock_curated_fields
from speeches.models import (
    Citation,
    Official,
    Region,
    RegionMention,
    ReviewItem,
    Speech,
    SpeechTopic,
)
from tests.conftest import FIXTURES_DIR
from tests.factories import make_speech

pytestmark = pytest.mark.django_db

PAGE = FIXTURES_DIR / "extract_county_page.txt"
REPORTS = FIXTURES_DIR / "extract_national_reports.jsonl"


def _import(path):
    (report,) = import_paths([path])
    assert report.ok, report.error
    return report


def _farm_speech():
    return Speech.objects.get(body__contains="春季农业生产")


def _officials(speech):
    return set(speech.citations.values_list("official__name", flat=True))


def test_importing_a_page_annotates_each_speech():
    _import(PAGE)
    farm = _farm_speech()
    assert farm.region.code == "610925"  # 岚皋县
    assert [r.name for r in farm.region.ancestors()] == ["陕西省", "安康市", "岚皋县"]
    assert _officials(farm) == {"王建林", "周书记", "李春和"}
    assert Official.objects.get(name="周书记").name_is_partial
    assert "农业农村" in farm.topics.values_list("name", flat=True)
    assert farm.keywords
    assert farm.region_mentions.filter(is_primary=True, region__code="610925").exists()

    news = Speech.objects.get(body__contains="知识产权工作推进会")
    assert news.region.code == "150204"  # 包头's 青山区, by its factories
    assert str(news.date) == "2024-03-12"
    assert _officials(news) == {"赵文华", "孙立群"}
    assert news.topics.filter(name="知识产权").exists()


def test_a_given_name_mention_is_stored_as_a_citation_of_the_full_name():
    _import(PAGE)
    citations = Citation.objects.filter(official__name="王建林").order_by("offset")
    assert [c.mention for c in citations] == ["王建林同志", "建林同志"]
    assert all(c.sentence and c.confidence > 0 for c in citations)


def test_annotating_again_replaces_the_previous_results():
    _import(PAGE)
    farm = _farm_speech()
    counts = (farm.citations.count(), farm.region_mentions.count(), SpeechTopic.objects.filter(speech=farm).count())
    officials = Official.objects.count()
    annotate_speech(farm)
    annotate_speech(farm)
    assert (farm.citations.count(), farm.region_mentions.count(), SpeechTopic.objects.filter(speech=farm).count()) == counts
    assert Official.objects.count() == officials


def test_officials_no_longer_cited_are_removed_with_the_old_results():
    speech = make_speech(body="同志们:\n刚才,欧阳建华同志作了报告。")
    annotate_speech(speech)
    assert Official.objects.filter(name="欧阳建华").exists()
    speech.body = "同志们:\n刚才,有关同志作了报告。"
    speech.save()
    annotate_speech(speech)
    assert not Official.objects.filter(name="欧阳建华").exists()


def _reimport_with_a_change(tmp_path):
    """Import a copy of the page, edit the farm speech at its source, import it again."""
    page = tmp_path / "page.txt"
    shutil.copy(PAGE, page)
    _import(page)
    yield _farm_speech()
    page.write_text(page.read_text(encoding="utf-8").replace("三十万亩", "三十二万亩"), encoding="utf-8")
    report = _import(page)
    assert report.updated, "the edited speech should be updated in place"
    yield _farm_speech()


def test_a_locked_region_survives_reimport_and_reextraction(tmp_path):
    steps = _reimport_with_a_change(tmp_path)
    farm = next(steps)
    farm.region = Region.objects.get(code="6109")  # the curator says: 安康市
    farm.locked_fields = ["region"]
    farm.save()
    farm = next(steps)
    assert "三十二万亩" in farm.body
    assert farm.region.code == "6109"
    annotate_speech(farm)
    farm.refresh_from_db()
    assert farm.region.code == "6109"


def test_a_rejected_official_stays_out_after_reimport(tmp_path):
    steps = _reimport_with_a_change(tmp_path)
    farm = next(steps)
    item = ReviewItem.objects.create(speech=farm, field=ReviewItem.OFFICIAL, value="李春和", confidence=0.5)
    apply_decision(item, ReviewItem.REJECTED)
    assert "李春和" not in _officials(_farm_speech())
    farm = next(steps)
    assert "李春和" not in _officials(farm)
    assert ReviewItem.objects.get(pk=item.pk).status == ReviewItem.REJECTED


def test_doubtful_values_are_queued_once_and_an_accepted_one_is_not_asked_again():
    speech = make_speech(body="同志们:\n今年要严格执行《山西省农村信用社贷款管理办法》,全力做好清收工作。")
    annotate_speech(speech)
    item = speech.review_items.get(field=ReviewItem.REGION)
    assert (item.value, item.status) == ("14", ReviewItem.PENDING)
    assert item.confidence < 0.6
    annotate_speech(speech)
    assert speech.review_items.filter(field=ReviewItem.REGION).count() == 1
    apply_decision(speech.review_items.get(field=ReviewItem.REGION), ReviewItem.ACCEPTED)
    annotate_speech(speech)
    assert list(speech.review_items.filter(field=ReviewItem.REGION).values_list("status", flat=True)) == [
        ReviewItem.ACCEPTED
    ]
    speech.refresh_from_db()
    assert speech.region.code == "14"


def test_a_rejected_region_is_cleared_at_once():
    speech = make_speech(body="同志们:\n今年要严格执行《山西省农村信用社贷款管理办法》,全力做好清收工作。")
    annotate_speech(speech)
    apply_decision(speech.review_items.get(field=ReviewItem.REGION), ReviewItem.REJECTED)
    speech.refresh_from_db()
    assert speech.region is None


def test_national_reports_get_the_national_region_and_their_speaker():
    _import(REPORTS)
    report = Speech.objects.get(title__startswith="2030年")
    assert report.region.level == Region.NATIONAL
    assert report.speaker.name == "王明"
    assert str(report.date) == "2030-03-05"
    older = Speech.objects.get(title__startswith="1999年")
    assert older.speaker.name == "朱镕基"
    # Named by the table of premiers, not by the text: a curator is asked; the named one is not.
    assert older.review_items.filter(field=ReviewItem.SPEAKER, value="朱镕基", status=ReviewItem.PENDING).exists()
    assert not report.review_items.filter(field=ReviewItem.SPEAKER).exists()
    resolution = Speech.objects.get(kind=Speech.RESOLUTION)
    assert resolution.region.level == Region.NATIONAL
    assert resolution.speaker is None
    assert _officials(resolution) == {"王明"}
    assert RegionMention.objects.filter(speech=report, is_primary=True).exists()


def test_a_hand_set_field_is_added_to_the_locked_fields():
    speech = make_speech()
    assert lock_curated_fields(speech, ["region", "citation", "title"])
    assert speech.locked_fields == ["region", "officials"]
    assert not lock_curated_fields(speech, ["region"])
