"""The demo corpus `make run` imports: written as Chinese documents are (full-width
punctuation), dated, spread over provinces and topics, so every browse page has something
to show a newcomer."""

import re

import pytest

from speeches.models import Speech
from tests.conftest import PROJECT_DIR

pytestmark = pytest.mark.django_db

# A half-width , : ; ( ) ! ? touching a Chinese character.
HALF_WIDTH_BY_CHINESE = re.compile(r"[\u4e00-\u9fff][,:;()!?]|[,:;()!?][\u4e00-\u9fff]")


def test_the_demo_files_use_full_width_punctuation():
    files = sorted((PROJECT_DIR / "demo").iterdir())
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert "，" in text and "：" in text, path.name
        assert HALF_WIDTH_BY_CHINESE.findall(text) == [], path.name


def test_the_demo_speeches_have_years_regions_and_topics(demo):
    speeches = Speech.objects.published()
    years = set(speeches.exclude(year=None).values_list("year", flat=True))
    provinces = {speech.region.ancestors()[0].name for speech in speeches.exclude(region=None)}
    topics = set(speeches.values_list("topics__name", flat=True)) - {None}
    assert len(years) >= 5 and not speeches.filter(year=None).exists()
    assert len(provinces) >= 5
    assert len(topics) >= 5


def test_the_browse_pages_show_the_demo_years_regions_and_topics(client, demo):
    speeches = Speech.objects.published()
    years = client.get("/years/").content.decode()
    for year in set(speeches.values_list("year", flat=True)):
        assert f'href="/years/{year}/"' in years
    assert 'href="/years/unknown/"' not in years
    regions = client.get("/regions/").content.decode()
    for speech in speeches.exclude(region=None):
        assert f'href="{speech.region.ancestors()[0].get_absolute_url()}"' in regions
    topics = client.get("/topics/").content.decode()
    for speech in speeches:
        for topic in speech.topics.all():
            assert f'href="{topic.get_absolute_url()}"' in topics
