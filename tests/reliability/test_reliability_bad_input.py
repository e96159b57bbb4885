"""Bad input loses nothing: each broken file fails alone with a clear message naming it,
the database and the search index stay exactly as they were, the other files of the batch
import, and import_speeches exits with status 1.

The cases the older import tests already cover at the database level (empty, blank and
binary files, broken UTF-8, debris only, a .docx that is not a zip, a zip bomb) are run
again here through the real command in a process of its own, where the index and the
exit status are checked too; the matrix adds the cases that had no test."""

import io
import subprocess
import time
import zipfile
from pathlib import Path

import docx
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from speeches import search
from speeches.ingest.pipeline import MAX_PAGE_BYTES, MAX_SPEECH_CHARS, import_paths
from speeches.models import PendingExtraction, PendingIndexUpdate, Section, Source, Speech
from tests.conftest import PROJECT_DIR
from tests.live_archive import LiveArchive

# A page in the compilation format, written for these tests.
GOOD_PAGE = """社区工作讲话选编(2篇)
时间:2023-04-02 10:00:00 作者:测试整理

在社区垃圾分类推进会上的讲话

同志们:

垃圾分类是一件小事,也是一件大事。今年要做到每个小区都有分类投放点。

一、把宣传做到每家每户。

志愿者要上门讲解,让居民知道厨余垃圾和其他垃圾怎么分。

二、把设施配齐配好。

各小区要在六月底前完成投放点改造。

在社区老年食堂开业仪式上的讲话

各位老人、同志们:

老年食堂今天开业了。我们要让老人吃得放心、吃得实惠。

食堂要公开菜价,每周听取老人的意见。
"""

# The file that follows a bad one in the batch: it must import all the same.
NEXT_PAGE = """在全镇候鸟保护工作会议上的讲话

同志们:

每年秋天,成群的候鸟经过我们镇的湿地。保护候鸟,就是保护我们自己的家园。

要组织巡护队,在迁徙季节每天巡查湿地。
"""

# Words that occur only in the bad files: if any of them is ever searchable, a bad file
# leaked into the index.
BAD_WORD = "坏文件专用词"
BAD_SPEECH = f"""在全县防汛演练总结会上的讲话

同志们:

今天的演练检验了{BAD_WORD}的各项预案。各乡镇要把问题逐条整改到位。

防汛物资要在五月底前全部入库,抢险队伍要做到随叫随到。
"""


def bad_page_text(n_paragraphs=40):
    """A long page of one speech, with the bad-file word in it."""
    lines = ["在全县防汛演练总结会上的讲话", "", "同志们:", ""]
    for i in range(n_paragraphs):
        lines += [f"第{i + 1}项:{BAD_WORD}要落实到人,防汛物资要按时入库,抢险队伍要随叫随到。", ""]
    return "\n".join(lines)


def truncated_utf8(path):
    # A download cut inside the last character.
    raw = bad_page_text().rstrip().encode("utf-8")
    assert raw.endswith("。".encode())
    path.write_bytes(raw[:-1])


def mixed_encodings(path):
    # Two halves pasted together from differently encoded pages.
    text = bad_page_text()
    half = len(text) // 2
    path.write_bytes(text[:half].encode("utf-8") + text[half:].encode("gbk"))


def nul_after_the_first_kilobytes(path):
    raw = bad_page_text(80).encode("utf-8")
    assert len(raw) > 4096
    path.write_bytes(raw + b"\x00\x00tail")


def html_of_scripts_only(path):
    scripts = "".join(
        f"<script>document.write('{BAD_WORD} {i}');var x{i} = '<p>not text</p>';</script>" for i in range(200)
    )
    path.write_text(
        f"<html><head><title>{BAD_WORD}</title>{scripts}</head>"
        f"<body>{scripts}<noscript>{BAD_WORD}</noscript><style>p {{ color: red }}</style></body></html>",
        encoding="utf-8",
    )


def zip_bomb(path):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("speech.txt", BAD_SPEECH.encode() + b" " * (30 * 1024 * 1024))


def docx_bomb(path):
    """A real .docx whose document part swells to 30 MB when unpacked."""
    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph(BAD_WORD)
    document.save(buffer)
    package = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in package.infolist():
            data = package.read(info)
            if info.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body>" + b" " * (30 * 1024 * 1024))
            bomb.writestr(info.filename, data)


def compilation_without_titles(path):
    # A page header, then prose: no title line, no salutation, nothing that starts a speech.
    path.write_text(
        "讲话稿精选(5篇)\n时间:2023-05-06 08:00:00 作者:测试\n\n"
        + "\n\n".join(f"{BAD_WORD}第{i}段,这里只有叙述的文字,没有标题也没有称呼。" for i in range(10)),
        encoding="utf-8",
    )


def docx_that_is_not_a_zip(path):
    path.write_text(BAD_SPEECH, encoding="utf-8")


