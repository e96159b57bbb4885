"""The fingerprint that finds a new speech's copies in the archive: the same keys whatever
the punctuation's width, shared by a lightly edited copy and not by another text; looked
up for a whole file at once; and remade for stored speeches when its hash changes."""

import importlib

import pytest
from django.apps import apps as django_apps

from speeches.ingest.dedupe import band_keys, fingerprint
from speeches.ingest.pipeline import ArchiveFingerprints, copy_in_archive
from speeches.models import SimilarityKey, Speech

pytestmark = pytest.mark.django_db

# Written for these tests; the second text shares no sentence with the first.
HALF_WIDTH = (
    "今年我们把老旧小区改造作为民生实事来抓,完成加装电梯三百二十部,新增停车位四千余个;"
    "同时推进社区食堂建设(覆盖六个街道),让老年人在家门口吃上热饭。"
    "明年要继续扩大覆盖面,把养老服务中心延伸到每一个乡镇,并建立回访制度:"
    "每季度听取一次居民意见,问题清单逐项销号,做到件件有着落、事事有回音。"
)
FULL_WIDTH = (
    HALF_WIDTH.replace(",", "，").replace(";", "；").replace("(", "（").replace(")", "）").replace(":", "：")
)
OTHER_TEXT = (
    "港口集团全年完成集装箱吞吐量八百万标准箱，航线网络向东南亚和中东延伸，"
    "铁水联运班列开行数量比上年增加一倍。下一步将建设冷链物流园区，"
    "引进跨境电商龙头企业，培育临港制造业集群，力争外贸进出口总额再上新台阶。"
)


def _edited(text, every=60):
    """text with one character in every `every` replaced: a copy a scraper damaged."""
    return "".join("某" if i % every == every - 1 else ch for i, ch in enumerate(text))


def test_half_and_full_width_punctuation_give_the_same_keys():
    assert band_keys(HALF_WIDTH) == band_keys(FULL_WIDTH)
    assert len(band_keys(HALF_WIDTH)) == 8


def test_a_lightly_edited_copy_shares_a_band_and_another_text_shares_none():
    assert set(band_keys(HALF_WIDTH)) & set(band_keys(_edited(FULL_WIDTH)))
    assert not set(band_keys(HALF_WIDTH)) & set(band_keys(OTHER_TEXT))


def test_a_text_too_short_for_a_fingerprint_has_no_keys_and_an_empty_text_no_error():
    assert band_keys("关于做好春耕工作的通知") == ()
    assert band_keys("") == ()
    assert fingerprint("").count(-1) == len(fingerprint("")) - 1


def _stored(title, body, **fields):
    speech = Speech.objects.create_from_text(title, body, **fields)
    SimilarityKey.objects.bulk_create(SimilarityKey(speech=speech, key=key) for key in band_keys(body))
    return speech


def test_copies_are_found_alike_looked_up_alone_or_with_a_files_other_texts():
    original = _stored("民生实事", HALF_WIDTH)
    _stored("港口", OTHER_TEXT)
    texts = [(FULL_WIDTH, ""), (_edited(HALF_WIDTH, every=40), ""), (OTHER_TEXT + "另起一段。", "")]
    texts += [(f"第{n}号文件要求各部门在本月底前报送统计数据，逾期不报的予以通报。" * 3, "") for n in range(20)]
    together = ArchiveFingerprints(texts)
    for body, text_hash in texts:
        assert copy_in_archive(body, text_hash, fingerprints=together) == copy_in_archive(body, text_hash)
    assert copy_in_archive(FULL_WIDTH, fingerprints=together) == (original, 1.0)
    twin, score = copy_in_archive(_edited(HALF_WIDTH, every=40), fingerprints=together)
    assert twin == original and 0.8 <= score < 1.0


def test_a_files_texts_are_looked_up_in_the_same_few_queries_however_many_they_are(django_assert_num_queries):
    _stored("民生实事", HALF_WIDTH)
    few = [(f"{n}号：{HALF_WIDTH}", f"hash-{n}") for n in range(3)]
    many = [(f"{n}号：{HALF_WIDTH}", f"hash-{n}") for n in range(300)]
    with django_assert_num_queries(2):
        ArchiveFingerprints(few)
    with django_assert_num_queries(2):
        ArchiveFingerprints(many)


def test_the_migration_remakes_every_stored_key_and_gives_none_to_speeches_without():
    migration = importlib.import_module("speeches.migrations.0021_similarity_keys_hashed_over_whole_texts")
    with_keys = Speech.objects.create_from_text("民生实事", HALF_WIDTH)
    SimilarityKey.objects.bulk_create(SimilarityKey(speech=with_keys, key=key) for key in (11, 12, 13))
    without = Speech.objects.create_from_text("港口", OTHER_TEXT)

    migration.remake_keys(django_apps, schema_editor=None)

    stored = sorted(SimilarityKey.objects.filter(speech=with_keys).values_list("key", flat=True))
    assert stored == sorted(band_keys(HALF_WIDTH))
    assert not SimilarityKey.objects.filter(speech=without).exists()
