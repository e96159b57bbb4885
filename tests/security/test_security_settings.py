"""Production settings: the deployment checklist passes with DEBUG=0, and plain HTTP is
sent to HTTPS except for the health check. The settings are declared in one module and
write nothing when imported."""

import os
import re
import subprocess
import sys

import pytest
from django.conf import global_settings
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


def test_importing_the_settings_writes_nothing_to_disk(tmp_path):
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(ARCHIVE_DATA_DIR=str(data))
    result = subprocess.run(
        [sys.executable, "-c", "import archive.settings as s; print(repr(s.SECRET_KEY))"],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    # No key yet and no folder: both are made when the app first starts.
    assert result.stdout.strip() == "''"
    assert not data.exists()


def test_every_setting_the_code_reads_is_declared_in_the_settings_module():
    from archive import settings as declared

    read = set()
    for path in (PROJECT_DIR / "speeches").rglob("*.py"):
        read |= set(re.findall(r"\bsettings\.([A-Z][A-Z0-9_]+)\b", path.read_text(encoding="utf-8")))
        read |= set(re.findall(r"getattr\(settings, \"([A-Z][A-Z0-9_]+)\"", path.read_text(encoding="utf-8")))
    django_defaults = {name for name in read if hasattr(global_settings, name)}
    assert read, "no setting read at all: the pattern is wrong"
    assert sorted(read - django_defaults - set(dir(declared))) == []
