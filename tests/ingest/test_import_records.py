"""Bulk records: JSON lines, JSON and CSV, with a field map; the national reports end to end."""

import json

import pytest

from speeches.ingest.pipeline import import_paths
from speeches.models import Speech
from tests.conftest import FIXTURES_DIR, shared_path

pytestmark = pytest.mark.django_db
SAMPLES = FIXTURES_DIR / "ingest"


def test_field_map_reads_renamed_columns(tmp_path):
    rows = tmp_path / "rows.jsonl"
    rows.write_text(
        json.dumps({"headline": "全镇秋季防火讲话", "full_text": "同志们：\n防火要紧。", "when": "2028-10-01"}, ensure_ascii=False),
        encoding="utf-8",
    )
    (report,) = import_paths([rows], field_map="title=headline,text=full_text,date=when")
    assert report.ok, report.error
    speech = Speech.objects.get()
    assert speech.title == "全镇秋季防火讲话"
    assert speech.date.isoformat() == "2028-10-01" and speech.year == 2028


def test_bad_field_map_is_a_clear_error():
    (report,) = import_paths([SAMPLES / "records_table.csv"], field_map="speaker")
    assert not report.ok
    assert "字段对应“speaker”有误" in report.error


def test_rows_without_text_fail_the_file_and_name_the_rows(tmp_path):
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"title": "a", "content": "同志们：好。"}\n{"title": "b"}\nnot json\n', encoding="utf-8")
    (report,) = import_paths([rows])
    assert not report.ok
    assert "第 2 条：没有正文" in report.error and "第 3 行：不是 JSON" in report.error
    assert Speech.objects.count() == 0


def test_repeated_rows_are_kept_once(tmp_path):
    row = json.dumps({"title": "讲话", "content": "同志们：\n今天开会。"}, ensure_ascii=False)
    rows = tmp_path / "rows.jsonl"
    rows.write_text(f"{row}\n{row}\n", encoding="utf-8")
    (report,) = import_paths([rows])
    assert report.ok and report.duplicates_merged == 1
    assert Speech.objects.count() == 1


def test_wiki_artefacts_are_undone_in_records():
    (report,) = import_paths([SAMPLES / "records_wiki.jsonl"])
    assert report.ok
    report_speech = Speech.objects.get(kind=Speech.WORK_REPORT)
    assert "城乡居民收入稳步提高" in report_speech.body
    assert "市长\u3000王明" in report_speech.body
    assert "公有领域" not in report_speech.body and "Public domain" not in report_speech.body
    assert report_speech.url == "https://example.org/reports/2031"
    assert Speech.objects.get(kind=Speech.RESOLUTION).year is None


def test_national_reports_import_all_rows_with_titles_and_years():
    path = shared_path("corpus", "gov_work_reports", "government_work_reports.jsonl")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    (report,) = import_paths([path], field_map="title=title,text=content,date=year,url=url")
    assert report.ok, report.error
    assert Speech.objects.count() == len(rows) == 72
    for row in rows:
        speech = Speech.objects.get(url=row["url"], title=row["title"])
        if row["year"]:
            assert speech.year == int(row["year"])
        else:
            # Resolutions carry no year field; extraction dates them from their own text
            # where it states a date.
            assert speech.kind == Speech.RESOLUTION
            if speech.date:
                assert speech.year == speech.date.year
        assert "Public domain" not in speech.body
    dated = Speech.objects.filter(kind=Speech.RESOLUTION, date__isnull=False).count()
    # Four resolution texts state their date (e.g. （2023年3月13日……通过）); the rest state none
    # and stay undated rather than guessed.
    assert dated == 4
    assert Speech.objects.filter(kind=Speech.WORK_REPORT).count() == 52
    assert Speech.objects.filter(kind=Speech.RESOLUTION).count() == 20
    (again,) = import_paths([path], field_map="title=title,text=content,date=year,url=url")
    assert len(again.unchanged) == 72 and not again.created and not again.updated
