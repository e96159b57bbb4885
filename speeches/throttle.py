"""A per-client request limit for the JSON API: anonymous clients get a fixed number of
requests per minute (settings.API_ANON_RATE_PER_MINUTE); signed-in staff are not limited.
Counts live in the default cache (per process unless a shared cache is configured)."""

import functools
import time

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse

WINDOW_SECONDS = 60


def client_key(request):
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy strips it.
    return request.META.get("REMOTE_ADDR", "unknown")


def throttled(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        rate = getattr(settings, "API_ANON_RATE_PER_MINUTE", 0)
        if rate and not (request.user.is_authenticated and request.user.is_staff):
            window = int(time.time() // WINDOW_SECONDS)
            key = f"throttle:{client_key(request)}:{window}"
            cache.add(key, 0, WINDOW_SECONDS + 1)
            try:
                count = cache.incr(key)
            except ValueError:  # evicted between add and incr
                cache.set(key, 1, WINDOW_SECONDS + 1)
                count = 1
            if count > rate:
                retry = WINDOW_SECONDS - int(time.time()) % WINDOW_SECONDS
                response = JsonResponse(
                    {"error": f"请求过于频繁:每分钟最多 {rate} 次,请 {retry} 秒后再试"}, status=429,
                    json_dumps_params={"ensure_ascii": False},
                )
                response["Retry-After"] = str(retry)
                return response
        return view(request, *args, **kwargs)

    return wrapper
