"""The README's import examples stay true: its table of column names is the importer's,
and its sample rows import as it says."""

import re

import pytest

from speeches.ingest.pipeline import import_paths
from speeches.ingest.records import DEFAULT_FIELD_MAP, parse_field_map
from speeches.models import Speech
from tests.conftest import PROJECT_DIR

README = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")


def code_block(language):
    return re.search(rf"```{language}\n(.*?)```", README, re.S)[1]


def test_the_readme_lists_exactly_the_column_names_the_importer_recognises():
    rows = re.findall(r"^\| `(\w+)` \| (`[^|]+`) \| [^|]+ \|$", README, re.M)
    listed = {field: tuple(re.findall(r"`([^`]+)`", columns)) for field, columns in rows}

    assert listed == DEFAULT_FIELD_MAP


def test_the_readme_field_map_example_names_fields_the_importer_knows():
    spec = re.search(r"import_speeches --map (\S+) ", README)[1]

    field_map = parse_field_map(spec)

    assert field_map["title"] == ("题目",) and field_map["date"] == ("发布时间",)


@pytest.mark.django_db
def test_the_readme_sample_rows_import_with_their_titles_and_dates(tmp_path):
    (tmp_path / "sample.csv").write_text(code_block("csv"), encoding="utf-8")
    (tmp_path / "sample.jsonl").write_text(code_block("json"), encoding="utf-8")

    reports = import_paths([tmp_path])

    assert len(reports) == 2 and not any(report.error for report in reports)
    speeches = {speech.title: speech for speech in Speech.objects.all()}
    assert str(speeches["在全县防汛工作会议上的讲话"].date) == "2024-06-12"
    assert speeches["2024年县政府工作报告"].year == 2024
    assert speeches["在全县防汛工作会议上的讲话"].body.startswith("同志们：今年入汛以来，")
