"""Admin sign-in throttling: after LOGIN_FAILURE_LIMIT failed sign-ins for one username from
one address, that pair is refused (429) for LOGIN_LOCKOUT_MINUTES after its last failure;
a successful sign-in clears the count. Other users, and the same user from elsewhere, are
not affected, so a guesser cannot lock a curator out from another address.

Failures are counted by Django's user_login_failed signal (connected in SpeechesConfig.ready)
in the "shared" cache, which is kept in the data folder so every server process shares it.
The address is the client's as speeches.clients tells it (behind a trusted proxy, from
X-Forwarded-For; an IPv6 client by its /64). The key is a hash: neither usernames nor
addresses are written in clear."""

import functools
import hashlib
import time

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse

from speeches.clients import client_key

CACHE = "shared"


def _limit():
    return settings.LOGIN_FAILURE_LIMIT


def _lockout_seconds():
    return 60 * settings.LOGIN_LOCKOUT_MINUTES


def _address(request):
    return client_key(request) if request is not None else ""


def _key(username, address):
    digest = hashlib.sha256(f"{(username or '').strip().casefold()}\n{address}".encode()).hexdigest()
    return f"login-failures:{digest}"


def failures(username, address):
    """(failed attempts, time of the last one) for this username and address."""
    return caches[CACHE].get(_key(username, address), (0, 0.0))


def seconds_locked(username, address):
    """How long this pair stays locked out (0: it may try)."""
    count, last = failures(username, address)
    if count < _limit():
        return 0
    return max(0, int(last + _lockout_seconds() - time.time()) + 1)


def record_failure(sender, credentials, request=None, **kwargs):
    """user_login_failed handler. The count lives as long as the lockout would."""
    username = (credentials or {}).get("username", "")
    address = _address(request)
    count, _last = failures(username, address)
    caches[CACHE].set(_key(username, address), (count + 1, time.time()), _lockout_seconds())


def clear_failures(sender, request, user, **kwargs):
    """user_logged_in handler."""
    caches[CACHE].delete(_key(user.get_username(), _address(request)))


def throttled_login(login_view):
    """Wrap the admin's login view: a locked-out username and address get 429 without
    their password being checked."""

    @functools.wraps(login_view)
    def view(request, *args, **kwargs):
        if request.method == "POST":
            wait = seconds_locked(request.POST.get("username", ""), _address(request))
            if wait:
                minutes = (wait + 59) // 60
                response = HttpResponse(
                    f"登录失败次数过多，该账号在本地址暂时不能登录，请 {minutes} 分钟后再试。",
                    status=429,
                    content_type="text/plain; charset=utf-8",
                )
                response["Retry-After"] = str(wait)
                return response
        return login_view(request, *args, **kwargs)

    return view
