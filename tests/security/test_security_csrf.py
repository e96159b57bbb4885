"""CSRF everywhere: no view of the site is exempt from Django's CSRF protection, and a
state-changing request without a token is refused — admin sign-in, admin edits and uploads."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from speeches.models import Speech
from tests.factories import make_speech

pytestmark = pytest.mark.django_db


def all_patterns(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from all_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_no_view_is_exempt_from_csrf_protection():
    views = list(all_patterns(get_resolver().url_patterns))
    assert len(views) > 30  # the public site, the API, the feeds and the admin
    exempt = [route for route, callback in views if getattr(callback, "csrf_exempt", False)]
    assert exempt == []


def test_csrf_middleware_is_installed(settings):
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE
    assert settings.CSRF_COOKIE_SECURE or settings.DEBUG


@pytest.fixture
def curator_account():
    return User.objects.create_superuser("curator", password="口令-correct-horse-battery")


def test_admin_sign_in_without_a_token_is_refused(curator_account):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/admin/login/", {"username": "curator", "password": "口令-correct-horse-battery"})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_admin_edits_without_a_token_are_refused_and_change_nothing(curator_account):
    speech = make_speech(title="原来的标题")
    client = Client(enforce_csrf_checks=True)
    client.force_login(curator_account)
    change_url = f"/admin/speeches/speech/{speech.pk}/change/"
    assert client.get(change_url).status_code == 200

    response = client.post(change_url, {"title": "被篡改的标题", "body": speech.body, "status": "published"})

    assert response.status_code == 403
    speech.refresh_from_db()
    assert speech.title == "原来的标题"


def test_an_upload_without_a_token_is_refused_and_imports_nothing(curator_account, tmp_path):
    client = Client(enforce_csrf_checks=True)
    client.force_login(curator_account)
    url = reverse("admin:speeches_source_import")
    assert client.get(url).status_code == 200
    upload = tmp_path / "speech.txt"
    upload.write_text("在全镇防汛工作会议上的讲话\n\n同志们:\n\n今天开会。\n", encoding="utf-8")

    with upload.open("rb") as handle:
        response = client.post(url, {"files": handle, "status": "published"})

    assert response.status_code == 403
    assert not Speech.objects.exists()
