"""A 5-second run of the load test (bench/load_test.py): a throwaway archive under
gunicorn answers every request of the mix, search and speech pages alike, without an
error. The 60-second run and its figures are in docs/reliability.md; they are not part of the suite."""

import json
import subprocess
import sys

import pytest

from tests.conftest import PROJECT_DIR

pytestmark = pytest.mark.slow


def test_a_short_load_run_answers_every_request_without_error():
    result = subprocess.run(
        [sys.executable, "-m", "bench.load_test", "--duration", "5", "--speeches", "60", "--clients", "4", "--json"],
        cwd=PROJECT_DIR, capture_output=True, text=True, timeout=300,
    )
    report = json.loads(result.stdout)
    print(f"{report['requests_per_s']} requests/s, {report['errors']} errors")
    assert result.returncode == 0, result.stdout + result.stderr
    assert report["errors"] == 0, report["error_samples"]
    assert report["server_log_errors"] == []
    assert set(report["by_kind"]) == {"search_page", "search_api", "speech_page"}
    assert all(row["requests"] > 0 for row in report["by_kind"].values())
