"""The data folder (ARCHIVE_DATA_DIR): what the archive writes lives there. Settings only
read it; the folders and the generated secret key are made once, when the app starts
(speeches.apps.SpeechesConfig.ready), never while the settings are imported."""

import os
import secrets
from pathlib import Path

SECRET_KEY_FILE = "secret_key"


def stored_secret_key(data_dir):
    """The key kept in the data folder, or "" before the first start made it."""
    path = Path(data_dir) / SECRET_KEY_FILE
    return path.read_text().strip() if path.exists() else ""


def prepare(settings):
    """Create the folders the settings name, and the secret key when neither the
    environment nor the data folder holds one (no key is ever kept in the repository).
    Returns the key it created, or ""."""
    for folder in (settings.DATA_DIR, settings.STATIC_ROOT, settings.FILE_UPLOAD_TEMP_DIR):
        Path(folder).mkdir(parents=True, exist_ok=True)
    if os.environ.get("SECRET_KEY") or stored_secret_key(settings.DATA_DIR):
        return ""
    path = Path(settings.DATA_DIR) / SECRET_KEY_FILE
    key = secrets.token_urlsafe(50)
    # Made readable by its owner only, before the key is written into it.
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as handle:
        handle.write(key)
    return key
