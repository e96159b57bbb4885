"""Copies across files: the same speech from another file is merged into the archive's copy,
a nearly same one is queued for review, the report says which; re-imports change nothing,
and a mapped date wins over a date found in the text."""

import io
import json
import shutil

import pytest
from django.core.management import call_command

from speeches.ingest.flags import duplicate_of, sync_import_flags
from speeches.ingest.pipeline import import_paths
from speeches.models import ReviewItem, Speech
from tests.conftest import FIXTURES_DIR

pytestmark = pytest.mark.django_db
SAMPLES = FIXTURES_DIR / "ingest"


def _as_json_lines(tmp_path):
    rows = json.loads((SAMPLES / "records_list.json").read_text(encoding="utf-8"))
    rows = rows if isinstance(rows, list) else next(v for v in rows.values() if isinstance(v, list))
    path = tmp_path / "same-records.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


def test_the_same_records_as_json_and_as_json_lines_are_one_speech_each(tmp_path):
    (first,) = import_paths([SAMPLES / "records_list.json"])
    (second,) = import_paths([_as_json_lines(tmp_path)])
    assert first.ok and second.ok, second.error
    kept = Speech.objects.filter(merged_into=None)
    assert kept.count() == len(first.created)
    assert [m["into"] for m in second.merged_with_archive] == first.created
    copy = Speech.objects.get(uid=second.merged_with_archive[0]["uid"])
    assert copy.merged_into.uid == first.created[0] and copy.status == Speech.WITHDRAWN
    assert second.merged_with_archive[0]["source"] == "records_list.json"


def test_importing_both_files_again_changes_nothing(tmp_path):
    lines = _as_json_lines(tmp_path)
    import_paths([SAMPLES / "records_list.json", lines])
    again = import_paths([SAMPLES / "records_list.json", lines])
    assert all(not r.created and not r.updated and not r.merged_with_archive for r in again)


def test_a_nearly_same_speech_from_another_file_is_queued_for_review(tmp_path):
    (original,) = import_paths([SAMPLES / "云溪.txt"])
    text = (SAMPLES / "云溪.txt").read_text(encoding="utf-8")
    edited = tmp_path / "云溪-修订稿.txt"
    edited.write_text(text.replace("新设经营主体一万户", "新设经营主体一万二千户"), encoding="utf-8")
    (copy,) = import_paths([edited])
    assert copy.ok and len(copy.created) == 1 and not copy.merged_with_archive
    (near,) = copy.near_duplicates
    assert near["of"] == original.created[0] and near["similarity"] >= 0.8
    item = ReviewItem.objects.get(speech__uid=copy.created[0], field=ReviewItem.DUPLICATE)
    assert item.status == ReviewItem.PENDING and duplicate_of(item).uid == original.created[0]
    # The queue's refresh keeps it, and a re-import neither drops nor repeats it.
    sync_import_flags()
    (again,) = import_paths([edited])
    assert again.unchanged == copy.created and not again.near_duplicates
    assert ReviewItem.objects.filter(field=ReviewItem.DUPLICATE, status=ReviewItem.PENDING).count() == 1


def test_an_unrelated_speech_is_neither_merged_nor_flagged():
    import_paths([SAMPLES / "云溪.txt"])
    (other,) = import_paths([SAMPLES / "report_with_header.txt"])
    assert other.created and not other.merged_with_archive and not other.near_duplicates


def test_the_same_bytes_under_another_name_are_said_to_be_the_same_file(tmp_path):
    import_paths([SAMPLES / "云溪.txt"])
    twin = tmp_path / "别名.txt"
    shutil.copy(SAMPLES / "云溪.txt", twin)
    (report,) = import_paths([twin])
    assert report.ok and len(report.speech_uids) == 1 and not report.created
    assert any("与此前导入的 云溪.txt 内容完全相同" in w for w in report.warnings)


def _record_with_a_dated_header(date):
    content = "政府工作报告\n\n——2031年1月12日在云溪市第八届人民代表大会第二次会议上\n\n市长　刘明\n\n各位代表：\n\n现在，我代表市人民政府向大会报告工作。\n\n一、过去一年的工作\n\n全市经济平稳运行。"
    return json.dumps({"title": "云溪市政府工作报告", "content": content, "published": date}, ensure_ascii=False)


def test_a_mapped_date_wins_over_the_date_the_text_states_and_a_rerun_changes_nothing(tmp_path):
    rows = tmp_path / "reports.jsonl"
    rows.write_text(_record_with_a_dated_header("2031-02-01"), encoding="utf-8")
    (report,) = import_paths([rows], field_map="date=published")
    speech = Speech.objects.get()
    assert speech.date.isoformat() == "2031-02-01" and speech.year == 2031
    assert speech.speaker.name == "刘明"
    for _ in range(2):
        (again,) = import_paths([rows], field_map="date=published")
        assert again.unchanged == report.created and not again.updated
    speech.refresh_from_db()
    assert speech.date.isoformat() == "2031-02-01"


def test_a_mapped_year_keeps_the_texts_date_of_that_year(tmp_path):
    rows = tmp_path / "reports.jsonl"
    rows.write_text(_record_with_a_dated_header("2031"), encoding="utf-8")
    import_paths([rows], field_map="year=published")
    speech = Speech.objects.get()
    assert (speech.year, speech.date.isoformat()) == (2031, "2031-01-12")


def test_a_mapped_year_drops_a_text_date_of_another_year(tmp_path):
    rows = tmp_path / "reports.jsonl"
    rows.write_text(_record_with_a_dated_header("2030"), encoding="utf-8")
    import_paths([rows], field_map="year=published")
    speech = Speech.objects.get()
    assert (speech.year, speech.date) == (2030, None)


def test_the_import_command_says_what_was_merged_and_what_furniture_went(tmp_path):
    out = io.StringIO()
    call_command("import_speeches", str(SAMPLES / "records_list.json"), str(_as_json_lines(tmp_path)),
                 str(SAMPLES / "records_news.jsonl"), stdout=out)
    text = out.getvalue()
    assert "已合并：" in text and "来自 records_list.json" in text
    assert "导航路径：您的位置：首页 > 领导讲话 > 正文" in text
