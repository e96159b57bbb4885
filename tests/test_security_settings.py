"""Production settings: the deployment checklist passes with DEBUG=0, and plain HTTP is
sent to HTTPS except for the health check."""

import os
import subprocess
import sys

import pytest
from django.test import Client, override_settings

from tests.conftest import PROJECT_DIR


def test_deploy_check_passes_with_debug_off(tmp_path):
    env = {**os.environ, "DEBUG": "0", "ARCHIVE_DATA_DIR": str(tmp_path)}
    env.pop("SECRET_KEY", None)
    env.pop("SECURE_SSL_REDIRECT", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # The generated key stays in the data folder, never in the repository.
    assert (tmp_path / "secret_key").exists()


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https_in_production():
    with override_settings(SECURE_SSL_REDIRECT=True):
        response = Client().get("/speeches/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


@pytest.mark.django_db
def test_health_check_answers_on_plain_http():
    with override_settings(SECURE_SSL_REDIRECT=True):
        response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_no_secret_key_is_committed():
    tracked = subprocess.run(["git", "ls-files"], cwd=PROJECT_DIR, capture_output=True, text=True).stdout.split()
    assert "var/secret_key" not in tracked
    settings_text = (PROJECT_DIR / "archive" / "settings.py").read_text()
    assert "SECRET_KEY = \"" not in settings_text and "SECRET_KEY = '" not in settings_text
