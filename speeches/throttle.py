"""Request limits for anonymous clients, per minute and per client (speeches.clients),
counted in the "shared" cache: files in the data folder that every server process reads,
the store of the admin's sign-in throttle, so three gunicorn workers count together.

Two budgets: the JSON API (settings.API_ANON_RATE_PER_MINUTE) and the search page with
the feeds (settings.SEARCH_ANON_RATE_PER_MINUTE); 0 turns one off. Signed-in staff are
not limited."""

import contextlib
import fcntl
import functools
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse, JsonResponse

from speeches.clients import client_key

CACHE = "shared"
WINDOW_SECONDS = 60
API, SEARCH = "api", "search"
RATE_SETTINGS = {API: "API_ANON_RATE_PER_MINUTE", SEARCH: "SEARCH_ANON_RATE_PER_MINUTE"}


@contextlib.contextmanager
def _counting(cache):
    """A lock around a count's read and write: the file cache's incr is a read then a
    write, and two processes counting at once would lose one request."""
    directory = getattr(cache, "_dir", None)
    if directory is None:  # a cache server counts atomically by itself
        yield
        return
    Path(directory).mkdir(parents=True, exist_ok=True)
    with open(Path(directory) / "throttle.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _count(key):
    cache = caches[CACHE]
    with _counting(cache):
        count = cache.get(key, 0) + 1
        cache.set(key, count, WINDOW_SECONDS + 1)
    return count


def refusal(request, scope):
    """A 429 response when this anonymous client is past its limit for `scope`, else None
    (the request is counted)."""
    rate = getattr(settings, RATE_SETTINGS[scope])
    if not rate or (request.user.is_authenticated and request.user.is_staff):
        return None
    window = int(time.time() // WINDOW_SECONDS)
    if _count(f"throttle:{scope}:{client_key(request)}:{window}") <= rate:
        return None
    retry = WINDOW_SECONDS - int(time.time()) % WINDOW_SECONDS
    message = f"请求过于频繁：每分钟最多 {rate} 次，请 {retry} 秒后再试"
    if scope == API:
        response = JsonResponse({"error": message}, status=429, json_dumps_params={"ensure_ascii": False})
    else:
        response = HttpResponse(message + "。", status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(retry)
    return response


def limited(scope):
    """Decorate a view with the limit of `scope`."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            return refusal(request, scope) or view(request, *args, **kwargs)

        return wrapper

    return decorate


throttled = limited(API)
