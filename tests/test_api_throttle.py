"""Anonymous API clients are limited per minute; staff are not; pages are not limited."""

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache

pytestmark = pytest.mark.django_db


@pytest.fixture
def limit_of_three(settings):
    cache.clear()
    settings.API_ANON_RATE_PER_MINUTE = 3
    yield
    cache.clear()


def test_anonymous_client_past_the_limit_gets_429_with_retry_after(client, limit_of_three):
    statuses = [client.get("/api/speeches/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/topics/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert "请求过于频繁" in response.json()["error"]


def test_other_addresses_have_their_own_count(client, limit_of_three):
    for _ in range(3):
        client.get("/api/speeches/")
    assert client.get("/api/speeches/", REMOTE_ADDR="10.0.0.9").status_code == 200


def test_staff_are_not_limited(client, limit_of_three):
    client.force_login(User.objects.create_user("curator", is_staff=True))
    assert {client.get("/api/speeches/").status_code for _ in range(5)} == {200}


def test_pages_are_not_limited(client, limit_of_three):
    assert {client.get("/speeches/").status_code for _ in range(5)} == {200}


def test_cors_is_off_by_default(client):
    response = client.get("/api/speeches/", HTTP_ORIGIN="https://elsewhere.example")
    assert "Access-Control-Allow-Origin" not in response
