"""/robots.txt and /favicon.ico: the files clients ask for at the root of the site."""

import re
import struct

import pytest
from django.urls import get_resolver, reverse

from tests.factories import make_speech

pytestmark = pytest.mark.django_db


def disallowed_patterns(robots):
    return [line.split(":", 1)[1].strip() for line in robots.splitlines() if line.startswith("Disallow:")]


def is_disallowed(path, patterns):
    """As crawlers read a Disallow line: a prefix, where * stands for any characters."""
    return any(re.match(".*".join(map(re.escape, pattern.split("*"))), path) for pattern in patterns)


def test_robots_txt_points_crawlers_at_the_sitemap(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    robots = response.content.decode()
    assert robots.startswith("User-agent: *\n")
    assert "Sitemap: http://testserver/sitemap.xml" in robots.splitlines()


def test_robots_txt_keeps_crawlers_out_of_the_admin_the_api_searches_and_downloads(client):
    speech = make_speech()
    patterns = disallowed_patterns(client.get("/robots.txt").content.decode())

    kept_out = [
        reverse("admin:index"),
        reverse("admin:speeches_speech_changelist"),
        reverse("speeches:search") + "?q=防汛",
        reverse("speeches:feed_search") + "?q=防汛",
        reverse("speeches:speech_text", args=[speech.uid]),
        reverse("speeches:speech_docx", args=[speech.uid]),
        reverse("speeches:api_speech_detail", args=[speech.uid]),
        reverse("speeches:api_schema"),
        reverse("speeches:api_speech_reuse", args=[speech.uid]),
        reverse("speeches:trends") + "?q=防汛",
        reverse("speeches:compare", args=[speech.uid, speech.uid]),
    ]
    assert [path for path in kept_out if not is_disallowed(path, patterns)] == []
    # Every API address without arguments, including any added later.
    _prefix, speeches_urls = get_resolver().namespace_dict["speeches"]
    api_names = [name for name in speeches_urls.reverse_dict if isinstance(name, str) and name.startswith("api_")]
    assert len(api_names) >= 6
    for name in api_names:
        if name not in ("api_speech_detail", "api_speech_reuse"):  # these take a speech's id
            assert is_disallowed(reverse(f"speeches:{name}"), patterns), name


def test_robots_txt_lets_crawlers_read_the_public_pages(client):
    speech = make_speech()
    patterns = disallowed_patterns(client.get("/robots.txt").content.decode())

    public = ["/", "/regions/", "/topics/", "/years/", "/speeches/", speech.get_absolute_url(), "/sitemap.xml", "/feeds/latest/"]
    assert [path for path in public if is_disallowed(path, patterns)] == []


def test_favicon_ico_is_the_site_icon_in_three_sizes(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert "max-age=86400" in response["Cache-Control"]
    icon = response.content
    reserved, kind, count = struct.unpack_from("<HHH", icon)
    assert (reserved, kind) == (0, 1)
    sizes = []
    for entry in range(count):
        width, _height, _colours, _reserved, _planes, _bits, length, offset = struct.unpack_from("<BBBBHHII", icon, 6 + 16 * entry)
        assert icon[offset : offset + 8] == b"\x89PNG\r\n\x1a\n" and offset + length <= len(icon)
        sizes.append(width)
    assert sizes == [16, 32, 48]


def test_pages_link_the_icon_as_svg_and_as_ico(client):
    html = client.get("/").content.decode()

    assert '<link rel="icon" href="/favicon.ico" sizes="32x32">' in html
    assert re.search(r'<link rel="icon" href="/static/favicon[^"]*\.svg" type="image/svg\+xml">', html)


def test_root_files_refuse_to_be_posted_to(client):
    assert client.post("/robots.txt").status_code == 405
    assert client.post("/favicon.ico").status_code == 405
