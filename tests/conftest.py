import os
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
SHARED_DIR = Path(os.environ.get("ARCHIVE_SHARED_DIR", PROJECT_DIR.parent / "shared"))
FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"


def shared_path(*parts):
    """A file under ../shared, or skip the test with the reason where it is absent."""
    path = SHARED_DIR.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: this test reads the project's shared corpus (../shared)")
    return path


@pytest.fixture(autouse=True)
def search_index_dir(settings, tmp_path):
    """Each test gets its own empty search index directory."""
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    return settings.SEARCH_INDEX_DIR


@pytest.fixture(autouse=True)
def api_unthrottled(settings):
    """The whole suite talks to the API, search and feeds from one address; the limits
    have their own tests."""
    settings.API_ANON_RATE_PER_MINUTE = 0
    settings.SEARCH_ANON_RATE_PER_MINUTE = 0


@pytest.fixture(autouse=True)
def data_dir_of_its_own(settings, tmp_path):
    """What the archive writes in its data folder for other processes (the shared cache,
    the spool of searches and uploads) goes to the test's own folder, in the same kind
    of store as in production."""
    settings.CACHES = {
        **settings.CACHES,
        "shared": {**settings.CACHES["shared"], "LOCATION": tmp_path / "cache" / "shared"},
    }
    settings.SPOOL_DIR = tmp_path / "spool"


@pytest.fixture(autouse=True)
def plain_http(settings):
    """Tests speak plain HTTP to the test client and live server, as `make run` does."""
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture(scope="session", autouse=True)
def plain_http_live_server():
    """The same for pytest-django's live server: a session fixture whose middleware is
    built when it starts, before any function-scoped setting takes effect."""
    from django.test import override_settings

    with override_settings(SECURE_SSL_REDIRECT=False):
        yield