def records_with_an_escaped_nul(path):
    path.write_text(
        '{"title": "在全县防汛演练总结会上的讲话", "text": "' + BAD_WORD + '\\u0000演练结束。"}\n', encoding="utf-8"
    )


MATRIX = [
    ("truncated.txt", truncated_utf8, "既不是 UTF-8 也不是 GB18030"),
    ("mixed.txt", mixed_encodings, "混用了编码"),
    ("late_nul.txt", nul_after_the_first_kilobytes, "字节是 NUL"),
    ("scripts.html", html_of_scripts_only, "除了脚本、样式和导航之外没有文字"),
    ("bomb.zip", zip_bomb, "压缩炸弹"),
    ("bomb.docx", docx_bomb, "压缩炸弹"),
    ("untitled.txt", compilation_without_titles, "找不到讲话"),
    ("not_a_zip.docx", docx_that_is_not_a_zip, "不是 Word .docx 文件"),
    ("nul.jsonl", records_with_an_escaped_nul, "含有 NUL 字符"),
]


def run_import(*paths):
    """import_speeches in this process; returns (stdout, stderr, exit status)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_speeches", *map(str, paths), stdout=out, stderr=err)
        code = 0
    except CommandError as exc:
        err.write(str(exc))
        code = exc.returncode
    return out.getvalue(), err.getvalue(), code


def snapshot():
    """What a failed import must leave as it was: rows, and the index entry by entry."""
    drift = search.check()
    return {
        "sources": sorted(Source.objects.values_list("pk", "raw_sha256")),
        "speeches": sorted(Speech.objects.values_list("pk", "uid", "title", "content_hash", "status")),
        "sections": Section.objects.count(),
        "queued": PendingIndexUpdate.objects.count(),
        "index_in_step": drift.ok,
        "indexed": drift.checked,
        "found": search.matching_ids({"q": "垃圾分类"}),
    }


@pytest.fixture
def archive(tmp_path, django_capture_on_commit_callbacks):
    """An archive holding GOOD_PAGE, its index applied after each commit as in production."""
    page = tmp_path / "good.txt"
    page.write_text(GOOD_PAGE, encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        _out, err, code = run_import(page)
    assert code == 0, err
    assert Speech.objects.count() == 2
    return django_capture_on_commit_callbacks


@pytest.mark.django_db
def test_a_failed_file_is_named_while_older_extractions_have_failed_too(archive, tmp_path):
    PendingExtraction.objects.create(speech=Speech.objects.first(), error="RuntimeError: 上次抽取失败")
    name, write, message = MATRIX[0]
    bad = tmp_path / name
    write(bad)

    with archive(execute=True):
        _out, err, code = run_import(bad)

    assert code == 1
    assert f"{bad}：导入失败：" in err and message in err, err
    assert "1 个文件中有 1 个导入失败" in err and "抽取失败" in err, err


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "write", "message"), MATRIX, ids=[case[0] for case in MATRIX])
def test_a_bad_file_fails_alone_and_leaves_database_and_index_unchanged(archive, tmp_path, name, write, message):
    before = snapshot()
    assert before["index_in_step"] and before["indexed"] == 2 and len(before["found"]) == 1
    bad = tmp_path / name
    write(bad)
    following = tmp_path / "next.txt"
    following.write_text(NEXT_PAGE, encoding="utf-8")

    with archive(execute=True):
        out, err, code = run_import(bad, following)

    assert code == 1
    assert f"{bad}：导入失败：" in err and message in err, err
    assert "Traceback" not in err + out
    assert "2 个文件中有 1 个导入失败" in err
    # The next file imported and is searchable...
    assert search.matching_ids({"q": "候鸟"}) == set(Speech.objects.filter(title__contains="候鸟").values_list("pk", flat=True))
    assert len(search.matching_ids({"q": "候鸟"})) == 1
    # ...and apart from it nothing changed, in the database or in the index.
    Speech.objects.filter(title__contains="候鸟").delete()
    Source.objects.filter(path__endswith="next.txt").delete()
    with archive(execute=True):
        pass
    assert snapshot() == before
    assert search.matching_ids({"q": BAD_WORD}) == set()


@pytest.mark.django_db
def test_a_gbk_page_imports_with_its_encoding_recorded(tmp_path):
    page = tmp_path / "gbk.txt"
    page.write_bytes(NEXT_PAGE.encode("gbk"))
    (report,) = import_paths([page])
    assert report.ok, report.error
    speech = Speech.objects.get()
    assert speech.title == "在全镇候鸟保护工作会议上的讲话"
    assert "成群的候鸟" in speech.body
    assert Source.objects.get().encoding == "gb18030"


@pytest.mark.django_db
def test_a_compilation_whose_speeches_have_no_titles_imports_them_under_the_page_title(tmp_path):
    page = tmp_path / "untitled.txt"
    page.write_text(
        "街道讲话精选(2篇)\n时间:2023-05-06 08:00:00 作者:测试\n\n"
        "同志们:\n\n今天研究老旧小区加装电梯的事。\n\n各社区要摸清有意愿的楼栋。\n\n第一批要在年底前开工。\n\n"
        "同志们:\n\n今天再讲一讲夜市的管理。\n\n摊位要统一编号,油烟要集中处理。\n",
        encoding="utf-8",
    )
    (report,) = import_paths([page])
    assert report.ok, report.error
    assert len(report.created) == 2
    assert sum("没有标题行" in w for w in report.warnings) == 2
    assert set(Speech.objects.values_list("title", flat=True)) == {"街道讲话"}


@pytest.mark.django_db
def test_a_speech_longer_than_any_real_one_is_refused(tmp_path):
    records = tmp_path / "huge.jsonl"
    records.write_text(
        '{"title": "一条过长的记录", "text": "%s"}\n' % ("很长的正文。" * (MAX_SPEECH_CHARS // 6 + 1)), encoding="utf-8"
    )
    (report,) = import_paths([records])
    assert not report.ok
    assert "最多接受" in report.error and "一条过长的记录" in report.error
    assert Speech.objects.count() == 0


# Real processes -------------------------------------------------------------------


def write_batch(folder):
    """Every bad case the issue lists, in one folder with two good files between them."""
    folder.mkdir()
    (folder / "a_empty.txt").write_bytes(b"")
    (folder / "b_binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50)
    (folder / "c_good.txt").write_text(GOOD_PAGE, encoding="utf-8")
    (folder / "d_gbk.txt").write_bytes(NEXT_PAGE.encode("gbk"))
    for name, write, _message in MATRIX:
        write(folder / f"e_{name}")
    return folder


@pytest.mark.slow
def test_the_real_command_reports_every_bad_file_and_imports_the_good_ones(tmp_path):
    live = LiveArchive(tmp_path / "data").migrate()
    batch = write_batch(tmp_path / "batch")

    result = live.manage("import_speeches", str(batch))

    assert result.returncode == 1
    failed = [line for line in result.stderr.splitlines() if "：导入失败：" in line]
    assert len(failed) == 2 + len(MATRIX), result.stderr
    for name in ["a_empty.txt", "b_binary.txt"] + [f"e_{case[0]}" for case in MATRIX]:
        assert any(line.startswith(str(batch / name)) for line in failed), name
    assert "Traceback" not in result.stderr
    assert f"{4 + len(MATRIX)} 个文件中有 {2 + len(MATRIX)} 个导入失败" in result.stderr
    assert live.count_speeches() == 3
    check = live.manage("check_index")
    assert check.returncode == 0, check.stdout + check.stderr
    assert live.search_total("候鸟") == 1 and live.search_total("垃圾分类") == 1
    assert live.search_total(BAD_WORD) == 0


@pytest.mark.slow
def test_a_50_mb_page_is_refused_at_once_with_little_memory(tmp_path):
    live = LiveArchive(tmp_path / "data").migrate()
    big = tmp_path / "big.txt"
    paragraph = ("各乡镇要把防汛责任落实到村、落实到人,物资要提前入库。" * 20 + "\n\n").encode("utf-8")
    with big.open("wb") as out:
        out.write("在全县防汛工作会议上的讲话\n\n同志们:\n\n".encode())
        while out.tell() < 50 * 1024 * 1024:
            out.write(paragraph)
    following = tmp_path / "next.txt"
    following.write_text(NEXT_PAGE, encoding="utf-8")
    assert big.stat().st_size > MAX_PAGE_BYTES

    started = time.monotonic()
    with (tmp_path / "out.log").open("w") as out, (tmp_path / "err.log").open("w") as err:
        process = subprocess.Popen(
            live.manage_args("import_speeches", str(big), str(following)),
            cwd=PROJECT_DIR, env=live.env, stdout=out, stderr=err,
        )
        peak_kb = 0
        deadline = time.monotonic() + 300  # a hung import fails, never hangs CI
        while process.poll() is None and time.monotonic() < deadline:
            peak_kb = max(peak_kb, _high_water_kb(process.pid))
            time.sleep(0.01)
        if process.poll() is None:
            process.kill()
        status = process.wait()
    elapsed = time.monotonic() - started
    peak_mb = peak_kb / 1024
    print(f"50 MB page: refused in {elapsed:.1f} s, peak memory {peak_mb:.0f} MB")
    stdout, stderr = (tmp_path / "out.log").read_text(), (tmp_path / "err.log").read_text()

    assert status == 1
    assert f"{big}：导入失败：页面有 50.0 MB" in stderr
    assert "Traceback" not in stderr
    assert str(following) in stdout
    assert live.count_speeches() == 1
    # Django, the segmenter and the 50 MB read: far below what parsing the page would take.
    assert 0 < peak_mb < 1024


def _high_water_kb(pid):
    # The process's own peak (VmHWM), sampled while it runs: getrusage() would also count
    # what the forking test process held before the exec.
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0
