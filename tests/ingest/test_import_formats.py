"""Import formats chosen by extension: HTML pages, Word files, zips (with bomb guards)."""

import io
import zipfile

import docx
import pytest

from speeches.ingest.pipeline import import_paths
from speeches.models import Source, Speech
from tests.conftest import FIXTURES_DIR

pytestmark = pytest.mark.django_db
SAMPLES = FIXTURES_DIR / "ingest"


def write_docx(path, paragraphs, title=""):
    document = docx.Document()
    document.core_properties.title = title
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    document.save(path)
    return path


def test_html_page_drops_scripts_navigation_and_footer():
    (report,) = import_paths([SAMPLES / "compilation_page.html"])
    assert report.ok, report.error
    assert Speech.objects.count() == 2
    text = " ".join(Speech.objects.values_list("body", flat=True))
    for junk in ("不应出现的脚本文字", "adInsert", "范文大全", "版权所有", "当前位置", "下一页"):
        assert junk not in text
    assert Source.objects.get().title == "乡镇工作会议讲话汇编(2篇)"


def test_word_report_gives_title_date_and_sections(tmp_path):
    path = write_docx(
        tmp_path / "report.docx",
        [
            "2030年某市人民政府工作报告",
            "----2030年1月15日某某市长在某市第九届人民代表大会第一次会议上",
            "某市人民政府市长 王明",
            "各位代表:",
            "一、过去一年的工作",
            "全市经济保持平稳增长。",
            "二、今年的主要任务",
            "今年要着力稳就业、保民生。",
        ],
    )
    (report,) = import_paths([path])
    assert report.ok, report.error
    speech = Speech.objects.get()
    assert speech.title == "2030年某市人民政府工作报告"
    assert speech.kind == Speech.WORK_REPORT
    assert speech.date.isoformat() == "2030-01-15"
    assert list(speech.sections.values_list("number", "heading")) == [("一、", "过去一年的工作"), ("二、", "今年的主要任务")]


def test_word_file_that_is_not_a_zip_fails_clearly(tmp_path):
    fake = tmp_path / "fake.docx"
    fake.write_text("这不是一个Word文件", encoding="utf-8")
    (report,) = import_paths([fake])
    assert not report.ok
    assert "不是 Word .docx 文件" in report.error


def test_old_word_format_asks_for_docx(tmp_path):
    old = tmp_path / "old.doc"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    (report,) = import_paths([old])
    assert not report.ok and "请另存为 .docx" in report.error


def test_zip_imports_each_member_with_its_own_report(tmp_path):
    bundle = tmp_path / "bundle.zip"
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(SAMPLES / "single_speech.txt", "speeches/single_speech.txt")
        archive.write(SAMPLES / "records_table.csv", "records_table.csv")
        archive.writestr("readme.md", "not imported")
        archive.writestr("broken.txt", b"\x00\x00\x00")
    reports = import_paths([bundle])
    assert [r.path.split("!/")[1] for r in reports] == ["broken.txt", "records_table.csv", "speeches/single_speech.txt"]
    assert [r.ok for r in reports] == [False, True, True]
    assert Speech.objects.count() == 3


def test_zip_bomb_is_refused_before_unpacking(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("huge.txt", b"0" * (20 * 1024 * 1024))
    bomb = tmp_path / "bomb.zip"
    bomb.write_bytes(buffer.getvalue())
    (report,) = import_paths([bomb])
    assert not report.ok
    assert "压缩炸弹" in report.error
    assert Speech.objects.count() == 0


def test_file_that_claims_to_be_a_zip_but_is_not_fails_clearly(tmp_path):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK\x03\x04 truncated")
    (report,) = import_paths([bad])
    assert not report.ok and "不是可读取的 zip 压缩包" in report.error
