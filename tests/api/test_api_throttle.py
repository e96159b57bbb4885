"""Anonymous clients are limited per minute, the API on one budget and the search page
with the feeds on another, counted for all server processes together (a cache in the
data folder); staff are not limited; behind a trusted proxy the client's own address
counts, an IPv6 client by its /64."""

import pytest
from django.contrib.auth.models import User
from django.test import RequestFactory

from speeches.clients import client_address, client_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def limit_of_three(settings):
    settings.API_ANON_RATE_PER_MINUTE = 3
    settings.SEARCH_ANON_RATE_PER_MINUTE = 3


def test_anonymous_client_past_the_limit_gets_429_with_retry_after(client, limit_of_three):
    statuses = [client.get("/api/speeches/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/topics/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert "请求过于频繁" in response.json()["error"]


def test_the_search_page_and_the_feeds_share_a_limit_of_their_own(client, limit_of_three):
    assert client.get("/search/", {"q": "防汛"}).status_code == 200
    assert client.get("/feeds/latest/").status_code == 200
    assert client.get("/feeds/search/", {"q": "防汛"}).status_code == 200
    for path in ("/search/?q=防汛", "/feeds/latest/", "/feeds/topics/agriculture/"):
        response = client.get(path)
        assert response.status_code == 429, path
        assert "请求过于频繁" in response.content.decode() and int(response["Retry-After"]) >= 1
    # The API's budget is its own.
    assert client.get("/api/speeches/").status_code == 200


def test_the_counts_live_in_the_shared_file_cache_every_process_reads(client, limit_of_three, settings):
    from django.core.cache import caches

    for _ in range(3):
        client.get("/api/speeches/")
    # Another process sees the same files: a fresh handle on the cache finds the count.
    caches["shared"].close()
    del caches["shared"]
    assert client.get("/api/speeches/").status_code == 429
    assert any(settings.CACHES["shared"]["LOCATION"].iterdir())


def test_other_addresses_have_their_own_count(client, limit_of_three):
    for _ in range(3):
        client.get("/api/speeches/")
    assert client.get("/api/speeches/", REMOTE_ADDR="10.0.0.9").status_code == 200


def test_staff_are_not_limited(client, limit_of_three):
    client.force_login(User.objects.create_user("curator", is_staff=True))
    assert {client.get("/api/speeches/").status_code for _ in range(5)} == {200}
    assert {client.get("/search/", {"q": "防汛"}).status_code for _ in range(5)} == {200}


def test_browse_pages_are_not_limited(client, limit_of_three):
    assert {client.get("/speeches/").status_code for _ in range(5)} == {200}


def test_cors_is_off_by_default(client):
    response = client.get("/api/speeches/", HTTP_ORIGIN="https://elsewhere.example")
    assert "Access-Control-Allow-Origin" not in response


def _request(remote, forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


def test_x_forwarded_for_is_ignored_without_trusted_proxies(settings):
    settings.TRUSTED_PROXIES = []
    assert str(client_address(_request("198.51.100.4", "203.0.113.9"))) == "198.51.100.4"


def test_behind_trusted_proxies_the_client_is_the_first_untrusted_address_from_the_right(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    # The client wrote a forged address first; the proxies appended the real one, then theirs.
    request = _request("127.0.0.1", "1.2.3.4, 203.0.113.9, 10.1.2.3")
    assert str(client_address(request)) == "203.0.113.9"
    # From an address that is not a proxy, the header is the client's own word: ignored.
    assert str(client_address(_request("198.51.100.4", "203.0.113.9"))) == "198.51.100.4"
    # A header the proxy passed on unreadable: the proxy's address, not a guess.
    assert str(client_address(_request("127.0.0.1", "not-an-address"))) == "127.0.0.1"


def test_forged_forwarded_addresses_do_not_escape_the_limit_behind_a_proxy(client, limit_of_three, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    statuses = [
        client.get("/api/speeches/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"10.9.9.{n}, 203.0.113.9").status_code
        for n in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    other = client.get("/api/speeches/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.10")
    assert other.status_code == 200


def test_an_ipv6_client_is_counted_by_its_64_network(settings):
    settings.TRUSTED_PROXIES = []
    one, other = _request("2001:db8:1:2::1"), _request("2001:db8:1:2:ffff:eeee:dddd:cccc")
    assert client_key(one) == client_key(other) == "2001:db8:1:2::/64"
    assert client_key(_request("2001:db8:1:3::1")) != client_key(one)
    assert client_key(_request("::ffff:203.0.113.9")) == "203.0.113.9"
    assert client_key(_request("203.0.113.9")) == "203.0.113.9"


@pytest.mark.slow
def test_three_gunicorn_workers_count_one_limit_together(tmp_path):
    """Before, each worker counted on its own: three workers let three times the limit in."""
    import threading
    import time

    from bench.load_test import get
    from tests.live_archive import Gunicorn, LiveArchive

    live = LiveArchive(tmp_path / "data").migrate()
    live.env.update(API_ANON_RATE_PER_MINUTE="10", SEARCH_ANON_RATE_PER_MINUTE="10")
    with Gunicorn(live, tmp_path / "gunicorn.log", workers=3) as server:
        if time.time() % 60 > 45:  # all requests inside one minute's window
            time.sleep(61 - time.time() % 60)
        statuses = []
        lock = threading.Lock()

        def client(path):
            for _ in range(10):
                status, _seconds = get(server.base_url, path)
                with lock:
                    statuses.append((path, status))

        threads = [threading.Thread(target=client, args=(path,)) for path in ("/api/speeches/", "/api/topics/") * 2]
        threads += [threading.Thread(target=client, args=(f"/search/?q=x{n}",)) for n in range(2)]
        threads += [threading.Thread(target=client, args=("/feeds/latest/",))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    api = [status for path, status in statuses if path.startswith("/api/")]
    pages = [status for path, status in statuses if not path.startswith("/api/")]
    assert sorted(set(api)) == [200, 429] and api.count(200) == 10, api
    assert sorted(set(pages)) == [200, 429] and pages.count(200) == 10, pages
