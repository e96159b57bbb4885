"""The management commands speak Chinese (their help and what they print), and draw a
progress bar for long work only for a person at a terminal: not into files, pipes or
tests, and not with --json, whose output keeps its shape."""

import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command, get_commands, load_command_class

from tests.conftest import FIXTURES_DIR
from tests.factories import make_speech

pytestmark = pytest.mark.django_db

SAMPLE = FIXTURES_DIR / "ingest" / "compilation_basic.txt"
OUR_COMMANDS = sorted(name for name, app in get_commands().items() if app == "speeches")
CJK = re.compile(r"[\u4e00-\u9fff]")
# Words an English sentence cannot do without; none belongs in a Chinese message.
ENGLISH_WORDS = re.compile(r"\b(the|and|of|to|is|are|with|from|for|into|speeches|files?|index)\b", re.IGNORECASE)


class Terminal(io.StringIO):
    """A stream that says it is a terminal, as a person's would."""

    def isatty(self):
        return True


def run(name, *args, terminal=False):
    """(stdout, stderr) of a command run with streams that are, or are not, a terminal."""
    stream = Terminal if terminal else io.StringIO
    out, err = stream(), stream()
    call_command(name, *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def assert_chinese(text, what):
    assert CJK.search(text), f"{what}: no Chinese in {text!r}"
    assert not ENGLISH_WORDS.search(text), f"{what}: English in {text!r}"


def test_the_archive_has_its_commands():
    assert {"import_speeches", "rebuild_index", "check_index", "annotate_speeches", "run_jobs"} <= set(OUR_COMMANDS)


@pytest.mark.parametrize("name", OUR_COMMANDS)
def test_every_command_explains_itself_and_its_options_in_chinese(name):
    parser = load_command_class("speeches", name).create_parser("manage.py", name)
    assert_chinese(parser.description, name)
    own = [action for action in parser._actions if action.help and action.dest not in _DJANGO_OPTIONS]
    for action in own:
        assert_chinese(action.help, f"{name} {action.dest}")


# Options every Django command has: Django's own help, in its own words.
_DJANGO_OPTIONS = {
    "help", "version", "verbosity", "settings", "pythonpath", "traceback", "no_color", "force_color", "skip_checks",
}


def test_import_reports_in_chinese():
    out, err = run("import_speeches", SAMPLE)
    assert err == ""
    lines = [line for line in out.splitlines() if line.strip() and not line.endswith(SAMPLE.name)]
    assert lines
    for line in lines:
        assert_chinese(line, "import_speeches")
    assert "新建 3 篇，更新 0 篇，未变 0 篇；合并重复副本 1 份" in out
    assert "分页 3" in out and "页尾推荐 3" in out


def test_a_failed_import_says_so_in_chinese(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    with pytest.raises(Exception) as failure:
        run("import_speeches", bad)
    assert_chinese(str(failure.value), "import_speeches failure")


def test_rebuild_check_and_annotate_report_in_chinese():
    make_speech(title="防汛工作会议讲话", body="同志们:\n今年要抓好防汛。")
    for name, args in (("rebuild_index", ()), ("check_index", ()), ("annotate_speeches", ())):
        out, err = run(name, *args)
        assert err == ""
        for line in out.splitlines():
            assert_chinese(line, name)


def test_long_commands_draw_no_progress_bar_when_not_on_a_terminal():
    make_speech()
    for name, args in (("import_speeches", (SAMPLE,)), ("rebuild_index", ()), ("annotate_speeches", ())):
        _out, err = run(name, *args)
        assert err == "", name


def test_long_commands_draw_a_progress_bar_on_a_terminal():
    make_speech()
    for name, args, label, drawn in (
        # An import counts speeches as they are stored (the number of a file's speeches is
        # known only once it is read); rebuild and re-extraction show how far they are.
        ("import_speeches", (SAMPLE,), "导入 compilation_basic.txt（第 1/1 个文件）", "篇讲话 [已用"),
        ("rebuild_index", (), "建立索引", "%|"),
        ("annotate_speeches", (), "重新抽取", "%|"),
    ):
        out, err = run(name, *args, terminal=True)
        assert label in err and drawn in err, (name, err)
        # The bar stays on the error stream: the report is printed whole on the output.
        assert "%|" not in out and "篇" in out, name
    assert run("annotate_speeches", terminal=True)[0] == run("annotate_speeches")[0]


def test_import_with_json_on_a_terminal_draws_no_bar_and_keeps_its_shape(tmp_path):
    plain, _err = run("import_speeches", "--json", SAMPLE)
    out, err = run("import_speeches", "--json", SAMPLE, terminal=True)
    assert err == ""
    (first,), (second,) = json.loads(plain), json.loads(out)
    assert set(first) == set(second) == {
        "path", "ok", "error", "source_id", "created", "updated", "unchanged", "duplicates_merged",
        "merged_with_archive", "near_duplicates", "debris_removed", "furniture_removed", "repairs", "warnings",
    }
    assert len(first["created"]) == 3 and second["unchanged"] == first["created"]


def test_commands_dir_holds_no_progress_code_of_its_own():
    # One helper draws every bar: no command imports tqdm itself.
    commands = Path(__file__).resolve().parent.parent / "speeches" / "management" / "commands"
    for path in commands.glob("*.py"):
        assert "tqdm" not in path.read_text(encoding="utf-8"), path.name
