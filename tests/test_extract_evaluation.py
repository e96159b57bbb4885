import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from speeches.extract.evaluation import evaluate_gold, evaluate_reports
from speeches.ingest.pipeline import import_paths
from tests.conftest import shared_path

pytestmark = pytest.mark.shared


@pytest.mark.django_db
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


@pytest.mark.django_db
def test_the_evaluation_command_imports_the_source_and_prints_the_figures():
    gold = shared_path("eval", "seed_gold.json")
    out = StringIO()
    call_command("evaluate_extraction", str(gold), source_dir=str(shared_path("corpus", "seed")), stdout=out)
    text = out.getvalue()
    assert "地区" in text and "精确率" in text and "召回率" in text
    assert "未达标" not in text


def test_the_national_reports_are_national_and_name_their_premier():
    result = evaluate_reports(shared_path("corpus", "gov_work_reports", "government_work_reports.jsonl"))
    assert result.rows == result.national.total
    assert result.national.rate >= 0.95
    assert result.speaker_found.rate >= 0.95
    assert result.speaker_agrees.total and result.speaker_agrees.rate >= 0.95


@pytest.mark.django_db
def test_a_gold_file_without_speeches_is_refused(tmp_path):
    bad = tmp_path / "gold.json"
    bad.write_text('{"source": "x.txt"}', encoding="utf-8")
    with pytest.raises(CommandError, match="speeches"):
        call_command("evaluate_extraction", str(bad), stdout=StringIO())
