"""What the benchmark scripts share: where the corpora are, a Django set up on a
scratch data directory, percentiles and timing."""

import os
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
SHARED_DIR = Path(os.environ.get("ARCHIVE_SHARED_DIR", PROJECT_DIR.parent / "shared"))
REPORTS = SHARED_DIR / "corpus" / "gov_work_reports" / "government_work_reports.jsonl"
SEED_PAGE = SHARED_DIR / "corpus" / "seed" / "000_90d96380ab40a5b4.txt"


def setup_django(data_dir, migrate=True):
    """Django on its own data directory (database, index, caches), never var/."""
    os.environ["ARCHIVE_DATA_DIR"] = str(data_dir)
    for name in ("DATABASE_URL", "SEARCH_INDEX_DIR"):
        os.environ.pop(name, None)
    # The test client speaks plain HTTP to host "testserver", unthrottled.
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ["API_ANON_RATE_PER_MINUTE"] = "0"
    os.environ["SEARCH_ANON_RATE_PER_MINUTE"] = "0"
    os.environ["DEBUG"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "archive.settings"
    if str(PROJECT_DIR) not in sys.path:
        sys.path.insert(0, str(PROJECT_DIR))
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def percentile(values, fraction):
    """Nearest-rank percentile of a non-empty sequence."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def summary_ms(seconds):
    """p50/p95/p99/max in milliseconds of a list of durations in seconds."""
    if not seconds:
        return None
    return {
        "n": len(seconds),
        "p50": percentile(seconds, 0.50) * 1000,
        "p95": percentile(seconds, 0.95) * 1000,
        "p99": percentile(seconds, 0.99) * 1000,
        "max": max(seconds) * 1000,
    }


def timed(func, *args, **kwargs):
    """(seconds, result) of one call."""
    started = time.perf_counter()
    result = func(*args, **kwargs)
    return time.perf_counter() - started, result


def directory_size(path):
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())
