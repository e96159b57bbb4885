"""import_speeches: reports per file, JSON output, bad input that fails alone and changes nothing."""

import json
import shutil

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from speeches.ingest.decode import decode_bytes
from speeches.ingest.errors import IngestError
from speeches.models import Section, Source, Speech
from tests.conftest import FIXTURES_DIR

pytestmark = pytest.mark.django_db
SAMPLES = FIXTURES_DIR / "ingest"


def run_import(*args):
    """Run the command; returns (stdout, stderr, exit code)."""
    import io

    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_speeches", *map(str, args), stdout=out, stderr=err)
        code = 0
    except CommandError as exc:
        err.write(str(exc))
        code = exc.returncode
    return out.getvalue(), err.getvalue(), code


def test_import_prints_a_report_per_file():
    out, _err, code = run_import(SAMPLES / "compilation_basic.txt")
    assert code == 0
    assert "新建 3 篇，更新 0 篇，未变 0 篇；合并重复副本 1 份" in out
    assert "分页 3" in out and "页尾推荐 3" in out
    assert "工作报告。 →" in out


def test_import_json_gives_the_same_report_as_json():
    out, _err, code = run_import("--json", SAMPLES / "compilation_basic.txt")
    (report,) = json.loads(out)
    assert code == 0
    assert report["ok"] is True
    assert len(report["created"]) == 3
    assert report["duplicates_merged"] == 1
    assert report["debris_removed"]["site_blurb"] == 1


def test_second_import_of_the_same_file_changes_nothing():
    run_import(SAMPLES / "compilation_basic.txt")
    urls = sorted(s.get_absolute_url() for s in Speech.objects.all())
    out, _err, code = run_import(SAMPLES / "compilation_basic.txt")
    assert code == 0
    assert "新建 0 篇，更新 0 篇，未变 3 篇" in out
    assert sorted(s.get_absolute_url() for s in Speech.objects.all()) == urls


def test_a_folder_imports_every_readable_file_in_it(tmp_path):
    for name in ("compilation_basic.txt", "single_speech.txt", "single_speech_gbk.txt"):
        shutil.copy(SAMPLES / name, tmp_path / name)
    (tmp_path / "notes.bin").write_bytes(b"\x00\x01")
    _out, _err, code = run_import(tmp_path)
    assert code == 0
    assert Source.objects.count() == 3
    assert Speech.objects.filter(title="在全镇抗旱工作会议上的讲话").exists()


def test_draft_option_lands_new_speeches_as_drafts():
    run_import("--draft", SAMPLES / "single_speech.txt")
    assert list(Speech.objects.values_list("status", flat=True)) == [Speech.DRAFT]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "文件是空的"),
        (b"   \n\n", "文件是空的"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50, "二进制"),
        ("讲话".encode()[:-1] + b"\xff\xfe\xfa" * 3, "既不是 UTF-8"),
        ("1\n\n2 3\n\n页,当前第。\n".encode(), "找不到讲话"),
        # Binary without a NUL: two control characters in each line of 52, above the limit (1 in 100).
        ((("同志们：今天开会。\x01\x02" + "讲话内容，" * 8 + "\n") * 40).encode(), "控制字符太多"),
    ],
    ids=["empty", "blank", "binary", "broken-utf8", "only-debris", "control-characters"],
)
def test_bad_file_fails_with_a_clear_message_and_the_rest_imports(tmp_path, content, message):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    _out, err, code = run_import(bad, SAMPLES / "single_speech.txt")
    assert code == 1
    assert f"{bad}：导入失败：" in err and message in err
    assert "Traceback" not in err
    assert "2 个文件中有 1 个导入失败" in err
    assert Speech.objects.count() == 1


def test_control_characters_up_to_one_in_a_hundred_are_text_and_one_more_is_not():
    assert decode_bytes(("讲" * 990 + "\x01" * 10).encode()) == ("讲" * 990 + "\x01" * 10, "utf-8")
    with pytest.raises(IngestError, match="控制字符太多"):
        decode_bytes(("讲" * 989 + "\x0b" * 11).encode())
    # Line breaks, tabs and form feeds are not counted.
    assert decode_bytes(("讲\t\f\r\n" * 100).encode("utf-16"))[1] == "utf-16"


def test_failed_reimport_leaves_the_archive_as_it_was(tmp_path):
    page = tmp_path / "page.txt"
    shutil.copy(SAMPLES / "compilation_basic.txt", page)
    run_import(page)
    before = list(Speech.objects.values_list("uid", "title", "body"))
    sections = Section.objects.count()
    page.write_bytes(b"\x00\x00binary now")
    _out, err, code = run_import(page)
    assert code == 1 and "二进制" in err
    assert list(Speech.objects.values_list("uid", "title", "body")) == before
    assert Section.objects.count() == sections


def test_missing_path_is_reported_not_raised(tmp_path):
    _out, err, code = run_import(tmp_path / "nowhere.txt")
    assert code == 1
    assert "无法读取文件" in err


def test_changed_page_updates_speeches_in_place_and_keeps_their_urls(tmp_path):
    page = tmp_path / "page.txt"
    shutil.copy(SAMPLES / "compilation_basic.txt", page)
    run_import(page)
    uids = list(Speech.objects.order_by("position").values_list("uid", flat=True))
    text = page.read_text(encoding="utf-8").replace("环境整治关系到", "环境整治工作关系到")
    page.write_text(text, encoding="utf-8")
    out, _err, code = run_import(page)
    assert code == 0
    assert "新建 0 篇，更新 1 篇，未变 2 篇" in out
    assert list(Speech.objects.order_by("position").values_list("uid", flat=True)) == uids
    assert "环境整治工作关系到" in Speech.objects.get(uid=uids[0]).body
    assert Source.objects.count() == 1


def test_curator_locked_title_survives_reimport(tmp_path):
    page = tmp_path / "page.txt"
    shutil.copy(SAMPLES / "compilation_basic.txt", page)
    run_import(page)
    speech = Speech.objects.get(position=1)
    speech.title = "街道环境整治工作会议上的讲话(校订)"
    speech.locked_fields = ["title"]
    speech.save()
    page.write_text(page.read_text(encoding="utf-8").replace("部署下一阶段", "安排下一阶段"), encoding="utf-8")
    run_import(page)
    speech.refresh_from_db()
    assert speech.title == "街道环境整治工作会议上的讲话(校订)"
    assert "安排下一阶段" in speech.body
