"""evaluate_extraction: one table over every gold file and corpus under ../shared, each
target met; and the command's handling of a single gold file and of bad input."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from speeches.evaluation.gold import (
    EVALUATIONS,
    city_rows,
    evaluate_gold,
    evaluate_shared,
    gold_region_code,
)
from speeches.ingest.pipeline import import_paths
from speeches.models import Speech
from tests.conftest import SHARED_DIR, shared_path

pytestmark = pytest.mark.django_db


@pytest.mark.shared
def test_the_seed_page_meets_the_extraction_targets():
    gold = json.loads(shared_path("eval", "seed_gold.json").read_text(encoding="utf-8"))
    (report,) = import_paths([shared_path("corpus", "seed", gold["source"])])
    assert report.ok, report.error
    result = evaluate_gold(gold)
    assert result.matched == len(gold["speeches"])
    assert result.region.rate >= 0.95
    assert result.official_precision.rate >= 0.95
    assert result.official_recall.rate >= 0.90
    assert result.topic.rate >= 0.95


@pytest.mark.shared
@pytest.mark.parametrize("relative", [relative for relative, _evaluate in EVALUATIONS])
def test_every_target_under_the_shared_folder_is_met(relative):
    """The seed page still exact; the city reports one speech per file with year, speaker,
    date and outline; national reports' speakers as header or resolution name them; CPC
    congress reports one speech per record with outline and named speaker."""
    shared_path(*relative.split("/"))
    evaluate = dict(EVALUATIONS)[relative]
    rows, errors = evaluate(SHARED_DIR)
    unmet = [f"{row.gold} {row.measure}: {row.value} (目标 {row.target})" for row in rows if row.met is False]
    assert not unmet, "\n".join(unmet + errors)
    measures = {row.measure: row for row in rows}
    if relative.endswith("city_reports_gold.json"):
        assert measures["每个文件恰导入一篇"].value == "143/143"
        assert measures["讲话人（报头署名者）"].value == "9/9"
        # The region of the body that reports: the gold as written, and with the errata
        # whose words the files still hold (each one listed among the errors).
        region_rows = [row for measure, row in measures.items() if measure.startswith("地区与金标准一致")]
        assert len(region_rows) == 1 and region_rows[0].met
        as_written = measures["地区与金标准原文一致（未勘误）"].value
        assert int(as_written.split("(")[1].split("/")[0]) >= 138, as_written
    if relative.endswith("cpc_congress_reports.jsonl"):
        assert measures["每条记录恰一篇"].value == "16/16"
        assert measures["地区为全国"].value == "16/16"


def test_the_shared_evaluations_name_what_is_absent(tmp_path):
    rows, errors, absent = evaluate_shared(tmp_path)
    assert not rows and not errors and len(absent) == len(EVALUATIONS)


@pytest.mark.shared
def test_the_command_prints_one_table_and_leaves_the_archive_as_it_was():
    out = StringIO()
    call_command("evaluate_extraction", str(shared_path("eval", "seed_gold.json")), stdout=out)
    text = out.getvalue()
    assert "| 金标准/语料" in text and "官员精确率" in text and "官员召回率" in text
    assert "未达标" not in text and "目标达标 7/7" in text
    assert Speech.objects.count() == 0


@pytest.mark.shared
def test_the_command_extracts_what_it_imports_when_imports_queue_extraction(settings):
    settings.EXTRACTION_ON_IMPORT = "queue"  # the default outside the tests
    out = StringIO()
    call_command("evaluate_extraction", str(shared_path("eval", "seed_gold.json")), stdout=out)
    assert "未达标" not in out.getvalue() and "目标达标 7/7" in out.getvalue()


@pytest.mark.shared
def test_the_command_keeps_the_imports_when_asked():
    call_command(
        "evaluate_extraction", str(shared_path("eval", "seed_gold.json")),
        source_dir=str(shared_path("corpus", "seed")), keep=True, stdout=StringIO(),
    )
    assert Speech.objects.filter(merged_into=None).count() == 14


def test_a_gold_file_without_speeches_is_refused(tmp_path):
    bad = tmp_path / "gold.json"
    bad.write_text('{"source": "x.txt"}', encoding="utf-8")
    with pytest.raises(CommandError, match="speeches"):
        call_command("evaluate_extraction", str(bad), stdout=StringIO())


def test_a_missing_shared_folder_is_named(tmp_path):
    with pytest.raises(CommandError, match="不存在"):
        call_command("evaluate_extraction", shared=str(tmp_path / "nowhere"), stdout=StringIO())


def test_gold_region_codes_are_read_as_the_archive_stores_them():
    assert gold_region_code("460200") == "4602"
    assert gold_region_code("310000") == "31"
    assert gold_region_code("429006") == "429006"


CITY_REPORT = (
    "各位代表：\n现在，我代表市人民政府，向大会报告工作，请予审议。\n一、2023年工作回顾\n"
    "过去一年，台州经济稳步回升，我市新增就业持续增加，全市上下团结奋斗，为台州发展打下了基础。\n"
    "二、2024年工作安排\n今年我们要为台州人民办好十件实事。"
)
NATIONAL_REPORT = (
    "各位代表：\n现在，我代表国务院，向大会报告政府工作，请予审议。\n一、2023年工作回顾\n"
    "过去一年，全国经济稳步回升。\n二、2024年政府工作任务\n今年要办好各项民生实事。"
)


@pytest.mark.parametrize(
    "text, as_written, corrected",
    [(CITY_REPORT, "100.0% (1/1)", "100.0% (1/1)"), (NATIONAL_REPORT, "0.0% (0/1)", "100.0% (1/1)")],
)
def test_a_city_gold_erratum_applies_only_where_the_file_holds_the_words_it_rests_on(tmp_path, text, as_written, corrected):
    (tmp_path / "台州.txt").write_text(text, encoding="utf-8")
    gold = tmp_path / "gold.json"
    report = {"file": "台州.txt", "region": {"code": "331000", "name": "台州市"}, "year": 2024}
    gold.write_text(json.dumps({"reports": [report]}, ensure_ascii=False), encoding="utf-8")

    rows, errors = city_rows(gold, tmp_path)

    measures = {row.measure.split("（")[0]: row for row in rows}
    assert measures["地区与金标准原文一致"].value.startswith(as_written + "：")
    assert measures["地区与金标准一致"].value == corrected
    assert measures["地区与金标准一致"].met
    assert any("勘误" in line for line in errors) == (as_written != corrected)
