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
def extraction_at_once(settings):
    """An import extracts each speech in its own transaction, so a test reads the regions
    and topics of what it just imported; the extraction queue's tests set "queue"."""
    settings.EXTRACTION_ON_IMPORT = "at_once"


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


@pytest.fixture
def index_at_once(settings):
    """Every saved speech reaches the search index before the save returns (in production
    it does after its transaction commits), so a test can search what it just wrote."""
    settings.SEARCH_INDEX_UPDATES = "immediate"


@pytest.fixture
def curator(client):
    """The test client signed in as a member of the curators' group."""
    from tests.curation_helpers import logged_in

    return logged_in(client, "curator")


@pytest.fixture
def demo(settings):
    """The demo compilation imported (and indexed), and what the browser tests need to know
    of its spring-farming speech (placed in a county, outlined, on one topic), read now:
    while Playwright's sync API runs its event loop in the test's thread, Django refuses
    database calls there."""
    from types import SimpleNamespace

    from speeches.extract.annotate import ensure_topics
    from speeches.extract.gazetteer import load_regions
    from speeches.ingest.pipeline import import_paths
    from speeches.models import Region, Section, Speech

    settings.SEARCH_INDEX_UPDATES = "immediate"
    # An earlier transactional test may have flushed what the migrations load.
    load_regions(Region)
    ensure_topics()
    import_paths([PROJECT_DIR / "demo"])
    speech = Speech.objects.published().get(title="全县春季农业生产工作会议讲话")
    assert speech.region is not None and speech.sections.count() >= 4 and speech.topics.exists()
    return SimpleNamespace(
        speech_id=speech.pk,
        url=speech.get_absolute_url(),
        title=speech.title,
        year=speech.year,
        regions=[region.name for region in speech.region.ancestors()],
        province=speech.region.ancestors()[0],
        sections={section.heading: section for section in Section.objects.filter(speech=speech)},
        topic=speech.topics.first(),
    )


@pytest.fixture
def staff_archive(demo):
    """The demo archive as curators find it after a day's work, for the browser tests of
    the admin: an upload imported by the job worker (its job page with a report), the
    importer's flags in the review queue, a search logged; and the session cookie of a
    superuser (no password: the browser is handed the cookie). Written before the browser's
    event loop starts."""
    from types import SimpleNamespace

    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from speeches import jobs
    from speeches.curation import upload
    from speeches.models import Job, ReviewItem, SearchQueryLog, Speech

    sample = FIXTURES_DIR / "ingest" / "compilation_basic.txt"
    job = upload.queue_import([SimpleUploadedFile("汇编.txt", sample.read_bytes())], Speech.DRAFT)
    jobs.work(once=True)
    SearchQueryLog.record("春耕", 2)
    SearchQueryLog.record("没有的词", 0)
    user = get_user_model().objects.create_superuser("馆员甲", "staff@example.org", password=None)
    client = Client()
    client.force_login(user)
    assert Job.objects.get(pk=job.pk).status == Job.DONE
    assert ReviewItem.objects.filter(status=ReviewItem.PENDING).exists()
    repair = ReviewItem.objects.filter(status=ReviewItem.PENDING, field=ReviewItem.REPAIR).first()
    return SimpleNamespace(
        cookies=[{"name": name, "value": morsel.value} for name, morsel in client.cookies.items()],
        speech_id=demo.speech_id,
        job_url=Job.objects.get(pk=job.pk).get_absolute_url(),
        fix_url=f"/admin/speeches/reviewitem/{repair.pk}/fix/",
    )


@pytest.fixture
def staff_browser(staff_archive):
    """Chromium for the admin's browser tests, started after staff_archive has written its
    data (Django refuses database calls while Playwright's event loop runs)."""
    from tests.browser import launched

    with launched() as browser:
        yield browser
