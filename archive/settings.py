"""Settings for the speech archive, read from environment variables.

ARCHIVE_DATA_DIR  where everything the archive writes lives (SQLite file, search
                  index, generated secret key, collected static files); default var/
DATABASE_URL      optional, e.g. postgres://user:pass@host/db; SQLite otherwise
SECRET_KEY        optional; a random key is generated once into the data dir
DEBUG             0/1, default 0
ALLOWED_HOSTS     comma-separated, default 127.0.0.1,localhost
SECURE_SSL_REDIRECT  0/1, default 1 unless DEBUG: send plain-HTTP requests to HTTPS
                  (`make run` and the tests serve plain HTTP on loopback and set 0)
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url

from archive import data_dir

# numpy asks Linux for transparent huge pages for each array of 4 MB or more; on the
# virtual machines measured a fresh huge page cost many times the arithmetic done in
# it (writing a segment's postings: 3.7 ms a speech without, 8.9 with). Read by numpy
# when it is first imported, which is after these settings.
os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name, default):
    return os.environ.get(name, default).strip().lower() in ("1", "true", "yes", "on")


def envlist(name, default):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Where everything the archive writes lives; its folders are made on the app's first start
# (archive/data_dir.py), never while these settings are imported.
DATA_DIR = Path(os.environ.get("ARCHIVE_DATA_DIR", BASE_DIR / "var")).resolve()

# From the environment, else the key generated into the data folder on its first start.
SECRET_KEY = os.environ.get("SECRET_KEY") or data_dir.stored_secret_key(DATA_DIR)
DEBUG = envbool("DEBUG", "0")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    # Edit history with revert for the curators (speeches, topic and official assignments).
    "simple_history",
    "speeches",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy (this site's own files only) and Permissions-Policy.
    "speeches.security_headers.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # %00 in an address or parameter: 400 before any view (PostgreSQL cannot look it up).
    "speeches.request_guard.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Records the signed-in user on every history row written during a request.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "archive.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "archive.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'archive.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent readers while one writer imports: WAL and a busy timeout.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
# Chinese for the few admin strings Django's own catalogue lacks (locale/zh_Hans).
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Made on the first start: whitenoise expects it even when serving from finders.
STATIC_ROOT = DATA_DIR / "static"
# Static files are served from the app's folders by whitenoise without a collectstatic step.
WHITENOISE_USE_FINDERS = True

# The engine behind speeches.search (a speeches.search.backend.SearchBackend, dotted path):
# the Whoosh index of one machine, in SEARCH_INDEX_DIR. Another engine is plugged in here
# once it passes tests/search/test_search_backend_contract.py (README, "Scale-out").
SEARCH_BACKEND = os.environ.get("SEARCH_BACKEND", "speeches.search.whoosh_backend.WhooshBackend")
# The search index lives in the data dir; tests point it at a temporary directory.
SEARCH_INDEX_DIR = Path(os.environ.get("SEARCH_INDEX_DIR", DATA_DIR / "index"))
# When a saved speech reaches the index (speeches/search/signals.py): "on_commit" (after
# its transaction commits), "immediate" (at once, for tests) or "queue" (left queued for
# the next process_pending, as bulk imports do).
SEARCH_INDEX_UPDATES = os.environ.get("SEARCH_INDEX_UPDATES", "on_commit")
# When an imported speech's regions, officials, topics, keywords, dates and speaker are
# found (speeches/extract/queue.py): "queue" (stored and indexed first, extracted by the
# queue's drain: extract_pending, import_speeches after its files, the job worker when idle)
# or "at_once" (in the import's own transaction; the tests, which read what they import).
EXTRACTION_ON_IMPORT = os.environ.get("EXTRACTION_ON_IMPORT", "queue")
# Processes that write the index at once (0: one per core): a full rebuild's writers; a
# large batch of queued updates is split in two when there are two or more. And the
# postings each writes into a segment before starting the next (0: speeches.search.indexing's default).
SEARCH_REBUILD_PROCESSES = int(os.environ.get("SEARCH_REBUILD_PROCESSES", "0"))
SEARCH_REBUILD_SEGMENT_POSTINGS = int(os.environ.get("SEARCH_REBUILD_SEGMENT_POSTINGS", "0"))

# Anonymous clients' requests per minute (0 turns a limit off), counted per client in the
# "shared" cache, so every server process counts together (speeches/throttle.py): the JSON
# API, and the search page with the feeds.
API_ANON_RATE_PER_MINUTE = int(os.environ.get("API_ANON_RATE_PER_MINUTE", "300"))
SEARCH_ANON_RATE_PER_MINUTE = int(os.environ.get("SEARCH_ANON_RATE_PER_MINUTE", "120"))
# The reverse proxies in front of the archive (comma-separated addresses or networks, e.g.
# 127.0.0.1,10.0.0.0/8). Only a request arriving from one of them has its X-Forwarded-For
# read for the client's address (request limits, sign-in throttling; speeches/clients.py);
# empty: the connection's own address is the client's, and the header is ignored.
TRUSTED_PROXIES = envlist("TRUSTED_PROXIES", "")
for _proxy in TRUSTED_PROXIES:
    ipaddress.ip_network(_proxy, strict=False)  # a typo stops the start, with the entry named

# Production defaults are the safe ones; DEBUG relaxes them for local development.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "0" if DEBUG else "1")
# Loopback health checks and load tests stay on plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "1")
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "0" if DEBUG else "1")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto (set TRUST_X_FORWARDED_PROTO=1).
if envbool("TRUST_X_FORWARDED_PROTO", "0"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Admin actions (publish, withdraw, re-extract, re-index) on more speeches than this run as a
# background job (manage.py run_jobs), as every upload does; fewer are done at once.
ADMIN_ACTION_INLINE_MAX = int(os.environ.get("ADMIN_ACTION_INLINE_MAX", "10"))

# Uploads through the admin's import form: larger files are refused with a message.
IMPORT_UPLOAD_MAX_BYTES = int(os.environ.get("IMPORT_UPLOAD_MAX_BYTES", str(60 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Larger uploads are spooled to disk: under the data dir, not /tmp.
FILE_UPLOAD_TEMP_DIR = DATA_DIR / "uploads"
# Work the web processes hand to the job worker (manage.py run_jobs): searches to count
# (speeches/search_log.py) and the files of import jobs (speeches/jobs.py).
SPOOL_DIR = DATA_DIR / "spool"

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Counts every server process must share: failed admin sign-ins (speeches/login_throttle.py)
    # and anonymous request limits (speeches/throttle.py). On disk in the data folder; room
    # for a few thousand clients a minute before old counts are culled.
    "shared": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": DATA_DIR / "cache" / "shared",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
}
# Failed sign-ins allowed per username and address before LOGIN_LOCKOUT_MINUTES of refusal.
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
