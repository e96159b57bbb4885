"""Admin sign-in throttling: repeated wrong passwords lock that username out from that
address for a while, without locking out the same curator elsewhere or anyone else."""

import time

import pytest
from django.contrib.auth.models import User

from speeches import login_throttle

pytestmark = pytest.mark.django_db
PASSWORD = "一个足够长的口令-correct-horse"


@pytest.fixture(autouse=True)
def login_limits(settings):
    # The shared cache is the test's own (conftest), the same kind of store as in production.
    settings.LOGIN_FAILURE_LIMIT = 5
    settings.LOGIN_LOCKOUT_MINUTES = 15
    # Every attempt checks a password: a fast hasher keeps the tests quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def curator_account():
    return User.objects.create_user("curator", password=PASSWORD, is_staff=True)


def sign_in(client, username, password, address="203.0.113.7"):
    return client.post(
        "/admin/login/?next=/admin/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def fail(client, times, username="curator", address="203.0.113.7"):
    for _ in range(times):
        response = sign_in(client, username, "wrong password", address)
        assert response.status_code == 200  # the form again, with its error


def test_five_wrong_passwords_lock_the_username_out_from_that_address(client, curator_account):
    fail(client, 5)

    response = sign_in(client, "curator", PASSWORD)

    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert 14 * 60 < int(response["Retry-After"]) <= 15 * 60
    assert "_auth_user_id" not in client.session


def test_four_wrong_passwords_still_let_the_right_one_in(client, curator_account):
    fail(client, 4)
    response = sign_in(client, "curator", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(curator_account.pk)


def test_a_successful_sign_in_starts_the_count_again(client, curator_account):
    fail(client, 4)
    assert sign_in(client, "curator", PASSWORD).status_code == 302
    client.logout()
    fail(client, 4)
    assert sign_in(client, "curator", PASSWORD).status_code == 302


def test_the_lockout_spares_other_addresses_and_other_users(client, curator_account):
    other = User.objects.create_user("editor", password=PASSWORD, is_staff=True)
    fail(client, 5)

    assert sign_in(client, "curator", PASSWORD, address="198.51.100.2").status_code == 302
    client.logout()
    assert sign_in(client, "editor", PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(other.pk)


def test_the_username_is_matched_whatever_its_case_or_spaces(client, curator_account):
    fail(client, 3, username="Curator")
    fail(client, 2, username=" curator ")
    assert sign_in(client, "curator", PASSWORD).status_code == 429


def test_the_lockout_ends_after_the_configured_minutes(client, curator_account, monkeypatch):
    fail(client, 5)
    assert sign_in(client, "curator", PASSWORD).status_code == 429
    later = time.time() + 15 * 60 + 1
    monkeypatch.setattr(login_throttle.time, "time", lambda: later)
    assert login_throttle.seconds_locked("curator", "203.0.113.7") == 0
    assert sign_in(client, "curator", PASSWORD).status_code == 302


def test_failures_are_stored_under_a_hash_not_the_username(settings, tmp_path, client, curator_account):
    fail(client, 1)
    stored = b"".join(path.read_bytes() for path in (tmp_path / "cache").rglob("*") if path.is_file())
    assert stored and b"curator" not in stored and b"203.0.113.7" not in stored
