"""A new reader finds any speech of the seed page from the home page in at most three
clicks, going through region pages or through topic pages."""

import re
from collections import deque
from urllib.parse import urldefrag

import pytest
from django.urls import reverse

from speeches.ingest.pipeline import import_paths
from speeches.models import Speech
from tests.conftest import shared_path

pytestmark = [pytest.mark.django_db, pytest.mark.shared]

MAX_CLICKS = 3
SPEECH_LINK = re.compile(r"^/speeches/([0-9a-f]+)/$")


def links(html):
    """Same-site paths (with their query, without the fragment) linked from a page."""
    found = []
    for href in re.findall(r'<a\b[^>]*\bhref="([^"]+)"', html):
        path = urldefrag(href.replace("&amp;", "&")).url
        if path.startswith("/") and not path.startswith("//"):
            found.append(path)
    return found


def speeches_within_clicks(client, browse_prefix):
    """{uid: clicks} for the speeches reachable from the home page in at most MAX_CLICKS
    clicks, opening only browse pages under `browse_prefix` on the way."""
    reached = {}
    seen = {"/"}
    queue = deque([("/", 0)])
    while queue:
        path, clicks = queue.popleft()
        response = client.get(path)
        assert response.status_code == 200, path
        for target in links(response.content.decode()):
            match = SPEECH_LINK.match(target)
            if match:
                # Only links on region (topic) pages count, not the home page's latest list.
                if path.startswith(browse_prefix):
                    reached.setdefault(match.group(1), clicks + 1)
            elif target.startswith(browse_prefix) and target not in seen and clicks + 1 < MAX_CLICKS:
                seen.add(target)
                queue.append((target, clicks + 1))
    return reached


@pytest.fixture
def seed_speeches():
    import_paths([shared_path("corpus", "seed")])
    published = list(Speech.objects.published().values_list("uid", flat=True))
    assert published
    # Extraction runs in the importer: without it there would be nothing to browse by.
    assert Speech.objects.published().exclude(region=None).exists()
    assert Speech.objects.published().exclude(topics=None).exists()
    return published


def test_every_seed_speech_is_within_three_clicks_by_region(client, seed_speeches):
    reached = speeches_within_clicks(client, reverse("speeches:region_list"))

    assert set(seed_speeches) <= set(reached)
    assert max(reached[uid] for uid in seed_speeches) <= MAX_CLICKS


def test_every_seed_speech_is_within_three_clicks_by_topic(client, seed_speeches):
    reached = speeches_within_clicks(client, reverse("speeches:topic_list"))

    assert set(seed_speeches) <= set(reached)
    assert max(reached[uid] for uid in seed_speeches) <= MAX_CLICKS
