"""Requests carrying a NUL character (%00) in their address or parameters are refused with
400 before any view runs. No visitor types one, and no view can look such a value up:
PostgreSQL refuses NUL in text, so /regions/%00/ or ?region=%00 would otherwise be a 500."""

from django.http import HttpResponseBadRequest

NUL = "\x00"


def _carries_nul(querydict):
    return any(NUL in key or any(NUL in value for value in values) for key, values in querydict.lists())


class RejectNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if NUL in request.path or _carries_nul(request.GET) or (request.method == "POST" and _carries_nul(request.POST)):
            return HttpResponseBadRequest(
                "请求的地址或参数中含有空字符(%00),无法处理。", content_type="text/plain; charset=utf-8"
            )
        return self.get_response(request)
