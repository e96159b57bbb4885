"""Tab-separated records (.tsv, or a .txt that is a table) with --map by column name or
number, a warning for columns not imported, refusals that name what is missing; zip
members' Chinese names; speakers named by headers, delegation and resolutions."""

import datetime
import io
import json
import zipfile

import pytest

from speeches.extract.speaker import premier_on
from speeches.ingest.pipeline import file_name, import_paths
from speeches.models import Region, Source, Speech
from tests.conftest import FIXTURES_DIR

pytestmark = pytest.mark.django_db
SAMPLES = FIXTURES_DIR / "ingest"


def test_a_tab_separated_file_imports_with_its_header_row_and_warns_of_columns_left_out():
    (report,) = import_paths([SAMPLES / "records_years.tsv"])
    assert report.ok, report.error
    assert sorted(Speech.objects.values_list("year", flat=True)) == [2031, 2032]
    assert any("未导入的列：链接" in w for w in report.warnings)


def test_a_text_file_that_is_a_table_without_a_header_needs_the_map_and_says_so():
    (refused,) = import_paths([SAMPLES / "no_header_records.txt"])
    assert not refused.ok
    assert "没有哪一列是正文" in refused.error and "1、2" in refused.error and "--map text=" in refused.error
    (report,) = import_paths([SAMPLES / "no_header_records.txt"], field_map="year=1,text=2")
    assert report.ok, report.error
    assert sorted(Speech.objects.values_list("year", flat=True)) == [2033, 2034]
    assert not report.warnings


def test_a_table_column_may_be_mapped_by_its_name_or_by_its_number():
    (by_number,) = import_paths([SAMPLES / "records_years.tsv"], field_map="url=3")
    assert by_number.ok and not by_number.warnings
    assert set(Speech.objects.values_list("url", flat=True)) == {"https://example.org/a", "https://example.org/b"}


def test_a_csv_column_may_be_mapped_by_number_too(tmp_path):
    table = tmp_path / "t.csv"
    table.write_text("甲,乙\n2035,\"同志们：今天召开全县教育工作会议，部署新学年工作。\"\n", encoding="utf-8")
    (report,) = import_paths([table], field_map="year=1,text=2")
    assert report.ok, report.error
    assert Speech.objects.get().year == 2035


def _zip_with_legacy_name(name, data):
    """A zip whose member name is stored as GBK bytes without the UTF-8 flag, as Chinese
    Windows tools write it."""
    legacy = name.encode("gbk")
    placeholder = "x" * (len(legacy) - 4) + ".txt"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(placeholder, data)
    return buffer.getvalue().replace(placeholder.encode("ascii"), legacy)


def test_zip_members_keep_their_chinese_names(tmp_path):
    data = (SAMPLES / "single_speech.txt").read_bytes()
    legacy = tmp_path / "legacy.zip"
    legacy.write_bytes(_zip_with_legacy_name("防汛讲话.txt", data))
    flagged = tmp_path / "flagged.zip"
    with zipfile.ZipFile(flagged, "w") as archive:
        archive.writestr("讲话/抗旱讲话.txt", (SAMPLES / "single_speech_gbk.txt").read_bytes())
    reports = import_paths([legacy, flagged])
    assert [r.path.split("!/")[1] for r in reports] == ["防汛讲话.txt", "讲话/抗旱讲话.txt"]
    assert all(r.ok for r in reports)
    paths = sorted(Source.objects.values_list("path", flat=True))
    assert [file_name(p) for p in paths] == sorted(["防汛讲话.txt", "抗旱讲话.txt"])


def test_a_file_name_is_never_a_server_folder():
    assert file_name("/srv/data/uploads/全市会议.txt") == "全市会议.txt"
    assert file_name("/tmp/x/bundle.zip!/讲话/防汛.txt") == "防汛.txt"


def test_records_lose_their_web_furniture_and_the_report_lists_it():
    (report,) = import_paths([SAMPLES / "records_news.jsonl"])
    assert report.ok, report.error
    speech = Speech.objects.get(url="https://example.org/news/1")
    for junk in ("您的位置", "来源：云溪日报", "字体", "全屏", "扫一扫"):
        assert junk not in speech.body
    listed = " ".join(report.furniture_removed)
    assert "breadcrumb: 您的位置" in listed and "qr_code: 扫一扫在手机打开当前页" in listed
    assert report.debris_removed["page_tools"] == 1


def test_a_delegated_report_takes_the_speaker_its_resolution_names():
    import_paths([SAMPLES / "records_news.jsonl"])
    report = Speech.objects.get(kind=Speech.WORK_REPORT)
    assert report.delegated_by == "市人民政府"
    assert (report.speaker.name, report.speaker_title) == ("张华", "副市长")
    assert report.year == 2040
    assert any(e.get("kind") == "speaker" for e in report.import_log)


def _national_report(tmp_path, opening):
    row = {
        "title": "2041年中华人民共和国国务院政府工作报告",
        "year": 2041,
        "content": f"各位代表：\n\n{opening}\n\n一、过去一年的工作\n\n全国经济平稳运行。",
    }
    path = tmp_path / "national.jsonl"
    path.write_text(json.dumps(row, ensure_ascii=False), encoding="utf-8")
    import_paths([path])
    return Speech.objects.get()


def test_a_national_report_read_by_delegation_is_not_the_premiers(tmp_path):
    speech = _national_report(tmp_path, "我受国务院的委托，向大会报告政府工作，请予审议。")
    assert speech.region.level == Region.NATIONAL
    assert speech.delegated_by == "国务院" and speech.speaker is None


def test_a_national_report_with_no_header_still_falls_back_on_the_premier_in_office(tmp_path):
    speech = _national_report(tmp_path, "现在，我代表国务院，向大会报告政府工作，请予审议。")
    assert speech.speaker.name == premier_on(datetime.date(2041, 3, 5))


def test_a_city_report_is_never_given_the_premier(tmp_path):
    import_paths([SAMPLES / "云溪.txt"])
    speech = Speech.objects.get()
    assert speech.kind == Speech.WORK_REPORT
    assert speech.speaker is None
    assert speech.region is None or speech.region.level != Region.NATIONAL


def test_a_city_report_header_names_its_speaker_and_dates_it():
    import_paths([SAMPLES / "report_with_header.txt"])
    speech = Speech.objects.get()
    assert (speech.speaker.name, speech.speaker_title) == ("刘明", "云溪市人民政府市长")
    assert speech.date.isoformat() == "2031-01-12" and speech.meeting == "云溪市第八届人民代表大会第二次会议"
